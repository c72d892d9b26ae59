"""Uncertainty of a value: the probability distributions factor data and inputs can declare.

A distribution is written as text in data files, for example::

    none
    lognormal gsd=1.5            # geometric standard deviation around the value (the median)
    triangular low=2 high=5      # mode = the value
    uniform low=2 high=5
    normal sd=0.3                # truncated at zero when sampled

Bounds and standard deviations are in the same unit as the value they qualify.
"""

from __future__ import annotations

import math
from typing import NamedTuple

_PARAMETERS: dict[str, tuple[str, ...]] = {
    "none": (),
    "lognormal": ("gsd",),
    "triangular": ("low", "high"),
    "uniform": ("low", "high"),
    "normal": ("sd",),
}

DISTRIBUTION_KINDS: tuple[str, ...] = tuple(_PARAMETERS)


class Distribution(NamedTuple):
    """A distribution around a central value; ``params`` are in the value's unit (``gsd`` has none)."""

    kind: str
    params: tuple[tuple[str, float], ...] = ()

    def __str__(self) -> str:
        return " ".join([self.kind, *(f"{k}={v:g}" for k, v in self.params)])

    def param(self, name: str) -> float:
        """The parameter ``name`` (``"gsd"``, ``"low"``...)."""
        return dict(self.params)[name]

    def scaled(self, factor: float) -> Distribution:
        """The same distribution for the value multiplied by ``factor`` (used when converting units)."""
        if self.kind == "lognormal":
            return self
        return Distribution(self.kind, tuple((k, v * factor) for k, v in self.params))


NO_UNCERTAINTY = Distribution("none")

#: Default spread of a value whose source gives no range, by the confidence its data row declares: a lognormal
#: around the value with this geometric standard deviation, so that 95 % of draws fall within x/÷ gsd²
#: (x/÷1.2 for high, x/÷2.25 for medium, x/÷4 for low confidence). This is the project's convention, in the
#: spirit of the pedigree approach of ecoinvent, not a published figure: "low" is meant for values on which
#: open sources disagree by an order of magnitude (electricity ADPe, IR and PM; storage per GB-year).
DEFAULT_GSD_BY_CONFIDENCE: dict[str, float] = {"high": 1.1, "medium": 1.5, "low": 2.0}


def default_distribution(confidence: str) -> Distribution:
    """The documented default distribution for a value of this confidence (high, medium or low)."""
    return Distribution("lognormal", (("gsd", DEFAULT_GSD_BY_CONFIDENCE[confidence]),))


def parse_distribution(text: str | None, value: float | None = None) -> Distribution:
    """Parse a distribution written as text; check it is consistent with the central ``value`` if given.

    Raises ValueError with a message saying what is accepted.
    """
    if text is None or not text.strip():
        return NO_UNCERTAINTY
    kind, *assignments = text.split()
    if kind not in _PARAMETERS:
        raise ValueError(f"unknown distribution {kind!r}; accepted: {', '.join(DISTRIBUTION_KINDS)}")
    params: dict[str, float] = {}
    for assignment in assignments:
        name, sep, number = assignment.partition("=")
        if not sep or name not in _PARAMETERS[kind]:
            raise ValueError(f"{kind} takes {', '.join(p + '=...' for p in _PARAMETERS[kind]) or 'no parameter'}; "
                             f"got {assignment!r}")
        try:
            params[name] = float(number)
        except ValueError:
            raise ValueError(f"{name}={number!r} is not a number") from None
    missing = [p for p in _PARAMETERS[kind] if p not in params]
    if missing:
        raise ValueError(f"{kind} needs {', '.join(missing)}")
    if any(math.isnan(v) for v in params.values()):
        raise ValueError("distribution parameters cannot be NaN")
    if kind == "lognormal" and not params["gsd"] >= 1:
        raise ValueError(f"lognormal gsd must be >= 1 (1 means no spread); got {params['gsd']:g}")
    if kind == "normal" and params["sd"] < 0:
        raise ValueError("normal sd must be >= 0")
    if kind in ("triangular", "uniform"):
        low, high = params["low"], params["high"]
        if low > high:
            raise ValueError(f"low ({low:g}) is above high ({high:g})")
        if value is not None and not low <= value <= high:
            raise ValueError(f"the value {value:g} lies outside [{low:g}, {high:g}]")
    return Distribution(kind, tuple((p, params[p]) for p in _PARAMETERS[kind]))
