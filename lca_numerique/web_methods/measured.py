"""Measured pages: page weight, HTTP requests and DOM size read from what browsers and CI tools export.

* A **HAR** file (HTTP Archive, exported from any browser's developer tools or by a crawler) lists every request
  of one or more pages. A page's weight is the bytes transferred over the network for all its requests
  (Chromium's ``_transferSize`` where present, else headers plus body as sent); its requests are the entries
  that belong to it (``pageref``). A HAR holds no DOM, so ``dom_nodes`` stays unknown.
* A **Lighthouse** JSON report (Chrome DevTools, PageSpeed Insights, ``lighthouse --output json``) gives the
  page's total byte weight, its network requests and its DOM size in the audits ``total-byte-weight``,
  ``network-requests`` and ``dom-size``.

:meth:`PageMeasure.website_parameters` turns a measure into :class:`~lca_numerique.services.Website` parameters,
so a measured page replaces the default page weight (and feeds EcoIndex where the DOM size is known).
Every problem is an :class:`~lca_numerique.errors.InputError` naming the file and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem

__all__ = ["PageMeasure", "page_from_lighthouse", "pages_from_har"]

#: Files larger than this are refused before parsing (a HAR of a heavy page is a few MB).
MAX_BYTES = 200_000_000


@dataclass(frozen=True)
class PageMeasure:
    """One measured page: ``transfer_bytes`` over the network without cache, ``requests``, and ``dom_nodes``
    (None when the source does not give it)."""

    url: str
    transfer_bytes: float
    requests: int
    dom_nodes: int | None = None
    source: str = ""

    def website_parameters(self) -> dict[str, Any]:
        """``page_weight`` (MB, decimal), ``requests`` and, when known, ``dom_nodes``, for ``Website(...)``."""
        parameters: dict[str, Any] = {"page_weight": self.transfer_bytes / 1e6, "requests": float(self.requests)}
        if self.dom_nodes is not None:
            parameters["dom_nodes"] = float(self.dom_nodes)
        return parameters


def _read_json(path: str | Path) -> Any:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise InputError([Problem(str(file), 0, 0, "", f"larger than {MAX_BYTES // 1_000_000} MB")])
        return json.loads(file.read_text(encoding="utf-8-sig"))
    except InputError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(file), 0, 0, "", f"cannot be read: {exc.__class__.__name__}")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(file), exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]) from None


def _field(data: Any, path: tuple[str | int, ...], file: str) -> Any:
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            where = ".".join(str(k) for k in path)
            raise InputError([Problem(file, 0, 0, where, "missing: is this the expected kind of file?")]) from None
    return node


def _bytes(value: Any, file: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InputError([Problem(file, 0, 0, where, f"expected a number of bytes >= 0, got {value!r}")])
    return float(value)


def pages_from_har(path: str | Path) -> list[PageMeasure]:
    """Every page of a HAR file, in the file's order, with its transferred bytes and requests."""
    file = str(path)
    data = _read_json(path)
    entries = _field(data, ("log", "entries"), file)
    if not isinstance(entries, list):
        raise InputError([Problem(file, 0, 0, "log.entries", "expected a list of requests")])
    pages = data["log"].get("pages") or [{"id": None, "title": ""}]
    if not isinstance(pages, list) or not all(isinstance(p, dict) for p in pages):
        raise InputError([Problem(file, 0, 0, "log.pages", "expected a list of pages")])
    totals: dict[Any, list[float]] = {page.get("id"): [0.0, 0] for page in pages}
    for i, entry in enumerate(entries):
        where = f"log.entries[{i}].response"
        response = _field(entry, ("response",), file)
        if not isinstance(response, dict):
            raise InputError([Problem(file, 0, 0, where, "expected a response object")])
        if "_transferSize" in response:
            size = _bytes(response["_transferSize"], file, f"{where}._transferSize")
        else:  # HAR 1.2: -1 means unknown; an unknown body counts as its decoded size
            headers = response.get("headersSize", -1)
            body = response.get("bodySize", -1)
            if not isinstance(body, (int, float)) or body < 0:
                body = response.get("content", {}).get("size", 0)
            size = (headers if isinstance(headers, (int, float)) and headers > 0 else 0) + \
                _bytes(body, file, f"{where}.bodySize")
        page = entry.get("pageref") if len(pages) > 1 or pages[0].get("id") is not None else None
        if page not in totals:
            raise InputError([Problem(file, 0, 0, f"log.entries[{i}].pageref", f"no page {page!r} in log.pages")])
        totals[page][0] += size
        totals[page][1] += 1
    return [PageMeasure(str(p.get("title") or p.get("id") or file), totals[p.get("id")][0],
                        int(totals[p.get("id")][1]), None, f"HAR {file}") for p in pages]


def page_from_lighthouse(path: str | Path) -> PageMeasure:
    """The page of a Lighthouse JSON report: total byte weight, network requests and DOM size."""
    file = str(path)
    data = _read_json(path)
    audits = _field(data, ("audits",), file)
    weight = _bytes(_field(data, ("audits", "total-byte-weight", "numericValue"), file), file,
                    "audits.total-byte-weight.numericValue")
    requests = _field(data, ("audits", "network-requests", "details", "items"), file)
    if not isinstance(requests, list):
        raise InputError([Problem(file, 0, 0, "audits.network-requests.details.items", "expected a list")])
    dom_audit = audits.get("dom-size") if isinstance(audits, dict) else None
    dom = dom_audit.get("numericValue") if isinstance(dom_audit, dict) else None
    dom_nodes = None if dom is None else int(_bytes(dom, file, "audits.dom-size.numericValue"))
    url = str(data.get("finalDisplayedUrl") or data.get("finalUrl") or data.get("requestedUrl") or file)
    return PageMeasure(url, weight, len(requests), dom_nodes, f"Lighthouse {data.get('lighthouseVersion', '')}")
