"""File downloads (a brochure, a report): data sent from a large platform or a data centre, no device time."""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_GB,
    ZONE,
    add_network,
    add_platform,
)
from .parameters import Spec

__all__ = ["Download"]


class Download(Service):
    """Downloads of a file. Audience: downloads (not people). Device time is not counted: as in
    ADEME's Impact CO2 file transfer, a download runs in the background."""

    kind = "download"
    audience_unit = "download"
    vectorised = True
    parameters = (
        Spec("size", "Size of the file.", unit="GB"),
        Spec("downloads", "Number of downloads over the period.", unit="download", default=1.0,
             source="convention: one download"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_GB,
        DATACENTRE_ZONE,
    )

    def audience_amount(self) -> float:
        return self.downloads

    def build(self, bill: BillBuilder) -> None:
        bill.let("gigabytes", "size * downloads", "GB")
        add_platform(bill, self.datacentre_zone, "gigabytes", "platform")
        add_network(bill, "gigabytes", self.network_zone, "network")
