"""Our bottom-up model beside the well-known web methods, on one website, per visit, with why they differ.

The web methods answer a narrower question than a life-cycle assessment: how much CO2 does loading this page
cost? They differ from each other and from our model by **perimeter** (which tiers and life-cycle phases they
count, and whether any criterion but climate), by **allocation** (per byte transferred, per page, or per minute
of device use) and by **factors** (a world-average electricity or the electricity of the audience's zone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ecoindex import ecoindex
from .ecoindex import is_available as ecoindex_available
from .onebyte import onebyte_per_byte
from .swd import V3_GLOBAL_GRID_INTENSITY, V4_GLOBAL_GRID_INTENSITY, swd_v3_per_visit, swd_v4_per_visit

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..factors import FactorSet
    from ..services import Website

__all__ = [
    "COLUMNS",
    "ECOINDEX",
    "ONEBYTE",
    "OURS",
    "SWD_V3",
    "SWD_V4",
    "TOTAL",
    "compare_methods",
    "explain_differences",
]

OURS = "lca_numerique (bottom-up LCA)"
ECOINDEX = "EcoIndex"
SWD_V3 = "Sustainable Web Design v3 (CO2.js)"
SWD_V4 = "Sustainable Web Design v4 (CO2.js)"
ONEBYTE = "OneByte (CO2.js)"
#: The ``tier`` label of a figure over all tiers (every web method gives only that one).
TOTAL = "total"
COLUMNS = ("method", "criterion", "tier", "value", "unit", "per", "perimeter", "coverage", "explanation")

_ALL_PHASES = "manufacturing, distribution, use, end of life"
_OUR_PERIMETER = {
    "terminals": f"user terminals: {_ALL_PHASES}; allocated by time spent on the site",
    "networks": f"networks: {_ALL_PHASES}; allocated by data transferred (after browser cache)",
    "data_centres": f"data centres: {_ALL_PHASES}; the given hosting's share, else per GB served",
    TOTAL: f"user terminals, networks, data centres; {_ALL_PHASES}",
}
_PERIMETER = {
    ECOINDEX: "whole page view (terminals, networks, data centres; manufacturing and use), from a score",
    SWD_V3: "user devices, networks, data centres and content production; electricity in use only",
    SWD_V4: "user devices, networks, data centres; electricity in use and embodied (as energy)",
    ONEBYTE: "data centres and networks only; electricity in use only",
}
_EXPLANATION = {
    ECOINDEX: "ranks the page among HTTP Archive pages by DOM nodes, requests and size; GHG and water are linear "
              "in that rank (GreenIT.fr factors), not in data or time; per page view, no cache",
    SWD_V3: f"0.81 kWh per GB transferred split 52 % devices, 14 % networks, 15 % data centres, 19 % production; "
            f"world grid {V3_GLOBAL_GRID_INTENSITY} g CO2 eq/kWh; devices charged per byte, not per minute",
    SWD_V4: f"0.3 kWh per GB transferred (operational 0.194, embodied 0.106); world grid {V4_GLOBAL_GRID_INTENSITY} "
            "g CO2 eq/kWh; devices charged per byte, not per minute",
    ONEBYTE: "The Shift Project's 2018 energy per byte for data centres and networks, 519 g CO2 eq/kWh; leaves out "
             "user devices, which dominate our result",
}


def _row(method: str, criterion: str, tier: str, value: float, unit: str, perimeter: str, coverage: str | None,
         explanation: str) -> dict[str, Any]:
    return dict(zip(COLUMNS, (method, criterion, tier, value, unit, "per visit", perimeter, coverage, explanation),
                    strict=True))


def _ours(website: Website, factors: FactorSet) -> list[dict[str, Any]]:
    """Our result per visit, per criterion and tier, then over all tiers; climate change in g CO2 eq."""
    from .. import evaluate

    results = evaluate([website.bill_of_materials()], factors)
    explanation = (f"multi-criteria LCA with factor set {factors.id!r}: terminals charged per minute on the site, "
                   f"networks and data centres per GB; electricity of zone {website.zone} (terminals, networks) "
                   f"and {website.datacentre_zone} (data centres)")
    rows = []
    for frame, tier_of in ((results.per_audience(("service", "tier")), lambda r: str(r.tier)),
                           (results.per_audience(("service",)), lambda r: TOTAL)):
        for r in frame.itertuples(index=False):
            tier = tier_of(r)
            if tier == "other":  # a website has no non-digital flows
                continue
            value, unit = float(r.value), str(r.unit)
            if unit == "kg CO2 eq":  # the web methods speak grams
                value, unit = value * 1000, "g CO2 eq"
            rows.append(_row(OURS, str(r.criterion), tier, value, unit, _OUR_PERIMETER[tier], str(r.coverage),
                             explanation))
    return rows


def compare_methods(website: Website, factors: FactorSet | None = None) -> pd.DataFrame:
    """Our bottom-up result and each web method's figure for ``website``, per visit, in one tidy table.

    Columns: ``method``, ``criterion``, ``tier`` (``"total"`` for a figure over all tiers), ``value`` (per
    visit, in ``unit``: g CO2 eq for climate change, each criterion's unit otherwise, cl of water for EcoIndex),
    ``per``, ``perimeter`` (tiers and phases covered), ``coverage`` (of our factors; empty for the web methods)
    and ``explanation`` (allocation and factors). Our rows come from ``evaluate`` with ``factors`` (default:
    :func:`lca_numerique.load_factors`). The web methods use the website's page weight (MB, decimal), pages
    per visit, first-visit share and reload share; EcoIndex, shown when ``dom_nodes`` and ``requests`` are
    given and ``ecoindex-compute`` is installed (its tables are not under a free licence, so they are not
    shipped), is per page view without cache (page weight read as KB of 1000 bytes), times pages per visit.
    """
    import pandas as pd

    from .. import load_factors

    rows = _ours(website, factors if factors is not None else load_factors())
    pages, page_bytes = website.pages_per_visit, website.page_weight * 1e6
    first, reload = website.first_visit_share, website.reload_share
    if website.dom_nodes is not None and website.requests is not None and ecoindex_available():
        eco = ecoindex(website.dom_nodes, website.requests, website.page_weight * 1000)
        why = f"{_EXPLANATION[ECOINDEX]}; score {eco.score}, grade {eco.grade}"
        rows.append(_row(ECOINDEX, "climate_change", TOTAL, eco.ghg * pages, "g CO2 eq", _PERIMETER[ECOINDEX], None,
                         why))
        rows.append(_row(ECOINDEX, "water_consumption", TOTAL, eco.water * pages, "cl", _PERIMETER[ECOINDEX], None,
                         why))
    cache = {"first_visit_share": first, "return_visit_share": 1 - first, "data_reload_ratio": reload}
    for method, grams in ((SWD_V3, swd_v3_per_visit(page_bytes, **cache)),
                          (SWD_V4, swd_v4_per_visit(page_bytes, **cache)),
                          (ONEBYTE, onebyte_per_byte(page_bytes * (first + (1 - first) * reload)))):
        rows.append(_row(method, "climate_change", TOTAL, grams * pages, "g CO2 eq", _PERIMETER[method], None,
                         _EXPLANATION[method]))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def explain_differences(table: pd.DataFrame) -> str:
    """A short plain-language paragraph on why the figures of a :func:`compare_methods` table differ."""
    climate = table[(table["criterion"] == "climate_change") & (table["tier"] == TOTAL)].set_index("method")["value"]
    ours = table[table["method"] == OURS]
    terminals = ours[(ours["criterion"] == "climate_change") & (ours["tier"] == "terminals")]["value"].sum()
    low, high = climate.idxmin(), climate.idxmax()
    spread = f"a factor of {climate[high] / climate[low]:.1f}" if climate[low] > 0 else "the lowest being zero"
    criteria = ours["criterion"].nunique()
    share = terminals / climate[OURS] if climate.get(OURS, 0) > 0 else float("nan")
    return (
        f"Per visit, the climate figures range from {climate[low]:.3g} g CO2 eq ({low}) to {climate[high]:.3g} g "
        f"({high}), {spread}. They differ first by perimeter: OneByte leaves out the visitors' devices, "
        "Sustainable Web Design v3 counts only the electricity used, v4 adds the making of equipment as energy, "
        f"and only our model covers the whole life cycle and {criteria} criteria, not climate alone. They differ "
        "next by allocation: CO2.js's methods charge everything per byte transferred, so a light page looks almost "
        "free however long it is read, whereas our model charges devices per minute spent on the site "
        f"({share:.0%} of our climate total here); EcoIndex ranks the page among others and converts that rank "
        "into grams. They differ last by factors: CO2.js uses a world-average electricity "
        f"({V3_GLOBAL_GRID_INTENSITY} or {V4_GLOBAL_GRID_INTENSITY} g CO2 eq/kWh) where our model uses the "
        "electricity of the audience's zone and measured equipment footprints."
    )
