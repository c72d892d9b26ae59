"""What ``lca-numerique assess`` prints: the per-audience reading of the mission criteria, warnings and the files
written, in the reader's language (numbers formatted and scaled as in the reports)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..criteria import MISSION_CRITERIA, get_criterion
from ..i18n import format_impact, format_percent, join, label, per_audience_unit, provenance_value, translator

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
    per = results.per_audience().set_index(["service", "criterion"])
    rows = {get_criterion(c).code: [format_impact(per.at[(s, c), "value"], c, lang,
                                                          str(per.at[(s, c), "coverage"]))
                                            for s in results.services] for c in ids}
    table = pd.DataFrame({_("per unit of audience"): [per_audience_unit(u, lang) for u in results.audience_units],
                          **rows}, index=pd.Index(results.services, name=_("service")))
    if lang != "en":  # the label is "<set id> <version>": the profile's name in words, the version as it is
        factors_label = _("{name}, version {version}").format(
            name=provenance_value("factor_set", results.provenance["factor_set"], lang),
            version=results.provenance["factor_set_version"])
    lines = [_("{organisation} — {n} services — factors: {factors}").format(
        organisation=inventory.organisation, n=len(results.services), factors=factors_label), "",
        _("Impact per unit of audience:"), table.to_string(),
        join([_("{term}: {definition}").format(term=get_criterion(c).code, definition=label(get_criterion(c), lang))
               for c in ids], lang)]
    for name, share in inventory.unattributed_hosting().items():
        lines += ["", _("warning: {share} of hosting {name} is attributed to no service (its impacts are left out)")
                  .format(share=format_percent(share, lang), name=repr(name))]
    if not results.is_complete:
        lines += ["", _("Some totals are partial or not covered: see the 'coverage' sheet. They are never counted "
                        "as zero.")]
    lines += ["", _("Report: {files}").format(files=", ".join(str(p) for p in written.values()))]
    return "\n".join(lines)
