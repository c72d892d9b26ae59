"""EcoIndex of a web page: score (0–100), grade (A–G), greenhouse gases and water per page view.

The method is the Green IT collective's (cnumr); its reference implementation is the PyPI package
``ecoindex-compute``. **Licence**: that package is published under Creative Commons BY-NC-ND, and its authors
state that its quantile tables and impact factors are not under a free licence (© Frédéric Bordage,
GreenIT.fr). None of its numbers ships with lca_numerique: the quantile tables, grade bounds and the
greenhouse-gas and water conversions are read at run time from ``ecoindex-compute`` when the user has
installed it (``pip install "lca_numerique[ecoindex]"``), and every function here raises
:class:`EcoIndexUnavailable` saying so when it is absent. What lca_numerique implements is the arithmetic:
the score places a page among the pages of the HTTP Archive: each of its three metrics (DOM nodes, HTTP
requests, transferred size in KB) is turned into a position 0–20 by linear interpolation in a table of
quantiles, and the positions are weighted 3 (DOM), 2 (requests) and 1 (size).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Coroutine, Sequence
from typing import Any, NamedTuple

from ..errors import LcaError

__all__ = [
    "INSTALL_HINT",
    "REFERENCE_PACKAGE",
    "EcoIndex",
    "EcoIndexUnavailable",
    "ecoindex",
    "ecoindex_ghg",
    "ecoindex_grade",
    "ecoindex_score",
    "ecoindex_water",
    "is_available",
    "quantile_position",
    "quantiles",
]

#: The distribution that holds EcoIndex's tables, and the extra that installs it.
REFERENCE_PACKAGE = "ecoindex-compute"
INSTALL_HINT = 'pip install "lca_numerique[ecoindex]"'


class EcoIndexUnavailable(LcaError, ImportError):
    """EcoIndex needs ``ecoindex-compute`` (not shipped: its tables are not under a free licence)."""


class EcoIndex(NamedTuple):
    """EcoIndex of one page view: score 0–100 (higher is better), grade A–G, g CO2 eq and centilitres of water."""

    score: int
    grade: str
    ghg: float
    water: float


class _Tables(NamedTuple):
    dom: tuple[float, ...]
    requests: tuple[float, ...]
    size: tuple[float, ...]
    grade_bounds: tuple[tuple[str, float], ...]
    ghg: tuple[float, ...]  # g CO2 eq per page view for each integer score 0..100
    water: tuple[float, ...]  # cl per page view for each integer score 0..100


@functools.cache
def _tables() -> _Tables:
    """EcoIndex's tables and conversions, read from the installed ``ecoindex-compute`` (first call only)."""
    import warnings

    try:
        from ecoindex import data
        from ecoindex.compute import ecoindex as reference
    except ImportError as exc:
        raise EcoIndexUnavailable(
            f"EcoIndex needs the package {REFERENCE_PACKAGE}, which lca_numerique does not ship because its tables "
            f"are not under a free licence (CC BY-NC-ND); install it with: {INSTALL_HINT}") from exc

    # Scores are integers 0..100, so the reference's own conversion functions, evaluated once per score, give the
    # conversions exactly (its rounding included) without copying its constants.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ghg = tuple(_result(reference.get_greenhouse_gases_emmission(s)) for s in range(101))
        water = tuple(_result(reference.get_water_consumption(s)) for s in range(101))
    bounds = tuple((g, float(getattr(data, g))) for g in "ABCDEF")
    return _Tables(tuple(data.quantiles_dom), tuple(data.quantiles_req), tuple(data.quantiles_size), bounds,
                   ghg, water)


def _result(coroutine: Coroutine[Any, Any, float]) -> float:
    """The value of a coroutine that never suspends (the reference's pure ``async def`` functions), with no event
    loop, so that it also works inside Jupyter's running loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return float(done.value)
    coroutine.close()
    raise RuntimeError("ecoindex-compute's conversion suspended: this version is not supported")


def is_available() -> bool:
    """True when ``ecoindex-compute`` is installed, so that EcoIndex can be computed."""
    try:
        _tables()
    except EcoIndexUnavailable:
        return False
    return True


def quantiles() -> dict[str, tuple[float, ...]]:
    """EcoIndex's quantile tables (``dom``, ``requests``, ``size`` in KB), read from ``ecoindex-compute``."""
    t = _tables()
    return {"dom": t.dom, "requests": t.requests, "size": t.size}


def quantile_position(quantiles: Sequence[float], value: float) -> float:
    """Position 0–20 of ``value`` in a quantile table, linear between quantiles, 20 at or beyond the last one."""
    for i in range(1, len(quantiles)):
        if value < quantiles[i]:
            return i - 1 + (value - quantiles[i - 1]) / (quantiles[i] - quantiles[i - 1])
    return len(quantiles) - 1


def _check(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"EcoIndex {name} must be a finite number ≥ 0, got {value!r}")


def ecoindex_score(dom_nodes: float, requests: float, size_kb: float) -> int:
    """EcoIndex score 0–100 of a page from its DOM elements, HTTP requests and transferred size (KB).

    Rounded as the reference rounds it: Python's ``round`` (half to even) of the weighted positions.
    """
    for name, value in (("dom_nodes", dom_nodes), ("requests", requests), ("size_kb", size_kb)):
        _check(name, value)
    t = _tables()
    q_dom = quantile_position(t.dom, dom_nodes)
    q_size = quantile_position(t.size, size_kb)
    q_req = quantile_position(t.requests, requests)
    return round(100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6)


def ecoindex_grade(score: float) -> str:
    """Grade A to G of an EcoIndex score: the first grade whose bound the score is strictly above; else G."""
    for grade, bound in _tables().grade_bounds:
        if score > bound:
            return grade
    return "G"


def _integer_score(score: float) -> int:
    if score != int(score) or not 0 <= score <= 100:
        raise ValueError(f"an EcoIndex score is an integer 0–100, got {score!r}")
    return int(score)


def ecoindex_ghg(score: float) -> float:
    """Greenhouse gases of one page view with this score, g CO2 eq (EcoIndex's conversion, from the reference)."""
    return _tables().ghg[_integer_score(score)]


def ecoindex_water(score: float) -> float:
    """Water of one page view with this score, centilitres (EcoIndex's conversion, from the reference)."""
    return _tables().water[_integer_score(score)]


def ecoindex(dom_nodes: float, requests: float, size_kb: float) -> EcoIndex:
    """EcoIndex of a page from its DOM elements, HTTP requests and transferred size (KB): score, grade, g CO2 eq, cl.

    Needs ``ecoindex-compute`` installed (see the module docstring).
    """
    score = ecoindex_score(dom_nodes, requests, size_kb)
    return EcoIndex(score, ecoindex_grade(score), ecoindex_ghg(score), ecoindex_water(score))
