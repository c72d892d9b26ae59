"""The catalogue of flows: the "materials" a bill of materials can hold.

A flow is one kind of thing a service consumes, in one canonical unit, belonging to exactly one tier:
an hour of use of a smartphone, a GB over the French mobile network, a GB stored for a year in a data
centre, a kWh of electricity used by a data centre in Europe, a kg of paper...

Flows whose impacts depend on where they happen (through the electricity they use, or the network they
cross) carry a zone: ``device.smartphone@FR`` is an hour on a smartphone used in France (its use phase runs
on French electricity), ``network.mobile@EU`` a GB over a European mobile network.

Each flow also has the life-cycle phases its nature gives it (``phases``): all four for a device or a
network, ``use`` only for a kWh, embodied phases only for data-centre equipment whose electricity is a
separate line. A factor set must cover each of them, or the results using the flow are partial.

The catalogue is data: ``catalogue/flows.csv`` (one row per flow kind: ``kind, tier, unit, implicit, zoned,
phases, description``) and ``catalogue/zones.csv`` (``zone, name``) beside the bundled factor sets, read
with the csv module at import (no pint). A factor folder of your own (``load_factors(extra_sets=[...])``)
may hold a ``flows.csv`` and a ``zones.csv`` of the same form: loading the folder adds its kinds and zones
to the catalogue for the rest of the process (a zoned kind exists in every zone, a new zone for every zoned
kind), so a custom service can use them. A folder may not take the id of a bundled kind or zone, nor give
a kind another folder already declared a different definition. Every problem is reported with its file,
line and column.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .axes import PHASE_IDS, TIER_IDS
from .errors import FactorDataError, Problem, UnknownNameError

__all__ = [
    "BUNDLED_FLOWS",
    "BUNDLED_IDS",
    "EMBODIED",
    "FLOWS",
    "FLOW_COLUMNS",
    "FLOW_KINDS",
    "MAX_CATALOGUE_BYTES",
    "ZONES",
    "ZONE_COLUMNS",
    "Flow",
    "FlowKind",
    "catalogue_files",
    "catalogue_key",
    "data_root",
    "get_flow",
    "register_folder",
]

#: Phases of a flow that embodies equipment only, its electricity being a separate line.
EMBODIED: tuple[str, ...] = ("manufacturing", "distribution", "end_of_life")

FLOW_COLUMNS: tuple[str, ...] = ("kind", "tier", "unit", "implicit", "zoned", "phases", "description")
ZONE_COLUMNS: tuple[str, ...] = ("zone", "name")
MAX_CATALOGUE_BYTES = 1_000_000  # a catalogue file of a user's folder is untrusted: the bundled ones are ~5 kB
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
_ZONE = re.compile(r"[A-Z][A-Z0-9_]*")


class FlowKind(NamedTuple):
    """A kind of flow, before a zone is attached."""

    kind: str
    tier: str
    unit: str
    description: str
    implicit: str | None = None  # counting unit a quantity may leave out ("3 min" on one device)
    zoned: bool = True
    phases: tuple[str, ...] = PHASE_IDS  # the life-cycle phases this flow has: a factor set must cover each


class Flow(NamedTuple):
    """One flow of the catalogue."""

    id: str
    kind: str
    zone: str | None
    tier: str
    unit: str
    description: str
    implicit: str | None
    phases: tuple[str, ...] = PHASE_IDS


def data_root() -> Path:
    """The folder holding the bundled data: the catalogue and the factor sets (inside the installed wheel, or
    the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "impact_factors", here.parent / "data" / "impact_factors"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled factor data not found: the package is incompletely installed")


def catalogue_files() -> tuple[Path, Path]:
    """The bundled catalogue: its flow kinds file and its zones file."""
    folder = data_root() / "catalogue"
    return folder / "flows.csv", folder / "zones.csv"


# -- reading --------------------------------------------------------------------------------------------------
def _rows(file: Path, columns: tuple[str, ...], problems: list[str], headers: dict[str, list[str]]
          ) -> Iterable[tuple[int, dict[str, str]]]:
    """(line, row) of a catalogue CSV file whose header has exactly ``columns``, in any order (kept in
    ``headers``); problems appended, located. A byte-order mark (spreadsheets write one) is skipped."""
    if file.stat().st_size > MAX_CATALOGUE_BYTES:
        problems.append(f"{file}: the file is over {MAX_CATALOGUE_BYTES / 1e6:g} MB")
        return
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = headers[str(file)] = [h.strip() for h in next(reader, [])]
            if sorted(header) != sorted(columns):
                problems.append(f"{file}:1:1: header: expected the columns {', '.join(columns)} (each once), "
                                f"got {', '.join(header) or 'nothing'}")
                return
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    problems.append(f"{file}:{reader.line_num}:1: {len(cells)} cells for {len(header)} columns")
                    continue
                yield reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=True)}
    except UnicodeDecodeError as exc:
        problems.append(f"{file}: not UTF-8 text: {exc}")
    except csv.Error as exc:
        problems.append(f"{file}: not a valid CSV file: {exc}")


class _Reader:
    """Reads one folder's catalogue files into kinds and zones, each with where it is written."""

    def __init__(self, kinds_file: Path, zones_file: Path) -> None:
        self.problems: list[str] = []
        self.kinds: dict[str, tuple[FlowKind, str]] = {}
        self.zones: dict[str, tuple[str, str]] = {}
        self.headers: dict[str, list[str]] = {}
        if zones_file.is_file():
            self._zones(zones_file)
        if kinds_file.is_file():
            self._kinds(kinds_file)

    def located(self, where: str, column: str, message: str) -> str:
        """``message`` about ``column`` of the row at ``where`` ("file:line"), with its line and column."""
        file, line = where.rsplit(":", 1)
        return str(Problem(file, int(line), self.headers[file].index(column) + 1, column, message))

    def problem(self, file: Path, line: int, column: str, message: str) -> None:
        self.problems.append(self.located(f"{file}:{line}", column, message))

    def _zones(self, file: Path) -> None:
        for line, row in _rows(file, ZONE_COLUMNS, self.problems, self.headers):
            code, where = row["zone"], f"{file}:{line}"
            if not _ZONE.fullmatch(code):
                self.problem(file, line, "zone", f"{code!r} is not a zone code (capital letters, "
                                                               "digits and _, starting with a letter: FR, EU, DE)")
            elif code in self.zones:
                self.problem(file, line, "zone", f"zone {code!r} is already declared at {self.zones[code][1]}")
            elif not row["name"]:
                self.problem(file, line, "name", "the zone needs a name, e.g. Germany")
            else:
                self.zones[code] = (row["name"], where)

    def _kinds(self, file: Path) -> None:
        for line, row in _rows(file, FLOW_COLUMNS, self.problems, self.headers):
            before = len(self.problems)

            def bad(column: str, message: str, line: int = line) -> None:
                self.problem(file, line, column, message)

            kind = row["kind"]
            if not _KIND.fullmatch(kind):
                bad("kind", f"{kind!r} is not a flow kind: lower-case words joined by dots, such as device.ereader "
                            "(a zone is added after @ by the catalogue, not written here)")
            elif kind in self.kinds:
                bad("kind", f"kind {kind!r} is already declared at {self.kinds[kind][1]}")
            if row["tier"] not in TIER_IDS:
                bad("tier", f"tier {row['tier']!r} is not one of {', '.join(TIER_IDS)}")
            if not row["unit"]:
                bad("unit", "the canonical unit is empty (e.g. device_hour, GB, kg, kWh)")
            if row["zoned"] not in ("yes", "no"):
                bad("zoned", f"{row['zoned']!r}: write yes (one flow per zone) or no")
            phases = tuple(row["phases"].split())
            wrong = [p for p in phases if p not in PHASE_IDS]
            if wrong or not phases or len(set(phases)) != len(phases):
                bad("phases", f"{row['phases']!r}: the flow's life-cycle phases, each once, separated by spaces, "
                              f"among {', '.join(PHASE_IDS)}")
            if not row["description"]:
                bad("description", "say what one unit of the flow is and what its factors include")
            if len(self.problems) == before:
                self.kinds[kind] = (FlowKind(kind, row["tier"], row["unit"], row["description"],
                                             row["implicit"] or None, row["zoned"] == "yes",
                                             tuple(p for p in PHASE_IDS if p in phases)), f"{file}:{line}")


# -- the catalogue --------------------------------------------------------------------------------------------
#: Every flow kind, by id: the bundled ones, then those a user's folder added.
FLOW_KINDS: dict[str, FlowKind] = {}
#: Zones by code, with their name. The codes are ours; each factor row records the geography its source states.
ZONES: dict[str, str] = {}
#: Every flow of the catalogue, by id, in a stable order (bundled flows first).
FLOWS: dict[str, Flow] = {}
_DECLARED: dict[str, str] = {}  # kind or zone id -> "file:line" that declared it


def _expand() -> None:
    """Add to FLOWS the flows of every kind in every zone not there yet (the dicts are shared: update in place)."""
    for k in FLOW_KINDS.values():
        for zone in (ZONES if k.zoned else (None,)):
            flow_id = f"{k.kind}@{zone}" if zone else k.kind
            FLOWS[flow_id] = Flow(flow_id, k.kind, zone, k.tier, k.unit, k.description, k.implicit, k.phases)


def _load_bundled() -> frozenset[str]:
    kinds_file, zones_file = catalogue_files()
    read = _Reader(kinds_file, zones_file)
    if read.problems or not read.kinds or not read.zones:
        raise FactorDataError(read.problems or [f"{kinds_file}: the bundled catalogue is empty"])
    FLOW_KINDS.update({k: v for k, (v, _) in read.kinds.items()})
    ZONES.update({z: name for z, (name, _) in read.zones.items()})
    _DECLARED.update({**{k: w for k, (_, w) in read.kinds.items()}, **{z: w for z, (_, w) in read.zones.items()}})
    _expand()
    return frozenset(_DECLARED)


#: Ids of the bundled kinds and zones: a folder of yours cannot take them.
BUNDLED_IDS: frozenset[str] = _load_bundled()
#: Ids of the flows the bundled catalogue defines, in catalogue order (a user's folder may add others to FLOWS
#: for the rest of the process; the data README's coverage table is about these only).
BUNDLED_FLOWS: tuple[str, ...] = tuple(FLOWS)


def register_folder(folder: str | Path) -> tuple[str, ...]:
    """Add the flow kinds and zones declared in ``folder``'s ``flows.csv`` and ``zones.csv`` (if any) to the
    catalogue; return the ids of the kinds and zones it declares. Raises FactorDataError listing every
    problem with its file, line and column: a malformed row, a unit the registry does not know, a bundled id
    taken, or a kind another file declared differently. Loading the same file again is harmless."""
    folder = Path(folder)
    kinds_file, zones_file = folder / "flows.csv", folder / "zones.csv"
    read = _Reader(kinds_file, zones_file)
    problems = read.problems
    for flow_kind, where in read.kinds.values():
        problems += _unit_problems(flow_kind, where, read)
    for name, (value, where) in [*read.kinds.items(), *read.zones.items()]:
        what = "kind" if name in read.kinds else "zone"
        previous = _DECLARED.get(name) if _known(name) is not None else None
        if name in BUNDLED_IDS:
            bundled = f" (tier {FLOW_KINDS[name].tier}, unit {FLOW_KINDS[name].unit})" if what == "kind" else ""
            problems.append(read.located(where, what, f"{what} {name!r} is a bundled {what}{bundled}: a folder of "
                                                      "yours cannot redefine it; give yours its own id"))
        elif previous and previous.rsplit(":", 1)[0] != where.rsplit(":", 1)[0] and _known(name) != value:
            problems.append(read.located(where, what, f"{what} {name!r} is already declared differently at "
                                                      f"{previous}: give one of them another id"))
    if problems:
        raise FactorDataError(problems)
    declared = {name: (value, where) for name, (value, where) in [*read.kinds.items(), *read.zones.items()]}
    _DECLARED.update({name: where for name, (value, where) in declared.items() if _known(name) != value})
    FLOW_KINDS.update({k: v for k, (v, _) in read.kinds.items()})
    ZONES.update({z: name for z, (name, _) in read.zones.items()})
    _expand()
    return tuple(declared)


def _known(name: str) -> FlowKind | str | None:
    return FLOW_KINDS.get(name) or ZONES.get(name)


def _unit_problems(kind: FlowKind, where: str, read: _Reader) -> list[str]:
    """The canonical unit and counting unit of a user's kind must be units the registry knows (pint is loaded
    only here: the bundled catalogue's units are checked by the tests)."""
    from . import units
    from .errors import UnitError

    problems = []
    try:
        unit = units.parse_unit(kind.unit, "unit")
    except UnitError as exc:
        return [read.located(where, "unit", f"{kind.unit!r}: {exc.reason or exc} (e.g. device_hour, GB, kg, kWh)")]
    if kind.implicit:
        try:
            counted = set(units.parse_unit(kind.implicit, "implicit").dimensionality)
        except UnitError as exc:
            counted = {f"unknown: {exc.reason or exc}"}
        if not counted <= set(unit.dimensionality):
            problems.append(read.located(where, "implicit", f"{kind.implicit!r} is not a counting unit of "
                                                            f"{kind.unit!r} (e.g. device for device_hour), or leave it "
                                                            "empty"))
    return problems


def catalogue_key() -> str:
    """SHA-256 of the catalogue as it stands (kinds and zones, bundled and added): a factor set's ``@*`` rows
    expand over the zones known when it is loaded, so a loaded set is kept for one catalogue only."""
    return hashlib.sha256(repr((tuple(FLOW_KINDS.values()), tuple(ZONES.items()))).encode()).hexdigest()


def get_flow(flow_id: str) -> Flow:
    """The catalogue flow with this id; an UnknownNameError (a KeyError) suggests the closest ids when there is
    none."""
    flow = FLOWS.get(flow_id) if isinstance(flow_id, str) else None
    if flow is None:
        raise UnknownNameError("flow", flow_id, FLOWS, listing="see lca_numerique.flows.FLOWS; a flow of your own "
                               "is declared in the flows.csv of a factor folder, loaded first with "
                               "load_factors(extra_sets=[folder])")
    return flow
