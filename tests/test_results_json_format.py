"""results.json format 3 read by independent means: Python's ``json`` module reads it, its cube is the results'
arrays (null where not finite), its checksum is the documented one (results_json_oracle, hashlib and numpy
only); a tiny file holds hand-calculated numbers; a version 2 file written by the previous code (a fixture)
still checks; every edit of a cell is found, by the checksum and by the re-run; malformed files are located
errors, never crashes (hypothesis)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from results_json_oracle import checksum, reseal

from lca_numerique.errors import LcaError
from lca_numerique.inventory import inventory_from_text
from lca_numerique.report import ResultsFileError, check_results_file, write_results_file
from lca_numerique.report import results_file as module

FIXTURES = Path(__file__).parent / "fixtures"
V2_FILE = FIXTURES / "results_v2" / "results.json"  # written by lca_numerique 0.1.0 before format 3 (80f00f1)
LABELS = ["complete", "partial", "not covered", "not computable: audience is zero"]

# The e-reader fixture alone: 167.78 kg CO2 eq per device over 5 years of 1 h a day (TEST NUMBERS, see its
# metadata.yaml), booked under manufacturing; the set has no ecotoxicity or resource factor (not covered).
TINY = """\
organisation: Bibliothèque test
factors: {{profile: {profile}}}
services:
  - kind: custom
    name: liseuses
    audience_size: 200 reader
    variables: {{readers: 200, hours: 3 h}}
    lines:
      - {{flow: device.ereader@FR, formula: readers * hours, stage: receiver_device, source: loan records}}
"""
KG_CO2 = 200 * 3 * 167.78 / (5 * 365 * 1)  # 600 device hours x 0.0919342 kg per hour = 55.1605 kg


def no_constant(name: str) -> None:
    pytest.fail(f"invalid JSON constant {name}")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    inventory = inventory_from_text(TINY.format(profile=FIXTURES / "ereader_factors"), "tiny.yaml")
    return write_results_file(tmp_path_factory.mktemp("tiny") / "results.json", inventory.evaluate(), inventory)


def write(document: dict, path: Path, **options) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, **options), encoding="utf-8")
    return path


def test_a_tiny_file_holds_the_hand_calculated_numbers_and_null_where_not_covered(tiny):
    document = json.loads(tiny.read_text(encoding="utf-8"), parse_constant=no_constant)
    assert document["format_version"] == 3 and document["checksum"] == checksum(document)
    outputs = document["outputs"]
    assert outputs["tiers"] == ["terminals", "networks", "data_centres", "other"]
    assert outputs["criteria"] == ["climate_change", "ecotoxicity_freshwater", "resource_use_minerals_metals"]
    assert outputs["phases"] == ["manufacturing", "distribution", "use", "end_of_life"]
    zeros, nulls = [0.0] * 4, [None] * 4
    assert outputs["values"] == [[[[pytest.approx(KG_CO2, rel=1e-12), 0.0, 0.0, 0.0], nulls, nulls],
                                  [zeros] * 3, [zeros] * 3, [zeros] * 3]]
    complete, gap = ["complete"] * 4, ["not covered"] * 4
    assert outputs["coverage"] == [[[complete, gap, gap], [complete] * 3, [complete] * 3, [complete] * 3]]
    assert outputs["audience"] == [200.0] and outputs["units"]["climate_change"] == "kg CO2 eq"
    assert check_results_file(tiny).ok


def test_a_tiny_file_edited_by_hand_names_the_cell(tiny, tmp_path):
    document = json.loads(tiny.read_text(encoding="utf-8"))
    document["outputs"]["values"][0][0][0][0] = 55.2
    differences = check_results_file(write(document, tmp_path / "results.json")).differences
    assert any("checksum" in d for d in differences)
    assert f"values[liseuses, terminals, climate_change, manufacturing]: file 55.2, re-run {KG_CO2!r}" in differences


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the infinite factor, on purpose
def test_the_file_reads_with_json_and_holds_the_results_arrays_with_null(tmp_path, monkeypatch):
    """Websites and a magazine (ecotoxicity not covered), a factor made infinite as a degenerate override once
    did, written a few services per block: the cube read by ``json`` is the results' arrays, null exactly where
    they are not finite, coverage the label of each code."""
    text = "organisation: Ville\nservices:\n  - {kind: print, name: magazine, copies: 1000, pages: 8}\n" + "".join(
        f"  - {{kind: website, name: site {i}, visits: {1000 + 7 * i}, page_weight: {0.5 + i / 10}}}\n"
        for i in range(25))
    inventory = inventory_from_text(text, "ville.yaml")
    results = inventory.evaluate()
    broken = np.array(results.factor_set.aligned_phases(results.flows, results.criteria)[0])
    broken[0, 0, 0] = np.inf
    results = dataclasses.replace(results, _factor_values=broken)
    monkeypatch.setattr(module, "BLOCK_CELLS", 3 * 208)  # 3 websites a block: 9 blocks
    path = write_results_file(tmp_path / "results.json", results, inventory)
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    outputs = json.loads(text, parse_constant=no_constant)["outputs"]
    values = np.array(outputs["values"], dtype=object)
    expected = results.values
    assert values.shape == expected.shape == (26, 4, 13, 4)
    assert np.isinf(expected).any() and np.isnan(expected).any()
    assert ((values == None) == ~np.isfinite(expected)).all()  # noqa: E711 (elementwise)
    finite = np.isfinite(expected)
    assert (values[finite].astype(float) == expected[finite]).all()  # exact: shortest text of each float64
    assert np.array(outputs["coverage"]).tolist() == np.array(LABELS)[results.coverage_codes].tolist()
    assert json.loads(text)["checksum"] == checksum(json.loads(text))


def test_the_version_2_fixture_written_by_the_old_code_still_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # its factor folder, ../ereader_factors, is read from the file's folder
    document = json.loads(V2_FILE.read_text(encoding="utf-8"))
    assert document["format_version"] == 2 and document["checksum"] == checksum(document)
    report = check_results_file(V2_FILE, allow_version_change=True)
    assert report.ok, report.differences
    (tmp_path / "ereader_factors").symlink_to(FIXTURES / "ereader_factors")
    folder = tmp_path / "copy"
    folder.mkdir()
    reformatted = write(document, folder / "results.json", indent=2)  # another tool's text, the same data
    assert check_results_file(reformatted, allow_version_change=True).ok
    document["outputs"]["coverage"][0][0][1][0] = "complete"
    differences = check_results_file(write(document, folder / "results.json"), allow_version_change=True).differences
    assert any("checksum" in d for d in differences)
    assert any(d.startswith("coverage: file has 'complete', re-run gives 'not covered' at liseuses, terminals, "
                            "ecotoxicity_freshwater, manufacturing") for d in differences)
    beyond = V2_FILE.read_text(encoding="utf-8").replace('"values":[[[[55.16054794520548', '"values":[[[[1e999')
    (folder / "results.json").write_text(beyond, encoding="utf-8")
    differences = check_results_file(folder / "results.json", allow_version_change=True).differences
    assert any("checksum" in d for d in differences)
    assert "values: not an array of numbers (Number out of range - at `$[0][0][0][0]`)" in differences


def test_a_version_1_file_still_checks(tmp_path):
    document = json.loads(V2_FILE.read_text(encoding="utf-8"))
    for key in ("checksum", "factor_choice", "overrides"):
        del document[key]
    del document["outputs"]["report"]
    document["format_version"] = 1
    document["inputs"]["factors"]["profile"] = str(FIXTURES / "ereader_factors")
    report = check_results_file(write(document, tmp_path / "results.json"), allow_version_change=True)
    assert report.ok, report.differences
    assert any("format version 1" in note for note in report.notes)


@pytest.mark.parametrize("options", [{"indent": 2}, {"ensure_ascii": True}, {"sort_keys": True, "indent": "\t"}])
def test_a_file_rewritten_by_another_tool_keeps_its_checksum(tiny, tmp_path, options):
    """The checksum is over the numbers and labels, not their text: the cube is parsed when it is not the
    writer's text, and still matches."""
    document = json.loads(tiny.read_text(encoding="utf-8"))
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document, **options), encoding="utf-8")
    report = check_results_file(path)
    assert report.ok, report.differences


def _edit(document: dict, part: str, cell: tuple[int, int, int], how: int) -> None:
    """Change one cell of the tiny file's cube: a number moved or made null, a null made 0, a label changed."""
    tier, criterion, phase = cell
    cells = document["outputs"][part][0][tier][criterion]
    if part == "coverage":
        cells[phase] = LABELS[(LABELS.index(cells[phase]) + 1 + how) % len(LABELS)]
    elif cells[phase] is None:
        cells[phase] = 0.0
    else:
        cells[phase] = None if how == 0 else cells[phase] * 1.001 + how * 1e-3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(part=st.sampled_from(["values", "coverage"]), tier=st.integers(0, 3), criterion=st.integers(0, 2),
       phase=st.integers(0, 3), how=st.integers(0, 2), resealed=st.booleans())
def test_every_edit_of_a_cell_is_found(tiny, tmp_path, part, tier, criterion, phase, how, resealed):
    document = json.loads(tiny.read_text(encoding="utf-8"))
    _edit(document, part, (tier, criterion, phase), how)
    if resealed:
        document = reseal(document)
    differences = check_results_file(write(document, tmp_path / "results.json")).differences
    assert any("checksum" in d for d in differences) != resealed
    outputs = document["outputs"]
    where = ", ".join(["liseuses", outputs["tiers"][tier], outputs["criteria"][criterion], outputs["phases"][phase]])
    assert any(d.startswith(f"{part}[{where}]") or (d.startswith("coverage: file has") and d.endswith(where))
               for d in differences), differences


@pytest.mark.parametrize(("part", "cell", "message"), [
    ("values", "1.5", "values: not an array of numbers (Expected `float | null`, got `str` - at `$[0][0][0][1]`)"),
    ("values", True, "values: not an array of numbers (Expected `float | null`, got `bool` - at `$[0][0][0][1]`)"),
    ("coverage", "done", "coverage: not an array of coverage labels (Invalid enum value 'done' - at `$[0][0][0][1]`)"),
])
def test_a_cell_of_the_wrong_type_is_located(tiny, tmp_path, part, cell, message):
    document = json.loads(tiny.read_text(encoding="utf-8"))
    document["outputs"][part][0][0][0][1] = cell
    assert message in check_results_file(write(document, tmp_path / "results.json")).differences


@pytest.mark.parametrize(("text", "where"), [
    ('{"format": "lca_numerique-results",\n "format_version": 3,\n "inputs": {]}',
     r"results\.json:3:13: not valid JSON"),  # the 13th character of line 3
    ('{"format": "lca_numerique-results", "format_version": 3, "inputs": 1e999}', r"'inputs' cannot be read"),
    ('{"format": "lca_numerique-results", "format_version": true}', r"format_version True"),
    ('{"format": "lca_numerique-results", "format_version": 3, "inputs": {}, "outputs": []}',
     r"'outputs' is missing or not a mapping"),
    ("", r"results\.json:1:1: not valid JSON"),
    ('{"format": "lca_numerique-results",\n', r"results\.json:2:1: not valid JSON: Input data was truncated"),
])
def test_a_malformed_file_is_a_located_error(tmp_path, text, where):
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError, match=where):
        check_results_file(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_results_file(tiny, tmp_path, data):
    """Bytes of the tiny file replaced, deleted or inserted: ``check`` reads it or refuses it with a located
    error of the library, and passes only if it still reads as the same document."""
    original = tiny.read_bytes()
    text = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text) - 1))
        change = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        byte = data.draw(st.binary(min_size=1, max_size=1) | st.sampled_from([b"0", b" ", b"\"", b"[", b"9"]))
        text[at:at + (change != "insert")] = b"" if change == "delete" else byte
    path = tmp_path / "results.json"
    path.write_bytes(bytes(text))
    try:
        report = check_results_file(path)
    except LcaError as exc:
        assert str(exc)
        return
    if report.ok:
        assert json.loads(bytes(text)) == json.loads(original)
