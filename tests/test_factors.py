"""Factor sets: the bundled Impact CO2 set reproduces its source, and the loader is strict."""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.errors import FactorDataError
from lca_numerique.factors import available_factor_sets, canonical_factor_unit


def _g(fs: lca.FactorSet, flow: str, phase: str) -> float:
    return fs.factor(flow, "climate_change", phase).value * 1000  # kg -> g


def test_bundled_sets_are_listed():
    assert "impactco2" in available_factor_sets()


def test_smartphone_hour_reproduces_impactco2(impactco2):
    # (77.0 + 2.27 + 0.246) kg over 2.5 years x 365 d x 3 h/day = 79.516 kg / 2737.5 h = 29.047 g per hour
    embodied = sum(_g(impactco2, "device.smartphone@FR", p) for p in ("manufacturing", "distribution", "end_of_life"))
    assert embodied == pytest.approx(79_516 / 2737.5, rel=1e-12)
    assert embodied == pytest.approx(29.05, abs=0.005)
    # use: 4.5 W x 1 h x 0.0519 kg/kWh = 0.23355 g; in Europe 4.5 W x 410.4 g/kWh = 1.8468 g
    assert _g(impactco2, "device.smartphone@FR", "use") == pytest.approx(0.23355, rel=1e-12)
    assert _g(impactco2, "device.smartphone@EU", "use") == pytest.approx(1.8468, rel=1e-12)


def test_tv_hour_reproduces_impactco2(impactco2):
    # (325 + 3.26 + 11.9) kg / (8 y x 365 d x 3 h/day = 8760 h) = 38.831 g per hour
    embodied = sum(_g(impactco2, "device.tv@FR", p) for p in ("manufacturing", "distribution", "end_of_life"))
    assert embodied == pytest.approx(340_160 / 8760, rel=1e-12)


def test_network_factors_are_those_of_the_model(impactco2):
    assert _g(impactco2, "network.fixed@FR", "use") == pytest.approx(9.26934695867389, rel=1e-12)
    assert _g(impactco2, "network.mobile@FR", "use") == pytest.approx(24.6836791969497, rel=1e-12)
    assert _g(impactco2, "network.mobile@EU", "use") == pytest.approx(96.0097311973246, rel=1e-12)


def test_derived_factor_keeps_its_chain(impactco2):
    f = impactco2.factor("device.laptop@FR", "climate_change", "manufacturing")
    assert f.formula == "laptop.fabrication / (laptop.lifetime * laptop.daily_use)"
    assert [p.name for p in f.inputs] == ["laptop.fabrication", "laptop.lifetime", "laptop.daily_use"]
    assert "acv . ordinateur portable . carbone . fabrication" in f.explain()


def test_every_row_is_sourced(impactco2):
    table = impactco2.to_dataframe()
    for column in ("source", "locator", "geography", "licence"):
        assert (table[column].str.len() > 0).all(), column
    assert (table["year"] > 2000).all()


def test_missing_criteria_are_missing_not_zero(impactco2):
    cov = impactco2.coverage()
    gwp = cov[cov.criterion == "climate_change"].set_index("flow")
    # Impact CO2 has no world electricity mix: a device used "anywhere" lacks its use phase in this set alone
    # (the default profile fills it from another set), so it is partial, not covered with a use phase of 0.
    world_devices = {f for f in gwp.index if f.startswith("device.") and f.endswith("@WORLD")}
    assert len(world_devices) == 7
    assert set(gwp.loc[sorted(world_devices), "status"]) == {"partial"}
    assert "use" not in gwp.loc["device.tv@WORLD", "phases"]
    assert set(gwp.drop(index=sorted(world_devices))["status"]) == {"covered"}
    assert set(cov.loc[cov.criterion == "ecotoxicity_freshwater", "status"]) == {"missing"}
    assert not impactco2.covered[:, impactco2.criteria.index("resource_use_minerals_metals")].any()


def test_values_are_read_only(impactco2):
    with pytest.raises(ValueError):
        impactco2.values[0, 0, 0] = 1.0


def test_hash_is_stable_and_content_sensitive(write_set, tmp_path):
    rows = [{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "10", "unit": "g CO2e/GB"}]
    first = lca.load_factor_set(write_set(rows, name="a")).content_hash
    again = lca.load_factor_set(write_set(rows, name="b")).content_hash
    rows[0]["value"] = "11"
    changed = lca.load_factor_set(write_set(rows, name="c")).content_hash
    assert first == again != changed


def test_units_are_converted_at_load(write_set):
    rows = [
        {"flow": "network.fixed@FR", "criterion": "climate_change", "phase": "use", "value": "10", "unit": "g CO2e/MB"},
        {"flow": "dc.storage@FR", "criterion": "ADPe", "phase": "manufacturing", "value": "2",
         "unit": "mg Sb eq / (TB stored * year)"},
    ]
    fs = lca.load_factor_set(write_set(rows))
    assert fs.factor("network.fixed@FR", "climate_change", "use").value == pytest.approx(10.0)  # kg/GB
    assert fs.factor("dc.storage@FR", "ADPe", "manufacturing").value == pytest.approx(2e-9)  # kg Sb / GB-year
    assert canonical_factor_unit("dc.storage@FR", "ADPe") == "kg Sb eq / (GB_stored * year)"


def test_uncertainty_is_converted_with_the_value(write_set):
    rows = [{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "10", "unit": "g CO2e/GB",
             "uncertainty": "triangular low=5 high=20"}]
    f = lca.load_factor_set(write_set(rows)).factor("network.fixed@FR", "GWP", "use")
    assert f.distribution.param("low") == pytest.approx(0.005)
    assert f.distribution.param("high") == pytest.approx(0.020)


def test_loader_reports_every_problem_with_file_and_line(write_set):
    good = {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "10", "unit": "g CO2e/GB"}
    rows = [
        good,
        {**good, "flow": "network.fixd@FR"},                           # line 3: unknown flow
        {**good, "criterion": "happiness"},                             # line 4: unknown criterion
        {**good, "phase": "recycling"},                                 # line 5: unknown phase
        {**good, "flow": "network.mobile@FR", "unit": "g CO2e/flurb"},  # line 6: unparsable unit
        {**good, "flow": "network.mobile@EU", "unit": "g CO2e/h"},      # line 7: wrong dimension
        good,                                                           # line 8: duplicate of line 2
        {**good, "flow": "network.fixed@EU", "source": ""},             # line 9: missing source
        {**good, "flow": "dc.storage@FR", "unit": "g CO2e/(GB_stored*year)", "licence": ""},  # line 10
        {**good, "flow": "network.mobile@FR", "phase": "manufacturing", "value": "abc"},       # line 11
        {**good, "flow": "network.fixed@FR", "phase": "manufacturing", "uncertainty": "gaussian sd=1"},  # 12
        {**good, "flow": "network.fixed@FR", "phase": "end_of_life", "value": "", "formula": "x * 2"},   # 13
    ]
    folder = write_set(rows)
    with pytest.raises(FactorDataError) as info:
        lca.load_factor_set(folder)
    problems = info.value.problems
    expected = {3: "did you mean 'network.fixed@FR'", 4: "unknown criterion 'happiness'", 5: "unknown phase",
                6: "flurb", 7: "must be in kg CO2 eq per GB", 8: "duplicate factor", 9: "'source' is empty",
                10: "'licence' is empty", 11: "not a number", 12: "unknown distribution", 13: "undeclared parameter"}
    for line, fragment in expected.items():
        matching = [p for p in problems if f"factors.csv:{line}:" in p]
        assert matching, f"no problem reported for line {line}: {problems}"
        assert any(fragment in p for p in matching), (line, matching)
    assert len(problems) == len(expected)


def test_source_must_be_declared_and_metadata_complete(write_set):
    rows = [{"flow": "network.fixed@FR", "criterion": "GWP", "phase": "use", "value": "1", "unit": "g CO2e/GB",
             "source": "nowhere"}]
    folder = write_set(rows, metadata="id: x\nversion: '1'\nsources: {}\n")
    with pytest.raises(FactorDataError) as info:
        lca.load_factor_set(folder)
    text = str(info.value)
    assert "'title' is missing" in text and "'licence' is missing" in text
    assert "source 'nowhere' is not declared" in text


def test_formula_factors_are_unit_checked(write_set):
    params = [{"name": "box.power", "value": "8", "unit": "W / device"},
              {"name": "grid", "value": "50", "unit": "g CO2e / kWh"}]
    ok = [{"flow": "device.box@FR", "criterion": "GWP", "phase": "use", "formula": "box.power * grid",
           "unit": "g CO2e / device_hour"}]
    fs = lca.load_factor_set(write_set(ok, params, name="ok"))
    assert fs.factor("device.box@FR", "GWP", "use").value == pytest.approx(8 * 50 / 1000 / 1000)  # kg / device-h
    bad = [{**ok[0], "formula": "box.power + grid"}]
    with pytest.raises(FactorDataError, match=r"factors\.csv:2"):
        lca.load_factor_set(write_set(bad, params, name="bad"))


def test_aligned_marks_unknown_flows_uncovered(impactco2):
    values, covered, complete = impactco2.aligned(["network.fixed@FR", "paper"], ["climate_change", "land_use"])
    assert (complete == covered).all()
    assert values.shape == (2, 2, 4)
    assert covered.tolist() == [[True, False], [False, False]]
    assert np.all(values[1] == 0)


def test_unknown_set_name_is_a_clear_error():
    with pytest.raises(FactorDataError, match="no factor set 'nope'"):
        lca.load_factors("nope")


def test_formula_names_do_not_evaluate():
    from lca_numerique.derivation import formula_names

    assert formula_names("a.b * c / ((1 - d) * e) ** 2 - -f") == ("a.b", "c", "d", "e", "f")
    with pytest.raises(ValueError, match="not allowed"):
        formula_names("__import__('os')")


def test_a_negative_factor_needs_a_declared_credit(write_set):
    import csv

    row = {"flow": "network.fixed@FR", "criterion": "GWP", "phase": "end_of_life", "value": "-2",
           "unit": "g CO2e/GB"}
    with pytest.raises(FactorDataError, match="only a declared credit"):
        lca.load_factor_set(write_set([row], name="undeclared"))
    folder = write_set([row], name="declared")
    text = (folder / "factors.csv").read_text(encoding="utf-8").splitlines()
    with open(folder / "factors.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*next(csv.reader([text[0]])), "credit"])
        writer.writerow([*next(csv.reader([text[1]])), "yes"])
    factor = lca.load_factor_set(folder).factor("network.fixed@FR", "GWP", "end_of_life")
    assert factor.credit and factor.value == pytest.approx(-0.002)
    assert "(credit: avoided impact)" in factor.explain()


def test_package_metadata_declares_every_licence_the_data_carries():
    from pathlib import Path

    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set(project["license"].split(" AND "))
    spdx = {"MIT": "MIT", "ODbL-1.0": "ODbL-1.0",
            "ADEME Base Empreinte terms of use v1.0 (2025)": "LicenseRef-ADEME-Base-Empreinte-1.0",
            "ADEME publication, all rights reserved: figures quoted as short citations (CPI art. L122-5)":
                "LicenseRef-ADEME-short-citation",
            "fact quoted from a press report": "LicenseRef-quoted-facts",
            "fact quoted from a company web page": "LicenseRef-quoted-facts"}
    shipped = set()
    for name in available_factor_sets():
        fs = lca.load_factor_set(name)
        for factor in fs.factors.values():
            shipped |= {part.strip() for part in factor.provenance.licence.split(";")}
        shipped |= {str(src["licence"]) for src in fs.sources.values()}
    assert shipped <= set(spdx), f"licence without an SPDX id here: {shipped - set(spdx)}"
    assert {spdx[lic] for lic in shipped} | {"MIT"} == declared  # MIT: the code
    for path in project["license-files"]:
        assert (root / path).is_file(), path
