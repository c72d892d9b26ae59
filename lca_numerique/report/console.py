"""What ``lca-numerique assess`` prints: the per-audience reading of the mission criteria, warnings and the files
written, in the reader's language (numbers formatted and scaled as in the reports)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..criteria import MISSION_CRITERIA, get_criterion
from ..functional_units import EURO, INHABITANT, NO_AMOUNT, ZERO_AMOUNT, declared_units
from ..i18n import (
    coverage_label,
    format_count,
    format_impact,
    format_percent,
    join,
    label,
    per_audience_unit,
    quoted,
    translator,
)
from ..i18n import factors_label as localised_factors
from ..results import COVERAGE_LABELS
from .tables import largest_services

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory
    from ..results import Results

__all__ = ["console_summary"]


def console_summary(results: Results, inventory: Inventory, factors_label: str, written: Mapping[str, Path],
                    lang: str = "en") -> str:
    """The assessment's summary for a terminal: one line per service with its impact per unit of audience on
    each mission criterion (scaled units, "not covered" rather than 0), then warnings and the report files."""
    import pandas as pd

    _ = translator(lang).gettext
    ids = [c for c in MISSION_CRITERIA if c in results.criteria]
    # a terminal shows the largest services only (100,000 lines would bury the warnings): the files hold them all
    shown = largest_services(results)
    per = results.scores(per_audience=True)
    rows = {get_criterion(c).code: [format_impact(float(per.values[s, j]), c, lang, COVERAGE_LABELS[per.coverage[s, j]])
                                    for s in shown] for c in ids for j in [list(per.criteria).index(c)]}
    table = pd.DataFrame({_("per unit of audience"): [per_audience_unit(results.audience_units[s], lang)
                                                      for s in shown], **rows},
                         index=pd.Index([results.services[s] for s in shown], name=_("service")))
    if lang != "en":  # the label is "<set id> <version>": the profile's name in words, the version as it is
        factors_label = localised_factors(results.provenance, lang)
    lines = [_("{organisation} — {n} services — factors: {factors}").format(
        organisation=inventory.organisation, n=len(results.services), factors=factors_label), "",
        _("Impact per unit of audience:"), table.to_string(),
        *([_("({shown} services with the largest climate change totals; the {left} others are in the report "
             "files.)").format(shown=format_count(len(shown), lang),
                              left=format_count(len(results.services) - len(shown), lang))]
          if len(shown) < len(results.services) else []),
        join([_("{term}: {definition}").format(term=get_criterion(c).code, definition=label(get_criterion(c), lang))
               for c in ids], lang)]
    lines += _per_declared_unit(results, inventory, ids, lang)
    for name, share in inventory.unattributed_hosting().items():
        lines += ["", _("warning: {share} of hosting {name} is attributed to no service (its impacts are left out)")
                  .format(share=format_percent(share, lang), name=quoted(name, lang))]
    if not results.is_complete:
        lines += ["", _("Some totals are partial or not covered: see the 'coverage' sheet. They are never counted "
                        "as zero.")]
    lines += ["", _("Report: {files}").format(files=", ".join(str(p) for p in written.values()))]
    return "\n".join(lines)


def _per_declared_unit(results: Results, inventory: Inventory, ids: list[str], lang: str) -> list[str]:
    """Every service together per inhabitant, per euro and per each unit the inventory declares: a line each."""
    units = declared_units(inventory)
    if not units:
        return []
    translation = translator(lang)
    _ = translation.gettext
    lines = ["", _("All services, per inhabitant, per euro and per declared unit:")]
    for name, unit in units.items():
        table = results.per_unit(unit, by=()).set_index("criterion")
        shown = [_("{term}: {definition}").format(
            term=get_criterion(c).code, definition=coverage_label(status, lang) if status in (NO_AMOUNT, ZERO_AMOUNT)
            else format_impact(table.at[c, "value"], c, lang, status))
            for c in ids for status in [str(table.at[c, "coverage"])]]
        per = translation.pgettext("per audience unit", unit.label) if name in (INHABITANT, EURO) else \
            _("per {name}").format(name=name)
        lines.append("  " + _("{term}: {definition}").format(term=per, definition=join(shown, lang)))
    return lines

