"""``check`` fails on any change of what a number means, re-runs with the factor choice actually used, and
discloses overrides. The checksum is verified against an independent computation (results_json_oracle: hashlib
on the documented definition)."""

from __future__ import annotations

import copy
import json

import pytest
from results_json_oracle import reseal

from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_DIFFERENCES, EXIT_OK, example_path, main
from lca_numerique.inventory import inventory_from_text, load_inventory
from lca_numerique.report import FactorChoice, ResultsFileError, check_results_file, write_report


@pytest.fixture(scope="module")
def possession(tmp_path_factory):
    """The demo with ``--profile possession``: its own check rejected it (21 differences) before."""
    out = tmp_path_factory.mktemp("possession") / "report"
    assert main(["demo", "--profile", "possession", "--out", str(out), "--format", "json"]) == EXIT_OK
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def check(document: dict, tmp_path, **options):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return check_results_file(path, **options)


def test_demo_with_another_profile_passes_its_own_check(possession, tmp_path):
    assert possession["factor_choice"]["profile"] == "possession"
    default = load_inventory(example_path()).load_factors()
    assert possession["outputs"]["provenance"]["factor_set_hash"] != default.content_hash  # not the default
    assert possession["checksum"] == reseal(possession)["checksum"]
    report = check(possession, tmp_path)
    assert report.ok, report.differences


def set_unit(d):
    d["outputs"]["units"]["climate_change"] = "t CO2 eq"


def set_kind(d):
    d["outputs"]["kinds"][0] = "video"


def set_campaign(d):
    d["outputs"]["campaigns"][0] = "Autre campagne"


def set_licence(d):
    d["outputs"]["provenance"]["factor_set_licence"] = "CC0-1.0"


def set_title(d):
    d["outputs"]["provenance"]["factor_set_title"] = "Official ADEME factors"


def set_organisation(d):
    d["outputs"]["report"]["organisation"] = "Another city"


def set_basis(d):
    name = next(iter(d["outputs"]["report"]["basis"]))
    d["outputs"]["report"]["basis"][name] = "measured by Matomo"


def set_illustrative(d):
    d["outputs"]["report"]["illustrative"] = False


def set_hash(d):
    d["outputs"]["provenance"]["factor_set_hash"] = "0" * 64


def set_profile(d):
    d["factor_choice"]["profile"] = "default"


def set_overrides(d):
    d["overrides"] = []
    d["factor_choice"]["parameters"] = {}


EDITS = [set_unit, set_kind, set_campaign, set_licence, set_title, set_organisation, set_basis, set_illustrative,
         set_hash, set_profile]


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__)
def test_any_change_of_meaning_fails_the_check_even_resealed(possession, tmp_path, edit):
    document = copy.deepcopy(possession)
    edit(document)
    report = check(reseal(document), tmp_path)
    assert not report.ok
    assert not any("checksum" in d for d in report.differences)  # found by the re-run, not by the checksum


def test_an_edit_without_resealing_breaks_the_checksum(possession, tmp_path):
    document = copy.deepcopy(possession)
    set_unit(document)
    differences = check(document, tmp_path).differences
    assert any("checksum" in d for d in differences) and any(d.startswith("units:") for d in differences)


@pytest.mark.parametrize("field", ["organisation", "illustrative", "notes"])
def test_an_edit_of_the_inputs_breaks_the_checksum(possession, tmp_path, field):
    document = copy.deepcopy(possession)
    document["inputs"][field] = {"organisation": "Another city", "illustrative": False, "notes": "real data"}[field]
    assert any("checksum" in d for d in check(document, tmp_path).differences)


def test_a_library_version_change_needs_the_flag_and_is_recorded(possession, tmp_path):
    document = copy.deepcopy(possession)
    document["outputs"]["provenance"]["library_version"] = "0.0.1"
    document = reseal(document)
    report = check(document, tmp_path)
    assert any("library version 0.0.1 then" in d for d in report.differences)
    allowed = check(document, tmp_path, allow_version_change=True)
    assert allowed.ok, allowed.differences
    assert any("0.0.1" in n and "--allow-version-change" in n for n in allowed.notes)
    path = tmp_path / "results.json"
    assert main(["check", str(path)]) == EXIT_DIFFERENCES
    assert main(["check", str(path), "--allow-version-change"]) == EXIT_OK


def test_overrides_are_recorded_disclosed_and_rechecked(tmp_path):
    inventory = inventory_from_text("""\
organisation: Ville test
factors: {profile: default, parameters: {smartphone.lifetime: 4 year}}
services:
  - {kind: website, name: site, visits: 1000, page_weight: 1 MB}
""", "test.yaml")
    choice = FactorChoice.of(inventory)
    written = write_report(inventory.evaluate(), inventory, tmp_path / "r", ["json", "xlsx"])
    document = json.loads(written["json"].read_text(encoding="utf-8"))
    assert document["factor_choice"]["parameters"] == {"smartphone.lifetime": "4 year"}
    [row] = document["overrides"]
    assert row["what"] == "parameter" and row["name"] == "smartphone.lifetime" and row["value"] == "4 year"
    bundled = choice.load().parameters  # with the override applied
    assert row["bundled value"] is not None and row["bundled value"] != str(bundled["smartphone.lifetime"].value)
    from openpyxl import load_workbook

    sheet = list(load_workbook(written["xlsx"])["overrides"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("what", "name", "value") and sheet[1][:3] == ("parameter", "smartphone.lifetime", "4 year")
    assert check_results_file(written["json"]).ok
    set_overrides(document)
    assert not check(reseal(document), tmp_path).ok  # the numbers and the hash move without the override


def test_results_computed_with_other_factors_than_recorded_are_refused(tmp_path):
    from lca_numerique.factors import load_factors

    inventory = load_inventory(example_path())
    results = inventory.evaluate(load_factors("possession"))
    with pytest.raises(ValueError, match="factor choice"):
        write_report(results, inventory, tmp_path / "r", ["json"])
    assert not (tmp_path / "r").exists()
    write_report(results, inventory, tmp_path / "r", ["json"], choice=FactorChoice.of(inventory, profile="possession"))
    assert check_results_file(tmp_path / "r" / "results.json").ok


@pytest.mark.parametrize("text", ["{", '{"format": "lca_numerique-results", "format_version": 99}',
                                  '{"format": "lca_numerique-results", "format_version": 2, "inputs": []}', "[1]"])
def test_a_malformed_results_file_is_a_located_input_error(tmp_path, text):
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsFileError, match=r"results\.json"):
        check_results_file(path)


def test_a_malformed_results_file_exits_with_bad_input(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text('{"format": "lca_numerique-results", "format_version": 2, "inputs": {}, "outputs": 3}',
                    encoding="utf-8")
    assert main(["check", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err and "results.json" in err


def test_a_factor_given_in_code_is_disclosed_and_check_says_it_cannot_be_rerun(tmp_path):
    inventory = inventory_from_text("""\
organisation: Ville test
services:
  - {kind: website, name: site, visits: 1000, page_weight: 1 MB}
""", "test.yaml")
    factors = inventory.load_factors().override("network.fixed@FR", "climate_change", "use", "12 g CO2 eq / GB")
    written = write_report(inventory.evaluate(factors), inventory, tmp_path / "r", ["json", "xlsx"])
    document = json.loads(written["json"].read_text(encoding="utf-8"))
    assert {"what": "factor given in code", "name": "network.fixed@FR / climate_change"}.items() <= \
        document["overrides"][0].items()
    from openpyxl import load_workbook

    sheet = list(load_workbook(written["xlsx"])["overrides"].iter_rows(values_only=True))
    assert sheet[1][:2] == ("factor given in code", "network.fixed@FR / climate_change")
    report = check_results_file(written["json"])
    assert any("cannot be re-run" in d for d in report.differences)
