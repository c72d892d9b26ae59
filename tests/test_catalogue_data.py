"""The flow catalogue is data: the bundled files give the flows, and a user's factor folder adds its own
devices, flow kinds and zones, end to end, with located errors."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique import flows
from lca_numerique.errors import FactorDataError
from lca_numerique.services.custom import Custom

FIXTURE = Path(__file__).parent / "fixtures" / "ereader_factors"
HEADER = "kind,tier,unit,implicit,zoned,phases,description\n"
ALL = "manufacturing distribution use end_of_life"
# Hand calculation of the fixture's factor: 167.78 kg CO2 eq per e-reader (Cleantech Group 2009) over 5 years
# (test number) of 1 hour a day (test number), a year being 365 days (the library's and ADEME's year):
# 167.78 / 1825 h.
EREADER_KG_PER_HOUR = 167.78 / (5 * 365 * 1)  # 0.0919342 kg CO2 eq per device hour


@pytest.fixture(autouse=True)
def catalogue():
    """Every test leaves the process catalogue as it found it (other tests list every flow)."""
    saved = dict(flows.FLOW_KINDS), dict(flows.ZONES), dict(flows.FLOWS)
    yield
    for target, before in zip((flows.FLOW_KINDS, flows.ZONES, flows.FLOWS), saved, strict=True):
        target.clear()
        target.update(before)


def _folder(tmp_path: Path, flow_rows: str = "", zone_rows: str | None = None, factors: str = "",
            name: str = "mine") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "metadata.yaml").write_text(
        f"id: {name}\nversion: '1'\ntitle: test\nlicence: MIT\nsources:\n"
        "  t: {title: 'lca_numerique tests: TEST NUMBERS, not a source', licence: MIT}\n", encoding="utf-8")
    (folder / "flows.csv").write_text(HEADER + flow_rows, encoding="utf-8")
    if zone_rows is not None:
        (folder / "zones.csv").write_text("zone,name\n" + zone_rows, encoding="utf-8")
    (folder / "factors.csv").write_text(
        "flow,criterion,phase,value,formula,unit,source,locator,year,geography,licence,confidence,uncertainty,note\n"
        + (factors or "electricity.terminals@FR,climate_change,use,0.05,,kg CO2 eq / kWh,t,test,2026,FR,MIT,low,,"
                      "TEST NUMBER\n"), encoding="utf-8")
    return folder


# -- the bundled catalogue --------------------------------------------------------------------------------------
def test_bundled_files_are_the_catalogue():
    kinds_file, zones_file = flows.catalogue_files()
    with kinds_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with zones_file.open(encoding="utf-8", newline="") as handle:
        zones = [r["zone"] for r in csv.DictReader(handle)]
    # an earlier test may have added a user folder's kinds and zones to the process's catalogue
    assert zones == ["FR", "EU", "WORLD", "US", "CN"] == [z for z in flows.ZONES if z in flows.BUNDLED_IDS]
    assert [r["kind"] for r in rows] == [k for k in flows.FLOW_KINDS if k in flows.BUNDLED_IDS]
    zoned = sum(r["zoned"] == "yes" for r in rows)
    # 18 zoned kinds (with dc.storage_provisioned) and 5 without a zone (with post.delivery)
    assert len(flows.BUNDLED_FLOWS) == zoned * len(zones) + (len(rows) - zoned) == 18 * 5 + 5
    # a few flows as the catalogue has always defined them
    assert flows.FLOWS["dc.storage@EU"][:5] == ("dc.storage@EU", "dc.storage", "EU", "data_centres", "GB_stored * year")
    assert flows.FLOWS["dc.storage@EU"].phases == ("manufacturing", "distribution", "end_of_life") == flows.EMBODIED
    assert flows.FLOWS["device.tv@CN"].implicit == "device" and flows.FLOWS["device.tv@CN"].unit == "device_hour"
    assert flows.FLOWS["electricity.networks@WORLD"].phases == ("use",)
    assert flows.FLOWS["paper.end_of_life"].zone is None and flows.FLOWS["paper.end_of_life"].phases == ("end_of_life",)
    assert flows.FLOWS["freight.road"].unit == "tonne * km"


def test_import_reads_the_catalogue_without_pint():
    code = ("import sys, lca_numerique.flows as f; assert 'pint' not in sys.modules and 'pandas' not in sys.modules;"
            "print(len(f.FLOWS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "95"  # 18 zoned kinds x 5 zones + 5


def test_cache_keeps_one_compiled_set_per_catalogue(tmp_path, monkeypatch):
    """A set's ``@*`` rows expand over the zones known when it loads: a zone added by a user's folder gives
    the bundled sets rows in that zone, never read back from a file compiled without it (nor the reverse)."""
    from lca_numerique.factors import loader

    monkeypatch.setenv("LCA_NUMERIQUE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LCA_NUMERIQUE_NO_CACHE", raising=False)
    loader._load_cached.cache_clear()  # a set an earlier test loaded in this process is not written again
    before = flows.catalogue_key()
    loader._load_cached.cache_clear()  # a set loaded by an earlier test would not be compiled to this cache
    plain = lca.load_factor_set("impactco2")
    assert not any(f.endswith("@NO") for f in plain.flows)
    folder = _folder(tmp_path, zone_rows="NO,Norway\n")
    flows.register_folder(folder)
    assert flows.catalogue_key() != before
    loader._load_cached.cache_clear()  # as a new process would: only the compiled files remain
    with_zone = lca.load_factor_set("impactco2")
    assert "device.smartphone@NO" in with_zone.flows
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2


# -- a user's folder ------------------------------------------------------------------------------------------
def test_user_device_works_end_to_end(tmp_path):
    from lca_numerique.flows import BUNDLED_IDS

    # not bundled: the folder adds it (lca.FLOWS may hold it already, when another test registered the folder)
    assert "device.ereader@FR" not in BUNDLED_IDS
    factors = lca.load_factors(extra_sets=[FIXTURE])
    assert {"device.ereader@FR", "device.ereader@CN"} <= set(lca.FLOWS)
    assert lca.get_flow("device.ereader@FR").tier == "terminals"
    factor = factors.factors[("device.ereader@FR", "climate_change", "manufacturing")]
    assert factor.value == pytest.approx(EREADER_KG_PER_HOUR, rel=1e-9)
    assert factor.provenance.source == "cleantech2009"

    # 1,000 readers reading 3 hours each: 3,000 device-hours x 0.0919342 kg = 275.80 kg, 0.27580 kg per reader
    service = Custom("library e-readers", audience_size="1000 reader",
                     lines=[{"flow": "device.ereader@FR", "amount": "1000 * 3 h", "stage": "receiver_device",
                             "source": "loan records"}])
    results = lca.evaluate([service.bill_of_materials()], factors)
    total = results.total("service").set_index("criterion").loc["climate_change"]
    assert total["value"] == pytest.approx(3000 * EREADER_KG_PER_HOUR, rel=1e-9)
    assert str(total["coverage"]) == "complete"  # the source's whole-life figure includes the other phases
    per = results.per_audience().set_index("criterion").loc["climate_change"]
    assert per["value"] == pytest.approx(3 * EREADER_KG_PER_HOUR, rel=1e-9) and per["per"] == "per reader"
    # other criteria: the folder gives none, so they are not covered (NaN), never 0
    other = results.total("service").set_index("criterion").loc["resource_use_minerals_metals"]
    assert np.isnan(other["value"]) and str(other["coverage"]) == "not covered"
    assert "device.ereader@FR" in service.explain()
    from lca_numerique.montecarlo import monte_carlo

    draws = monte_carlo([service], factors, samples=200, seed=1).summary(["climate_change"]).iloc[0]
    assert draws["p2.5"] < total["value"] < draws["p97.5"]  # the declared "low" confidence: a wide lognormal
    assert draws["p97.5"] / draws["p2.5"] > 5


def test_inventory_with_a_user_folder(tmp_path):
    inventory_file = tmp_path / "inventory.yaml"
    inventory_file.write_text(
        f"organisation: test library\nfactors: {{extra_sets: ['{FIXTURE}']}}\n"
        "services:\n  - kind: custom\n    name: e-readers\n    audience_size: 200 reader\n    lines:\n"
        "      - {flow: device.ereader@FR, amount: 400 h, stage: receiver_device, source: loans}\n",
        encoding="utf-8")
    inventory = lca.load_inventory(inventory_file)
    results = inventory.evaluate()
    value = results.total("service").set_index("criterion").loc["climate_change", "value"]
    assert value == pytest.approx(400 * EREADER_KG_PER_HOUR, rel=1e-9)
    inventory.to_yaml(tmp_path / "again.yaml")  # written back and read again: the same factor choice
    again = lca.load_inventory(tmp_path / "again.yaml")
    assert again.factors == inventory.factors
    from lca_numerique.report import write_report

    written = write_report(results, inventory, tmp_path / "report", formats=["csv", "html"])
    assert written["csv"].is_file() and "e-readers" in written["html"].read_text(encoding="utf-8")


def test_command_line_assesses_and_checks_an_inventory_with_a_user_flow(tmp_path, capsys):
    from lca_numerique.cli import main

    inventory_file = tmp_path / "inventory.yaml"
    inventory_file.write_text(
        "organisation: test library\nfactors: {extra_sets: [ereader]}\nservices:\n  - kind: custom\n"
        "    name: e-readers\n    audience_size: 200 reader\n    lines:\n"
        "      - {flow: device.ereader@FR, amount: 400 h, stage: receiver_device, source: loans}\n",
        encoding="utf-8")
    shutil.copytree(FIXTURE, tmp_path / "ereader")  # a folder beside the inventory, named relative to it
    out = tmp_path / "report"
    assert main(["assess", str(inventory_file), "--out", str(out), "--format", "json,csv"]) == 0
    # 400 device-hours x 0.0919342 kg / 200 readers = 0.183868 kg = 184 g per reader
    assert "184 g CO2e" in capsys.readouterr().out.replace("\u00a0", " ")
    assert main(["check", str(out / "results.json")]) == 0  # re-run: the same numbers with the user's flow


def test_user_zone_gives_every_zoned_kind_in_it(tmp_path):
    folder = _folder(tmp_path, zone_rows="NO,Norway\n", factors=(
        "electricity.terminals@NO,climate_change,use,0.02,,kg CO2 eq / kWh,t,test,2026,NO,MIT,low,,TEST NUMBER\n"))
    factors = lca.load_factors(extra_sets=[folder])
    assert lca.flows.ZONES["NO"] == "Norway"
    assert {"device.smartphone@NO", "network.mobile@NO", "dc.server@NO"} <= set(lca.FLOWS)
    assert "paper@NO" not in lca.FLOWS
    service = Custom("app in Norway", audience_size="10 user", lines=[
        {"flow": "electricity.terminals@NO", "amount": "50 kWh", "stage": "other", "source": "meter"},
        {"flow": "device.smartphone@NO", "amount": "10 h", "stage": "other", "source": "survey"}])
    total = lca.evaluate([service.bill_of_materials()], factors).total("service").set_index("criterion")
    # 50 kWh x 0.02 kg (test number) = 1 kg, plus the smartphone's embodied phases (bundled, any zone); its use
    # phase in Norway has no factor: the total is partial, never complete with a silent zero
    assert total.loc["climate_change", "value"] > 1.0
    assert str(total.loc["climate_change", "coverage"]) == "partial"


@pytest.mark.parametrize(("row", "where", "words"), [
    ("device.smartphone,terminals,device_hour,device,yes," + ALL + ",mine\n", "flows.csv:2:1: kind",
     "bundled kind (tier terminals, unit device_hour)"),
    ("device.reader,screens,device_hour,device,yes," + ALL + ",x\n", "flows.csv:2:2: tier", "not one of"),
    ("device.reader,terminals,reader_hour,,yes," + ALL + ",x\n", "flows.csv:2:3: unit", "reader_hour"),
    ("device.reader,terminals,device_hour,server,yes," + ALL + ",x\n", "flows.csv:2:4: implicit", "counting unit"),
    ("device.reader,terminals,device_hour,device,maybe," + ALL + ",x\n", "flows.csv:2:5: zoned", "yes"),
    ("device.reader,terminals,device_hour,device,yes,making use,x\n", "flows.csv:2:6: phases", "among"),
    ("device.reader,terminals,device_hour,device,yes," + ALL + ",\n", "flows.csv:2:7: description", "say what"),
    ("Device@FR,terminals,device_hour,device,yes," + ALL + ",x\n", "flows.csv:2:1: kind", "lower-case"),
])
def test_bad_flow_rows_are_located(tmp_path, row, where, words):
    folder = _folder(tmp_path, row)
    with pytest.raises(FactorDataError) as caught:
        lca.load_factors(extra_sets=[folder])
    text = str(caught.value)
    assert f"{folder / where}" in text and words in text
    assert "device.reader@FR" not in lca.FLOWS  # nothing of a refused folder joins the catalogue


def test_columns_in_any_order_and_a_spreadsheet_byte_order_mark(tmp_path):
    folder = _folder(tmp_path)
    (folder / "flows.csv").write_text("\ufeffdescription,phases,kind,zoned,implicit,unit,tier\n"
                                      f"an e-reader,{ALL},device.reader,yes,device,device_hour,screens\n",
                                      encoding="utf-8")
    with pytest.raises(FactorDataError) as caught:  # tier is the 7th column of this file
        lca.load_factors(extra_sets=[folder])
    assert f"{folder / 'flows.csv'}:2:7: tier: tier 'screens'" in str(caught.value)
    (folder / "flows.csv").write_text("\ufeffdescription,phases,kind,zoned,implicit,unit,tier\n"
                                      f"an e-reader,{ALL},device.reader,yes,device,device_hour,terminals\n",
                                      encoding="utf-8")
    assert flows.register_folder(folder) == ("device.reader",)
    assert lca.get_flow("device.reader@EU").unit == "device_hour"


def test_zone_problems_are_located(tmp_path):
    folder = _folder(tmp_path, zone_rows="FR,France again\nno,Norway\nDE,\nDE,Germany\nDE,Deutschland\n")
    with pytest.raises(FactorDataError) as caught:
        lca.load_factors(extra_sets=[folder])
    text = str(caught.value)
    assert f"{folder / 'zones.csv'}:2:1: zone: zone 'FR' is a bundled zone" in text
    assert f"{folder / 'zones.csv'}:3:1: zone" in text and f"{folder / 'zones.csv'}:4:2: name" in text
    assert f"{folder / 'zones.csv'}:6:1: zone: zone 'DE' is already declared at {folder / 'zones.csv'}:5" in text


def test_two_folders_cannot_define_one_kind_differently(tmp_path):
    row = "device.reader,terminals,device_hour,device,yes," + ALL + ",an e-reader\n"
    first = _folder(tmp_path, row, name="first")
    same = _folder(tmp_path, row, name="same")
    other = _folder(tmp_path, row.replace(ALL, "manufacturing"), name="other")
    lca.load_factors(extra_sets=[first, same])  # the same definition twice is one kind
    with pytest.raises(FactorDataError, match=r"already declared differently at .*first.flows\.csv:2: give"):
        lca.load_factors(extra_sets=[other])


def test_custom_service_with_an_unknown_flow_says_where_flows_come_from():
    with pytest.raises(Exception, match=r"flows\.csv"):
        Custom("x", audience_size="1 user",
               lines=[{"flow": "scanner.pocket@FR", "amount": "1 h", "stage": "other", "source": "s"}])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                      min_size=7, max_size=7))
def test_any_row_is_read_or_refused_with_its_place(tmp_path_factory, cells):
    folder = _folder(tmp_path_factory.mktemp("fuzz"), "")
    with (folder / "flows.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER.strip().split(","), cells])
    try:
        added = flows.register_folder(folder)
    except FactorDataError as exc:
        assert all(str(p).startswith(str(folder / "flows.csv")) for p in exc.problems)
    else:
        assert all(a in flows.FLOW_KINDS or a in flows.ZONES for a in added)
