"""Engine and results: hand-computed cases, Impact CO2 reference values, and properties."""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.errors import IncompleteFactorsError
from lca_numerique.results import NOT_COVERED, PARTIAL, ZERO_AUDIENCE

PHONE = {"flow": "device.smartphone@FR", "unit": "g CO2e / device_hour"}
TINY = [
    {**PHONE, "criterion": "GWP", "phase": "manufacturing", "value": "30"},
    {**PHONE, "criterion": "GWP", "phase": "use", "value": "0.25"},
    {"flow": "device.smartphone@FR", "criterion": "ADPe", "phase": "manufacturing", "value": "2",
     "unit": "mg Sb eq / device_hour"},
    {"flow": "network.mobile@FR", "criterion": "GWP", "phase": "use", "value": "25", "unit": "g CO2e/GB"},
]


@pytest.fixture
def tiny(write_set):
    return lca.load_factor_set(write_set(TINY))


def _site(visits: float = 1000, page: str = "2.5 MB") -> lca.BillOfMaterials:
    return lca.BillOfMaterials.build("site", f"{visits} visit", [
        ("device.smartphone@FR", f"{visits} * 3 min"), ("network.mobile@FR", f"{visits} * {page}"),
    ])


def test_hand_computed_case(tiny):
    r = lca.evaluate([_site()], tiny)
    t = r.total(("service", "tier", "phase")).set_index(["tier", "phase", "criterion"])["value"]
    # 1000 visits x 3 min = 50 device-hours; 1000 x 2.5 MB = 2.5 GB
    assert t["terminals", "manufacturing", "climate_change"] == pytest.approx(50 * 30 / 1000)  # 1.5 kg
    assert t["terminals", "use", "climate_change"] == pytest.approx(50 * 0.25 / 1000)  # 0.0125 kg
    assert t["networks", "use", "climate_change"] == pytest.approx(2.5 * 25 / 1000)  # 0.0625 kg
    assert t["terminals", "manufacturing", "resource_use_minerals_metals"] == pytest.approx(50 * 2e-6)  # 1e-4 kg
    per = r.per_audience().set_index("criterion")
    assert per.loc["climate_change", "value"] == pytest.approx((1.5 + 0.0125 + 0.0625) / 1000)
    assert per.loc["climate_change", "per"] == "per visit"


def test_impactco2_streaming_hour(impactco2):
    """1 h of HD streaming (3 GB) on the French fixed network with the model's default device mix.

    Reference: ADEME Impact CO2 (publicodes-acv-numerique 2.1.0), evaluated with publicodes: devices
    36.78427397260274 g build + 2.68323 g use, network 27.808040876021668 g (its data-centre part, 0.54 g,
    needs data-centre factors this set does not have yet).
    """
    stream = lca.BillOfMaterials.build("1 h HD streaming", "1 view", {
        "device.tv@FR": "0.70 h", "device.laptop@FR": "0.15 h", "device.tablet@FR": "0.10 h",
        "device.smartphone@FR": "0.05 h", "network.fixed@FR": "3 GB",
    })
    t = lca.evaluate([stream], impactco2).total(("tier", "phase", "service")).set_index(["tier", "phase", "criterion"])
    grams = t["value"] * 1000
    build = sum(grams["terminals", p, "climate_change"] for p in ("manufacturing", "distribution", "end_of_life"))
    assert build == pytest.approx(36.78427397260274, rel=1e-9)
    assert grams["terminals", "use", "climate_change"] == pytest.approx(2.68323, rel=1e-9)
    assert grams["networks", "use", "climate_change"] == pytest.approx(27.808040876021668, rel=1e-9)


def test_linear_in_quantities(tiny):
    one = lca.evaluate([_site(1000)], tiny).values
    two = lca.evaluate([_site(2000)], tiny).values
    np.testing.assert_allclose(two, 2 * one, rtol=1e-12)


def test_per_audience_is_invariant_when_everything_scales_with_audience(tiny):
    a = lca.evaluate([_site(1000)], tiny).per_audience()["value"]
    b = lca.evaluate([_site(7000)], tiny).per_audience()["value"]
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_totals_equal_the_sum_of_any_breakdown(tiny):
    other = lca.BillOfMaterials.build("other", "5 view", {"network.mobile@FR": "1 GB", "device.smartphone@FR": "2 h"})
    r = lca.evaluate([_site(1000), other], tiny)
    total = r.total(("service",)).set_index(["service", "criterion"])
    known = total["value"].notna()
    assert known.sum() == 4  # climate change and ADPe of both services; CTUe has no factor at all
    for by in (("service", "tier"), ("service", "phase"), ("service", "tier", "phase")):
        parts = r.total(by).groupby(["service", "criterion"], observed=True)
        summed = parts["value"].sum()  # pandas skips NaN: the "not covered" parts contribute nothing
        np.testing.assert_allclose(summed.loc[total.index[known]], total["value"][known], rtol=1e-12)
        # a total that is not covered has no covered part: every part is NaN or an empty tier's true zero
        for key in total.index[~known]:
            values = parts.get_group(key)["value"]
            assert (values.isna() | (values == 0)).all()
    grand = r.total(("criterion",)).set_index("criterion")["value"]
    by_service = total["value"].groupby("criterion", observed=True).sum()
    np.testing.assert_allclose(by_service.loc[grand.dropna().index], grand.dropna(), rtol=1e-12)


def test_unit_invariance(tiny):
    a = lca.evaluate([_site(1000, "1500 kB")], tiny)
    b = lca.evaluate([_site(1000, "1.5 MB")], tiny)
    np.testing.assert_array_equal(a.values, b.values)


def test_deterministic(tiny):
    a, b = lca.evaluate([_site()], tiny), lca.evaluate([_site()], tiny)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.provenance == b.provenance
    assert a.provenance["factor_set_hash"] == tiny.content_hash
    assert a.provenance["library_version"] == lca.__version__


def test_missing_factors_are_flagged_not_zero(tiny):
    bill = lca.BillOfMaterials.build("hosted", "1 visit", {"network.mobile@FR": 1.0, "dc.storage@FR": 10.0})
    r = lca.evaluate([bill], tiny)
    assert not r.is_complete
    by_tier = r.total(("service", "tier")).set_index(["tier", "criterion"])
    assert by_tier.loc[("data_centres", "climate_change"), "coverage"] == NOT_COVERED
    assert np.isnan(by_tier.loc[("data_centres", "climate_change"), "value"])
    total = r.total(("service",)).set_index("criterion")
    assert total.loc["climate_change", "coverage"] == PARTIAL
    assert total.loc["climate_change", "value"] == pytest.approx(0.025)  # only the network part is known
    # ADPe: the network line has no ADPe factor either, so nothing is covered: NaN, not 0
    assert total.loc["resource_use_minerals_metals", "coverage"] == NOT_COVERED
    assert np.isnan(total.loc["resource_use_minerals_metals", "value"])


def test_require_complete_lists_the_gaps(tiny):
    bill = lca.BillOfMaterials.build("hosted", "1 visit", {"dc.storage@FR": 10.0})
    with pytest.raises(IncompleteFactorsError, match=r"hosted: dc\.storage@FR has no complete climate_change factor"):
        lca.evaluate([bill], tiny, require_complete=True)


def test_zero_audience_is_not_computable(tiny):
    bill = lca.BillOfMaterials.build("unvisited", "0 visit", {"network.mobile@FR": 1.0})
    per = lca.evaluate([bill], tiny).per_audience().set_index("criterion")
    assert np.isnan(per.loc["climate_change", "value"])
    assert per.loc["climate_change", "coverage"] == ZERO_AUDIENCE


def test_per_audience_needs_services(tiny):
    with pytest.raises(ValueError, match="need 'service'"):
        lca.evaluate([_site()], tiny).total(("tier",), per_audience=True)


def test_matrix_and_bills_give_the_same_results(tiny):
    bills = [_site(1000), _site(30)]
    bills[1] = lca.BillOfMaterials(name="small", audience=bills[1].audience, lines=bills[1].lines)
    stacked = lca.evaluate(bills, tiny)
    m = lca.BillMatrix.stack(bills)
    direct = lca.evaluate(lca.BillMatrix.from_arrays(m.services, m.flows, m.quantities, m.audience, "visit"), tiny)
    np.testing.assert_array_equal(stacked.values, direct.values)


def test_tidy_table_has_units_and_every_combination(tiny):
    frame = lca.evaluate([_site()], tiny).to_dataframe()
    assert list(frame.columns) == ["service", "tier", "criterion", "phase", "value", "unit", "coverage"]
    assert len(frame) == 1 * 4 * len(tiny.criteria) * 4
    assert set(frame.loc[frame.criterion == "climate_change", "unit"]) == {"kg CO2 eq"}


def test_summary_is_wide_with_units(tiny):
    summary = lca.evaluate([_site()], tiny).summary()
    assert "climate_change (kg CO2 eq)" in summary.columns
    assert summary.loc["site", "climate_change (kg CO2 eq)"] == pytest.approx(1.575)


def test_jupyter_display_shows_units_and_incomplete_flags(tiny):
    bill = lca.BillOfMaterials.build("hosted", "1 visit", {"network.mobile@FR": 1.0, "dc.storage@FR": 10.0})
    html = lca.evaluate([bill], tiny)._repr_html_()
    assert "climate_change (kg CO2 eq)" in html
    assert "(partial)" in html and "some totals are incomplete" in html


def test_an_inventory_whose_every_amount_is_zero_is_assessed_not_a_crash(tmp_path):
    """One website with 0 visits: every line is 0, so the bill keeps no flow at all. 0 visits x any factor = 0 kg
    (complete: nothing is missing), and per visit is not computable (0 / 0), as for any zero audience."""
    from lca_numerique.inventory import load_inventory
    from lca_numerique.report import check_results_file, write_report

    path = tmp_path / "inventory.yaml"
    path.write_text("organisation: X\nservices:\n  - {kind: website, name: a, visits: 0, page_weight: 1.5}\n")
    inventory = load_inventory(path)
    results = inventory.evaluate(lca.load_factors())
    total = results.total().set_index("criterion")
    assert (total["value"] == 0).all() and (total["coverage"] == "complete").all()
    per_visit = results.per_audience()
    assert per_visit["value"].isna().all() and (per_visit["coverage"] == ZERO_AUDIENCE).all()
    assert (results.total(["tier"])["value"] == 0).all()
    write_report(results, inventory, tmp_path / "report", formats=["json", "csv"])
    assert check_results_file(tmp_path / "report" / "results.json").ok
