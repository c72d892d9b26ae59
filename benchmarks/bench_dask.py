"""Benchmark of Monte Carlo on a Dask cluster: 10⁶ services × 10³ samples × all criteria (issue 16 §4).

Synthetic bills (30 flows spread over the catalogue, half of the quantities zero) and every factor lognormal
(``bench_monte_carlo.uncertain``); only factors vary, so each chunk of services is one product per block.
Prints the wall-clock time of ``lca_numerique.bridges.dask.monte_carlo`` (the client's set-up, the chunks on
the workers, the combination), the peak resident memory of each worker process and of the client, and with
``--compare`` the same run in this process (same seed and chunk: the results are checked identical).

Run on demand: ``python benchmarks/bench_dask.py [--services N --samples M --workers W]``, or against a
running cluster: ``python benchmarks/bench_dask.py --scheduler tcp://host:8786``.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from bench_engine import synthetic
from bench_monte_carlo import uncertain

from lca_numerique.bridges import dask as on_dask
from lca_numerique.montecarlo import CHUNK, monte_carlo


def peak_mb() -> float:
    """Peak resident memory of this process since it started, MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (one thread each)")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="services per task")
    parser.add_argument("--memory-budget", type=float, default=400e6, help="bytes of working arrays per chunk")
    parser.add_argument("--scheduler", help="address of a running scheduler (else a LocalCluster)")
    parser.add_argument("--compare", action="store_true", help="also run in this process and check identity")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    matrix, factors = synthetic(args.services, args.flows)
    factors = uncertain(factors)
    print(f"Monte Carlo on Dask: {args.services:,} services x {args.samples:,} samples x {args.flows} flows x "
          f"{len(factors.criteria)} criteria; chunks of {args.chunk:,} services "
          f"(synthetic inputs built in {time.perf_counter() - start:.1f} s)")
    cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                                        dashboard_address=None, memory_limit=0)
    with Client(args.scheduler or cluster) as client:
        before = client.run(peak_mb)
        options = {"samples": args.samples, "seed": 0, "chunk": args.chunk, "keep_samples": False,
                   "memory_budget": args.memory_budget}
        start = time.perf_counter()
        spread = on_dask.monte_carlo(matrix, factors, client=client, **options)
        elapsed = time.perf_counter() - start
        after = client.run(peak_mb)
        print(f"  {len(after)} workers: {elapsed:8.1f} s   ({args.services * args.samples / elapsed:,.0f} "
              "service-samples per second)")
        for worker, peak in after.items():
            print(f"  worker {worker}: peak resident memory {peak:7.0f} MB (at start {before[worker]:5.0f} MB)")
        print(f"  client: peak resident memory {peak_mb():7.0f} MB")
    if cluster is not None:
        cluster.close()
    if args.compare:
        start = time.perf_counter()
        alone = monte_carlo(matrix, factors, **options)
        print(f"  one process: {time.perf_counter() - start:8.1f} s")
        assert np.array_equal(alone.quantiles, spread.quantiles, equal_nan=True)
        assert np.array_equal(alone.portfolio, spread.portfolio, equal_nan=True)
        print("  identical statistics and portfolio samples")


if __name__ == "__main__":
    main()
