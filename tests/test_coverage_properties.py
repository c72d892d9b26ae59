"""Property-based tests of coverage: random per-phase coverage over random bills, every Results view.

The oracle is a brute-force loop written here, cell by cell, from the rule in the results module docstring:
a total lacks when some used line behind it lacks a kept phase (a phase the flow has with no factor and no
"included" declaration, or a declared gap), has found something when some used line has a factor or an
"included" declaration; complete / partial / not covered follow, and a not-covered value is NaN.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.axes import PHASE_IDS, TIER_IDS
from lca_numerique.factors.model import Factor, build_factor_set, canonical_factor_unit, user_provenance
from lca_numerique.flows import FLOWS
from lca_numerique.results import AXES, COVERAGE_LABELS
from lca_numerique.uncertainty import NO_UNCERTAINTY

POOL = ("device.smartphone@FR", "device.laptop@FR", "network.mobile@FR", "dc.server@FR",
        "electricity.data_centres@FR", "paper", "freight.road")
MISSION = {"climate_change", "resource_use_minerals_metals", "ecotoxicity_freshwater"}
CRITERIA = tuple(c.id for c in lca.CRITERIA if c.id in MISSION)  # a set's criteria are in catalogue order
STATES = ("factor", "included", "gap", "nothing")
KINDS = ("website", "email")


@st.composite
def cases(draw):
    flows = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=5, unique=True))
    states = {(f, c, p): draw(st.sampled_from(STATES)) for f in flows for c in CRITERIA for p in PHASE_IDS}
    values = {k: draw(st.floats(0.01, 100.0)) for k, s in states.items() if s == "factor"}
    n = draw(st.integers(1, 4))
    quantities = np.array([[draw(st.sampled_from([0.0, 0.5, 3.0, 1e-3])) for _ in flows] for _ in range(n)])
    audience = np.array([draw(st.sampled_from([0.0, 1.0, 250.0])) for _ in range(n)])
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n)]
    return flows, states, values, quantities, audience, kinds


def _factor_set(states, values):
    factors = {k: Factor(*k, values[k], canonical_factor_unit(k[0], k[1]), NO_UNCERTAINTY, user_provenance())
               for k, s in states.items() if s == "factor"}
    if not factors:  # a set needs one factor: give it to a flow the bills never use
        key = ("printing", "climate_change", "manufacturing")
        factors[key] = Factor(*key, 1.0, canonical_factor_unit("printing", "climate_change"), NO_UNCERTAINTY,
                              user_provenance())
    return build_factor_set(
        factors, id="random", version="0", title="random", licence="CC0-1.0", sources={},
        gaps={k: "declared" for k, s in states.items() if s == "gap"},
        included={k: "elsewhere" for k, s in states.items() if s == "included"},
    )


def _oracle(flows, states, values, quantities):
    """Per cell [service, tier, criterion, phase]: (value, lacks, found), by loops."""
    shape = (len(quantities), len(TIER_IDS), len(CRITERIA), len(PHASE_IDS))
    value, lacks, found = np.zeros(shape), np.zeros(shape, bool), np.zeros(shape, bool)
    for s, (j, flow), (c, crit), (p, phase) in itertools.product(
            range(len(quantities)), enumerate(flows), enumerate(CRITERIA), enumerate(PHASE_IDS)):
        if quantities[s, j] <= 0:
            continue
        t = TIER_IDS.index(FLOWS[flow].tier)
        state = states[(flow, crit, phase)]
        if state == "factor":
            value[s, t, c, p] += quantities[s, j] * values[(flow, crit, phase)]
        found[s, t, c, p] |= state in ("factor", "included")
        lacks[s, t, c, p] |= state == "gap" or (state == "nothing" and phase in FLOWS[flow].phases)
    return value, lacks, found


def _expected(value, lacks, found, axes_summed, rows=None):
    """Reduce the oracle over the summed axes (and services into ``rows``), then apply the rule."""
    if rows is not None:
        value = np.stack([value[rows == r].sum(axis=0) for r in range(rows.max() + 1)])
        lacks = np.stack([lacks[rows == r].any(axis=0) for r in range(rows.max() + 1)])
        found = np.stack([found[rows == r].any(axis=0) for r in range(rows.max() + 1)])
    value, lacks, found = value.sum(axis=axes_summed), lacks.any(axis=axes_summed), found.any(axis=axes_summed)
    code = np.where(lacks, np.where(found, 1, 2), 0)
    return np.where(code == 2, np.nan, value), code


def _check(frame, keys, expected_value, expected_code, labels):
    """Every row of a tidy table against the oracle, located by its labels."""
    assert len(frame) == expected_value.size
    index = tuple(np.array([labels[k].index(x) for x in frame[k].astype(str)]) for k in keys)
    value, code = expected_value[index], expected_code[index]
    got = frame["value"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(got), code == 2), "a not-covered total must be NaN, and only those"
    np.testing.assert_allclose(got[code != 2], value[code != 2], rtol=1e-9, atol=1e-300)
    assert [COVERAGE_LABELS[k] for k in code] == list(frame["coverage"].astype(str))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_view_shows_a_number_for_a_not_covered_total(case):
    flows, states, values, quantities, audience, kinds = case
    factors = _factor_set(states, values)
    services = [f"s{i}" for i in range(len(quantities))]
    matrix = lca.BillMatrix.from_arrays(services, flows, quantities, audience, "visit", kinds)
    results = lca.evaluate(matrix, factors)
    assert results.criteria == CRITERIA
    value, lacks, found = _oracle(flows, states, values, quantities)
    labels = {"service": services, "tier": list(TIER_IDS), "criterion": list(CRITERIA), "phase": list(PHASE_IDS)}

    cube_value, cube_code = _expected(value, lacks, found, ())
    assert np.array_equal(np.isnan(results.values), cube_code == 2)
    np.testing.assert_allclose(np.nan_to_num(results.values), np.nan_to_num(cube_value), rtol=1e-9, atol=1e-300)
    assert np.array_equal(results.coverage_codes, cube_code)

    for n in range(4):
        for kept in itertools.combinations(("service", "tier", "phase"), n):
            keys = [a for a in AXES if a in kept or a == "criterion"]
            summed = tuple(i for i, a in enumerate(AXES) if a not in keys)
            _check(results.total(kept), keys, *_expected(value, lacks, found, summed), labels)
            if "service" not in kept:  # grouped by kind: services summed within each kind
                present = list(dict.fromkeys(kinds))
                rows = np.array([present.index(k) for k in kinds])
                group_axes = tuple(i for i, a in enumerate(AXES) if a not in keys and a != "service")
                table = results.total(("kind", *kept))
                _check(table, ["kind", *keys], *_expected(value, lacks, found, group_axes, rows),
                       {**labels, "kind": present})

    service_value, service_code = _expected(value, lacks, found, (1, 3))
    scores = results.scores()
    assert np.array_equal(np.isnan(scores.values), service_code == 2)
    assert np.array_equal(scores.coverage, service_code)
    assert np.array_equal(np.isnan(results.summary().to_numpy()), service_code == 2)
    per = results.per_audience()
    per_code = np.where(audience[:, None] > 0, service_code, 3)
    assert np.array_equal(np.isnan(per["value"].to_numpy()), (per_code >= 2).ravel())
    assert list(per["coverage"].astype(str)) == [COVERAGE_LABELS[k] for k in per_code.ravel()]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_allclose(per["value"].to_numpy(), np.where(per_code >= 2, np.nan,
                                   service_value / audience[:, None]).ravel(), rtol=1e-9, atol=1e-300)
    data = json.loads(json.dumps(results.to_dict(), allow_nan=False))
    stored = np.array(data["values"], dtype=float)
    assert np.array_equal(np.isnan(stored), cube_code == 2)

    # linearity in Q and determinism: same coverage, values scaled
    scaled = lca.evaluate(lca.BillMatrix.from_arrays(services, flows, 2.5 * quantities, audience, "visit", kinds),
                          factors)
    np.testing.assert_allclose(scaled.values, 2.5 * results.values, rtol=1e-12, atol=0)
    assert np.array_equal(scaled.coverage_codes, results.coverage_codes)
    again = lca.evaluate(matrix, factors)
    np.testing.assert_array_equal(again.values, results.values)
    assert again.total(("kind", "tier")).equals(results.total(("kind", "tier")))


@settings(max_examples=25, deadline=None)
@given(cases())
def test_totals_are_the_sum_of_their_breakdowns_where_complete(case):
    flows, states, values, quantities, audience, kinds = case
    results = lca.evaluate(lca.BillMatrix.from_arrays([f"s{i}" for i in range(len(quantities))], flows,
                                                      quantities, audience, "visit", kinds),
                           _factor_set(states, values))
    total = results.total("service").set_index(["service", "criterion"])
    parts = results.total(("service", "tier", "phase"))
    summed = parts.groupby(["service", "criterion"], observed=True)["value"].sum()  # NaN parts skipped
    complete = total["coverage"] == "complete"
    np.testing.assert_allclose(summed[total.index[complete]], total["value"][complete], rtol=1e-9, atol=1e-300)
    # a complete total has only complete parts; a not-covered total has no covered part
    status = parts.groupby(["service", "criterion"], observed=True)["coverage"]
    for key, flag in total["coverage"].items():
        inside = set(status.get_group(key).astype(str))
        if flag == "complete":
            assert inside == {"complete"}
        elif flag == "not covered":
            assert "partial" not in inside and "not covered" in inside
            group = parts.set_index(["service", "criterion"]).loc[key]
            assert (group.loc[group["coverage"] == "complete", "value"] == 0).all()
    assert math.isfinite(float(total["value"].fillna(0).sum()))


@pytest.mark.parametrize("by", ["service", ("service",), ["tier"], ("kind",), "campaign"])
def test_by_accepts_a_string_or_a_sequence(by, write_set):
    rows = [{"flow": "network.mobile@FR", "criterion": "GWP", "phase": "use", "value": "25", "unit": "g CO2e/GB"}]
    results = lca.evaluate([lca.BillOfMaterials.build("a", "1 visit", {"network.mobile@FR": "1 GB"})],
                           lca.load_factor_set(write_set(rows)))
    frame = results.total(by)
    assert (by if isinstance(by, str) else by[0]) in frame.columns
