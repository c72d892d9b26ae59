"""Published assessments reproduced: a registry of cases, each run against its published figures.

A case is a folder (format in ``lca_numerique/cases/README.md``): ``case.yaml`` (source, licence, criteria and
stages covered, tolerance, factors), ``inventory.yaml`` (the published inputs), ``expected.csv`` (the published
figures, tidy) and ``differences.md`` (why ours differs, stage by stage). The bundled cases live in
``lca_numerique/cases/``; any folder in the same format can be loaded by its path.

:func:`reproduce` evaluates the inventory with the case's factors and sets each published figure beside ours:
``ratio`` = ours / published, ``within`` when |ratio − 1| is at most the tolerance for that row. A figure we do
not cover, or cover only in part, is never within. Every file is read strictly (YAML through the library's one
bounded reader); any problem raises :class:`CaseError` listing each problem with its file, line and field.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, InventoryError, Problem, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors import FactorSet
    from .inventory import Inventory, Located

__all__ = [
    "CASE_KEYS",
    "EXPECTED_COLUMNS",
    "FACTOR_KEYS",
    "FORMAT_VERSION",
    "MAX_EXPECTED_BYTES",
    "METHODS",
    "REFERENCE_IMPLEMENTATIONS",
    "REFERENCE_KEYS",
    "SOURCE_KEYS",
    "TABLE_COLUMNS",
    "TOLERANCE_KEYS",
    "TOTAL",
    "Case",
    "CaseError",
    "Reproduction",
    "Tolerance",
    "case_folder",
    "cases_root",
    "cases_table",
    "convertible",
    "format_reproduction",
    "list_cases",
    "load_case",
    "reproduce",
]

FORMAT_VERSION = 1
#: The stage label of a figure over every stage of a service.
TOTAL = "total"
CASE_KEYS = ("case", "id", "title", "source", "criteria", "stages", "per", "tolerance", "gaps", "factors",
             "method", "reference", "notes")
SOURCE_KEYS = ("document", "table", "year", "url", "licence", "version")
TOLERANCE_KEYS = ("total", "stage", "criteria", "stages")
FACTOR_KEYS = ("profile", "parameters", "licences")
REFERENCE_KEYS = ("implementation", "version", "runs")
#: Reference implementations a case may name, run live by the tests (not shipped: they need node).
REFERENCE_IMPLEMENTATIONS = ("impactco2-node",)
#: ``method`` of a case: our engine, or a web method run on the inventory's one website.
METHODS = ("lca", "ecoindex", "swd_v3", "swd_v4", "onebyte")
EXPECTED_COLUMNS = ("service", "stage", "criterion", "value", "unit", "source")
TABLE_COLUMNS = ("service", "stage", "criterion", "unit", "ours", "published", "ratio", "tolerance", "within",
                 "documented", "coverage", "source")
MAX_EXPECTED_BYTES = 1_000_000
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DECIMAL = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_MASS_PREFIX = {"kt": 1e6, "t": 1e3, "kg": 1.0, "g": 1e-3, "mg": 1e-6, "µg": 1e-9}
_VOLUME = {"m³": 1.0, "m3": 1.0, "L": 1e-3, "l": 1e-3, "cl": 1e-5, "ml": 1e-6}


class CaseError(InputError):
    """A reproduced-case folder is invalid; each problem names its file, line and field."""

    what = "a reproduced case"


def cases_root() -> Path:
    """The folder of the bundled cases."""
    return Path(str(resources.files("lca_numerique") / "cases"))


def list_cases(root: str | Path | None = None) -> list[str]:
    """Ids of the cases in ``root`` (default: the bundled registry), sorted: every folder holding a
    ``case.yaml``."""
    folder = Path(root) if root is not None else cases_root()
    return sorted(p.name for p in folder.iterdir() if (p / "case.yaml").is_file())


@dataclass(frozen=True)
class Tolerance:
    """Relative bounds on |ours / published − 1|: ``total`` for rows of stage ``total``, ``stage`` for the
    others, per criterion (``criteria[criterion] = (total, stage)``) where a case needs it, and per stage
    (``stages[stage]``, for every criterion), which wins: a stage known to agree better, or worse, than the
    rest."""

    total: float
    stage: float
    criteria: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    stages: Mapping[str, float] = field(default_factory=dict)

    def bound(self, criterion: str, stage: str) -> float:
        """The bound for a row of ``criterion`` and ``stage`` (a fraction: 0.15 is ±15 %)."""
        total, other = self.criteria.get(criterion, (self.total, self.stage))
        return self.stages.get(stage, total if stage == TOTAL else other)


@dataclass(frozen=True)
class Case:
    """A published assessment with its inputs (``inventory``) and its figures (``expected``: the columns of
    ``expected.csv``, ``value`` in ``unit``, plus ``line``, the row's line in the file)."""

    id: str
    title: str
    folder: Path
    source: Mapping[str, Any]
    criteria: tuple[str, ...]
    stages: tuple[str, ...]
    per: str
    tolerance: Tolerance
    gaps: Mapping[tuple[str, str], tuple[float, float]]
    factors: Mapping[str, Any]
    method: str
    reference: Mapping[str, Any]
    notes: str
    inventory: Inventory
    expected: pd.DataFrame
    differences: str

    def load_factors(self) -> FactorSet:
        """The factors the case asks for (its ``factors:``, else the inventory's choice)."""
        return _factor_choice(self.factors, self.folder) if self.factors else self.inventory.load_factors()


def _factor_choice(factors: Mapping[str, Any], folder: Path) -> FactorSet:
    """The factor set of a case's ``factors:`` (a profile path is read from the case's folder)."""
    from .factors import load_factors

    return load_factors(factors.get("profile"), parameters=factors.get("parameters"),
                        licences=factors.get("licences"), base=folder)


@dataclass(frozen=True)
class Reproduction:
    """The outcome of :func:`reproduce`: ``table`` (columns :data:`TABLE_COLUMNS`, one row per published
    figure), ``within``, True only when every row is within its tolerance, and ``explained``, True when every
    row is within its tolerance or is a documented gap (``gaps:`` of case.yaml, explained in differences.md)
    whose ratio stays in the range stated for it."""

    case: Case
    table: pd.DataFrame
    factors_label: str

    @property
    def within(self) -> bool:
        """Whether every published figure is reproduced within its tolerance."""
        return bool(self.table["within"].all())

    @property
    def explained(self) -> bool:
        """Whether every figure is within its tolerance or a documented gap within its stated ratio range."""
        return bool((self.table["within"] | self.table["documented"]).all())


def case_folder(case: str | Path) -> Path:
    """The folder of ``case``: a bundled case id, or the path of a case folder."""
    path = Path(case)
    if path.is_dir():
        return path
    if isinstance(case, str) and _ID.fullmatch(case) and (cases_root() / case / "case.yaml").is_file():
        return cases_root() / case
    raise UnknownNameError("case", str(case), list_cases(), listing="`lca-numerique reproduce` lists the cases")


def load_case(case: str | Path) -> Case:
    """Read and check a case (a bundled id or a folder's path). Raises CaseError listing every problem of its
    files (the inventory's too) with its file, line and field."""
    from .inventory import load_inventory, read_yaml

    folder = case_folder(case)
    located = read_yaml(folder / "case.yaml", what="a case description", max_bytes=MAX_EXPECTED_BYTES)
    checker = _CaseChecker(located, folder)
    meta = checker.check()
    try:
        inventory = load_inventory(folder / "inventory.yaml")
    except InventoryError as exc:
        raise CaseError([*checker.problems, *exc.problems]) from None
    checker.check_against(inventory, meta)
    expected = _read_expected(folder / "expected.csv", meta, inventory, checker.problems)
    differences = _read_differences(folder / "differences.md", checker.problems)
    if checker.problems:
        raise CaseError(checker.problems)
    return Case(inventory=inventory, expected=expected, differences=differences, folder=folder, **meta)


def reproduce(case: Case | str | Path) -> Reproduction:
    """Run ``case`` (a Case, a bundled id or a folder) and set ours beside each published figure: a tidy table
    (see :class:`Reproduction`) with ``ours`` and ``published`` in the row's unit and ``ratio`` = ours /
    published."""
    import numpy as np
    import pandas as pd

    case = case if isinstance(case, Case) else load_case(case)
    factors = case.load_factors()
    ours = _ours_lca(case, factors) if case.method == "lca" else _ours_web_method(case, factors)
    rows = []
    for row in case.expected.itertuples(index=False):
        value, unit, coverage = _lookup(ours, row.service, row.stage, row.criterion)
        value = value * _unit_factor(unit, row.unit) if unit is not None and math.isfinite(value) else value
        ratio = value / row.value if math.isfinite(value) else math.nan
        bound = case.tolerance.bound(row.criterion, row.stage)
        # A figure we cover only in part is not reproduced, whatever its ratio: the gap would hide in it; nor is
        # one we find zero or of the other sign, however wide the tolerance.
        reproduced = coverage == "complete" and math.isfinite(ratio) and ratio > 0
        within = bool(reproduced and abs(ratio - 1) <= bound * (1 + 1e-12))
        # a documented gap stays a gap (the target is not met) but a known one: if our figure moves out of the
        # range differences.md explains, the explanation no longer holds
        low, high = case.gaps.get((row.criterion, row.stage), (math.nan, math.nan))
        documented = bool(not within and reproduced and low <= ratio <= high)
        rows.append((row.service, row.stage, row.criterion, row.unit, value, row.value, ratio, bound, within,
                     documented, coverage, row.source))
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table[["ours", "published", "ratio", "tolerance"]] = table[["ours", "published", "ratio", "tolerance"]].astype(
        np.float64)
    return Reproduction(case, table, factors.label)


def _lookup(ours: Mapping[tuple[str, str, str], tuple[float, str, str]], service: str, stage: str,
            criterion: str) -> tuple[float, str | None, str]:
    """Our (value, unit, coverage) of a row; a stage written ``a+b`` is the sum of those stages, covered as
    the engine covers totals (NaN when no part is covered, ``partial`` when some part lacks)."""
    parts = [ours.get((service, part, criterion), (0.0, None, "complete"))  # no line in a stage: a true zero
             for part in stage.split("+")]
    if len(parts) == 1:
        return parts[0]
    units = {unit for _, unit, _ in parts if unit is not None}
    finite = [value for value, _, _ in parts if math.isfinite(value)]
    if all(coverage == "complete" for _, _, coverage in parts):
        coverage = "complete"
    else:
        coverage = "partial" if finite else "not covered"
    return (math.fsum(finite) if finite else math.nan), (units.pop() if units else None), coverage


def _ours_lca(case: Case, factors: FactorSet) -> dict[tuple[str, str, str], tuple[float, str, str]]:
    """(service, stage, criterion) -> (value, unit, coverage) from our engine, per audience or in total; the
    case id as service sums every service."""
    results = case.inventory.evaluate(factors)
    per_audience = case.per == "audience"
    found: dict[tuple[str, str, str], tuple[float, str, str]] = {}
    views = ((("service", "stage"), lambda r: (r.service, r.stage)), (("service",), lambda r: (r.service, TOTAL)))
    if not per_audience:
        views += ((("stage",), lambda r: (case.id, r.stage)), ((), lambda r: (case.id, TOTAL)))
    elif len(case.inventory.services) == 1:
        only = case.inventory.services[0].name
        views += ((("service", "stage"), lambda r: (case.id, r.stage) if r.service == only else None),
                  (("service",), lambda r: (case.id, TOTAL) if r.service == only else None))
    for by, key_of in views:
        for r in results.total(by, per_audience=per_audience).itertuples(index=False):
            key = key_of(r)
            if key is not None:
                found[(*key, str(r.criterion))] = (float(r.value), str(r.unit), str(r.coverage))
    return found


def _ours_web_method(case: Case, factors: FactorSet) -> dict[tuple[str, str, str], tuple[float, str, str]]:
    """(service, ``total``, criterion) -> (value, unit, coverage) of the case's web method on its website."""
    from .web_methods import compare

    name = {"ecoindex": compare.ECOINDEX, "swd_v3": compare.SWD_V3, "swd_v4": compare.SWD_V4,
            "onebyte": compare.ONEBYTE}[case.method]
    (site,) = case.inventory.services
    if case.method == "ecoindex":
        from .web_methods.ecoindex import ecoindex

        ecoindex(0, 0, 0)  # raises EcoIndexUnavailable, saying how to install it, when ecoindex-compute is absent
    table = compare.compare_methods(site, factors)  # type: ignore[arg-type]
    found = {}
    for r in table[table["method"] == name].itertuples(index=False):
        for service in (site.name, case.id):
            found[(service, TOTAL, str(r.criterion))] = (float(r.value), str(r.unit), "complete")
    return found


def _unit_factor(unit: str, target: str) -> float:
    """What one ``unit`` is in ``target``; units of one criterion differ only by a mass prefix (``g CO2 eq``,
    ``kg CO2 eq``) or a volume unit (``cl``, ``m³``)."""
    return _unit_scale(unit) / _unit_scale(target)


def _unit_scale(unit: str) -> float:
    head, _, rest = unit.partition(" ")
    if rest and head in _MASS_PREFIX:
        return _MASS_PREFIX[head]
    return _VOLUME.get(unit, 1.0)


def convertible(unit: str, criterion_unit: str) -> bool:
    """Whether a figure in ``unit`` can be compared with ``criterion_unit``: the same unit, the same with
    another mass prefix, or another unit of volume for a volume."""
    if unit == criterion_unit:
        return True
    head, _, rest = unit.partition(" ")
    c_head, _, c_rest = criterion_unit.partition(" ")
    if rest and head in _MASS_PREFIX and c_head in _MASS_PREFIX:
        return rest == c_rest
    return unit in _VOLUME and criterion_unit in _VOLUME


# -- reading ---------------------------------------------------------------------------------------------------
class _CaseChecker:
    """Checks ``case.yaml``, collecting every problem located in the file."""

    def __init__(self, located: Located, folder: Path) -> None:
        self.located, self.folder = located, folder
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def keys(self, mapping: dict[str, Any], path: tuple[str | int, ...], accepted: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in accepted:
                self.problem((*path, key), f"unknown key {key!r}; accepted: {', '.join(accepted)}")

    def text(self, mapping: dict[str, Any], key: str, path: tuple[str | int, ...] = (), required: bool = True) -> str:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(path if key not in mapping else (*path, key), f"'{key}' is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), f"'{key}' must be non-empty text")
            return ""
        return value

    def check(self) -> dict[str, Any]:
        from .bill import STAGES
        from .criteria import CRITERIA

        data = self.located.data
        if not isinstance(data, dict):
            self.problem((), "a case is a mapping: case, id, title, source, criteria, stages, tolerance...")
            raise CaseError(self.problems)
        self.keys(data, (), CASE_KEYS)
        if data.get("case") != FORMAT_VERSION:
            self.problem(("case",), f"'case' is the format version: {FORMAT_VERSION}")
        case_id = self.text(data, "id")
        if case_id and case_id != self.folder.name:
            self.problem(("id",), f"the id {case_id!r} must be the folder's name {self.folder.name!r}")
        if case_id and not _ID.fullmatch(case_id):
            self.problem(("id",), "an id is lower-case letters, digits and '-'")
        source = self._source(data.get("source"))
        criteria = self._names(data, "criteria", [c.id for c in CRITERIA])
        stages = self._names(data, "stages", [TOTAL, *STAGES], sums=True)
        per = data.get("per", "audience")
        if per not in ("audience", "total"):
            self.problem(("per",), "'per' is 'audience' (per unit of each service's audience) or 'total'")
        method = data.get("method", "lca")
        if method not in METHODS:
            self.problem(("method",), f"'method' is one of {', '.join(METHODS)}")
        elif method != "lca" and (set(stages) - {TOTAL} or per != "audience"):
            self.problem(("method",), "a web method gives one figure per visit: stages [total], per: audience")
        return {"id": case_id, "title": self.text(data, "title"), "source": source, "criteria": criteria,
                "stages": stages, "per": per, "tolerance": self._tolerance(data.get("tolerance"), criteria, stages),
                "gaps": self._gaps(data.get("gaps"), criteria, stages),
                "factors": self._factors(data.get("factors")), "method": method,
                "reference": self._reference(data.get("reference"), stages), "notes": str(data.get("notes") or "")}

    def _source(self, source: Any) -> dict[str, Any]:
        path = ("source",)
        if not isinstance(source, dict):
            self.problem(path, "'source' is a mapping: document, table, year, url, licence (version optional)")
            return {}
        self.keys(source, path, SOURCE_KEYS)
        for key in ("document", "table", "url", "licence"):
            self.text(source, key, path)
        if source.get("url") and not str(source["url"]).startswith(("https://", "http://")):
            self.problem((*path, "url"), "'url' is a web address (https://...)")
        year = source.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
            self.problem((*path, "year"), "'year' is the year of publication (1990 to 2100)")
        if "version" in source:
            self.text(source, "version", path)
        return dict(source)

    def _names(self, data: dict[str, Any], key: str, known: list[str], sums: bool = False) -> tuple[str, ...]:
        """A list of names from ``known``; with ``sums``, also sums of names (``a+b``, each once, not ``total``)."""
        values = data.get(key)
        if not isinstance(values, list) or not values:
            self.problem((key,) if key in data else (), f"'{key}' is a non-empty list")
            return ()
        for i, value in enumerate(values):
            parts = value.split("+") if sums and isinstance(value, str) and "+" in value else [value]
            if any(p not in known or (len(parts) > 1 and p == TOTAL) for p in parts) or len(set(parts)) < len(parts):
                also = "; or a sum of distinct stages, 'sender_device+receiver_device'" if sums else ""
                self.problem((key, i), f"{value!r} is not one of {', '.join(known)}{also}")
        if len(set(map(str, values))) != len(values):
            self.problem((key,), f"'{key}' lists a name twice")
        return tuple(str(v) for v in values)

    def _bound(self, value: Any, path: tuple[str | int, ...]) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
            self.problem(path, "a tolerance is a relative bound, a number ≥ 0 (0.15 for ±15 %)")
            return math.nan
        return float(value)

    def _tolerance(self, tolerance: Any, criteria: tuple[str, ...], stages: tuple[str, ...]) -> Tolerance:
        path = ("tolerance",)
        if not isinstance(tolerance, dict):
            self.problem(path, "'tolerance' is a mapping: total, stage (relative bounds), criteria (optional)")
            return Tolerance(math.nan, math.nan)
        self.keys(tolerance, path, TOLERANCE_KEYS)
        total = self._bound(tolerance.get("total"), (*path, "total"))
        stage = self._bound(tolerance.get("stage"), (*path, "stage"))
        per_criterion: dict[str, tuple[float, float]] = {}
        given = tolerance.get("criteria") or {}
        if not isinstance(given, dict):
            self.problem((*path, "criteria"), "'criteria' maps a criterion to {total: ..., stage: ...}")
            given = {}
        for criterion, bounds in given.items():
            where = (*path, "criteria", criterion)
            if criterion not in criteria:
                self.problem(where, f"{criterion!r} is not among the case's criteria")
            if not isinstance(bounds, dict):
                self.problem(where, "a criterion's tolerance is {total: ..., stage: ...}")
                continue
            self.keys(bounds, where, ("total", "stage"))
            per_criterion[criterion] = (self._bound(bounds.get("total", total), (*where, "total")),
                                        self._bound(bounds.get("stage", stage), (*where, "stage")))
        per_stage: dict[str, float] = {}
        given_stages = tolerance.get("stages") or {}
        if not isinstance(given_stages, dict):
            self.problem((*path, "stages"), "'stages' maps a stage to its bound")
            given_stages = {}
        for name, bound in given_stages.items():
            if name not in stages:
                self.problem((*path, "stages", name), f"{name!r} is not among the case's stages")
            per_stage[name] = self._bound(bound, (*path, "stages", name))
        return Tolerance(total, stage, per_criterion, per_stage)

    def _gaps(self, gaps: Any, criteria: tuple[str, ...],
              stages: tuple[str, ...]) -> dict[tuple[str, str], tuple[float, float]]:
        """``gaps: {criterion: {stage: [low, high]}}``: figures known to miss the target, each with the range of
        ratio (ours / published) that differences.md explains."""
        path: tuple[str | int, ...] = ("gaps",)
        if gaps is None:
            return {}
        if not isinstance(gaps, dict):
            self.problem(path, "'gaps' maps a criterion to {stage: [lowest ratio, highest ratio]}")
            return {}
        found: dict[tuple[str, str], tuple[float, float]] = {}
        for criterion, by_stage in gaps.items():
            where = (*path, criterion)
            if criterion not in criteria:
                self.problem(where, f"{criterion!r} is not among the case's criteria")
            if not isinstance(by_stage, dict):
                self.problem(where, "a criterion's gaps map a stage to [lowest ratio, highest ratio]")
                continue
            for stage, band in by_stage.items():
                here = (*where, stage)
                if stage not in stages:
                    self.problem(here, f"{stage!r} is not among the case's stages")
                if (not isinstance(band, list) or len(band) != 2
                        or any(isinstance(b, bool) or not isinstance(b, (int, float)) for b in band)
                        or not 0 < band[0] <= band[1] < math.inf):
                    self.problem(here, "a gap is [lowest ratio, highest ratio] of ours / published, "
                                       "0 < lowest ≤ highest (e.g. [0.5, 0.6])")
                    continue
                found[(str(criterion), str(stage))] = (float(band[0]), float(band[1]))
        return found

    def _factors(self, factors: Any) -> dict[str, Any]:
        if factors is None:
            return {}
        if not isinstance(factors, dict):
            self.problem(("factors",), "'factors' is a mapping: profile, parameters, licences")
            return {}
        self.keys(factors, ("factors",), FACTOR_KEYS)
        return {k: v for k, v in factors.items() if k in FACTOR_KEYS}

    def _reference(self, reference: Any, stages: tuple[str, ...]) -> dict[str, Any]:
        path = ("reference",)
        if reference is None:
            return {}
        if not isinstance(reference, dict):
            self.problem(path, "'reference' is a mapping: implementation, version, runs")
            return {}
        self.keys(reference, path, REFERENCE_KEYS)
        if reference.get("implementation") not in REFERENCE_IMPLEMENTATIONS:
            self.problem((*path, "implementation"), f"one of {', '.join(REFERENCE_IMPLEMENTATIONS)}")
        self.text(reference, "version", path)
        runs = reference.get("runs")
        if not isinstance(runs, dict) or not runs:
            self.problem((*path, "runs"), "'runs' maps a service name to {rule: ..., situation: {...}}")
            return {}
        for name, run in runs.items():
            where = (*path, "runs", name)
            if not isinstance(run, dict) or not isinstance(run.get("rule"), str) or not isinstance(
                    run.get("situation", {}), dict) or not isinstance(run.get("stages"), dict):
                self.problem(where, "a run is {rule: <rule>, situation: {<rule>: <value>...}, stages: {<stage>: "
                                    "<rule, or list of rules, giving the figure of that stage>...}}")
                continue
            self.keys(run, where, ("rule", "situation", "stages"))
            for stage, rules in run["stages"].items():
                rules = rules if isinstance(rules, list) else [rules]
                if stage not in stages or not rules or not all(isinstance(r, str) for r in rules):
                    self.problem((*where, "stages", stage), "a stage of the case, mapped to a rule name or a list "
                                                            "of rules (summed)")
        return dict(reference)

    def check_against(self, inventory: Inventory, meta: dict[str, Any]) -> None:
        """Checks that need the inventory: the factor choice agrees with it, the runs name its services, a web
        method has one website."""
        names = {s.name for s in inventory.services}
        if meta["factors"] and inventory.factors and dict(inventory.factors) != self._as_inventory(meta["factors"]):
            self.problem(("factors",), "inventory.yaml chooses other factors: keep the choice in one place")
        for name in (meta["reference"].get("runs") or {}):
            if name not in names:
                self.problem(("reference", "runs", name), f"no service {name!r} in inventory.yaml")
        if meta["method"] in METHODS[1:] and [s.kind for s in inventory.services] != ["website"]:
            self.problem(("method",), "a web method runs on an inventory of exactly one website")
        if meta["factors"]:
            try:
                _factor_choice(meta["factors"], self.folder)
            except InputError as exc:
                for problem in exc.problems:
                    self.problem(("factors",), str(problem))

    def _as_inventory(self, factors: Mapping[str, Any]) -> dict[str, Any]:
        """The case's factor choice as the inventory records its own (a profile path made absolute)."""
        from .factors import available_factor_sets, available_profiles

        view = dict(factors)
        profile = view.get("profile")
        if isinstance(profile, str) and profile not in available_profiles() + available_factor_sets():
            view["profile"] = str((self.folder / profile).resolve())
        return view


def _read_expected(path: Path, meta: dict[str, Any], inventory: Inventory, problems: list[Problem]) -> pd.DataFrame:
    """The expected table, each row checked; problems appended with their line and column name."""
    import pandas as pd

    from .criteria import get_criterion

    name = str(path)
    rows: list[tuple[Any, ...]] = []
    text = _read_bounded(path, problems)
    if text is None:
        return pd.DataFrame(columns=[*EXPECTED_COLUMNS, "line"])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != EXPECTED_COLUMNS:
            problems.append(Problem(name, 1, 1, "", f"the header must be {','.join(EXPECTED_COLUMNS)}"))
            return pd.DataFrame(columns=[*EXPECTED_COLUMNS, "line"])
        services = {s.name for s in inventory.services} | {meta["id"]}
        seen: dict[tuple[str, str, str], int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(EXPECTED_COLUMNS):
                problems.append(Problem(name, line, 0, "", f"{len(cells)} cells; expected {len(EXPECTED_COLUMNS)}"))
                continue
            # only spaces are trimmed: str.strip() would also drop control characters ("1\x1f" read as 1)
            row = dict(zip(EXPECTED_COLUMNS, (c.strip(" ") for c in cells), strict=True))

            def bad(column: str, message: str, line: int = line) -> None:
                problems.append(Problem(name, line, EXPECTED_COLUMNS.index(column) + 1, column, message))

            if row["service"] not in services:
                bad("service", f"{row['service']!r} is no service of inventory.yaml, nor the case id")
            elif row["service"] == meta["id"] and meta["per"] == "audience" and len(inventory.services) != 1:
                bad("service", "per audience, the whole case is one service only: name the service")
            if row["stage"] not in meta["stages"]:
                bad("stage", f"{row['stage']!r} is not among the case's stages ({', '.join(meta['stages'])})")
            if row["criterion"] not in meta["criteria"]:
                bad("criterion", f"{row['criterion']!r} is not among the case's criteria")
            elif not convertible(row["unit"], get_criterion(row["criterion"]).unit):
                bad("unit", f"{row['unit']!r} does not compare with {get_criterion(row['criterion']).unit}")
            value = math.nan
            if not _DECIMAL.fullmatch(row["value"]):
                bad("value", f"{row['value']!r} is not a decimal number written with a point")
            else:
                value = float(row["value"])
                if value == 0 or not math.isfinite(value):
                    bad("value", "a published figure is finite and not zero (a zero gives no ratio)")
            if not row["source"]:
                bad("source", "say where this figure is read")
            key = (row["service"], row["stage"], row["criterion"])
            if key in seen:
                bad("stage", f"{key} is already given at line {seen[key]}")
            seen.setdefault(key, line)
            rows.append((*(row[c] for c in EXPECTED_COLUMNS[:3]), value, row["unit"], row["source"], line))
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, 0, "", f"CSV: {exc}"))
    if not rows:
        problems.append(Problem(name, 0, 0, "", "no published figure"))
    for key, listed in (("stage", meta["stages"]), ("criterion", meta["criteria"])):
        for value in set(listed) - {r[EXPECTED_COLUMNS.index(key)] for r in rows}:
            problems.append(Problem(name, 0, 0, key, f"case.yaml lists {value!r} but no row gives it"))
    return pd.DataFrame(rows, columns=[*EXPECTED_COLUMNS, "line"])


def _read_bounded(path: Path, problems: list[Problem]) -> str | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EXPECTED_BYTES + 1)
    except OSError as exc:
        problems.append(Problem(str(path), 0, 0, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(raw) > MAX_EXPECTED_BYTES:
        problems.append(Problem(str(path), 0, 0, "", f"over {MAX_EXPECTED_BYTES / 1e6:g} MB"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), 0, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None


def _read_differences(path: Path, problems: list[Problem]) -> str:
    text = _read_bounded(path, problems)
    if text is not None and not text.strip():
        problems.append(Problem(str(path), 0, 0, "", "explain the remaining differences, stage by stage"))
    return text or ""


# -- writing -----------------------------------------------------------------------------------------------------
def format_reproduction(reproduction: Reproduction, lang: str = "en") -> str:
    """The reproduction as text for a terminal, in ``lang``: the case and its source, a table of ours /
    published / ratio per row (numbers as ``lang`` writes them), and the verdict."""
    import pandas as pd

    from .criteria import get_criterion
    from .i18n import display_unit, format_number, format_percent, label, translator

    _ = translator(lang).gettext
    case, table = reproduction.case, reproduction.table
    source = case.source
    ours, published, units = [], [], []
    for row in table.itertuples(index=False):
        factor, unit = _readable(row.published, row.unit, get_criterion(row.criterion).unit)
        ours.append(format_number(row.ours * factor, lang, 4))
        published.append(format_number(row.published * factor, lang, 4))
        units.append(display_unit(unit, lang))
    shown = pd.DataFrame({
        _("service"): table["service"], _("stage"): table["stage"],
        _("criterion"): [label(get_criterion(c), lang) for c in table["criterion"]],
        _("ours"): ours, _("published"): published, _("unit"): units,
        _("ratio"): [format_number(v, lang, 4) for v in table["ratio"]],
        _("tolerance"): ["±" + format_percent(v, lang) for v in table["tolerance"]],
        _("within"): [_("yes") if w else (_("documented gap") if d else _("NO"))
                      for w, d in zip(table["within"], table["documented"], strict=True)],
    })
    verdict = (_("within tolerance") if reproduction.within else
               _("OUTSIDE tolerance: {n} of {total} figures").format(n=int((~table["within"]).sum()),
                                                                   total=len(table)))
    if not reproduction.within:
        verdict += "; " + _("{n} of them documented gaps within their stated ranges").format(
            n=int(table["documented"].sum()))
    lines = [f"{case.id} — {case.title}",
             _("Source: {document}, {table} ({year}), {url}; licence: {licence}").format(
                 document=source["document"], table=source["table"], year=source["year"], url=source["url"],
                 licence=source["licence"]),
             _("Factors: {factors}").format(factors=reproduction.factors_label), "",
             shown.to_string(index=False), "", _("Verdict: {verdict}").format(verdict=verdict),
             _("Differences explained in {path}").format(path=case.folder / "differences.md")]
    return "\n".join(lines)


def _readable(published: float, unit: str, criterion_unit: str) -> tuple[float, str]:
    """(factor, unit): values in ``unit`` times factor read in the returned unit, a mass scaled so that the
    published figure reads between 1 and 1000 (``67.8 g CO2e`` rather than ``0.0678 kg CO2 eq``)."""
    from .i18n import scale

    if not criterion_unit.startswith("kg "):
        return 1.0, unit
    to_criterion = _unit_factor(unit, criterion_unit)
    scaled, shown = scale(published * to_criterion, criterion_unit)
    return scaled / published, shown


def cases_table(root: str | Path | None = None) -> pd.DataFrame:
    """One row per case of ``root`` (default: the bundled registry): id, title, year, licence."""
    import pandas as pd

    from .inventory import read_yaml

    rows = []
    for case_id in list_cases(root):
        folder = (Path(root) if root is not None else cases_root()) / case_id
        data = read_yaml(folder / "case.yaml", what="a case description", max_bytes=MAX_EXPECTED_BYTES).data
        source = data.get("source") if isinstance(data, dict) else None
        source = source if isinstance(source, dict) else {}
        rows.append((case_id, str(data.get("title", "")) if isinstance(data, dict) else "",
                     source.get("year", ""), source.get("licence", "")))
    return pd.DataFrame(rows, columns=["id", "title", "year", "licence"])
