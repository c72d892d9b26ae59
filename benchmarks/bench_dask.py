"""Benchmark of Monte Carlo on a Dask cluster: 10⁶ services × 10³ samples × all criteria (issue 16 §4).

Synthetic bills (30 flows spread over the catalogue, half of the quantities zero) and every factor lognormal
(``bench_monte_carlo.uncertain``); only factors vary, so each chunk of services is one product per block.
Prints the wall-clock time of ``lca_numerique.bridges.dask.monte_carlo`` (the client's set-up, the chunks on
the workers, the combination), the processor time each worker used, the peak resident memory of each worker
process and of the client, the machine and its load average; with ``--baseline N`` first the same Monte
Carlo in this process at N services (the in-process throughput, measured in the same run), and with
``--compare`` the same run in this process (same seed and chunk: the results are checked identical).

Run on demand: ``python benchmarks/bench_dask.py [--services N --samples M --workers W]``, or against a
running cluster: ``python benchmarks/bench_dask.py --scheduler tcp://host:8786``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import time

import numpy as np
from bench_engine import synthetic
from bench_monte_carlo import uncertain

from lca_numerique.bridges import dask as on_dask
from lca_numerique.montecarlo import CHUNK, monte_carlo


def peak_mb() -> float:
    """Peak resident memory of this process's program, MB: Linux's VmHWM, which starts afresh at ``exec``
    (``ru_maxrss`` would carry the peak of the parent that forked a worker)."""
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # KB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """Processor time (user + system) this process used since it started, s."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> str:
    """The processor, its cores and the load average now (shared machines: read the times with the load)."""
    model = platform.processor()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, load average {load}"


class TimeLimit(Exception):
    """The run went past ``--time-limit``: the services done so far give a measured rate."""


class Progress:
    """Prints the services done, the time and the rate about every tenth of the run; stops at the time limit."""

    def __init__(self, start: float, samples: int, limit: float | None) -> None:
        self.start, self.samples, self.limit = start, samples, limit
        self.done, self.shown = 0, 0.0

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        elapsed = time.perf_counter() - self.start
        if done / total >= self.shown + 0.1 or done == total:
            self.shown = done / total
            print(f"    {done:>9,} / {total:,} services  {elapsed:7.1f} s  "
                  f"({done * self.samples / elapsed:,.0f} service-samples per second)", flush=True)
        if self.limit is not None and elapsed > self.limit and done < total:
            raise TimeLimit(f"{done:,} of {total:,} services in {elapsed:.0f} s")


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
    parser.add_argument("--baseline", type=int, default=0, metavar="N",
                        help="first run in this process at N services (the in-process throughput)")
    parser.add_argument("--time-limit", type=float, help="stop (cleanly) after this many seconds, reporting the "
                                                            "services done")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    matrix, factors = synthetic(args.services, args.flows)
    factors = uncertain(factors)
    print(f"Monte Carlo on Dask: {args.services:,} services x {args.samples:,} samples x {args.flows} flows x "
          f"{len(factors.criteria)} criteria; chunks of {args.chunk:,} services "
          f"(synthetic inputs built in {time.perf_counter() - start:.1f} s)\n  {machine()}")
    options = {"samples": args.samples, "seed": 0, "chunk": args.chunk, "keep_samples": False,
               "memory_budget": args.memory_budget}
    if args.baseline:
        small, _ = synthetic(args.baseline, args.flows)
        start, cpu = time.perf_counter(), cpu_seconds()
        monte_carlo(small, factors, **options)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        work = args.baseline * args.samples
        print(f"  in this process, {args.baseline:,} services: {elapsed:8.1f} s, processor {cpu:.1f} s "
              f"({work / elapsed:,.0f} service-samples per second; {work / cpu:,.0f} per processor second)")
    cluster = contextlib.nullcontext(args.scheduler) if args.scheduler else LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit=0)
    with cluster as address, Client(address) as client:  # closed cleanly, even when the time limit stops the run
        before, cpu_before = client.run(peak_mb), client.run(cpu_seconds)
        start = time.perf_counter()
        progress = Progress(start, args.samples, args.time_limit)
        try:
            spread = on_dask.monte_carlo(matrix, factors, client=client, progress=progress, **options)
        except TimeLimit as stop:
            spread = None
            print(f"  stopped at the time limit: {stop} (the processor times below include chunks in progress)")
        elapsed = time.perf_counter() - start
        after, cpu_after = client.run(peak_mb), client.run(cpu_seconds)
        work = progress.done * args.samples
        used = sum(cpu_after[w] - cpu_before[w] for w in cpu_after)
        print(f"  {len(after)} workers, {progress.done:,} services: {elapsed:8.1f} s   ({work / elapsed:,.0f} "
              f"service-samples per second); workers' processor time {used:.1f} s ({work / used:,.0f} per "
              "processor second)")
        for worker, peak in after.items():
            print(f"  worker {worker}: peak resident memory {peak:7.0f} MB (at start {before[worker]:5.0f} MB), "
                  f"processor {cpu_after[worker] - cpu_before[worker]:.1f} s")
        print(f"  client: peak resident memory {peak_mb():7.0f} MB; load average after: {os.getloadavg()[0]:.1f}")
    if args.compare and spread is not None:
        start = time.perf_counter()
        alone = monte_carlo(matrix, factors, **options)
        print(f"  one process: {time.perf_counter() - start:8.1f} s")
        assert np.array_equal(alone.quantiles, spread.quantiles, equal_nan=True)
        assert np.array_equal(alone.portfolio, spread.portfolio, equal_nan=True)
        print("  identical statistics and portfolio samples")


if __name__ == "__main__":
    main()
