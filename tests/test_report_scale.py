"""A report for many services stays whole, honest and free of duplicates: results.csv holds every cell of the cube
(its sums are the library's totals, summed here with pandas), the per-service breakdowns by tier and phase are
not written a second time beside the workbook (their sheets say how to get them and show them per kind), the
streamed results.json is the document the library builds in memory and passes ``check``, the terminal lists
the largest services only. Structural properties only: no timing (see benchmarks/bench_report.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from results_json_oracle import reseal

from lca_numerique.inventory import inventory_from_text
from lca_numerique.report import REPORT_FILES, check_results_file, write_csv, write_report
from lca_numerique.report.console import console_summary
from lca_numerique.report.results_file import results_document
from lca_numerique.report.tables import BREAKDOWNS, TABLE_SERVICES, assumptions_table

N_WEBSITES = 1_200  # a per-service breakdown by phase (1,200 x 13 x 4 rows x 6 columns) passes 250,000 cells


def inventory_text(n: int = N_WEBSITES) -> str:
    """Websites, one of them with a name that would be a formula, and a print service whose ecotoxicity has no
    factor in the bundled data (a not-covered total)."""
    lines = ["organisation: Town", "services:",
             "  - {kind: print, name: magazine, copies: 1000, pages: 8, basis: '=1+1'}",
             "  - {kind: website, name: '=HYPERLINK(\"x\")', visits: 500, page_weight: 2}"]
    lines += [f"  - {{kind: website, name: site {i}, visits: {1000 + 7 * i}, page_weight: 1.5}}" for i in range(n)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    inventory = inventory_from_text(inventory_text(), "town.yaml")
    results = inventory.evaluate()
    out = tmp_path_factory.mktemp("scale") / "report"
    written = write_report(results, inventory, out)
    return inventory, results, out, written


def test_the_folder_holds_each_table_once_and_the_workbook_names_every_file(large):
    _, _, out, written = large
    files = {p.name for p in out.iterdir()}
    assert {"report.xlsx", "results.csv", "report.html", "results.json"} <= files <= REPORT_FILES
    assert not {f"{name}.csv" for name in BREAKDOWNS} & files  # sums of results.csv: not written again per service
    book = load_workbook(out / "report.xlsx", read_only=True)
    named = set()
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and rows[0] == ("note", "file", "rows", "columns"):
            named.add(rows[1][1])
    assert files - {"report.xlsx", "report.html", "results.json"} == named  # every CSV is named by a sheet
    assert {p.name for p in written.values()} == files


def test_results_csv_sums_to_the_service_totals(large):
    _, results, out, _ = large
    cells = pd.read_csv(out / "results.csv", keep_default_na=False, dtype={"value": str})
    assert len(cells) == len(results.services) * len(results.tiers) * len(results.criteria) * len(results.phases)
    assert set(cells.loc[cells["coverage"] == "not covered", "value"]) == {""}  # empty, never 0
    cells["value"] = pd.to_numeric(cells["value"].replace("", np.nan))
    grouped = cells.groupby(["service", "criterion"], sort=False)
    summed = grouped["value"].sum(min_count=1)
    all_complete = grouped["coverage"].agg(lambda c: bool((c == "complete").all()))
    totals = results.total("service").astype({"service": str, "criterion": str, "coverage": str})
    totals = totals.set_index(["service", "criterion"])
    assert len(summed) == len(totals)
    safe = {s: ("'" + s if s.startswith("=") else s) for s in results.services}
    totals.index = totals.index.set_levels([[safe[s] for s in totals.index.levels[0]], totals.index.levels[1]])
    for key, row in totals.iterrows():
        assert (row["coverage"] == "complete") == all_complete[key], key
        if row["coverage"] == "not covered":
            assert math.isnan(row["value"])
        else:  # complete, or partial: the covered rows' sum
            assert summed[key] == pytest.approx(row["value"], rel=1e-12, abs=0.0), key
    assert (totals["coverage"] == "not covered").any() and (totals["coverage"] == "complete").any()


def test_breakdown_sheets_point_to_results_csv_and_show_the_totals_per_kind(large):
    _, results, out, _ = large
    book = load_workbook(out / "report.xlsx", read_only=True)
    for name, axis in BREAKDOWNS.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert rows[1][1] == "results.csv" and f"results.total(['service', '{axis}'])" in rows[1][0]
        assert rows[1][2] == len(results.services) * len(results.criteria) * len(getattr(results, f"{axis}s"))
        header, body = rows[3], rows[4:]
        assert header[0] == "kind"
        if name == "coverage":
            continue
        expected = results.total(("kind", axis))
        assert len(body) == len(expected)
        got = {(r[0], r[header.index(axis)], r[header.index("criterion")]): r[header.index("value")] for r in body}
        for row in expected.itertuples():
            value = got[(row.kind, getattr(row, axis), row.criterion)]
            assert (value is None) if math.isnan(row.value) else value == pytest.approx(row.value, rel=1e-12)


def test_the_streamed_results_file_is_the_document_and_checks(large):
    inventory, results, out, _ = large
    text = (out / "results.json").read_text(encoding="utf-8")
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"invalid JSON constant {name}"))
    assert document == json.loads(json.dumps(results_document(results, inventory), allow_nan=False))
    assert reseal(document)["checksum"] == document["checksum"]
    assert check_results_file(out / "results.json").ok


def _flip_coverage(document: dict) -> None:
    document["outputs"]["coverage"][5][0][0][0] = "partial"


def _drop_a_phase(document: dict) -> None:
    del document["outputs"]["coverage"][7][1][2][3]


def _change_a_value(document: dict) -> None:
    document["outputs"]["values"][9][0][0][0] *= 1.001


@pytest.mark.parametrize("edit", [_flip_coverage, _drop_a_phase, _change_a_value], ids=lambda f: f.__name__)
def test_a_resealed_edit_of_the_cube_fails_the_check(large, tmp_path, edit):
    _, _, out, _ = large
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(reseal(document), ensure_ascii=False), encoding="utf-8")
    report = check_results_file(path)
    assert not report.ok and not any("checksum" in d for d in report.differences)
    assert any(d.startswith(("coverage:", "values[")) for d in report.differences), report.differences


def test_the_terminal_lists_the_largest_services_and_says_where_the_others_are(large):
    inventory, results, _, written = large
    text = console_summary(results, inventory, "default", written)
    assert sum(line.startswith(("site ", "magazine ")) for line in text.splitlines()) == TABLE_SERVICES
    assert f"the {len(results.services) - TABLE_SERVICES:,} others are in the report files" in text
    assert f"site {N_WEBSITES - 1} " in text and "site 0 " not in text  # most visits, same page: the largest


def test_assumptions_hold_every_parameter_of_every_service_with_its_origin(large):
    inventory, results, _, _ = large
    table = assumptions_table(inventory, results)
    services = inventory.services
    parameters = table[table["parameter"] != "basis"].astype({c: str for c in ("service", "parameter", "origin")})
    assert len(parameters) == sum(len(s.values) for s in services)
    given = parameters[parameters["origin"] == "user"]
    assert set(zip(given["service"], given["parameter"], strict=True)) == {
        (s.name, k) for s in services for k in s.given}
    assert set(parameters["origin"]) == {"user", "default"}
    basis = table[table["parameter"] == "basis"]
    assert list(zip(basis["service"], basis["value"], basis["origin"], strict=True)) == [("magazine", "=1+1", "user")]
    row = table[(table["service"] == "site 7") & (table["parameter"] == "visits")]
    assert row["value"].tolist() == [1049] and row["unit"].tolist() == ["visit"]  # 1000 + 7 x 7, a number


def test_the_assumptions_file_reads_back_as_the_table_and_is_many_times_smaller(large):
    """assumptions.csv (beside the workbook at this size) holds the same (service, parameter, value, unit, origin)
    rows as the table in memory; its sheet says what each column holds, and the parameters sheet describes each
    parameter once."""
    inventory, results, out, _ = large
    table = assumptions_table(inventory, results)
    back = pd.read_csv(out / "assumptions.csv", keep_default_na=False, dtype=str)
    assert list(back.columns) == ["service", "kind", "parameter", "value", "unit", "origin"]

    def key(value):  # numbers compared as numbers (the file writes 1049, not 1049.0), words as written
        try:
            return float(value)
        except ValueError:
            return value

    expected = {(str(s), str(p), key(v) if isinstance(v, str) else float(v), str(u), str(o))
                for s, p, v, u, o in zip(table["service"], table["parameter"], table["value"], table["unit"],
                                         table["origin"], strict=True)}
    got = {(("=" + s[2:]) if s.startswith("'=") else s, p, key(("=" + v[2:]) if v.startswith("'=") else v), u, o)
           for s, p, v, u, o in zip(back["service"], back["parameter"], back["value"], back["unit"], back["origin"],
                                    strict=True)}
    assert got == expected and len(back) == len(table) == len(expected)
    # some 60 bytes a row, a quarter of the former 250: no description, source or basis repeated on each row
    assert (out / "assumptions.csv").stat().st_size < 70 * len(back)
    book = load_workbook(out / "report.xlsx", read_only=True)
    rows = list(book["assumptions"].iter_rows(values_only=True))
    assert rows[0] == ("note", "file", "rows", "columns") and rows[1][1:3] == ("assumptions.csv", len(table))
    assert rows[3] == ("column", "meaning") and [r[0] for r in rows[4:]] == list(back.columns)
    described = list(book["parameters"].iter_rows(values_only=True))
    assert described[0] == ("kind", "parameter", "unit", "description", "source")
    parameters = {(s.kind, k) for s in inventory.services for k in s.values}
    assert {(r[0], r[1]) for r in described[1:]} == parameters and len(described) - 1 == len(parameters)  # once


def test_csv_writer_keeps_numbers_texts_and_gaps(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "a,b", 'say "x"', None], "value": [0.1, 1e-5, math.nan, 1 / 3],
                          "flag": [True, False, True, False], "mixed": ["x", 2.5, None, 3],
                          "kind": pd.Categorical(["@a", "b", "@a", "b"])})
    back = pd.read_csv(write_csv(frame, tmp_path / "t.csv"), keep_default_na=False, dtype=str)
    assert back["name"].tolist() == ["'=1+1", "a,b", 'say "x"', ""]
    assert [float(v) if v else None for v in back["value"]] == [0.1, 1e-5, None, 1 / 3]  # exact round trip
    assert back["flag"].tolist() == ["True", "False", "True", "False"]
    assert back["mixed"].tolist() == ["x", "2.5", "", "3"]
    assert back["kind"].tolist() == ["'@a", "b", "'@a", "b"]


def test_a_french_report_with_sheets_beside_the_workbook_can_be_replaced(large, tmp_path):
    inventory, results, _, _ = large
    first = write_report(results, inventory, tmp_path / "rapport", ["xlsx"], lang="fr")
    moved = {p.name for key, p in first.items() if key.startswith("xlsx:")}
    assert "par_phase.csv" in moved  # without results.csv, the breakdowns are written beside the workbook
    second = write_report(results, inventory, tmp_path / "rapport", ["xlsx"], lang="fr", force=True)
    assert {p.name for p in second.values()} == {p.name for p in first.values()}


def test_a_french_report_at_scale_has_french_notes(large, tmp_path):
    """Sheets moved beside the workbook and breakdowns left to results.csv say so in French: headers, sentences,
    the meaning of each column of the assumptions; no English word of the notes is left."""
    inventory, results, _, _ = large
    written = write_report(results, inventory, tmp_path / "rapport", ["xlsx", "csv"], lang="fr")
    moved = {key.removeprefix("xlsx:") for key in written if key.startswith("xlsx:")}
    assert "hypothèses" in moved
    book = load_workbook(written["xlsx"], read_only=True)
    notes = {}
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and rows[0] == ("note", "fichier", "lignes", "colonnes"):
            notes[sheet.title] = rows
    assert set(notes) == moved | {"par_tiers", "par_phase", "couverture"}
    english = ("rows", "workbook", "written", "holds", "Below", "every", "column", "meaning", "user", "default")
    for title, rows in notes.items():
        text = " ".join(str(cell) for row in rows[:3] for cell in row if cell is not None)
        assert not [w for w in english if w in text.split()], (title, text)
        assert "lignes" in text, title
    assert "classeur" in notes["hypothèses"][1][0] and notes["hypothèses"][1][1] == "hypothèses.csv"
    assert "results.total(['service', 'tier'])" in notes["par_tiers"][1][0] and "somme" in notes["par_tiers"][1][0]
    meanings = notes["hypothèses"]
    assert meanings[3] == ("colonne", "signification")
    assert [r[0] for r in meanings[4:]] == ["service", "type", "paramètre", "valeur", "unité", "origine"]
    assert "par défaut" in meanings[-1][1] and "utilisateur" in meanings[-1][1]
    back = pd.read_csv(written["xlsx:hypothèses"], keep_default_na=False, dtype=str)
    assert list(back.columns) == [r[0] for r in meanings[4:]]
    assert set(back["origine"]) == {"utilisateur", "par défaut"}
    assert back.loc[(back["service"] == "site 7") & (back["paramètre"] == "visites"), "valeur"].tolist() == ["1049"]
    described = list(book["paramètres"].iter_rows(values_only=True))
    assert described[0] == ("type", "paramètre", "unité", "description", "source")
    assert ("site web", "poids de page") in {(r[0], r[1]) for r in described[1:]}
