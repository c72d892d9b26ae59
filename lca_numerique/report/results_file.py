"""A results file that can be checked: inputs, factor choice, outputs and environment in one JSON document.

``write_results_file`` stores the inventory as data, the full factor choice (profile, parameter overrides,
accepted licences, extra sets) and the content hash of the factor set it gave, the versions of the library
and its dependencies, every result and the labels that say what each number means, and a SHA-256 checksum of
all of it. ``check_results_file`` reads it back, re-runs the assessment with the recorded choice and lists
every difference: a number beyond tolerance, a label (units, kinds, campaigns, provenance, coverage...), the
factor data's hash, the library version (allowed only when asked), or an edit anywhere since it was written
(the checksum; it catches edits, it is not a signature: whoever edits the file can recompute it).

The JSON is always valid: a value that is not covered, or not computable, is ``null``, never ``NaN``.

Format version 3 (what is written), one top-level key per line in sorted order: ``checksum``, ``environment``,
``factor_choice``, ``format`` (``"lca_numerique-results"``), ``format_version`` (3), ``inputs`` (the inventory
as data), ``outputs``, ``overrides``. ``outputs`` holds the labels (``axes``, ``services``, ``kinds``,
``campaigns``, ``tiers``, ``criteria``, ``phases``, ``units``, ``audience_units``, ``provenance``, ``report``),
``audience`` (one number per service) and the cube, nested service × tier × criterion × phase: ``values``
(``null`` where not covered or not computable) and ``coverage`` (one of ``complete``, ``partial``,
``not covered``, ``not computable: audience is zero`` per cell). Everything is written by the standard ``json``
module (sorted keys, no spaces) except the cube, written by orjson from the arrays (numbers as the shortest
text that reads back as the same float64).

The checksum, ``"sha256:"`` and 64 hex digits, is the SHA-256 of the canonical JSON (UTF-8, sorted keys,
separators ``,`` and ``:``, non-ASCII kept, as ``json.dumps(..., sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` writes it) of the document without its checksum, in which ``outputs.values`` and
``outputs.coverage`` are each replaced by ``{"sha256": D, "shape": [services, tiers, criteria, phases]}``, D
the SHA-256 of the cube's cells in C order: ``values`` as little-endian float64 (``null`` as NaN,
``0x7ff8000000000000``), ``coverage`` as one byte per cell, the label's index in
:data:`~lca_numerique.results.COVERAGE_LABELS` (0 complete, 1 partial, 2 not covered, 3 not computable).
Taken over the numbers rather than their text, it holds for any text that reads as the same document, and is
checked without encoding the cube again: ``check`` reads the file with msgspec, keeps the cube as text,
compares it byte for byte with the re-run's cube encoded as the writer does, and parses it (into arrays) only
where they differ. Version 2 (a checksum of the canonical JSON text of the whole document, numbers as
Python's ``json`` writes them, stored last) and version 1 (no checksum, no factor choice) are still checked.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec
import numpy as np
import orjson

from .._version import __version__
from ..errors import LcaError
from ..results import COVERAGE_LABELS
from .atomic import open_atomic
from .factor_choice import CODE_SET, IN_CODE, FactorChoice

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory
    from ..results import Results

__all__ = [
    "CUBE",
    "FORMAT",
    "FORMAT_VERSION",
    "NUMBERS",
    "RTOL",
    "CheckReport",
    "ResultsFileError",
    "check_results_file",
    "environment",
    "is_results_file",
    "outputs_of",
    "results_document",
    "write_results_file",
]

FORMAT = "lca_numerique-results"
FORMAT_VERSION = 3
#: Versions this library checks (see the module's docstring).
VERSIONS = (1, 2, FORMAT_VERSION)
RTOL = 1e-9
#: Cells of the cube encoded at a time (memory stays bounded by a block, not the inventory).
BLOCK_CELLS = 1 << 18
#: Keys of the outputs that hold numbers; every other key is a label, compared exactly.
NUMBERS = ("values", "audience")
#: Keys of the outputs holding the cube, one cell per service, tier, criterion and phase.
CUBE = ("values", "coverage")
#: The digit orjson writes for each coverage code and the JSON text of its label (which holds no digit).
_LABEL_TEXTS = tuple((str(code).encode(), json.dumps(label).encode()) for code, label in enumerate(COVERAGE_LABELS))
_PARTS = msgspec.json.Decoder(dict[str, msgspec.Raw])


class ResultsFileError(LcaError, ValueError):
    """A results file cannot be read: not JSON, not this format, or a part is malformed."""


def environment() -> dict[str, str]:
    """Versions of Python, the library and its dependencies, and the platform."""
    versions = {"python": platform.python_version(), "platform": platform.platform(), "lca_numerique": __version__}
    for package in ("numpy", "pandas", "pint", "PyYAML", "matplotlib", "orjson", "msgspec"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[package] = "absent"
    return versions


def _finite_or_null(values: np.ndarray) -> list[Any]:
    """Nested lists of ``values`` with ``None`` wherever a value is not finite."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, None).tolist()


def outputs_of(results: Results, inventory: Inventory, *, cube: bool = True) -> dict[str, Any]:
    """Every number and every label of a result: not-covered cells are ``None``, with their coverage flags.

    Without ``cube``, ``values`` and ``coverage`` are left to the writer, which encodes them from the arrays a
    block of services at a time."""
    data = results.to_dict(cube=cube)  # values: None where not covered or not finite (a degenerate factor)
    data["audience"] = _finite_or_null(results.audience)
    data["report"] = {"organisation": inventory.organisation, "period": inventory.period,
                      "illustrative": inventory.illustrative,
                      "basis": {name: inventory.basis[name] for name in results.services if inventory.basis.get(name)}}
    return data


def _numbers_text(cells: np.ndarray) -> bytes:
    """JSON text of an array: numbers as the shortest text that reads back the same float64, non-finite null."""
    return orjson.dumps(np.ascontiguousarray(cells), option=orjson.OPT_SERIALIZE_NUMPY)


def _labels_text(codes: np.ndarray) -> bytes:
    """JSON text of coverage codes (one service per row) as their labels. Services share a few patterns (mostly
    all complete): each is encoded once."""
    rows = np.ascontiguousarray(codes, dtype=np.uint8).reshape(len(codes), -1)
    if not rows.shape[1]:  # no cell per service: no pattern to share
        return _numbers_text(codes)
    # each row as one opaque value of its bytes: unique rows sorted by memcmp, not field by field
    _, first, which = np.unique(rows.view(f"V{rows.shape[1]}").ravel(), return_index=True, return_inverse=True)
    texts = []
    for service in first:
        text = _numbers_text(codes[service])
        for digit, label in _LABEL_TEXTS:  # codes are single digits, labels hold none
            text = text.replace(digit, label)
        texts.append(text)
    return b"[" + b",".join([texts[k] for k in which.ravel()]) + b"]"


def _cube_text(cells: np.ndarray, *, labels: bool = False) -> Iterator[bytes]:
    """The JSON text of a cube (float values, or coverage codes written as their ``labels``), a block of services
    at a time."""
    per_service = max(1, int(np.prod(cells.shape[1:])))
    block = max(1, BLOCK_CELLS // per_service)
    yield b"["
    for start in range(0, len(cells), block):
        text = (_labels_text if labels else _numbers_text)(cells[start:start + block])
        yield (b"," if start else b"") + text[1:-1]
    yield b"]"


def _canonical(value: Any) -> str:
    """The JSON text of a value as the checksum reads it: sorted keys, no spaces, no NaN."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _sha256(data: bytes | np.ndarray) -> str:
    """Hex SHA-256 of bytes, or of a C-contiguous array's memory (no copy)."""
    return hashlib.sha256(data).hexdigest()


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` as they read back from the file: NaN (null) wherever not finite."""
    return np.where(np.isfinite(values), values, np.nan)


def _object(texts: dict[str, str]) -> str:
    """The canonical JSON text of a mapping from the canonical texts of its values."""
    return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{text}" for key, text in sorted(texts.items())) + "}"


def _texts(mapping: dict[str, Any], leave: tuple[str, ...]) -> dict[str, str]:
    """The canonical text of each value of ``mapping`` but those of the keys ``leave``."""
    return {key: _canonical(value) for key, value in mapping.items() if key not in leave}


def _seal(texts: dict[str, str], outputs: dict[str, str], values: np.ndarray | None, codes: np.ndarray | None) -> str:
    """The version 3 checksum from the canonical texts of the document's parts but its checksum and outputs,
    those of the outputs but the cube, and the cube's arrays (``None`` where the file has no readable cube): see
    the module's docstring."""
    outputs = dict(outputs)
    for key, cells, dtype in (("values", values, "<f8"), ("coverage", codes, "u1")):
        if cells is not None:
            cells = np.where(np.isnan(cells), np.nan, cells) if key == "values" else cells  # one NaN: null
            outputs[key] = _canonical({"sha256": _sha256(np.ascontiguousarray(cells, dtype=dtype)),
                                       "shape": list(cells.shape)})
    return "sha256:" + _sha256(_object({**texts, "outputs": _object(outputs)}).encode("utf-8"))


def _sealed(document: dict[str, Any], values: np.ndarray | None, codes: np.ndarray | None) -> str:
    """The version 3 checksum of ``document`` (its checksum and cube ignored) with the cube's arrays."""
    return _seal(_texts(document, ("checksum", "outputs")), _texts(document["outputs"], CUBE), values, codes)


def _document(results: Results, inventory: Inventory, choice: FactorChoice | None, *, cube: bool) -> dict[str, Any]:
    """The results file's content without its checksum (the cube left to the writer unless ``cube``)."""
    choice = choice or FactorChoice.of(inventory)
    factors = choice.load()
    in_code = CODE_SET in results.selection.values()  # FactorSet.override: disclosed, cannot be re-run
    if factors.content_hash != results.provenance.get("factor_set_hash") and not in_code:
        raise ValueError(f"the results were computed with factors other than the recorded choice "
                         f"({choice.to_data()}, factor set {factors.label}): pass the factor choice used")
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "inputs": inventory.to_data(),
            "factor_choice": choice.to_data(),
            "overrides": choice.overrides_table(results.selection).to_dict(orient="records"),
            "environment": environment(), "outputs": outputs_of(results, inventory, cube=cube)}


def results_document(results: Results, inventory: Inventory, choice: FactorChoice | None = None) -> dict[str, Any]:
    """The results file's content as plain data. ``choice`` (default: the inventory's own) must be the factor
    choice ``results`` were computed with: a mismatch raises ``ValueError`` rather than write a file that
    ``check`` would reject."""
    document = _document(results, inventory, choice, cube=True)
    document["checksum"] = _sealed(document, _finite(results.values), results.coverage_codes)
    return document


def write_results_file(path: str | Path, results: Results, inventory: Inventory,
                       choice: FactorChoice | None = None) -> Path:
    """Write the JSON results file (atomically, never through a symbolic link); return its path.

    One top-level key per line in sorted order; the cube is encoded by orjson from the arrays a block of
    services at a time, so memory does not grow with it, and the checksum is taken over the arrays (no text
    of 20 million numbers is encoded twice)."""
    document = _document(results, inventory, choice, cube=False)
    codes = results.coverage_codes
    texts, outputs = _texts(document, ("outputs",)), _texts(document["outputs"], ())
    texts["checksum"] = json.dumps(_seal(texts, outputs, _finite(results.values), codes))
    cube = {"values": (results.values, False), "coverage": (codes, True)}
    with open_atomic(path) as stream:
        stream.write("{\n")
        for i, key in enumerate(sorted([*texts, "outputs"])):
            stream.write((",\n" if i else "") + json.dumps(key) + ":")
            if key != "outputs":
                stream.write(texts[key])
                continue
            for j, name in enumerate(sorted([*outputs, *cube])):
                stream.write(("," if j else "{") + json.dumps(name) + ":")
                if name in cube:
                    cells, labels = cube[name]
                    for chunk in _cube_text(cells, labels=labels):
                        stream.write(chunk.decode("ascii"))
                else:
                    stream.write(outputs[name])
            stream.write("}")
        stream.write("\n}\n")
    return Path(path)


@dataclass
class CheckReport:
    """What re-running a results file found."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every number and label matched."""
        return not self.differences


def is_results_file(path: str | Path) -> bool:
    """True if ``path`` looks like a results file (a ``.json`` file with our format marker)."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        marker = _PARTS.decode(path.read_bytes()).get("format")
        return marker is not None and msgspec.json.decode(marker) == FORMAT
    except (OSError, msgspec.MsgspecError):
        return False


@dataclass
class _File:
    """A results file as read: its bytes, its top-level parts as text, and those decoded but the cube's."""

    data: bytes
    parts: dict[str, msgspec.Raw]
    document: dict[str, Any]  # outputs without the cube
    cube: dict[str, msgspec.Raw]  # the text of outputs.values and outputs.coverage (those present)

    @property
    def version(self) -> int:
        return self.document["format_version"]


def _not_json(path: Path, data: bytes, exc: msgspec.MsgspecError) -> ResultsFileError:
    """The error for a file that is not valid JSON, at the line and column msgspec found (byte offset)."""
    message = str(exc)
    found = re.search(r"\(byte (\d+)\)$", message)
    if found is not None:
        offset, message = int(found[1]), message[:found.start()].strip()
    elif message == "Input data was truncated":
        offset = len(data)
    else:  # invalid UTF-8 in a key: msgspec gives no place
        return ResultsFileError(f"{path}: not valid JSON: {message}")
    line, column = data.count(b"\n", 0, offset) + 1, offset - data.rfind(b"\n", 0, offset)
    return ResultsFileError(f"{path}:{line}:{column}: not valid JSON: {message}")


def _decoded(path: Path, key: str, text: msgspec.Raw) -> Any:
    """A part of a results file as data; ResultsFileError naming the part if it cannot be (a number beyond
    float64, invalid UTF-8)."""
    try:
        return msgspec.json.decode(text)
    except msgspec.MsgspecError as exc:
        raise ResultsFileError(f"{path}: '{key}' cannot be read: {exc}") from None


def _read(path: Path) -> _File:
    """Read a results file: JSON checked whole, every part but the cube decoded. Raises ResultsFileError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ResultsFileError(f"{path}: cannot be read: {exc}") from None
    try:
        parts = _PARTS.decode(data)
    except msgspec.ValidationError:  # valid JSON, not an object
        parts = {}
    except msgspec.DecodeError as exc:
        raise _not_json(path, data, exc) from None
    marker, version = (_decoded(path, key, parts[key]) if key in parts else None
                       for key in ("format", "format_version"))
    if marker != FORMAT:
        raise ResultsFileError(f"{path}: not an lca_numerique results file (no format marker {FORMAT!r})")
    if version not in VERSIONS or isinstance(version, bool):
        raise ResultsFileError(f"{path}: format_version {version!r} is not one this library reads "
                               f"({', '.join(map(str, VERSIONS))})")
    document = {key: _decoded(path, key, text) for key, text in parts.items() if key != "outputs"}
    try:
        outputs = _PARTS.decode(parts["outputs"]) if "outputs" in parts else None
    except msgspec.ValidationError:  # not an object
        outputs = None
    except msgspec.DecodeError as exc:  # invalid UTF-8 in a key
        raise ResultsFileError(f"{path}: 'outputs' cannot be read: {exc}") from None
    for key, part in (("inputs", document.get("inputs")), ("outputs", outputs)):
        if not isinstance(part, dict):
            raise ResultsFileError(f"{path}: '{key}' is missing or not a mapping")
    document["outputs"] = {key: _decoded(path, f"outputs.{key}", text) for key, text in outputs.items()
                           if key not in CUBE}
    return _File(data, parts, document, {key: outputs[key] for key in CUBE if key in outputs})


@functools.cache
def _cube_decoder(item: Any, depth: int) -> msgspec.json.Decoder:
    """A decoder of ``depth`` nested lists of ``item``, which says where a cell is not one."""
    kind = item
    for _ in range(depth):
        kind = list[kind]
    return msgspec.json.Decoder(kind)


def _same_text(text: msgspec.Raw, chunks: Iterator[bytes]) -> bool:
    """``text`` is exactly the concatenation of ``chunks`` (compared a block at a time)."""
    view, start = memoryview(text), 0
    for chunk in chunks:
        if view[start:start + len(chunk)].tobytes() != chunk:  # bytes compare with memcmp, a memoryview per item
            return False
        start += len(chunk)
    return start == len(view)


def _stored_values(text: msgspec.Raw | None, fresh: np.ndarray) -> np.ndarray | str:
    """The file's ``values`` as floats (null as NaN), or why they are not an array of numbers: ``fresh`` itself
    (the re-run's, non-finite as NaN) when the file has its text."""
    if text is None:
        return "missing"
    if _same_text(text, _cube_text(fresh)):  # the re-run's cells written as the writer does: equal numbers
        return fresh
    try:
        return np.array(_cube_decoder(float | None, fresh.ndim).decode(text), dtype=float)
    except (msgspec.MsgspecError, ValueError) as exc:  # not numbers (located), or ragged
        return str(exc)


def _stored_codes(text: msgspec.Raw | None, fresh: np.ndarray) -> np.ndarray | str:
    """The file's ``coverage`` as codes into COVERAGE_LABELS, or why it is not an array of those labels."""
    if text is None:
        return "missing"
    if _same_text(text, _cube_text(fresh, labels=True)):
        return fresh
    try:
        words = np.array(_cube_decoder(Literal[COVERAGE_LABELS], fresh.ndim).decode(text), dtype=object)
    except (msgspec.MsgspecError, ValueError) as exc:  # a cell that is not a coverage label (located), or ragged
        return str(exc)
    codes = np.full(words.shape, -1, dtype=np.int8)
    for code, label in enumerate(COVERAGE_LABELS):
        codes[words == label] = code
    return codes if (codes >= 0).all() else "lists of unequal lengths"


def _text_checksum(file: _File) -> str | None:
    """The version 2 checksum: SHA-256 of the canonical JSON text of the whole document but its checksum. The
    parts of a file as version 2 wrote it are that text already; any other text is decoded and encoded again."""
    keys = sorted(key for key in file.parts if key != "checksum")
    written = b"{" + b",".join(json.dumps(key, ensure_ascii=False).encode("utf-8") + b":" + bytes(file.parts[key])
                               for key in keys) + b"}"
    if "sha256:" + _sha256(written) == file.document.get("checksum"):
        return file.document["checksum"]
    try:
        document = msgspec.json.decode(file.data)
    except msgspec.MsgspecError:  # a number beyond float64 in the cube: no checksum of the text can match
        return None
    return "sha256:" + _sha256(_canonical({k: v for k, v in document.items() if k != "checksum"}).encode("utf-8"))


def check_results_file(path: str | Path, rtol: float = RTOL, *, allow_version_change: bool = False) -> CheckReport:
    """Re-run the assessment a results file records and compare every number (relative tolerance ``rtol``)
    and every label. A different library version is a difference unless ``allow_version_change``, which the
    report's notes then record. Raises :class:`ResultsFileError` when the file cannot be read as one."""
    from ..inventory.model import inventory_from_data
    from ..inventory.yaml_source import Located

    path = Path(path)
    file = _read(path)
    document = file.document
    report = CheckReport()
    inventory = inventory_from_data(Located(document["inputs"], {}, str(path)))
    try:
        choice = (FactorChoice.from_data(document["factor_choice"]) if "factor_choice" in document
                  else FactorChoice.of(inventory))
    except (TypeError, ValueError) as exc:
        raise ResultsFileError(f"{path}: {exc}") from None
    factors = choice.load(base=path.parent)  # relative paths from the file's folder, as its inputs' are
    results = inventory.evaluate(factors)
    fresh, codes, cells = outputs_of(results, inventory, cube=False), results.coverage_codes, _finite(results.values)
    values = _stored_values(file.cube.get("values"), cells)
    coverage = _stored_codes(file.cube.get("coverage"), codes)
    if file.version == 1:
        report.notes.append("format version 1: no checksum and no factor choice recorded (the inventory's is used)")
    elif document.get("checksum") != (_text_checksum(file) if file.version == 2 else _sealed(
            document, *(None if isinstance(a, str) else a for a in (values, coverage)))):
        report.differences.append("the file was edited after it was written (its checksum does not match)")
    stored = document["outputs"] if file.version != 1 else {**document["outputs"], "report": fresh["report"]}
    then = stored.get("provenance") if isinstance(stored.get("provenance"), dict) else {}
    now = fresh["provenance"]
    if then.get("library_version") != now["library_version"]:
        change = f"library version {then.get('library_version')} then, {now['library_version']} now"
        if allow_version_change:
            report.notes.append(f"{change}: accepted (--allow-version-change)")
        else:
            report.differences.append(f"{change} (pass --allow-version-change to compare the numbers anyway)")
    if then.get("factor_set_hash") != now["factor_set_hash"]:
        report.differences.append(f"the factor data differ from the file's (content hash {then.get('factor_set_hash')}"
                                  f" then, {now['factor_set_hash']} now)")
    _compare_labels(stored, fresh, report)
    _compare_cells("coverage", coverage, codes, fresh, report)
    _compare_cells("values", values, cells, fresh, report, rtol)
    _compare_cells("audience", _as_floats(stored.get("audience")), _as_floats(fresh["audience"]), fresh, report, rtol)
    overrides = document.get("overrides") or []
    in_code = [row.get("name") for row in overrides if isinstance(row, dict) and row.get("what") == IN_CODE]
    if in_code:
        report.differences.append(f"factors given in code ({', '.join(map(str, in_code))}) cannot be re-run from "
                                  "the file: its numbers are not reproducible")
    elif file.version != 1 and overrides != choice.overrides_table().to_dict("records"):
        report.differences.append("the overrides listed differ from the recorded factor choice")
    return report


def _compare_labels(stored: dict[str, Any], fresh: dict[str, Any], report: CheckReport) -> None:
    """Every non-numeric part of the outputs but the cube must equal the re-run's (provenance but the library
    version)."""
    for key in sorted(set(stored) | set(fresh)):
        if key in NUMBERS or key in CUBE:
            continue
        old, new = stored.get(key), fresh.get(key)
        if key == "provenance" and isinstance(old, dict):
            old = {k: v for k, v in old.items() if k not in ("library_version", "numpy_version", "factor_set_hash")}
            new = {k: v for k, v in new.items() if k not in ("library_version", "numpy_version", "factor_set_hash")}
        if old != new:
            report.differences.append(f"{key}: file has {_short(old)}, re-run gives {_short(new)}")


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _as_floats(data: Any) -> np.ndarray | str:
    """Nested lists of numbers and nulls as a float array (null as NaN), or why they are not."""
    array = np.asarray(data, dtype=object)
    try:
        return np.where(np.equal(array, None), np.nan, array).astype(float)
    except (TypeError, ValueError) as exc:
        return str(exc)


def _compare_cells(key: str, old: np.ndarray | str, new: np.ndarray, fresh: dict[str, Any], report: CheckReport,
                   rtol: float | None = None) -> None:
    """Every cell of ``key`` in the file must be the re-run's: numbers within ``rtol`` (relative), or coverage
    codes (``rtol`` None) exactly. The first 20 differences are named by their labels."""
    if isinstance(old, str):
        report.differences.append(f"{key}: not an array of {'coverage labels' if rtol is None else 'numbers'} ({old})")
        return
    if old.shape != new.shape:
        report.differences.append(f"{key}: shape {old.shape} in the file, {new.shape} re-run")
        return
    if old is new:  # the file holds the re-run's text
        return
    bad = np.argwhere(old != new if rtol is None else ~np.isclose(old, new, rtol=rtol, atol=0.0, equal_nan=True))
    for index in map(tuple, bad[:20]):
        if rtol is None:
            report.differences.append(f"{key}: file has {COVERAGE_LABELS[old[index]]!r}, re-run gives "
                                      f"{COVERAGE_LABELS[new[index]]!r} at {_labels(fresh, 'values', index)}")
        else:
            report.differences.append(f"{key}[{_labels(fresh, key, index)}]: file {float(old[index])!r}, "
                                      f"re-run {float(new[index])!r}")
    if len(bad) > 20:
        report.differences.append(f"... and {len(bad) - 20} more differences in {key}")


def _labels(document: dict[str, Any], key: str, index: tuple[int, ...]) -> str:
    if key == "audience":
        return document["services"][index[0]]
    axes = ("services", "tiers", "criteria", "phases")
    return ", ".join(document[a][i] for a, i in zip(axes, index, strict=True))
