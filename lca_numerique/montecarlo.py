"""Monte Carlo: the spread of every service's impacts, vectorised over samples and services.

What is drawn:

- **factor parameters** (a device's lifetime and hours of use, its embodied impact, a power, kWh per GB, a PUE):
  each parameter is drawn once per sample and every derived factor that uses it is evaluated on the arrays of
  draws with its own formula and units. A smartphone's lifetime thus moves its manufacturing, distribution
  and end-of-life rows, on every criterion, together: drawing each row on its own would average the shared
  uncertainty away and narrow the intervals of device-dominated services;
- **factor rows** given as plain values, from their own distribution (and derived rows whose inputs declare no
  uncertainty);
- **service parameters** that declare a distribution (defaults with a stated uncertainty, or the user's own).

Each item draws from its own column of uniform numbers, by its name (see :class:`~lca_numerique.uncertainty.
Uniforms`: plain random, Latin hypercube or scrambled Sobol'), so two scenarios evaluated with the same seed
share every draw (common random numbers) and identical scenarios differ by exactly zero in every sample.

Coverage follows the deterministic results: a total that is ``not covered`` has NaN statistics and NaN samples,
never a 0 with a [0, 0] interval; a ``partial`` total's statistics cover what the factors cover, and say so in
the ``coverage`` column.

Statistics exist for any view (``by``): service, kind, campaign, tier, stage, phase and their combinations,
and the portfolio (``()``). With ``estimator="conditional"`` the portfolio's quantiles are estimated by
conditional Monte Carlo on each criterion's most influential lognormal input (see :func:`_conditioning`), which
is what lets Latin hypercube and Sobol' points sharpen the bounds. With ``precision=0.02`` the run goes on by
batches until the 2.5 % and 97.5 % bounds of every covered portfolio total are known to ±2 % with 95 %
confidence (judged from the spread of the bounds between independent batches).

The work is array algebra: factor samples ``FS[sample, flow, criterion(, phase)]``, then per block of services
``R = Q @ FS`` as one matrix product over every sample at once (one per tier or stage when they are asked
for); a service with uncertain parameters goes through its own model once, vectorised over samples. Blocks
are sized so that memory stays under a budget.

Services are evaluated in chunks of consecutive services (:data:`CHUNK`, by position), each by
:func:`run_chunk`: in this process, or on a Dask cluster (:mod:`lca_numerique.bridges.dask`). A service's
statistics come from its own samples within its chunk (exact quantiles); views summing services (the
portfolio, kinds, campaigns) add each chunk's sums in chunk order. Every draw is keyed by the item's name,
never by the chunk or the process, and a chunk's arithmetic does not depend on where it runs: a run gives the
same numbers, bit for bit, in one process or spread over any number of workers, for the same ``chunk`` size
and the same BLAS threading (Dask workers run a single-threaded BLAS; a multithreaded OpenBLAS splits large
products differently, which changes the last bits: set ``OPENBLAS_NUM_THREADS=1`` to compare bit for bit).
Another chunk size gives the same draws and the same results up to the last bits (~1e-15 relative): the
products and sums are then blocked differently.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .axes import PHASE_IDS, TIER_IDS
from .bill import BillMatrix, BillOfMaterials
from .engine import evaluate
from .errors import ArgumentError, LcaError
from .factors import FactorSet
from .flows import FLOWS
from .services import Portfolio
from .services.base import SampledBillBuilder, Service
from .uncertainty import Uniforms, conditional_quantiles, draw

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors.model import Factor
    from .functional_units import FunctionalUnit
    from .results import Results

QUANTILES = (0.025, 0.5, 0.975)
#: Axes a Monte Carlo view can keep; ``()`` is the portfolio.
VIEW_AXES: tuple[str, ...] = ("service", "kind", "campaign", "tier", "stage", "phase")
NOT_COVERED = "not covered"
STATISTICS = ("mean", "median", "std", "p2.5", "p97.5")
MIN_BATCHES = 3  # below this, the spread between batches says too little about precision
ESTIMATORS = ("empirical", "conditional")


@dataclass(frozen=True, eq=False)
class View:
    """Monte Carlo statistics of one view: ``labels[group]`` (a tuple per kept axis) × criterion."""

    axes: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    mean: np.ndarray  # [group, criterion]
    std: np.ndarray
    quantiles: np.ndarray  # [quantile, group, criterion]
    samples: np.ndarray | None  # [sample, group, criterion], when kept


@dataclass(frozen=True, eq=False)
class MonteCarloResults:
    """Statistics of every service's total per criterion, the portfolio's samples, and any other view.

    ``deterministic`` holds the ordinary results. ``portfolio[sample, criterion]`` are the samples of the sum
    over services; ``samples[sample, service, criterion]`` are kept when they fit the memory budget.
    Not-covered totals are NaN everywhere. The mean of a lognormal sits above its median (the deterministic
    value): that is expected.
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
    views: Mapping[tuple[str, ...], View] = field(default_factory=dict)
    sampler: str = "random"
    precision: pd.DataFrame | None = None  # with a stopping rule: the precision reached per criterion
    estimator: str = "empirical"  # how the portfolio's quantiles were estimated

    @property
    def services(self) -> tuple[str, ...]:
        """Service names, in order."""
        return self.deterministic.services

    def summary(self, criteria: Sequence[str] | None = None, by: Sequence[str] | str | None = None
                ) -> pd.DataFrame:
        """Tidy statistics: the view's axes, criterion, deterministic value, mean, median, std, 2.5 and 97.5
        percentiles, unit, coverage.

        Without ``by``: one row per service and criterion, then the ``portfolio`` rows (service "portfolio").
        With ``by`` (any view computed by the run, e.g. ``("tier",)``, ``("kind", "phase")``, ``()``): that view.
        Statistics of a not-covered total are NaN.
        """
        import pandas as pd

        if by is None:
            services = self.view(("service",))
            portfolio = self.view(()).assign(service="portfolio")
            table = pd.concat([services.assign(service=services["service"].astype(str)), portfolio],
                              ignore_index=True)
        else:
            table = self.view(by)
        if criteria is not None:
            from .criteria import get_criterion

            wanted = {get_criterion(c).id for c in criteria}
            table = table[table["criterion"].isin(wanted)]
        return table.reset_index(drop=True)

    def view(self, by: Sequence[str] | str) -> pd.DataFrame:
        """The tidy statistics of one view (see :meth:`summary`)."""
        key = _view_key(by)
        if key not in self.views:
            raise ArgumentError("by", f"the run has no view {list(key)}; run monte_carlo(..., by=[{list(key)}]); "
                                      f"computed: {', '.join(str(list(v)) for v in self.views)}")
        return _view_table(self.views[key], self.criteria, self.deterministic)

    def per_unit(self, unit: FunctionalUnit, by: Sequence[str] | str = ("service",)) -> pd.DataFrame:
        """The statistics of a view per a declared functional unit (per inhabitant, per euro, per mailbox-week:
        see :func:`lca_numerique.functional_units.monte_carlo_per_unit`)."""
        from .functional_units import monte_carlo_per_unit

        return monte_carlo_per_unit(self, unit, by)

    def samples_of(self, by: Sequence[str] | str) -> tuple[tuple[tuple[str, ...], ...], np.ndarray]:
        """``(labels, samples[sample, group, criterion])`` of a view whose samples were kept (NaN where not
        covered)."""
        view = self.views.get(_view_key(by))
        if view is None or view.samples is None:
            raise ArgumentError("by", f"the samples of view {list(_view_key(by))} were not kept")
        return view.labels, view.samples

    def _repr_html_(self) -> str:
        """Jupyter display: the portfolio's statistics per criterion."""
        table = self.view(())
        bounds = ", conditional bounds" if self.estimator == "conditional" else ""
        return (f"<p><b>Monte Carlo</b>: {self.n} samples ({self.sampler}{bounds}), seed {self.seed}. The mean sits "
                "above the deterministic value where factors are lognormal (skewed): expected.</p>"
                + table.to_html(index=False, float_format=lambda v: f"{v:.4g}"))


def _view_key(by: Sequence[str] | str) -> tuple[str, ...]:
    axes = (by,) if isinstance(by, str) else tuple(by)
    unknown = [a for a in axes if a not in VIEW_AXES]
    if unknown:
        raise ArgumentError("by", f"unknown axis {unknown}; accepted: {', '.join(VIEW_AXES)} (or () for the "
                                  "portfolio)")
    return tuple(a for a in VIEW_AXES if a in axes)


def _views(by: Any) -> list[tuple[str, ...]]:
    """The views asked for: one axis name, one view (a sequence of names) or several views."""
    if isinstance(by, str) or (len(by) and all(isinstance(b, str) for b in by)):
        asked = [_view_key(by)]
    else:
        asked = [_view_key(b) for b in by]
    for view in asked:
        if "service" in view and {"kind", "campaign"} & set(view):
            raise ArgumentError("by", f"{list(view)}: a service has one kind and one campaign; keep 'service' "
                                      "with 'tier', 'stage' or 'phase' only")
    return list(dict.fromkeys([("service",), (), *asked]))


def _labels(results: Results, axis: str) -> tuple[str, ...]:
    if axis == "kind":
        return tuple(dict.fromkeys(results.kinds))
    if axis == "campaign":
        return tuple(dict.fromkeys(results.campaigns))
    return {"service": results.services, "tier": results.tiers, "stage": results.stage_labels,
            "phase": results.phases}[axis]


def _view_table(view: View, criteria: Sequence[str], deterministic: Results) -> pd.DataFrame:
    import pandas as pd

    n_groups = len(view.labels)
    frame = pd.DataFrame({axis: np.repeat([lab[i] for lab in view.labels], len(criteria))
                          for i, axis in enumerate(view.axes)})
    frame["criterion"] = np.tile(criteria, n_groups)
    stats = {"mean": view.mean, "median": view.quantiles[1], "std": view.std, "p2.5": view.quantiles[0],
             "p97.5": view.quantiles[2]}
    for name, values in stats.items():
        frame[name] = values.ravel()
    det = _deterministic(deterministic, view.axes)
    keys = [*view.axes, "criterion"]
    frame = frame.merge(det, on=keys, how="left", validate="one_to_one")
    uncovered = frame["coverage"] == NOT_COVERED
    frame.loc[uncovered, [*STATISTICS, "deterministic"]] = np.nan
    return frame[[*keys, "deterministic", *STATISTICS, "unit", "coverage"]]


def _deterministic(results: Results, axes: Sequence[str]) -> pd.DataFrame:
    """The deterministic totals of a view with string keys: its axes, criterion, value, unit, coverage."""
    table = results.total(tuple(axes)).rename(columns={"value": "deterministic"})
    for column in (*axes, "criterion", "unit", "coverage"):
        table[column] = table[column].astype(str)
    return table[[*axes, "criterion", "deterministic", "unit", "coverage"]]


def _not_covered(results: Results, axes: Sequence[str], labels: Sequence[tuple[str, ...]],
                 criteria: Sequence[str]) -> np.ndarray:
    """``mask[group, criterion]``: True where the deterministic total of the view is not covered."""
    if tuple(axes) == ("service",) and tuple(criteria) == results.criteria:  # arrays: no table of 10⁶ × criteria
        from .results import COVERAGE_LABELS

        return results.scores().coverage == COVERAGE_LABELS.index(NOT_COVERED)
    det = _deterministic(results, axes).set_index([*axes, "criterion"])["coverage"]
    index = [(*label, c) if label else c for label in labels for c in criteria]  # a plain index without axes
    status = det.reindex(index).to_numpy()
    return (status == NOT_COVERED).reshape(len(labels), len(criteria))


# -- what is drawn --------------------------------------------------------------------------------------------
def _factor_inputs(factors: FactorSet, flows: Sequence[str], criteria: Sequence[str], parameter_sampling: bool
                   ) -> tuple[dict[tuple[str, str, str], Factor], dict[tuple[str, str, str], Factor]]:
    """The used factor rows that vary: (drawn from their own distribution, derived from drawn parameters)."""
    wanted_flows, wanted_criteria = set(flows), set(criteria)
    own, derived = {}, {}
    for key, factor in factors.factors.items():
        if key[0] not in wanted_flows or key[1] not in wanted_criteria:
            continue
        if parameter_sampling and factor.formula and any(p.distribution.kind != "none" for p in factor.inputs):
            derived[key] = factor
        elif factor.distribution.kind != "none":
            own[key] = factor
    return own, derived


def _derived_samples(factors: Mapping[tuple[str, str, str], Factor], uniforms: Uniforms
                     ) -> dict[tuple[str, str, str], np.ndarray]:
    """Each derived factor evaluated on its inputs' draws (one draw per parameter and sample, shared by every
    factor using it), converted to the factor's canonical unit by pint; one evaluation per distinct formula."""
    from . import units
    from .derivation import evaluate_formula

    ureg = units.registry()
    drawn: dict[str, np.ndarray] = {}
    by_formula: dict[tuple[Any, ...], np.ndarray] = {}
    out = {}
    for key, factor in factors.items():
        signature = (factor.formula, factor.unit, tuple((p.name, p.value, p.unit) for p in factor.inputs))
        if signature not in by_formula:
            for p in factor.inputs:
                if p.name not in drawn:
                    drawn[p.name] = draw(p.distribution, p.value, uniforms(f"parameter:{p.name}"))
            magnitudes = {p.name: drawn[p.name] for p in factor.inputs}
            central = evaluate_formula(factor.formula, {p.name: p.value for p in factor.inputs})
            if _monomial(factor.formula) and central != 0:
                # products and quotients: the unit conversion is one constant, the factor's over the formula's
                by_formula[signature] = evaluate_formula(factor.formula, magnitudes) * (factor.value / central)
            else:  # sums may mix units: let pint convert every term
                quantities = {p.name: ureg.Quantity(drawn[p.name], units.parse_unit(p.unit, p.name))
                              for p in factor.inputs}
                quantity = ureg.Quantity(evaluate_formula(factor.formula, quantities))
                by_formula[signature] = np.asarray(quantity.to(units.parse_unit(factor.unit)).magnitude, dtype=float)
        out[key] = by_formula[signature]
    return out


def _monomial(formula: str) -> bool:
    """True when a formula only multiplies, divides and raises to powers (no sum, no difference)."""
    import ast

    return not any(isinstance(node, (ast.Add, ast.Sub, ast.USub)) for node in ast.walk(ast.parse(formula, mode="eval")))


def _factor_samples(factors: FactorSet, flows: Sequence[str], criteria: Sequence[str], uniforms: Uniforms,
                    uncertain: bool, parameter_sampling: bool, keep_phase: bool,
                    parts: Sequence[Sequence[tuple[str, str, str]]] = ()) -> np.ndarray:
    """FS[sample, flow, criterion, phase] (phase axis of length 1, phases summed, unless ``keep_phase``), then
    one more column per group of rows in ``parts``: the sum of those rows' samples (what moves with a
    conditioning input, carried through the same products as the criteria)."""
    values, _, _ = factors.aligned(flows, criteria)
    base = values if keep_phase else values.sum(axis=2, keepdims=True)
    samples = np.broadcast_to(base, (uniforms.n, *base.shape)).copy()
    if not uncertain:
        return samples
    own, derived = _factor_inputs(factors, flows, criteria, parameter_sampling)
    position = {f: i for i, f in enumerate(flows)}
    column = {c: j for j, c in enumerate(criteria)}
    phase = {p: (k if keep_phase else 0) for k, p in enumerate(PHASE_IDS)}
    moved = {key: draw(f.distribution, f.value, uniforms(f"factor:{':'.join(key)}")) for key, f in own.items()}
    moved.update(_derived_samples(derived, uniforms))
    for (flow, criterion, ph), drawn in moved.items():
        samples[:, position[flow], column[criterion], phase[ph]] += drawn - factors.factors[(flow, criterion, ph)].value
    if not parts:
        return samples
    extra = np.zeros((uniforms.n, len(flows), len(parts), samples.shape[3]))
    for g, rows in enumerate(parts):
        for row in rows:
            extra[:, position[row[0]], g, phase[row[2]]] += moved[row]
    return np.concatenate([samples, extra], axis=2)


class _Power:
    """Stands for a parameter while the power-law structure of a formula is read: ``exponents`` of the names
    that only multiply or divide the whole, ``mixed`` the names found inside a sum or difference."""

    def __init__(self, exponents: Mapping[str, float], mixed: frozenset[str] = frozenset()) -> None:
        self.exponents, self.mixed = dict(exponents), mixed

    @staticmethod
    def _of(other: Any) -> _Power:
        return other if isinstance(other, _Power) else _Power({})

    def __mul__(self, other: Any) -> _Power:
        other = self._of(other)
        exponents = dict(self.exponents)
        for name, e in other.exponents.items():
            exponents[name] = exponents.get(name, 0.0) + e
        return _Power(exponents, self.mixed | other.mixed)

    __rmul__ = __mul__

    def __pow__(self, k: float) -> _Power:
        return _Power({name: e * k for name, e in self.exponents.items()}, self.mixed)

    def __truediv__(self, other: Any) -> _Power:
        return self * (self._of(other) ** -1)

    def __rtruediv__(self, other: Any) -> _Power:
        return self._of(other) * self ** -1

    def __add__(self, other: Any) -> _Power:
        other = self._of(other)
        return _Power({}, self.mixed | other.mixed | set(self.exponents) | set(other.exponents))

    __radd__ = __sub__ = __rsub__ = __add__

    def __neg__(self) -> _Power:
        return self

    __pos__ = __neg__


@functools.lru_cache(maxsize=4096)
def _power_exponents(formula: str) -> dict[str, float]:
    """The names a formula is proportional to a power of (``a * b / c ** 2``: a 1, b 1, c -2); names found in a
    sum or difference are left out, whatever else they do."""
    from .derivation import evaluate_formula, formula_names

    result = evaluate_formula(formula, {name: _Power({name: 1.0}) for name in formula_names(formula)})
    if not isinstance(result, _Power):
        return {}
    return {n: e for n, e in result.exponents.items() if n not in result.mixed and e != 0}


@dataclass(frozen=True)
class _Group:
    """A conditioning input of one criterion's total: lognormal items (by uniform key) whose product of powers
    Y multiplies every factor row of that criterion they appear in (``rows``) and nothing else, so that the
    total is A + D × Y. ``weights``: each item's exponent × ln(gsd); ln Y = constant + Σ weight × score."""

    keys: tuple[str, ...]
    weights: tuple[float, ...]
    rows: tuple[tuple[str, str, str], ...]

    @property
    def sigma(self) -> float:
        """The standard deviation of ln Y."""
        return math.sqrt(sum(w * w for w in self.weights))

    def scores(self, uniforms: Uniforms) -> np.ndarray:
        """Y's standard normal score in each sample."""
        from scipy.special import ndtri

        return sum(w * ndtri(uniforms(k)) for k, w in zip(self.keys, self.weights, strict=True)) / self.sigma


def _conditioning(factors: FactorSet, flows: Sequence[str], criteria: Sequence[str], parameter_sampling: bool,
                  used: Mapping[str, float]) -> list[_Group | None]:
    """Per criterion, the conditioning input of its portfolio total: among the factor rows drawn on their own
    (lognormal) and the groups of lognormal factor parameters that appear in exactly the same rows of the
    criterion, each as a power (the smartphone's lifetime and daily use in every smartphone row), the one
    moving the total most at first order (central contribution of its rows × sigma). ``used``: each flow's
    quantity summed over services. Rows must be positive; None where no input qualifies."""
    own, derived = _factor_inputs(factors, flows, criteria, parameter_sampling)
    best: dict[str, tuple[float, _Group]] = {}

    def consider(criterion: str, group: _Group) -> None:
        weight = sum(used.get(r[0], 0.0) * factors.factors[r].value for r in group.rows) * group.sigma
        if weight > 0 and (criterion not in best or weight > best[criterion][0]):
            best[criterion] = (weight, group)

    for key, f in own.items():
        if f.distribution.kind == "lognormal" and f.distribution.param("gsd") > 1 and f.value > 0:
            consider(key[1], _Group((f"factor:{':'.join(key)}",), (math.log(f.distribution.param("gsd")),), (key,)))
    distribution: dict[str, Any] = {}
    occurrences: dict[tuple[str, str], list[tuple[tuple[str, str, str], float | None]]] = {}
    for key, f in derived.items():
        exponents = _power_exponents(f.formula)  # cached: read, never changed
        for p in f.inputs:
            distribution.setdefault(p.name, p.distribution)  # the first declaration is the one drawn
            occurrences.setdefault((key[1], p.name), []).append((key, exponents.get(p.name)))
    by_rows: dict[tuple[str, tuple[Any, ...]], list[tuple[str, float]]] = {}
    for (criterion, name), found in occurrences.items():
        law, exponents = distribution[name], {e for _, e in found}
        if law.kind != "lognormal" or law.param("gsd") <= 1 or len(exponents) != 1 or None in exponents:
            continue
        rows = tuple(sorted(key for key, _ in found))
        if all(factors.factors[r].value > 0 for r in rows):
            by_rows.setdefault((criterion, rows), []).append((name, exponents.pop() * math.log(law.param("gsd"))))
    for (criterion, rows), members in by_rows.items():
        consider(criterion, _Group(tuple(f"parameter:{n}" for n, _ in members), tuple(w for _, w in members), rows))
    return [best[c][1] if c in best else None for c in criteria]


def _item_keys(items: Sequence[Service | BillOfMaterials], factors: FactorSet, flows: Sequence[str],
               criteria: Sequence[str], uncertain: bool, parameter_sampling: bool) -> list[str]:
    """The name of every uncertain item of a run (Sobol' points are joint over them)."""
    keys = [f"service:{s.name}:{p}" for s in items if isinstance(s, Service) for p in s.uncertainty]
    if uncertain:
        own, derived = _factor_inputs(factors, flows, criteria, parameter_sampling)
        keys += [f"factor:{':'.join(k)}" for k in own]
        keys += [f"parameter:{p.name}" for f in derived.values() for p in f.inputs]
    return keys


class _Amounts(SampledBillBuilder):
    """Sampled amounts kept per (flow, stage) line, so that Monte Carlo can report stages."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.staged: dict[tuple[str, str], Any] = {}

    def record(self, flow: str, amount: Any, formula: str, stage: str) -> None:
        """Add samples of ``amount`` to the (flow, stage) line; zeros are skipped, as in a deterministic bill."""
        if np.any(amount):
            self.staged[(flow, stage)] = self.staged.get((flow, stage), 0.0) + amount


def sampled_lines(service: Service, samples: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """The (flow, stage) lines of one service with some parameters given as arrays: each line's amounts (an
    array, or a number where no array feeds it), in the flow's canonical unit; lines zero everywhere are left
    out. Draws that overflow are not refused here (see :func:`quantities_with`)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return service.with_samples(dict(samples)).builder(_Amounts).staged


def quantities_with(service: Service, samples: Mapping[str, Any], flows: Mapping[Any, int], n: int) -> np.ndarray:
    """Q[sample, column] of one service with some parameters given as arrays of ``n`` samples; ``flows`` maps
    each flow (stages merged), or each (flow, stage) pair, to its column."""
    staged = any(isinstance(key, tuple) for key in flows)
    q = np.zeros((n, len(flows)))
    for (flow, stage), amount in sampled_lines(service, samples).items():
        amount = np.broadcast_to(np.asarray(amount, dtype=float), (n,))
        if not np.isfinite(amount).all():
            raise LcaError(f"Monte Carlo: the samples of {service.name!r} are not finite numbers ({flow}); a "
                           "distribution's spread is too large (check the uncertainty of its parameters)")
        column = flows.get((flow, stage) if staged else flow)
        if column is not None:
            q[:, column] += amount
        elif amount.any():  # a line the central bill does not have (its amount there is zero)
            raise LcaError(f"Monte Carlo: {service.name!r} draws a line {flow} that its bill does not have; "
                           "evaluate the service with parameters inside their declared range")
    return q


def _service_quantities(service: Service, columns: Mapping[Any, int], uniforms: Uniforms) -> np.ndarray:
    """Q[sample, column] of one service, its uncertain parameters drawn (kept within their declared bounds)."""
    samples = {}
    for name, distribution in service.uncertainty.items():
        value, low, high = service.uncertain_value(name)
        samples[name] = np.clip(draw(distribution, value, uniforms(f"service:{service.name}:{name}")), low, high)
    return quantities_with(service, samples, columns, uniforms.n)


# -- chunks of services: the unit of work, in this process or on a cluster ------------------------------------
#: Services per chunk (by position in the inventory): the unit of work (a task on a Dask cluster) and of the
#: summation order of the views that sum services, so that a run gives the same numbers however its chunks
#: are spread over processes.
CHUNK = 4096
#: Most services per product within a chunk: a block's samples stay in the processor's cache while their
#: statistics are computed (larger blocks are slower, not faster).
BLOCK = 256


@dataclass(frozen=True, eq=False)
class RunShared:
    """What every chunk of a run needs, the same for all (sent once to each worker of a cluster)."""

    uniforms: Uniforms  # the run's uniform numbers: services' own parameters are drawn in their chunk, by name
    fs: np.ndarray  # factor samples by column [sample, column, criterion, phase]
    columns: Mapping[Any, int]  # each flow, or each (flow, stage) pair when stages are kept -> its column
    group_of: np.ndarray  # [column] -> its (tier, stage) group, tier * stages + stage (0 where not kept)
    shape: tuple[int, int, int]  # tiers, stages, phases kept (1 where summed)
    views: tuple[tuple[str, ...], ...]
    n_groups: Mapping[tuple[str, ...], int]  # views without services: their groups of services (kind × campaign)
    keep: bool  # keep every service's samples
    memory_budget: float  # bytes
    criteria: int = 0  # the criteria among fs's (the rest: conditioning parts, summed only); 0: all


@dataclass(frozen=True, eq=False)
class Chunk:
    """Consecutive services of a run: their quantities, those with uncertain parameters, their groups."""

    quantities: np.ndarray  # [service, column]
    varying: tuple[tuple[int, Service], ...]  # (position in the chunk, service) of services drawing parameters
    groups: Mapping[tuple[str, ...], np.ndarray]  # per view without services: each service's group code


@dataclass(frozen=True, eq=False)
class ChunkResult:
    """One chunk's statistics per service (views keeping services) and sums over its services (other views)."""

    stats: Mapping[tuple[str, ...], tuple[np.ndarray, np.ndarray, np.ndarray]]  # mean, std [service, t, s, p, c]
    kept: np.ndarray | None  # [sample, service, criterion]
    sums: Mapping[tuple[str, ...], np.ndarray]  # [sample, group, tier, stage, phase, criterion]


def _kept_shape(shared: RunShared, view: tuple[str, ...]) -> tuple[int, int, int]:
    n_tier, n_stage, n_phase = shared.shape
    return (n_tier if "tier" in view else 1), (n_stage if "stage" in view else 1), (n_phase if "phase" in view else 1)


def _reduce(r: np.ndarray, view: tuple[str, ...]) -> np.ndarray:
    """``r[tier, stage, service, criterion, phase, sample]`` summed over the axes the view does not keep (``r``
    itself when there is nothing to sum)."""
    for axis, name in ((0, "tier"), (1, "stage"), (4, "phase")):
        if name not in view and r.shape[axis] > 1:
            r = r.sum(axis=axis, keepdims=True)
    return r


def _sorted_quantiles(ordered: np.ndarray, q: Sequence[float] = QUANTILES) -> np.ndarray:
    """``np.quantile(a, q, axis=-1)`` (linear interpolation, numpy's default) of samples already sorted along
    their last axis, with numpy's arithmetic: the same numbers, bit for bit, without selecting again."""
    n = ordered.shape[-1]
    index = np.asarray(q, dtype=float) * (n - 1)
    below = np.floor(index).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    gamma = index - below
    a, b = ordered[..., below], ordered[..., above]  # [..., quantile]
    diff = b - a
    out = a + diff * gamma
    out = np.where(gamma >= 0.5, b - diff * (1 - gamma), out)  # numpy's lerp, exact at both ends
    return np.moveaxis(out, -1, 0)


def _column_groups(shared: RunShared) -> list[np.ndarray]:
    """The columns of each (tier, stage) group, in order of the groups."""
    n_tier, n_stage, _ = shared.shape
    return [np.flatnonzero(shared.group_of == g) for g in range(n_tier * n_stage)]


def run_chunk(shared: RunShared, chunk: Chunk) -> ChunkResult:
    """Evaluate one chunk of services over every sample.

    Per block of services (sized to the memory budget): ``R = Q @ FS`` as one product per kept (tier, stage)
    group on that group's columns, laid out ``[tier, stage, service, criterion, phase, sample]`` so that each
    service's samples are contiguous: means, standard deviations (two passes) and exact quantiles (a sort)
    then run on contiguous rows. Views summing services (portfolio, kinds, campaigns) need no per-service
    product: the quantities of each group of services are added first, then multiplied (the product is
    linear). A service with uncertain parameters goes through its own model, vectorised over samples. The
    same chunk gives the same numbers in any process."""
    n = shared.uniforms.n
    n_tier, n_stage, n_phase = shared.shape
    n_columns, n_criteria = shared.fs.shape[1], shared.fs.shape[2]
    k, n_groups = len(chunk.quantities), n_tier * n_stage
    width = n_criteria * n_phase * n
    columns = _column_groups(shared)
    per_service = [v for v in shared.views if "service" in v]
    n_stats = shared.criteria or n_criteria  # per-service statistics: for criteria only
    # The criteria, and the conditioning parts after them, multiply apart, each from its own contiguous array:
    # a product's last bits may depend on its width (BLAS computes the tail of a row apart), and the criteria's
    # numbers must not depend on whether conditioning parts were asked for.
    parts = [(a, b) for a, b in ((0, n_stats), (n_stats, n_criteria)) if b > a]  # ranges of criteria
    # per (tier, stage) group and range: FS[column, criterion, phase, sample] as [column, criterion × phase × sample]
    fs_by_column = [[np.ascontiguousarray(shared.fs[:, where, a:b].transpose(1, 2, 3, 0))
                     .reshape(len(where), (b - a) * n_phase * n) for a, b in parts] for where in columns]
    stats = {v: (np.empty((k, *_kept_shape(shared, v), n_stats)), np.empty((k, *_kept_shape(shared, v), n_stats)),
                 np.empty((len(QUANTILES), k, *_kept_shape(shared, v), n_stats))) for v in per_service}
    kept = np.empty((n, k, n_stats)) if shared.keep else None
    sums = {v: np.zeros((n, shared.n_groups[v], *_kept_shape(shared, v), n_criteria))
            for v in shared.views if "service" not in v}

    pool: dict[str, np.ndarray] = {}

    def scratch(name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A working array reused from block to block: a fresh large array costs a page fault per 4 KB."""
        size = math.prod(shape)
        if name not in pool or pool[name].size < size:
            pool[name] = np.empty(size)
        return pool[name][:size].reshape(shape)

    def product(q: np.ndarray) -> np.ndarray:
        """``R[tier, stage, row, criterion, phase, sample]`` of quantities ``q[row, column]`` (a scratch array)."""
        r = scratch("product", (n_groups, len(q), width))
        for g, where in enumerate(columns):
            for (a, b), fs in zip(parts, fs_by_column[g], strict=True):
                np.matmul(q[:, where], fs, out=r[g][:, a * n_phase * n:b * n_phase * n])
        return r.reshape(n_tier, n_stage, len(q), n_criteria, n_phase, n)

    def add(v: tuple[str, ...], group: np.ndarray, r: np.ndarray) -> None:  # r[t, s, group, c, p, sample]
        sums[v][:, group] += _reduce(r, v).transpose(5, 2, 0, 1, 4, 3)

    def record(index: np.ndarray, r: np.ndarray) -> None:  # r[tier, stage, service, criterion, phase, sample]
        for v in per_service:
            rv = _reduce(r, v)[:, :, :, :n_stats]  # criteria only (not the conditioning parts)
            mean, std, quantiles = stats[v]
            centre = rv.mean(axis=-1)
            spread = np.subtract(rv, centre[..., None], out=scratch("spread", rv.shape))
            np.multiply(spread, spread, out=spread)  # np.std's two passes, with one temporary
            # stored [service, tier, stage, phase, criterion]
            mean[index] = centre.transpose(2, 0, 1, 4, 3)
            std[index] = np.sqrt(spread.sum(axis=-1) / n).transpose(2, 0, 1, 4, 3)
            if kept is not None and v == ("service",):
                kept[:, index] = rv[0, 0, :, :, 0].transpose(2, 0, 1)
            np.copyto(spread, rv)
            spread.sort(axis=-1)
            quantiles[:, index] = _sorted_quantiles(spread).transpose(0, 3, 1, 2, 5, 4)

    varying = np.zeros(k, dtype=bool)
    varying[[i for i, _ in chunk.varying]] = True
    fixed = np.flatnonzero(~varying)
    for v in sums:  # the fixed services' quantities added per group of services, then one product per group
        codes = chunk.groups[v][fixed]
        present = np.unique(codes)
        totals = np.stack([chunk.quantities[fixed[codes == g]].sum(axis=0) for g in present]) if len(present) \
            else np.zeros((0, n_columns))
        add(v, present, product(totals))
    if per_service:
        per_service_bytes = width * n_groups * 8 * 4  # the block's products, a view's sums, its sorted copy
        block = max(1, min(BLOCK, int(shared.memory_budget // per_service_bytes)))
        for start in range(0, len(fixed), block):
            index = fixed[start:start + block]
            record(index, product(chunk.quantities[index]))
    # services drawing their own parameters: Q[sample, column] per service, then one product per sample, from
    # FS[sample, column, criterion × phase] per group and range of criteria
    fs_by_sample = [[np.ascontiguousarray(shared.fs[:, where, a:b]).reshape(n, len(where), (b - a) * n_phase)
                     for a, b in parts] for where in columns] if chunk.varying else []
    pending: list[tuple[int, np.ndarray]] = []
    for position, (i, service) in enumerate(chunk.varying):
        q = _service_quantities(service, shared.columns, shared.uniforms)  # [sample, column]
        r = np.empty((n_groups, n_criteria * n_phase, n))
        for g, where in enumerate(columns):
            for (a, b), fs in zip(parts, fs_by_sample[g], strict=True):
                r[g, a * n_phase:b * n_phase] = np.matmul(q[:, None, where], fs)[:, 0].T
        r = r.reshape(n_tier, n_stage, 1, n_criteria, n_phase, n)
        for v in sums:
            add(v, chunk.groups[v][[i]], r)
        pending.append((i, r))
        if per_service and (len(pending) == BLOCK or position == len(chunk.varying) - 1):
            record(np.array([j for j, _ in pending]), np.concatenate([x for _, x in pending], axis=2))
            pending = []
    return ChunkResult(stats, kept, sums)


def _in_process(shared: RunShared, chunks: Sequence[Chunk]) -> Iterable[ChunkResult]:
    return (run_chunk(shared, chunk) for chunk in chunks)


ChunkMap = Callable[[RunShared, Sequence[Chunk]], Iterable[ChunkResult]]


# -- the run --------------------------------------------------------------------------------------------------
def _check_samples(samples: Any, n_flows: int, n_criteria: int, n_phases: int, memory_budget: float) -> int:
    """The number of samples, refused (naming the argument) when it is not a count or the factor samples
    ``FS[sample, flow, criterion, phase]`` would not fit in twice the memory budget."""
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
        raise ArgumentError("samples", f"a whole number of samples is expected; got {samples!r}")
    if samples < 2:
        raise ArgumentError("samples", f"at least 2 samples are needed for a spread; got {samples}")
    per_sample = max(n_flows, 1) * max(n_criteria, 1) * 8 * n_phases
    needed = int(samples) * per_sample
    if needed > 2 * memory_budget:
        most = int(2 * memory_budget // per_sample)
        raise ArgumentError("samples", f"{samples} samples would need about {needed / 1e9:.3g} GB of factor "
                                       f"samples, above the memory budget; use at most {most}, or precision=")
    return int(samples)


def monte_carlo(items: Sequence[Service] | Sequence[BillOfMaterials] | BillMatrix | Portfolio | Any,
                factors: FactorSet, *, samples: int = 1000, seed: int = 0, by: Any = (("service",),),
                sampler: str = "random", estimator: str = "empirical", precision: float | None = None,
                max_batches: int = 64,
                factor_uncertainty: bool = True, parameter_sampling: bool = True, keep_samples: bool | None = None,
                memory_budget: float = 400e6, progress: Callable[[int, int], None] | None = None,
                chunk: int = CHUNK, bills: BillMatrix | None = None, map_chunks: ChunkMap | None = None
                ) -> MonteCarloResults:
    """Propagate uncertainty by Monte Carlo, vectorised over samples and services.

    Parameters
    ----------
    items
        Services (their uncertain parameters are drawn too), bills or a :class:`BillMatrix` (only factors vary),
        or an inventory or portfolio (whose campaigns the ``campaign`` view needs).
    factors
        The factor set (e.g. :func:`lca_numerique.load_factors`), with each factor's distribution.
    samples
        Number of draws (with ``precision``: the size of each batch).
    seed
        Seed of the draws: the same seed gives the same samples.
    by
        The views to give statistics for, besides services and the portfolio: an axis (``"tier"``), a view
        (``("kind", "phase")``) or several (``[("tier",), ("stage",)]``); axes among service, kind, campaign,
        tier, stage, phase.
    sampler
        ``random``, ``lhs`` (Latin hypercube) or ``sobol`` (scrambled Sobol', powers of two).
    estimator
        How the portfolio's quantiles are estimated: ``empirical`` (sample quantiles) or ``conditional``
        (conditional Monte Carlo on each criterion's most influential lognormal input: the same bounds, known
        more precisely from the same samples, most of all with ``lhs`` or ``sobol``; other views keep sample
        quantiles).
    precision
        Relative precision (e.g. 0.02): add batches of ``samples`` until the 2.5 and 97.5 % bounds of every
        covered portfolio total are known to it with 95 % confidence, or until ``max_batches``.
    max_batches
        The most batches ``precision`` may add.
    factor_uncertainty
        Draw the factors from their distributions (False: only service parameters vary).
    parameter_sampling
        Draw the parameters behind derived factors (default) rather than each factor row on its own.
    keep_samples
        Keep every service's samples for later comparisons (default: when they fit ``memory_budget``).
    memory_budget
        Bytes the working arrays of a chunk of services may take.
    progress
        Called with (samples done, samples in all) as the run advances.
    chunk
        Services evaluated together in one chunk.
    bills
        The stacked bills of ``items`` when already built (e.g. on a cluster).
    map_chunks
        ``map_chunks(shared, chunks)`` yields :func:`run_chunk` of each chunk, in order (default: in this
        process; see :mod:`lca_numerique.bridges.dask`).

    Returns
    -------
    MonteCarloResults
        Mean, standard deviation and quantiles ``[quantile, service, criterion]`` of each service's total, the
        portfolio's samples ``[sample, criterion]``, each in the criterion's unit (kg CO2 eq...) over the
        assessed period, the views asked by ``by``, the ``deterministic`` results and, with ``precision``, the
        precision reached (``precision`` on the result). Not-covered totals have NaN statistics and samples.
    """
    portfolio = getattr(items, "portfolio", items)  # an Inventory, a Portfolio or a sequence
    if isinstance(portfolio, Portfolio):
        items = [s for _, s in portfolio.all_services()]
        bills = portfolio.stacked_bills().matrix if bills is None else bills  # bills know their campaign
    elif isinstance(items, BillMatrix):
        items, bills = (), items
    if bills is None:
        bills = [s.bill_of_materials() if isinstance(s, Service) else s for s in items]
    staged = bills if isinstance(bills, BillMatrix) else BillMatrix.stack(bills)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ArgumentError("chunk", f"a whole number of services per chunk (>= 1) is expected; got {chunk!r}")
    deterministic = evaluate(staged, factors)
    views = _views(by)
    n_phases = len(PHASE_IDS) if any("phase" in v for v in views) else 1
    n_columns = len(staged.flows) if any("stage" in v for v in views) else len(set(staged.flows))
    samples = _check_samples(samples, n_columns, len(deterministic.criteria), n_phases, memory_budget)
    keys = _item_keys(items, factors, staged.by_flow().flows, deterministic.criteria, factor_uncertainty,
                      parameter_sampling)
    if estimator not in ESTIMATORS:
        raise ArgumentError("estimator", f"unknown estimator {estimator!r}; accepted: {', '.join(ESTIMATORS)}")
    run = _Run(items, staged, deterministic, factors, seed, sampler, keys, factor_uncertainty, parameter_sampling,
               memory_budget, int(chunk), map_chunks or _in_process, estimator)
    reached = None
    batches = 1
    if precision is not None:
        if not 0 < precision < 1:
            raise ArgumentError("precision", f"a relative precision in (0, 1) is expected, e.g. 0.02; got {precision}")
        batches, reached = run.batches_needed(samples, precision, max_batches)
    return run.full(samples, batches, views, keep_samples, progress, reached)


class _Run:
    """One Monte Carlo set-up: the stacked bills, the factors and what is drawn; evaluated for some batches."""

    def __init__(self, items: Sequence[Any], staged: BillMatrix, deterministic: Results, factors: FactorSet,
                 seed: int, sampler: str, keys: Sequence[str], uncertain: bool, parameter_sampling: bool,
                 memory_budget: float, chunk: int, map_chunks: ChunkMap, estimator: str = "empirical") -> None:
        self.items, self.staged, self.deterministic, self.factors = items, staged, deterministic, factors
        self.seed, self.sampler, self.keys = seed, sampler, keys
        self.uncertain, self.parameter_sampling, self.memory_budget = uncertain, parameter_sampling, memory_budget
        self.chunk, self.map_chunks = chunk, map_chunks
        self.matrix = staged.by_flow()  # without a stage view, one column per flow
        self.criteria = deterministic.criteria
        self.varying = [i for i, s in enumerate(items) if isinstance(s, Service) and s.uncertainty]
        self.estimator = estimator
        groups: list[_Group | None] = []
        if estimator == "conditional" and uncertain:
            used = dict(zip(self.matrix.flows, self.matrix.quantities.sum(axis=0), strict=True))
            groups = _conditioning(factors, self.matrix.flows, self.criteria, parameter_sampling, used)
        self.conditioned = {c: g for c, g in enumerate(groups) if g is not None}  # criterion index -> its input

    def uniforms(self, batch_size: int, batches: int) -> Uniforms:
        return Uniforms(self.seed, batch_size, batches, self.sampler, self.keys)

    def batches_needed(self, batch_size: int, precision: float, max_batches: int) -> tuple[int, pd.DataFrame]:
        """Batches of the portfolio total until both 95 % bounds are known to ``precision`` (relative)."""
        import pandas as pd
        from scipy.special import stdtrit  # Student's t quantiles, without importing scipy.stats (slow)

        covered = ~_not_covered(self.deterministic, (), [()], self.criteria)[0]
        bounds: list[np.ndarray] = []  # per batch: [2, criterion]
        while True:
            uniforms = Uniforms(self.seed, batch_size, 1, self.sampler, self.keys, first=len(bounds))
            quantiles = self.evaluate(uniforms, [()], False, None)[()][2][2]  # [quantile, 1, criterion]
            bounds.append(quantiles[[0, 2], 0])
            k = len(bounds)
            if k < MIN_BATCHES:
                continue
            stacked = np.array(bounds)  # [batch, bound, criterion]
            centre = np.abs(stacked.mean(axis=0))
            half = stdtrit(k - 1, 0.975) * stacked.std(axis=0, ddof=1) / math.sqrt(k)
            with np.errstate(divide="ignore", invalid="ignore"):
                relative = np.where(centre > 0, half / centre, 0.0)
            worst = relative[:, covered].max() if covered.any() else 0.0
            if worst <= precision or k >= max_batches:
                table = pd.DataFrame({"criterion": self.criteria, "p2.5 ± (relative)": relative[0],
                                      "p97.5 ± (relative)": relative[1], "batches": k,
                                      "samples": k * batch_size, "converged": relative.max(axis=0) <= precision})
                table["converged"] = table["converged"].astype(object)
                table.loc[~covered, ["p2.5 ± (relative)", "p97.5 ± (relative)", "converged"]] = np.nan
                return k, table

    def full(self, batch_size: int, batches: int, views: list[tuple[str, ...]], keep_samples: bool | None,
             progress: Callable[[int, int], None] | None, reached: pd.DataFrame | None) -> MonteCarloResults:
        n = batch_size * batches
        n_services, n_criteria = len(self.deterministic.services), len(self.criteria)
        keep = (n * n_services * n_criteria * 8 <= self.memory_budget) if keep_samples is None else keep_samples
        out = self.evaluate(self.uniforms(batch_size, batches), views, keep, progress)
        finished = {}
        for key, (labels, kept, stats) in out.items():
            mask = _not_covered(self.deterministic, key, labels, self.criteria)
            mean, std, quantiles = (np.where(mask, np.nan, a) for a in stats)
            if kept is not None:
                kept = np.where(mask[None], np.nan, kept)
            finished[key] = View(key, labels, mean, std, quantiles, kept)
        services, portfolio = finished[("service",)], finished[()]
        return MonteCarloResults(self.deterministic, self.criteria, n, self.seed, services.mean, services.std,
                                 services.quantiles, portfolio.samples[:, 0], services.samples, finished,
                                 self.sampler, reached, self.estimator)

    def shared(self, uniforms: Uniforms, views: list[tuple[str, ...]], keep: bool) -> RunShared:
        """The factor samples by column and how columns group, for the views asked."""
        det = self.deterministic
        keep_tier, keep_stage = any("tier" in v for v in views), any("stage" in v for v in views)
        keep_phase = any("phase" in v for v in views)
        fs = _factor_samples(self.factors, self.matrix.flows, self.criteria, uniforms, self.uncertain,
                             self.parameter_sampling, keep_phase, [g.rows for g in self.conditioned.values()])
        # [n, flow, criterion (then the conditioning inputs' parts), phase]
        matrix = self.staged if keep_stage else self.matrix
        if keep_stage:
            position = {f: i for i, f in enumerate(self.matrix.flows)}
            fs = fs[:, [position[f] for f in matrix.flows]]
            columns: dict[Any, int] = {c: j for j, c in enumerate(zip(matrix.flows, matrix.stages, strict=True))}
        else:
            columns = {f: j for j, f in enumerate(matrix.flows)}
        stages = _labels(det, "stage")
        n_stage = len(stages) if keep_stage else 1
        tier_of = np.array([TIER_IDS.index(FLOWS[f].tier) for f in matrix.flows], dtype=np.intp)
        group_of = np.zeros(len(matrix.flows), dtype=np.intp)  # (tier, stage) as tier * stages + stage
        if keep_tier:
            group_of += tier_of * n_stage
        if keep_stage:
            group_of += np.array([stages.index(s) for s in matrix.stages], dtype=np.intp)
        n_groups = {v: math.prod(len(_labels(det, a)) for a in v if a in ("kind", "campaign"))
                    for v in views if "service" not in v}
        shape = (len(TIER_IDS) if keep_tier else 1, n_stage, len(PHASE_IDS) if keep_phase else 1)
        return RunShared(uniforms, fs, columns, group_of, shape, tuple(views), n_groups, keep, self.memory_budget,
                         len(self.criteria))

    def chunks(self, shared: RunShared) -> list[Chunk]:
        """The run's services in chunks of ``self.chunk``, by position."""
        det = self.deterministic
        quantities = (self.staged if any("stage" in v for v in shared.views) else self.matrix).quantities
        codes = {"kind": np.unique(det.kinds, return_inverse=True), "campaign": np.unique(det.campaigns,
                                                                                          return_inverse=True)}
        group = {}
        for v in shared.n_groups:
            code = np.zeros(len(det.services), dtype=np.intp)
            for a in (a for a in v if a in codes):
                labels = _labels(det, a)  # in order of appearance, as the view's labels
                found, inverse = codes[a]
                rank = np.array([labels.index(x) for x in found], dtype=np.intp)
                code = code * len(labels) + rank[inverse]
            group[v] = code
        out = []
        for start in range(0, len(det.services), self.chunk):
            stop = min(start + self.chunk, len(det.services))
            varying = tuple((i - start, self.items[i]) for i in self.varying if start <= i < stop)
            out.append(Chunk(quantities[start:stop], varying, {v: g[start:stop] for v, g in group.items()}))
        return out

    def evaluate(self, uniforms: Uniforms, views: list[tuple[str, ...]], keep: bool,
                 progress: Callable[[int, int], None] | None) -> dict[tuple[str, ...], Any]:
        """Per view: (labels, samples[sample, group, criterion] or None, (mean, std, quantiles)). Chunks are
        evaluated by ``map_chunks`` and combined in order: per-service statistics placed, sums added chunk
        after chunk, so that the numbers do not depend on where each chunk ran."""
        import itertools

        det = self.deterministic
        n, n_services, n_criteria = uniforms.n, len(det.services), len(self.criteria)
        shared = self.shared(uniforms, views, keep)
        chunks = self.chunks(shared)
        per_service = [v for v in views if "service" in v]
        stats = {v: [np.empty((n_services, *_kept_shape(shared, v), n_criteria)) for _ in range(2)]
                 + [np.empty((len(QUANTILES), n_services, *_kept_shape(shared, v), n_criteria))] for v in per_service}
        kept = np.empty((n, n_services, n_criteria)) if keep else None
        sums: dict[tuple[str, ...], np.ndarray] = {}
        done = 0
        for chunk, part in zip(chunks, self.map_chunks(shared, chunks), strict=True):
            rows = slice(done, done + len(chunk.quantities))
            for v in per_service:
                stats[v][0][rows], stats[v][1][rows] = part.stats[v][0], part.stats[v][1]
                stats[v][2][:, rows] = part.stats[v][2]
            if kept is not None and part.kept is not None:
                kept[:, rows] = part.kept
            for v, chunk_sum in part.sums.items():
                sums[v] = chunk_sum.copy() if v not in sums else sums[v] + chunk_sum
            done = rows.stop
            if progress is not None:
                progress(done, n_services)
        out: dict[tuple[str, ...], Any] = {}
        for v in views:
            labels = tuple(itertools.product(*[_labels(det, a) for a in v]))
            if v in stats:
                mean, std, quantiles = stats[v]
                out[v] = (labels, kept if v == ("service",) else None,
                          (mean.reshape(-1, n_criteria), std.reshape(-1, n_criteria),
                           quantiles.reshape(len(QUANTILES), -1, n_criteria)))
            else:
                every = sums[v].reshape(n, -1, sums[v].shape[-1])
                flat = every[..., :n_criteria]
                quantiles = np.quantile(flat, QUANTILES, axis=0)
                if v == ():
                    self.conditional(quantiles, flat[:, 0], every[:, 0, n_criteria:], uniforms)
                out[v] = (labels, flat, (flat.mean(axis=0), flat.std(axis=0), quantiles))
        _check_finite(out)
        return out


    def conditional(self, quantiles: np.ndarray, totals: np.ndarray, parts: np.ndarray, uniforms: Uniforms) -> None:
        """Replace the portfolio's sample quantiles ``quantiles[quantile, 0, criterion]`` by conditional Monte
        Carlo estimates where a criterion has a conditioning input (``parts[sample, input]``: what moves with
        it); a criterion whose part is negative in some sample (a negative quantity) keeps its sample quantiles."""
        for g, (c, group) in enumerate(self.conditioned.items()):
            if np.isfinite(totals[:, c]).all() and (parts[:, g] >= 0).all():
                quantiles[:, 0, c] = conditional_quantiles(totals[:, c], parts[:, g], group.scores(uniforms),
                                                           group.sigma, QUANTILES)


def _check_finite(out: Mapping[tuple[str, ...], Any]) -> None:
    """Overflowing draws must not become a silent infinity or zero: say so, naming the services if known."""
    for labels, _, (mean, _, _) in out.values():
        bad = ~np.isfinite(mean).all(axis=1)
        if bad.any():
            where = ", ".join(repr(" / ".join(labels[i])) for i in np.flatnonzero(bad)[:5]) or "the portfolio"
            raise LcaError(f"Monte Carlo: the samples of {where} are not finite numbers; a distribution's spread "
                           "is too large (check the uncertainty of its parameters and factors)")


def probability_lower(a: MonteCarloResults, b: MonteCarloResults, by: Sequence[str] | str | None = None
                      ) -> pd.Series | pd.DataFrame:
    """The probability that B's total is below A's (run both with the same seed and samples).

    Without ``by``: per criterion for the portfolio (a Series, NaN where one side is not covered). With
    ``by`` (a view both runs computed, e.g. ``()``, ``("tier",)``, ``("service",)``): a tidy table with the
    view's axes, criterion, ``P(B < A)`` and ``coverage`` ("not comparable" where a side is not covered).
    """
    import pandas as pd

    if a.n != b.n or a.seed != b.seed or a.sampler != b.sampler:
        raise ArgumentError("b", "compare runs with the same samples, sampler and seed (common random numbers)")
    if by is None:
        table = probability_lower(a, b, ())
        return pd.Series(table["P(B < A)"].to_numpy(), index=pd.Index(table["criterion"], name="criterion"),
                         name="P(B < A)")
    key = _view_key(by)
    la, sa = a.samples_of(key)
    lb, sb = b.samples_of(key)
    rows = []
    for label in dict.fromkeys((*la, *lb)):
        for criterion in dict.fromkeys((*a.criteria, *b.criteria)):
            before = sa[:, la.index(label), a.criteria.index(criterion)] if label in la and criterion in a.criteria \
                else None
            after = sb[:, lb.index(label), b.criteria.index(criterion)] if label in lb and criterion in b.criteria \
                else None
            # A total absent from one side is zero there only when the whole service is absent (added or removed).
            if before is None and "service" in key:
                before = np.zeros(a.n)
            if after is None and "service" in key:
                after = np.zeros(b.n)
            comparable = before is not None and after is not None and bool(
                np.isfinite(before).all() and np.isfinite(after).all())
            p = float((after < before).mean()) if comparable else np.nan
            rows.append({**dict(zip(key, label, strict=True)), "criterion": criterion, "P(B < A)": p,
                         "coverage": "comparable" if comparable else "not comparable"})
    return pd.DataFrame(rows)


__all__ = ["CHUNK", "ESTIMATORS", "Chunk", "ChunkMap", "ChunkResult", "MonteCarloResults", "RunShared", "View",
           "monte_carlo", "probability_lower", "quantities_with", "run_chunk", "sampled_lines"]
