"""Networks, data centres, virtual CPUs and print on the mission criteria: each factor checked against the
published figures it is derived from, by a hand calculation written out here (never with the loader's own
formula), and the flows' criteria checked to share one perimeter."""

from __future__ import annotations

import math

import pytest

import lca_numerique as lca
from lca_numerique.factors import load_factor_set
from lca_numerique.services import Print

ADPE, CTUE, GWP = "resource_use_minerals_metals", "ecotoxicity_freshwater", "climate_change"

# ADEME, Évaluation de l'impact environnemental du numérique en France, January 2025 (data year 2022).
# Tableau 9 p.16: national totals for one year of French usage.
TOTAL = {GWP: 2.95e10, ADPE: 1.15e6, CTUE: 5.33e11}  # kg CO2 eq, kg Sb eq, CTUe
# Tableau 11 p.18, percent of the national total: networks (tier 2) and data centres (tier 3)
T2_EMBODIED = {GWP: 1.8, ADPE: 5.6, CTUE: 2.9}
T2_USE = {GWP: 2.0, ADPE: 0.1, CTUE: 1.1}
T3_EMBODIED = {GWP: 16.5, ADPE: 8.4, CTUE: 15.8}
FIXED_FR_G_PER_GB = 9.26934695867389  # Impact CO2 'transmission par défaut . facteur réseau fixe FR'
# Impact CO2 server lot: (748000 + 0.0358 x 355000 + 1.468 x 367000 + 0.286 x 41200 + 0.68 x 187000 x 5/25) g
# over 5 years x 365 d x 24 h
LOT_G_PER_SERVER_HOUR = 1336680.2 / 43800


def _phase_sum(fs, flow, criterion):
    return sum(f.value for p in ("manufacturing", "distribution", "use", "end_of_life")
               if (f := fs.factor(flow, criterion, p)) is not None)


@pytest.fixture(scope="module")
def default():
    return lca.load_factors()


def test_network_ctue_per_gb_from_the_ademe_2025_tier_ratios(default):
    # 9.269 g/GB x (2.9 % x 5.33e11 CTUe) / ((1.8 + 2.0) % x 2.95e10 kg) = 0.12781 CTUe/GB embodied,
    # 9.269 g/GB x (1.1 % x 5.33e11) / (3.8 % x 2.95e10) = 0.048481 CTUe/GB in use
    kg = FIXED_FR_G_PER_GB / 1000
    embodied = kg * 0.029 * 5.33e11 / (0.038 * 2.95e10)
    use = kg * 0.011 * 5.33e11 / (0.038 * 2.95e10)
    assert embodied == pytest.approx(0.12781, rel=1e-4) and use == pytest.approx(0.048481, rel=1e-4)
    assert default.factor("network.fixed@FR", "CTUe", "manufacturing").value == pytest.approx(embodied, rel=1e-9)
    assert default.factor("network.fixed@FR", "CTUe", "use").value == pytest.approx(use, rel=1e-9)


def test_network_ctue_to_climate_ratio_matches_negaoctet_based_national_data(default):
    # ADEME 2025, networks: (4.0 % x 5.33e11 CTUe) / (3.8 % x 2.95e10 kg CO2 eq) = 19.02 CTUe per kg CO2 eq.
    # The data before this set had 0.41 (no embodied CTUe); the target is within 2x of the published ratio.
    published = 0.040 * 5.33e11 / (0.038 * 2.95e10)
    assert published == pytest.approx(19.02, rel=1e-3)
    for flow in ("network.fixed@FR", "network.mobile@FR", "network.fixed_without_box@FR"):
        ratio = _phase_sum(default, flow, "CTUe") / _phase_sum(default, flow, "GWP")
        assert published / 2 <= ratio <= published * 2, flow


def test_network_climate_total_is_kept_and_split_by_phase(default):
    kg = FIXED_FR_G_PER_GB / 1000
    assert _phase_sum(default, "network.fixed@FR", "GWP") == pytest.approx(kg, rel=1e-12)
    assert default.factor("network.fixed@FR", "GWP", "manufacturing").value == pytest.approx(kg * 1.8 / 3.8)
    assert default.factor("network.fixed@FR", "GWP", "use").value == pytest.approx(kg * 2.0 / 3.8)
    # every mission criterion of the network now comes from one set: one perimeter
    for criterion in (GWP, ADPE, CTUE):
        assert default.selection[("network.fixed@FR", criterion)] == "ademe_numerique_2025"


def test_network_use_phase_ctue_agrees_with_french_electricity_derived_from_the_same_report(default):
    # Independent route: ADEME 2025 terminals' use phase is their electricity only: 2.9 % of 5.33e11 CTUe over
    # 63.9 % of 6.48e10 kWh (Tableau 10, final energy) = 0.3733 CTUe/kWh; x 0.103 kWh/GB (Base Empreinte
    # 2023, fixed network with box) = 0.0385 CTUe/GB, against 0.0485 from the network tier ratio.
    electricity = 0.029 * 5.33e11 / (0.639 * 6.48e10)
    assert electricity == pytest.approx(0.3733, rel=1e-3)
    # and the same route gives climate 7.5 % x 2.95e10 / (0.639 x 6.48e10) = 0.0534 kg/kWh, close to Base
    # Empreinte's 0.0519 for the French mix: the tier-1 use phase is indeed electricity
    climate = 0.075 * 2.95e10 / (0.639 * 6.48e10)
    assert climate == pytest.approx(0.0519, rel=0.05)
    ours = default.factor("network.fixed@FR", "CTUe", "use").value
    assert ours == pytest.approx(0.103 * electricity, rel=0.35)


def test_data_centre_equipment_shares_the_climate_factor_perimeter(default):
    # ADPe: lot x (8.4 % x 1.15e6) / (16.5 % x 2.95e10) kg Sb per kg CO2 eq = 30.518 g/h x 1.9846e-5 = 6.0566e-7
    ratio_adpe = 0.084 * 1.15e6 / (0.165 * 2.95e10)
    ratio_ctue = 0.158 * 5.33e11 / (0.165 * 2.95e10)
    assert ratio_adpe == pytest.approx(1.9846e-5, rel=1e-4) and ratio_ctue == pytest.approx(17.30, rel=1e-3)
    kg_per_hour = LOT_G_PER_SERVER_HOUR / 1000
    assert default.factor("dc.server@FR", "ADPe", "manufacturing").value == pytest.approx(kg_per_hour * ratio_adpe)
    assert default.factor("dc.server@FR", "CTUe", "manufacturing").value == pytest.approx(kg_per_hour * ratio_ctue)
    assert default.factor("dc.server@FR", "GWP", "manufacturing").value == pytest.approx(kg_per_hour)
    # storage: Impact CO2 bay 144000 g / (3.5524 x 1024 GB x 50 % x 5 y) x the same ratio
    per_gb_year = 144 / (3.5524 * 1024 * 0.5 * 5)  # kg
    assert default.factor("dc.storage@FR", "CTUe", "manufacturing").value == pytest.approx(per_gb_year * ratio_ctue)
    # the Base Empreinte server alone (3,660 kg, 48,400 CTUe) is another perimeter: it is no longer mixed in
    assert default.selection[("dc.server@FR", CTUE)] == "ademe_numerique_2025"


def test_virtual_cpu_is_the_server_lot_shared_by_the_reference_hosts_vcpus(default):
    # ADEME PCR hébergement (2025) p.57: reference server of 2 processors x 48 cores; one vCPU per core
    for criterion in (GWP, ADPE, CTUE):
        server = default.factor("dc.server@EU", criterion, "manufacturing").value
        assert default.factor("dc.vcpu@EU", criterion, "manufacturing").value == pytest.approx(server / 96)
    assert default.factor("dc.vcpu@FR", "GWP", "manufacturing").value * 1000 == pytest.approx(30.518 / 96, rel=1e-4)
    # the host's vCPU count is a parameter: a provider's own figure re-derives the factor
    own = lca.load_factors(parameters={"host.vcpus": "192 vCPU / server"})
    assert own.factor("dc.vcpu@FR", "GWP", "manufacturing").value == pytest.approx(
        default.factor("dc.vcpu@FR", "GWP", "manufacturing").value / 2)


def test_mission_criteria_cover_french_networks_servers_storage_and_vcpus(default):
    cov = default.coverage(["climate_change", "ADPe", "CTUe"]).set_index(["flow", "criterion"])["status"]
    for flow in ("network.fixed@FR", "network.mobile@FR", "network.fixed_without_box@FR",
                 "dc.server@FR", "dc.storage@FR", "dc.vcpu@FR"):
        for criterion in (GWP, ADPE, CTUE):
            assert cov[(flow, criterion)] == "covered", (flow, criterion)


def test_every_set_records_its_characterisation_method():
    import yaml

    from lca_numerique.factors import available_factor_sets, data_root

    for name in available_factor_sets():
        meta = yaml.safe_load((data_root() / name / "metadata.yaml").read_text(encoding="utf-8"))
        assert isinstance(meta.get("method"), str) and len(meta["method"]) > 20, name


def test_graphic_paper_end_of_life_follows_the_cut_off_rule():
    fs = load_factor_set("print_ademe")
    # 40 % not recycled (Citeo 2022: 60 % recycled), of which 26 % landfilled at 0.95 and 74 % incinerated at
    # 0.12 kg CO2 eq/kg (Nos Gestes Climat, residual household waste); the recycled share carries no burden
    eol = 0.40 * (0.26 * 0.95 + 0.74 * 0.12)
    assert eol == pytest.approx(0.13432)
    assert fs.factor("paper.end_of_life", "GWP", "end_of_life").value == pytest.approx(eol)
    # printing: GEO Bilan Carbone 2008, 702 t printing / 1347 t paper, x 0.918 kg CO2 eq per kg of paper
    paper = 0.00458 / (0.06237 * 0.080)
    assert fs.factor("printing", "GWP", "manufacturing").value == pytest.approx(paper * 702 / 1347)


def test_a_printed_magazine_per_copy_within_published_magazine_footprints(default):
    # 32 A4 pages at 80 g/m²: 16 sheets x 0.06237 m² x 80 g = 79.8 g of paper per copy
    magazine = Print("magazine", copies=1, pages=32)
    results = lca.evaluate([magazine.bill_of_materials()], default)
    by_stage = results.total(("stage",)).set_index(["stage", "criterion"])["value"]
    per_copy = sum(by_stage[(stage, GWP)] for stage in ("paper", "printing", "end_of_life"))
    mass = 16 * 0.06237 * 0.080
    # (paper 0.918 + printing 0.478) x 1.05 (the printer's 5 % paper waste) + end of life 0.134 of the copy
    # = 1.600 kg CO2 eq per kg delivered
    assert per_copy == pytest.approx(mass * ((0.917909 + 0.478376) * 1.05 + 0.13432), rel=1e-3)
    # Published: Holmen's magazine PAPER 43 g per copy (cradle to gate); GEO 800 g; National Geographic 0.82 kg
    # (0.6-1.0) for a 12.3 oz (0.349 kg) copy, i.e. 2.35 kg per kg. Per copy ours lies in [0.043, 1.0] kg;
    # per kg it is within 2x of National Geographic's cradle-to-grave figure.
    assert 0.043 <= per_copy <= 1.0
    assert 2.35 / 2 <= per_copy / mass <= 2.35 * 2
    # printing and end of life are each a stage; end of life is no longer about half of the magazine (48.7 %)
    assert by_stage[("printing", GWP)] == pytest.approx(mass * 1.05 * 0.917909 * 702 / 1347, rel=1e-4)
    assert by_stage[("end_of_life", GWP)] == pytest.approx(mass * 0.13432, rel=1e-6)
    assert 0 < by_stage[("end_of_life", GWP)] / per_copy < 0.15
    assert results.total(("service",)).set_index("criterion").loc[GWP, "coverage"] == "complete"
    assert not math.isnan(by_stage[("end_of_life", GWP)])


def test_network_ctue_against_the_per_gb_negaoctet_row_the_issue_quoted(default):
    # The issue's "4.7 CTUe per kg CO2 eq in NegaOctet-based data" is the network row of Hubblo's storage
    # footprint (github.com/hubblo-org/impacts-saas-iaas, src/data/storage_impact.csv, France, 1 GB, network
    # tier; no licence: cited, not shipped): 0.0238 kg CO2 eq, 0.111 CTUe, 1.09e-6 kg Sb eq, 0.851 MJ of final
    # energy (= 0.236 kWh, Base Empreinte's mobile-network energy per GB). It is 1 GB over the French mobile
    # network from Base Empreinte (NegaOctet): its climate is Impact CO2's 24.68 g/GB within 4 %.
    hubblo = {GWP: 0.0238, CTUE: 0.111, ADPE: 1.09e-6}
    assert hubblo[CTUE] / hubblo[GWP] == pytest.approx(4.66, rel=1e-2)
    final_energy_kwh = 0.851 / 3.6
    assert final_energy_kwh == pytest.approx(0.236, rel=1e-2)
    flow = "network.mobile@FR"
    ours = {c: _phase_sum(default, flow, c) for c in hubblo}
    assert ours[GWP] == pytest.approx(hubblo[GWP], rel=0.04)
    # ADPe agrees within 2x (ADEME 2025 networks 5.7 % of 1.15e6 kg Sb over 3.8 % of 2.95e10 kg CO2 eq)
    assert hubblo[ADPE] / 2 <= ours[ADPE] <= hubblo[ADPE] * 2
    # CTUe does not: 0.469 against 0.111 (ratio 19.0 against 4.66). The row's CTUe per kWh, 0.111 / 0.236 =
    # 0.47, is within 30 % of French electricity's in the same database (ADEME 2025: 0.373 CTUe/kWh): the
    # per-GB row carries the network's electricity and almost no embodied CTUe, whereas ADEME's national
    # inventory puts 2.9 of the networks' 4.0 points of CTUe in manufacturing. Our use phase alone matches the
    # row within 20 %; the flow keeps ADEME's national perimeter (embodied + use), documented in the data README.
    assert hubblo[CTUE] / final_energy_kwh == pytest.approx(0.373, rel=0.3)
    use = default.factor(flow, CTUE, "use").value
    assert use == pytest.approx(hubblo[CTUE], rel=0.2)
    assert ours[CTUE] / ours[GWP] == pytest.approx(0.040 * 5.33e11 / (0.038 * 2.95e10), rel=1e-3)
    assert not hubblo[CTUE] / 2 <= ours[CTUE] <= hubblo[CTUE] * 2  # the documented perimeter difference


def test_the_disputed_high_profile_switches_each_dispute_to_its_other_side(default):
    high = lca.load_factors("disputed_high")
    # storage: Impact CO2's bay, 144 kg over 3,637.66 GB x 5 years, at its 50 % fill rate and at 10 %
    assert default.factor("dc.storage@FR", GWP, "manufacturing").value == pytest.approx(
        144 / (3637.6576 * 0.50 * 5), rel=1e-9)
    at_ten = 144 / (3637.6576 * 0.10 * 5)
    assert high.factor("dc.storage@FR", GWP, "manufacturing").value == pytest.approx(at_ten, rel=1e-9)
    # Hubblo (impacts-saas-iaas storage_impact.csv, France, 1 GB for a year): data-centre tier 0.0874 kg CO2 eq
    assert at_ten == pytest.approx(0.0874, rel=0.1)
    # French electricity ADPe: Base IMPACTS 2011 (4.85798e-8) by default, digital4better 2024 (5.5629e-7) here
    assert default.factor("electricity.terminals@FR", ADPE, "use").value == pytest.approx(4.85798e-8)
    assert high.factor("electricity.terminals@FR", ADPE, "use").value == pytest.approx(5.5629e-7)
    # French electricity CTUe: digital4better 2024 (0.0393794) by default, ADEME 2025's implied 0.373 here
    # (2.9 % of 5.33e11 CTUe over 63.9 % of 6.48e10 kWh = 0.3733)
    assert default.factor("electricity.terminals@FR", CTUE, "use").value == pytest.approx(0.0393794)
    assert high.factor("electricity.terminals@FR", CTUE, "use").value == pytest.approx(
        0.029 * 5.33e11 / (0.639 * 6.48e10), rel=2e-3)
    # nothing else moves: the network's factors are the same in both
    assert high.factor("network.fixed@FR", CTUE, "use").value == default.factor("network.fixed@FR", CTUE, "use").value
