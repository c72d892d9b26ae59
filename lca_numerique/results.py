"""Results: the labelled cube service × tier × criterion × phase, with audiences, coverage and provenance.

Every view is a reduction of the cube: totals by any set of axes or groups of services, values per unit of
audience ("per visit", "per view"...), and a coverage table.

Coverage rule, the same in every view (the cube ``values``, ``total()`` by any axes or groups,
``per_audience()``, ``scores()``, ``summary()``, ``to_dict()``, ``to_xarray()``, the Jupyter display):

- a factor set says, for each flow, criterion and phase, whether it *has* the phase (a factor, or a
  declaration that another phase's row counts it) or *lacks* it (a phase the flow has, see
  ``lca_numerique.flows``, with no factor and no such declaration, or a phase a source declares missing);
- a total *lacks* when some line behind it (a flow with a quantity > 0, in a kept tier and phase) lacks a
  kept phase, and has *found* something when some line behind it has one;
- it is ``complete`` when nothing behind it lacks, ``partial`` when something lacks and something was found
  (the value is the sum of what is covered), ``not covered`` when something lacks and nothing was found:
  its value is NaN, never a zero or another finite number.
- per unit of audience, a service whose audience is zero is ``not computable`` (NaN).

"Lacks" and "found" are both "any" over the lines, so they compose: the coverage of a total is that of its
breakdowns combined, whichever axes are summed first. A total with no line at all is a true, complete zero,
except by stage: a stage a service (or a group of services) has no line in does not exist for it (a website
has no printing), so its row is left out of the table, as an absent combination of kind and campaign is.

Coverage costs nothing until a view asks for it, and then only the flows that can lack a factor are looked
at: a bill matrix whose flows are all covered by the factor set is complete without any per-service work.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

import numpy as np

from ._version import __version__
from .algebra import contract_by_group
from .axes import PHASE_IDS, TIER_IDS
from .criteria import get_criterion
from .table import Table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr

    from .factors import FactorSet
    from .functional_units import FunctionalUnit

__all__ = [
    "AXES",
    "COMPLETE",
    "COVERAGE_LABELS",
    "GROUPS",
    "NOT_COVERED",
    "PARTIAL",
    "VIEW_AXES",
    "ZERO_AUDIENCE",
    "Results",
    "Scores",
    "provenance_of",
]

#: Axes of the cube, in storage order. ``criterion`` is always kept in tables: units differ between criteria.
AXES: tuple[str, ...] = ("service", "tier", "criterion", "phase")
#: Axes tables can keep: the cube's, and the stage of each bill line (see :data:`lca_numerique.bill.STAGES`).
VIEW_AXES: tuple[str, ...] = ("service", "tier", "stage", "criterion", "phase")
#: Labels of services that totals can also be grouped by.
GROUPS: tuple[str, ...] = ("kind", "campaign")
COMPLETE, PARTIAL, NOT_COVERED = "complete", "partial", "not covered"
ZERO_AUDIENCE = "not computable: audience is zero"
#: Coverage labels in code order: ``Scores.coverage`` and the ``coverage`` categories use these codes.
COVERAGE_LABELS: tuple[str, ...] = (COMPLETE, PARTIAL, NOT_COVERED, ZERO_AUDIENCE)
_NOT_COVERED, _ZERO_AUDIENCE = 2, 3


def provenance_of(factors: FactorSet) -> dict[str, str]:
    """What a result depends on: library version and the factor set's id, version and content hash."""
    return {
        "library": "lca_numerique",
        "library_version": __version__,
        "factor_set": factors.id,
        "factor_set_version": factors.version,
        "factor_set_hash": factors.content_hash,
        "factor_set_title": factors.title,
        "factor_set_licence": factors.licence,
        "factor_set_components": "; ".join(f"{i} {v} {h[:12]}" for i, v, h in factors.components),
        "numpy_version": np.__version__,
    }


def _deprecated(name: str, private: str, replacement: str) -> Any:
    """A read-only property for a name that became private: it still answers, with a DeprecationWarning."""

    def read(self: Results) -> Any:
        warnings.warn(f"Results.{name} is deprecated and will be removed in 0.3; use {replacement}",
                      DeprecationWarning, stacklevel=2)
        return getattr(self, private)

    return property(read, doc=f"Deprecated: use {replacement}.")


class Scores(NamedTuple):
    """Service × criterion totals as plain arrays, for tools that do not want pandas.

    ``values[service, criterion]`` in each criterion's unit (``units``), NaN where not covered (or where the
    audience is zero, per audience); ``coverage[service, criterion]`` holds codes into
    :data:`COVERAGE_LABELS` (0 complete, 1 partial, 2 not covered, 3 not computable).
    """

    values: np.ndarray
    coverage: np.ndarray
    services: tuple[str, ...]
    criteria: tuple[str, ...]
    units: tuple[str, ...]


class _View(NamedTuple):
    """One reduction: ``values[row, group, criterion, phase]`` (size-1 axes where summed) and its flags; a group
    is a tier, a stage, or a (tier, stage) pair, depending on the axes kept."""

    values: np.ndarray
    lacks: np.ndarray | None  # None: nothing lacks (complete everywhere)
    found: np.ndarray | None

    def codes(self) -> np.ndarray:
        if self.lacks is None or self.found is None:
            return np.zeros(self.values.shape, dtype=np.int8)
        return np.where(self.lacks, np.where(self.found, 1, _NOT_COVERED), 0).astype(np.int8)


@dataclass(frozen=True, eq=False)
class Results:
    """Impacts of many services, ``values[service, tier, criterion, phase]`` in each criterion's unit.

    Built by :func:`lca_numerique.evaluate` (or ``Inventory.evaluate()``), not by hand. What to read:

    - labels: ``services``, ``kinds``, ``campaigns``, ``criteria``, ``tiers``, ``phases``, ``stage_labels``,
      ``flows`` (the bills' flow columns), ``units()`` (each criterion's unit);
    - ``audience[service]``, each service's audience amount, in ``audience_units[service]`` (read-only);
    - tables: :meth:`total` (totals by any axes and groups, tidy, with a ``coverage`` column),
      :meth:`per_audience`, :meth:`coverage`, :meth:`summary`, :meth:`to_dataframe` (alias ``to_pandas``),
      :meth:`lines` (the bills' quantities behind the results), :meth:`sources`;
    - arrays: :attr:`values`, the whole cube ``[service, tier, criterion, phase]`` (NaN where not covered; the
      numbers of ``total(AXES)``, while ``total()`` sums over the axes it does not keep, by default to one row
      per service and criterion), :attr:`coverage_codes`, :meth:`flags`, :meth:`scores` (no pandas);
    - ``provenance`` (library and factor set versions and hash) and ``factor_set``; :meth:`to_dict`,
      :meth:`to_xarray`.

    Internally the results are the bill matrix (``[service, flow]``) and the factor arrays aligned on its flows
    (``[flow, criterion, phase]``); each view is computed from them for the axes it keeps. Those arrays are
    private: ``quantities``, ``factor_values``, ``has``, ``lacks``, ``tier_of`` and ``missing`` still work in
    0.2 with a ``DeprecationWarning`` naming what replaces them (see CHANGELOG.md).
    """

    services: tuple[str, ...]
    kinds: tuple[str, ...]
    campaigns: tuple[str, ...]
    criteria: tuple[str, ...]
    flows: tuple[str, ...]
    _quantities: np.ndarray
    _factor_values: np.ndarray
    _tier_of: np.ndarray
    _has: np.ndarray
    _lacks: np.ndarray
    audience: np.ndarray
    audience_units: tuple[str, ...]
    provenance: Mapping[str, str]
    factor_set: FactorSet
    #: The stage of each flow column (a flow used in two stages is two columns); empty: every line "other".
    _stages: tuple[str, ...] = ()

    tiers: tuple[str, ...] = TIER_IDS
    phases: tuple[str, ...] = PHASE_IDS

    def __post_init__(self) -> None:
        # read-only views (the caller's bill matrix keeps its own arrays) and a read-only provenance
        for name in ("_quantities", "audience"):
            view = np.asarray(getattr(self, name)).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        object.__setattr__(self, "provenance", types.MappingProxyType(dict(self.provenance)))

    quantities = _deprecated("quantities", "_quantities", "Results.lines() (a table), or the BillMatrix evaluated")
    factor_values = _deprecated("factor_values", "_factor_values",
                                "results.factor_set.aligned_phases(results.flows, results.criteria)[0]")
    has = _deprecated("has", "_has", "results.flags() (what a total found), or results.factor_set.has")
    lacks = _deprecated("lacks", "_lacks", "results.flags() (what a total lacks), or results.factor_set.lacks")
    tier_of = _deprecated("tier_of", "_tier_of", "lca_numerique.get_flow(flow).tier for each of results.flows")
    missing = _deprecated("missing", "_missing", "results.flags(('service', 'tier'))[0]")

    # -- the computation ------------------------------------------------------------------------------------
    def _view(self, keep: Sequence[str], rows: np.ndarray | None = None, n_rows: int = 0) -> _View:
        """The cube reduced to the kept axes (criterion always kept), NaN where not covered.

        ``rows`` (when given) maps each service to one of ``n_rows`` rows that its impacts are summed into
        (a group, or a single row for every service); otherwise each service is a row.
        """
        q, used = self._quantities, None
        if rows is not None:
            membership = np.zeros((n_rows, len(self.services)))
            membership[rows, np.arange(len(self.services))] = 1.0
            q = membership @ q
        f = self._factor_values if "phase" in keep else self._factor_values.sum(axis=2, keepdims=True)
        group_of, n_groups = self._column_groups(keep)
        values = self._contract(q, f, group_of, n_groups)

        lacks, has = self._lacks, self._has
        if "phase" not in keep:
            lacks, has = self._lacks_any_phase, self._has_any_phase
        relevant = self._relevant if "phase" not in keep else lacks.any(axis=(1, 2))
        if not relevant.any():
            return _View(values, None, None)
        used = q > 0  # quantities are >= 0, so a row's sum is > 0 where one of its services uses the flow
        lacking = self._any_used(used[:, relevant], lacks[relevant],
                                 None if group_of is None else group_of[relevant], n_groups)
        if not lacking.any():
            return _View(values, None, None)
        found = self._any_used(used, has, group_of, n_groups)
        values[lacking & ~found] = np.nan
        return _View(values, lacking, found)

    def _any_used(self, used: np.ndarray, flags: np.ndarray, group_of: np.ndarray | None, n_groups: int) -> np.ndarray:
        """``out[row, group, criterion, phase]``: some used flow has the flag (counted exactly in float32)."""
        return self._contract(used.astype(np.float32), flags.astype(np.float32), group_of, n_groups) > 0

    @staticmethod
    def _contract(q: np.ndarray, f: np.ndarray, group_of: np.ndarray | None, n_groups: int) -> np.ndarray:
        """``out[row, group, criterion, phase]``: one product, columns summed within their group (or all
        together into a size-1 axis when ``group_of`` is None)."""
        if group_of is not None:
            return contract_by_group(q, f, group_of, n_groups)
        # the width written out: with no flow at all (every amount zero), -1 cannot be inferred
        return (q @ f.reshape(f.shape[0], math.prod(f.shape[1:]))).reshape(q.shape[0], 1, *f.shape[1:])

    def _column_groups(self, keep: Sequence[str]) -> tuple[np.ndarray | None, int]:
        """Each flow column's group for the kept axes: its tier, its stage, or the pair (tier-major)."""
        n_stages = len(self.stage_labels)
        if "stage" in keep and "tier" in keep:
            return self._tier_of * n_stages + self._stage_of, len(self.tiers) * n_stages
        if "stage" in keep:
            return self._stage_of, n_stages
        if "tier" in keep:
            return self._tier_of, len(self.tiers)
        return None, 1

    @functools.cached_property
    def stage_labels(self) -> tuple[str, ...]:
        """The stages of the bills' lines, in the order of :data:`lca_numerique.bill.STAGES`."""
        from .bill import STAGES

        present = set(self._stages or ("other",))
        return tuple(s for s in STAGES if s in present)

    @functools.cached_property
    def _stage_of(self) -> np.ndarray:
        position = {s: i for i, s in enumerate(self.stage_labels)}
        return np.array([position[s] for s in self._stages or ("other",) * len(self.flows)], dtype=np.intp)

    @functools.cached_property
    def _lacks_any_phase(self) -> np.ndarray:
        return self._lacks.any(axis=2, keepdims=True)

    @functools.cached_property
    def _has_any_phase(self) -> np.ndarray:
        return self._has.any(axis=2, keepdims=True)

    @functools.cached_property
    def _relevant(self) -> np.ndarray:
        """``[flow]``: flows that lack some phase of some criterion, the only ones that can make a gap."""
        return self._lacks.any(axis=(1, 2))

    # -- array views ----------------------------------------------------------------------------------------
    @functools.cached_property
    def values(self) -> np.ndarray:
        """The whole cube ``[service, tier, criterion, phase]``, NaN where not covered (computed once, read-only).

        The same numbers as ``total(AXES)``; a partial cell holds the sum of what is covered.
        """
        values = self._view(AXES).values
        values.flags.writeable = False
        return values

    @functools.cached_property
    def coverage_codes(self) -> np.ndarray:
        """Codes into :data:`COVERAGE_LABELS` for every cell of ``values`` (read-only)."""
        codes = self._view(AXES).codes()
        codes.flags.writeable = False
        return codes

    def flags(self, by: str | Sequence[str] = AXES) -> tuple[np.ndarray, np.ndarray]:
        """Coverage flags of the totals kept by the axes ``by``.

        Parameters
        ----------
        by
            Axes of the cube among service, tier, criterion, phase (criterion is always kept).

        Returns
        -------
        tuple of numpy.ndarray
            ``(lacking, found)``, boolean arrays over the kept axes in the order service, tier, criterion,
            phase: some line behind the total lacks a factor in a kept phase / has one. Both are "any" over
            lines, so they compose: see the module docstring for the rule that turns them into complete,
            partial or not covered.
        """
        names = _axes(by)
        if any(g in names for g in (*GROUPS, "stage")):
            raise ValueError("flags() keeps the cube's axes only (service, tier, criterion, phase); group the "
                             "masks yourself (they combine with any()), or read total()'s coverage column")
        keep = [a for a in AXES if a in names or a == "criterion"]
        view = self._view(keep)
        squeeze = tuple(i for i, axis in enumerate(AXES) if axis not in keep)
        used = self._quantities > 0 if "service" in keep else (self._quantities > 0).any(axis=0, keepdims=True)
        has = self._has if "phase" in keep else self._has_any_phase
        found = view.found if view.found is not None else self._any_used(used, has, *self._column_groups(keep))
        lacking = view.lacks if view.lacks is not None else np.zeros(view.values.shape, dtype=bool)
        return lacking.squeeze(axis=squeeze), found.squeeze(axis=squeeze)

    @property
    def _missing(self) -> np.ndarray:
        return self.flags(("service", "tier"))[0]

    def scores(self, *, per_audience: bool = False) -> Scores:
        """Service × criterion totals without pandas.

        Parameters
        ----------
        per_audience
            Divide by each service's audience (values per visit, per view...).

        Returns
        -------
        Scores
            ``values[service, criterion]`` in each criterion's unit (``units``), NaN where not covered, and
            ``coverage`` codes into :data:`COVERAGE_LABELS`.
        """
        view = self._view(("service", "criterion"))
        values, codes = view.values[:, 0, :, 0], view.codes()[:, 0, :, 0]
        if per_audience:
            values, codes = self._per_audience(values, codes, self.audience[:, None])
        return Scores(values, codes, self.services, self.criteria, tuple(self.units().values()))

    def select(self, positions: Sequence[int] | np.ndarray) -> Results:
        """The results of the services at ``positions`` (in that order), with the same factors and coverage rule:
        ``select(p).values`` is ``values[p]`` computed for those services only, and ``select(p).total(())``
        their sum, not covered only where nothing behind it has a factor."""
        rows = np.asarray(positions, dtype=np.intp)

        def pick(labels: Sequence[str]) -> tuple[str, ...]:
            return tuple(np.asarray(labels, dtype=object)[rows].tolist())

        return dataclasses.replace(self, services=pick(self.services), kinds=pick(self.kinds),
                                   campaigns=pick(self.campaigns), _quantities=self._quantities[rows],
                                   audience=self.audience[rows], audience_units=pick(self.audience_units))

    @staticmethod
    def _per_audience(values: np.ndarray, codes: np.ndarray, audience: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(audience > 0, values / audience, np.nan)
        return values, np.where(audience > 0, codes, _ZERO_AUDIENCE).astype(np.int8)

    # -- labels ---------------------------------------------------------------------------------------------
    @property
    def selection(self) -> dict[tuple[str, str], str]:
        """For each (flow, criterion) the bills use: the factor set(s) that supplied its factors."""
        chosen = self.factor_set.selection
        return {(f, c): chosen[(f, c)] for f in self.flows for c in self.criteria if (f, c) in chosen}

    def lines(self) -> pd.DataFrame:
        """The bills' quantities behind the results.

        Returns
        -------
        pandas.DataFrame
            One row per service and flow column it uses: ``service``, ``flow``, the line's ``stage`` and its
            ``amount`` in the flow's canonical ``unit`` (device_hour, GB, GB_stored * year...) over the period.
        """
        import pandas as pd

        from .flows import FLOWS

        rows, columns = np.nonzero(self._quantities)
        stages = np.array(self._stages or ("other",) * len(self.flows), dtype=object)
        flows = np.array(self.flows, dtype=object)
        return pd.DataFrame({"service": np.array(self.services, dtype=object)[rows], "flow": flows[columns],
                             "stage": stages[columns], "amount": self._quantities[rows, columns],
                             "unit": [FLOWS[f].unit for f in flows[columns]]})

    def sources(self) -> pd.DataFrame:
        """For every flow the bills use and every criterion: which factor set(s) supplied the factors."""
        import pandas as pd

        selection = self.selection
        rows = [{"flow": f, "criterion": c, "set": selection.get((f, c), "missing")}
                for f in dict.fromkeys(self.flows) for c in self.criteria]  # a flow in two stages: once
        return pd.DataFrame(rows, columns=["flow", "criterion", "set"])

    def units(self) -> dict[str, str]:
        """The unit of each criterion's results, e.g. ``{"climate_change": "kg CO2 eq", ...}``."""
        return {c: get_criterion(c).unit for c in self.criteria}

    def _labels(self, axis: str) -> Sequence[str]:
        return {"service": self.services, "tier": self.tiers, "criterion": self.criteria, "phase": self.phases,
                "stage": self.stage_labels}[axis]

    # -- tidy tables ----------------------------------------------------------------------------------------
    @overload
    def total(self, by: str | Sequence[str] = ..., *, per_audience: bool = ...,
              as_frame: Literal[True] = ...) -> pd.DataFrame: ...

    @overload
    def total(self, by: str | Sequence[str] = ..., *, per_audience: bool = ..., as_frame: Literal[False]) -> Table: ...

    def total(self, by: str | Sequence[str] = ("service",), *, per_audience: bool = False,
              as_frame: bool = True) -> pd.DataFrame | Table:
        """Tidy totals kept by ``by``, summed over the other axes.

        Parameters
        ----------
        by
            Any of the axes service, tier, stage, criterion, phase and the groups kind, campaign (a single name
            may be given as a string). ``criterion`` is always kept: units differ between criteria.
        per_audience
            Divide each value by its service's audience (needs ``service`` in ``by``).
        as_frame
            True: a ``pandas.DataFrame``. False: the same table as a :class:`lca_numerique.table.Table`, built
            without importing pandas (for tools that must start fast; ``table.to_pandas()`` is the DataFrame).

        Returns
        -------
        pandas.DataFrame or Table
            Columns: the groups, the kept axes and ``criterion``, then ``value`` in ``unit`` (the criterion's
            unit, e.g. kg CO2 eq, over the assessed period; per visit, view... with ``per_audience``) and
            ``coverage`` (complete, partial or not covered: see the module docstring; a not-covered value is
            NaN). With ``per_audience``, also ``audience`` (in the service's audience unit) and ``per``
            ("per visit"...). Label columns are categorical. With ``stage`` in ``by``, only the stages a row has
            lines in appear (no zero row for a website's printing); the rows still sum to the totals without it.
        """
        table = self._table(_axes(by), per_audience)
        return table.to_pandas() if as_frame else table

    def _table(self, by: tuple[str, ...], per_audience: bool) -> Table:
        """The tidy table of :meth:`total`: numbers, and label columns as codes into their labels."""
        keep = [a for a in VIEW_AXES if a in by or a == "criterion"]
        groups = [g for g in GROUPS if g in by]
        if per_audience and "service" not in keep:
            raise ValueError("per-audience values need 'service' in `by`: audiences of different services do not add")
        if "service" in keep:
            view, row_labels, rows = self._view(keep), self.services, None
            group_columns = {g: tuple(np.unique(self._group_of(g), return_inverse=True)) for g in groups}
            group_columns = {g: (list(labels), codes) for g, (labels, codes) in group_columns.items()}
        else:
            rows, firsts, group_columns = self._group_rows(groups)
            view, row_labels = self._view(keep, rows, len(firsts)), ()
        shape = view.values.shape  # [row, group, criterion, phase], size 1 where summed

        def position(axis: int) -> np.ndarray:
            """Each output cell's index on ``axis``, in the smallest integer type (the column's codes)."""
            index = np.arange(shape[axis], dtype=_code_dtype(shape[axis]))
            return np.broadcast_to(index.reshape([-1 if i == axis else 1 for i in range(4)]), shape).ravel()

        columns: dict[str, np.ndarray] = {}
        labels: dict[str, Sequence[str]] = {}
        row = position(0)
        for g, (names, codes) in group_columns.items():
            columns[g], labels[g] = codes.astype(_code_dtype(len(names)))[row], names
        group = position(1)
        n_stages = len(self.stage_labels)
        codes_of = {"service": row, "criterion": position(2), "phase": position(3),
                    "tier": group // n_stages if "stage" in keep else group,
                    "stage": group % n_stages if "tier" in keep else group}
        for axis in keep:
            columns[axis], labels[axis] = codes_of[axis], row_labels if axis == "service" else self._labels(axis)
        values, status = view.values.ravel(), view.codes().ravel()
        if "stage" in keep:  # a stage a row has no line in (a website's printing) is left out, not shown as 0
            present = np.broadcast_to(self._has_lines(keep, rows, shape[0])[:, :, None, None], shape).ravel()
            columns = {name: column[present] for name, column in columns.items()}
            row, codes_of = row[present], {axis: code[present] for axis, code in codes_of.items()}
            values, status = values[present], status[present]
        unit_names = sorted(set(self.units().values()))
        unit_of = np.array([unit_names.index(u) for u in self.units().values()], dtype=np.int8)
        criterion = codes_of["criterion"]
        if per_audience:
            audience = self.audience[row]
            values, status = self._per_audience(values, status, audience)
        columns["value"] = values
        columns["unit"], labels["unit"] = unit_of[criterion], unit_names
        columns["coverage"], labels["coverage"] = status, COVERAGE_LABELS
        if per_audience:
            per_names = sorted(set(self.audience_units))
            per_of = np.array([per_names.index(u) for u in self.audience_units])
            columns["audience"] = audience
            columns["per"], labels["per"] = per_of[row], [f"per {u}" for u in per_names]
        return Table(columns, labels)

    def _has_lines(self, keep: Sequence[str], rows: np.ndarray | None, n_rows: int) -> np.ndarray:
        """``[row, group]``: whether some line of the row (a service, or the services summed into it) has a
        quantity in a column of the group (a stage, or a tier and stage pair)."""
        used = (self._quantities > 0).astype(np.float32)
        if rows is not None:
            membership = np.zeros((n_rows, len(self.services)), dtype=np.float32)
            membership[rows, np.arange(len(self.services))] = 1.0
            used = membership @ used
        group_of, n_groups = self._column_groups(keep)
        return self._contract(used, np.ones((used.shape[1], 1), dtype=np.float32), group_of, n_groups)[:, :, 0] > 0

    def _group_of(self, group: str) -> tuple[str, ...]:
        return self.kinds if group == "kind" else self.campaigns

    def _group_rows(self, groups: Sequence[str]) -> tuple[np.ndarray, np.ndarray, dict[str, _Column]]:
        """Rows of a table summed over services: one per combination of the groups, in order of appearance."""
        if not groups:
            return np.zeros(len(self.services), dtype=np.intp), np.zeros(1, dtype=np.intp), {}
        key = np.zeros(len(self.services), dtype=np.intp)
        decoded = {}
        for g in groups:
            labels, codes = np.unique(self._group_of(g), return_inverse=True)
            key = key * len(labels) + codes
            decoded[g] = (list(labels), codes)
        _, firsts, inverse = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(firsts, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        rows = rank[inverse]
        first_of_row = firsts[order]
        return rows, first_of_row, {g: (labels, codes[first_of_row]) for g, (labels, codes) in decoded.items()}

    @overload
    def per_audience(self, by: str | Sequence[str] = ..., *, as_frame: Literal[True] = ...) -> pd.DataFrame: ...

    @overload
    def per_audience(self, by: str | Sequence[str] = ..., *, as_frame: Literal[False]) -> Table: ...

    def per_audience(self, by: str | Sequence[str] = ("service",), *, as_frame: bool = True) -> pd.DataFrame | Table:
        """Totals per unit of each service's audience (kg CO2 eq per visit, per view...).

        Parameters
        ----------
        by
            The axes and groups kept, as for :meth:`total`; must include ``service``.
        as_frame
            True: a ``pandas.DataFrame`` (for analysts). False: the same columns, rows and numbers as a
            read-only :class:`lca_numerique.table.Table`, built without importing pandas (for a tool that must
            start fast); ``table.to_pandas()`` gives the DataFrame.

        Returns
        -------
        pandas.DataFrame or Table
            ``total(by, per_audience=True)``: ``value`` per unit of audience in ``unit`` per ``per`` (e.g.
            kg CO2 eq per visit), ``coverage`` (complete, partial, not covered or not computable: NaN), the
            ``audience`` (in the service's audience unit) and ``per`` ("per visit"...).
        """
        table = self._table(_axes(by), True)
        return table.to_pandas() if as_frame else table

    def per_unit(self, unit: FunctionalUnit, by: str | Sequence[str] = ("service",)) -> pd.DataFrame:
        """Totals per a declared functional unit (per inhabitant, per euro, per mailbox-week...).

        Parameters
        ----------
        unit
            The functional unit (see :mod:`lca_numerique.functional_units`; ``inventory.unit("inhabitant")``).
        by
            The axes and groups kept, as for :meth:`total`.

        Returns
        -------
        pandas.DataFrame
            As :meth:`total`, ``value`` in the criterion's unit per functional unit (e.g. kg CO2 eq per
            inhabitant), with the unit's ``amount`` and label ``per``.
        """
        from .functional_units import per_unit

        return per_unit(self, unit, by)

    def to_dataframe(self, *, per_audience: bool = False) -> pd.DataFrame:
        """The whole cube as a tidy long table: one row per service, tier, criterion and phase.

        Parameters
        ----------
        per_audience
            Divide each value by its service's audience (per visit, per view...).

        Returns
        -------
        pandas.DataFrame
            ``total(AXES, per_audience=per_audience)``: ``value`` in ``unit`` (kg CO2 eq... over the period, or
            per unit of audience) and ``coverage``.
        """
        return self.total(AXES, per_audience=per_audience)

    to_pandas = to_dataframe

    def coverage(self, by: str | Sequence[str] = ("service",)) -> pd.DataFrame:
        """Whether each total is complete, partial or not covered.

        Parameters
        ----------
        by
            The axes and groups kept, as for :meth:`total`.

        Returns
        -------
        pandas.DataFrame
            The label columns of ``total(by)`` and ``coverage`` (complete, partial or not covered).
        """
        table = self.total(by)
        return table[[c for c in table.columns if c not in ("value", "unit")]]

    @property
    def is_complete(self) -> bool:
        """True when no line of any service lacks a factor in a phase, for any criterion shown."""
        return not bool((self._quantities[:, self._relevant] > 0).any())

    def summary(self) -> pd.DataFrame:
        """Service × criterion totals as a wide table.

        Returns
        -------
        pandas.DataFrame
            One row per service, one column per criterion named with its unit (``climate_change (kg CO2
            eq)``), totals over the assessed period; NaN where not covered.
        """
        import pandas as pd

        scores = self.scores()
        return pd.DataFrame(scores.values, index=pd.Index(self.services, name="service"),
                            columns=pd.Index([f"{c} ({u})" for c, u in zip(scores.criteria, scores.units, strict=True)],
                                             name="criterion"))

    def __repr__(self) -> str:
        status = "complete" if self.is_complete else "INCOMPLETE: some lines lack factors (see .coverage())"
        return (f"<Results: {len(self.services)} service(s) x {len(self.criteria)} criteria, factor set "
                f"{self.provenance['factor_set']} {self.provenance['factor_set_version']}; {status}>")

    def _repr_html_(self) -> str:
        """Jupyter display: provenance, then service × criterion totals with units and coverage flags."""
        import html

        import pandas as pd

        scores = self.scores()
        shown = np.array([[f"{v:.4g}" if code == 0 else f"{'NaN' if np.isnan(v) else f'{v:.4g}'} "
                           f"({COVERAGE_LABELS[code]})" for v, code in zip(row, codes, strict=True)]
                          for row, codes in zip(scores.values, scores.coverage, strict=True)], dtype=object)
        table = pd.DataFrame(shown, index=pd.Index(self.services, name="service"),
                             columns=[f"{c} ({u})" for c, u in zip(scores.criteria, scores.units, strict=True)])
        p = self.provenance
        head = (f"<p><b>Results</b>: {len(self.services)} service(s), factors {html.escape(p['factor_set'])} "
                f"{html.escape(p['factor_set_version'])} (hash {p['factor_set_hash'][:12]})"
                f"{'' if self.is_complete else ' — <b>some totals are incomplete</b>'}</p>")
        return head + table.to_html()

    def to_dict(self, *, cube: bool = True) -> dict[str, Any]:
        """Plain data for JSON: labels, the cube ``values`` (``None`` where not covered or not finite), its ``coverage``
        labels, audiences and provenance; without ``values`` and ``coverage`` if not ``cube`` (for a writer that
        encodes them a block of services at a time from :attr:`values` and :attr:`coverage_codes`)."""
        data = {
            "axes": list(AXES), "services": list(self.services), "kinds": list(self.kinds),
            "campaigns": list(self.campaigns),
            "tiers": list(self.tiers), "criteria": list(self.criteria), "phases": list(self.phases),
            "units": self.units(),
            "audience": self.audience.tolist(),
            "audience_units": list(self.audience_units), "provenance": dict(self.provenance),
        }
        if cube:
            values = self.values
            data["values"] = np.where(np.isfinite(values), values, None).tolist()  # JSON has no NaN or inf
            data["coverage"] = np.asarray(COVERAGE_LABELS, dtype=object)[self.coverage_codes].tolist()
        return data

    def to_xarray(self) -> xr.Dataset:
        """The cube as a labelled ``xarray.Dataset`` (optional extra ``xarray``).

        Returns
        -------
        xarray.Dataset
            Values over the dimensions service, tier, criterion and phase in each criterion's unit, coverage as
            a mask, units and provenance as attributes: see :mod:`lca_numerique.bridges.xarray`.
        """
        from .bridges.xarray import to_xarray

        return to_xarray(self)


_Column = tuple[list[str], np.ndarray]  # a group's labels and each row's code


def _axes(by: str | Sequence[str]) -> tuple[str, ...]:
    """``by`` as a tuple of known axis or group names, or a ValueError naming the unknown ones."""
    names = (by,) if isinstance(by, str) else tuple(by)
    unknown = [a for a in names if a not in VIEW_AXES + GROUPS]
    if unknown:
        raise ValueError(f"unknown axis {', '.join(map(repr, unknown))} in `by`; axes are {', '.join(VIEW_AXES)} "
                         f"and groups {', '.join(GROUPS)}")
    return names


def _code_dtype(n: int) -> type[np.signedinteger[Any]]:
    """The integer type pandas keeps categorical codes in for ``n`` categories."""
    return np.int8 if n < 127 else np.int16 if n < 32767 else np.int32 if n < 2**31 - 1 else np.int64
