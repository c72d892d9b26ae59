"""The tables every report shows, built from results (and the inventory they came from)."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..criteria import MISSION_CRITERIA, get_criterion
from ..functional_units import EURO, INHABITANT, FunctionalUnit, declared_units
from ..i18n import localise_table, parameter_value, provenance_value, source_text
from ..results import COMPLETE
from .factor_choice import FactorChoice

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..inventory import Inventory
    from ..results import Results

__all__ = [
    "ASSUMPTION_COLUMNS",
    "BREAKDOWNS",
    "PARAMETER_COLUMNS",
    "SHEETS",
    "TABLE_SERVICES",
    "assumptions_table",
    "breakdown_rows",
    "incomplete",
    "labelled_tables",
    "largest_services",
    "parameters_table",
    "provenance_table",
    "report_tables",
    "summary_table",
]

#: Sheet names of the Excel report, in order, with what each holds.
SHEETS: dict[str, str] = {
    "summary": "Mission criteria per service: totals and per audience unit",
    "by_service": "Totals per service and criterion",
    "by_tier": "Totals per service, tier and criterion",
    "by_phase": "Totals per service, life-cycle phase and criterion",
    "per_audience": "Totals per unit of each service's audience",
    "coverage": "Completeness of each total (complete, partial, not covered)",
    "assumptions": "Every parameter of every service: the value used, its unit and whether the inventory or a default "
                   "gave it",
    "parameters": "Each parameter of each kind of service, described once: unit, meaning and the source of its "
                  "default",
    "provenance": "Library, factor sets, versions and hashes",
    "overrides": "Overrides / Surcharges: what departs from the bundled factors (parameters, licence filter, "
                 "your own factor sets); empty when none",
}


#: Services a table for people (the HTML report, the terminal) lists at most: the largest on climate change; the
#: files hold them all.
TABLE_SERVICES = 60


def largest_services(results: Results, limit: int = TABLE_SERVICES) -> np.ndarray:
    """Positions of the services a table for people shows: all of them, or beyond ``limit`` the largest on
    climate change (not-covered totals last), in inventory order."""
    import numpy as np

    if len(results.services) <= limit:
        return np.arange(len(results.services))
    climate = results.scores().values[:, list(results.criteria).index("climate_change")] \
        if "climate_change" in results.criteria else np.zeros(len(results.services))
    order = np.argsort(-np.nan_to_num(climate, nan=-np.inf), kind="stable")
    return np.sort(order[:limit])


#: Tables that break the per-service totals down by one axis of results.csv (tier or phase): the sums of its rows
#: over the other axis, so a large report does not write them a second time per service.
BREAKDOWNS: dict[str, str] = {"by_tier": "tier", "by_phase": "phase", "coverage": "tier"}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as text (or as numbers and text: the assumptions' values), for files and spreadsheets."""
    import pandas as pd

    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    mixed = {c for c in categorical if not all(isinstance(v, str) for v in frame[c].cat.categories)}
    return frame.astype({c: object if c in mixed else str for c in categorical})


def summary_table(results: Results, lang: str = "en", units: Mapping[str, FunctionalUnit] | None = None
                  ) -> pd.DataFrame:
    """One row per service: kind, campaign, audience, and for each mission criterion the total and the value per
    audience unit (the unit is in "audience unit"), then per each declared functional unit in ``units`` (per
    inhabitant, per euro...: one column each, its unit in the header), with the coverage of each total;
    headers and words in ``lang``. A not-covered total is empty (NaN), never 0, and so is a value per a unit
    the service has no amount of."""
    return _summary(results, lang, units, results.total(("service",)), results.per_audience())


def _summary(results: Results, lang: str, units: Mapping[str, FunctionalUnit] | None, totals: pd.DataFrame,
             per: pd.DataFrame) -> pd.DataFrame:
    """:func:`summary_table` from the results' totals per service and per audience unit, computed once for the
    report's tables."""
    import pandas as pd

    from ..i18n import coverage_label, display_unit, gettext_for

    per_units = {name: results.per_unit(unit) for name, unit in (units or {}).items()}
    columns: dict[str, Any] = {"service": list(results.services), "kind": list(results.kinds),
                               "campaign": list(results.campaigns), "audience": results.audience,
                               "audience unit": list(results.audience_units)}
    for criterion in MISSION_CRITERIA:
        if criterion not in results.criteria:
            continue
        c = get_criterion(criterion)
        # rows of a total are service-major, so one criterion's rows are in service order
        total, per_unit = totals[totals["criterion"] == criterion], per[per["criterion"] == criterion]
        coverage = total["coverage"].cat.rename_categories(lambda v: coverage_label(v, lang))
        columns[gettext_for(lang, "{code} total ({unit})").format(code=c.code, unit=display_unit(c.unit, lang))] = \
            total["value"].to_numpy()
        columns[gettext_for(lang, "{code} per unit of audience").format(code=c.code)] = per_unit["value"].to_numpy()
        for name, table in per_units.items():
            shown = display_unit(c.unit, lang)
            header = (gettext_for(lang, "{code} per inhabitant ({unit})") if name == INHABITANT else
                      gettext_for(lang, "{code} per euro ({unit})") if name == EURO else
                      gettext_for(lang, "{code} per {name} ({unit})"))
            columns[header.format(code=c.code, name=name, unit=shown)] = \
                table.loc[table["criterion"] == criterion, "value"].to_numpy()
        columns[gettext_for(lang, "{code} coverage").format(code=c.code)] = coverage.astype(str).to_numpy()
    return pd.DataFrame(columns)


#: Columns of the assumptions table and what each holds (its sheet, or the CSV file beside the workbook, says so).
ASSUMPTION_COLUMNS: dict[str, str] = {
    "service": "the service, named as in the inventory",
    "kind": "its kind of service (the parameters sheet describes each parameter of each kind)",
    "parameter": "a parameter of the service's model, or basis: where the inventory says the service's figures "
                 "come from",
    "value": "the value the results used: a number in the unit of the next column, or words (a choice, a mix, a "
             "hosting, a basis)",
    "unit": "the unit of a number (empty for words and plain counts)",
    "origin": "user: written in the inventory; default: the model's default, whose source the parameters sheet "
              "gives",
}
#: Columns of the parameters table: each parameter of each kind of service, described once.
PARAMETER_COLUMNS = ("kind", "parameter", "unit", "description", "source")


def assumptions_table(inventory: Inventory | None, results: Results, lang: str = "en") -> pd.DataFrame:
    """One row per service and parameter, plus one per service with a ``basis``: the value the results used (a
    number in ``unit``, or words in ``lang``) and its origin (``user`` or ``default``), columns as
    :data:`ASSUMPTION_COLUMNS`; :func:`parameters_table` describes each parameter once. Words other than the
    values are ids, translated by ``localise_table``.

    Built a kind of service at a time, column by column, as categorical columns (numbers factorised by NumPy,
    each distinct text formatted once): 100,000 websites give 2.3 million rows in about two seconds."""
    import numpy as np
    import pandas as pd

    if inventory is None:
        return pd.DataFrame(columns=list(ASSUMPTION_COLUMNS))
    wanted = set(results.services)
    services = [s for s in inventory.services if s.name in wanted]
    basis = [inventory.basis.get(s.name) or "" for s in services]
    values = [s.values for s in services]
    groups: dict[tuple[type, tuple[str, ...]], list[int]] = {}  # services by kind and parameters
    for i, service in enumerate(services):
        groups.setdefault((type(service), tuple(values[i])), []).append(i)
    counts = np.zeros(len(services), dtype=np.int64)
    for (_, parameters), positions in groups.items():
        counts[positions] = len(parameters)
    with_basis = np.flatnonzero([bool(b) for b in basis])
    counts[with_basis] += 1  # the basis row closes its service's rows
    starts = np.cumsum(counts) - counts
    rows = int(counts.sum())
    codes = {c: np.zeros(rows, dtype=np.int32) for c in ("service", "kind", "parameter", "unit", "origin")}
    texts: dict[str, dict[str, int]] = {c: {} for c in (*codes, "value")}  # each column's distinct texts, coded

    def code(column: str, text: str) -> int:
        return texts[column].setdefault(text, len(texts[column]))

    code("origin", "user"), code("origin", "default")
    numbers, words = np.full(rows, np.nan), np.full(rows, -1, dtype=np.int32)  # a value is one or the other
    formatted: dict[Any, int] = {}  # a value's code, by value (or by identity when it cannot be hashed)

    def word(value: Any) -> int:
        try:
            key: Any = (type(value), value)
            hash(key)
        except TypeError:
            key = ("id", id(value))  # the services hold their values alive while the table is built
        if key not in formatted:
            formatted[key] = code("value", parameter_value(value, lang))
        return formatted[key]

    for (kind, parameters), positions in groups.items():
        members = [services[i] for i in positions]
        specs, index = kind.specs(), {name: j for j, name in enumerate(parameters)}
        rows_of_kind = [values[i] for i in positions]
        at = starts[positions][:, None] + np.arange(len(parameters))  # each cell's row
        codes["service"][at] = np.asarray(positions)[:, None]
        codes["kind"][at] = code("kind", members[0].kind)
        codes["parameter"][at] = [code("parameter", name) for name in parameters]
        codes["unit"][at] = [code("unit", specs[name].unit) for name in parameters]
        given = np.zeros(at.shape, dtype=bool)
        cells = [(j, index[name]) for j, service in enumerate(members) for name in service.given if name in index]
        if cells:
            given[tuple(np.array(cells).T)] = True
        codes["origin"][at] = np.where(given, 0, 1)
        for j, name in enumerate(parameters):
            column = list(map(itemgetter(name), rows_of_kind))  # no tuple per service
            if all(map(_is_number_type, set(map(type, column)))):  # the common case: numbers, converted at once
                numbers[at[:, j]] = np.array(column, dtype=float)
                continue
            # otherwise each distinct object once (a default is one object shared by every service that takes it)
            _, first, inverse = np.unique(np.fromiter(map(id, column), dtype=np.int64, count=len(column)),
                                          return_index=True, return_inverse=True)
            distinct = [column[i] for i in first.tolist()]
            number = [_is_number_type(type(v)) for v in distinct]
            numbers[at[:, j]] = np.array([v if n else np.nan for v, n in zip(distinct, number, strict=True)],
                                         dtype=float)[inverse.ravel()]
            words[at[:, j]] = np.array([-1 if n else word(v) for v, n in zip(distinct, number, strict=True)],
                                       dtype=np.int32)[inverse.ravel()]
    last = starts[with_basis] + counts[with_basis] - 1
    codes["service"][last] = with_basis
    codes["kind"][last] = [texts["kind"][services[i].kind] for i in with_basis.tolist()]
    codes["parameter"][last], codes["unit"][last] = code("parameter", "basis"), code("unit", "")
    codes["origin"][last] = 0
    words[last] = [code("value", basis[i]) for i in with_basis.tolist()]
    is_number = words < 0
    used, inverse = np.unique(numbers[is_number], return_inverse=True)  # the numbers, each once
    value = np.where(is_number, 0, words + len(used)).astype(np.int32)
    value[is_number] = inverse.ravel()
    texts["service"] = {s.name: i for i, s in enumerate(services)}  # names are unique in an inventory
    columns = {c: pd.Categorical.from_codes(codes[c], categories=pd.Index(list(texts[c]), dtype=object))
               for c in codes}
    columns["value"] = pd.Categorical.from_codes(value, categories=pd.Index([*used.tolist(), *texts["value"]],
                                                                            dtype=object))
    return pd.DataFrame({c: columns[c] for c in ASSUMPTION_COLUMNS})


def _is_number_type(kind: type) -> bool:
    """Whether a parameter value of type ``kind`` is written as a number (a boolean is written in words)."""
    return issubclass(kind, Real) and not issubclass(kind, bool)


def parameters_table(inventory: Inventory | None, results: Results, lang: str = "en") -> pd.DataFrame:
    """Each parameter of each kind of service in ``results``, once: its unit, what it is and the source of its
    default (empty for a parameter the inventory must give), columns as :data:`PARAMETER_COLUMNS`. Words are
    ids, translated by ``localise_table``, except the sources, cited in ``lang``."""
    import pandas as pd

    if inventory is None:
        return pd.DataFrame(columns=list(PARAMETER_COLUMNS))
    wanted = set(results.services)
    kinds = dict.fromkeys(type(s) for s in inventory.services if s.name in wanted)
    return pd.DataFrame([(kind.kind, spec.name, spec.unit, spec.description,
                          source_text(spec.source, lang) if spec.source else "")
                         for kind in kinds for spec in kind.parameters], columns=list(PARAMETER_COLUMNS))


def provenance_table(results: Results, lang: str = "en") -> pd.DataFrame:
    """Key-value rows: the library and factor-set provenance of the results (titles and licences in ``lang``)."""
    import pandas as pd

    rows = [(key, provenance_value(key, value, lang)) for key, value in sorted(results.provenance.items())]
    return pd.DataFrame(rows, columns=["key", "value"])


def report_tables(results: Results, inventory: Inventory | None = None,
                  choice: FactorChoice | None = None, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Every table of the report, keyed as :data:`SHEETS`, with plain (non-categorical) columns, headers and
    words in ``lang``.

    ``choice`` is the factor choice the results were computed with (default: the inventory's own, or none).
    """
    return {name: _plain(frame) for name, frame in labelled_tables(results, inventory, choice, lang).items()}


def labelled_tables(results: Results, inventory: Inventory | None = None,
                    choice: FactorChoice | None = None, lang: str = "en", *, breakdowns: str = "service"
                    ) -> dict[str, pd.DataFrame]:
    """The tables of :func:`report_tables` with their label columns still categorical (cheap to write at scale,
    and translated category by category rather than row by row).

    ``breakdowns`` is ``"service"`` or ``"kind"``: the rows of the :data:`BREAKDOWNS` tables, per service or
    per kind of service (a large report, whose results.csv holds them per service).
    """
    if breakdowns not in ("service", "kind"):
        raise ValueError(f"breakdowns must be 'service' or 'kind', not {breakdowns!r}")
    if choice is None:
        choice = FactorChoice.of(inventory) if inventory is not None else FactorChoice()
    totals, per = results.total(("service",)), results.per_audience()
    tables = {
        "summary": _summary(results, lang, declared_units(inventory) if inventory is not None else None, totals,
                            per),
        "by_service": totals,
        "by_tier": results.total((breakdowns, "tier")),
        "by_phase": results.total((breakdowns, "phase")),
        "per_audience": per,
        "coverage": results.coverage((breakdowns, "tier")),
        "assumptions": assumptions_table(inventory, results, lang),
        "parameters": parameters_table(inventory, results, lang),
        "provenance": provenance_table(results, lang),
        "overrides": choice.overrides_table(results.selection, lang),
    }
    return {name: localise_table(frame, lang) for name, frame in tables.items()}


def breakdown_rows(results: Results, name: str) -> int:
    """Rows the :data:`BREAKDOWNS` table ``name`` has per service (without building it)."""
    axis = BREAKDOWNS[name]
    return len(results.services) * len(results.criteria) * len(results.tiers if axis == "tier" else results.phases)


def incomplete(results: Results) -> pd.DataFrame:
    """Service totals that are not complete, for the report's warnings."""
    table = _plain(results.total(("service",)))
    return table[table["coverage"] != COMPLETE]

