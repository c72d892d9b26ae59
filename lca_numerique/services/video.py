"""Online video: views of a video, watched on a mix of devices, served by a large platform or your hosting.

What a view is depends on the platform that counted it: YouTube counts a view after about 30 s, X after 2 s,
Meta's "3-second views" after 3 s; Meta's "Views" (its main metric on Facebook and Instagram since 2024) count
every start. Unless the platform's analytics give the average view duration (give ``watched_share``), a view
counted after a threshold is taken to last that threshold (or the whole video if it is shorter), with full
watch as the upper end of its uncertainty; a Meta view lasts Facebook's published average watch time. The
device mix and the platform's data-centre zone follow the platform too: an internet audience (79 %
smartphone) for public videos, Impact CO2's streaming-service audience (70 % TV, data centres in France,
watched in full) for ``streaming``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..uncertainty import Distribution, parse_distribution
from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    IMPACT_CO2,
    INTERNET_TIME_MIX,
    INTERNET_TIME_SOURCE,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_DATACENTRE_ZONE,
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

__all__ = [
    "BITRATES",
    "BITRATE_SOURCES",
    "FULL_VIEW_PLATFORMS",
    "STREAMING_MIX",
    "VIEW_AVERAGES",
    "VIEW_SOURCES",
    "VIEW_THRESHOLDS",
    "Video",
]

#: Data per hour watched, by resolution (GB/h).
BITRATES: dict[str, float] = {"sd": 0.7, "720p": 1.35, "1080p": 3.0, "4k": 7.0}
BITRATE_SOURCES = (
    "sd 0.7, 1080p 3 and 4k 7 GB/h: ADEME Impact CO2 'streaming . qualité' (SD, HD, ultra HD), equal to Netflix's "
    "help-centre tiers ('HD: up to 3 GB per hour'); 720p 1.35 GB/h: 3 Mbit/s, Netflix's recommended speed for "
    "720p as quoted in the press (2023), low confidence"
)

#: Seconds a video must play before the platform counts a view (or the whole video if it is shorter).
VIEW_THRESHOLDS: dict[str, float] = {"youtube": 30.0, "meta_3s": 3.0, "x": 2.0}
#: Average seconds watched per view where a view is any start: Facebook's figure for its videos.
VIEW_AVERAGES: dict[str, float] = {"facebook": 16.7, "instagram": 16.7}
#: Platforms whose views are taken as watched in full: ``streaming`` a streaming service's audience as in
#: Impact CO2, ``other`` a platform whose rule is unknown (give watched_share from its analytics).
FULL_VIEW_PLATFORMS = ("streaming", "other")
VIEW_SOURCES = (
    "youtube 30 s: Google Ads API reference (developers.google.com, 2025), a paid view is counted when the viewer "
    "'watched at least 30 seconds of the ad (or the entire ad, if it was less than 30 seconds)', the rule commonly "
    "reported for YouTube views (YouTube publishes none for organic views); meta_3s 3 s: Meta Business Help "
    "Center, '3-second video plays' (played for at least 3 s, or 97 % of a shorter video), still in Meta's "
    "insights as '3-second views'; x 2 s: X Business help, video views campaign (2 s with at least 50 % of the "
    "player in view); facebook, instagram: Meta's 'Views' count every time a reel or video starts to play "
    "(Instagram, 2024-08; Facebook, late 2024, as reported by Nasdaq/Business Standard), so a view guarantees "
    "nothing: 16.7 s, Facebook's average watch time of its videos (Axios, 2017), triangular from none to a full "
    "watch; streaming and other: watched in full (Impact CO2's streaming hour)"
)
#: Impact CO2's device mix for streaming ('streaming . appareil . moyenne utilisation'), from Netflix's audience.
STREAMING_MIX: dict[str, float] = {"tv": 0.70, "laptop": 0.15, "tablet": 0.10, "smartphone": 0.05}
_STREAMING_MIX_SOURCE = (f"{IMPACT_CO2}: 'streaming . appareil . moyenne utilisation' (TV 70 %, laptop 15 %, "
                         "tablet 10 %, smartphone 5 %)")


class Video(Service):
    """Views of one video. Audience: views."""

    kind = "video"
    audience_unit = "view"
    vectorised = True
    parameters = (
        Spec("views", "Views over the period (plays, not impressions).", unit="view"),
        Spec("duration", "Length of the video.", unit="hour"),
        Spec("view_platform", "The platform whose analytics counted the views: what a view is, who watches and "
             "where the platform's data centres are.", kind="choice",
             choices=(*VIEW_THRESHOLDS, *VIEW_AVERAGES, *FULL_VIEW_PLATFORMS), default="youtube",
             source="convention: YouTube, where public bodies post their videos; choose the platform that counted "
                    "the views"),
        Spec("watched_share", "Average share of the video watched per view (average view duration over the "
             "duration, from the platform's analytics); by default what a view of view_platform guarantees (its "
             "counting threshold over the duration), Facebook's average watch time for Meta's views, all of it "
             "for streaming and other.",
             kind="share", default=None, source=VIEW_SOURCES),
        Spec("resolution", "Resolution streamed.", kind="choice", choices=tuple(BITRATES), default="1080p",
             source=f"{IMPACT_CO2}: HD by default"),
        Spec("bitrate", "Data per hour watched; by default from the resolution.", unit="GB / hour",
             default=None, source=BITRATE_SOURCES),
        device_mix(None, f"platforms: {INTERNET_TIME_SOURCE}; streaming: {_STREAMING_MIX_SOURCE}", "viewing",
                   "; by default by view_platform: an internet audience, a streaming service's for streaming"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        Spec("platform", "Who serves the video: a large platform (YouTube, Facebook...) or your own hosting.",
             kind="choice", choices=("large_platform", "self_hosted"), default="large_platform",
             source="convention: public bodies mostly publish on large platforms"),
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_HOUR,
        replace(PLATFORM_DATACENTRE_ZONE, name="platform_zone", default=None,
                description="Where the large platform's data centres are; by default Europe (FR for streaming, "
                            "as Impact CO2).",
                source=f"{PLATFORM_DATACENTRE_ZONE.source}; streaming: {DATACENTRE_ZONE.source}"),
        replace(DATACENTRE_ZONE, description="Where the producer's data centre is (masters, encoding)."),
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
        # defaults that depend on other parameters: shown by explain() as the values they take, with their sources
        if self.bitrate is None:
            self._values["bitrate"] = BITRATES[self.resolution]
        streaming = self.view_platform == "streaming"
        if self.device_mix is None:
            self._values["device_mix"] = dict(STREAMING_MIX if streaming else INTERNET_TIME_MIX)
        if self.platform_zone is None:
            self._values["platform_zone"] = "FR" if streaming else PLATFORM_DATACENTRE_ZONE.default
        if self.watched_share is None:
            self._values["watched_share"] = self._default_share()
        if self.platform == "self_hosted" and self.hosting is None:
            raise ParameterError(f"{self.name}: platform 'self_hosted' needs a hosting (a Hosting service)")
        refuse_allocation_without_hosting(self)

    def _default_share(self) -> float:
        """The share of the video a view of ``view_platform`` plays by default: the threshold it guarantees or
        the platform's average watch time, over the duration (1 for a full watch, or a video shorter than that)."""
        seconds = VIEW_THRESHOLDS.get(self.view_platform, VIEW_AVERAGES.get(self.view_platform))
        if seconds is None or self.duration <= 0:
            return 1.0
        return min(1.0, seconds / 3600 / self.duration)

    def _parse_uncertainty(self, given: Mapping[str, str]) -> dict[str, Distribution]:
        result = super()._parse_uncertainty(given)
        share = self.watched_share
        if "watched_share" not in self._given and "watched_share" not in given and share < 1:
            if self.view_platform in VIEW_THRESHOLDS:
                # a view lasted at least the threshold and at most the whole video: nothing more is known
                result["watched_share"] = parse_distribution(f"uniform low={share!r} high=1", share)
            else:  # an average watch time: a start may have lasted anything from nothing to the whole video
                result["watched_share"] = parse_distribution("triangular low=0 high=1", share)
        return result

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
            add_platform(bill, self.platform_zone, "gigabytes", "platform", hours="viewing_hours")
        else:
            add_hosting_share(bill, self.hosting, "platform")
        add_network(bill, "gigabytes", self.network_zone, "network")
        add_devices(bill, "viewing_hours", self.zone, "viewing_device")
