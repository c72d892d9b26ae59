"""Many services' bills at once: the stacked matrix Q[service, (flow, stage)] without a bill per service.

Services of one kind whose bills have the same shape (the same choices, zones, hosting, optional values given
or not, mix keys and which of their shares are zero) run the kind's ``build()`` once, on a copy of one of them
whose numbers are arrays of all of theirs (as Monte Carlo runs it on arrays of draws): each formula is evaluated
once per group, by the same interpreter, with the same operations in the same order as service by service, so
every quantity is the very number the service's own bill has. Lines whose amount is not above zero are left
out row by row, as a bill leaves them out; lines on the same (flow, stage) are summed in line order, as
:meth:`~lca_numerique.bill.BillMatrix.stack` sums them.

Only kinds that declare :attr:`~lca_numerique.services.base.Service.vectorised` are built this way; the others
(custom services, kinds from other packages) and services alone in their shape get their own bill. When a group
meets anything a bill would refuse (a division by zero, an overflow, an audience or a quantity that is not a
finite number >= 0, an empty bill), every service is built again one by one, so the error raised is the one the
first faulty service's own bill raises, word for word.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..bill import STAGES, BillMatrix, BillOfMaterials, get_flow_or_bill_error
from ..errors import BillError, LcaError
from ..flows import FLOWS
from ..units import AUDIENCE_UNITS
from .base import BillBuilder, Service

__all__ = ["StackedBills", "stack_bills"]


@dataclass(frozen=True)
class StackedBills:
    """The bills of many services stacked, and how many lines their bills have in all."""

    matrix: BillMatrix
    lines: int


class _Columns(BillBuilder):
    """Keeps each line's amounts (an array over the group's services, or one number for all of them)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.columns: list[tuple[str, str, Any]] = []

    def record(self, flow: str, amount: Any, formula: str, stage: str) -> None:
        """Keep the amounts of one line; which services have it (an amount above 0) is decided at stacking."""
        self.columns.append((flow, stage, amount))


# What services billed together share: their layout, the types of their optional numbers (given or None),
# their choices, flags and objects, and their mixes (first the very objects, then their keys and zero shares).
_Key = tuple["_Layout", tuple[type, ...], Any, tuple[Hashable, ...]]
# One group's contribution: its rows, and its (flow, stage, amounts over those rows) lines in order.
_Part = tuple[np.ndarray, list[tuple[str, str, np.ndarray]]]


class _Refused(Exception):
    """A group holds something a bill would refuse: every service is built one by one to word the error."""


def stack_bills(services: Iterable[tuple[str, Service]]) -> StackedBills:
    """The bills of ``services`` ((campaign, service) pairs, as :meth:`Portfolio.all_services` gives them)
    stacked as :meth:`BillMatrix.stack` stacks them (same columns, same quantities in canonical units), built
    kind by kind on arrays; raises the :class:`~lca_numerique.errors.BillError` the first faulty service's bill
    raises."""
    pairs = list(services)
    if not pairs:
        raise BillError("no service to evaluate")
    try:
        return _stack(pairs)
    except _Refused:
        bills = [_bill(campaign, service) for campaign, service in pairs]
        return StackedBills(BillMatrix.stack(bills), sum(len(bill.lines) for bill in bills))


def _bill(campaign: str, service: Service) -> BillOfMaterials:
    return replace(service.bill_of_materials(), campaign=campaign)


def _stack(pairs: Sequence[tuple[str, Service]]) -> StackedBills:
    n = len(pairs)
    rows: list[tuple[Any, ...]] = [()] * n
    alone: list[int] = []
    # Grouped first by the very mix objects (often one shared default: no Python work per service), then
    # groups whose mixes have the same keys with the same shares at 0 are merged.
    by_object: dict[_Key, list[int]] = {}
    for i, (_, service) in enumerate(pairs):
        layout = _layout(type(service))
        if layout is None:
            alone.append(i)
            continue
        rows[i] = row = layout.values(service.values)
        key: _Key = (layout, tuple(map(type, layout.optional(row))), layout.choices(row),
                     tuple(map(id, layout.mixes(row))))
        try:
            by_object.setdefault(key, []).append(i)
        except TypeError:  # a value the kind checks itself (a hosting that is not one): its bill says what is wrong
            alone.append(i)
    groups: dict[_Key, list[int]] = {}
    for (shared, optional, choices, _), members in by_object.items():
        mixes = tuple(tuple((k, share > 0) for k, share in mix.items()) if isinstance(mix, Mapping) else mix
                      for mix in shared.mixes(rows[members[0]]))
        groups.setdefault((shared, optional, choices, mixes), []).extend(members)
    audience = np.empty(n)
    units: list[str] = [""] * n
    parts: list[_Part] = []
    lines = 0
    for (shared, *_), members in groups.items():
        if len(members) == 1:
            alone.extend(members)
            continue
        indices = np.array(members, dtype=np.intp)
        columns, amount, unit = _group([pairs[i][1] for i in members], shared, [rows[i] for i in members])
        audience[indices] = amount
        for i in members:
            units[i] = unit
        parts.append((indices, columns))
        lines += sum(int(np.count_nonzero(a)) for _, _, a in columns)
    for i in sorted(alone):
        bill = pairs[i][1].bill_of_materials()
        audience[i], units[i] = bill.audience.amount, bill.audience.unit
        parts.append((np.array([i], dtype=np.intp), [(ln.flow, ln.stage, np.array([ln.amount])) for ln in bill.lines]))
        lines += len(bill.lines)
    return StackedBills(_matrix(pairs, parts, audience, units), lines)


def _matrix(pairs: Sequence[tuple[str, Service]], parts: list[_Part], audience: np.ndarray,
            units: list[str]) -> BillMatrix:
    """Q with the columns :meth:`BillMatrix.stack` gives: the (flow, stage) pairs some service has a line on, in
    catalogue order of flows, then in the order of STAGES."""
    used = {(flow, stage) for _, columns in parts for flow, stage, amounts in columns if amounts.any()}
    flow_order, stage_order = {f: i for i, f in enumerate(FLOWS)}, {s: i for i, s in enumerate(STAGES)}
    order = sorted(used, key=lambda c: (flow_order[c[0]], stage_order[c[1]]))
    position = {c: j for j, c in enumerate(order)}
    quantities = np.zeros((len(pairs), len(order)))
    for rows, columns in parts:
        for flow, stage, amounts in columns:
            if (flow, stage) in position:  # each row once per line: lines on one column add up in line order
                quantities[rows, position[flow, stage]] += amounts
    return BillMatrix(tuple(s.name for _, s in pairs), tuple(c[0] for c in order), quantities, audience,
                      tuple(units), tuple(s.kind for _, s in pairs), tuple(c for c, _ in pairs),
                      tuple(c[1] for c in order))


def _group(services: list[Service], layout: _Layout, rows: list[tuple[Any, ...]]
           ) -> tuple[list[tuple[str, str, np.ndarray]], np.ndarray, str]:
    """The lines of services of one shape (amounts not above 0 set to 0), their audiences and its unit."""
    first, n = services[0], len(services)
    arrays = _arrays(layout, rows)
    try:
        # Raise where Python's arithmetic raises or a formula refuses a non-finite result, service by service.
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            clone = first.with_samples(arrays)
            builder = clone.builder(_Columns)
            assert isinstance(builder, _Columns)
            audience = np.broadcast_to(np.asarray(clone.audience_amount(), dtype=float), (n,))
    except (LcaError, ArithmeticError, ValueError, TypeError):
        raise _Refused from None
    unit = type(first).audience_unit
    if unit not in AUDIENCE_UNITS or not (np.isfinite(audience) & (audience >= 0)).all():
        raise _Refused
    columns = []
    has_line = np.zeros(n, dtype=bool)
    for flow, stage, amount in builder.columns:
        values = np.broadcast_to(np.asarray(amount, dtype=float), (n,))
        if not np.isfinite(values).all() or stage not in STAGES:
            raise _Refused
        try:
            get_flow_or_bill_error(flow)
        except BillError:
            raise _Refused from None
        kept = values > 0
        has_line |= kept
        columns.append((flow, stage, np.where(kept, values, 0.0)))
    if (~has_line & (audience != 0)).any():  # a bill with no line and an audience: refused as empty
        raise _Refused
    return columns, audience, unit


def _arrays(layout: _Layout, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The numbers of services of one shape (``rows``: their values in declaration order): an array per
    quantity or share (per share of a mix), or nothing where all of them have the very same value."""
    arrays: dict[str, Any] = {}
    for name, column in zip(layout.names, zip(*rows, strict=True), strict=True):
        first = column[0]
        if column.count(first) == len(column):
            continue  # one value for all (a default): the representative's own, a number for the whole group
        if type(first) is float or type(first) is int:
            arrays[name] = np.array(column, dtype=float)
        elif isinstance(first, Mapping):
            arrays[name] = {key: np.array([mix[key] for mix in column], dtype=float) for key in first}
        # any other value is in the services' shape: the same for all of them
    return arrays


@dataclass(frozen=True, eq=False)
class _Layout:
    """Where a vectorised kind's values are: a getter of them all in declaration order (their names), and
    getters, in such a row, of the values that are neither numbers nor mixes (choices, flags, objects), of the
    numbers that may be left without value (None), and of the mixes."""

    names: tuple[str, ...]
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    choices: Callable[[tuple[Any, ...]], Any]
    optional: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    mixes: Callable[[tuple[Any, ...]], tuple[Any, ...]]


def _layout(cls: type[Service]) -> _Layout | None:
    """The layout of a kind billed on arrays; None for a kind whose services get their own bill."""
    if cls not in _LAYOUTS:
        _LAYOUTS[cls] = _read_layout(cls)
    return _LAYOUTS[cls]


_LAYOUTS: dict[type[Service], _Layout | None] = {}


def _read_layout(cls: type[Service]) -> _Layout | None:
    if not cls.vectorised or not cls.parameters:
        return None
    specs = cls.parameters
    names = tuple(spec.name for spec in specs)
    kinds = [spec.kind for spec in specs]
    others = [i for i, kind in enumerate(kinds) if kind not in ("quantity", "share", "mix")]
    optional = [i for i, spec in enumerate(specs) if spec.kind in ("quantity", "share") and spec.default is None]
    values = operator.itemgetter(*names) if len(names) > 1 else lambda mapping: (mapping[names[0]],)
    return _Layout(names, values, _getter(others), _getter(optional),
                   _getter([i for i, kind in enumerate(kinds) if kind == "mix"]))


def _getter(positions: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A getter of the values at ``positions`` of a row, as a tuple whatever their number."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return (lambda row: (row[positions[0]],)) if positions else (lambda row: ())
