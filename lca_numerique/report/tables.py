"""The tables every report shows, built from results (and the inventory they came from)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..criteria import MISSION_CRITERIA, get_criterion
from ..results import COMPLETE
from ..services.base import format_value
from .factor_choice import FactorChoice

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..inventory import Inventory
    from ..results import Results

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


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as text, for files and spreadsheets."""
    return frame.astype({c: str for c in frame.columns if str(frame[c].dtype) == "category"})


def summary_table(results: Results, lang: str = "en") -> pd.DataFrame:
    """One row per service: kind, campaign, audience, and for each mission criterion the total and the value per
    audience unit, with the coverage of each (headers in ``lang``)."""
    import pandas as pd

    from ..i18n import display_unit, gettext_for

    totals = results.total(("service",)).set_index(["service", "criterion"])
    per = results.per_audience().set_index(["service", "criterion"])
    rows = []
    for i, service in enumerate(results.services):
        row: dict[str, Any] = {"service": service, "kind": results.kinds[i], "campaign": results.campaigns[i],
                               "audience": results.audience[i], "audience unit": results.audience_units[i]}
        for criterion in MISSION_CRITERIA:
            c = get_criterion(criterion)
            row[gettext_for(lang, "{code} total ({unit})").format(code=c.code, unit=display_unit(c.unit, lang))] = \
                totals.loc[(service, criterion), "value"]
            row[gettext_for(lang, "{code} per unit of audience").format(code=c.code)] = \
                per.loc[(service, criterion), "value"]  # one column: the unit is in "audience unit"
            row[gettext_for(lang, "{code} coverage").format(code=c.code)] = \
                str(totals.loc[(service, criterion), "coverage"])
        rows.append(row)
    return pd.DataFrame(rows)


def assumptions_table(inventory: Inventory | None, results: Results) -> pd.DataFrame:
    """Every parameter of every service: value, unit, whether the user gave it, and its source; with each
    service's basis."""
    import pandas as pd

    rows = []
    services = {s.name: s for s in inventory.services} if inventory is not None else {}
    for name in results.services:
        service = services.get(name)
        if service is None:
            continue
        specs = service.specs()
        for key, value in service.values.items():
            rows.append({"service": name, "kind": service.kind, "parameter": key,
                         "value": format_value(value), "unit": specs[key].unit, "origin": service.origin(key),
                         "description": specs[key].description,
                         "basis": inventory.basis.get(name, "") if inventory is not None else ""})
    return pd.DataFrame(rows, columns=["service", "kind", "parameter", "value", "unit", "origin", "description",
                                       "basis"])


def provenance_table(results: Results) -> pd.DataFrame:
    """Key-value rows: the library and factor-set provenance of the results."""
    import pandas as pd

    return pd.DataFrame(sorted(results.provenance.items()), columns=["key", "value"])


def report_tables(results: Results, inventory: Inventory | None = None,
                  choice: FactorChoice | None = None, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Every table of the report, keyed as :data:`SHEETS`, with plain (non-categorical) columns, headers and
    words in ``lang``.

    ``choice`` is the factor choice the results were computed with (default: the inventory's own, or none).
    """
    if choice is None:
        choice = FactorChoice.of(inventory) if inventory is not None else FactorChoice()
    tables = {
        "summary": summary_table(results, lang),
        "by_service": results.total(("service",)),
        "by_tier": results.total(("service", "tier")),
        "by_phase": results.total(("service", "phase")),
        "per_audience": results.per_audience(),
        "coverage": results.coverage(("service", "tier")),
        "assumptions": assumptions_table(inventory, results),
        "provenance": provenance_table(results),
        "overrides": choice.overrides_table(),
    }
    from ..i18n import localise_table

    return {name: localise_table(_plain(frame), lang) for name, frame in tables.items()}


def incomplete(results: Results) -> pd.DataFrame:
    """Service totals that are not complete, for the report's warnings."""
    table = _plain(results.total(("service",)))
    return table[table["coverage"] != COMPLETE]

