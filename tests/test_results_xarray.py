"""The xarray bridge reproduces the tables of Results, values and coverage, on the bundled example."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import lca_numerique as lca

if os.environ.get("CI") == "true":
    import xarray as xr  # the test extra installs it: CI runs this file, never skips it
else:
    xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def results():
    return lca.load_inventory(Path(lca.__file__).parent / "examples" / "metropole.yaml").evaluate()


def test_kind_by_tier_totals_and_coverage_reproduced_exactly(results):
    ds = results.to_xarray()
    assert dict(ds.sizes) == {"service": len(results.services), "tier": 4, "criterion": len(results.criteria),
                              "phase": 4}
    grouped = ds.groupby("kind")
    value = grouped.map(lambda d: d["impact"].fillna(0).sum(("service", "phase")))
    lacking = grouped.map(lambda d: d["lacking"].any(("service", "phase")))
    found = grouped.map(lambda d: d["found"].any(("service", "phase")))
    code = xr.where(lacking, xr.where(found, 1, 2), 0)
    value = value.where(code != 2)
    table = results.total(("kind", "tier"))
    assert len(table) == value.size
    for row in table.itertuples():
        cell = {"kind": row.kind, "tier": row.tier, "criterion": row.criterion}
        expected = float(value.sel(cell))
        if np.isnan(row.value):
            assert np.isnan(expected)
        else:
            assert expected == pytest.approx(row.value, rel=1e-12, abs=0)
        assert lca.results.COVERAGE_LABELS[int(code.sel(cell))] == row.coverage
    assert (table["coverage"] != "complete").any()  # the example has gaps: the comparison is not trivial


def test_cube_labels_units_and_provenance(results):
    ds = results.to_xarray()
    np.testing.assert_array_equal(ds["impact"].to_numpy(), results.values)
    np.testing.assert_array_equal(ds["coverage"].to_numpy(), results.coverage_codes)
    assert ds["coverage"].attrs["flag_meanings"] == "complete partial not_covered"
    assert str(ds["unit"].sel(criterion="climate_change").item()) == "kg CO2 eq"
    assert list(ds["kind"].to_numpy()) == list(results.kinds)
    assert ds.attrs["factor_set_hash"] == results.provenance["factor_set_hash"]
    assert results.to_pandas().equals(results.to_dataframe())
