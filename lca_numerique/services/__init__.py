"""Service models: what an analyst knows about a service, turned into a bill of materials.

One module per kind of service; each declares its parameters with sourced defaults (see ``describe_parameters()``)
and explains its bill line by line (``explain()``). Other packages add kinds with :func:`register_service` or an
entry point (see :mod:`lca_numerique.services.registry`).

Type checkers read this package's interface from ``__init__.pyi``, generated from the parameters' declarations by
``python -m lca_numerique.services.signatures`` (tests/test_typed_client.py checks it is up to date), so that
``Website(visits=...).visits`` is a ``float`` and a video's ``resolution`` one of its ``Literal`` choices.
"""

from __future__ import annotations

from .base import BillBuilder, Service
from .custom import Custom
from .download import Download
from .email import Email, Newsletter
from .hosting import Hosting
from .parameters import ParameterError, Spec
from .podcast import Podcast
from .portfolio import Campaign, Portfolio
from .print import Print
from .registry import SERVICE_KINDS, register_service, unregister_service
from .social import SocialAccount, SocialPost
from .video import Video
from .videocall import VideoCall
from .website import Website

__all__ = [
    "SERVICE_KINDS", "BillBuilder", "Campaign", "Custom", "Download", "Email", "Hosting", "Newsletter",
    "ParameterError", "Podcast", "Portfolio", "Print", "Service", "SocialAccount", "SocialPost", "Spec", "Video",
    "VideoCall", "Website", "register_service", "unregister_service",
]
