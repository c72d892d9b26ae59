"""Online video: views of a video, watched on a mix of devices, served by a large platform or your hosting."""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    IMPACT_CO2,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_HOUR,
    ZONE,
    add_devices,
    add_network,
    add_platform,
    device_mix,
)
from .hosting import HOSTED, add_hosting_share, refuse_allocation_without_hosting
from .parameters import ParameterError, Spec

#: Data per hour watched, by resolution (GB/h).
BITRATES: dict[str, float] = {"sd": 0.7, "720p": 1.35, "1080p": 3.0, "4k": 7.0}
BITRATE_SOURCES = (
    "sd 0.7, 1080p 3 and 4k 7 GB/h: ADEME Impact CO2 'streaming . qualité' (SD, HD, ultra HD), equal to Netflix's "
    "help-centre tiers ('HD: up to 3 GB per hour'); 720p 1.35 GB/h: 3 Mbit/s, Netflix's recommended speed for "
    "720p as quoted in the press (2023), low confidence"
)


class Video(Service):
    """Views of one video. Audience: views."""

    kind = "video"
    audience_unit = "view"
    parameters = (
        Spec("views", "Views over the period (plays, not impressions).", unit="view"),
        Spec("duration", "Length of the video.", unit="hour"),
        Spec("watched_share", "Average share of the video watched per view (from the platform's analytics).",
             kind="share", default=1.0, source="convention: watched to the end unless analytics say otherwise"),
        Spec("resolution", "Resolution streamed.", kind="choice", choices=tuple(BITRATES), default="1080p",
             source=f"{IMPACT_CO2}: HD by default"),
        Spec("bitrate", "Data per hour watched; by default from the resolution.", unit="GB / hour",
             default=None, source=BITRATE_SOURCES),
        device_mix({"tv": 0.70, "laptop": 0.15, "tablet": 0.10, "smartphone": 0.05},
                   f"{IMPACT_CO2}: 'streaming . appareil . moyenne utilisation' (TV 70 %, laptop 15 %, "
                   "tablet 10 %, smartphone 5 %)", "viewing"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        Spec("platform", "Who serves the video: a large platform (YouTube, Facebook...) or your own hosting.",
             kind="choice", choices=("large_platform", "self_hosted"), default="large_platform",
             source="convention: public bodies mostly publish on large platforms"),
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_HOUR,
        DATACENTRE_ZONE,
        *HOSTED,
        Spec("autoplay_impressions", "Impressions where the video starts playing by itself in a feed.",
             unit="view", default=0.0, source="convention: none unless given"),
        Spec("autoplay_watch_time", "Average time an autoplayed video plays.", unit="second", default=16.7,
             source="Facebook figures reported by Axios (2017): autoplay videos watched 16.7 s on average",
             uncertainty="lognormal gsd=2"),
        Spec("master_size", "Size of the production masters and rushes kept by the producer.", unit="GB_stored",
             default=0.0, source="convention: not counted unless given"),
        Spec("master_copies", "Copies of the masters (original, replicas, backups).", unit="dimensionless",
             default=3.0, source=f"{IMPACT_CO2}: 3 backup copies ('redondances sauvegarde', e-mail storage)"),
        Spec("storage_duration", "How long the masters are kept.", unit="year", default=1.0,
             source="convention: the assessed period (one year)"),
        Spec("encoding_server_hours", "Server time spent encoding and transcoding the video.", unit="server_hour",
             default=0.0, implicit="server", source="convention: not counted unless given"),
    )

    def check(self) -> None:
        if self.bitrate is None:  # shown by explain() as the value it takes, with the resolution table's source
            self._values["bitrate"] = BITRATES[self.resolution]
        if self.platform == "self_hosted" and self.hosting is None:
            raise ParameterError(f"{self.name}: platform 'self_hosted' needs a hosting (a Hosting service)")
        refuse_allocation_without_hosting(self)

    def audience_amount(self) -> float:
        return self.views

    def build(self, bill: BillBuilder) -> None:
        z = self.datacentre_zone
        bill.add(f"dc.storage@{z}", "master_size * master_copies * storage_duration", "production")
        bill.add(f"dc.server@{z}", "encoding_server_hours", "production")
        bill.let("viewing_hours",
                 "views * duration * watched_share + autoplay_impressions * autoplay_watch_time / 3600", "hour")
        bill.let("gigabytes", "viewing_hours * bitrate", "GB")
        if self.platform == "large_platform":
            add_platform(bill, z, "gigabytes", "platform", hours="viewing_hours")
        else:
            add_hosting_share(bill, self.hosting, "platform")
        add_network(bill, "gigabytes", self.network_zone, "network")
        add_devices(bill, "viewing_hours", self.zone, "viewing_device")
