"""The bundled factor data: every set and profile loads, every row is sourced, derived values match sources."""

from __future__ import annotations

import pytest

import lca_numerique as lca
from lca_numerique.factors import available_factor_sets, available_profiles, load_factor_set

SETS = available_factor_sets()


@pytest.mark.parametrize("name", SETS)
def test_every_bundled_set_loads_and_is_sourced(name):
    fs = load_factor_set(name)  # the loader refuses unsourced rows, bad units and duplicates
    table = fs.to_dataframe()
    assert len(table) > 0
    for column in ("source", "locator", "geography", "licence", "confidence"):
        assert (table[column].astype(str).str.len() > 0).all(), column
    assert (table["year"] >= 1990).all()
    for sid, source in fs.sources.items():
        assert source.get("title") and source.get("licence"), sid
    for why in (*fs.gaps.values(), *fs.included.values()):
        assert why  # every declared gap or included phase says why or where


@pytest.mark.parametrize("name", SETS)
def test_a_set_said_to_cover_climate_change_only_has_no_other_criterion(name):
    """impactco2's description said "Climate change only" while the set also holds water consumption rows."""
    fs = load_factor_set(name)
    if "climate change only" in " ".join(fs.description.split()).lower():
        assert set(fs.to_dataframe()["criterion"]) == {"climate_change"}, name


@pytest.mark.parametrize("name", available_profiles())
def test_every_profile_loads(name):
    fs = lca.load_factors(name)
    assert fs.id == name and fs.components


def test_possession_time_allocation_divides_embodied_by_24_hours_a_day():
    usage, possession = lca.load_factors("default"), lca.load_factors("possession")
    for device, hours in (("smartphone", 3), ("laptop", 3), ("tv", 3), ("monitor", 4)):
        u = usage.factor(f"device.{device}@FR", "GWP", "manufacturing").value
        p = possession.factor(f"device.{device}@FR", "GWP", "manufacturing").value
        assert p == pytest.approx(u * hours / 24, rel=1e-12)
        # the use phase (power x electricity) does not depend on the allocation rule
        assert possession.factor(f"device.{device}@FR", "GWP", "use").value == pytest.approx(
            usage.factor(f"device.{device}@FR", "GWP", "use").value, rel=1e-12)


def test_impactco2_data_centre_lot_per_server_hour():
    fs = load_factor_set("impactco2")
    # (748000 + 0.0358 x 355000 + 1.468 x 367000 + 0.286 x 41200 + 0.68 x 187000 x 5/25) g over 5 x 365 x 24 h:
    # 1336680.2 g / 43800 h = 30.518 g per server-hour (Impact CO2 streaming: 1336680.2 g per server lot)
    assert fs.factor("dc.server@FR", "GWP", "manufacturing").value * 1000 == pytest.approx(1336680.2 / 43800)
    # storage bay: 144000 g / (3.5524 x 1024 Go x 50 % x 5 years), the model's Go read as GB
    per_gb_year = 144000 / (3.5524 * 1024 * 0.5 * 5)
    assert fs.factor("dc.storage@FR", "GWP", "manufacturing").value * 1000 == pytest.approx(per_gb_year)


def test_water_use_phase_is_a_declared_gap():
    fs = load_factor_set("impactco2")
    assert ("device.tv@FR", "water_consumption", "use") in fs.gaps
    assert "ecoinvent" in fs.gaps[("device.tv@FR", "water_consumption", "use")]


def test_print_factors_reproduce_their_sources():
    fs = load_factor_set("print_ademe")
    # 0.00458 kg CO2 eq per A4 sheet of 0.210 x 0.297 m at 80 g/m2 (4.99 g) = 0.918 kg per kg
    assert fs.factor("paper", "GWP", "manufacturing").value == pytest.approx(0.00458 / (0.06237 * 0.080))
    # graphic paper, cut-off: 60 % recycled (Citeo 2022) at no burden; the other 40 % in residual household
    # waste, 26 % landfilled (0.95) and 74 % incinerated (0.12) (Nos Gestes Climat)
    eol = fs.factor("paper.end_of_life", "GWP", "end_of_life").value
    assert eol == pytest.approx(0.40 * (0.26 * 0.95 + 0.74 * 0.12))
    # truck: 898.9 g per vehicle-km x 1.05 detour / (0.8 loaded x 3.5 t) + 5.6 + 2.8 g/t.km = 345.5 g/t.km
    road = sum(fs.factor("freight.road", "GWP", p).value for p in ("use", "manufacturing"))
    assert road * 1000 == pytest.approx(345.5, abs=0.05)
    # printing: GEO magazine's printing / paper emissions (702 / 1347 t, Bilan Carbone 2008) x the paper factor
    paper = 0.00458 / (0.06237 * 0.080)
    assert fs.factor("printing", "GWP", "manufacturing").value == pytest.approx(paper * 702 / 1347)
    assert fs.factor("printing", "ADPe", "manufacturing") is None  # climate only: other criteria not covered


def test_base_empreinte_devices_per_hour_of_use():
    fs = load_factor_set("base_empreinte")
    # Base Empreinte smartphone: 84 kg CO2 eq, 0.00205 kg Sb eq, 1340 CTUe embedded; 2.5 y x 365 d x 3 h = 2737.5 h
    for criterion, embodied in (("GWP", 84), ("ADPe", 0.00205), ("CTUe", 1340)):
        assert fs.factor("device.smartphone@FR", criterion, "manufacturing").value == pytest.approx(embodied / 2737.5)
    assert fs.factor("device.smartphone@FR", "CTUe", "distribution") is None
    assert ("device.smartphone@FR", "ecotoxicity_freshwater", "distribution") in fs.included
    assert ("device.smartphone@FR", "ecotoxicity_freshwater", "use") in fs.gaps  # left to the electricity sets


def test_electricity_base_impacts_derivations():
    fs = load_factor_set("electricity_base_impacts")
    # laptop 26.5 W x 1 h x 3.23443 kBq U235 eq/kWh (Base IMPACTS 2011, France)
    assert fs.factor("device.laptop@FR", "IR", "use").value == pytest.approx(0.0265 * 3.23443)
    # mobile network 0.236 kWh/GB (Base Empreinte 2023) x 4.85798e-8 kg Sb eq/kWh
    assert fs.factor("network.mobile@FR", "ADPe", "use").value == pytest.approx(0.236 * 4.85798e-8)
    assert ("network.mobile@FR", "resource_use_minerals_metals", "manufacturing") in fs.gaps


def test_default_profile_takes_each_phase_from_its_best_source():
    fs = lca.load_factors()
    adpe = "resource_use_minerals_metals"
    assert fs.factor("device.smartphone@FR", "GWP", "manufacturing").provenance.set_id == "impactco2"
    assert fs.factor("device.smartphone@FR", adpe, "manufacturing").provenance.set_id == "base_empreinte"
    assert fs.factor("device.smartphone@FR", adpe, "use").provenance.set_id == "electricity_base_impacts"
    assert fs.selection[("device.smartphone@FR", adpe)] == "base_empreinte+electricity_base_impacts"
    # networks: Impact CO2's per-GB climate figure (every phase) split by ADEME 2025's tier-2 shares, so that
    # phases mean the same for every criterion; distribution and end of life stay inside the embodied row
    assert fs.factor("network.fixed@FR", "GWP", "manufacturing").value == pytest.approx(9.26934695867389e-3 * 1.8 / 3.8)
    assert fs.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(9.26934695867389e-3 * 2.0 / 3.8)
    assert ("network.fixed@FR", "climate_change", "end_of_life") in fs.included
    assert fs.factor("network.fixed@EU", "GWP", "manufacturing") is None  # Europe: Impact CO2's aggregate only
    assert ("network.fixed@EU", "climate_change", "manufacturing") in fs.included


def test_digital4better_ctue_derivations():
    fs = load_factor_set("digital4better")
    # laptop 26.5 W x 0.0393794 CTUe/kWh (France 2024); fixed network 0.23 Wh/GB/km x 417.281 km x 0.0393794
    assert fs.factor("device.laptop@FR", "CTUe", "use").value == pytest.approx(0.0265 * 0.0393794)
    assert fs.factor("network.fixed@FR", "CTUe", "use").value == pytest.approx(0.23 * 417.281 / 1000 * 0.0393794)
    assert ("network.fixed@FR", "ecotoxicity_freshwater", "manufacturing") in fs.gaps  # negative in the source


def test_mission_criteria_reach_every_terminal_and_french_network_flow():
    fs = lca.load_factors()
    cov = fs.coverage(["climate_change", "ADPe", "CTUe"]).set_index(["flow", "criterion"])["status"]
    for device in ("smartphone", "tablet", "laptop", "desktop", "monitor", "tv"):
        for criterion in ("climate_change", "resource_use_minerals_metals", "ecotoxicity_freshwater"):
            assert cov[(f"device.{device}@FR", criterion)] == "covered", (device, criterion)


def test_documented_coverage_equals_the_data():
    import re

    from lca_numerique.factors import data_root
    from lca_numerique.factors.coverage import coverage_markdown

    readme = (data_root() / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"<!-- coverage:start -->\n(.*?)\n<!-- coverage:end -->", readme, flags=re.S).group(1)
    actual = coverage_markdown(lca.load_factors())
    assert documented == actual, (
        "data/impact_factors/README.md no longer matches the data: a gap appeared or vanished. "
        "Check the change, then paste the output of `python -m lca_numerique.factors.coverage`.")
