"""Totals by stage: a stage a service has no line in (a website's printing, a magazine's hosting) is left out of
``total(by=[..., "stage"])``, as the absent combinations of kind and campaign are, never shown as a zero; the
totals by stage still sum to the service totals.

Oracles: amounts written out here times the factor rows of the bundled data (summed over phases by hand), and the
set of (service, stage) pairs the bills written here have lines in.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.bill import Audience, BillOfMaterials, Line

PHONE, MOBILE, PAPER = "device.smartphone@FR", "network.mobile@FR", "paper"


@pytest.fixture(scope="module")
def factors() -> lca.FactorSet:
    return lca.load_factors()


def climate_per_unit(factors: lca.FactorSet, flow: str) -> float:
    """The bundled climate-change factor of ``flow``, summed over its phases (read from the data rows)."""
    return math.fsum(f.value for (fl, c, _p), f in factors.factors.items() if fl == flow and c == "climate_change")


def bills() -> list[BillOfMaterials]:
    site = BillOfMaterials("site", Audience(1000, "visit"), (Line(PHONE, 30.0, stage="visitor_device"),
                                                            Line(MOBILE, 2.0, stage="network")), kind="website")
    mag = BillOfMaterials("mag", Audience(500, "reader"), (Line(PAPER, 100.0, stage="paper"),), kind="print")
    return [site, mag]


def test_a_stage_without_lines_is_not_a_zero_row(factors):
    table = lca.evaluate(bills(), factors).total(["service", "stage"])
    climate = table[table["criterion"] == "climate_change"]
    got = {(str(s), str(g)): v for s, g, v in zip(climate["service"], climate["stage"], climate["value"], strict=True)}
    assert set(got) == {("site", "visitor_device"), ("site", "network"), ("mag", "paper")}
    assert got[("site", "visitor_device")] == pytest.approx(30.0 * climate_per_unit(factors, PHONE), rel=1e-12)
    assert got[("site", "network")] == pytest.approx(2.0 * climate_per_unit(factors, MOBILE), rel=1e-12)
    assert got[("mag", "paper")] == pytest.approx(100.0 * climate_per_unit(factors, PAPER), rel=1e-12)
    # every criterion keeps the same three pairs: none of them is dropped for being zero or not covered
    assert len(table) == 3 * len(table["criterion"].unique())


def test_groups_and_tiers_by_stage_keep_only_what_exists(factors):
    results = lca.evaluate(bills(), factors)
    by_kind = results.total(["kind", "stage"])
    pairs = set(zip(by_kind["kind"].astype(str), by_kind["stage"].astype(str), strict=True))
    assert pairs == {("website", "visitor_device"), ("website", "network"), ("print", "paper")}
    by_tier = results.total(["service", "tier", "stage"], as_frame=False)
    triples = set(zip(by_tier["service"], by_tier["tier"], by_tier["stage"], strict=True))
    assert triples == {("site", "terminals", "visitor_device"), ("site", "networks", "network"),
                       ("mag", "other", "paper")}
    per = results.per_audience(["service", "stage"])
    assert set(zip(per["service"].astype(str), per["stage"].astype(str), strict=True)) == \
        {("site", "visitor_device"), ("site", "network"), ("mag", "paper")}


FLOW_STAGES = [(PHONE, "visitor_device"), (PHONE, "viewing_device"), (MOBILE, "network"), (PAPER, "paper"),
               ("dc.storage@FR", "storage"), ("freight.road", "distribution")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(range(len(FLOW_STAGES))), st.floats(0.0, 1e4), min_size=1,
                                max_size=4), min_size=1, max_size=4))
def test_stage_rows_are_exactly_the_lines_and_sum_to_the_service_totals(factors, amounts):
    built = [BillOfMaterials(f"s{i}", Audience(10, "user"), tuple(Line(*FLOW_STAGES[j][:1], a, stage=FLOW_STAGES[j][1])
                                                                   for j, a in lines.items()))
             for i, lines in enumerate(amounts)]
    results = lca.evaluate(built, factors)
    table = results.total(["service", "stage"]).query("criterion == 'climate_change'")
    expected = {(f"s{i}", FLOW_STAGES[j][1]) for i, lines in enumerate(amounts) for j, a in lines.items() if a > 0}
    assert set(zip(table["service"].astype(str), table["stage"].astype(str), strict=True)) == expected
    totals = results.total("service").query("criterion == 'climate_change'").set_index("service")["value"]
    sums = table.groupby("service", observed=True)["value"].sum(min_count=1)
    for service, total in totals.items():
        if service in sums.index:
            assert sums[service] == pytest.approx(total, rel=1e-9, abs=1e-12, nan_ok=True)
        else:  # no line with a quantity at all: a true zero, and no stage row
            assert total == 0
