"""The command line: demo writes every report file and each opens; check catches tampering; errors are clean."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_DIFFERENCES, EXIT_OK, example_path, main
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
    assert "printing: no climate-change factor (not covered)" in out
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
