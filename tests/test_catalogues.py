"""Criteria and flows catalogues: complete, consistent, and their units understood by the registry."""

from __future__ import annotations

import pytest

from lca_numerique.axes import TIER_IDS
from lca_numerique.criteria import CRITERIA, MISSION_CRITERIA, get_criterion
from lca_numerique.flows import FLOWS, get_flow
from lca_numerique.units import AUDIENCE_UNITS, parse_unit


def test_sixteen_ef_criteria_with_weights_summing_to_100():
    ef = [c for c in CRITERIA if c.ef]
    assert len(ef) == 16
    assert sum(c.weighting_percent for c in ef) == pytest.approx(100.0, abs=0.01)
    assert all(c.normalisation > 0 for c in ef)


def test_mission_criteria_and_codes():
    assert get_criterion("GWP").id == "climate_change"
    assert get_criterion("adpe").unit == "kg Sb eq"
    assert get_criterion("CTUe").id == "ecotoxicity_freshwater"
    assert set(MISSION_CRITERIA) <= {c.id for c in CRITERIA}
    with pytest.raises(KeyError, match="unknown criterion"):
        get_criterion("happiness")


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.id)
def test_criterion_units_parse_to_distinct_dimensions(criterion):
    assert parse_unit(criterion.unit) is not None
    assert criterion.name_fr and criterion.name_en and criterion.description


def test_climate_and_mineral_units_cannot_mix():
    assert parse_unit("kg CO2 eq").dimensionality != parse_unit("kg Sb eq").dimensionality


def test_flows_catalogue():
    required = [f"device.{d}@FR" for d in ("smartphone", "tablet", "laptop", "desktop", "monitor", "tv", "box")]
    required += [f"network.{n}@{z}" for n in ("fixed", "mobile") for z in ("FR", "EU")]
    required += ["dc.storage@FR", "dc.server@FR", "dc.vcpu@FR", "electricity.data_centres@FR", "paper"]
    for flow in required:
        assert flow in FLOWS
    for flow in FLOWS.values():
        assert flow.tier in TIER_IDS
        assert parse_unit(flow.unit) is not None
        assert flow.description
    assert get_flow("dc.storage@FR").unit == "GB_stored * year"
    with pytest.raises(KeyError, match="did you mean"):
        get_flow("device.smartphone@FRA")


def test_audience_units_are_distinct_dimensions():
    dims = {str(parse_unit(u).dimensionality) for u in AUDIENCE_UNITS}
    assert len(dims) == len(AUDIENCE_UNITS)
