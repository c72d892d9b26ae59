"""A results file that can be checked: inputs, factor choice, outputs and environment in one JSON document.

``write_results_file`` stores the inventory as data, the full factor choice (profile, parameter overrides,
accepted licences, extra sets) and the content hash of the factor set it gave, the versions of the library
and its dependencies, every result and the labels that say what each number means, and a SHA-256 checksum of
all of it. ``check_results_file`` reads it back, re-runs the assessment with the recorded choice and lists
every difference: a number beyond tolerance, a label (units, kinds, campaigns, provenance...), the factor
data's hash, the library version (allowed only when asked), or an edit anywhere since it was written (the
checksum; it catches edits, it is not a signature: whoever edits the file can recompute it).

The JSON is always valid: a value that is not covered, or not computable, is ``null``, never ``NaN``.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .._version import __version__
from ..errors import LcaError
from ..results import COVERAGE_LABELS
from .atomic import open_atomic
from .factor_choice import CODE_SET, IN_CODE, FactorChoice

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory
    from ..results import Results

__all__ = [
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
FORMAT_VERSION = 2
RTOL = 1e-9
#: Cells of the cube encoded at a time when writing (memory stays bounded by a block, not the inventory).
BLOCK_CELLS = 1 << 18
#: Items of a long list encoded at a time when checking (a cube read back from a file).
BLOCK_ITEMS = 1 << 10
#: Keys of the outputs that hold numbers; every other key is a label, compared exactly.
NUMBERS = ("values", "audience")


class ResultsFileError(LcaError, ValueError):
    """A results file cannot be read: not JSON, not this format, or a part is malformed."""


def environment() -> dict[str, str]:
    """Versions of Python, the library and its dependencies, and the platform."""
    versions = {"python": platform.python_version(), "platform": platform.platform(), "lca_numerique": __version__}
    for package in ("numpy", "pandas", "pint", "PyYAML", "matplotlib"):
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

    Without ``cube``, ``values`` and ``coverage`` are left to the writer, which encodes them a block of
    services at a time."""
    data = results.to_dict(cube=cube)  # values: None where not covered or not finite (a degenerate factor)
    data["audience"] = _finite_or_null(results.audience)
    data["report"] = {"organisation": inventory.organisation, "period": inventory.period,
                      "illustrative": inventory.illustrative,
                      "basis": {name: inventory.basis[name] for name in results.services if inventory.basis.get(name)}}
    return data


class _Cube(NamedTuple):
    """``values`` or ``coverage`` of the outputs, encoded when written (never whole in memory)."""

    results: Results
    part: str  # "values" or "coverage"

    def chunks(self) -> Iterator[str]:
        """The canonical JSON text of the nested list (as ``Results.to_dict`` gives it), a block of services at
        a time."""
        cells = max(1, int(np.prod(self.results.values.shape[1:])))
        block = max(1, BLOCK_CELLS // cells)
        labels = np.asarray(COVERAGE_LABELS, dtype=object)
        yield "["
        for start in range(0, len(self.results.services), block):
            if self.part == "values":
                # numbers only: json writes a non-finite one as NaN, Infinity or -Infinity, which become null
                text = json.dumps(self.results.values[start:start + block].tolist(), separators=(",", ":"))
                text = text.replace("-Infinity", "null").replace("Infinity", "null").replace("NaN", "null")
            else:  # services repeat a few coverage patterns (mostly all complete): each encoded once
                codes = self.results.coverage_codes[start:start + block]
                patterns, which = np.unique(codes.reshape(len(codes), -1), axis=0, return_inverse=True)
                texts = np.array([_canonical(labels[p.reshape(codes.shape[1:])].tolist()) for p in patterns],
                                 dtype=object)
                text = "[" + ",".join(texts[which.ravel()]) + "]"
            yield ("," if start else "") + text[1:-1]
        yield "]"


def _canonical(value: Any) -> str:
    """The JSON text of a value as the checksum reads it: sorted keys, no spaces, no NaN."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _chunks(value: Any) -> Iterator[str]:
    """The canonical JSON text of ``value`` in pieces (a mapping holding a :class:`_Cube` key by key)."""
    if isinstance(value, _Cube):
        yield from value.chunks()
    elif isinstance(value, dict) and any(isinstance(v, _Cube | dict) for v in value.values()):
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield ("," if i else "") + json.dumps(key, ensure_ascii=False) + ":"
            yield from _chunks(value[key])
        yield "}"
    elif isinstance(value, list) and len(value) > BLOCK_ITEMS:  # a cube read back: encoded in blocks too
        yield "["
        for start in range(0, len(value), BLOCK_ITEMS):
            yield ("," if start else "") + _canonical(value[start:start + BLOCK_ITEMS])[1:-1]
        yield "]"
    else:
        yield _canonical(value)


def _checksum(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``document`` without its checksum (sorted keys, no spaces)."""
    digest = hashlib.sha256()
    for chunk in _chunks({k: v for k, v in document.items() if k != "checksum"}):
        digest.update(chunk.encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def _document(results: Results, inventory: Inventory, choice: FactorChoice | None, *, cube: bool) -> dict[str, Any]:
    """The results file's content without its checksum (the cube left to the writer unless ``cube``)."""
    choice = choice or FactorChoice.of(inventory)
    factors = choice.load()
    in_code = CODE_SET in results.selection.values()  # FactorSet.override: disclosed, cannot be re-run
    if factors.content_hash != results.provenance.get("factor_set_hash") and not in_code:
        raise ValueError(f"the results were computed with factors other than the recorded choice "
                         f"({choice.to_data()}, factor set {factors.label}): pass the factor choice used")
    outputs = outputs_of(results, inventory, cube=cube)
    if not cube:
        outputs.update(values=_Cube(results, "values"), coverage=_Cube(results, "coverage"))
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "inputs": inventory.to_data(),
            "factor_choice": choice.to_data(),
            "overrides": choice.overrides_table(results.selection).to_dict(orient="records"),
            "environment": environment(), "outputs": outputs}


def results_document(results: Results, inventory: Inventory, choice: FactorChoice | None = None) -> dict[str, Any]:
    """The results file's content as plain data. ``choice`` (default: the inventory's own) must be the factor
    choice ``results`` were computed with: a mismatch raises ``ValueError`` rather than write a file that
    ``check`` would reject."""
    document = _document(results, inventory, choice, cube=True)
    document["checksum"] = _checksum(document)
    return document


def write_results_file(path: str | Path, results: Results, inventory: Inventory,
                       choice: FactorChoice | None = None) -> Path:
    """Write the JSON results file (atomically, never through a symbolic link); return its path.

    One top-level key per line in sorted order, each value in its canonical text (sorted keys, no spaces), then
    the checksum of that text: the file is encoded once, by json's C encoder, a block of services at a time, so
    memory does not grow with the cube (indenting every number would make json fall back to its pure-Python
    encoder, minutes for 100,000 services)."""
    document = _document(results, inventory, choice, cube=False)
    digest = hashlib.sha256(b"{")
    with open_atomic(path) as stream:
        stream.write("{\n")
        for i, key in enumerate(sorted(document)):
            head = json.dumps(key, ensure_ascii=False) + ":"
            stream.write((",\n" if i else "") + head)
            digest.update((("," if i else "") + head).encode("utf-8"))
            for chunk in _chunks(document[key]):
                stream.write(chunk)
                digest.update(chunk.encode("utf-8"))
        digest.update(b"}")
        stream.write(f',\n"checksum":"sha256:{digest.hexdigest()}"\n}}\n')
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
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsFileError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ResultsFileError(f"{path}: not an lca_numerique results file (no format marker {FORMAT!r})")
    if document.get("format_version") not in (1, FORMAT_VERSION):
        raise ResultsFileError(f"{path}: format_version {document.get('format_version')!r} is not one this "
                               f"library reads (1, {FORMAT_VERSION})")
    for key, kind in (("inputs", dict), ("outputs", dict)):
        if not isinstance(document.get(key), kind):
            raise ResultsFileError(f"{path}: '{key}' is missing or not a mapping")
    return document


def check_results_file(path: str | Path, rtol: float = RTOL, *, allow_version_change: bool = False) -> CheckReport:
    """Re-run the assessment a results file records and compare every number (relative tolerance ``rtol``)
    and every label. A different library version is a difference unless ``allow_version_change``, which the
    report's notes then record. Raises :class:`ResultsFileError` when the file cannot be read as one."""
    from ..inventory.model import inventory_from_data
    from ..inventory.yaml_source import Located

    path = Path(path)
    document = _read(path)
    report = CheckReport()
    if document["format_version"] == 1:
        report.notes.append("format version 1: no checksum and no factor choice recorded (the inventory's is used)")
    elif document.get("checksum") != _checksum(document):
        report.differences.append("the file was edited after it was written (its checksum does not match)")
    inventory = inventory_from_data(Located(document["inputs"], {}, str(path)))
    try:
        choice = (FactorChoice.from_data(document["factor_choice"]) if "factor_choice" in document
                  else FactorChoice.of(inventory))
    except (TypeError, ValueError) as exc:
        raise ResultsFileError(f"{path}: {exc}") from None
    factors = choice.load()
    results = inventory.evaluate(factors)
    # the re-run's cube stays in arrays (nested lists of 20 million numbers and labels would take gigabytes)
    stored, fresh = document["outputs"], outputs_of(results, inventory, cube=False)
    fresh["values"] = np.where(np.isfinite(results.values), results.values, np.nan)  # null in the file
    fresh["coverage"] = np.asarray(COVERAGE_LABELS, dtype=object)[results.coverage_codes]
    if document["format_version"] == 1:
        stored = {**stored, "report": fresh["report"]}
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
    _compare_numbers(stored, fresh, rtol, report)
    overrides = document.get("overrides") or []
    in_code = [row.get("name") for row in overrides if isinstance(row, dict) and row.get("what") == IN_CODE]
    if in_code:
        report.differences.append(f"factors given in code ({', '.join(map(str, in_code))}) cannot be re-run from "
                                  "the file: its numbers are not reproducible")
    elif document["format_version"] != 1 and overrides != choice.overrides_table().to_dict("records"):
        report.differences.append("the overrides listed differ from the recorded factor choice")
    return report


def _compare_labels(stored: dict[str, Any], fresh: dict[str, Any], report: CheckReport) -> None:
    """Every non-numeric part of the outputs must equal the re-run's (provenance but the library version)."""
    for key in sorted(set(stored) | set(fresh)):
        if key in NUMBERS:
            continue
        old, new = stored.get(key), fresh.get(key)
        if key == "provenance" and isinstance(old, dict):
            old = {k: v for k, v in old.items() if k not in ("library_version", "numpy_version", "factor_set_hash")}
            new = {k: v for k, v in new.items() if k not in ("library_version", "numpy_version", "factor_set_hash")}
        if not (_same_labels(old, new) if isinstance(new, np.ndarray) else old == new):
            report.differences.append(f"{key}: file has {_short(old)}, re-run gives {_short(new)}")


def _same_labels(old: Any, new: np.ndarray) -> bool:
    """Nested lists ``old`` (read from a file) hold the labels of array ``new``, in the same shape."""
    array = np.array(old, dtype=object)
    return array.shape == new.shape and bool((array == new).all())


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _as_floats(data: Any) -> np.ndarray:
    """Nested lists of numbers and nulls as a float array (null as NaN); ``ValueError`` if they are not."""
    if isinstance(data, np.ndarray) and data.dtype.kind == "f":
        return data
    array = np.asarray(data, dtype=object)
    try:
        return np.where(np.equal(array, None), np.nan, array).astype(float)
    except TypeError as exc:
        raise ValueError(str(exc)) from None


def _compare_numbers(stored: dict[str, Any], fresh: dict[str, Any], rtol: float, report: CheckReport) -> None:
    for key in NUMBERS:
        try:
            old, new = _as_floats(stored.get(key)), _as_floats(fresh[key])
        except ValueError:
            report.differences.append(f"{key}: not an array of numbers")
            continue
        if old.shape != new.shape:
            report.differences.append(f"{key}: shape {old.shape} in the file, {new.shape} re-run")
            continue
        bad = ~np.isclose(old, new, rtol=rtol, atol=0.0, equal_nan=True)
        for index in np.argwhere(bad)[:20]:
            labels = _labels(fresh, key, tuple(index))
            report.differences.append(f"{key}[{labels}]: file {float(old[tuple(index)])!r}, "
                                      f"re-run {float(new[tuple(index)])!r}")
        if bad.sum() > 20:
            report.differences.append(f"... and {int(bad.sum()) - 20} more differences in {key}")


def _labels(document: dict[str, Any], key: str, index: tuple[int, ...]) -> str:
    if key == "audience":
        return document["services"][index[0]]
    axes = ("services", "tiers", "criteria", "phases")
    return ", ".join(document[a][i] for a, i in zip(axes, index, strict=True))
