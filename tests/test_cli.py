"""The command line: demo writes every report file and each opens; check catches tampering; errors are clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_DIFFERENCES, EXIT_INTERNAL, EXIT_OK, example_path, main
from lca_numerique.inventory import load_inventory
from lca_numerique.report import SHEETS, report_tables


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["demo", "--out", str(out)]) == EXIT_OK
    return out


def test_demo_writes_every_output(demo):
    assert {p.name for p in demo.iterdir()} == {"report.xlsx", "results.csv", "report.html", "results.json"}


def test_excel_read_back_equals_the_tables(demo):
    inventory = load_inventory(example_path())
    expected = report_tables(inventory.evaluate(), inventory)
    sheets = pd.read_excel(demo / "report.xlsx", sheet_name=None)
    assert list(sheets) == list(SHEETS)
    for name, frame in expected.items():
        got = sheets[name]
        assert list(got.columns) == list(frame.columns), name
        numeric = frame.select_dtypes("number").columns
        for column in numeric:
            pd.testing.assert_series_equal(got[column].astype(float), frame[column].astype(float), check_names=False,
                                           rtol=1e-12)


def test_html_contains_figures_and_method(demo):
    text = (demo / "report.html").read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3
    assert "Functional units" in text and "Allocation" in text and "Limitations" in text
    assert "Illustrative data" in text


def test_csv_is_tidy(demo):
    frame = pd.read_csv(demo / "results.csv")
    assert list(frame.columns) == ["service", "tier", "criterion", "phase", "value", "unit", "coverage"]
    assert set(frame["coverage"]) <= {"complete", "partial", "not covered"}


def test_check_passes_untouched_and_fails_tampered(demo, tmp_path, capsys):
    assert main(["check", str(demo / "results.json")]) == EXIT_OK
    document = json.loads((demo / "results.json").read_text(encoding="utf-8"))
    document["outputs"]["values"][0][0][0][0] *= 1.001
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    assert main(["check", str(tampered)]) == EXIT_DIFFERENCES
    assert "Site métropolitain, terminals, climate_change, manufacturing" in capsys.readouterr().err


def test_check_inventory_and_explain(capsys):
    assert main(["check", str(example_path())]) == EXIT_OK
    assert "valid — 15 services" in capsys.readouterr().out
    assert main(["explain", str(example_path()), "Magazine papier"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "copies × pages / 2 × page_area × grammage / 1000" in out and "[user]" in out
    assert "paper.a4_sheet / (paper.a4_area * paper.a4_grammage)" in out  # the factor's derivation chain
    # printing now has a (proxy) climate factor, shown with its derivation
    assert "printing / climate_change / manufacturing" in out and "printing.geo.printing / printing.geo.paper" in out
    assert main(["explain", str(example_path()), "Magazine"]) == EXIT_BAD_INPUT
    assert "did you mean" in capsys.readouterr().err


def test_compare_two_inventories(tmp_path, capsys):
    """Fewer Facebook posts (520 -> 364, x 0.7): the portfolio changes by -0.3 x Facebook's own total."""
    text = example_path().read_text(encoding="utf-8")
    assert text.count("posts: 520") == 1  # Facebook's line only
    scenario = tmp_path / "fewer_posts.yaml"
    scenario.write_text(text.replace("posts: 520", "posts: 364"), encoding="utf-8")
    assert main(["compare", str(example_path()), str(scenario)]) == EXIT_OK
    out = capsys.readouterr().out
    facebook = load_inventory(example_path()).evaluate().total(("service",)).query(
        "service == 'Facebook' and criterion == 'climate_change'")["value"].iloc[0]
    line = next(x for x in out.splitlines() if x.strip().startswith("climate_change"))
    delta = float(line.split()[-3])  # criterion, A, B, unit (3 words), B - A, relative, coverage
    assert delta == pytest.approx(-0.3 * facebook, rel=1e-3)  # printed with 4 significant digits
    assert "factors: default" in out and "its own choice" in out


def test_bad_input_is_a_clean_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisation: X\nservices:\n  - {kind: website, name: a, visits: 3 GB}\n", encoding="utf-8")
    assert main(["assess", str(bad), "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("lca-numerique: error:") and "Traceback" not in err
    assert "bad.yaml:3:" in err and "services[0].visits" in err


def test_template_and_factors(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path / "t.xlsx")]) == EXIT_OK
    assert (tmp_path / "t.xlsx").is_file()
    assert main(["factors"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "default" in out and "digital4better" in out


def test_french_report(tmp_path):
    assert main(["demo", "--out", str(tmp_path), "--format", "html", "--lang", "fr"]) == EXIT_OK
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Unités fonctionnelles" in text and "Données illustratives" in text


# -- exit codes: 0 ok, 1 differences, 2 bad input, 3 internal error; no traceback; printable output ---------------

def test_exit_codes_are_documented_in_help(capsys):
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    for line in ("0  success", "1  differences found", "2  bad input", "3  internal error"):
        assert line in out
    assert len({EXIT_OK, EXIT_DIFFERENCES, EXIT_BAD_INPUT, EXIT_INTERNAL}) == 4


@pytest.mark.parametrize("samples", ["0", "-5", "1000000000", "abc", "1e3"])
def test_absurd_sample_counts_are_bad_input(samples, capsys):
    assert main(["uncertainty", str(example_path()), "--samples", samples]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--samples" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["assess", "."], ["assess", "no-such-file.yaml"], ["check", "no-such-file.json"],
                                  ["frobnicate"], ["explain", "EXAMPLE", "no such service"]])
def test_bad_paths_and_arguments_are_bad_input(argv, capsys):
    argv = [str(example_path()) if a == "EXAMPLE" else a for a in argv]
    assert main(argv) == EXIT_BAD_INPUT
    assert "Traceback" not in capsys.readouterr().err


def test_an_existing_report_needs_force(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["demo", "--out", str(out), "--format", "json"]) == EXIT_OK
    before = (out / "results.json").read_bytes()
    assert main(["demo", "--out", str(out), "--format", "csv"]) == EXIT_BAD_INPUT
    assert "--force" in capsys.readouterr().err
    assert {p.name for p in out.iterdir()} == {"results.json"} and (out / "results.json").read_bytes() == before
    assert main(["demo", "--out", str(out), "--format", "csv", "--force"]) == EXIT_OK
    assert {p.name for p in out.iterdir()} == {"results.csv"}


def test_outputs_refuse_symbolic_links(tmp_path, capsys):
    victim = tmp_path / "victim.xlsx"
    victim.write_bytes(b"keep")
    (tmp_path / "t.xlsx").symlink_to(victim)
    assert main(["template", "--out", str(tmp_path / "t.xlsx")]) == EXIT_BAD_INPUT
    assert victim.read_bytes() == b"keep" and "symbolic link" in capsys.readouterr().err


def test_an_internal_error_says_so_and_saves_the_traceback(monkeypatch, capsys):
    import lca_numerique.inventory

    def broken(path):
        raise ZeroDivisionError("a bug, not the user's input")

    monkeypatch.setattr(lca_numerique.inventory, "load_inventory", broken)
    assert main(["check", str(example_path())]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err
    saved = Path(re.search(r"saved in (\S+?)\. ", err).group(1))
    text = saved.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: a bug, not the user's input" in text
    saved.unlink()


def test_escape_sequences_in_names_are_not_printed(tmp_path, capsys):
    text = example_path().read_text(encoding="utf-8").replace("name: Intranet", 'name: "\\e[31mIntra\\e]0;pwned\\anet"')
    text = re.sub(r"(?m)^organisation: .*$", r'organisation: "\\e[2J Métropole"', text)
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    assert main(["assess", str(hostile), "--out", str(tmp_path / "r"), "--format", "json"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Intranet" in out and "Métropole" in out
    assert "\x1b" not in out and "\x07" not in out
    assert main(["explain", str(hostile), "Intra?net"]) == EXIT_BAD_INPUT
    assert "\x1b" not in capsys.readouterr().err


def test_console_script_exit_codes(tmp_path):
    script = Path(sys.executable).with_name("lca-numerique")
    run = [str(script)] if script.exists() else [sys.executable, "-m", "lca_numerique.cli"]
    bad = subprocess.run([*run, "uncertainty", str(example_path()), "--samples", "0"], capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == EXIT_BAD_INPUT and "Traceback" not in bad.stderr
    missing = subprocess.run([*run, "check", str(tmp_path / "none.yaml")], capture_output=True, text=True,
                             timeout=300)
    assert missing.returncode == EXIT_BAD_INPUT and "Traceback" not in missing.stderr
