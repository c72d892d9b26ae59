"""Benchmark of the engine: 100,000 services x 30 flows x all criteria x 4 phases.

Prints the engine's time and its ratio to a bare ``numpy.einsum('sf,fcp->scp')`` of the same shapes,
measured in the same run (target: within 2x). Run on demand: ``python benchmarks/bench_engine.py``.
Each timing is the best of several repeats, to dampen the noise of shared machines.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import lca_numerique as lca
from lca_numerique.axes import PHASE_IDS, TIER_IDS
from lca_numerique.criteria import CRITERION_IDS
from lca_numerique.factors import FactorSet
from lca_numerique.flows import FLOWS


def best_of(repeats: int, func: Callable[[], object]) -> float:
    """Best wall-clock time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic(n_services: int, n_flows: int, seed: int = 0) -> tuple[lca.BillMatrix, FactorSet]:
    """Random non-negative quantities (half of them zero) and factors, every criterion.

    The flows are spread evenly over the catalogue, so every tier is represented as in real bills.
    """
    rng = np.random.default_rng(seed)
    catalogue = list(FLOWS)
    flows = tuple(catalogue[i] for i in np.linspace(0, len(catalogue) - 1, n_flows).astype(int))
    quantities = rng.lognormal(size=(n_services, n_flows)) * (rng.random((n_services, n_flows)) < 0.5)
    matrix = lca.BillMatrix.from_arrays([f"s{i}" for i in range(n_services)], flows, quantities,
                                        rng.integers(1, 10_000, n_services), "visit")
    values = rng.lognormal(size=(n_flows, len(CRITERION_IDS), len(PHASE_IDS)))
    factors = FactorSet(id="synthetic", version="0", title="random factors", licence="none", sources={},
                        flows=flows, criteria=CRITERION_IDS, values=values,
                        covered=np.ones((n_flows, len(CRITERION_IDS)), dtype=bool), factors={})
    return matrix, factors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    matrix, factors = synthetic(args.services, args.flows)
    q, f = matrix.quantities, factors.values

    bare = best_of(args.repeats, lambda: np.einsum("sf,fcp->scp", q, f))
    tier_of = np.array([TIER_IDS.index(FLOWS[flow].tier) for flow in matrix.flows])
    onehot = np.eye(len(TIER_IDS))[tier_of]
    bare_tiers = best_of(args.repeats, lambda: np.einsum("sf,ft,fcp->stcp", q, onehot, f, optimize=True))
    evaluate = best_of(args.repeats, lambda: lca.evaluate(matrix, factors))
    cube = best_of(args.repeats, lambda: lca.evaluate(matrix, factors).values)
    totals = best_of(args.repeats, lambda: lca.evaluate(matrix, factors).total(("service",)))
    validate = best_of(args.repeats, lambda: lca.BillMatrix.from_arrays(
        matrix.services, matrix.flows, q, matrix.audience, "visit"))
    results = lca.evaluate(matrix, factors)
    np.testing.assert_allclose(results.values.sum(axis=1), np.einsum("sf,fcp->scp", q, f), rtol=1e-10)

    shape = f"{args.services:,} services x {args.flows} flows x {len(CRITERION_IDS)} criteria x {len(PHASE_IDS)} phases"
    print(f"engine benchmark: {shape}")
    print("  ratios: to the bare einsum 'sf,fcp->scp' (no tier axis) | to the same-output einsum "
          "'sf,ft,fcp->stcp' (optimize=True)")
    rows = [
        ("bare einsum 'sf,fcp->scp'", bare, "baseline"),
        ("bare einsum 'sf,ft,fcp->stcp', optimize", bare_tiers, "baseline, same output as the cube"),
        ("evaluate: alignment + coverage", evaluate, ""),
        ("evaluate + full cube [s, tier, c, phase]", cube, "target <= 2 (same output)"),
        ("evaluate + total by service (DataFrame)", totals, ""),
        ("BillMatrix.from_arrays (validation)", validate, ""),
    ]
    for label, seconds, note in rows:
        print(f"  {label:42s} {seconds * 1e3:8.1f} ms  {seconds / bare:5.2f} | {seconds / bare_tiers:5.2f}  {note}")


if __name__ == "__main__":
    main()
