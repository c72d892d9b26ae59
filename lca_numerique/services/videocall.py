"""Video calls and webinars: participants connected for a duration, at a video quality."""

from __future__ import annotations

from .base import BillBuilder, Service
from .common import (
    DATACENTRE_ZONE,
    DEVICES,
    IMPACT_CO2,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_HOUR,
    ZONE,
    add_devices,
    add_network,
    add_platform,
)
from .parameters import Spec

__all__ = ["CALL_BITRATES", "VideoCall"]

#: Data per participant-hour, by quality (GB/h): ADEME Impact CO2 'visio . qualité' (audio = 168/1024 GB/h).
CALL_BITRATES: dict[str, float] = {"audio": 168 / 1024, "sd": 0.7, "hd": 3.0, "4k": 7.0}


class VideoCall(Service):
    """A video call or webinar. Audience: participants (each connection counts once per session)."""

    kind = "videocall"
    audience_unit = "participant"
    vectorised = True
    parameters = (
        Spec("duration", "Length of one session.", unit="hour"),
        Spec("participants", "Connected devices per session.", unit="participant", default=2.0, minimum=1.0,
             source=f"{IMPACT_CO2}: 'visio . emplacements' = 2"),
        Spec("sessions", "Sessions over the period.", unit="dimensionless", default=1.0,
             source="convention: one session"),
        Spec("quality", "Video quality.", kind="choice", choices=tuple(CALL_BITRATES), default="sd",
             source=f"{IMPACT_CO2}: 'visio . qualité' = SD; rates audio 168/1024, SD 0.7, HD 3, ultra HD 7 GB/h"),
        Spec("device", "Device each participant uses.", kind="choice", choices=DEVICES, default="laptop",
             source=f"{IMPACT_CO2}: 'visio . appareil' = 100 % laptop"),
        NETWORK_MIX,
        ZONE,
        NETWORK_ZONE,
        PLATFORM_ENERGY_PER_GB,
        PLATFORM_SERVERS_PER_HOUR,
        DATACENTRE_ZONE,
    )

    def audience_amount(self) -> float:
        return self.participants * self.sessions

    def build(self, bill: BillBuilder) -> None:
        bill.let("hours", "duration * sessions", "hour")
        bill.bind("bitrate", CALL_BITRATES[self.quality], "GB / hour",
                  f"by quality ({self.quality}): {IMPACT_CO2} 'visio . qualité'")
        # As in Impact CO2, the platform side counts one stream, not one per participant.
        add_platform(bill, self.datacentre_zone, "hours * bitrate", "platform", hours="hours")
        add_network(bill, "hours * bitrate * participants", self.network_zone, "network")
        add_devices(bill, "hours * participants", self.zone, "viewing_device", device=self.device)
