"""Many pages at once: the web methods and our website model, vectorised over a table with one row per page.

A crawl (an HTTP Archive style table) or a site's analytics export is a table whose columns are
:class:`~lca_numerique.services.Website` parameters in the units ``Website.describe_parameters()`` gives:
``page_weight`` (MB, decimal: 10⁶ bytes; required), ``visits``, ``pages_per_visit``, ``first_visit_share``,
``reload_share``, ``time_per_visit`` (second), ``dom_nodes`` and ``requests`` (for EcoIndex). A missing column
takes the model's sourced default; any other column (``url``, ``site``...) is carried through as an
identifier. :func:`pages_table` gives, per row, what :func:`~lca_numerique.web_methods.compare_methods`
gives for one website, computed on arrays: our model per visit for each criterion (one bill matrix for the
whole table, one ``evaluate``) with its coverage, and Sustainable Web Design v3 and v4, OneByte and EcoIndex
per visit, each in the operation order of its reference implementation so that a row equals the same page
computed alone. :func:`lca_numerique.bridges.dask.pages_parquet` applies it to a Parquet file of millions of
rows, partition by partition, on a Dask cluster.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ArgumentError
from .ecoindex import is_available as ecoindex_available
from .ecoindex import quantiles as ecoindex_quantiles
from .onebyte import CO2_PER_KWH_IN_DC_GREY, KWH_PER_BYTE_FOR_NETWORK, KWH_PER_BYTE_IN_DC
from .swd import (
    GIGABYTE,
    V3_DATA_CENTRE_SHARE,
    V3_DEVICE_SHARE,
    V3_GLOBAL_GRID_INTENSITY,
    V3_KWH_PER_GB,
    V3_NETWORK_SHARE,
    V3_PRODUCTION_SHARE,
    V4_EMBODIED_KWH_PER_GB_DATA_CENTRE,
    V4_EMBODIED_KWH_PER_GB_DEVICE,
    V4_EMBODIED_KWH_PER_GB_NETWORK,
    V4_GLOBAL_GRID_INTENSITY,
    V4_OPERATIONAL_KWH_PER_GB_DATA_CENTRE,
    V4_OPERATIONAL_KWH_PER_GB_DEVICE,
    V4_OPERATIONAL_KWH_PER_GB_NETWORK,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..factors import FactorSet

#: Website parameters a table of pages may give, one column each (in the parameter's unit).
PAGE_COLUMNS: tuple[str, ...] = ("visits", "pages_per_visit", "page_weight", "first_visit_share", "reload_share",
                                 "time_per_visit", "dom_nodes", "requests")
#: Web methods' output columns, per visit: g CO2 eq, EcoIndex score 0–100, grade A–G and water in cl.
METHOD_COLUMNS: tuple[str, ...] = ("swd_v3_g", "swd_v4_g", "onebyte_g", "ecoindex_score", "ecoindex_grade",
                                   "ecoindex_ghg_g", "ecoindex_water_cl")


def pages_table(frame: pd.DataFrame, factors: FactorSet | None = None, criteria: Sequence[str] | None = None,
                ) -> pd.DataFrame:
    """One row per page: the identifier columns of ``frame``, then ``lca_<criterion>`` (our model, per visit,
    in the criterion's unit; NaN where not covered) and ``lca_<criterion>_coverage`` (categorical) for each
    criterion (default: every criterion of ``factors``), then ``swd_v3_g``, ``swd_v4_g``, ``onebyte_g`` (g CO2
    eq per visit) and, when ``dom_nodes`` and ``requests`` are given and ``ecoindex-compute`` is installed,
    ``ecoindex_score``, ``ecoindex_grade``, ``ecoindex_ghg_g`` (g CO2 eq) and ``ecoindex_water_cl`` (cl) per
    visit (NaN and an empty grade where a row lacks DOM nodes or requests).

    Values are checked as a :class:`Website` checks them; a bad value raises :class:`ArgumentError` naming the
    column, the row (index label) and the value. ``factors`` defaults to :func:`lca_numerique.load_factors`.
    """
    import pandas as pd

    from .. import load_factors

    values = _page_values(frame)
    factors = factors if factors is not None else load_factors()
    ours = _website_per_visit(values, len(frame), factors, criteria)
    out = {c: frame[c].to_numpy() for c in frame.columns if c not in PAGE_COLUMNS}
    out.update(ours)
    out.update(_web_methods(values, len(frame)))
    return pd.DataFrame(out, index=frame.index)


def _page_values(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The Website parameters given by the table, as float arrays, checked against their declared domain."""
    from ..services import Website

    specs = Website.specs()
    for column in frame.columns:
        close = difflib.get_close_matches(str(column), PAGE_COLUMNS, n=1, cutoff=0.8)
        if column not in PAGE_COLUMNS and close:
            raise ArgumentError("frame", f"column {column!r} is not a page parameter; did you mean {close[0]!r}? "
                                         f"(parameters: {', '.join(PAGE_COLUMNS)}; other columns are identifiers)")
    if "page_weight" not in frame.columns:
        raise ArgumentError("frame", "a table of pages needs a page_weight column (MB per page, 10⁶ bytes)")
    values = {}
    for name in (c for c in PAGE_COLUMNS if c in frame.columns):
        column = _numeric(frame[name], name)
        spec = specs[name]
        low = spec.minimum if spec.minimum is not None else -np.inf
        high = 1.0 if spec.kind == "share" else (spec.maximum if spec.maximum is not None else np.inf)
        optional = name in ("dom_nodes", "requests")  # a page may lack them: its EcoIndex is then NaN
        bad = ~((column >= low) & (column <= high) & np.isfinite(column))
        if spec.positive:
            bad |= column <= 0
        if optional:
            bad &= ~np.isnan(column)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            domain = "a share in [0, 1]" if spec.kind == "share" else f"{spec.unit or 'a number'}, at least {low:g}"
            raise ArgumentError("frame", f"column {name!r}, row {frame.index[row]!r}: {column[row]:g} is not a valid "
                                         f"{name} ({domain}); {int(bad.sum())} such row(s)")
        values[name] = column
    return values


def _numeric(column: pd.Series, name: str) -> np.ndarray:
    """A column as float64, refused with its name when it holds something else than numbers."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if not is_numeric_dtype(column) or is_bool_dtype(column):
        raise ArgumentError("frame", f"column {name!r} must hold numbers; it holds {column.dtype}")
    return column.to_numpy(dtype=float, na_value=np.nan)


def _website_per_visit(values: Mapping[str, np.ndarray], n: int, factors: FactorSet,
                       criteria: Sequence[str] | None) -> dict[str, Any]:
    """Our website model per visit, one bill matrix for every row: ``lca_<criterion>`` and its coverage."""
    import pandas as pd

    from ..bill import STAGES, BillMatrix
    from ..criteria import get_criterion
    from ..engine import evaluate
    from ..flows import FLOWS
    from ..montecarlo import sampled_lines
    from ..results import COVERAGE_LABELS
    from ..services import Website

    template = Website("page", visits=1.0)
    model = {k: v for k, v in values.items() if k not in ("dom_nodes", "requests")}
    lines = sampled_lines(template, model)
    flow_order, stage_order = {f: i for i, f in enumerate(FLOWS)}, {s: i for i, s in enumerate(STAGES)}
    columns = sorted(lines, key=lambda c: (flow_order[c[0]], stage_order[c[1]]))  # as BillMatrix.stack orders
    quantities = np.zeros((n, len(columns)))
    for j, column in enumerate(columns):
        quantities[:, j] = lines[column]
    visits = np.broadcast_to(model.get("visits", 1.0), (n,))
    matrix = BillMatrix.from_arrays([str(i) for i in range(n)], [c[0] for c in columns], quantities, visits,
                                    "visit", "website", stages=[c[1] for c in columns])
    scores = evaluate(matrix, factors).scores(per_audience=True)
    wanted = scores.criteria if criteria is None else tuple(get_criterion(c).id for c in criteria)
    out: dict[str, Any] = {}
    for criterion in wanted:
        if criterion not in scores.criteria:
            raise ArgumentError("criteria", f"{criterion!r} is not a criterion of factor set {factors.id!r}")
        j = scores.criteria.index(criterion)
        out[f"lca_{criterion}"] = scores.values[:, j]
        # categorical: the codes as they are (a column of strings per criterion cost a quarter of the time)
        out[f"lca_{criterion}_coverage"] = pd.Categorical.from_codes(scores.coverage[:, j], COVERAGE_LABELS)
    return out


def _web_methods(values: Mapping[str, np.ndarray], n: int) -> dict[str, Any]:
    """SWD v3, v4, OneByte and EcoIndex per visit, as compare_methods gives them for one website."""
    from ..services import Website

    defaults = Website("page", visits=1.0).values

    def value(name: str) -> np.ndarray:
        return np.broadcast_to(values.get(name, defaults[name]), (n,)).astype(float)

    pages, page_bytes = value("pages_per_visit"), value("page_weight") * 1e6
    first, reload = value("first_visit_share"), value("reload_share")
    out: dict[str, Any] = {
        "swd_v3_g": _swd_v3_per_visit(page_bytes, first, 1 - first, reload) * pages,
        "swd_v4_g": _swd_v4_per_visit(page_bytes, first, 1 - first, reload) * pages,
        "onebyte_g": _onebyte(page_bytes * (first + (1 - first) * reload)) * pages,
    }
    if "dom_nodes" in values and "requests" in values and ecoindex_available():
        out.update(_ecoindex(values["dom_nodes"], values["requests"], value("page_weight") * 1000, pages))
    return out


def _left_sum(terms: Sequence[np.ndarray]) -> np.ndarray:
    """Terms added from left to right (JavaScript's ``reduce``), element by element."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _swd_v3_per_visit(page_bytes: np.ndarray, first: np.ndarray, returning: np.ndarray,
                      reload: np.ndarray) -> np.ndarray:
    """g CO2 eq per page view, SWD v3 (CO2.js perVisit, world grid), in CO2.js's order of operations."""
    energy = page_bytes / GIGABYTE * V3_KWH_PER_GB
    terms = []
    for share in (V3_DEVICE_SHARE, V3_NETWORK_SHARE, V3_PRODUCTION_SHARE, V3_DATA_CENTRE_SHARE):
        segment = energy * share
        terms += [segment * first * V3_GLOBAL_GRID_INTENSITY, segment * returning * reload * V3_GLOBAL_GRID_INTENSITY]
    return _left_sum(terms)


def _swd_v4_per_visit(page_bytes: np.ndarray, first: np.ndarray, returning: np.ndarray,
                      reload: np.ndarray) -> np.ndarray:
    """g CO2 eq per page view, SWD v4 (CO2.js perVisit, grey hosting, world grid); less than a byte is zero."""
    gigabytes = page_bytes / GIGABYTE
    grid = V4_GLOBAL_GRID_INTENSITY
    view = _left_sum([gigabytes * V4_OPERATIONAL_KWH_PER_GB_DATA_CENTRE * grid,  # grey hosting: × (1 - 0)
                      gigabytes * V4_EMBODIED_KWH_PER_GB_DATA_CENTRE * grid,
                      gigabytes * V4_OPERATIONAL_KWH_PER_GB_NETWORK * grid,
                      gigabytes * V4_EMBODIED_KWH_PER_GB_NETWORK * grid,
                      gigabytes * V4_OPERATIONAL_KWH_PER_GB_DEVICE * grid,
                      gigabytes * V4_EMBODIED_KWH_PER_GB_DEVICE * grid])
    return np.where(page_bytes < 1, 0.0, view * first + view * reload * returning)


def _onebyte(transferred: np.ndarray) -> np.ndarray:
    """g CO2 eq of OneByte (CO2.js perByte, grey hosting); less than a byte is zero."""
    return np.where(transferred < 1, 0.0,
                    transferred * (KWH_PER_BYTE_IN_DC + KWH_PER_BYTE_FOR_NETWORK) * CO2_PER_KWH_IN_DC_GREY)


def _ecoindex(dom: np.ndarray, requests: np.ndarray, size_kb: np.ndarray, pages: np.ndarray) -> dict[str, Any]:
    """EcoIndex score, grade, g CO2 eq and cl of water per visit (per page view × pages per visit)."""
    from .ecoindex import ecoindex_ghg, ecoindex_grade, ecoindex_water

    known = ~(np.isnan(dom) | np.isnan(requests))
    tables = ecoindex_quantiles()
    positions = [_position(np.asarray(tables[name], dtype=float), np.where(known, x, 0.0))
                 for name, x in (("dom", dom), ("requests", requests), ("size", size_kb))]
    score = np.round(100 - 5 * (3 * positions[0] + 2 * positions[1] + positions[2]) / 6).astype(int)
    by_score = np.arange(101)
    ghg = np.array([ecoindex_ghg(s) for s in by_score])
    water = np.array([ecoindex_water(s) for s in by_score])
    grade = np.array([ecoindex_grade(s) for s in by_score], dtype=object)
    return {"ecoindex_score": np.where(known, score, np.nan),
            "ecoindex_grade": np.where(known, grade[score], ""),
            "ecoindex_ghg_g": np.where(known, ghg[score] * pages, np.nan),
            "ecoindex_water_cl": np.where(known, water[score] * pages, np.nan)}


def _position(quantiles: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Position 0–20 of each value in a quantile table, as EcoIndex computes it (linear between the quantiles
    around it, the last position at or beyond the last quantile)."""
    above = np.clip(np.searchsorted(quantiles, value, side="right"), 1, len(quantiles))  # first quantile > value
    inside = above < len(quantiles)
    i = np.where(inside, above, 1)
    linear = i - 1 + (value - quantiles[i - 1]) / (quantiles[i] - quantiles[i - 1])
    return np.where(inside, linear, len(quantiles) - 1)


__all__ = ["METHOD_COLUMNS", "PAGE_COLUMNS", "pages_table"]
