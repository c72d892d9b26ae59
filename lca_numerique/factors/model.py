"""What a factor set is in memory: sourced parameters and factors, and the dense array the engine uses."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..axes import PHASE_IDS
from ..criteria import CRITERIA, MISSION_CRITERIA, get_criterion
from ..flows import FLOWS, get_flow
from ..uncertainty import Distribution

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: the set and source document, the place in it, and the row that holds it."""

    set_id: str
    source: str
    source_title: str
    locator: str
    year: int
    geography: str
    licence: str
    confidence: str
    file: str
    line: int

    def cite(self) -> str:
        """A short citation: ``source title, locator, year``."""
        return f"{self.source_title}, {self.locator}, {self.year}"


@dataclass(frozen=True)
class Parameter:
    """A named, sourced input of derived factors, e.g. a device's lifetime, in ``unit``."""

    name: str
    value: float
    unit: str
    distribution: Distribution
    provenance: Provenance
    note: str = ""
    domain: str = ""  # values an override may take (see lca_numerique.factors.loader); "" = same sign as value


@dataclass(frozen=True)
class Factor:
    """One impact factor, expressed in its canonical unit (criterion unit per flow unit)."""

    flow: str
    criterion: str
    phase: str
    value: float
    unit: str
    distribution: Distribution
    provenance: Provenance
    formula: str | None = None
    inputs: tuple[Parameter, ...] = ()
    note: str = ""
    credit: bool = False  # a declared credit (avoided impact): the only kind of factor that may be negative

    def explain(self) -> str:
        """The factor and its source; for a derived one, its formula and every input with its own source."""
        p = self.provenance
        head = f"{self.flow} / {self.criterion} / {self.phase} = {self.value:.6g} {self.unit}"
        if self.credit:
            head += " (credit: avoided impact)"
        lines = [f"{head}  [{p.cite()}, {p.geography}, {p.licence}; {p.set_id}; confidence {p.confidence}]"]
        if self.formula:
            lines.append(f"  = {self.formula}")
            for i in self.inputs:
                lines.append(f"    {i.name} = {i.value:g} {i.unit}  [{i.provenance.cite()}; {i.provenance.set_id}]")
        return "\n".join(lines)


def canonical_factor_unit(flow: str, criterion: str) -> str:
    """The unit factors of this flow and criterion are stored in: criterion unit per flow unit."""
    flow_unit = get_flow(flow).unit
    return f"{get_criterion(criterion).unit} / {flow_unit if flow_unit.isidentifier() else f'({flow_unit})'}"


@dataclass(frozen=True, eq=False)
class FactorSet:
    """Impact factors: dense ``values[flow, criterion, phase]`` and a coverage mask ``covered[flow, criterion]``.

    ``values`` is in each criterion's unit per flow's canonical unit. Where ``covered`` is False the value
    is 0 and means *missing*: results built on it are marked incomplete, never silently summed as zero.
    ``gaps`` holds phases a source is known not to cover although it covers others (for example the use
    phase of water, whose only electricity factor may not be redistributed): such a pair is covered, but
    its results are marked partial. ``included`` holds phases a source counts inside another phase's row
    (a network factor per GB that aggregates every phase under "use"): a profile then takes no other
    source's factor for them, which would count them twice.
    A set loaded from one folder has one component (itself); a profile lists the sets it drew from in
    ``components`` and, in ``selection``, which set supplied each (flow, criterion).

    Coverage is decided per phase (see :attr:`lacks`): each flow of the catalogue has the phases its nature
    gives it (``FLOWS[flow].phases``: a device has all four, a kWh only ``use``, a data-centre flow is
    embodied only); a phase of the flow with no factor and no ``included`` declaration is a gap, declared or
    not. A set is immutable: its arrays are read-only and its mappings read-only views, so changing what one
    caller got can never change what another gets from the loader's cache.
    """

    id: str
    version: str
    title: str
    licence: str
    sources: dict[str, dict[str, Any]]
    flows: tuple[str, ...]
    criteria: tuple[str, ...]
    values: np.ndarray
    covered: np.ndarray
    factors: dict[tuple[str, str, str], Factor]
    parameters: dict[str, Parameter] = field(default_factory=dict)
    path: str = ""
    description: str = ""
    components: tuple[tuple[str, str, str], ...] = ()  # (set id, version, content hash)
    selection: dict[tuple[str, str], str] = field(default_factory=dict)  # (flow, criterion) -> set id
    gaps: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (flow, criterion, phase) -> why
    included: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (flow, criterion, phase) -> where
    overrides: dict[str, str] = field(default_factory=dict)  # parameter name -> value given in place of the data's

    def __post_init__(self) -> None:
        for name in ("values", "covered"):
            view = np.asarray(getattr(self, name)).view()  # read-only view, no copy of a large array
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        for name in ("factors", "parameters", "selection", "gaps", "included", "overrides"):
            object.__setattr__(self, name, types.MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "sources", types.MappingProxyType(
            {k: types.MappingProxyType(dict(v)) for k, v in self.sources.items()}))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickle (and deep-copy) as plain mappings: read-only views do not pickle, and are rebuilt on load."""
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        state.update({k: _thaw(v) for k, v in state.items() if isinstance(v, types.MappingProxyType)})
        return _rebuild, (state,)

    @functools.cached_property
    def has(self) -> np.ndarray:
        """``has[flow, criterion, phase]``: a factor, or a declaration that another phase's row counts it."""
        has = np.zeros(self.values.shape, dtype=bool)
        for flow, criterion, phase in (*self.factors, *self.included):
            has[self._index(flow, criterion, phase)] = True
        has.flags.writeable = False
        return has

    @functools.cached_property
    def lacks(self) -> np.ndarray:
        """``lacks[flow, criterion, phase]``: a gap, i.e. no factor and no *included* declaration for a phase
        that the flow has (``FLOWS[flow].phases``) or that a source declares missing."""
        lacks = _expected(self.flows)[:, None, :] & ~self.has
        for key in self.gaps:
            lacks[self._index(*key)] = not self.has[self._index(*key)]
        lacks.flags.writeable = False
        return lacks

    def _index(self, flow: str, criterion: str, phase: str) -> tuple[int, int, int]:
        return self._positions[0][flow], self._positions[1][criterion], PHASE_IDS.index(phase)

    @functools.cached_property
    def _positions(self) -> tuple[dict[str, int], dict[str, int]]:
        return {f: i for i, f in enumerate(self.flows)}, {c: i for i, c in enumerate(self.criteria)}

    @functools.cached_property
    def complete(self) -> np.ndarray:
        """``complete[flow, criterion]``: no gap in any phase (see :attr:`lacks`)."""
        complete = ~self.lacks.any(axis=2)
        complete.flags.writeable = False
        return complete

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the set's content (values, units, provenance), independent of file layout and order."""
        digest = hashlib.sha256(f"{self.id}\n{self.version}\n".encode())
        for key in sorted(self.factors):
            f = self.factors[key]
            p = f.provenance
            row = (*key, repr(f.value), f.unit, str(f.distribution), p.set_id, p.source, p.locator, str(p.year),
                   p.geography, p.licence, p.confidence, f.formula or "",
                   *(f"{i.name}={i.value!r}" for i in f.inputs))
            digest.update(("\t".join(row) + "\n").encode())
        for label, declared in (("gap", self.gaps), ("included", self.included)):
            for key in sorted(declared):
                digest.update(("\t".join((label, *key, declared[key])) + "\n").encode())
        return digest.hexdigest()

    @property
    def label(self) -> str:
        """``id version``, e.g. ``impactco2 2.1.0-1``."""
        return f"{self.id} {self.version}"

    def factor(self, flow: str, criterion: str, phase: str) -> Factor | None:
        """The factor of one (flow, criterion, phase), or None when the set has no row for it."""
        return self.factors.get((flow, get_criterion(criterion).id, phase))

    def aligned(self, flows: Sequence[str], criteria: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(values, covered, complete)`` re-indexed on these flows and criteria; unknown ones are uncovered zeros."""
        values, has, lacks = self.aligned_phases(flows, criteria)
        return values, has.any(axis=2), ~lacks.any(axis=2)

    def aligned_phases(self, flows: Sequence[str],
                       criteria: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(values, has, lacks)``, each ``[flow, criterion, phase]``, re-indexed on these flows and criteria.

        A flow or criterion the set does not know has zero values and lacks every phase the flow has. The
        arrays are read-only and cached on the set (it is immutable), so repeated evaluations of the same
        flows cost a dictionary look-up.
        """
        key = (tuple(flows), tuple(criteria))
        cache = self._aligned_cache
        found = cache.get(key)
        if found is None:
            found = self._align(*key)
            with _ALIGN_LOCK:
                if len(cache) >= _ALIGN_CACHE_SIZE:
                    cache.pop(next(iter(cache)))
                cache[key] = found
        return found

    @functools.cached_property
    def _aligned_cache(self) -> dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[np.ndarray, ...]]:
        return {}

    def _align(self, flows: tuple[str, ...], criteria: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        flow_pos, crit_pos = self._positions
        fi = np.array([flow_pos.get(f, -1) for f in flows], dtype=np.intp)
        ci = np.array([crit_pos.get(c, -1) for c in criteria], dtype=np.intp)
        shape = (len(flows), len(criteria), len(PHASE_IDS))
        values, has = np.zeros(shape), np.zeros(shape, dtype=bool)
        lacks = np.broadcast_to(_expected(flows)[:, None, :], shape).copy()
        rows, cols = np.ix_(fi >= 0, ci >= 0)
        source = np.ix_(fi[fi >= 0], ci[ci >= 0])
        values[rows, cols] = self.values[source]
        has[rows, cols] = self.has[source]
        lacks[rows, cols] = self.lacks[source]
        for array in (values, has, lacks):
            array.flags.writeable = False
        return values, has, lacks

    def with_factors(self, factors: Mapping[tuple[str, str, str], Factor], *,
                     id_suffix: str = "+overrides") -> FactorSet:
        """A new set with these factors added or replacing existing ones (e.g. a user's own measurement)."""
        merged = {**self.factors, **factors}
        return build_factor_set(
            merged, id=self.id + id_suffix, version=self.version, title=self.title, licence=self.licence,
            sources=self.sources, parameters=self.parameters, description=self.description,
            components=self.components, selection={**self.selection, **{(k[0], k[1]): f.provenance.set_id
                                                                          for k, f in factors.items()}},
            gaps={k: v for k, v in self.gaps.items() if k not in factors}, included=self.included,
            overrides=self.overrides,
        )

    def override(self, flow: str, criterion: str, phase: str, value: Any, *, note: str = "user override",
                 uncertainty: str = "") -> FactorSet:
        """A new set where one factor is replaced by a value of yours, e.g. ``"12 g CO2 eq / GB"``.

        ``value`` is a number in the canonical unit (criterion unit per flow unit) or a string or pint Quantity
        in any unit of that dimension. The factor's provenance records ``note`` as the user's source.
        """
        from .. import units
        from ..uncertainty import parse_distribution

        key = (flow, get_criterion(criterion).id, phase)
        if phase not in PHASE_IDS:
            raise ValueError(f"unknown phase {phase!r}; accepted: {', '.join(PHASE_IDS)}")
        unit = canonical_factor_unit(flow, key[1])
        magnitude = units.to_magnitude(value, unit, f"override[{flow}, {key[1]}, {phase}]")
        factor = Factor(flow, key[1], phase, magnitude, unit, parse_distribution(uncertainty, magnitude),
                        user_provenance(note))
        return self.with_factors({key: factor})

    def to_dataframe(self) -> pd.DataFrame:
        """One row per factor: flow, tier, criterion, phase, value, unit, uncertainty, formula and provenance."""
        import pandas as pd

        columns = ["flow", "tier", "criterion", "phase", "value", "unit", "uncertainty", "formula", "set", "source",
                   "locator", "year", "geography", "licence", "confidence"]
        rows = []
        for (flow, criterion, phase), f in sorted(self.factors.items()):
            p = f.provenance
            rows.append((flow, FLOWS[flow].tier, criterion, phase, f.value, f.unit, str(f.distribution),
                         f.formula or "", p.set_id, p.source_title, p.locator, p.year, p.geography, p.licence,
                         p.confidence))
        return pd.DataFrame(rows, columns=columns)

    def coverage(self, criteria: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per (flow, criterion): covered or missing, phases given, source, year, licence, confidence.

        ``criteria`` restricts the table (default: every criterion of the set).
        """
        import pandas as pd

        wanted = [get_criterion(c).id for c in criteria] if criteria else list(self.criteria)
        by_pair: dict[tuple[str, str], list[Factor]] = {}
        for (flow, criterion, _), f in self.factors.items():
            by_pair.setdefault((flow, criterion), []).append(f)
        rows = []
        for flow in self.flows:
            for criterion in wanted:
                gaps = [(k[2], why) for k, why in self.gaps.items() if k[:2] == (flow, criterion)]
                found = sorted(by_pair.get((flow, criterion), []), key=lambda f: PHASE_IDS.index(f.phase))
                lacking = criterion not in self.criteria or not self.complete[self._index(flow, criterion, "use")[:2]]
                rows.append({
                    "flow": flow, "tier": FLOWS[flow].tier, "criterion": criterion,
                    "status": ("partial" if lacking else "covered") if found else "missing",
                    "phases": ", ".join(f.phase for f in found),
                    "included": ", ".join(k[2] for k in self.included if k[:2] == (flow, criterion)),
                    "gaps": "; ".join(f"{phase}: {why}" for phase, why in gaps),
                    "set": self.selection.get((flow, criterion), found[0].provenance.set_id if found else ""),
                    "source": "; ".join(sorted({f.provenance.source_title for f in found})),
                    "year": max((f.provenance.year for f in found), default=None),
                    "licence": "; ".join(sorted({f.provenance.licence for f in found})),
                    "confidence": _weakest(f.provenance.confidence for f in found),
                })
        return pd.DataFrame(rows)

    def coverage_by_phase(self, criteria: Sequence[str] = MISSION_CRITERIA,
                          flows: Sequence[str] | None = None) -> pd.DataFrame:
        """Flow × (criterion, phase): ``factor``, ``included`` (counted in another phase's row), ``gap``
        (declared missing by a source), ``missing`` (no source says anything: a gap too) or ``n/a`` (a phase
        the flow does not have, e.g. the manufacturing of a kWh).

        ``flows`` defaults to the set's flows; pass ``FLOWS`` to see every flow of the catalogue.
        """
        import pandas as pd

        ids = [get_criterion(c).id for c in criteria]
        rows = list(self.flows if flows is None else flows)
        table = {}
        for criterion in ids:
            for phase in PHASE_IDS:
                column = []
                for flow in rows:
                    key = (flow, criterion, phase)
                    column.append("factor" if key in self.factors else "included" if key in self.included
                                  else "gap" if key in self.gaps else "missing" if phase in FLOWS[flow].phases
                                  else "n/a")
                table[(criterion, phase)] = column
        return pd.DataFrame(table, index=pd.Index(rows, name="flow"))

    def _repr_html_(self) -> str:
        """Jupyter display: the set's label, licence and components, then its coverage per criterion."""
        import html

        cov = self.coverage()
        counts = cov.groupby(["criterion", "status"]).size().unstack(fill_value=0)
        components = ", ".join(f"{i} {v}" for i, v, _ in self.components)
        return (f"<p><b>FactorSet {html.escape(self.label)}</b> — {html.escape(self.title)}<br>"
                f"licence: {html.escape(self.licence)}<br>components: {html.escape(components)}<br>"
                f"hash {self.content_hash[:12]}</p>" + counts.to_html())

    def __repr__(self) -> str:
        n = int(self.covered.sum())
        return (f"<FactorSet {self.label}: {len(self.factors)} factors, {len(self.flows)} flows, "
                f"{len(self.criteria)} criteria, {n} (flow, criterion) pairs covered, hash {self.content_hash[:12]}>")


def _thaw(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    return {k: _thaw(v) if isinstance(v, types.MappingProxyType) else v for k, v in mapping.items()}


def _rebuild(state: dict[str, Any]) -> FactorSet:
    return FactorSet(**state)


_ALIGN_LOCK = threading.Lock()
_ALIGN_CACHE_SIZE = 16


def _expected(flows: Sequence[str]) -> np.ndarray:
    """``[flow, phase]``: True for the phases each flow has (a flow outside the catalogue: every phase)."""
    return np.array([[p in (FLOWS[f].phases if f in FLOWS else PHASE_IDS) for p in PHASE_IDS] for f in flows],
                    dtype=bool).reshape(len(flows), len(PHASE_IDS))


def _weakest(levels: Any) -> str:
    found = set(levels)
    return next((c for c in reversed(CONFIDENCE_LEVELS) if c in found), "")


def build_factor_set(factors: Mapping[tuple[str, str, str], Factor], *, id: str, version: str, title: str,
                     licence: str, sources: Mapping[str, Mapping[str, Any]],
                     parameters: Mapping[str, Parameter] | None = None, path: str = "", description: str = "",
                     components: tuple[tuple[str, str, str], ...] = (),
                     selection: Mapping[tuple[str, str], str] | None = None,
                     gaps: Mapping[tuple[str, str, str], str] | None = None,
                     included: Mapping[tuple[str, str, str], str] | None = None,
                     overrides: Mapping[str, str] | None = None) -> FactorSet:
    """Assemble the dense arrays of a FactorSet from its factors (flows and criteria in catalogue order).

    The mission's three criteria are always present, so a set that lacks them says so instead of hiding them.
    """
    declared = [*factors, *(gaps or {}), *(included or {})]  # a set speaks of every flow it declares about
    present_flows = {k[0] for k in declared}
    flows = tuple(f for f in FLOWS if f in present_flows)
    present_criteria = {k[1] for k in declared} | set(MISSION_CRITERIA)
    criteria = tuple(c.id for c in CRITERIA if c.id in present_criteria)
    fi = {f: i for i, f in enumerate(flows)}
    ci = {c: i for i, c in enumerate(criteria)}
    pi = {p: i for i, p in enumerate(PHASE_IDS)}
    values = np.zeros((len(flows), len(criteria), len(PHASE_IDS)))
    covered = np.zeros((len(flows), len(criteria)), dtype=bool)
    for (flow, criterion, phase), f in factors.items():
        values[fi[flow], ci[criterion], pi[phase]] = f.value
        covered[fi[flow], ci[criterion]] = True
    values.flags.writeable = False
    covered.flags.writeable = False
    return FactorSet(
        id=id, version=version, title=title, licence=licence, sources={k: dict(v) for k, v in sources.items()},
        flows=flows, criteria=criteria, values=values, covered=covered, factors=dict(factors),
        parameters=dict(parameters or {}), path=path, description=description, components=components,
        selection=dict(selection or {(k[0], k[1]): f.provenance.set_id for k, f in factors.items()}),
        gaps=dict(gaps or {}),
        included=dict(included or {}), overrides=dict(overrides or {}),
    )


def user_provenance(note: str = "user override") -> Provenance:
    """Provenance of a value the user supplied in code."""
    return Provenance(set_id="user", source="user", source_title=note, locator="given in code", year=0,
                      geography="", licence="user's own", confidence="medium", file="", line=0)


__all__ = ["CONFIDENCE_LEVELS", "Factor", "FactorSet", "Parameter", "Provenance", "build_factor_set",
           "canonical_factor_unit", "user_provenance"]
