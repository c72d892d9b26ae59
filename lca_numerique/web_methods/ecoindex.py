"""EcoIndex of a web page: score (0–100), grade (A–G), greenhouse gases and water per page view.

A re-implementation, to the bit, of the reference implementation: the PyPI package ``ecoindex-compute``
5.10.0 (``ecoindex/compute/ecoindex.py`` and the tables in ``ecoindex/data/``), by the Green IT collective
(cnumr). Licence notice: that package declares the licence Creative Commons BY-NC-ND, and the collective
states that the greenhouse-gas and water impact factors are not under a free licence (© Frédéric Bordage,
GreenIT.fr). The method is implemented here so that its published figures can be shown beside ours.

The score places a page among the pages of the HTTP Archive: each of its three metrics (DOM nodes, HTTP
requests, transferred size in KB) is turned into a position 0–20 by linear interpolation in a table of
quantiles, and the positions are weighted 3 (DOM), 2 (requests) and 1 (size). Greenhouse gases and water are
linear in the score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

# ecoindex-compute 5.10.0, ecoindex/data/quantiles.py: quantiles_dom (DOM elements).
QUANTILES_DOM: tuple[float, ...] = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603, 674, 753, 843, 949, 1076, 1237, 1459, 1801, 2479, 594601,
)
# ecoindex-compute 5.10.0, ecoindex/data/quantiles.py: quantiles_req (HTTP requests).
QUANTILES_REQUESTS: tuple[float, ...] = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78, 86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)
# ecoindex-compute 5.10.0, ecoindex/data/quantiles.py: quantiles_size (transferred size, KB).
QUANTILES_SIZE: tuple[float, ...] = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32, 1648.27, 1876.08,
    2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54, 223212.26,
)
# ecoindex-compute 5.10.0, ecoindex/data/grades.py: a score strictly above the bound earns the grade; else G.
GRADE_BOUNDS: tuple[tuple[str, float], ...] = (("A", 80), ("B", 70), ("C", 55), ("D", 40), ("E", 25), ("F", 10))


class EcoIndex(NamedTuple):
    """EcoIndex of one page view: score 0–100 (higher is better), grade A–G, g CO2 eq and centilitres of water."""

    score: int
    grade: str
    ghg: float
    water: float


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
    q_dom = quantile_position(QUANTILES_DOM, dom_nodes)
    q_size = quantile_position(QUANTILES_SIZE, size_kb)
    q_req = quantile_position(QUANTILES_REQUESTS, requests)
    return round(100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6)


def ecoindex_grade(score: float) -> str:
    """Grade A (score above 80) to G (10 or below) of an EcoIndex score."""
    for grade, bound in GRADE_BOUNDS:
        if score > bound:
            return grade
    return "G"


def ecoindex_ghg(score: float) -> float:
    """Greenhouse gases of one page view, g CO2 eq: 2 + 2 × (50 − score) / 100, rounded to 0.01 (half to even)."""
    return round(100 * (2 + 2 * (50 - score) / 100)) / 100


def ecoindex_water(score: float) -> float:
    """Water of one page view, centilitres: 3 + 3 × (50 − score) / 100, rounded to 0.01 (half to even)."""
    return round(100 * (3 + 3 * (50 - score) / 100)) / 100


def ecoindex(dom_nodes: float, requests: float, size_kb: float) -> EcoIndex:
    """EcoIndex of a page from its DOM elements, HTTP requests and transferred size (KB): score, grade, g CO2 eq, cl.

    >>> ecoindex(100, 100, 100)
    EcoIndex(score=72, grade='B', ghg=1.56, water=2.34)
    """
    score = ecoindex_score(dom_nodes, requests, size_kb)
    return EcoIndex(score, ecoindex_grade(score), ecoindex_ghg(score), ecoindex_water(score))
