"""Podcasts and audio: listens of an episode, streamed or downloaded."""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    NETWORK_MIX,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_HOUR,
    ZONE,
    add_devices,
    add_network,
    add_platform,
    device_mix,
)
from .parameters import Spec


class Podcast(Service):
    """Listens of an audio episode. Audience: listens."""

    kind = "podcast"
    audience_unit = "listen"
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
        NETWORK_MIX,
        ZONE,
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_HOUR,
        DATACENTRE_ZONE,
    )

    def audience_amount(self) -> float:
        return self.listens

    def build(self, bill: BillBuilder) -> None:
        heard = self.listens * self.duration * self.listened_share
        sent_hours = heard if self.delivery == "streamed" else self.listens * self.duration
        gb = sent_hours * self.bitrate * 3600 / 8 / 1e6  # kbit/s over hours -> GB
        sent = "listens × duration" + (" × listened_share" if self.delivery == "streamed" else "")
        add_devices(bill, heard, self.device_mix, self.zone, "listens × duration × listened_share")
        add_network(bill, gb, self.network_mix, self.zone, f"{sent} × bitrate")
        add_platform(bill, self, gb, f"{sent} × bitrate", hours=heard, time="listens × duration × listened_share")
