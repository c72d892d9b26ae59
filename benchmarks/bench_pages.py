"""Benchmark of a table of pages through ``dask.dataframe``: 10⁶ synthetic pages in a Parquet file (issue 16 §4).

Writes a Parquet table of synthetic pages (URL, page weight in MB, visits, DOM nodes, requests; the other
Website parameters take their defaults) in a temporary directory, in ``--partitions`` files, then times, in
the same run:

- the I/O floor: pandas reads the table and writes as many float columns as the results have (no computation);
- one process: pandas reads it, :func:`lca_numerique.web_methods.table.pages_table` computes every page (our
  model per visit for every criterion with coverage, SWD v3 and v4, OneByte, EcoIndex), pandas writes it;
- Dask: :func:`lca_numerique.bridges.dask.pages_parquet` on a ``LocalCluster`` of ``--workers`` processes
  (one thread each), partition by partition, or on a running cluster (``--scheduler``): twice, the first
  time on fresh workers (imports, first calls), the second on warm ones.

The two results are checked equal (element-wise columns identical, our model's to 1e-14 relative: a product
per partition blocks rows differently from one product for the whole table). Prints each wall-clock time and
the processor time it used (on a shared machine the processor time is the figure that does not depend on the
other jobs), pages per second and the peak resident memory of each worker. Run on demand:
``python benchmarks/bench_pages.py [--pages N --partitions P --workers W]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from bench_dask import cpu_seconds, machine, peak_mb

import lca_numerique as lca
from lca_numerique.bridges import dask as on_dask
from lca_numerique.web_methods.table import pages_table


def synthetic_pages(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` pages: a lognormal page weight (median 1.6 MB), visits, DOM nodes and requests drawn uniformly."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "url": [f"https://example.fr/page/{i}" for i in range(n)],
        "page_weight": np.round(rng.lognormal(0.5, 1.0, n), 4),
        "visits": rng.integers(1, 100_000, n).astype(float),
        "dom_nodes": rng.integers(50, 5000, n).astype(float),
        "requests": rng.integers(1, 300, n).astype(float),
    })


def timed(label: str, n: int, func: Callable[[], object], processor: Callable[[], float] = cpu_seconds) -> None:
    """Run ``func()`` once; print its wall-clock time and the processor time ``processor()`` counts."""
    start, cpu = time.perf_counter(), processor()
    func()
    elapsed, cpu = time.perf_counter() - start, processor() - cpu
    print(f"  {label:<72} {elapsed:7.1f} s  ({n / elapsed:,.0f} pages per second); processor {cpu:6.1f} s "
          f"({n / cpu:,.0f} pages per processor second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=16, help="Parquet files (dask partitions)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (one thread each)")
    parser.add_argument("--scheduler", help="address of a running scheduler (else a LocalCluster)")
    args = parser.parse_args()
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    factors = lca.load_factors()
    print(f"A table of pages through dask.dataframe: {args.pages:,} pages in {args.partitions} Parquet files, "
          f"{len(factors.criteria)} criteria; {machine()}")
    with tempfile.TemporaryDirectory(prefix="lca_pages_") as tmp:
        source = os.path.join(tmp, "pages")
        dd.from_pandas(synthetic_pages(args.pages), npartitions=args.partitions).to_parquet(source)
        expected_columns = len(pages_table(synthetic_pages(4), factors).columns)

        def floor() -> None:
            frame = pd.read_parquet(source)
            out = pd.DataFrame(np.zeros((len(frame), expected_columns)), index=frame.index)
            out.columns = out.columns.astype(str)
            out.to_parquet(os.path.join(tmp, "floor.parquet"))

        def one_process() -> None:
            pages_table(pd.read_parquet(source), factors).to_parquet(os.path.join(tmp, "alone.parquet"))

        timed("I/O floor (pandas: read, write as many float columns)", args.pages, floor)
        timed("one process (pandas read, pages_table, write)", args.pages, one_process)
        cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                                            processes=True, dashboard_address=None)
        with Client(args.scheduler or cluster) as client:
            before = client.run(peak_mb)
            spread = os.path.join(tmp, "spread")
            def cluster_cpu() -> float:  # the workers' and this process's (client and local scheduler)
                return sum(client.run(cpu_seconds).values()) + cpu_seconds()

            for state in ("cold workers: imports, first calls", "warm workers"):
                timed(f"Dask, {len(before)} workers (pages_parquet), {state}", args.pages,
                      lambda: on_dask.pages_parquet(source, spread, factors=factors, client=client), cluster_cpu)
            for worker, peak in client.run(peak_mb).items():
                print(f"  worker {worker}: peak resident memory {peak:7.0f} MB (at start {before[worker]:5.0f} MB)")
        if cluster is not None:
            cluster.close()
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        alone = pd.read_parquet(os.path.join(tmp, "alone.parquet")).sort_index()
        written = pd.read_parquet(spread).sort_index()
        assert list(written.columns) == list(alone.columns) and len(written) == len(alone) == args.pages
        for column in alone.columns:
            if column.startswith("lca_") and not column.endswith("_coverage"):
                np.testing.assert_allclose(written[column], alone[column], rtol=1e-14, err_msg=column)
            else:
                np.testing.assert_array_equal(written[column].to_numpy(), alone[column].to_numpy(), err_msg=column)
        print("  the same results in one process and on the cluster")


if __name__ == "__main__":
    main()
