"""Parameters of service models: a declared, documented, sourced default for every assumption.

Each service declares its parameters as :class:`Spec` objects. A spec says what the parameter means, its
unit, its default (or that it is required), where the default comes from, how uncertain it is, and which
values are acceptable. :func:`parse` turns what a user gives (a number, a string with units, a mapping for
a mix, a name for a choice) into a checked value, with errors that name the parameter and the accepted
values.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import units
from ..errors import BillError, UnitError

__all__ = ["KINDS", "MIX_TOLERANCE", "REQUIRED", "ParameterError", "Spec", "describe"]

REQUIRED = object()  # marks a parameter without default
KINDS = ("quantity", "share", "mix", "choice", "flag", "object")
MIX_TOLERANCE = 1e-6


class ParameterError(BillError):
    """A service parameter is missing, unknown, out of range or of the wrong kind."""


@dataclass(frozen=True)
class Spec:
    """One parameter of a service model.

    ``unit`` is the unit a quantity is stored in (plain numbers are read in it); ``implicit`` a counting
    unit a value may leave out. A share is a number in [0, 1] (or a string such as ``"60 %"``); a mix maps
    each of ``keys`` to a share, shares summing to 1; a choice is one of ``choices``.
    """

    name: str
    description: str
    kind: str = "quantity"
    unit: str = ""
    default: Any = REQUIRED
    source: str = ""
    uncertainty: str = ""
    choices: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    minimum: float | None = 0.0
    maximum: float | None = None
    implicit: str | None = None
    positive: bool = False  # a divisor: 0 is refused too
    default_from: str = ""  # without a value, take this other parameter's value
    json_schema: Mapping[str, Any] | None = None  # an object's shape in the inventory schema
    #: True when the user must give a value (no default): read for every value of every service, so kept.
    required: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self
        assert self.description, f"{self.name}: a parameter needs a description"
        assert self.default is REQUIRED or self.source, f"{self.name}: a default needs its source"
        object.__setattr__(self, "required", self.default is REQUIRED)

    def parse(self, value: Any, service: str) -> Any:
        """Check and convert ``value``; raise :class:`ParameterError` or :class:`UnitError` naming it."""
        field = f"{service}: {self.name}"
        if self.kind == "quantity":
            if (type(value) is float or type(value) is int) and math.isfinite(value):
                magnitude = float(value)  # a plain number, already in the unit: what to_magnitude gives, sooner
            else:
                magnitude = units.to_magnitude(value, self.unit, field, implicit=self.implicit,
                                               at_rest="stored" in self.unit)
            return self._bounded(magnitude, field)
        if self.kind == "share":
            return self._bounded(_share(value, field), field, 0.0, 1.0)
        if self.kind == "mix":
            return self._mix(value, field)
        if self.kind == "choice":
            return self._choice(value, field)
        if self.kind == "flag":
            if not isinstance(value, bool):
                raise ParameterError(f"{field}: expected true or false, got {value!r}")
            return value
        return value  # "object": checked by the service itself

    def _bounded(self, value: float, field: str, low: float | None = None, high: float | None = None) -> float:
        low = self.minimum if low is None else low
        high = self.maximum if high is None else high
        if low is not None and value < low:
            raise ParameterError(f"{field}: {value:g} is below the minimum {low:g}{_unit(self.unit)}")
        if self.positive and value <= 0:
            raise ParameterError(f"{field}: must be above 0{_unit(self.unit)} (it divides), got {value:g}")
        if high is not None and value > high:
            hint = f" (a percentage is written '{value:g} %')" if self.kind in ("share", "mix") and value <= 100 else ""
            raise ParameterError(f"{field}: {value:g} is above the maximum {high:g}{_unit(self.unit)}{hint}")
        return value

    def _mix(self, value: Any, field: str) -> dict[str, float]:
        if not isinstance(value, Mapping):
            raise ParameterError(f"{field}: expected a mapping of {', '.join(self.keys)} to shares, got {value!r}")
        mix: dict[str, float] = {}
        for key, share in value.items():
            if key not in self.keys:
                raise ParameterError(f"{field}: unknown key {key!r}{_did_you_mean(str(key), self.keys)}; "
                                     f"accepted: {', '.join(self.keys)}")
            mix[key] = self._bounded(_share(share, f"{field}[{key}]"), f"{field}[{key}]", 0.0, 1.0)
        total = sum(mix.values())
        if abs(total - 1.0) > MIX_TOLERANCE:
            raise ParameterError(f"{field}: shares must sum to 1 (100 %); they sum to {total:.6g}")
        return mix

    def _choice(self, value: Any, field: str) -> str:
        if value not in self.choices:
            raise ParameterError(f"{field}: {value!r} is not accepted{_did_you_mean(str(value), self.choices)}; "
                                 f"accepted: {', '.join(self.choices)}")
        return str(value)


def _share(value: Any, field: str) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"{field}: expected a share between 0 and 1, got {value!r}")
    if isinstance(value, (int, float)):
        share = float(value)
    else:
        try:
            share = units.to_magnitude(value, "dimensionless", field)
        except UnitError as exc:
            raise ParameterError(f"{field}: expected a share such as 0.6 or '60 %', got {value!r}"
                                 f"{f' ({exc.reason})' if exc.reason else ''}") from None
    if not math.isfinite(share):
        raise ParameterError(f"{field}: a share must be a finite number, got {value!r}")
    return share


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _did_you_mean(value: str, accepted: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, accepted, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(specs: tuple[Spec, ...]) -> list[dict[str, Any]]:
    """Plain rows documenting parameters: name, kind, unit, default, description, source, uncertainty."""
    return [{"parameter": s.name, "kind": s.kind, "unit": s.unit,
             "default": "required" if s.required else f"= {s.default_from}" if s.default_from else s.default,
             "description": s.description, "source": s.source, "uncertainty": s.uncertainty,
             "accepted": ", ".join(s.choices or s.keys)} for s in specs]
