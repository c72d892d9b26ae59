"""Coverage per phase at the Results level, worked out by hand on a small set with declared and undeclared gaps.

The set (numbers chosen by hand):

- smartphone (France), climate change: manufacturing 30 g CO2e per device-hour, distribution and end of life
  *included* in that row, **use: nothing** (neither a factor nor a declaration: an undeclared gap);
- smartphone, ADPe: manufacturing 2 mg Sb eq per device-hour, use declared *missing*, distribution and end of
  life: nothing (undeclared gaps);
- mobile network (France), climate change: use 25 g CO2e per GB, the other phases *included*;
- data-centre electricity (France), climate change: use 50 g CO2e per kWh (a kWh has only a use phase).

Services: ``site`` (1000 visits: 50 device-hours, 2.5 GB, 10 kWh), ``mail`` (200 readers: 1 GB) and ``idle``
(0 visits: 2 kWh). Under the old per-(flow, criterion) rule the site's climate change was "complete" with a
use phase of 0 for the smartphone; here it is partial and that phase is not covered.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.results import COMPLETE, NOT_COVERED, PARTIAL, ZERO_AUDIENCE

PHONE, NET, DC = "device.smartphone@FR", "network.mobile@FR", "electricity.data_centres@FR"
GWP, ADPE, CTUE = "climate_change", "resource_use_minerals_metals", "ecotoxicity_freshwater"
ROWS = [
    {"flow": PHONE, "criterion": "GWP", "phase": "manufacturing", "value": "30", "unit": "g CO2e / device_hour"},
    *({"flow": PHONE, "criterion": "GWP", "phase": p, "value": "included", "unit": "g CO2e / device_hour",
       "note": "in the manufacturing row"} for p in ("distribution", "end_of_life")),
    {"flow": PHONE, "criterion": "ADPe", "phase": "manufacturing", "value": "2", "unit": "mg Sb eq / device_hour"},
    {"flow": PHONE, "criterion": "ADPe", "phase": "use", "value": "missing", "unit": "mg Sb eq / device_hour",
     "note": "no electricity factor"},
    {"flow": NET, "criterion": "GWP", "phase": "use", "value": "25", "unit": "g CO2e / GB"},
    *({"flow": NET, "criterion": "GWP", "phase": p, "value": "included", "unit": "g CO2e / GB",
       "note": "in the use row"} for p in ("manufacturing", "distribution", "end_of_life")),
    {"flow": DC, "criterion": "GWP", "phase": "use", "value": "50", "unit": "g CO2e / kWh"},
]


@pytest.fixture
def results(write_set):
    factors = lca.load_factor_set(write_set(ROWS))
    bills = [
        lca.BillOfMaterials.build("site", "1000 visit", {PHONE: "1000 * 3 min", NET: "1000 * 2.5 MB", DC: "10 kWh"},
                                  kind="website"),
        lca.BillOfMaterials.build("mail", "200 reader", {NET: "1 GB"}, kind="email"),
        lca.BillOfMaterials.build("idle", "0 visit", {DC: "2 kWh"}, kind="website"),
    ]
    return lca.evaluate(bills, factors)


def _table(frame, *keys):
    return frame.set_index(list(keys))


def test_service_totals_by_hand(results):
    t = _table(results.total("service"), "service", "criterion")
    # site, climate change: 50 h x 30 g + 2.5 GB x 25 g + 10 kWh x 50 g = 1.5 + 0.0625 + 0.5 kg; the phone's use
    # phase is missing, so the total is partial
    assert t.loc[("site", GWP), "value"] == pytest.approx(2.0625, rel=1e-12)
    assert t.loc[("site", GWP), "coverage"] == PARTIAL
    # site, ADPe: 50 h x 2 mg = 1e-4 kg; the rest lacks
    assert t.loc[("site", ADPE), "value"] == pytest.approx(1e-4, rel=1e-12)
    assert t.loc[("site", ADPE), "coverage"] == PARTIAL
    # CTUe: no factor at all: NaN, never 0
    assert math.isnan(t.loc[("site", CTUE), "value"]) and t.loc[("site", CTUE), "coverage"] == NOT_COVERED
    assert t.loc[("mail", GWP), "value"] == pytest.approx(0.025, rel=1e-12)  # 1 GB x 25 g
    assert t.loc[("mail", GWP), "coverage"] == COMPLETE
    assert math.isnan(t.loc[("mail", ADPE), "value"]) and t.loc[("mail", ADPE), "coverage"] == NOT_COVERED
    assert t.loc[("idle", GWP), "value"] == pytest.approx(0.1, rel=1e-12)  # 2 kWh x 50 g
    assert t.loc[("idle", GWP), "coverage"] == COMPLETE  # a kWh has only a use phase


def test_phase_breakdown_by_hand(results):
    t = _table(results.total(("service", "tier", "phase")), "service", "tier", "phase", "criterion")
    phone = ("site", "terminals")
    assert t.loc[(*phone, "manufacturing", GWP), "value"] == pytest.approx(1.5, rel=1e-12)
    assert t.loc[(*phone, "manufacturing", GWP), "coverage"] == COMPLETE
    assert math.isnan(t.loc[(*phone, "use", GWP), "value"])  # the silent 0 of the old rule
    assert t.loc[(*phone, "use", GWP), "coverage"] == NOT_COVERED
    assert t.loc[(*phone, "distribution", GWP), "value"] == 0  # counted in the manufacturing row
    assert t.loc[(*phone, "distribution", GWP), "coverage"] == COMPLETE
    for phase in ("distribution", "use", "end_of_life"):  # declared (use) or undeclared gaps
        assert math.isnan(t.loc[(*phone, phase, ADPE), "value"])
        assert t.loc[(*phone, phase, ADPE), "coverage"] == NOT_COVERED
    # the data-centre kWh has no manufacturing phase: a true, complete zero
    assert t.loc[("site", "data_centres", "manufacturing", GWP), "value"] == 0
    assert t.loc[("site", "data_centres", "manufacturing", GWP), "coverage"] == COMPLETE
    # the cube says the same
    cube = results.values
    s, tier, c = results.services.index("site"), results.tiers.index("terminals"), results.criteria.index(GWP)
    assert math.isnan(cube[s, tier, c, results.phases.index("use")])
    assert cube[s, tier, c, results.phases.index("manufacturing")] == pytest.approx(1.5, rel=1e-12)


def test_portfolio_and_group_totals_by_hand(results):
    t = _table(results.total(("criterion",)), "criterion")
    assert t.loc[GWP, "value"] == pytest.approx(2.0625 + 0.025 + 0.1, rel=1e-12)
    assert t.loc[GWP, "coverage"] == PARTIAL
    assert math.isnan(t.loc[CTUE, "value"]) and t.loc[CTUE, "coverage"] == NOT_COVERED
    by_phase = _table(results.total(("phase",)), "phase", "criterion")
    # use: 2.5 GB x 25 g + 10 kWh x 50 g + 1 GB x 25 g + 2 kWh x 50 g, the phone's use lacking
    assert by_phase.loc[("use", GWP), "value"] == pytest.approx(0.0625 + 0.5 + 0.025 + 0.1, rel=1e-12)
    assert by_phase.loc[("use", GWP), "coverage"] == PARTIAL
    assert by_phase.loc[("manufacturing", GWP), "coverage"] == COMPLETE
    kinds = _table(results.total("kind"), "kind", "criterion")
    assert kinds.loc[("website", GWP), "value"] == pytest.approx(2.0625 + 0.1, rel=1e-12)
    assert kinds.loc[("website", GWP), "coverage"] == PARTIAL
    assert kinds.loc[("email", GWP), "coverage"] == COMPLETE
    assert math.isnan(kinds.loc[("email", ADPE), "value"])
    tiers = _table(results.total(("kind", "tier")), "kind", "tier", "criterion")
    assert tiers.loc[("email", "networks", GWP), "value"] == pytest.approx(0.025, rel=1e-12)
    assert math.isnan(tiers.loc[("website", "networks", ADPE), "value"])
    with_service = results.total(("kind", "service"))
    assert list(with_service.columns[:3]) == ["kind", "service", "criterion"]
    assert (with_service.loc[with_service.service == "mail", "kind"] == "email").all()


def test_per_audience_by_hand(results):
    per = _table(results.per_audience(), "service", "criterion")
    assert per.loc[("mail", GWP), "value"] == pytest.approx(0.025 / 200, rel=1e-12)
    assert per.loc[("mail", GWP), "per"] == "per reader"
    assert math.isnan(per.loc[("idle", GWP), "value"]) and per.loc[("idle", GWP), "coverage"] == ZERO_AUDIENCE
    assert math.isnan(per.loc[("site", CTUE), "value"]) and per.loc[("site", CTUE), "coverage"] == NOT_COVERED
    scores = results.scores(per_audience=True)
    i, c = results.services.index("idle"), results.criteria.index(GWP)
    assert math.isnan(scores.values[i, c]) and scores.coverage[i, c] == 3


def test_scores_summary_dict_and_display(results):
    scores = results.scores()
    assert scores.services == results.services and scores.criteria == results.criteria
    s, g, d = results.services.index("site"), results.criteria.index(GWP), results.criteria.index(CTUE)
    assert scores.values[s, g] == pytest.approx(2.0625, rel=1e-12) and scores.coverage[s, g] == 1
    assert math.isnan(scores.values[s, d]) and scores.coverage[s, d] == 2
    assert scores.units[g] == "kg CO2 eq"
    summary = results.summary()
    assert math.isnan(summary.loc["site", "ecotoxicity_freshwater (CTUe)"])
    data = json.loads(json.dumps(results.to_dict(), allow_nan=False))  # JSON-ready: no NaN literal
    assert data["values"][s][0][d] == [None] * 4
    assert data["coverage"][s][0][d] == [NOT_COVERED] * 4
    html = results._repr_html_()
    assert "NaN (not covered)" in html and "2.062 (partial)" in html
    assert not results.is_complete


def test_a_single_string_is_one_axis(results):
    assert results.total("service").equals(results.total(("service",)))
    assert results.per_audience("service").equals(results.per_audience(["service"]))
    with pytest.raises(ValueError, match=r"unknown axis 'services'.*axes are service, tier"):
        results.total("services")
    with pytest.raises(ValueError, match=r"unknown axis 'x'"):
        results.total(["service", "x"])


def test_require_complete_counts_phase_gaps(write_set):
    factors = lca.load_factor_set(write_set(ROWS))
    bill = lca.BillOfMaterials.build("phone", "1 visit", {PHONE: "1 h"})
    with pytest.raises(lca.IncompleteFactorsError, match=r"phone: device\.smartphone@FR has no complete climate"):
        lca.evaluate([bill], factors, require_complete=True)
    covered = lca.BillOfMaterials.build("net", "1 visit", {NET: "1 GB", DC: "1 kWh"})
    total = _table(lca.evaluate([covered], factors).total(), "criterion")
    assert total.loc[GWP, "coverage"] == COMPLETE
    with pytest.raises(lca.IncompleteFactorsError, match=r"network\.mobile@FR has no complete resource_use"):
        lca.evaluate([covered], factors, require_complete=True)  # ADPe, a mission criterion, has no factor


def test_factor_sets_are_immutable_and_loads_independent():
    first = lca.load_factors()
    key = next(iter(first.factors))
    with pytest.raises(ValueError):
        first.values[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        first.covered[0, 0] = False
    for mapping in (first.factors, first.parameters, first.selection, first.gaps, first.included, first.sources):
        with pytest.raises(TypeError):
            mapping[next(iter(mapping))] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        next(iter(first.sources.values()))["title"] = "changed"  # type: ignore[index]
    for array in (first.has, first.lacks, first.complete, *first.aligned_phases([PHONE], [GWP])):
        with pytest.raises(ValueError):
            array.flat[0] = not array.flat[0]
    value = first.factors[key].value
    copied = pickle.loads(pickle.dumps(first))  # a copy is read-only too, and equal
    assert copied.content_hash == first.content_hash
    with pytest.raises(TypeError):
        copied.factors[key] = None  # type: ignore[index]
    again = lca.load_factors()
    assert again.factors[key].value == value
    np.testing.assert_array_equal(again.values, first.values)
    results = lca.evaluate([lca.BillOfMaterials.build("x", "1 visit", {PHONE: "1 h"})], first)
    with pytest.warns(DeprecationWarning):  # private since 0.2, still read-only through the old name
        quantities = results.quantities
    for array in (results.values, quantities, results.audience, results.coverage_codes):
        with pytest.raises(ValueError):
            array.flat[0] = 1
    with pytest.raises(TypeError):
        results.provenance["factor_set"] = "other"  # type: ignore[index]
