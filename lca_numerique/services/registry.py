"""The kinds of service the library knows, by the name inventories use: the bundled models and those other
packages add.

Another package adds a kind in one of two ways:

* it declares an entry point in the group ``lca_numerique.services`` whose object is its :class:`Service`
  subclass (in ``pyproject.toml``: ``[project.entry-points."lca_numerique.services"]``
  ``parking_sign = "my_package.signs:ParkingSign"``); the entry points are read the first time a kind is looked
  up, so installing the package is enough;
* or it calls :func:`register_service` with the class.

A registered kind is then read from inventories (YAML and the spreadsheet template), described in the JSON
schema, explained and assessed by the command line and shown in reports like a bundled one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

from ..bill import AUDIENCE_DEFINITIONS
from .base import Service
from .custom import Custom
from .download import Download
from .email import Email, Newsletter
from .hosting import Hosting
from .parameters import Spec
from .podcast import Podcast
from .print import Print
from .social import SocialAccount, SocialPost
from .video import Video
from .videocall import VideoCall
from .website import Website

__all__ = ["BUNDLED", "ENTRY_POINT_GROUP", "SERVICE_KINDS", "ServiceKinds", "register_service",
           "unregister_service"]

#: The entry point group other packages declare their service classes in.
ENTRY_POINT_GROUP = "lca_numerique.services"
#: The service models bundled with the library, in the order inventories and the template list them.
BUNDLED: tuple[type[Service], ...] = (Website, Video, SocialPost, SocialAccount, Email, Newsletter, Podcast, VideoCall,
                                      Download, Hosting, Print, Custom)


class ServiceKinds(Mapping[str, type[Service]]):
    """Service classes by kind. Reading it the first time also loads the classes other packages declare as
    entry points (not at import: scanning installed packages costs start-up time that most uses do not need)."""

    def __init__(self, bundled: tuple[type[Service], ...] = ()) -> None:
        self._kinds: dict[str, type[Service]] = {cls.kind: cls for cls in bundled}
        self._discovered = False
        self._lock = threading.Lock()

    def __getitem__(self, kind: str) -> type[Service]:
        return self._all()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"ServiceKinds({', '.join(self)})"

    def _all(self) -> dict[str, type[Service]]:
        if not self._discovered:
            with self._lock:
                if not self._discovered:
                    self._discover()
                    self._discovered = True
        return self._kinds

    def _discover(self) -> None:
        from importlib.metadata import entry_points

        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                cls = entry.load()
            except Exception as exc:
                raise ImportError(f"the service entry point {entry.name} = {entry.value} (group "
                                  f"{ENTRY_POINT_GROUP}) cannot be loaded: {exc}") from exc
            if getattr(cls, "kind", None) in self._kinds and self._kinds[cls.kind] is cls:
                continue
            self._add(cls, f"entry point {entry.name} = {entry.value}")

    def _add(self, cls: type[Service], origin: str) -> None:
        problem = _problem(cls)
        if problem is None and cls.kind in self._kinds and self._kinds[cls.kind] is not cls:
            other = self._kinds[cls.kind]
            problem = f"the kind {cls.kind!r} is already {other.__module__}.{other.__qualname__}"
        if problem:
            raise TypeError(f"cannot register {origin}: {problem}")
        self._kinds[cls.kind] = cls


def _problem(cls: object) -> str | None:
    """Why ``cls`` cannot be a kind of service, or None."""
    if not (isinstance(cls, type) and issubclass(cls, Service)):
        return f"{cls!r} is not a subclass of lca_numerique.services.Service"
    if not isinstance(cls.kind, str) or not cls.kind.isidentifier():
        return f"{cls.__name__}.kind must be a name such as 'parking_sign', got {cls.kind!r}"
    if cls.audience_unit not in AUDIENCE_DEFINITIONS:
        return (f"{cls.__name__}.audience_unit must be one of {', '.join(AUDIENCE_DEFINITIONS)}, "
                f"got {cls.audience_unit!r}")
    if not isinstance(cls.parameters, tuple) or not all(isinstance(s, Spec) for s in cls.parameters):
        return f"{cls.__name__}.parameters must be a tuple of Spec"
    hidden = [name for name in cls.specs() if name == "name" or hasattr(Service, name)]
    if hidden:
        return f"{cls.__name__}: parameter(s) {', '.join(hidden)} would hide an attribute every service has"
    for method in ("audience_amount", "build"):
        if getattr(cls, method) is getattr(Service, method):
            return f"{cls.__name__} must implement {method}()"
    return None


#: Every kind of service, by the name inventories use.
SERVICE_KINDS = ServiceKinds(BUNDLED)


def register_service(cls: type[Service]) -> type[Service]:
    """Add a kind of service (a :class:`Service` subclass with ``kind``, ``audience_unit``, ``parameters``,
    ``audience_amount()`` and ``build()``); returns the class, so it can be used as a decorator.

    Raises TypeError naming what is wrong, or when another class already has that kind. Registering the same
    class twice is harmless.
    """
    SERVICE_KINDS._all()
    SERVICE_KINDS._add(cls, f"{getattr(cls, '__name__', cls)!r}")
    return cls


def unregister_service(kind: str) -> None:
    """Remove a registered kind (a plug-in being reloaded, a test); a bundled kind cannot be removed."""
    if SERVICE_KINDS[kind] in BUNDLED:
        raise ValueError(f"{kind!r} is a bundled kind of service; it cannot be removed")
    del SERVICE_KINDS._kinds[kind]
