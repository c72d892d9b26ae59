"""Loader features used by the bundled data (wildcards, imports, overrides, declared phases) and profiles."""

from __future__ import annotations

import pytest

import lca_numerique as lca
from lca_numerique.errors import FactorDataError
from lca_numerique.factors import compose

GWP = {"criterion": "GWP", "unit": "g CO2e / device_hour"}
POWER = [{"name": "phone.power", "value": "4", "unit": "W / device"},
         {"name": "phone.embodied", "value": "60000", "unit": "g CO2e / device"},
         {"name": "phone.hours", "value": "2000", "unit": "hour"}]


def _meta(name: str, uses: str = "", licence: str = "CC0-1.0") -> str:
    return (f"id: {name}\nversion: '1'\ntitle: {name}\nlicence: {licence}\n{uses}"
            f"sources:\n  hand:\n    title: hand {name}\n    licence: {licence}\n")


def test_wildcard_rows_cover_every_zone(write_set):
    rows = [{**GWP, "flow": "device.smartphone@*", "phase": "manufacturing", "formula": "phone.embodied / phone.hours"}]
    fs = lca.load_factor_set(write_set(rows, POWER))
    zones = {flow.split("@")[1] for flow in fs.flows}
    assert zones == set(lca.flows.ZONES)
    assert fs.factor("device.smartphone@CN", "GWP", "manufacturing").value == pytest.approx(0.030)  # 30 g/h


def test_parameter_overrides_rederive_factors(write_set):
    rows = [{**GWP, "flow": "device.smartphone@FR", "phase": "manufacturing",
             "formula": "phone.embodied / phone.hours"}]
    folder = write_set(rows, POWER)
    base = lca.load_factor_set(folder)
    longer = lca.load_factor_set(folder, parameters={"phone.hours": "4000 h"})
    assert longer.factor("device.smartphone@FR", "GWP", "manufacturing").value == pytest.approx(0.015)
    assert longer.content_hash != base.content_hash
    assert longer.parameters["phone.hours"].provenance.set_id == "user"
    with pytest.raises(FactorDataError, match=r"unknown parameter\(s\) phone\.colour"):
        lca.load_factor_set(folder, parameters={"phone.colour": 3})
    with pytest.raises(FactorDataError, match="parameters"):
        lca.load_factor_set(folder, parameters={"phone.hours": "3 GB"})


def test_uses_imports_parameters_and_licences_must_follow(write_set):
    mit_power = [{**p, "licence": "MIT"} for p in POWER]
    base = write_set([{**GWP, "flow": "device.tv@FR", "phase": "use", "value": "1", "licence": "MIT"}], mit_power,
                     name="base2", metadata=_meta("base2", licence="MIT"))
    uses = f"uses: [{base}]\n"
    ok = [{**GWP, "flow": "device.smartphone@FR", "phase": "use", "formula": "phone.power * grid",
           "licence": "CC0-1.0; MIT"}]
    grid = [{"name": "grid", "value": "50", "unit": "g CO2e / kWh"}]
    fs = lca.load_factor_set(write_set(ok, grid, name="derived", metadata=_meta("derived", uses)))
    assert fs.factor("device.smartphone@FR", "GWP", "use").value == pytest.approx(0.2 / 1000)
    assert [p.provenance.set_id for p in fs.factor("device.smartphone@FR", "GWP", "use").inputs] == ["base2", "derived"]
    bad = [{**ok[0], "licence": "CC0-1.0"}]
    with pytest.raises(FactorDataError, match="must name the licences of its inputs: missing MIT"):
        lca.load_factor_set(write_set(bad, grid, name="bad", metadata=_meta("bad", uses)))


def test_declared_phases(write_set):
    rows = [
        {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "9", "unit": "g CO2e/GB"},
        *({"flow": "network.fixed@FR", "criterion": "GWP", "phase": phase, "value": "included",
           "unit": "g CO2e/GB", "note": "in the use row"}
          for phase in ("manufacturing", "distribution", "end_of_life")),
        {"flow": "network.fixed@FR", "criterion": "ADPe", "phase": "manufacturing", "value": "1",
         "unit": "mg Sb eq/GB"},
        {"flow": "network.fixed@FR", "criterion": "ADPe", "phase": "use", "value": "missing", "unit": "mg Sb eq/GB",
         "note": "no open electricity factor"},
    ]
    fs = lca.load_factor_set(write_set(rows))
    cov = fs.coverage().set_index("criterion")
    assert cov.loc["climate_change", "status"] == "covered"
    assert cov.loc["climate_change", "included"] == "manufacturing, distribution, end_of_life"
    assert cov.loc["resource_use_minerals_metals", "status"] == "partial"
    assert "use: no open electricity factor" in cov.loc["resource_use_minerals_metals", "gaps"]
    bill = lca.BillOfMaterials.build("transfer", "1 user", {"network.fixed@FR": "1 GB"})
    total = lca.evaluate([bill], fs).total().set_index("criterion")
    assert total.loc["climate_change", "coverage"] == "complete"
    assert total.loc["resource_use_minerals_metals", "coverage"] == "partial"
    assert total.loc["resource_use_minerals_metals", "value"] == pytest.approx(1e-6)
    with pytest.raises(FactorDataError, match="needs a note"):
        lca.load_factor_set(write_set([{**rows[5], "note": ""}], name="nonote"))


def test_compose_phase_by_phase(write_set):
    high = write_set([
        {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "9", "unit": "g CO2e/GB"},
        {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "manufacturing", "value": "included",
         "unit": "g CO2e/GB", "note": "aggregated in use"},
        {"flow": "device.tv@FR", "criterion": "ADPe", "phase": "use", "value": "missing", "unit": "g Sb eq/device_hour",
         "note": "no electricity ADPe"},
        {"flow": "device.tv@FR", "criterion": "ADPe", "phase": "manufacturing", "value": "2",
         "unit": "g Sb eq/device_hour"},
    ], name="high", metadata=_meta("high"))
    low = write_set([
        {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "manufacturing", "value": "7", "unit": "g CO2e/GB"},
        {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "5", "unit": "g CO2e/GB"},
        {"flow": "device.tv@FR", "criterion": "ADPe", "phase": "use", "value": "3", "unit": "g Sb eq/device_hour",
         "licence": "ODbL-1.0"},
    ], name="low", metadata=_meta("low"))
    fs = compose([lca.load_factor_set(high), lca.load_factor_set(low)], id="p")
    # GWP: use from high; manufacturing declared included by high, so low's 7 g is not added
    assert fs.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(0.009)
    assert fs.factor("network.fixed@FR", "GWP", "manufacturing") is None
    # ADPe of the TV: manufacturing from high, the gap in use filled by low
    assert fs.factor("device.tv@FR", "ADPe", "use").provenance.set_id == "low"
    assert fs.selection[("device.tv@FR", "resource_use_minerals_metals")] == "high+low"
    assert not fs.gaps
    assert [c[0] for c in fs.components] == ["high", "low"]
    # refusing ODbL leaves the gap open
    strict = compose([lca.load_factor_set(high), lca.load_factor_set(low)], id="p", accepted_licences={"cc0-1.0"})
    assert strict.factor("device.tv@FR", "ADPe", "use") is None
    assert ("device.tv@FR", "resource_use_minerals_metals", "use") in strict.gaps


def test_load_factors_with_extra_sets_and_licences(write_set, impactco2):
    mine = write_set([{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "12",
                       "unit": "g CO2e/GB", "licence": "proprietary"}], name="mine", metadata=_meta("mine"))
    fs = lca.load_factors(extra_sets=[mine])
    assert fs.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(0.012)
    assert fs.factor("network.mobile@FR", "GWP", "use").provenance.set_id == "ademe_numerique_2025"
    only_open = lca.load_factors(extra_sets=[mine], licences=["MIT", "CC0-1.0"])
    assert only_open.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(0.00926934695867389)


def test_default_profile_is_recorded_in_results():
    fs = lca.load_factors()
    assert fs.id == "default"
    bill = lca.BillOfMaterials.build("transfer", "1 user", {"network.fixed@FR": "1 GB"})
    provenance = lca.evaluate([bill], fs).provenance
    assert provenance["factor_set"] == "default"
    assert "impactco2" in provenance["factor_set_components"]


def test_unknown_profile_parameter_is_an_error():
    with pytest.raises(FactorDataError, match="unknown parameter"):
        lca.load_factors(parameters={"smartphone.colour": 1})


def test_override_one_factor_and_see_it_in_results(impactco2):
    mine = impactco2.override("network.fixed@FR", "GWP", "use", "12 g CO2 eq / GB", note="operator's 2025 report")
    assert mine.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(0.012)
    assert mine.factor("network.fixed@FR", "GWP", "use").provenance.source_title == "operator's 2025 report"
    assert mine.factor("network.mobile@FR", "GWP", "use").value == impactco2.factor(
        "network.mobile@FR", "GWP", "use").value
    assert mine.content_hash != impactco2.content_hash
    bill = lca.BillOfMaterials.build("transfer", "1 user", {"network.fixed@FR": "1 GB"})
    results = lca.evaluate([bill], mine)
    assert results.total().set_index("criterion").loc["climate_change", "value"] == pytest.approx(0.012)
    sources = results.sources().set_index(["flow", "criterion"])["set"]
    assert sources[("network.fixed@FR", "climate_change")] == "user"
    assert sources[("network.fixed@FR", "ecotoxicity_freshwater")] == "missing"
    with pytest.raises(lca.UnitError):
        impactco2.override("network.fixed@FR", "GWP", "use", "12 g CO2 eq / h")


# -- overrides are checked against declared domains and recorded (issue 11 §6) -----------------------------------

def test_an_accepted_override_is_recorded_and_rederives_factors():
    fs = lca.load_factors("impactco2", parameters={"smartphone.lifetime": "5 year"})
    assert fs.overrides == {"smartphone.lifetime": "5 year"}
    # Impact CO2: 77,000 g fabrication / (5 y x 365 d x 3 h/d = 5,475 h) = 14.0639 g per hour of use
    assert fs.factor("device.smartphone@FR", "GWP", "manufacturing").value == pytest.approx(77 / 5475, rel=1e-12)
    assert lca.load_factors("impactco2").overrides == {}
    assert lca.load_factors(parameters={"smartphone.lifetime": "5 year"}).overrides == {"smartphone.lifetime": "5 year"}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("smartphone.lifetime", -3, "outside the declared domain positive"),
    ("smartphone.lifetime", 0, "outside the declared domain positive"),
    ("smartphone.lifetime", float("nan"), "NaN"),
    ("smartphone.lifetime", float("inf"), "infinite"),
    ("smartphone.lifetime", "1e-320 year", "(with the override smartphone.lifetime = 9.99989e-321 year)"),
    ("smartphone.daily_use", "25 hour / day", "outside the declared domain (0, 24]"),
    ("storage.fill_rate", "150 %", "a share, from 0 to 1"),
    ("freight.truck.empty_ratio", 1, "outside the declared domain [0, 1)"),
    ("smartphone.lifetime", [3], "expected a number or a quantity"),
])
def test_an_override_outside_its_domain_is_refused(name, value, message):
    with pytest.raises(FactorDataError) as info:
        lca.load_factors(parameters={name: value})
    assert message in str(info.value)


def test_every_bundled_parameter_declares_its_domain_and_lies_in_it():
    import csv

    for path in sorted(lca.factors.data_root().glob("*/parameters*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert row["domain"], f"{path}: {row['name']} declares no domain"
    for name in lca.factors.available_factor_sets():
        lca.load_factor_set(name)  # the loader refuses a published value outside its own domain


def test_a_declared_value_outside_its_domain_is_refused(write_set):
    params = [{"name": "share", "value": "1.5", "unit": "dimensionless", "domain": "share"}]
    rows = [{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "formula": "share * 1 g CO2e / GB",
             "unit": "g CO2e/GB"}]
    folder = write_set(rows, params)
    with open(folder / "parameters.csv", encoding="utf-8") as handle:
        assert "domain" not in handle.readline()  # the shared writer leaves the optional column out: add it
    import csv

    with open(folder / "parameters.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*lca.factors.PARAMETER_COLUMNS, "domain"])
        writer.writeheader()
        writer.writerow({**{c: "" for c in lca.factors.PARAMETER_COLUMNS}, "source": "hand", "locator": "t",
                         "year": "2024", "geography": "FR", "licence": "CC0-1.0", "confidence": "medium", **params[0]})
    with pytest.raises(FactorDataError, match=r"parameters\.csv:2: value 1\.5 dimensionless: outside the declared "
                                              r"domain a share"):
        lca.load_factor_set(folder)


# -- open data only, one argument away (issue 11 §11) -----------------------------------------------------------

def test_open_licences_only_use_no_other_factor_and_leave_gaps_not_covered():
    open_only = lca.load_factors(licences=["MIT", "ODbL-1.0"])
    for factor in open_only.factors.values():
        assert {part.strip() for part in factor.provenance.licence.split(";")} <= {"MIT", "ODbL-1.0"}
    # Ionising radiation of a smartphone comes only from ADEME data (Base Empreinte, Base IMPACTS): not covered
    key = ("device.smartphone@FR", "ionising_radiation")
    assert lca.load_factors().factor(*key, "manufacturing") is not None
    assert key[1] not in open_only.criteria or not open_only.covered[
        open_only.flows.index(key[0]), open_only.criteria.index(key[1])]
    # Its ecotoxicity: the use phase is open (digital4better x Impact CO2 power), its manufacturing is not:
    # a declared gap, so the pair is partial, never complete with a zero manufacturing
    flow, criterion = "device.smartphone@FR", "ecotoxicity_freshwater"
    assert open_only.factor(flow, criterion, "use") is not None
    assert open_only.factor(flow, criterion, "manufacturing") is None
    assert "licence" in open_only.gaps[(flow, criterion, "manufacturing")]
    i, j = open_only.flows.index(flow), open_only.criteria.index(criterion)
    assert open_only.covered[i, j] and not open_only.complete[i, j]
    bill = lca.BillOfMaterials.build("an hour on a phone", "1 user", {flow: "1 device_hour"})
    total = lca.evaluate([bill], open_only).total().set_index("criterion")
    assert total.loc[criterion, "coverage"] != "complete"


def test_a_profile_of_yours_cannot_take_a_bundled_id(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text('id: default\nversion: "1"\ntitle: not the default\nsets: [impactco2]\n', encoding="utf-8")
    with pytest.raises(FactorDataError, match="id 'default' is the id of bundled data"):
        lca.load_factors(path)
