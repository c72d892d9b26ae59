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
