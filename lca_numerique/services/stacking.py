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
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..bill import STAGES, BillMatrix, get_flow_or_bill_error
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


@dataclass
class _Group:
    """Services with the very same mix objects (``mixes``) and the same shape: their positions, and the numbers
    (quantities and shares) of each, in declaration order. Only tuples of numbers are kept per service: the
    garbage collector soon stops tracking them, so 100,000 services do not bring full collections."""

    layout: _Layout
    mixes: tuple[Any, ...]
    indices: list[int] = field(default_factory=list)
    numbers: list[tuple[Any, ...]] = field(default_factory=list)


def stack_bills(services: Iterable[tuple[str, Service]]) -> StackedBills:
    """The bills of ``services`` ((campaign, service) pairs, as :meth:`Portfolio.all_services` gives them)
    stacked as :meth:`BillMatrix.stack` stacks them (same columns, same quantities in canonical units), built
    kind by kind on arrays; raises the :class:`~lca_numerique.errors.BillError` the first faulty service's bill
    raises."""
    campaigns: list[str] = []
    members: list[Service] = []
    for campaign, service in services:
        campaigns.append(campaign)
        members.append(service)
    if not members:
        raise BillError("no service to evaluate")
    try:
        return _stack(campaigns, members)
    except _Refused:
        bills = [replace(s.bill_of_materials(), campaign=c) for c, s in zip(campaigns, members, strict=True)]
        return StackedBills(BillMatrix.stack(bills), sum(len(bill.lines) for bill in bills))


def _stack(campaigns: list[str], services: list[Service]) -> StackedBills:
    n = len(services)
    alone: list[int] = []
    by_object: dict[_Key, _Group] = {}
    for i, service in enumerate(services):
        layout = _layout(type(service))
        if layout is None:
            alone.append(i)
            continue
        values = service.values
        mixes = layout.mixes(values)
        key: _Key = (layout, tuple(map(type, layout.optional(values))), layout.choices(values), tuple(map(id, mixes)))
        try:
            group = by_object.get(key)
        except TypeError:  # a value the kind checks itself (a hosting that is not one): its bill says what is wrong
            alone.append(i)
            continue
        if group is None:
            by_object[key] = group = _Group(layout, mixes)
        group.indices.append(i)
        group.numbers.append(layout.numbers(values))
    # Services whose mixes are other objects with the same keys and the same shares at 0 are billed together.
    shapes: dict[_Key, list[_Group]] = {}
    for (layout, optional, choices, _), group in by_object.items():
        mixes = tuple(tuple((k, share > 0) for k, share in mix.items()) if isinstance(mix, Mapping) else mix
                      for mix in group.mixes)
        shapes.setdefault((layout, optional, choices, mixes), []).append(group)
    audience = np.empty(n)
    units: list[str] = [""] * n
    parts: list[_Part] = []
    lines = 0
    for groups in shapes.values():
        indices = [i for group in groups for i in group.indices]
        if len(indices) == 1:
            alone.extend(indices)
            continue
        columns, amount, unit = _group(services[indices[0]], groups)
        rows = np.array(indices, dtype=np.intp)
        audience[rows] = amount
        for i in indices:
            units[i] = unit
        parts.append((rows, columns))
        lines += sum(int(np.count_nonzero(a)) for _, _, a in columns)
    for i in sorted(alone):
        bill = services[i].bill_of_materials()
        audience[i], units[i] = bill.audience.amount, bill.audience.unit
        parts.append((np.array([i], dtype=np.intp), [(ln.flow, ln.stage, np.array([ln.amount])) for ln in bill.lines]))
        lines += len(bill.lines)
    return StackedBills(_matrix(campaigns, services, parts, audience, units), lines)


def _matrix(campaigns: list[str], services: list[Service], parts: list[_Part], audience: np.ndarray,
            units: list[str]) -> BillMatrix:
    """Q with the columns :meth:`BillMatrix.stack` gives: the (flow, stage) pairs some service has a line on, in
    catalogue order of flows, then in the order of STAGES."""
    used = {(flow, stage) for _, columns in parts for flow, stage, amounts in columns if amounts.any()}
    flow_order, stage_order = {f: i for i, f in enumerate(FLOWS)}, {s: i for i, s in enumerate(STAGES)}
    order = sorted(used, key=lambda c: (flow_order[c[0]], stage_order[c[1]]))
    position = {c: j for j, c in enumerate(order)}
    quantities = np.zeros((len(services), len(order)))
    for rows, columns in parts:
        for flow, stage, amounts in columns:
            if (flow, stage) in position:  # each row once per line: lines on one column add up in line order
                quantities[rows, position[flow, stage]] += amounts
    return BillMatrix(tuple(s.name for s in services), tuple(c[0] for c in order), quantities, audience,
                      tuple(units), tuple(s.kind for s in services), tuple(campaigns), tuple(c[1] for c in order))


def _group(first: Service, groups: list[_Group]) -> tuple[list[tuple[str, str, np.ndarray]], np.ndarray, str]:
    """The lines of services of one shape (amounts not above 0 set to 0), their audiences and its unit;
    ``first`` is the first service of the first group."""
    n = sum(len(group.indices) for group in groups)
    arrays = _arrays(groups)
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


def _arrays(groups: list[_Group]) -> dict[str, Any]:
    """The numbers of services of one shape, group after group: an array per quantity or share and per share of
    a mix, or nothing where all of them have the same value (the first service's own, then)."""
    layout = groups[0].layout
    arrays: dict[str, Any] = {}
    # One table of objects, not zip(*rows): that would hold an iterator per service, enough for a full collection.
    table = np.array([row for group in groups for row in group.numbers], dtype=object).reshape(
        -1, len(layout.number_names))
    for j, name in enumerate(layout.number_names):
        if table[0, j] is not None:  # else left without value by all of them (their shape says so)
            column = table[:, j].astype(float)
            if (column != column[0]).any():
                arrays[name] = column
    counts = [len(group.indices) for group in groups]
    for position, name in enumerate(layout.mix_names):
        mixes = [group.mixes[position] for group in groups]
        if mixes.count(mixes[0]) != len(mixes):
            arrays[name] = {key: np.repeat(np.array([mix[key] for mix in mixes], dtype=float), counts)
                            for key in mixes[0]}
    return arrays


@dataclass(frozen=True, eq=False)
class _Layout:
    """Getters of a vectorised kind's values (from a service's ``values``): its numbers (quantities and shares,
    in declaration order: ``number_names``), those that may be left without value (None), its choices, flags
    and objects, and its mixes (``mix_names``)."""

    number_names: tuple[str, ...]
    mix_names: tuple[str, ...]
    numbers: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    optional: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    choices: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    mixes: Callable[[Mapping[str, Any]], tuple[Any, ...]]


def _layout(cls: type[Service]) -> _Layout | None:
    """The layout of a kind billed on arrays; None for a kind whose services get their own bill."""
    if cls not in _LAYOUTS:
        _LAYOUTS[cls] = _read_layout(cls) if cls.vectorised else None
    return _LAYOUTS[cls]


_LAYOUTS: dict[type[Service], _Layout | None] = {}


def _read_layout(cls: type[Service]) -> _Layout:
    numbers = [spec.name for spec in cls.parameters if spec.kind in ("quantity", "share")]
    mixes = [spec.name for spec in cls.parameters if spec.kind == "mix"]
    return _Layout(tuple(numbers), tuple(mixes), _getter(numbers),
                   _getter([s.name for s in cls.parameters if s.kind in ("quantity", "share") and s.default is None]),
                   _getter([s.name for s in cls.parameters if s.kind not in ("quantity", "share", "mix")]),
                   _getter(mixes))


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A getter of the values of ``names`` in a mapping, as a tuple whatever their number."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    return (lambda values: (values[names[0]],)) if names else (lambda values: ())
