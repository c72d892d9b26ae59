"""Monte Carlo: the spread of every service's impacts, vectorised over samples and services.

Uncertain inputs are the factors (each factor row's distribution, see :mod:`lca_numerique.uncertainty`) and
the service parameters that declare one (defaults with a stated uncertainty, or the user's own). Each item
draws from its own stream seeded by the run's seed and its name, so two scenarios evaluated with the same seed
share every draw (common random numbers): the uncertainty of their difference is not drowned by the
uncertainty they share, and identical scenarios differ by exactly zero in every sample.

The work is array algebra: factor samples ``FS[sample, flow, criterion]`` (phases summed), then per block of
services ``R = Q @ FS`` as one matrix product over every sample at once; a service with uncertain parameters
draws them as arrays and goes through its own model once, vectorised over samples. Blocks are sized so that
memory stays under a budget (10,000 samples × 10,000 services fit in well under 2 GB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .bill import BillMatrix, BillOfMaterials
from .engine import evaluate
from .factors import FactorSet
from .services.base import SampledBillBuilder, Service
from .uncertainty import draw, uniforms

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .results import Results

QUANTILES = (0.025, 0.5, 0.975)


@dataclass(frozen=True, eq=False)
class MonteCarloResults:
    """Statistics of every service's total per criterion, and the portfolio's samples.

    ``deterministic`` holds the ordinary results. ``portfolio[sample, criterion]`` are the samples of the sum
    over services; ``samples[sample, service, criterion]`` are kept when they fit the memory budget.
    The mean of a lognormal sits above its median (the deterministic value): that is expected.
    """

    deterministic: Results
    criteria: tuple[str, ...]
    n: int
    seed: int
    mean: np.ndarray  # [service, criterion]
    std: np.ndarray
    quantiles: np.ndarray  # [quantile, service, criterion]
    portfolio: np.ndarray  # [sample, criterion]
    samples: np.ndarray | None = None

    @property
    def services(self) -> tuple[str, ...]:
        """Service names, in order."""
        return self.deterministic.services

    def summary(self, criteria: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy table: service (and "portfolio"), criterion, deterministic value, mean, median, std, 2.5 and
        97.5 percentiles, unit."""
        import pandas as pd

        units = self.deterministic.units()
        det = self.deterministic.total(("service",)).set_index(["service", "criterion"])["value"]
        wanted = [c for c in self.criteria if criteria is None or c in criteria]
        rows = []
        for s, service in enumerate(self.services):
            for c, criterion in enumerate(self.criteria):
                if criterion in wanted:
                    rows.append(self._row(service, criterion, det[(service, criterion)], self.mean[s, c],
                                          self.std[s, c], self.quantiles[:, s, c], units[criterion]))
        totals = self.deterministic.total(()).set_index("criterion")["value"]
        for c, criterion in enumerate(self.criteria):
            if criterion in wanted:
                column = self.portfolio[:, c]
                rows.append(self._row("portfolio", criterion, totals[criterion], column.mean(), column.std(),
                                      np.quantile(column, QUANTILES), units[criterion]))
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        """Jupyter display: the portfolio's statistics per criterion."""
        table = self.summary()
        return (f"<p><b>Monte Carlo</b>: {self.n} samples, seed {self.seed}. The mean sits above the deterministic "
                "value where factors are lognormal (skewed): expected.</p>"
                + table[table["service"] == "portfolio"].to_html(index=False, float_format=lambda v: f"{v:.4g}"))

    @staticmethod
    def _row(service: str, criterion: str, deterministic: float, mean: float, std: float, q: np.ndarray,
             unit: str) -> dict[str, Any]:
        return {"service": service, "criterion": criterion, "deterministic": deterministic, "mean": mean,
                "median": q[1], "std": std, "p2.5": q[0], "p97.5": q[2], "unit": unit}


def _factor_samples(factors: FactorSet, flows: Sequence[str], criteria: Sequence[str], n: int, seed: int,
                    uncertain: bool) -> np.ndarray:
    """FS[sample, flow, criterion]: factors summed over phases, with every factor drawn from its distribution."""
    values, _, _ = factors.aligned(flows, criteria)
    base = values.sum(axis=2)
    samples = np.broadcast_to(base, (n, *base.shape)).copy()
    if not uncertain:
        return samples
    position = {f: i for i, f in enumerate(flows)}
    column = {c: j for j, c in enumerate(criteria)}
    for (flow, criterion, phase), factor in factors.factors.items():
        if flow not in position or criterion not in column or factor.distribution.kind == "none":
            continue
        u = uniforms(seed, f"factor:{flow}:{criterion}:{phase}", n)
        samples[:, position[flow], column[criterion]] += draw(factor.distribution, factor.value, u) - factor.value
    return samples


def quantities_with(service: Service, samples: Mapping[str, Any], flows: Mapping[str, int], n: int) -> np.ndarray:
    """Q[sample, flow] of one service with some parameters given as arrays of ``n`` samples."""
    builder = service.with_samples(dict(samples)).builder(SampledBillBuilder)
    q = np.zeros((n, len(flows)))
    for flow, amount in builder.amounts.items():
        q[:, flows[flow]] += amount
    return q


def _service_quantities(service: Service, flows: dict[str, int], n: int, seed: int) -> np.ndarray:
    """Q[sample, flow] of one service, its uncertain parameters drawn (kept within their declared bounds)."""
    samples = {}
    for name, distribution in service.uncertainty.items():
        drawn = draw(distribution, service.values[name], uniforms(seed, f"service:{service.name}:{name}", n))
        spec = service.specs()[name]
        low = 0.0 if spec.minimum is None else spec.minimum
        high = 1.0 if spec.kind == "share" else (np.inf if spec.maximum is None else spec.maximum)
        samples[name] = np.clip(drawn, low, high)
    return quantities_with(service, samples, flows, n)


def monte_carlo(items: Sequence[Service] | Sequence[BillOfMaterials], factors: FactorSet, *, samples: int = 1000,
                seed: int = 0, factor_uncertainty: bool = True, keep_samples: bool | None = None,
                memory_budget: float = 400e6, progress: Callable[[int, int], None] | None = None
                ) -> MonteCarloResults:
    """Propagate uncertainty by Monte Carlo, vectorised over samples and services.

    ``items`` are services (their uncertain parameters are drawn too) or bills (only factors vary).
    ``samples`` draws, reproducible for a ``seed``. ``keep_samples`` (default: when they fit the budget) keeps
    every service's samples for later comparisons; ``memory_budget`` (bytes) bounds the working arrays.
    """
    bills = [s.bill_of_materials() if isinstance(s, Service) else s for s in items]
    staged = BillMatrix.stack(bills)
    deterministic = evaluate(staged, factors)
    matrix = staged.by_flow()  # samples need no stage: one column per flow
    flows = {f: i for i, f in enumerate(matrix.flows)}
    criteria = deterministic.criteria
    n_services, n_flows, n_criteria = len(bills), len(flows), len(criteria)
    fs = _factor_samples(factors, matrix.flows, criteria, samples, seed, factor_uncertainty)
    # Services whose quantities are fixed share one product against every sample at once:
    # Q[block, flow] @ FS[flow, (sample, criterion)], a single BLAS call per block.
    fs_by_flow = fs.transpose(1, 0, 2).reshape(n_flows, samples * n_criteria)
    uncertain = [i for i, s in enumerate(items) if isinstance(s, Service) and s.uncertainty]
    fixed = [i for i in range(n_services) if i not in set(uncertain)]
    per_service_bytes = samples * n_criteria * 8 * 3  # the block's results, its sorted copy for quantiles, slack
    block = max(1, min(max(len(fixed), 1), int(memory_budget // per_service_bytes)))
    keep = (samples * n_services * n_criteria * 8 <= memory_budget) if keep_samples is None else keep_samples
    kept = np.empty((samples, n_services, n_criteria)) if keep else None
    mean = np.empty((n_services, n_criteria))
    std = np.empty_like(mean)
    quantiles = np.empty((len(QUANTILES), n_services, n_criteria))
    portfolio = np.zeros((samples, n_criteria))

    def record(index: Sequence[int], r: np.ndarray) -> None:  # r[service, sample, criterion]
        nonlocal portfolio
        portfolio += r.sum(axis=0)
        mean[index] = r.mean(axis=1)
        std[index] = r.std(axis=1)
        quantiles[:, index] = np.quantile(r, QUANTILES, axis=1)
        if kept is not None:
            kept[:, index] = r.transpose(1, 0, 2)

    done = 0
    for start in range(0, len(fixed), block):
        index = fixed[start:start + block]
        r = (matrix.quantities[index] @ fs_by_flow).reshape(len(index), samples, n_criteria)
        record(index, r)
        done += len(index)
        if progress is not None:
            progress(done, n_services)
    for i in uncertain:  # one vectorised draw of the service's own parameters, then all samples at once
        q = _service_quantities(items[i], flows, samples, seed)  # [sample, flow]
        record([i], np.einsum("nf,nfc->nc", q, fs)[None])
        done += 1
        if progress is not None:
            progress(done, n_services)
    return MonteCarloResults(deterministic, criteria, samples, seed, mean, std, quantiles, portfolio, kept)


def probability_lower(a: MonteCarloResults, b: MonteCarloResults) -> pd.Series:
    """Per criterion, the probability that B's portfolio total is below A's (run both with the same seed)."""
    import pandas as pd

    if a.n != b.n or a.seed != b.seed:
        raise ValueError("compare runs with the same number of samples and the same seed (common random numbers)")
    columns = [c for c in a.criteria if c in b.criteria]
    lower = [(b.portfolio[:, b.criteria.index(c)] < a.portfolio[:, a.criteria.index(c)]).mean() for c in columns]
    return pd.Series(lower, index=pd.Index(columns, name="criterion"), name="P(B < A)")
