"""The command line: demo writes its report, errors are clean, exit codes mean something."""

from __future__ import annotations

import pandas as pd
import pytest

from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_OK, main


def test_demo_writes_a_report(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "report")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "illustrative" in out and "per visit" in out
    per = pd.read_csv(tmp_path / "report" / "per_audience.csv")
    assert set(per["service"]) == {"city website", "event video (HD, 3 min)", "monthly newsletter"}
    video = per[(per.service == "event video (HD, 3 min)") & (per.criterion == "climate_change")].iloc[0]
    # 0.7 x 3 min smartphone + 0.3 x 3 min laptop + 0.15 GB mobile (70 %) / fixed (30 %), ADEME factors, per view
    smartphone = (79_516 / 2737.5 + 4.5 * 0.0519) * 0.7 * 3 / 60
    laptop = (185_090 / 5475 + 26.5 * 0.0519) * 0.3 * 3 / 60
    network = 0.15 * (0.7 * 24.6836791969497 + 0.3 * 9.26934695867389)
    assert video["value"] * 1000 == pytest.approx(smartphone + laptop + network, rel=1e-9)
    assert video["coverage"] == "complete"
    results = pd.read_csv(tmp_path / "report" / "results.csv")
    assert {"service", "tier", "criterion", "phase", "value", "unit", "coverage"} <= set(results.columns)


def test_demo_strict_flags_incomplete_results(tmp_path):
    # the example website uses data-centre servers, which the Impact CO2 set does not cover yet
    assert main(["demo", "--strict", "--out", str(tmp_path)]) == EXIT_INCOMPLETE


def test_bad_profile_is_a_clean_error(tmp_path, capsys):
    assert main(["demo", "--profile", "nope", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("lca-numerique: error:") and "Traceback" not in err


def test_factors_lists_sets(capsys):
    assert main(["factors"]) == EXIT_OK
    assert "impactco2" in capsys.readouterr().out
    assert main(["factors", "impactco2"]) == EXIT_OK
    assert "device.smartphone@FR" in capsys.readouterr().out
