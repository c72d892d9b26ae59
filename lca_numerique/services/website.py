"""Websites: visits, pages and page weight (with browser caching), time spent, and the hosting behind them."""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    IMPACT_CO2,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_GB,
    ZONE,
    add_devices,
    add_network,
    add_platform,
    device_mix,
)
from .hosting import HOSTED, add_hosting_share, refuse_allocation_without_hosting
from .parameters import Spec

__all__ = ["Website"]

_SWD = "Sustainable Web Design model v3 as implemented in CO2.js 0.19 (Green Web Foundation, Apache-2.0)"
_WEB_MIX_SOURCE = ("Médiamétrie eStat, March 2017 (via eMarketer): 55.7 % of French web visits on smartphones, 12.2 % "
                   f"on tablets, 32.1 % on computers; computers split half laptops, half desktops as in {IMPACT_CO2} "
                   "(web search: 24 % and 24 %); StatCounter, France, early 2024 (as reported by AV Caesar): "
                   "computers 49.6 %, smartphones 48.0 % of page views: sources disagree by about 15 points")


class Website(Service):
    """A website over a period. Audience: visits."""

    kind = "website"
    audience_unit = "visit"
    vectorised = True
    parameters = (
        Spec("visits", "Visits over the period (from your analytics).", unit="visit"),
        Spec("pages_per_visit", "Pages viewed per visit.", unit="dimensionless", default=1.0,
             source="convention: one page per visit unless your analytics say otherwise"),
        Spec("page_weight", "Data transferred to load one page without cache.", unit="MB", default=2.311,
             uncertainty="lognormal gsd=2",
             source="HTTP Archive Web Almanac 2024, Page Weight chapter: median mobile page 2,311 KB"),
        Spec("first_visit_share", "Share of visits by new visitors, whose browser caches nothing yet.",
             kind="share", default=0.75, source=f"{_SWD}: firstVisitPercentage 0.75"),
        Spec("reload_share", "Share of a page's data a returning visitor downloads again.", kind="share",
             default=0.02, source=f"{_SWD}: dataReloadRatio 0.02"),
        Spec("time_per_visit", "Time spent per visit.", unit="second", default=127.0,
             uncertainty="lognormal gsd=2",
             source="Contentsquare Digital Experience Benchmark 2024: median session 127 s (e-commerce), low "
                    "confidence for a public body's site"),
        device_mix({"smartphone": 0.557, "tablet": 0.122, "laptop": 0.1605, "desktop": 0.1605}, _WEB_MIX_SOURCE,
                   "browsing"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        *HOSTED,
        Spec("cdn_share", "Share of the data served by a content delivery network's edge servers.", kind="share",
             default=0.0, source="convention: no CDN unless given; no open factor exists for CDN edge servers, so "
                                 "that data shows as not covered (dc.data_served) rather than being dropped"),
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_GB,
        DATACENTRE_ZONE,
        Spec("dom_nodes", "DOM elements of a typical page (for EcoIndex).", unit="dimensionless", default=None,
             source="optional: used by the web comparison methods"),
        Spec("requests", "HTTP requests of a typical page (for EcoIndex).", unit="dimensionless", default=None,
             source="optional: used by the web comparison methods"),
    )

    def check(self) -> None:
        refuse_allocation_without_hosting(self)

    def audience_amount(self) -> float:
        return self.visits

    def build(self, bill: BillBuilder) -> None:
        z = self.datacentre_zone
        bill.let("gigabytes", "visits * pages_per_visit * page_weight / 1000 "
                 "* (first_visit_share + (1 - first_visit_share) * reload_share)", "GB")
        bill.add(f"dc.data_served@{z}", "gigabytes * cdn_share", "hosting")
        if self.hosting is not None:
            add_hosting_share(bill, self.hosting, "hosting")
        else:
            # Without hosting data, the data-centre side is estimated per GB served, with the large-platform
            # figures of Impact CO2's file transfer (a proxy, flagged by its source).
            add_platform(bill, z, "gigabytes", "hosting")
        add_network(bill, "gigabytes", self.network_zone, "network")
        add_devices(bill, "visits * time_per_visit / 3600", self.zone, "visitor_device")
