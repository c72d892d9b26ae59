"""Social networks: a post seen in feeds, and an account publishing posts over a year.

What a post costs is driven by its impressions: the time each impression holds attention on a device, the
media it sends (a text post too: its text and markup), and the platform's data centres serving it. No open
source gives social platforms' own data-centre energy per impression; the large-platform figures of ADEME's
Impact CO2 (derived from Netflix) stand in, per GB served, as a declared proxy, in the zone of the platforms'
European data centres.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .base import BillBuilder, Service
from .common import (
    INTERNET_TIME_MIX,
    INTERNET_TIME_SOURCE,
    NETWORK_MIX,
    NETWORK_ZONE,
    PLATFORM_DATACENTRE_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_GB,
    ZONE,
    add_devices,
    add_network,
    add_platform,
    device_mix,
    term,
)
from .parameters import ParameterError, Spec
from .video import BITRATE_SOURCES, BITRATES

__all__ = [
    "ATTENTION",
    "FORMATS",
    "IMAGE_SIZE",
    "PLATFORMS",
    "TEXT_SIZE",
    "VIDEO_FORMATS",
    "SocialAccount",
    "SocialPost",
]

PLATFORMS = ("facebook", "instagram", "x", "linkedin", "tiktok", "youtube", "mastodon", "other")
FORMATS = ("text", "image", "carousel", "video", "story", "reel")
VIDEO_FORMATS = ("video", "story", "reel")
#: Attention per impression (s): Facebook IQ (2016, via Adweek) 1.7 s per feed item on mobile; Facebook
#: figures reported by Axios (2017): autoplay videos watched 16.7 s on average.
ATTENTION: dict[str, float] = {"text": 1.7, "image": 1.7, "carousel": 1.7, "video": 16.7, "story": 16.7, "reel": 16.7}
_ATTENTION_SOURCE = ("Facebook IQ (2016, via Adweek): 1.7 s per feed item on mobile (text, image, carousel); "
                     "Facebook (2017, via Axios): autoplay videos watched 16.7 s on average (video, story, reel)")

#: Average image of a web page (MB): 1,054 KB of images over 18 image requests on the median desktop page.
IMAGE_SIZE = 1.054 / 18
_IMAGE_SOURCE = ("HTTP Archive Web Almanac 2024, Page Weight: median desktop page carries 1,054 KB of images in 18 "
                 "requests, i.e. 58.6 KB per image (derived, low confidence for social images); carousels need a "
                 "size")
#: Data a text post sends per impression (MB): the HTML of the median web page, 18 KB (desktop).
TEXT_SIZE = 0.018
_TEXT_SOURCE = ("HTTP Archive Web Almanac 2024, Page Weight: the median desktop page's HTML weighs 18 KB, taken for "
                "a text post's text, markup and metadata (a proxy: no platform publishes its feed payload)")

_SHARED = (
    Spec("platform", "The social network (recorded; no open per-platform data-centre figure exists).",
         kind="choice", choices=PLATFORMS, default="other", source="convention"),
    Spec("attention_time", "Time an impression holds attention; by default from the format.", unit="second",
         default=None, uncertainty="lognormal gsd=2", source=_ATTENTION_SOURCE),
    Spec("video_resolution", "Resolution of video formats in feeds.", kind="choice", choices=tuple(BITRATES),
         default="720p", source="convention: feeds play below full HD on phones"),
    Spec("text_size", "Data a text post sends per impression (text, markup, metadata).", unit="MB",
         default=TEXT_SIZE, uncertainty="lognormal gsd=3", source=_TEXT_SOURCE),
    device_mix(INTERNET_TIME_MIX, INTERNET_TIME_SOURCE, "scrolling"),
    NETWORK_MIX,
    ZONE,
    NETWORK_ZONE,
    PLATFORM_ENERGY_PER_GB,
    PLATFORM_SERVERS_PER_GB,
    PLATFORM_DATACENTRE_ZONE,
)


def _add_impressions(service: Service, bill: BillBuilder, impressions: str, fmt: str, media: str,
                     suffix: str = "") -> None:
    """Lines for ``impressions`` (a formula over the bill's names) of a post of format ``fmt``; ``media``
    names the parameter holding the media size in MB (needed for images and carousels); ``suffix`` tells
    apart the values of each format of an account."""
    attention = "attention_time"
    if service.attention_time is None:
        attention += suffix
        bill.bind(attention, ATTENTION[fmt], "second", f"by format ({fmt}): {_ATTENTION_SOURCE}")
    if fmt in VIDEO_FORMATS:
        bill.bind(f"bitrate{suffix}", BITRATES[service.video_resolution], "GB / hour",
                  f"by video_resolution ({service.video_resolution}): {BITRATE_SOURCES}")
        data = f"{term(impressions)} * {attention} / 3600 * bitrate{suffix}"
    elif fmt == "text":
        data = f"{term(impressions)} * text_size / 1000"
    else:
        if service.values[media] is None and fmt == "image":
            bill.bind(media, IMAGE_SIZE, "MB", f"default for an image: {_IMAGE_SOURCE}")
        elif service.values[media] is None:
            raise ParameterError(f"{service.name}: give {media}, the size of the {fmt} media as published "
                                 "(e.g. 300 kB): there is no open default for it")
        data = f"{term(impressions)} * {media} / 1000"
    bill.let(f"gigabytes{suffix}", data, "GB")
    add_platform(bill, service.datacentre_zone, f"gigabytes{suffix}", "platform")
    add_network(bill, f"gigabytes{suffix}", service.network_zone, "network")
    add_devices(bill, f"{term(impressions)} * {attention} / 3600", service.zone, "viewing_device")


class SocialPost(Service):
    """One post. Audience: impressions (give them, or reach and frequency)."""

    kind = "social_post"
    audience_unit = "impression"
    vectorised = True
    parameters = (
        Spec("format", "Format of the post.", kind="choice", choices=FORMATS),
        Spec("impressions", "Times the post was displayed.", unit="impression", default=None,
             source="give impressions, or reach and frequency"),
        Spec("reach", "People who saw the post at least once.", unit="impression", default=None,
             source="give impressions, or reach and frequency"),
        Spec("frequency", "Average impressions per person reached.", unit="dimensionless", default=1.0, minimum=1.0,
             source="convention: one impression per person reached"),
        Spec("media_size", "Size of the media as published (all images of a carousel); for an image post, by "
             "default the average image of a web page.", unit="MB", default=None, source=_IMAGE_SOURCE),
        *_SHARED,
    )

    def check(self) -> None:
        if (self.impressions is None) == (self.reach is None):
            raise ParameterError(f"{self.name}: give either impressions or reach (with frequency), not both or none")

    def audience_amount(self) -> float:
        return self.impressions if self.impressions is not None else self.reach * self.frequency

    def build(self, bill: BillBuilder) -> None:
        impressions = "impressions" if self.impressions is not None else "reach * frequency"
        _add_impressions(self, bill, impressions, self.format, "media_size")


class SocialAccount(Service):
    """An account's posting over a year: posts × impressions per post, by format. "Publish 30 % fewer posts"
    is ``posts`` × 0.7. Audience: impressions."""

    kind = "social_account"
    audience_unit = "impression"
    vectorised = True
    parameters = (
        Spec("posts", "Posts published over the period.", unit="dimensionless"),
        Spec("impressions_per_post", "Average impressions per post.", unit="impression"),
        Spec("format_mix", "Share of posts in each format.", kind="mix", keys=FORMATS, default={"image": 1.0},
             source="convention: image posts"),
        Spec("image_size", "Size of the media of an image or carousel post as published; for image posts, by "
             "default the average image of a web page.", unit="MB", default=None, source=_IMAGE_SOURCE),
        *_SHARED,
    )

    def audience_amount(self) -> float:
        return self.posts * self.impressions_per_post

    def build(self, bill: BillBuilder) -> None:
        formats: Mapping[str, float] = self.format_mix
        for fmt, share in formats.items():
            if np.any(share > 0):  # services billed together have the same shares at 0 (stacking)
                bill.let(f"impressions.{fmt}", f"posts * impressions_per_post * format_mix.{fmt}", "impression")
                _add_impressions(self, bill, f"impressions.{fmt}", fmt, "image_size", f".{fmt}")
