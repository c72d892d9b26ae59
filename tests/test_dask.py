"""The Dask path gives the single-process answer (issue 16 §4), on a LocalCluster of two worker processes.

Oracles: the single-process functions (``evaluate``, ``monte_carlo``, ``pages_table``) on the same input, which
the rest of the suite checks against hand calculations and reference implementations; and, for the table of
pages, ``compare_methods`` and ``evaluate`` on each page built alone as a ``Website``.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import lca_numerique as lca
from lca_numerique.bill import BillMatrix
from lca_numerique.cli import example_path
from lca_numerique.errors import ArgumentError
from lca_numerique.montecarlo import monte_carlo
from lca_numerique.services import Website
from lca_numerique.web_methods import compare_methods
from lca_numerique.web_methods.table import pages_table

if os.environ.get("CI") != "true":  # in CI the extra is installed and these tests must run
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
from lca_numerique.bridges import dask as on_dask


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def inventory():
    return lca.load_inventory(example_path())


@pytest.fixture(scope="module")
def factors(inventory):
    return inventory.load_factors()


@pytest.fixture(scope="module")
def services(inventory):
    return [s for _, s in inventory.portfolio.all_services()]


def test_bills_and_evaluate_on_the_cluster_equal_one_process(client, services, factors):
    matrix = on_dask.bills(services, client=client, chunk=3)
    alone = BillMatrix.stack([s.bill_of_materials() for s in services])
    assert matrix.flows == alone.flows and matrix.stages == alone.stages and matrix.services == alone.services
    np.testing.assert_array_equal(matrix.quantities, alone.quantities)
    ours, theirs = on_dask.evaluate(services, factors, client=client, chunk=3), lca.evaluate(alone, factors)
    np.testing.assert_array_equal(ours.values, theirs.values)  # NaN where not covered, on both sides
    for by in (("service", "stage"), ("kind",), ()):
        pd.testing.assert_frame_equal(ours.total(by), theirs.total(by), check_exact=True)


def _assert_same_run(a, b):
    assert a.views.keys() == b.views.keys()
    for key, view in a.views.items():
        other = b.views[key]
        assert view.labels == other.labels
        for name in ("mean", "std", "quantiles", "samples"):
            np.testing.assert_array_equal(getattr(view, name), getattr(other, name), err_msg=f"{key} {name}")
    np.testing.assert_array_equal(a.portfolio, b.portfolio)


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_monte_carlo_on_the_cluster_equals_one_process(client, inventory, services, factors, sampler):
    """Same seed, same chunk size: every statistic and sample identical, bit for bit, though the chunks ran in
    two other processes; the example's services draw their own parameters too (page weight, time...)."""
    assert any(s.uncertainty for s in services)
    options = {"samples": 32, "seed": 11, "sampler": sampler, "chunk": 3, "keep_samples": True,
               "by": [("tier",), ("stage",), ("kind",), ("service", "phase")]}
    alone = monte_carlo(services, factors, **options)
    spread = on_dask.monte_carlo(services, factors, client=client, **options)
    _assert_same_run(spread, alone)
    # the samples are the model's: each view adds up to the portfolio in every sample
    for view in (("tier",), ("stage",), ("kind",)):
        _, samples = spread.samples_of(view)
        np.testing.assert_allclose(np.nansum(samples, axis=1), np.nan_to_num(spread.portfolio), rtol=1e-12)


def test_chunk_size_changes_only_the_order_of_sums(services, factors):
    """Draws are keyed by name, not by chunk: another chunk size gives the same samples up to the order in which
    services are added (last bits), and the same per-service quantiles."""
    one = monte_carlo(services, factors, samples=32, seed=5, chunk=2, keep_samples=True)
    other = monte_carlo(services, factors, samples=32, seed=5, keep_samples=True)
    np.testing.assert_allclose(one.samples, other.samples, rtol=1e-13)
    np.testing.assert_allclose(one.portfolio, other.portfolio, rtol=1e-13)


@pytest.mark.parametrize("samples", [2, 37])
def test_chunk_statistics_equal_numpy_on_the_kept_samples(inventory, factors, samples):
    """Each chunk computes its services' statistics on contiguous rows (a sort for the quantiles): they equal
    numpy's ``np.quantile`` (bit for bit), mean and std of the samples kept; per-tier statistics of a service
    add up to its mean (linearity); with an odd count the quantiles interpolate between two samples."""
    from lca_numerique.montecarlo import QUANTILES

    mc = monte_carlo(inventory, factors, samples=samples, seed=3, chunk=2, keep_samples=True,
                     by=[("service", "tier"), ("kind",)])
    covered = ~np.isnan(mc.mean)
    assert covered.any()
    np.testing.assert_array_equal(mc.quantiles[:, covered], np.quantile(mc.samples, QUANTILES, axis=0)[:, covered])
    np.testing.assert_allclose(mc.mean[covered], mc.samples.mean(axis=0)[covered], rtol=1e-13)
    np.testing.assert_allclose(mc.std[covered], mc.samples.std(axis=0)[covered], rtol=1e-11, atol=1e-300)
    tiers = mc.views[("service", "tier")]
    per_tier = np.nan_to_num(tiers.mean).reshape(len(mc.services), -1, len(mc.criteria)).sum(axis=1)
    np.testing.assert_allclose(per_tier[covered], mc.mean[covered], rtol=1e-12)
    labels, kinds = mc.samples_of(("kind",))
    by_kind = dict(zip(mc.deterministic.services, mc.deterministic.kinds, strict=True))
    for j, (kind,) in enumerate(labels):  # sums of services made by adding quantities first: the same samples
        members = [i for i, s in enumerate(mc.services) if by_kind[s] == kind]
        np.testing.assert_allclose(np.nan_to_num(kinds[:, j]), np.nansum(mc.samples[:, members], axis=1), rtol=1e-12)


# -- a table of pages ----------------------------------------------------------------------------------------
def _pages(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "url": [f"https://example.fr/{i}" for i in range(n)],
        "page_weight": np.round(rng.lognormal(0.5, 1.0, n), 4),  # MB
        "visits": rng.integers(1, 100_000, n).astype(float),
        "pages_per_visit": np.round(rng.uniform(1, 5, n), 2),
        "first_visit_share": np.round(rng.uniform(0, 1, n), 3),
        "time_per_visit": np.round(rng.uniform(5, 600, n), 1),
        "dom_nodes": rng.integers(50, 5000, n).astype(float),
        "requests": rng.integers(1, 300, n).astype(float),
    })
    frame.loc[2, "dom_nodes"] = np.nan  # a page measured without its DOM: no EcoIndex, the rest computed
    return frame


def test_a_table_of_pages_equals_each_page_computed_alone(factors):
    from lca_numerique.web_methods.compare import ECOINDEX, ONEBYTE, OURS, SWD_V3, SWD_V4, TOTAL

    frame = _pages(12, seed=1)
    table = pages_table(frame, factors)
    assert list(table["url"]) == list(frame["url"])
    for i, row in frame.iterrows():
        given = {k: v for k, v in row.items() if k != "url" and not pd.isna(v)}
        page = Website(row["url"], **{**given, "visits": row["visits"]})
        compared = compare_methods(page, factors).set_index(["method", "criterion", "tier"])["value"]
        assert table.loc[i, "swd_v3_g"] == compared[(SWD_V3, "climate_change", TOTAL)]
        assert table.loc[i, "swd_v4_g"] == compared[(SWD_V4, "climate_change", TOTAL)]
        assert table.loc[i, "onebyte_g"] == compared[(ONEBYTE, "climate_change", TOTAL)]
        if (ECOINDEX, "climate_change", TOTAL) in compared.index:
            assert table.loc[i, "ecoindex_ghg_g"] == compared[(ECOINDEX, "climate_change", TOTAL)]
            assert table.loc[i, "ecoindex_water_cl"] == compared[(ECOINDEX, "water_consumption", TOTAL)]
        elif "ecoindex_ghg_g" in table:
            assert i == 2 and np.isnan(table.loc[i, "ecoindex_ghg_g"]) and table.loc[i, "ecoindex_grade"] == ""
        alone = lca.evaluate([page.bill_of_materials()], factors).per_audience().set_index("criterion")
        for criterion in ("climate_change", "ecotoxicity_freshwater"):
            expected = alone.loc[criterion, "value"]
            assert table.loc[i, f"lca_{criterion}_coverage"] == alone.loc[criterion, "coverage"]
            # one product for the whole table: BLAS blocks rows differently from a one-row product (last bits)
            assert table.loc[i, f"lca_{criterion}"] == pytest.approx(expected, rel=1e-14, nan_ok=True)
        assert table.loc[i, "lca_climate_change"] * 1000 == pytest.approx(compared[(OURS, "climate_change", TOTAL)],
                                                                          rel=1e-14)


def test_a_table_of_pages_refuses_bad_columns_and_values(factors):
    frame = _pages(4, seed=2)
    with pytest.raises(ArgumentError, match=r"'page_wieght'.*did you mean 'page_weight'"):
        pages_table(frame.rename(columns={"page_weight": "page_wieght"}), factors)
    bad = frame.copy()
    bad.loc[3, "first_visit_share"] = 1.5
    with pytest.raises(ArgumentError, match=r"'first_visit_share', row 3: 1.5"):
        pages_table(bad, factors)
    bad = frame.assign(page_weight=frame["page_weight"].astype(str))
    with pytest.raises(ArgumentError, match=r"'page_weight' must hold numbers"):
        pages_table(bad, factors)


def test_a_parquet_table_of_pages_on_the_cluster_equals_one_process(client, factors, tmp_path):
    import dask.dataframe as dd

    frame = _pages(20, seed=3)
    dd.from_pandas(frame, npartitions=2).to_parquet(tmp_path / "pages")
    on_dask.pages_parquet(str(tmp_path / "pages"), str(tmp_path / "results"), factors=factors,
                          criteria=["climate_change", "ecotoxicity_freshwater"], client=client)
    written = pd.read_parquet(tmp_path / "results").sort_index()
    expected = pages_table(frame, factors, ["climate_change", "ecotoxicity_freshwater"])
    assert len(written) == 20 and list(written.columns) == list(expected.columns)
    for column in expected.columns:
        if column.startswith("lca_") and not column.endswith("_coverage"):
            # one product per partition: BLAS may block rows differently from the whole table's (last bits)
            np.testing.assert_allclose(written[column], expected[column], rtol=1e-14, err_msg=column)
        else:  # element-wise arithmetic: identical
            np.testing.assert_array_equal(written[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
