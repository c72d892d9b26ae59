"""Bills of materials: what one service consumes, as quantities of catalogue flows, and its audience.

A :class:`BillOfMaterials` is immutable and validated when built: every flow exists in the catalogue, every
quantity is finite, non-negative and in (or converted to) its flow's canonical unit. Each line carries a
stage (:data:`STAGES`: sender device, network, storage, paper...), the step of the service's life cycle it
belongs to, as published studies present them. Many bills stack into a :class:`BillMatrix`, the array
Q[service, column] the engine multiplies by the factors, one column per (flow, stage) pair; a BillMatrix can
also be built directly from arrays, for tools that generate thousands of services.

Audiences are counted over the assessed period, each in its own unit (:data:`AUDIENCE_DEFINITIONS` says what
one unit counts): results "per visit", "per recipient"... divide a service's total by that count.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import units
from .errors import BillError, UnitError
from .flows import FLOWS, get_flow
from .units import AUDIENCE_UNITS

__all__ = [
    "AUDIENCE_DEFINITIONS",
    "STAGES",
    "Audience",
    "BillMatrix",
    "BillOfMaterials",
    "Line",
    "get_flow_or_bill_error",
]

#: What one unit of audience counts: results per audience divide the total over the period by that count.
AUDIENCE_DEFINITIONS: dict[str, str] = {
    "visit": "one visit to the site (a session: one or more pages), from the site's analytics",
    "page_view": "one page loaded in a browser",
    "view": "one play of a video (a start counted by the platform, not an impression in a feed)",
    "impression": "one display of a post on a screen, whether or not the person stops on it",
    "recipient": "one person the message is sent to; a newsletter's subscriber counts once over the period, "
                 "whatever the number of issues",
    "reader": "one person reading a printed copy (copies × readers per copy)",
    "listen": "one play or download of an audio episode",
    "copy": "one printed copy",
    "participant": "one connection to one session of a call or webinar",
    "follower": "one follower of an account",
    "inhabitant": "one inhabitant of the area served",
    "user": "one user of the service over the period",
    "download": "one download of a file (a person downloading it twice counts twice)",
}

#: Stages of a service's life cycle that bill lines are labelled with, as published studies present them.
STAGES: dict[str, str] = {
    "sender_device": "the sender's device, while writing",
    "network_send": "the network carrying what is sent, up to the servers",
    "processing": "servers handling the messages",
    "storage": "storage of the copies kept, backups and their transfers included",
    "network_receive": "the network carrying what is received, from the servers",
    "receiver_device": "the recipient's device, while reading",
    "production": "making the content: masters kept, encoding",
    "platform": "the platform's data centres serving the content",
    "hosting": "the data centres hosting the site, a content delivery network included",
    "network": "the networks carrying the data to the audience",
    "viewing_device": "the audience's devices, for the time spent",
    "visitor_device": "the visitors' devices, for the time spent on the site",
    "listening_device": "the listeners' devices, for the time spent listening",
    "paper": "the paper",
    "printing": "printing",
    "distribution": "transport of the copies to the readers",
    "end_of_life": "end of life of the copies",
    "other": "a line given without a stage",
}


@dataclass(frozen=True)
class Audience:
    """How many people (or visits, views, copies...) a service reaches over the assessed period."""

    amount: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in AUDIENCE_UNITS:
            raise BillError(f"audience unit {self.unit!r} is not one of {', '.join(AUDIENCE_UNITS)}")
        if not math.isfinite(self.amount) or self.amount < 0:
            raise BillError(f"audience must be a finite number >= 0; got {self.amount!r} {self.unit}")

    @property
    def label(self) -> str:
        """``"per visit"``, ``"per page_view"``...: how per-audience results are labelled."""
        return f"per {self.unit}"

    @classmethod
    def parse(cls, value: Any, field: str = "audience") -> Audience:
        """An Audience from ``"12000 visit"``, ``(12000, "visit")``, an Audience, or a pint Quantity."""
        if isinstance(value, Audience):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            amount = units.to_magnitude(value[0], value[1], field) if isinstance(value[1], str) else math.nan
            return cls(amount, str(value[1]))
        if isinstance(value, (int, float)):
            raise UnitError(field, value, f"an audience with its unit, one of {', '.join(AUDIENCE_UNITS)}",
                            "write e.g. '12000 visit'")
        quantity = units.parse_quantity(value, field)
        ureg = units.registry()
        for unit in AUDIENCE_UNITS:
            if quantity.dimensionality == ureg.get_dimensionality(unit):
                return cls(units.to_magnitude(quantity, unit, field), unit)
        raise UnitError(field, value, f"an audience unit: one of {', '.join(AUDIENCE_UNITS)}")


@dataclass(frozen=True)
class Line:
    """One line of a bill: a quantity of one flow, in the flow's canonical unit, where it came from (the
    formula that gave it, or ``"user"``) and its stage (one of :data:`STAGES`)."""

    flow: str
    amount: float
    origin: str = "user"
    stage: str = "other"

    def __post_init__(self) -> None:
        get_flow_or_bill_error(self.flow)
        if self.stage not in STAGES:
            raise BillError(f"line {self.flow!r}: stage {self.stage!r} is not one of {', '.join(STAGES)}")
        if not math.isfinite(self.amount) or self.amount < 0:
            raise BillError(f"line {self.flow!r}: quantity must be finite and >= 0; got {self.amount!r}")


def get_flow_or_bill_error(flow: str) -> None:
    """Raise :class:`BillError` (with suggestions) if ``flow`` is not in the catalogue."""
    try:
        get_flow(flow)
    except KeyError as exc:
        raise BillError(str(exc.args[0])) from None


@dataclass(frozen=True)
class BillOfMaterials:
    """The bill of materials of one service: name, audience and lines."""

    name: str
    audience: Audience
    lines: tuple[Line, ...]
    kind: str = "service"
    campaign: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise BillError("a bill needs a name")
        if not self.lines and self.audience.amount != 0:  # zero audience, no line: zero impact, per-audience n/a
            raise BillError(f"bill {self.name!r} has no line: an empty bill has no impact to compute")

    @classmethod
    def build(cls, name: str, audience: Any, lines: Mapping[str, Any] | Iterable[Line | tuple[str, Any]],
              kind: str = "service") -> BillOfMaterials:
        """Build and validate a bill from user-friendly values.

        Parameters
        ----------
        name
            The service's name.
        audience
            Its audience over the period, e.g. ``"12000 visit"`` (a number with an audience unit).
        lines
            Flow ids mapped to quantities, each a number in the flow's canonical unit (see
            :data:`lca_numerique.flows.FLOWS`: device_hour, GB...), a string such as ``"3 min"`` or ``"2.5 MB"``,
            or a pint Quantity; or a sequence of :class:`Line` or ``(flow, quantity)`` pairs.
        kind
            The kind of service (website, video...), a label results can be grouped by.

        Returns
        -------
        BillOfMaterials
            The validated bill, quantities in each flow's canonical unit over the period.
        """
        items = lines.items() if isinstance(lines, Mapping) else lines
        built: list[Line] = []
        for item in items:
            if isinstance(item, Line):
                built.append(item)
                continue
            flow, quantity = item
            get_flow_or_bill_error(flow)
            f = FLOWS[flow]
            amount = units.to_magnitude(quantity, f.unit, f"{name}: lines[{flow}]", implicit=f.implicit)
            built.append(Line(flow, amount))
        return cls(name, Audience.parse(audience, f"{name}: audience"), tuple(built), kind)

    def amounts(self) -> dict[str, float]:
        """Total quantity per flow (lines on the same flow are summed), in canonical units."""
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.flow] = totals.get(line.flow, 0.0) + line.amount
        return totals


@dataclass(frozen=True, eq=False)
class BillMatrix:
    """Many bills stacked: ``quantities[service, column]`` in canonical units, with names, kinds and audiences.

    Each column is a (flow, stage) pair: ``flows[j]`` and ``stages[j]`` (the same flow in two stages is two
    columns, so totals by stage are sums of columns, like totals by tier).
    """

    services: tuple[str, ...]
    flows: tuple[str, ...]
    quantities: np.ndarray
    audience: np.ndarray
    audience_units: tuple[str, ...]
    kinds: tuple[str, ...]
    campaigns: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n, m = len(self.services), len(self.flows)
        if not self.campaigns:
            object.__setattr__(self, "campaigns", ("",) * n)
        if not self.stages:
            object.__setattr__(self, "stages", ("other",) * m)
        if n == 0:
            raise BillError("no service to evaluate")
        if self.quantities.shape != (n, m):
            raise BillError(f"quantities has shape {self.quantities.shape}, expected ({n}, {m})")
        if len(set(self.services)) != n:
            dupes = sorted({s for s in self.services if self.services.count(s) > 1})
            raise BillError(f"service names must be unique; repeated: {', '.join(dupes)}")
        for flow in self.flows:
            get_flow_or_bill_error(flow)
        if len(self.stages) != m or not set(self.stages) <= set(STAGES):
            raise BillError(f"stages need one entry per flow column, each one of {', '.join(STAGES)}")
        if len(set(zip(self.flows, self.stages, strict=True))) != m:
            raise BillError("each (flow, stage) column must appear once")
        bad = ~np.isfinite(self.quantities) | (self.quantities < 0)
        if bad.any():
            s, f = np.argwhere(bad)[0]
            raise BillError(f"{self.services[s]}: lines[{self.flows[f]}] must be finite and >= 0; "
                            f"got {self.quantities[s, f]!r} ({int(bad.sum())} such cell(s))")
        if self.audience.shape != (n,) or len({len(self.audience_units), len(self.kinds), len(self.campaigns), n}) > 1:
            raise BillError("audience, audience_units, kinds and campaigns need one entry per service")
        if (~np.isfinite(self.audience) | (self.audience < 0)).any():
            raise BillError("audiences must be finite and >= 0")

    def by_flow(self) -> BillMatrix:
        """The same quantities with the stages of each flow merged into one column (stage ``"other"``): for
        computations that do not report stages (Monte Carlo, sensitivity, exports)."""
        flows = tuple(dict.fromkeys(self.flows))
        if len(flows) == len(self.flows):
            return dataclasses.replace(self, stages=("other",) * len(flows))
        merge = np.zeros((len(self.flows), len(flows)))
        position = {f: i for i, f in enumerate(flows)}
        merge[np.arange(len(self.flows)), [position[f] for f in self.flows]] = 1.0
        return dataclasses.replace(self, flows=flows, quantities=self.quantities @ merge,
                                   stages=("other",) * len(flows))

    @classmethod
    def from_arrays(cls, services: Sequence[str], flows: Sequence[str], quantities: Any, audience: Any,
                    audience_units: str | Sequence[str], kinds: str | Sequence[str] = "service",
                    stages: Sequence[str] = ()) -> BillMatrix:
        """Build from arrays (quantities in each flow's canonical unit; ``stages`` parallel to ``flows``,
        by default ``"other"``); validated like individual bills."""
        n = len(services)
        aus = (audience_units,) * n if isinstance(audience_units, str) else tuple(audience_units)
        for unit in set(aus):
            if unit not in AUDIENCE_UNITS:
                raise BillError(f"audience unit {unit!r} is not one of {', '.join(AUDIENCE_UNITS)}")
        return cls(tuple(services), tuple(flows), np.asarray(quantities, dtype=float),
                   np.broadcast_to(np.asarray(audience, dtype=float), (n,)).copy(), aus,
                   (kinds,) * n if isinstance(kinds, str) else tuple(kinds), stages=tuple(stages))

    @classmethod
    def stack(cls, bills: Sequence[BillOfMaterials]) -> BillMatrix:
        """Stack bills into one matrix; columns are the (flow, stage) pairs used by any bill, in catalogue order
        of flows, then in the order of :data:`STAGES`."""
        if not bills:
            raise BillError("no service to evaluate")
        used = {(line.flow, line.stage) for bill in bills for line in bill.lines}
        flow_order, stage_order = {f: i for i, f in enumerate(FLOWS)}, {s: i for i, s in enumerate(STAGES)}
        columns = sorted(used, key=lambda c: (flow_order[c[0]], stage_order[c[1]]))
        column = {c: j for j, c in enumerate(columns)}
        rows = np.fromiter((i for i, bill in enumerate(bills) for _ in bill.lines), dtype=np.intp)
        cols = np.fromiter((column[(line.flow, line.stage)] for bill in bills for line in bill.lines), dtype=np.intp)
        amounts = np.fromiter((line.amount for bill in bills for line in bill.lines), dtype=float)
        quantities = np.zeros((len(bills), len(columns)))
        np.add.at(quantities, (rows, cols), amounts)
        return cls(tuple(b.name for b in bills), tuple(c[0] for c in columns), quantities,
                   np.array([b.audience.amount for b in bills]), tuple(b.audience.unit for b in bills),
                   tuple(b.kind for b in bills), tuple(b.campaign for b in bills), tuple(c[1] for c in columns))
