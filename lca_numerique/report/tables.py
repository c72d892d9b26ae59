"""The tables every report shows, built from results (and the inventory they came from)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..criteria import MISSION_CRITERIA, get_criterion
from ..functional_units import EURO, INHABITANT, FunctionalUnit, declared_units
from ..i18n import localise_table, parameter_value, provenance_value
from ..results import COMPLETE
from .factor_choice import FactorChoice

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..inventory import Inventory
    from ..results import Results

__all__ = [
    "BREAKDOWNS",
    "SHEETS",
    "TABLE_SERVICES",
    "assumptions_table",
    "breakdown_rows",
    "incomplete",
    "labelled_tables",
    "largest_services",
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
    "assumptions": "Every parameter of every service, its value and where it comes from",
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
    """Categorical columns as text, for files and spreadsheets."""
    return frame.astype({c: str for c in frame.columns if str(frame[c].dtype) == "category"})


def summary_table(results: Results, lang: str = "en", units: Mapping[str, FunctionalUnit] | None = None
                  ) -> pd.DataFrame:
    """One row per service: kind, campaign, audience, and for each mission criterion the total and the value per
    audience unit (the unit is in "audience unit"), then per each declared functional unit in ``units`` (per
    inhabitant, per euro...: one column each, its unit in the header), with the coverage of each total;
    headers and words in ``lang``. A not-covered total is empty (NaN), never 0, and so is a value per a unit
    the service has no amount of."""
    import pandas as pd

    from ..i18n import coverage_label, display_unit, gettext_for

    totals, per = results.total(("service",)), results.per_audience()
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


def assumptions_table(inventory: Inventory | None, results: Results, lang: str = "en") -> pd.DataFrame:
    """Every parameter of every service: value (written for ``lang``), unit, whether the user gave it, and its
    source; with each service's basis. Words other than the value are ids, translated by ``localise_table``.

    Built column by column with categorical columns (a service's parameters, units, descriptions and sources
    repeat from service to service; each distinct value is formatted once): 100,000 websites give 2.2 million
    rows in seconds."""
    import numpy as np
    import pandas as pd

    columns = ["service", "kind", "parameter", "value", "unit", "origin", "description", "basis"]
    if inventory is None:
        return pd.DataFrame(columns=columns)
    wanted = set(results.services)
    texts: dict[str, dict[str, int]] = {c: {} for c in columns}  # each column's distinct texts, by code

    def code(column: str, text: str | None) -> int:
        text = "" if text is None else text
        return texts[column].setdefault(text, len(texts[column]))

    formatted: dict[Any, int] = {}  # a value's code, by value (or by identity when it cannot be hashed)
    codes: dict[str, list[int]] = {c: [] for c in columns}
    kinds: dict[type, tuple[list[int], list[int], list[int], dict[str, int]]] = {}
    for service in inventory.services:
        if service.name not in wanted:
            continue
        values, given = service.values, service.given
        kind = type(service)
        if kind not in kinds:  # a kind's units, descriptions and default sources, coded once
            specs = service.specs()
            kinds[kind] = ([code("unit", specs[k].unit) for k in values],
                           [code("description", specs[k].description) for k in values],
                           [code("parameter", k) for k in values], {})
        units, descriptions, parameters, defaults = kinds[kind]  # defaults: a parameter's source, once known
        if len(parameters) != len(values):  # pragma: no cover - every service of a kind has the same parameters
            raise AssertionError(f"{service.name}: parameters differ from its kind's")
        n = len(values)
        codes["service"] += [code("service", service.name)] * n
        codes["kind"] += [code("kind", service.kind)] * n
        codes["basis"] += [code("basis", inventory.basis.get(service.name, ""))] * n
        codes["parameter"] += parameters
        codes["unit"] += units
        codes["description"] += descriptions
        for k in values:
            if k in given:
                codes["origin"].append(code("origin", "user"))
            else:
                if k not in defaults:
                    defaults[k] = code("origin", service.origin(k))
                codes["origin"].append(defaults[k])
        for value in values.values():
            try:
                key: Any = (type(value), value)
                hash(key)
            except TypeError:
                key = ("id", id(value))  # the services hold their values alive while the table is built
            if key not in formatted:
                formatted[key] = code("value", parameter_value(value, lang))
            codes["value"].append(formatted[key])
    return pd.DataFrame({c: pd.Categorical.from_codes(np.asarray(codes[c], dtype=np.int32),
                                                      categories=pd.Index(list(texts[c]), dtype=object))
                         for c in columns})


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
    tables = {
        "summary": summary_table(results, lang, declared_units(inventory) if inventory is not None else None),
        "by_service": results.total(("service",)),
        "by_tier": results.total((breakdowns, "tier")),
        "by_phase": results.total((breakdowns, "phase")),
        "per_audience": results.per_audience(),
        "coverage": results.coverage((breakdowns, "tier")),
        "assumptions": assumptions_table(inventory, results, lang),
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

