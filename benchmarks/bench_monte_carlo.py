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
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from bench_engine import best_of, synthetic

from lca_numerique.axes import PHASE_IDS
from lca_numerique.bill import Audience, BillOfMaterials, Line
from lca_numerique.criteria import MISSION_CRITERIA
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


def theory(p: float = 0.025) -> None:
    """Samples-needed ratios to expect for the p-quantile of a Gaussian total S = X + R, X carrying a share w
    of the variance and R the sum of many small independent inputs (the rest), by Gauss–Hermite quadrature.

    The sample quantile's variance is that of the indicator 1{S <= q}: p(1 - p). A Latin hypercube removes its
    additive part (X's main effect, and R's linear part: many small inputs); conditioning on X replaces the
    indicator by E[1{S <= q} | R]; both together remove that function's linear part in R as well.
    """
    from numpy.polynomial.hermite_e import hermegauss
    from scipy.stats import norm

    z, (t, weight) = norm.ppf(p), hermegauss(200)
    weight = weight / weight.sum()
    print(f"Expected ratios for the {100 * p:g} % quantile of a Gaussian total, X carrying a share w of its variance:")
    plain = p * (1 - p)
    print(f"  w = 0  : Latin hypercube {plain / (plain - norm.pdf(z) ** 2):5.2f}x (the indicator's additive share "
          f"phi(z)^2 / (p (1 - p)) = {norm.pdf(z) ** 2 / plain:.0%}); nothing to condition on")
    for w in (0.1, 0.2, 0.3, 0.5, 0.7):
        sx, sr = np.sqrt(w), np.sqrt(1 - w)
        given_r = norm.cdf((z - sr * t) / sx)  # E[1{S <= q} | R] at R = sr * t
        linear_r = (weight * given_r * t).sum() ** 2  # its additive part, carried by the many small inputs
        main_x = (weight * norm.cdf((z - sx * t) / sr) ** 2).sum() - p * p
        conditional = (weight * given_r ** 2).sum() - p * p
        print(f"  w = {w:.1f}: Latin hypercube {plain / (plain - main_x - linear_r):5.2f}x   conditional "
              f"{plain / conditional:6.2f}x   conditional + Latin hypercube {plain / (conditional - linear_r):6.2f}x")


VARIANTS = (("random", "empirical"), ("random", "conditional"), ("lhs", "empirical"), ("lhs", "conditional"),
            ("sobol", "empirical"), ("sobol", "conditional"))


def samplers(replicates: int, n: int, variants: Sequence[tuple[str, str]] = VARIANTS, detail: bool = False,
             save: str | None = None) -> dict[tuple[str, str], Any]:
    """Samples plain random sampling needs for the same precision of the portfolio's 95 % bounds as each
    (sampler, estimator), on the bundled example, measured in this run.

    Each variant is run ``replicates`` times at ``n`` samples (independent seeds: variant × 1000 + replicate);
    the variance of each bound (2.5 and 97.5 % of every covered criterion's portfolio total) across replicates
    is its precision. Random sampling's variance falls as 1/n, so random sampling with the sample quantile (the
    default) needs var_random / var_variant × n samples to match the variant: that is the ratio, per bound, with
    a 95 % interval from the F distribution (two independent variances of ``replicates`` - 1 degrees of
    freedom). The stopping-rule ratio compares the least precise bound of each (relative standard deviation),
    as ``precision=`` does, with a 95 % bootstrap interval over replicates. Bias: the largest difference of a
    variant's mean bound from the sample quantiles' (every sampler's replicates pooled), in standard errors.
    Time: the mean CPU time of a run (this process and its BLAS threads); "per second" is the stopping-rule
    ratio times random's time over the variant's (precision per second of computation).
    """
    from scipy.stats import f as fisher

    from lca_numerique.cli import example_path
    from lca_numerique.inventory import load_inventory

    inventory = load_inventory(example_path())
    factors = inventory.load_factors()
    bounds: dict[tuple[str, str], np.ndarray] = {}
    seconds: dict[tuple[str, str], float] = {}
    covered = None
    monte_carlo(inventory, factors, samples=64, sampler="sobol", estimator="conditional")  # imports, caches
    for v, (sampler, estimator) in enumerate(variants):
        runs = []
        seconds[(sampler, estimator)] = 0.0
        for r in range(replicates):
            start = time.process_time()  # CPU time: less disturbed than wall time by other jobs on the machine
            mc = monte_carlo(inventory, factors, samples=n, seed=1000 * v + r, sampler=sampler, estimator=estimator,
                             keep_samples=False)
            seconds[(sampler, estimator)] += (time.process_time() - start) / replicates
            table = mc.view(())
            covered = table["coverage"].ne("not covered").to_numpy()
            runs.append(table[["p2.5", "p97.5"]].to_numpy())
        bounds[(sampler, estimator)] = np.array(runs)[:, covered]  # [replicate, criterion, bound]
    criteria = table["criterion"].to_numpy()[covered]
    base = bounds[("random", "empirical")]
    low, high = (1 / fisher.ppf(q, replicates - 1, replicates - 1) for q in (0.975, 0.025))
    rng = np.random.default_rng(0)
    pooled = np.concatenate([x for (_, estimator), x in bounds.items() if estimator == "empirical"])

    def worst(x: np.ndarray) -> float:  # the least precise bound: its relative variance
        return float(np.max(x.var(axis=0, ddof=1) / x.mean(axis=0) ** 2))

    print(f"Samplers on the bundled example: {n} samples, {replicates} replicates per variant, {len(criteria)} "
          f"covered criteria x 2 bounds. Ratio = samples plain random sampling (sample quantiles) needs for the "
          f"same variance of a bound; a per-bound ratio is known within x{low:.2f} to x{high:.2f} (95 %).")
    mission = [list(criteria).index(c) for c in MISSION_CRITERIA if c in criteria]
    header = "  ".join(f"{c[:8]} {b}" for c in criteria[mission] for b in ("p2.5", "p97.5"))
    print(f"{'sampler / estimator':26s} {'stopping rule [95 % CI]':24s} {'per bound: min median max':26s} {header}"
          "  bias (max |z|)  CPU per run  per second")
    out = {}
    for key, x in bounds.items():
        ratio = base.var(axis=0, ddof=1) / x.var(axis=0, ddof=1)  # [criterion, bound]
        boot = [worst(base[rng.integers(0, replicates, replicates)]) / worst(x[rng.integers(0, replicates, replicates)])
                for _ in range(2000)]
        rule = worst(base) / worst(x)
        z = (x.mean(axis=0) - pooled.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) / replicates
                                                              + pooled.var(axis=0, ddof=1) / len(pooled))
        out[key] = {"ratio": ratio, "rule": rule, "rule_ci": np.quantile(boot, (0.025, 0.975)), "z": z,
                    "seconds": seconds[key]}
        per = "  ".join(f"{r:13.1f}" for r in ratio[mission].ravel())
        ci = out[key]["rule_ci"]
        print(f"{key[0] + ' / ' + key[1]:26s} {rule:6.1f}x [{ci[0]:5.1f}, {ci[1]:5.1f}]       "
              f"{ratio.min():5.1f} {np.median(ratio):6.1f} {ratio.max():7.1f}      {per}  {np.abs(z).max():5.1f}"
              f"          {seconds[key]:6.3f} s  {rule * seconds[('random', 'empirical')] / seconds[key]:6.1f}x")
    if save:
        np.savez(save, criteria=criteria, **{f"{k[0]}_{k[1]}": x for k, x in bounds.items()})
    if detail:
        print("Per bound (ratio), every covered criterion; relative standard deviation of random / empirical:")
        spread = np.sqrt(base.var(axis=0, ddof=1)) / base.mean(axis=0)
        print(f"{'criterion':32s} {'random rel. sd':>16s} " + " ".join(f"{k[0][:5]}/{k[1][:4]:>12s}" for k in out)
              + "   mean difference from the pooled sample quantiles, in standard errors")
        for i, criterion in enumerate(criteria):
            for b, name in enumerate(("p2.5", "p97.5")):
                print(f"{criterion[:26]:26s} {name:5s} {spread[i, b]:16.4f} "
                      + " ".join(f"{out[k]['ratio'][i, b]:17.1f}" for k in out)
                      + "   " + " ".join(f"{out[k]['z'][i, b]:+5.1f}" for k in out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=1_000)
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samplers", action="store_true", help="compare the samplers on the bundled example")
    parser.add_argument("--replicates", type=int, default=32)
    parser.add_argument("--size", type=int, default=1024, help="samples per run for --samplers (a power of two)")
    parser.add_argument("--detail", action="store_true", help="with --samplers: the ratio of every bound")
    parser.add_argument("--save", help="with --samplers: save every replicate's bounds to this .npz file")
    args = parser.parse_args()
    if args.samplers:
        theory()
        samplers(args.replicates, args.size, detail=args.detail, save=args.save)
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
