"""Bills of materials: validation of lines and audiences, and stacking into a matrix."""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.errors import BillError, UnitError


def test_build_converts_every_quantity_to_the_canonical_unit():
    bill = lca.BillOfMaterials.build("site", "1000 visit", {
        "device.smartphone@FR": "1000 * 90 s",  # 25 device-hours
        "network.mobile@FR": "2500 MB",
        "dc.storage@FR": "2 TB stored * year",
        "dc.server@FR": 48,  # plain number: server-hours
    })
    assert bill.amounts() == pytest.approx({"device.smartphone@FR": 25.0, "network.mobile@FR": 2.5,
                                            "dc.storage@FR": 2000.0, "dc.server@FR": 48.0})
    assert bill.audience == lca.Audience(1000.0, "visit")
    assert bill.audience.label == "per visit"


def test_unit_error_names_the_service_and_line():
    with pytest.raises(UnitError, match=r"site: lines\[network.mobile@FR\]"):
        lca.BillOfMaterials.build("site", "1 visit", {"network.mobile@FR": "3 min"})


@pytest.mark.parametrize("amount", [-1.0, float("nan"), float("inf")])
def test_negative_or_nan_quantities_are_refused(amount):
    with pytest.raises((BillError, UnitError), match=r"finite and >= 0|NaN"):
        lca.BillOfMaterials.build("site", "1 visit", {"network.mobile@FR": amount})


def test_unknown_flow_suggests_the_closest():
    with pytest.raises(BillError, match=r"did you mean 'network\.mobile@FR'"):
        lca.BillOfMaterials.build("site", "1 visit", {"network.mobil@FR": 1})


def test_empty_bill_is_refused():
    with pytest.raises(BillError, match="no line"):
        lca.BillOfMaterials.build("site", "1 visit", {})


@pytest.mark.parametrize(("audience", "expected"), [
    ("12000 visits", lca.Audience(12000.0, "visit")),
    ((500, "view"), lca.Audience(500.0, "view")),
    ("0 recipient", lca.Audience(0.0, "recipient")),
])
def test_audience_forms(audience, expected):
    assert lca.Audience.parse(audience) == expected


@pytest.mark.parametrize("audience", [12000, "12000 GB", "-3 visit", "12 parsec"])
def test_bad_audiences(audience):
    with pytest.raises((UnitError, BillError)):
        lca.Audience.parse(audience)


def test_stack_sums_repeated_flows_and_orders_columns_by_catalogue():
    a = lca.BillOfMaterials.build("a", "1 visit", [("network.mobile@FR", 1.0), ("network.mobile@FR", 2.0)])
    b = lca.BillOfMaterials.build("b", "2 view", {"device.tv@FR": 0.5})
    matrix = lca.BillMatrix.stack([a, b])
    assert matrix.flows == ("device.tv@FR", "network.mobile@FR")
    np.testing.assert_array_equal(matrix.quantities, [[0.0, 3.0], [0.5, 0.0]])
    assert matrix.audience_units == ("visit", "view")


def test_matrix_validation():
    with pytest.raises(BillError, match="unique"):
        lca.BillMatrix.from_arrays(["a", "a"], ["paper"], [[1.0], [2.0]], [1, 1], "copy")
    with pytest.raises(BillError, match=r"b: lines\[paper\]"):
        lca.BillMatrix.from_arrays(["a", "b"], ["paper"], [[1.0], [-2.0]], [1, 1], "copy")
    with pytest.raises(BillError, match="shape"):
        lca.BillMatrix.from_arrays(["a"], ["paper"], [[1.0, 2.0]], [1], "copy")
    with pytest.raises(BillError, match="audience unit"):
        lca.BillMatrix.from_arrays(["a"], ["paper"], [[1.0]], [1], "parsec")


def test_stack_keeps_each_stage_of_a_flow_in_its_own_column():
    line = lca.Line
    a = lca.BillOfMaterials("a", lca.Audience(1, "recipient"), (
        line("network.fixed@FR", 1.0, stage="network_receive"), line("network.fixed@FR", 2.0, stage="network_send"),
        line("network.fixed@FR", 4.0, stage="network_send"), line("dc.server@FR", 0.5, stage="processing")))
    b = lca.BillOfMaterials.build("b", "2 view", {"network.fixed@FR": 8.0})
    matrix = lca.BillMatrix.stack([a, b])
    # catalogue order of flows, then the order of STAGES (network_send comes before network_receive)
    assert list(zip(matrix.flows, matrix.stages, strict=True)) == [
        ("network.fixed@FR", "network_send"), ("network.fixed@FR", "network_receive"),
        ("network.fixed@FR", "other"), ("dc.server@FR", "processing")]
    np.testing.assert_array_equal(matrix.quantities, [[6.0, 1.0, 0.0, 0.5], [0.0, 0.0, 8.0, 0.0]])
    merged = matrix.by_flow()
    assert merged.flows == ("network.fixed@FR", "dc.server@FR") and merged.stages == ("other", "other")
    np.testing.assert_array_equal(merged.quantities, [[7.0, 0.5], [8.0, 0.0]])


def test_stages_are_checked():
    with pytest.raises(BillError, match="stage 'sending' is not one of sender_device"):
        lca.Line("paper", 1.0, stage="sending")
    with pytest.raises(BillError, match="once"):
        lca.BillMatrix.from_arrays(["a"], ["paper", "paper"], [[1.0, 2.0]], [1], "copy", stages=["paper", "paper"])
    with pytest.raises(BillError, match="one entry per flow column"):
        lca.BillMatrix.from_arrays(["a"], ["paper"], [[1.0]], [1], "copy", stages=["paper", "printing"])


def test_every_audience_unit_and_stage_is_defined_in_one_line():
    from lca_numerique.bill import AUDIENCE_DEFINITIONS, STAGES

    assert set(AUDIENCE_DEFINITIONS) == set(lca.units.AUDIENCE_UNITS)
    for text in (*AUDIENCE_DEFINITIONS.values(), *STAGES.values()):
        assert text and "\n" not in text and len(text) < 130
