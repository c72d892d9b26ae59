"""Podcasts and audio: listens of an episode, streamed or downloaded.

Most podcast listening happens while doing something else: the listener's device is then not used for the
podcast alone, so only part of its hour is charged to the podcast.
"""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
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
from .parameters import Spec

__all__ = ["Podcast"]


class Podcast(Service):
    """Listens of an audio episode. Audience: listens."""

    kind = "podcast"
    audience_unit = "listen"
    vectorised = True
    parameters = (
        Spec("listens", "Listens (plays or downloads) over the period.", unit="listen"),
        Spec("duration", "Length of the episode.", unit="hour"),
        Spec("listened_share", "Average share of the episode listened to.", kind="share", default=1.0,
             source="convention: listened to the end unless analytics say otherwise"),
        Spec("bitrate", "Encoding bitrate.", unit="kbit / second", default=128.0,
             source="Apple Podcasts for Creators, audio requirements: 128 kbit/s MP3 (stereo 128-256, mono 96-128); "
                    "also the French host Vodio's recommendation"),
        Spec("delivery", "Streamed (only what is heard is sent) or downloaded (the whole file is sent).",
             kind="choice", choices=("streamed", "downloaded"), default="downloaded",
             source="convention: podcast apps download episodes"),
        device_mix({"smartphone": 1.0}, "convention: listened on a smartphone (no open French device split for "
                   "podcasts was found)", "listening"),
        Spec("background_share", "Share of listening done while doing something else (chores, commuting, another "
             "app).", kind="share", default=0.62, uncertainty="triangular low=0.62 high=0.94",
             source="Activate 2026 Consumer Technology & Media Outlook, analysed by Katz Media Group (Radio Ink, "
                    "2025-11-21): 62 % of consumers multitask all, almost all or most of the time while listening to "
                    "podcasts; NuVoodoo (Inside Audio Marketing): 37 % of Gen X, the least multitasking, do nothing "
                    "else; up to 94 % multitask in another survey (Oberlo): hence the range"),
        Spec("background_device_share", "Share of a device hour charged to the podcast while the listener does "
             "something else.", kind="share", default=0.5, uncertainty="uniform low=0 high=1",
             source="convention: the hour is shared equally between the podcast and the other activity (no "
                    "published allocation rule; anywhere between none and all of it)"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_HOUR,
        DATACENTRE_ZONE,
    )

    def audience_amount(self) -> float:
        return self.listens

    def build(self, bill: BillBuilder) -> None:
        bill.let("heard_hours", "listens * duration * listened_share", "hour")
        # Streamed: only what is heard is sent; downloaded: the whole file. kbit/s over hours -> GB.
        sent = "heard_hours" if self.delivery == "streamed" else "listens * duration"
        bill.let("gigabytes", f"{sent} * bitrate * 3600 / 8 / 1000000", "GB")
        add_platform(bill, self.datacentre_zone, "gigabytes", "platform", hours="heard_hours")
        add_network(bill, "gigabytes", self.network_zone, "network")
        bill.let("device_hours", "heard_hours * (1 - background_share * (1 - background_device_share))", "hour")
        add_devices(bill, "device_hours", self.zone, "listening_device")
