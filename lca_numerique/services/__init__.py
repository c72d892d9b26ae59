"""Service models: what an analyst knows about a service, turned into a bill of materials.

One module per kind of service; each declares its parameters with sourced defaults (see ``describe_parameters()``)
and explains its bill line by line (``explain()``).
"""

from .base import BillBuilder, Service
from .custom import Custom
from .download import Download
from .email import Email, Newsletter
from .hosting import Hosting
from .parameters import ParameterError, Spec
from .podcast import Podcast
from .portfolio import Campaign, Portfolio
from .print import Print
from .social import SocialAccount, SocialPost
from .video import Video
from .videocall import VideoCall
from .website import Website

#: Every kind of service, by the name inventories use.
SERVICE_KINDS: dict[str, type[Service]] = {
    cls.kind: cls
    for cls in (Website, Video, SocialPost, SocialAccount, Email, Newsletter, Podcast, VideoCall, Download, Hosting,
                Print, Custom)
}

__all__ = [
    "SERVICE_KINDS", "BillBuilder", "Campaign", "Custom", "Download", "Email", "Hosting", "Newsletter",
    "ParameterError", "Podcast", "Portfolio", "Print", "Service", "SocialAccount", "SocialPost", "Spec", "Video",
    "VideoCall", "Website",
]
