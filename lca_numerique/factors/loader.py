"""Reading one factor-set folder from disk, strictly.

A factor set is a folder ``<id>/`` holding:

``metadata.yaml``
    ``id``, ``version``, ``title``, ``licence``, ``description``, ``sources`` (a mapping from a short source id
    to the document it names: ``title``, ``publisher``, ``year``, ``url``, ``licence``) and optionally ``uses``:
    ids of other bundled sets whose parameters this set's formulas may use.
``parameters*.csv`` (optional)
    Named inputs of derived factors: ``name, value, unit`` and the provenance columns.
``factors*.csv``
    One factor per row: ``flow, criterion, phase, value, formula, unit`` and the provenance columns.
    Exactly one of ``value`` and ``formula`` is given; ``value`` may be ``missing`` to declare a phase the
    source does not cover (the ``note`` says why), so results using it are marked partial, or ``included``
    to declare a phase the source counts in another phase's row (the ``note`` says which). A formula is
    evaluated with units over the parameters (see :mod:`lca_numerique.derivation`); the chain is kept in
    the factor's provenance, and the row's licence must name the licence of every input. ``flow`` may end
    in ``@*`` for "every zone of this kind" (embodied impacts do not depend on where a device is used).
    ``unit`` is parsed and converted to the canonical unit (criterion unit per flow unit). A factor may be
    negative only if it is declared a credit (an avoided impact) in the optional ``credit`` column
    (``yes``); every factor, given or derived, must be finite.

Provenance columns, all required: ``source`` (an id declared in metadata), ``locator`` (table, page or rule
name), ``year``, ``geography``, ``licence`` and ``confidence`` (high, medium, low). ``uncertainty`` is a
distribution (see :mod:`lca_numerique.uncertainty`), ``none``, or empty for the documented default of the
row's confidence. ``note`` is free text.

The loader reports every problem at once, each with its file and line. Files are untrusted: the YAML goes
through the library's strict, bounded reader, the CSV files are size-bounded, a folder outside the bundled
data cannot take the id of a bundled set or profile, ``uses`` paths are read from the folder that declares
them, and a cycle of ``uses`` is refused with the cycle named.
"""

from __future__ import annotations

import contextvars
import csv
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import units
from ..axes import PHASE_IDS
from ..criteria import get_criterion
from ..derivation import evaluate_formula, formula_names
from ..errors import FactorDataError, LcaError, UnitError
from ..flows import FLOWS, catalogue_key, data_root, get_flow, register_folder
from ..inventory.yaml_source import YamlSyntaxError, read_yaml
from ..uncertainty import (
    NO_UNCERTAINTY,
    Distribution,
    default_distribution,
    parse_distribution,
    pedigree_distribution,
)
from .cache import compiled
from .model import (
    CONFIDENCE_LEVELS,
    Factor,
    FactorSet,
    Parameter,
    Provenance,
    build_factor_set,
    canonical_factor_unit,
    user_provenance,
)

__all__ = [
    "FACTOR_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_CSV_BYTES",
    "OPTIONAL_COLUMNS",
    "PARAMETER_COLUMNS",
    "PROVENANCE_COLUMNS",
    "Key",
    "available_factor_sets",
    "available_profiles",
    "check_overrides",
    "domain_problem",
    "freeze_overrides",
    "load_factor_set",
    "load_folder",
    "profiles_root",
    "reserved_ids",
    "resolve_set",
    "set_folders",
]

PROVENANCE_COLUMNS: tuple[str, ...] = ("source", "locator", "year", "geography", "licence", "confidence")
FACTOR_COLUMNS: tuple[str, ...] = (
    "flow", "criterion", "phase", "value", "formula", "unit", *PROVENANCE_COLUMNS, "uncertainty", "note",
)
PARAMETER_COLUMNS: tuple[str, ...] = ("name", "value", "unit", *PROVENANCE_COLUMNS, "uncertainty", "note")
OPTIONAL_COLUMNS: tuple[str, ...] = ("domain", "credit")  # domain in parameters*.csv, credit in factors*.csv
MAX_CSV_BYTES = 20_000_000  # the bundled sets are well under 1 MB each
MAX_CELL_CHARS = 10_000

Key = tuple[str, str, str]


def available_factor_sets() -> tuple[str, ...]:
    """Ids of the bundled factor sets."""
    return tuple(sorted(p.parent.name for p in data_root().glob("*/metadata.yaml")))


def profiles_root() -> Path:
    """The folder of the bundled profiles."""
    return data_root() / "profiles"


def available_profiles() -> tuple[str, ...]:
    """Ids of the bundled profiles."""
    return tuple(sorted(p.stem for p in profiles_root().glob("*.yaml")))


def reserved_ids() -> frozenset[str]:
    """Ids only bundled data may take (a user's folder or profile claiming one would pass for bundled data)."""
    return frozenset({*available_factor_sets(), *available_profiles(), "user"})


def resolve_set(name_or_path: str | Path, base: str | Path | None = None) -> Path:
    """The folder of a factor set given by bundled id or by path; a relative path is read from ``base`` (the
    folder of the file that names it; default: the current directory). Raises FactorDataError if there is
    none. A bundled id wins over a folder of the same name: write ``./name`` for the folder."""
    if isinstance(name_or_path, str) and name_or_path in available_factor_sets():
        return (data_root() / name_or_path).resolve()
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    if (path / "metadata.yaml").is_file():
        return path.resolve()
    where = f" (read from {base})" if base is not None else ""
    raise FactorDataError([f"no factor set {str(name_or_path)!r}{where}: neither a folder with a metadata.yaml "
                           f"nor one of {', '.join(available_factor_sets())}"])


def load_factor_set(name_or_path: str | Path, parameters: Mapping[str, Any] | None = None) -> FactorSet:
    """Load and validate one factor set from its folder (or a bundled set by id).

    Parameters
    ----------
    name_or_path
        A bundled set's id (see :func:`available_factor_sets`) or the path of a set's folder.
    parameters
        Named parameters (of this set or of the sets it uses) overridden before the derived factors are
        computed, each in its declared unit or as a quantity string, e.g. ``{"smartphone.lifetime": "3.5
        year"}``; an unknown name, a value outside the parameter's declared domain, or one that makes a factor
        non-finite or negative is an error. The overrides applied are recorded in the set's ``overrides``.

    Returns
    -------
    FactorSet
        Values in each criterion's unit per flow unit (e.g. kg CO2 eq per device_hour), with sources,
        licences, coverage and a content hash.

    Raises
    ------
    FactorDataError
        Every problem of the set's files, each with its file and line.
    """
    overrides = check_overrides(parameters)
    factor_set = load_folder(resolve_set(name_or_path), freeze_overrides(overrides))
    unknown = sorted(set(overrides) - set(factor_set.parameters))
    if unknown:
        raise FactorDataError([f"parameters: unknown parameter(s) {', '.join(unknown)} in set {factor_set.id}"])
    return factor_set


def check_overrides(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """``parameters`` as a dict of overrides; raises FactorDataError if it is not a mapping of names."""
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise FactorDataError([f"parameters: expected a mapping of parameter names to values, got "
                               f"{type(parameters).__name__}"])
    problems = [f"parameters: names must be text, got {k!r}" for k in parameters if not isinstance(k, str)]
    problems += [f"parameters[{k}]: expected a number or a quantity such as '3.5 year', got {v!r}"
                 for k, v in parameters.items() if isinstance(v, bool) or (not isinstance(v, (int, float, str))
                 and not hasattr(v, "magnitude"))]
    if problems:
        raise FactorDataError(problems)
    return dict(parameters)


def freeze_overrides(overrides: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Overrides as a hashable, ordered key for the cache of loaded sets."""
    return tuple(sorted((str(k), v if isinstance(v, (int, float, str)) else str(v)) for k, v in overrides.items()))


_LOADING: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("loading", default=())


def load_folder(path: Path, overrides: tuple[tuple[str, Any], ...]) -> FactorSet:
    """The set in ``path`` with frozen ``overrides``, from the cache while its files are unchanged. The flow
    kinds and zones the folder declares (``flows.csv``, ``zones.csv``) join the catalogue first, cache or not."""
    register_folder(path)
    if overrides:  # only the overrides naming this set's parameters matter: others would re-derive it for nothing
        plain = load_folder(path, ())
        overrides = tuple((k, v) for k, v in overrides if k in plain.parameters)
        if not overrides:
            return plain
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.iterdir())
                      if p.is_file())
    except OSError as exc:
        raise FactorDataError([f"{path}: cannot read the folder: {exc.strerror or exc}"]) from None
    return _load_cached(str(path), stamp, overrides, catalogue_key())


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, stamp: tuple[Any, ...], overrides: tuple[tuple[str, Any], ...], catalogue: str
                 ) -> FactorSet:
    # The folders being loaded through 'uses' travel in a context variable, not in the cache key: a set that
    # loads is the same whichever set asked for it (and a cycle fails whichever set it is entered from).
    folder = Path(path)
    chain = _LOADING.get()
    return compiled(lambda: set_folders(folder), overrides, lambda: _Loader(folder, dict(overrides), chain).load(),
                    catalogue)


def set_folders(folder: Path) -> list[Path]:
    """``folder`` and every set folder its ``uses`` reach: the files a set's content depends on. Empty when
    one of them does not read (the loader then reports why)."""
    found: list[Path] = []
    todo = [folder]
    while todo:
        current = todo.pop(0)
        if current in found:
            continue
        found.append(current)
        try:
            meta = read_yaml(current / "metadata.yaml", what="a factor-set metadata file").data
            uses = meta.get("uses") or []
            if not isinstance(uses, list) or not all(isinstance(u, str) and u for u in uses):
                return []
            todo += [resolve_set(u, base=current) for u in uses]
        except (LcaError, OSError, AttributeError):
            return []
    return found


class _Loader:
    """Reads one factor-set folder, collecting every problem before raising."""

    def __init__(self, folder: Path, overrides: dict[str, Any], chain: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.overrides = overrides
        self.chain = (*chain, str(folder))  # the sets being loaded through 'uses', this one last
        self.applied: dict[str, str] = {}
        self.problems: list[str] = []
        self.sources: dict[str, dict[str, Any]] = {}
        self.set_id = folder.name

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def load(self) -> FactorSet:
        meta = self._metadata()
        before = len(self.problems)
        imported = self._imported_parameters(meta)
        if len(self.problems) > before:  # a set it uses does not load: its formulas would repeat that as unknown names
            raise FactorDataError(self.problems)
        parameters = self._override(self._parameters(imported))
        factors, gaps, included = self._factors(parameters)
        if not factors and not self.problems:
            self.problem(str(self.folder), "no factors*.csv row found")
        if self.problems:
            raise FactorDataError(self.problems)
        factor_set = build_factor_set(
            factors, id=self.set_id, version=str(meta["version"]), title=str(meta["title"]),
            licence=str(meta["licence"]), sources=self.sources, parameters=parameters, path=str(self.folder),
            description=str(meta.get("description", "")), gaps=gaps, included=included, overrides=self.applied,
        )
        return replace(factor_set, components=((factor_set.id, factor_set.version, factor_set.content_hash),))

    # -- metadata and imports ---------------------------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        where = str(self.folder / "metadata.yaml")
        try:
            meta = read_yaml(where, what="a factor-set metadata file").data
        except YamlSyntaxError as exc:
            self.problem(where, str(exc.problem).removeprefix(f"{where}: "))
            return {}
        if not isinstance(meta, dict):
            self.problem(where, "must be a mapping")
            return {}
        for key in ("id", "version", "title", "licence", "sources"):
            if not meta.get(key):
                self.problem(where, f"'{key}' is missing or empty")
            elif key != "sources" and not isinstance(meta[key], (str, int, float)):
                self.problem(where, f"'{key}' must be text")
        self.set_id = str(meta.get("id") or self.folder.name)
        bundled = self.folder.parent == data_root().resolve()
        if not bundled and self.set_id in reserved_ids():
            self.problem(where, f"id {self.set_id!r} is the id of bundled data: a folder of yours needs its own id "
                                "(else its factors would be reported as the bundled ones)")
        sources = meta.get("sources") or {}
        if not isinstance(sources, dict):
            self.problem(where, "'sources' must map a source id to its description")
            sources = {}
        for sid, src in sources.items():
            if not isinstance(src, dict) or not src.get("title") or not src.get("licence"):
                self.problem(where, f"source {sid!r} needs at least 'title' and 'licence'")
        self.sources = {str(k): v for k, v in sources.items() if isinstance(v, dict)}
        uses = meta.get("uses") or []
        if not isinstance(uses, list) or not all(isinstance(u, str) and u for u in uses):
            self.problem(where, "'uses' must be a list of factor-set ids or folders")
            meta["uses"] = []
        return meta

    def _imported_parameters(self, meta: dict[str, Any]) -> dict[str, Parameter]:
        imported: dict[str, Parameter] = {}
        where = str(self.folder / "metadata.yaml")
        for used in meta.get("uses") or ():
            try:
                folder = resolve_set(used, base=self.folder)  # relative to this folder, not the current one
                if str(folder) in self.chain:
                    cycle = [Path(p).name for p in self.chain[self.chain.index(str(folder)):]]
                    self.problem(where, f"cyclic 'uses': {' -> '.join([*cycle, folder.name])}")
                    continue
                token = _LOADING.set(self.chain)
                try:
                    other = load_folder(folder, freeze_overrides(self.overrides))
                finally:
                    _LOADING.reset(token)
            except LcaError as exc:
                self.problem(where, f"uses {used!r}, which does not load: {exc}")
                continue
            imported.update(other.parameters)
        return imported

    # -- rows -------------------------------------------------------------------------------------------------
    def _rows(self, pattern: str, columns: tuple[str, ...]) -> Iterable[tuple[str, dict[str, str]]]:
        accepted = (*columns, *OPTIONAL_COLUMNS)
        for file in sorted(self.folder.glob(pattern)):
            if file.stat().st_size > MAX_CSV_BYTES:
                self.problem(str(file), f"the file is over {MAX_CSV_BYTES / 1e6:g} MB")
                continue
            try:
                with file.open(encoding="utf-8", newline="") as handle:
                    reader = csv.DictReader(handle)
                    header = reader.fieldnames or []
                    missing = [c for c in columns if c not in header]
                    unknown = [c for c in header if c not in accepted]
                    if missing or unknown or len(set(header)) != len(header):
                        self.problem(f"{file}:1", f"header: missing columns {missing}, unknown columns {unknown}; "
                                                  f"expected {', '.join(columns)} (each once; optional: "
                                                  f"{', '.join(OPTIONAL_COLUMNS)})")
                        continue
                    for row in reader:
                        where = f"{file}:{reader.line_num}"
                        if None in row:
                            self.problem(where, "more cells than header columns")
                            continue
                        cells = {k: (v or "").strip() for k, v in row.items()}
                        if any(len(v) > MAX_CELL_CHARS for v in cells.values()):
                            self.problem(where, f"a cell is longer than {MAX_CELL_CHARS} characters")
                            continue
                        yield where, {c: "" for c in OPTIONAL_COLUMNS} | cells
            except UnicodeDecodeError as exc:
                self.problem(str(file), f"not UTF-8 text: {exc}")
            except csv.Error as exc:
                self.problem(str(file), f"not a valid CSV file: {exc}")

    def _provenance(self, where: str, row: dict[str, str]) -> Provenance | None:
        ok = True
        for column in ("unit", *PROVENANCE_COLUMNS):
            if not row[column]:
                self.problem(where, f"'{column}' is empty")
                ok = False
        if row["source"] and row["source"] not in self.sources:
            self.problem(where, f"source {row['source']!r} is not declared in metadata.yaml "
                                f"(declared: {', '.join(self.sources) or 'none'})")
            ok = False
        if row["confidence"] and row["confidence"] not in CONFIDENCE_LEVELS:
            self.problem(where, f"confidence {row['confidence']!r} is not one of {', '.join(CONFIDENCE_LEVELS)}")
            ok = False
        year = 0
        if row["year"]:
            try:
                year = int(row["year"])
            except ValueError:
                self.problem(where, f"year {row['year']!r} is not a whole number")
                ok = False
        if not ok:
            return None
        title = str(self.sources[row["source"]].get("title", row["source"]))
        file, _, line = where.rpartition(":")
        return Provenance(self.set_id, row["source"], title, row["locator"], year, row["geography"], row["licence"],
                          row["confidence"], file, int(line))

    def _number(self, where: str, text: str) -> float | None:
        try:
            value = float(text)
        except ValueError:
            self.problem(where, f"value {text!r} is not a number")
            return None
        if not math.isfinite(value):
            self.problem(where, f"value {text!r} is not finite")
            return None
        return value

    def _distribution(self, where: str, row: dict[str, str], value: float | None) -> Distribution | None:
        text = row["uncertainty"]
        if not text:
            return default_distribution(row["confidence"]) if row["confidence"] in CONFIDENCE_LEVELS else None
        try:
            if text.startswith("pedigree") and row["confidence"] in CONFIDENCE_LEVELS:
                return pedigree_distribution(text, row["confidence"])
            return parse_distribution(text, value)
        except ValueError as exc:
            self.problem(where, f"uncertainty: {exc}")
            return None

    def _parameters(self, imported: dict[str, Parameter]) -> dict[str, Parameter]:
        parameters = dict(imported)
        own: dict[str, str] = {}
        for where, row in self._rows("parameters*.csv", PARAMETER_COLUMNS):
            name = row["name"]
            if not name:
                self.problem(where, "'name' is empty")
                continue
            if name in own:
                self.problem(where, f"duplicate parameter {name!r} (first at {own[name]})")
                continue
            if name in imported:
                self.problem(where, f"parameter {name!r} is already defined by set {imported[name].provenance.set_id}")
                continue
            own[name] = where
            provenance = self._provenance(where, row)
            value = self._number(where, row["value"])
            distribution = self._distribution(where, row, value)
            if row["unit"]:
                try:
                    units.parse_unit(row["unit"], "unit")
                except UnitError as exc:
                    self.problem(where, f"unit {row['unit']!r}: {exc.reason}")
                    continue
            domain = row["domain"]
            if value is not None and row["unit"]:
                reason = domain_problem(domain, value, row["unit"])
                if reason:
                    self.problem(where, f"value {value:g} {row['unit']}: {reason}")
                    continue
            if provenance and value is not None and distribution:
                parameters[name] = Parameter(name, value, row["unit"], distribution, provenance, row["note"], domain)
        return parameters

    def _override(self, parameters: dict[str, Parameter]) -> dict[str, Parameter]:
        for name, given in self.overrides.items():
            if name not in parameters:
                continue  # may belong to another set of a profile; load_factor_set checks the names left over
            p = parameters[name]
            where = f"parameters[{name}]"
            try:
                value = units.to_magnitude(given, p.unit, where)
            except (UnitError, ValueError, OverflowError) as exc:
                self.problem(where, str(exc).removeprefix(f"{where}: "))
                continue
            reason = domain_problem(p.domain, value, p.unit, published=p.value)
            if reason:
                self.problem(where, f"{given!r} is refused: {reason}")
                continue
            self.applied[name] = f"{value:g} {p.unit}".strip()
            parameters[name] = replace(p, value=value, distribution=NO_UNCERTAINTY,
                                       provenance=user_provenance(f"override of {name} (was {p.value:g} {p.unit})"))
        return parameters

    def _factors(self, parameters: dict[str, Parameter]) -> tuple[dict[Key, Factor], dict[Key, str], dict[Key, str]]:
        factors: dict[Key, Factor] = {}
        declared: dict[str, dict[Key, str]] = {"missing": {}, "included": {}}
        first_line: dict[Key, str] = {}
        for where, row in self._rows("factors*.csv", FACTOR_COLUMNS):
            keys = self._keys(where, row)
            provenance = self._provenance(where, row)
            if not keys or provenance is None:
                continue
            for key in keys:
                if key in first_line:
                    self.problem(where, f"duplicate factor for {key} (first at {first_line[key]})")
                    continue
                first_line[key] = where
                if row["value"].lower() in declared and not row["formula"]:
                    if not row["note"]:
                        self.problem(where, f"an '{row['value'].lower()}' phase needs a note saying why or where")
                    declared[row["value"].lower()][key] = row["note"]
                    continue
                factor = self._factor(where, row, key, provenance, parameters)
                if factor is None:
                    break  # the same problem would repeat for every zone of a wildcard row
                factors[key] = factor
        return factors, declared["missing"], declared["included"]

    def _keys(self, where: str, row: dict[str, str]) -> list[Key]:
        ok = True
        flow = row["flow"]
        if flow.endswith("@*"):
            flows = [f.id for f in FLOWS.values() if f.kind == flow[:-2] and f.zone is not None]
            if not flows:
                self.problem(where, f"no zoned flow of kind {flow[:-2]!r}")
                ok = False
        else:
            flows = [flow]
            try:
                get_flow(flow)
            except KeyError as exc:
                self.problem(where, str(exc.args[0]))
                ok = False
        criterion = row["criterion"]
        try:
            criterion = get_criterion(criterion).id
        except KeyError as exc:
            self.problem(where, str(exc.args[0]))
            ok = False
        if row["phase"] not in PHASE_IDS:
            self.problem(where, f"unknown phase {row['phase']!r}; accepted: {', '.join(PHASE_IDS)}")
            ok = False
        return [(f, criterion, row["phase"]) for f in flows] if ok else []

    def _factor(self, where: str, row: dict[str, str], key: Key, provenance: Provenance,
                parameters: dict[str, Parameter]) -> Factor | None:
        flow, criterion, phase = key
        canonical = canonical_factor_unit(flow, criterion)
        if bool(row["value"]) == bool(row["formula"]):
            self.problem(where, "give exactly one of 'value' and 'formula'")
            return None
        inputs: tuple[Parameter, ...] = ()
        ureg = units.registry()
        try:
            if row["value"]:
                declared = self._number(where, row["value"])
                if declared is None:
                    return None
                quantity = ureg.Quantity(declared, units.parse_unit(row["unit"], "unit"))
            else:
                names = formula_names(row["formula"])
                unknown = [n for n in names if n not in parameters]
                if unknown:
                    self.problem(where, f"formula uses undeclared parameter(s) {', '.join(unknown)}")
                    return None
                inputs = tuple(parameters[n] for n in names)
                if not self._licences_cover(where, row["licence"], inputs):
                    return None
                bound = {p.name: ureg.Quantity(p.value, units.parse_unit(p.unit, p.name)) for p in inputs}
                quantity = ureg.Quantity(evaluate_formula(row["formula"], bound)).to(units.parse_unit(row["unit"]))
            value = units.to_magnitude(quantity, canonical, "unit")
        except UnitError as exc:
            self.problem(where, f"unit {row['unit']!r}: {exc.reason or exc}; the factor must be in "
                                f"{get_criterion(criterion).unit} per {get_flow(flow).unit}")
            return None
        except (ValueError, TypeError, ArithmeticError) as exc:
            self.problem(where, f"formula {row['formula']!r}: {exc}{self._because(inputs)}")
            return None
        if not self._sound(where, row, value, inputs):
            return None
        declared_value = float(quantity.magnitude)
        distribution = self._distribution(where, row, declared_value)
        if distribution is None:
            return None
        scale = value / declared_value if declared_value else 1.0
        return Factor(flow, criterion, phase, value, canonical, distribution.scaled(scale), provenance,
                      row["formula"] or None, inputs, row["note"], credit=row["credit"] == "yes")

    def _because(self, inputs: tuple[Parameter, ...]) -> str:
        """`` (with the override name = value)`` when an input of a factor is overridden."""
        overridden = [f"{p.name} = {self.applied[p.name]}" for p in inputs if p.name in self.applied]
        return f" (with the override {', '.join(overridden)})" if overridden else ""

    def _sound(self, where: str, row: dict[str, str], value: float, inputs: tuple[Parameter, ...]) -> bool:
        """A factor is finite, and negative only when declared a credit."""
        because = self._because(inputs)
        if row["credit"] not in ("", "yes", "no"):
            self.problem(where, f"credit {row['credit']!r} must be 'yes', 'no' or empty")
            return False
        if not math.isfinite(value):
            self.problem(where, f"the factor is not finite ({value}){because}")
            return False
        if value < 0 and row["credit"] != "yes":
            self.problem(where, f"the factor is negative ({value:g}){because}: only a declared credit (column "
                                "'credit' = yes) may be negative")
            return False
        if value > 0 and row["credit"] == "yes":
            self.problem(where, f"declared a credit but the factor is positive ({value:g}){because}")
            return False
        return True

    def _licences_cover(self, where: str, licence: str, inputs: tuple[Parameter, ...]) -> bool:
        declared = {part.strip() for part in licence.split(";")}
        needed = {part.strip() for p in inputs if p.provenance.set_id != "user"
                  for part in p.provenance.licence.split(";")}
        if needed <= declared:
            return True
        self.problem(where, f"licence {licence!r} must name the licences of its inputs: missing "
                            f"{'; '.join(sorted(needed - declared))}")
        return False


_DOMAIN_WORDS: dict[str, tuple[str, float, float, str]] = {  # word: (low bracket, low, high, high bracket)
    "positive": ("(", 0.0, math.inf, ")"),
    "non-negative": ("[", 0.0, math.inf, ")"),
    "share": ("[", 0.0, 1.0, "]"),
    "any": ("(", -math.inf, math.inf, ")"),
}


def domain_problem(domain: str, value: float, unit: str, *, published: float | None = None) -> str:
    """Why ``value`` (in ``unit``) is outside ``domain`` (see the module docstring), or "" if it is inside.

    An empty domain keeps the sign of the ``published`` value (the value itself when it is not given). NaN
    and infinities are always outside.
    """
    if not math.isfinite(value):
        return "not a finite number"
    text = domain.strip().lower()
    if not text:
        reference = value if published is None else published
        text = "positive" if reference > 0 else "non-negative" if reference == 0 else "(-inf, 0)"
    if text in _DOMAIN_WORDS:
        low_bracket, low, high, high_bracket = _DOMAIN_WORDS[text]
    else:
        parts = [p.strip() for p in text[1:-1].split(",")]
        try:
            low_bracket, high_bracket = text[0], text[-1]
            low, high = float(parts[0]), float(parts[1])
            if low_bracket not in "([" or high_bracket not in ")]" or len(parts) != 2 or not low <= high:
                raise ValueError
        except (ValueError, IndexError):
            return (f"the declared domain {domain!r} is not one of {', '.join(_DOMAIN_WORDS)} nor an interval such "
                    "as (0, 24] or [1, inf)")
    magnitude = value
    if text == "share":
        import pint

        try:
            magnitude = float(units.registry().Quantity(value, units.parse_unit(unit)).to("dimensionless").magnitude)
        except (UnitError, pint.errors.DimensionalityError):
            return f"a share must be dimensionless (a fraction or percent), not in {unit!r}"
    above = magnitude > low if low_bracket == "(" else magnitude >= low
    below = magnitude < high if high_bracket == ")" else magnitude <= high
    if above and below:
        return ""
    shown = "a share, from 0 to 1 (0 % to 100 %)" if text == "share" else text
    return f"outside the declared domain {shown}" + (f" (in {unit})" if text not in _DOMAIN_WORDS and unit else "")
