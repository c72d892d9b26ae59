"""Results: the labelled cube service × tier × criterion × phase, with audiences, coverage and provenance.

Every view is a reduction of the cube: totals by any set of axes, values per unit of audience ("per visit",
"per view"...), and a coverage table. A total is ``complete`` when every line behind it had a factor,
``partial`` when some line lacked one (the value shown is the sum of what was covered), and ``not covered``
when no line behind it had one (the value is NaN, never a zero).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._version import __version__
from .algebra import contract_by_group
from .axes import PHASE_IDS, TIER_IDS
from .criteria import get_criterion

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors import FactorSet

#: Axes of the cube, in storage order. ``criterion`` is always kept in tables: units differ between criteria.
AXES: tuple[str, ...] = ("service", "tier", "criterion", "phase")
#: Axes tables can keep: the cube's, and the stage of each bill line (see :data:`lca_numerique.bill.STAGES`).
VIEW_AXES: tuple[str, ...] = ("service", "tier", "stage", "criterion", "phase")
#: Labels of services that totals can also be grouped by.
GROUPS: tuple[str, ...] = ("kind", "campaign")
COMPLETE, PARTIAL, NOT_COVERED = "complete", "partial", "not covered"
ZERO_AUDIENCE = "not computable: audience is zero"
_COVERAGE = (COMPLETE, PARTIAL, NOT_COVERED, ZERO_AUDIENCE)


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


@dataclass(frozen=True, eq=False)
class Results:
    """Impacts of many services, ``values[service, tier, criterion, phase]`` in each criterion's unit.

    Held as the bill matrix ``quantities[service, flow]`` and the aligned ``factor_values[flow, criterion,
    phase]``; every table is computed from them for the axes it keeps. ``missing[service, tier, criterion]``
    is True where some line of that tier lacks a factor for that criterion; ``found`` where some line has
    one. ``audience`` holds each service's audience amount, in ``audience_units``.
    """

    services: tuple[str, ...]
    kinds: tuple[str, ...]
    campaigns: tuple[str, ...]
    criteria: tuple[str, ...]
    flows: tuple[str, ...]
    quantities: np.ndarray
    factor_values: np.ndarray
    tier_of: np.ndarray
    missing: np.ndarray
    found: np.ndarray
    audience: np.ndarray
    audience_units: tuple[str, ...]
    provenance: dict[str, str]
    selection: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    #: The stage of each flow column, and per column and criterion whether its factor is incomplete (lack) or
    #: present (have), ``[column, lack|have, criterion]``: coverage of totals by stage is decided from them.
    stages: tuple[str, ...] = ()
    column_flags: np.ndarray | None = None

    tiers: tuple[str, ...] = TIER_IDS
    phases: tuple[str, ...] = PHASE_IDS

    @functools.cached_property
    def values(self) -> np.ndarray:
        """The whole cube ``[service, tier, criterion, phase]`` (computed on first access, then kept)."""
        return self._reduce(AXES)

    @functools.cached_property
    def stage_labels(self) -> tuple[str, ...]:
        """The stages of the bills' lines, in the order of :data:`lca_numerique.bill.STAGES`."""
        from .bill import STAGES

        return tuple(s for s in STAGES if s in set(self.stages or ("other",)))

    def _stage_groups(self, keep: Sequence[str]) -> tuple[np.ndarray, int]:
        """Each column's group when stages are kept: its stage, within its tier when tiers are kept too."""
        stage_of = np.array([self.stage_labels.index(s) for s in self.stages or ("other",) * len(self.flows)],
                            dtype=np.intp)
        n = len(self.stage_labels)
        return (self.tier_of * n + stage_of, len(self.tiers) * n) if "tier" in keep else (stage_of, n)

    def _stage_flags(self, keep: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """missing, found ``[service?, tier?, stage, criterion]`` from the columns' own flags."""
        groups, n = self._stage_groups(keep)
        used = (self.quantities > 0).astype(np.float32)
        if "service" not in keep:
            used = used.max(axis=0, keepdims=True)
        counts = contract_by_group(used, self.column_flags.astype(np.float32), groups, n)  # [s, group, 2, c]
        shape = (counts.shape[0], *((len(self.tiers),) if "tier" in keep else ()), len(self.stage_labels), -1)
        missing, found = counts[:, :, 0].reshape(shape) > 0, counts[:, :, 1].reshape(shape) > 0
        return (missing, found) if "service" in keep else (missing[0], found[0])

    def _reduce(self, keep: Sequence[str]) -> np.ndarray:
        """The cube summed over the axes not in ``keep`` (criterion always kept), multiplying as late as possible."""
        f = self.factor_values if "phase" in keep else self.factor_values.sum(axis=2, keepdims=True)
        q = self.quantities if "service" in keep else self.quantities.sum(axis=0, keepdims=True)
        if "stage" in keep:
            groups, n = self._stage_groups(keep)
            cube = contract_by_group(q, f, groups, n)
            cube = cube.reshape(q.shape[0], *((len(self.tiers),) if "tier" in keep else ()), len(self.stage_labels),
                                *cube.shape[2:])
            cube = cube if "phase" in keep else cube[..., 0]
            return cube if "service" in keep else cube[0]
        if "tier" in keep:
            cube = contract_by_group(q, f, self.tier_of, len(self.tiers))
        else:
            cube = (q @ f.reshape(f.shape[0], -1)).reshape(q.shape[0], 1, *f.shape[1:])
        squeeze = tuple(i for i, axis in enumerate(AXES) if axis not in keep)
        return cube.squeeze(axis=squeeze) if squeeze else cube

    def sources(self) -> pd.DataFrame:
        """For every flow the bills use and every criterion: which factor set(s) supplied the factors."""
        import pandas as pd

        rows = [{"flow": f, "criterion": c, "set": self.selection.get((f, c), "missing")}
                for f in dict.fromkeys(self.flows) for c in self.criteria]  # a flow in two stages: once
        return pd.DataFrame(rows, columns=["flow", "criterion", "set"])

    def units(self) -> dict[str, str]:
        """The unit of each criterion's results, e.g. ``{"climate_change": "kg CO2 eq", ...}``."""
        return {c: get_criterion(c).unit for c in self.criteria}

    def _labels(self, axis: str) -> Sequence[str]:
        return {"service": self.services, "tier": self.tiers, "criterion": self.criteria, "phase": self.phases,
                "stage": self.stage_labels}[axis]

    def total(self, by: Sequence[str] = ("service",), *, per_audience: bool = False) -> pd.DataFrame:
        """Tidy totals kept by the axes ``by`` (any of service, tier, stage, criterion, phase, and the groups kind
        and campaign), summed over the rest.

        Columns: the ``by`` axes and ``criterion``, then ``value``, ``unit`` and ``coverage``. With
        ``per_audience`` (which needs ``service`` in ``by``) values are divided by each service's audience and
        the columns ``audience`` and ``per`` ("per visit"...) are added.
        """
        import pandas as pd

        unknown = [a for a in by if a not in VIEW_AXES + GROUPS]
        if unknown:
            raise ValueError(f"unknown axis {unknown}; axes are {', '.join(VIEW_AXES + GROUPS)}")
        if any(g in by for g in GROUPS):
            return self._grouped(by, per_audience)
        keep = [a for a in VIEW_AXES if a in by or a == "criterion"]
        if per_audience and "service" not in keep:
            raise ValueError("per-audience values need 'service' in `by`: audiences of different services do not add")
        values = self._reduce(keep)
        if "stage" in keep:
            missing, found = self._stage_flags(keep)
        else:
            flag_drop = tuple(i for i, a in enumerate(AXES[:3]) if a not in keep)  # missing/found have no phase axis
            missing, found = self.missing.any(axis=flag_drop), self.found.any(axis=flag_drop)
        if "phase" in keep:
            missing, found = missing[..., None], found[..., None]
        missing, found = np.broadcast_to(missing, values.shape), np.broadcast_to(found, values.shape)
        status = np.where(missing, np.where(found, 1, 2), 0).astype(np.int8)  # codes into _COVERAGE
        values = np.where(status == 2, np.nan, values)

        # Columns are built from integer codes: categorical axes keep their order in groupby and sort, and a
        # 100,000-service table costs a fraction of a second.
        def codes(axis: str) -> np.ndarray:
            k = keep.index(axis)
            shape = [values.shape[k] if i == k else 1 for i in range(values.ndim)]
            return np.broadcast_to(np.arange(values.shape[k]).reshape(shape), values.shape).ravel()

        columns: dict[str, Any] = {a: pd.Categorical.from_codes(codes(a), list(self._labels(a))) for a in keep}
        columns["value"] = values.ravel()
        unit_names = sorted(set(self.units().values()))
        unit_of = np.array([unit_names.index(u) for u in self.units().values()])
        columns["unit"] = pd.Categorical.from_codes(unit_of[codes("criterion")], unit_names)
        status = status.ravel()
        if per_audience:
            service = codes("service")
            audience = self.audience[service]
            with np.errstate(divide="ignore", invalid="ignore"):
                columns["value"] = np.where(audience > 0, columns["value"] / audience, np.nan)
            status = np.where(audience > 0, status, 3).astype(np.int8)
            per_names = sorted(set(self.audience_units))
            per_of = np.array([per_names.index(u) for u in self.audience_units])
            columns["audience"] = audience
            columns["per"] = pd.Categorical.from_codes(per_of[service], [f"per {u}" for u in per_names])
        columns["coverage"] = pd.Categorical.from_codes(status, _COVERAGE)
        order = [*keep, "value", "unit", "coverage", *(["audience", "per"] if per_audience else [])]
        return pd.DataFrame(columns)[order]

    def _grouped(self, by: Sequence[str], per_audience: bool) -> pd.DataFrame:
        """Totals by kind or campaign: service totals summed within each group."""
        import pandas as pd

        if per_audience:
            raise ValueError("per-audience values are per service: audiences of different services do not add")
        groups = [g for g in GROUPS if g in by]
        frame = self.total(("service", *[a for a in by if a in VIEW_AXES]))
        labels = {"kind": self.kinds, "campaign": self.campaigns}
        for g in groups:
            frame[g] = frame["service"].map(dict(zip(self.services, labels[g], strict=True))).astype(str)
        keys = [*groups, *[a for a in VIEW_AXES[1:] if a in frame.columns]]
        code = frame["coverage"].cat.codes
        grouped = frame.assign(_code=code).groupby(keys, observed=True, sort=False)
        out = grouped.agg(value=("value", lambda v: v.sum(min_count=1)), unit=("unit", "first"),
                          _low=("_code", "min"), _high=("_code", "max")).reset_index()
        status = np.where(out["_high"] == 0, 0, np.where(out["_low"] == 2, 2, 1)).astype(np.int8)
        out["coverage"] = pd.Categorical.from_codes(status, _COVERAGE)
        return out.drop(columns=["_low", "_high"])

    def per_audience(self, by: Sequence[str] = ("service",)) -> pd.DataFrame:
        """Totals per unit of each service's audience (per visit, per view...): ``total(by, per_audience=True)``."""
        return self.total(by, per_audience=True)

    def to_dataframe(self, *, per_audience: bool = False) -> pd.DataFrame:
        """The whole cube as a tidy long table: one row per service, tier, criterion and phase."""
        return self.total(AXES, per_audience=per_audience)

    def coverage(self, by: Sequence[str] = ("service",)) -> pd.DataFrame:
        """For each total kept by ``by`` (and criterion): complete, partial or not covered."""
        return self.total(by)[[*[a for a in VIEW_AXES if a in by or a == "criterion"], "coverage"]]

    @property
    def is_complete(self) -> bool:
        """True when every line of every service had a factor for every criterion shown."""
        return not bool(self.missing.any())

    def summary(self) -> pd.DataFrame:
        """Service × criterion totals as a wide table, with units in the column names."""
        table = self.total(("service",))
        units = self.units()
        wide = table.pivot(index="service", columns="criterion", values="value")
        return wide.rename(columns=lambda c: f"{c} ({units[c]})")

    def __repr__(self) -> str:
        status = "complete" if self.is_complete else "INCOMPLETE: some lines lack factors (see .coverage())"
        return (f"<Results: {len(self.services)} service(s) x {len(self.criteria)} criteria, factor set "
                f"{self.provenance['factor_set']} {self.provenance['factor_set_version']}; {status}>")

    def _repr_html_(self) -> str:
        """Jupyter display: provenance, then service × criterion totals with units and coverage flags."""
        import html

        table = self.total(("service",))
        table = table.assign(value=table["value"].map(lambda v: f"{v:.4g}"))
        wide = table.pivot(index="service", columns="criterion", values="value")
        flags = table.pivot(index="service", columns="criterion", values="coverage")
        shown = wide.where(flags.astype(str) == COMPLETE, wide + " (" + flags.astype(str) + ")")
        shown.columns = [f"{c} ({u})" for c, u in ((c, self.units()[c]) for c in shown.columns)]
        p = self.provenance
        head = (f"<p><b>Results</b>: {len(self.services)} service(s), factors {html.escape(p['factor_set'])} "
                f"{html.escape(p['factor_set_version'])} (hash {p['factor_set_hash'][:12]})"
                f"{'' if self.is_complete else ' — <b>some totals are incomplete</b>'}</p>")
        return head + shown.to_html()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists and strings) for JSON: labels, values, flags, audiences, provenance."""
        return {
            "axes": list(AXES), "services": list(self.services), "kinds": list(self.kinds),
            "campaigns": list(self.campaigns),
            "tiers": list(self.tiers), "criteria": list(self.criteria), "phases": list(self.phases),
            "units": self.units(), "values": self.values.tolist(), "missing": self.missing.tolist(),
            "found": self.found.tolist(), "audience": self.audience.tolist(),
            "audience_units": list(self.audience_units), "provenance": dict(self.provenance),
        }
