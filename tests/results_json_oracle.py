"""The results file's checksum computed from its documented definition (the docstring of
lca_numerique/report/results_file.py) with hashlib, json and numpy only: no code of the library. A careful
forger computes it the same way, so tests that "reseal" an edited file prove the re-run, not the checksum,
finds the edit."""

from __future__ import annotations

import hashlib
import json

import numpy as np

#: The coverage codes of format version 3, written out from the documented definition.
CODES = {"complete": 0, "partial": 1, "not covered": 2, "not computable: audience is zero": 3}


def canonical(value: object) -> bytes:
    """Sorted keys, no spaces, non-ASCII kept, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def checksum(document: dict) -> str:
    """The checksum the document's format_version defines: version 2, SHA-256 of the canonical text of the
    whole document but its checksum; version 3, the cube replaced by the SHA-256 of its cells (float64
    little-endian, null as NaN; coverage one byte per cell) and its shape."""
    content = {k: v for k, v in document.items() if k != "checksum"}
    if document["format_version"] == 3:
        outputs = dict(content["outputs"])
        values = np.array(outputs["values"], dtype=float)  # None becomes NaN
        codes = np.vectorize(CODES.__getitem__, otypes=[np.uint8])(np.array(outputs["coverage"], dtype=object))
        for key, cells in (("values", values.astype("<f8")), ("coverage", codes)):
            outputs[key] = {"sha256": hashlib.sha256(cells.tobytes()).hexdigest(), "shape": list(cells.shape)}
        content["outputs"] = outputs
    return "sha256:" + hashlib.sha256(canonical(content)).hexdigest()


def reseal(document: dict) -> dict:
    """The document with its checksum recomputed as a careful forger would. A version 3 cube that is no longer
    an array (a cell deleted) has no checksum of that version: the forger writes version 2, whose checksum
    covers any text."""
    try:
        return {**document, "checksum": checksum(document)}
    except (TypeError, ValueError):  # a ragged cube
        document = {**document, "format_version": 2}
        return {**document, "checksum": checksum(document)}
