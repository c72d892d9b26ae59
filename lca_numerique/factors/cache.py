"""Compiled factor sets: a loaded set kept as arrays and JSON in the user's cache folder, so that a new
process reads it instead of parsing thousands of unit strings with pint.

One file per set folder, parameter overrides and flow catalogue, named ``<slot>-<key>.npz``: ``slot`` is the
SHA-256 of the folder's path, the overrides and the catalogue (the bundled kinds and zones and those a
user's folder added: a set's ``@*`` rows expand over the zones known), ``key`` the SHA-256 of the library's
version and code, the overrides and the bytes of every file of the set's folder and of the folders its
``uses`` reach. A changed byte, an added file or another version of the library gives another key: the set
is compiled again and the file of the old key removed. A bundled profile (``load_factors()``, ``"default"``...)
is also kept whole, composed, one file per request (profile, overrides, accepted licences) and catalogue,
keyed by the bytes of every bundled data file: a warm start then reads one file, and neither YAML nor the
composition runs (:func:`compiled_profile`).

The files are not trusted to be code or to be whole. A file is a NumPy ``.npz`` archive read with
``allow_pickle=False`` (nothing in it is executed): the numbers as arrays and the rest (factors with their
provenance, distributions, parameters, sources, gaps...) as one JSON document stored as bytes. A file that
does not read or does not rebuild a set is ignored and compiled again. A set is written only after the
file, read back, gives a set equal to the one loaded from the CSV files in every field and in
``content_hash``; a set that would not be (for example a source with a date in its metadata, which JSON
does not keep) is simply not cached. The file records that content hash, and a set read from it keeps it
rather than hashing its 1,000-odd factors again in every process: it was checked when the file was written,
and a damaged file does not read (every archive member carries a CRC-32).

Environment: ``LCA_NUMERIQUE_CACHE_DIR`` is the folder (default: ``platformdirs.user_cache_dir
("lca_numerique")``); ``LCA_NUMERIQUE_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..uncertainty import Distribution
from .model import Factor, FactorSet, Parameter, Provenance

FORMAT = "lca_numerique compiled factor set 2"
CACHE_DIR_ENV = "LCA_NUMERIQUE_CACHE_DIR"
NO_CACHE_ENV = "LCA_NUMERIQUE_NO_CACHE"

_PROVENANCE_FIELDS = tuple(f.name for f in dataclasses.fields(Provenance))
_ARRAYS = ("values", "covered", "factor_values")


def cache_dir() -> Path | None:
    """The folder compiled sets are kept in, or None when ``LCA_NUMERIQUE_NO_CACHE`` turns the cache off."""
    if os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0"):
        return None
    given = os.environ.get(CACHE_DIR_ENV, "").strip()
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir("lca_numerique"))


def compiled(folders: Callable[[], Sequence[Path]], overrides: tuple[tuple[str, Any], ...],
             build: Callable[[], FactorSet], catalogue: str = "") -> FactorSet:
    """A set with ``overrides``: from its compiled file when one matches the bytes of ``folders()`` (the set's
    folder first, then those its ``uses`` reach) and the ``catalogue`` its rows were read against (see
    :func:`lca_numerique.flows.catalogue_key`), else ``build()``, compiled for next time.

    Never fails because of the cache: an unreadable file is rebuilt, an unwritable folder is not written.
    """
    where = cache_dir()
    if where is None:
        return build()
    depends_on = folders()
    if not depends_on:
        return build()
    slot = _sha(repr((str(depends_on[0]), overrides, catalogue)).encode())[:32]
    try:
        digest = _files_digest(depends_on)
        key = _sha(repr((FORMAT, __version__, _code_digest(), overrides, digest)).encode())
    except OSError:
        return build()  # the loader reports what cannot be read
    file = where / f"{slot}-{key}.npz"
    found = _read(file)
    if found is not None:
        return found
    factor_set = build()
    try:
        unchanged = _files_digest(depends_on) == digest  # a file edited during the build: not this key's content
    except OSError:
        unchanged = False
    if unchanged:
        _write(file, slot, factor_set)
    return factor_set


def compiled_profile(request: tuple[Any, ...], build: Callable[[], tuple[FactorSet, Sequence[Path]]],
                     register: Callable[[Path], object]) -> FactorSet:
    """A bundled profile's factors, composed, from one compiled file while the bundled data, the library and the
    catalogue are unchanged; else ``build()``, compiled for next time.

    ``request`` says what was asked (the profile id, the caller's parameter overrides and accepted licences);
    ``build()`` returns the composed set and the set folders it loaded, whose flow kinds and zones ``register``
    adds to the catalogue again when the set comes from the file, as loading them would. The key is the bytes of
    every bundled data file (the profile, its sets, the sets they use), the library's version and code, the
    request and the catalogue the sets' rows were read against: a start with a warm cache reads neither the
    profile nor the sets' metadata, does not compose, and keeps the composed set's content hash, checked when
    the file was written. Repeated calls in one process reuse the set while the data files' sizes and times of
    modification are unchanged.
    """
    where = cache_dir()
    if where is None:
        return build()[0]
    from ..flows import catalogue_key, data_root

    try:
        root = data_root()
        folders = sorted({root, *(p for p in root.rglob("*") if p.is_dir())})
        stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.rglob("*")) if p.is_file())
    except OSError:
        return build()[0]  # the loader reports what cannot be read
    catalogue = catalogue_key()
    memo = (request, catalogue, stamp, where)  # in-process only, as the loader's cache of sets
    found = _PROFILES.get(memo)
    if found is None:
        found = _profile(request, catalogue, folders, where, build, register)
        with _PROFILES_LOCK:
            if len(_PROFILES) >= 32:
                _PROFILES.pop(next(iter(_PROFILES)))
            _PROFILES[memo] = found
    return found


_PROFILES: dict[tuple[Any, ...], FactorSet] = {}
_PROFILES_LOCK = threading.Lock()


def _profile(request: tuple[Any, ...], catalogue: str, folders: Sequence[Path], where: Path,
             build: Callable[[], tuple[FactorSet, Sequence[Path]]], register: Callable[[Path], object]) -> FactorSet:
    """The profile from its file (``folders`` are every folder of the bundled data), else built and written."""
    slot = _sha(repr(("profile", str(folders[0]), request, catalogue)).encode())[:32]
    try:
        digest = _files_digest(folders)
    except OSError:
        return build()[0]
    key = _sha(repr((FORMAT, __version__, _code_digest(), request, digest)).encode())
    file = where / f"{slot}-{key}.npz"
    found = _read_with(file)
    if found is not None and isinstance(found[1].get("registered"), list):
        for folder in found[1]["registered"]:
            register(Path(folder))
        return found[0]
    factor_set, registered = build()
    try:
        unchanged = _files_digest(folders) == digest
    except OSError:
        unchanged = False
    if unchanged:
        _write(file, slot, factor_set, {"registered": [str(f) for f in registered]})
    return factor_set


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """SHA-256 of the library's Python files: a development checkout changes code without changing version."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for file in sorted(package.rglob("*.py")):
        digest.update(f"{file.relative_to(package)}\n".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _files_digest(folders: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(f"folder {folder}\n".encode())
        for file in sorted(p for p in folder.iterdir() if p.is_file()):
            data = file.read_bytes()
            digest.update(f"{file.name} {len(data)}\n".encode())
            digest.update(data)
    return digest.hexdigest()


# -- reading --------------------------------------------------------------------------------------------------
def _read(file: Path) -> FactorSet | None:
    """The set in ``file``, or None when there is none or it does not read whole."""
    found = _read_with(file)
    return None if found is None else found[0]


def _read_with(file: Path) -> tuple[FactorSet, dict[str, Any]] | None:
    """The set in ``file`` and the document it was decoded from, or None when there is none or it does not read
    whole. The content hash recorded in the file is kept: it was checked against the content when written, and
    a damaged archive does not read (each member carries a CRC-32)."""
    if not file.is_file():
        return None
    try:
        with np.load(file, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _ARRAYS}
            doc = json.loads(archive["doc"].tobytes().decode("utf-8"))
        factor_set = _decode(doc, arrays)
        recorded = doc["content_hash"]
        if not (isinstance(recorded, str) and len(recorded) == 64 and set(recorded) <= set("0123456789abcdef")):
            return None
        factor_set.__dict__["content_hash"] = recorded  # the cached property's slot: not computed again
        return factor_set, doc
    except Exception:  # any failure of a cached file means "compile again", never a crash
        return None


def _distribution(row: list[Any]) -> Distribution:
    kind, params = row
    return Distribution(str(kind), tuple((str(k), v) for k, v in params))


def _decode(doc: dict[str, Any], arrays: dict[str, np.ndarray]) -> FactorSet:
    if doc["format"] != FORMAT:
        raise ValueError("another format")
    provenances = [Provenance(**dict(zip(_PROVENANCE_FIELDS, row, strict=True))) for row in doc["provenances"]]
    parameters = {
        name: Parameter(name, value, unit, _distribution(dist), provenances[prov], note, domain)
        for name, value, unit, dist, prov, note, domain in doc["parameters"]
    }
    columns = doc["factors"]
    values = arrays["factor_values"]
    if values.dtype != np.float64 or values.shape != (len(columns["flow"]),):
        raise ValueError("factor values do not match the factors")
    factors = {}
    for i, value in enumerate(values.tolist()):  # tolist: Python floats, as the loader makes
        key = (columns["flow"][i], columns["criterion"][i], columns["phase"][i])
        factors[key] = Factor(*key, value, columns["unit"][i], _distribution(columns["distribution"][i]),
                              provenances[columns["provenance"][i]], columns["formula"][i],
                              tuple(parameters[n] for n in columns["inputs"][i]), columns["note"][i],
                              columns["credit"][i])
    flows, criteria = tuple(doc["flows"]), tuple(doc["criteria"])
    shape = (len(flows), len(criteria), arrays["values"].shape[-1] if arrays["values"].ndim == 3 else -1)
    if arrays["values"].shape != shape or arrays["covered"].shape != shape[:2] or arrays["covered"].dtype != bool:
        raise ValueError("arrays do not match the flows and criteria")
    return FactorSet(
        id=doc["id"], version=doc["version"], title=doc["title"], licence=doc["licence"], sources=doc["sources"],
        flows=flows, criteria=criteria, values=arrays["values"], covered=arrays["covered"], factors=factors,
        parameters=parameters, path=doc["path"], description=doc["description"],
        components=tuple(tuple(c) for c in doc["components"]),
        selection={(f, c): s for f, c, s in doc["selection"]},
        gaps={(f, c, p): why for f, c, p, why in doc["gaps"]},
        included={(f, c, p): where for f, c, p, where in doc["included"]},
        overrides=dict(doc["overrides"]),
    )


# -- writing --------------------------------------------------------------------------------------------------
def _encode(fs: FactorSet) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    provenances: dict[Provenance, int] = {}

    def prov(p: Provenance) -> int:
        return provenances.setdefault(p, len(provenances))

    def dist(d: Distribution) -> list[Any]:
        return [d.kind, [list(kv) for kv in d.params]]

    parameters = [[name, p.value, p.unit, dist(p.distribution), prov(p.provenance), p.note, p.domain]
                  for name, p in fs.parameters.items()]
    columns: dict[str, list[Any]] = {k: [] for k in ("flow", "criterion", "phase", "unit", "distribution",
                                                     "provenance", "formula", "inputs", "note", "credit")}
    for (flow, criterion, phase), f in fs.factors.items():
        for name, cell in (("flow", flow), ("criterion", criterion), ("phase", phase), ("unit", f.unit),
                           ("distribution", dist(f.distribution)), ("provenance", prov(f.provenance)),
                           ("formula", f.formula), ("inputs", [i.name for i in f.inputs]), ("note", f.note),
                           ("credit", f.credit)):
            columns[name].append(cell)
    doc = {
        "format": FORMAT, "id": fs.id, "version": fs.version, "title": fs.title, "licence": fs.licence,
        "sources": {k: dict(v) for k, v in fs.sources.items()}, "flows": list(fs.flows),
        "criteria": list(fs.criteria), "path": fs.path, "description": fs.description,
        "components": [list(c) for c in fs.components],
        "selection": [[*k, v] for k, v in fs.selection.items()],
        "gaps": [[*k, v] for k, v in fs.gaps.items()], "included": [[*k, v] for k, v in fs.included.items()],
        "overrides": dict(fs.overrides), "parameters": parameters, "factors": columns,
        "provenances": [[getattr(p, name) for name in _PROVENANCE_FIELDS] for p in provenances],
        "content_hash": fs.content_hash,
    }
    arrays = {"values": np.asarray(fs.values), "covered": np.asarray(fs.covered),
              "factor_values": np.array([f.value for f in fs.factors.values()], dtype=np.float64)}
    return doc, arrays


def same(a: FactorSet, b: FactorSet) -> bool:
    """True when two sets are equal in every field (arrays in values and dtype) and in ``content_hash``."""
    for f in dataclasses.fields(FactorSet):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if not (isinstance(y, np.ndarray) and x.dtype == y.dtype and np.array_equal(x, y)):
                return False
        elif x != y or type(x) is not type(y):
            return False
    return a.content_hash == b.content_hash


def _write(file: Path, slot: str, fs: FactorSet, extra: dict[str, Any] | None = None) -> None:
    """Save ``fs`` (and ``extra`` entries in its document) to ``file`` if it reads back equal, its content hash
    computed again from what was read; remove the slot's files of other keys."""
    try:
        doc, arrays = _encode(fs)
        doc.update(extra or {})
        text = json.dumps(doc, ensure_ascii=False, allow_nan=True).encode("utf-8")
        buffer = io.BytesIO()
        np.savez(buffer, doc=np.frombuffer(text, dtype=np.uint8), **arrays)
        with np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False) as archive:
            back = _decode(json.loads(archive["doc"].tobytes().decode("utf-8")),
                           {name: archive[name] for name in _ARRAYS})
        if not same(fs, back):
            return
        import tempfile  # only when writing: a start with a warm cache does not load it

        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, prefix=f".{slot}-", suffix=".tmp", delete=False) as tmp:
            tmp.write(buffer.getvalue())
        try:
            os.replace(tmp.name, file)  # atomic: a reader sees the old file or the whole new one
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        for old in file.parent.glob(f"{slot}-*.npz"):
            if old != file:
                old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError, KeyError):  # not writable, or not representable in JSON: no cache
        return


__all__ = ["CACHE_DIR_ENV", "NO_CACHE_ENV", "cache_dir", "compiled", "compiled_profile", "same"]
