"""Factor sets: versioned, sourced impact factors F[flow, criterion, phase], loaded strictly from disk.

A factor set is a folder under ``data/impact_factors/<id>/`` holding:

``metadata.yaml``
    ``id``, ``version``, ``title``, ``licence``, ``description`` and ``sources``: a mapping from a short
    source id to the document it names (``title``, ``publisher``, ``year``, ``url``, ``licence``).
``parameters*.csv`` (optional)
    Named inputs of derived factors: ``name, value, unit, source, locator, year, geography, licence,
    uncertainty, note``.
``factors*.csv``
    One factor per row: ``flow, criterion, phase, value, formula, unit, source, locator, year, geography,
    licence, uncertainty, note``. Exactly one of ``value`` and ``formula`` is given; a formula is evaluated
    with units over the parameters (see :mod:`lca_numerique.derivation`) and the chain is kept in the
    factor's provenance. ``unit`` is the unit of the factor (e.g. ``g CO2 eq / GB``); it is parsed and
    converted to the canonical unit (criterion unit per flow unit) at load.

The loader reports every problem at once, each with its file and line. In memory the set is a dense array
plus a coverage mask: a (flow, criterion) pair without any row is *missing*, never zero. Within a covered
pair, a phase without a row contributes nothing (sources often give, say, a network factor as one number).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import units
from .axes import PHASE_IDS
from .criteria import CRITERIA, MISSION_CRITERIA, get_criterion
from .derivation import evaluate_formula, formula_names
from .errors import FactorDataError, UnitError
from .flows import FLOWS, get_flow
from .uncertainty import NO_UNCERTAINTY, Distribution, parse_distribution

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FACTOR_COLUMNS: tuple[str, ...] = (
    "flow", "criterion", "phase", "value", "formula", "unit", "source", "locator", "year", "geography",
    "licence", "uncertainty", "note",
)
PARAMETER_COLUMNS: tuple[str, ...] = (
    "name", "value", "unit", "source", "locator", "year", "geography", "licence", "uncertainty", "note",
)
_REQUIRED_TEXT: tuple[str, ...] = ("unit", "source", "locator", "year", "geography", "licence")
DEFAULT_FACTOR_SET = "impactco2"


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: the source document, the place in it, and the row that holds it."""

    source: str
    source_title: str
    locator: str
    year: int
    geography: str
    licence: str
    file: str
    line: int


@dataclass(frozen=True)
class Parameter:
    """A named, sourced input of derived factors, e.g. a device's lifetime."""

    name: str
    value: float
    unit: str
    distribution: Distribution
    provenance: Provenance
    note: str = ""


@dataclass(frozen=True)
class Factor:
    """One impact factor, expressed in its canonical unit (criterion unit per flow unit)."""

    flow: str
    criterion: str
    phase: str
    value: float
    unit: str
    distribution: Distribution
    provenance: Provenance
    formula: str | None = None
    inputs: tuple[Parameter, ...] = ()
    note: str = ""

    def explain(self) -> str:
        """One line per step: the factor, and for a derived one its formula and each input with its source."""
        p = self.provenance
        head = f"{self.flow} / {self.criterion} / {self.phase} = {self.value:.6g} {self.unit}"
        lines = [f"{head}  [{p.source_title}, {p.locator}, {p.year}, {p.geography}, {p.licence}]"]
        if self.formula:
            lines.append(f"  = {self.formula}")
            for i in self.inputs:
                q = i.provenance
                lines.append(f"    {i.name} = {i.value:g} {i.unit}  [{q.source_title}, {q.locator}, {q.year}]")
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class FactorSet:
    """Impact factors: dense ``values[flow, criterion, phase]`` and a coverage mask ``covered[flow, criterion]``.

    ``values`` is in each criterion's unit per flow's canonical unit. Where ``covered`` is False the value
    is 0 and means *missing*: results built on it are marked incomplete, never silently summed as zero.
    """

    id: str
    version: str
    title: str
    licence: str
    sources: dict[str, dict[str, Any]]
    flows: tuple[str, ...]
    criteria: tuple[str, ...]
    values: np.ndarray
    covered: np.ndarray
    factors: dict[tuple[str, str, str], Factor]
    parameters: dict[str, Parameter] = field(default_factory=dict)
    path: str = ""
    description: str = ""

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the set's content (values, units, provenance), independent of file layout and order."""
        digest = hashlib.sha256(f"{self.id}\n{self.version}\n".encode())
        for key in sorted(self.factors):
            f = self.factors[key]
            p = f.provenance
            row = (*key, repr(f.value), f.unit, str(f.distribution), p.source, p.locator, str(p.year), p.geography,
                   p.licence, f.formula or "")
            digest.update(("\t".join(row) + "\n").encode())
        return digest.hexdigest()

    @property
    def label(self) -> str:
        """``id version``, e.g. ``impactco2 2.1.0-1``."""
        return f"{self.id} {self.version}"

    def factor(self, flow: str, criterion: str, phase: str) -> Factor | None:
        """The factor of one (flow, criterion, phase), or None when the set has no row for it."""
        return self.factors.get((flow, get_criterion(criterion).id, phase))

    def aligned(self, flows: Sequence[str], criteria: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(values, covered)`` re-indexed on the given flows and criteria; unknown ones are uncovered zeros."""
        flow_pos = {f: i for i, f in enumerate(self.flows)}
        crit_pos = {c: i for i, c in enumerate(self.criteria)}
        fi = np.array([flow_pos.get(f, -1) for f in flows], dtype=np.intp)
        ci = np.array([crit_pos.get(c, -1) for c in criteria], dtype=np.intp)
        values = np.zeros((len(flows), len(criteria), len(PHASE_IDS)))
        covered = np.zeros((len(flows), len(criteria)), dtype=bool)
        rows, cols = fi >= 0, ci >= 0
        values[np.ix_(rows, cols)] = self.values[np.ix_(fi[rows], ci[cols])]
        covered[np.ix_(rows, cols)] = self.covered[np.ix_(fi[rows], ci[cols])]
        return values, covered

    def to_dataframe(self) -> pd.DataFrame:
        """One row per factor: flow, tier, criterion, phase, value, unit, uncertainty, formula and provenance."""
        import pandas as pd

        rows = []
        for (flow, criterion, phase), f in sorted(self.factors.items()):
            p = f.provenance
            rows.append({
                "flow": flow, "tier": FLOWS[flow].tier, "criterion": criterion, "phase": phase, "value": f.value,
                "unit": f.unit, "uncertainty": str(f.distribution), "formula": f.formula or "",
                "source": p.source_title, "locator": p.locator, "year": p.year, "geography": p.geography,
                "licence": p.licence,
            })
        return pd.DataFrame(rows, columns=["flow", "tier", "criterion", "phase", "value", "unit", "uncertainty",
                                           "formula", "source", "locator", "year", "geography", "licence"])

    def coverage(self) -> pd.DataFrame:
        """One row per (flow, criterion) of the set: ``covered`` or ``missing``, with source, year and licence."""
        import pandas as pd

        rows = []
        for i, flow in enumerate(self.flows):
            for j, criterion in enumerate(self.criteria):
                found = [f for (fl, c, _), f in self.factors.items() if fl == flow and c == criterion]
                rows.append({
                    "flow": flow, "tier": FLOWS[flow].tier, "criterion": criterion,
                    "status": "covered" if self.covered[i, j] else "missing",
                    "phases": ", ".join(f.phase for f in found),
                    "source": "; ".join(sorted({f.provenance.source_title for f in found})),
                    "year": max((f.provenance.year for f in found), default=None),
                    "licence": "; ".join(sorted({f.provenance.licence for f in found})),
                })
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        n = int(self.covered.sum())
        return (f"<FactorSet {self.label}: {len(self.factors)} factors, {len(self.flows)} flows, "
                f"{len(self.criteria)} criteria, {n} (flow, criterion) pairs covered, hash {self.content_hash[:12]}>")


def data_root() -> Path:
    """The folder holding the bundled factor sets (inside the installed wheel, or the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "impact_factors", here.parent / "data" / "impact_factors"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled factor data not found: the package is incompletely installed")


def available_factor_sets() -> tuple[str, ...]:
    """Ids of the bundled factor sets."""
    return tuple(sorted(p.parent.name for p in data_root().glob("*/metadata.yaml")))


def load_factors(name: str | None = None) -> FactorSet:
    """The bundled factor set ``name`` (default: ``impactco2``), or a set in the folder at path ``name``."""
    return load_factor_set(name or DEFAULT_FACTOR_SET)


def load_factor_set(name_or_path: str | Path) -> FactorSet:
    """Load and validate a factor set from its folder (or a bundled set by id). Raises FactorDataError."""
    path = Path(name_or_path)
    if not path.is_dir():
        bundled = data_root() / str(name_or_path)
        if not bundled.is_dir():
            raise FactorDataError([f"no factor set {str(name_or_path)!r}: neither a folder nor one of "
                                   f"{', '.join(available_factor_sets())}"])
        path = bundled
    path = path.resolve()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.iterdir()) if p.is_file())
    return _load_cached(str(path), stamp)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, stamp: tuple[Any, ...]) -> FactorSet:
    return _Loader(Path(path)).load()


class _Loader:
    """Reads one factor-set folder, collecting every problem before raising."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        self.sources: dict[str, dict[str, Any]] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def load(self) -> FactorSet:
        meta = self._metadata()
        parameters = self._parameters()
        factors = self._factors(parameters)
        if not factors and not self.problems:
            self.problem(str(self.folder), "no factors*.csv row found")
        if self.problems:
            raise FactorDataError(self.problems)
        return _assemble(meta, factors, parameters, str(self.folder))

    # -- metadata ---------------------------------------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        import yaml

        where = str(self.folder / "metadata.yaml")
        try:
            meta = yaml.safe_load((self.folder / "metadata.yaml").read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problem(where, "missing")
            return {}
        except yaml.YAMLError as exc:
            self.problem(where, f"not valid YAML: {exc}")
            return {}
        if not isinstance(meta, dict):
            self.problem(where, "must be a mapping")
            return {}
        for key in ("id", "version", "title", "licence", "sources"):
            if not meta.get(key):
                self.problem(where, f"'{key}' is missing or empty")
        sources = meta.get("sources") or {}
        if not isinstance(sources, dict):
            self.problem(where, "'sources' must map a source id to its description")
            sources = {}
        for sid, src in sources.items():
            if not isinstance(src, dict) or not src.get("title") or not src.get("licence"):
                self.problem(where, f"source {sid!r} needs at least 'title' and 'licence'")
        self.sources = {str(k): v for k, v in sources.items() if isinstance(v, dict)}
        return meta

    # -- rows -------------------------------------------------------------------------------------------------
    def _rows(self, pattern: str, columns: tuple[str, ...]) -> Iterable[tuple[str, dict[str, str]]]:
        for file in sorted(self.folder.glob(pattern)):
            try:
                with file.open(encoding="utf-8", newline="") as handle:
                    reader = csv.DictReader(handle)
                    header = reader.fieldnames or []
                    missing = [c for c in columns if c not in header]
                    unknown = [c for c in header if c not in columns]
                    if missing or unknown:
                        self.problem(f"{file}:1", f"header: missing columns {missing}, unknown columns {unknown}; "
                                                  f"expected {', '.join(columns)}")
                        continue
                    for row in reader:
                        if None in row:
                            self.problem(f"{file}:{reader.line_num}", "more cells than header columns")
                            continue
                        yield f"{file}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items()}
            except UnicodeDecodeError as exc:
                self.problem(str(file), f"not UTF-8 text: {exc}")

    def _provenance(self, where: str, row: dict[str, str]) -> Provenance | None:
        ok = True
        for column in _REQUIRED_TEXT:
            if not row[column]:
                self.problem(where, f"'{column}' is empty")
                ok = False
        if row["source"] and row["source"] not in self.sources:
            self.problem(where, f"source {row['source']!r} is not declared in metadata.yaml "
                                f"(declared: {', '.join(self.sources) or 'none'})")
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
        return Provenance(row["source"], title, row["locator"], year, row["geography"], row["licence"],
                          file, int(line))

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

    def _distribution(self, where: str, text: str, value: float | None) -> Distribution | None:
        try:
            return parse_distribution(text, value)
        except ValueError as exc:
            self.problem(where, f"uncertainty: {exc}")
            return None

    def _parameters(self) -> dict[str, Parameter]:
        parameters: dict[str, Parameter] = {}
        for where, row in self._rows("parameters*.csv", PARAMETER_COLUMNS):
            name = row["name"]
            if not name:
                self.problem(where, "'name' is empty")
                continue
            if name in parameters:
                self.problem(where, f"duplicate parameter {name!r} (first at line {parameters[name].provenance.line})")
                continue
            provenance = self._provenance(where, row)
            value = self._number(where, row["value"])
            distribution = self._distribution(where, row["uncertainty"], value)
            if row["unit"]:
                try:
                    units.parse_unit(row["unit"], "unit")
                except UnitError as exc:
                    self.problem(where, f"unit {row['unit']!r}: {exc.reason}")
                    continue
            if provenance and value is not None and distribution:
                parameters[name] = Parameter(name, value, row["unit"], distribution, provenance, row["note"])
        return parameters

    def _factors(self, parameters: dict[str, Parameter]) -> dict[tuple[str, str, str], Factor]:
        factors: dict[tuple[str, str, str], Factor] = {}
        first_line: dict[tuple[str, str, str], str] = {}
        for where, row in self._rows("factors*.csv", FACTOR_COLUMNS):
            key = self._key(where, row)
            provenance = self._provenance(where, row)
            if key is None or provenance is None:
                continue
            if key in first_line:
                self.problem(where, f"duplicate factor for {key} (first at {first_line[key]})")
                continue
            first_line[key] = where
            factor = self._factor(where, row, key, provenance, parameters)
            if factor is not None:
                factors[key] = factor
        return factors

    def _key(self, where: str, row: dict[str, str]) -> tuple[str, str, str] | None:
        ok = True
        try:
            get_flow(row["flow"])
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
        return (row["flow"], criterion, row["phase"]) if ok else None

    def _factor(self, where: str, row: dict[str, str], key: tuple[str, str, str], provenance: Provenance,
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
                bound = {p.name: ureg.Quantity(p.value, units.parse_unit(p.unit, p.name)) for p in inputs}
                quantity = evaluate_formula(row["formula"], bound)
                quantity = ureg.Quantity(quantity).to(units.parse_unit(row["unit"], "unit"))
            value = units.to_magnitude(quantity, canonical, "unit")
        except UnitError as exc:
            self.problem(where, f"unit {row['unit']!r}: {exc.reason or exc}; the factor must be in "
                                f"{get_criterion(criterion).unit} per {get_flow(flow).unit}")
            return None
        except (ValueError, ZeroDivisionError, TypeError) as exc:
            self.problem(where, f"formula {row['formula']!r}: {exc}")
            return None
        declared_value = float(quantity.magnitude)
        distribution = self._distribution(where, row["uncertainty"], declared_value)
        if distribution is None:
            return None
        scale = value / declared_value if declared_value else 1.0
        return Factor(flow, criterion, phase, value, canonical, distribution.scaled(scale), provenance,
                      row["formula"] or None, inputs, row["note"])


def canonical_factor_unit(flow: str, criterion: str) -> str:
    """The unit factors of this flow and criterion are stored in: criterion unit per flow unit."""
    flow_unit = get_flow(flow).unit
    return f"{get_criterion(criterion).unit} / {flow_unit if flow_unit.isidentifier() else f'({flow_unit})'}"


def _assemble(meta: dict[str, Any], factors: dict[tuple[str, str, str], Factor], parameters: dict[str, Parameter],
              path: str) -> FactorSet:
    present_flows = {k[0] for k in factors}
    flows = tuple(f for f in FLOWS if f in present_flows)
    present_criteria = {k[1] for k in factors} | set(MISSION_CRITERIA)
    criteria = tuple(c.id for c in CRITERIA if c.id in present_criteria)
    fi = {f: i for i, f in enumerate(flows)}
    ci = {c: i for i, c in enumerate(criteria)}
    pi = {p: i for i, p in enumerate(PHASE_IDS)}
    values = np.zeros((len(flows), len(criteria), len(PHASE_IDS)))
    covered = np.zeros((len(flows), len(criteria)), dtype=bool)
    for (flow, criterion, phase), f in factors.items():
        values[fi[flow], ci[criterion], pi[phase]] = f.value
        covered[fi[flow], ci[criterion]] = True
    values.flags.writeable = False
    covered.flags.writeable = False
    return FactorSet(
        id=str(meta["id"]), version=str(meta["version"]), title=str(meta["title"]), licence=str(meta["licence"]),
        sources={str(k): dict(v) for k, v in meta["sources"].items()}, flows=flows, criteria=criteria,
        values=values, covered=covered, factors=factors, parameters=parameters, path=path,
        description=str(meta.get("description", "")),
    )


__all__ = [
    "DEFAULT_FACTOR_SET",
    "NO_UNCERTAINTY",
    "Factor",
    "FactorSet",
    "Parameter",
    "Provenance",
    "available_factor_sets",
    "canonical_factor_unit",
    "data_root",
    "load_factor_set",
    "load_factors",
]
