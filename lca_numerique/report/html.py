"""A single-file HTML report a communication department can send out: key figures and the per-audience reading
in sentences (with everyday equivalents from ADEME's Impact CO2), legible figures with real alternative texts,
the per-service table on the mission criteria (the others in an annex), and the method section an LCA
practitioner expects (ISO 14044: goal, functional units, boundaries, cut-off, allocation, impact method, data
quality, interpretation, limits). Every word comes from the gettext catalogues (:mod:`lca_numerique.i18n`),
every number is formatted for the language; accessible (RGAA: ``lang``, captions, header scopes, contrast)
and printable (``@media print``).
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..axes import PHASES, TIERS
from ..criteria import MISSION_CRITERIA, get_criterion
from ..functional_units import EURO, INHABITANT, NO_AMOUNT, ZERO_AMOUNT, FunctionalUnit, declared_units
from ..i18n import (
    NBSP,
    check_lang,
    coverage_label,
    display_unit,
    format_count,
    format_impact,
    format_number,
    format_percent,
    format_quantity,
    join,
    kind_label,
    label,
    per_audience_unit,
    provenance_label,
    provenance_value,
    source_text,
    translator,
)
from ..plotting import AUDIENCE_POINTS, service_totals
from ..results import COMPLETE, COVERAGE_LABELS, NOT_COVERED, PARTIAL
from .tables import TABLE_SERVICES, largest_services

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from ..inventory import Inventory
    from ..results import Results

__all__ = [
    "CSS_PX_PER_INCH",
    "FIGURE_DPI",
    "MISSING_NAMED",
    "STYLE",
    "Equivalent",
    "Heaviest",
    "ReportFigure",
    "equivalent_text",
    "equivalents",
    "figure_png",
    "heaviest",
    "html_report",
    "reading",
    "report_figures",
]

#: Resolution of embedded figures: twice the CSS pixel density, so they stay sharp on high-density screens
#: and in print while being shown at their design size (a point of the figure is a point on screen).
FIGURE_DPI = 192
CSS_PX_PER_INCH = 96

STYLE = """
:root{--ink:#1a1a1a;--muted:#4d4d4d;--rule:#b3b3b3;--head:#e6edf5;--warn:#fff3cd;--accent:#0b5394}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
 background:#fff;max-width:62rem;margin:0 auto;padding:1rem 1.5rem;line-height:1.5;font-size:16px}
h1{font-size:1.8rem;line-height:1.25;color:var(--accent)}h2{font-size:1.4rem;margin-top:2rem;
 border-bottom:2px solid var(--accent)}h3{font-size:1.15rem;margin-top:1.4rem}
.subtitle{font-size:1.2rem;color:var(--muted);margin-top:-.5rem}
.warn{background:var(--warn);padding:.6rem .8rem;border-left:4px solid #8a5a00}
.key{display:flex;flex-wrap:wrap;gap:.8rem;padding:0;list-style:none}
.key li{flex:1 1 16rem;border:1px solid var(--rule);border-radius:6px;padding:.6rem .8rem}
.key .value{display:block;font-size:1.6rem;font-weight:700;color:var(--accent)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid var(--rule);padding:.25rem .5rem;vertical-align:top;text-align:left}
thead th{background:var(--head)}td.num{text-align:right}
figure{margin:1.2rem 0;break-inside:avoid}figcaption{color:var(--muted);font-size:.95rem}
img{max-width:100%;height:auto}
dl.glossary dt{font-weight:600}dl.glossary dd{margin:0 0 .4rem 1.2rem}
@media print{
 @page{size:A4;margin:15mm 12mm}
 body{max-width:none;padding:0;font-size:10.5pt}
 h2{break-after:avoid;margin-top:1.2rem}h3{break-after:avoid}
 table,figure,.key li{break-inside:avoid}
 .scroll{overflow:visible}
 a{color:inherit}a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;word-break:break-all}
 .warn{border:1px solid #8a5a00}
}
"""


#: Services a cell names at most (the services an amount is missing for); it counts the others.
MISSING_NAMED = 10


class ReportFigure(NamedTuple):
    """A figure with the caption and the alternative text (what it shows, in words) the report gives it."""

    figure: Figure
    caption: str
    alt: str


class Equivalent(NamedTuple):
    """An everyday equivalent of a climate-change impact (ADEME Impact CO2)."""

    id: str
    kg_co2e: float
    per: str
    base_carbone: str
    singular: str
    plural: str


@lru_cache(maxsize=1)
def equivalents() -> tuple[dict[str, Any], tuple[Equivalent, ...]]:
    """The source and the everyday equivalents of ``equivalents.yaml`` (kg CO2e per km by car, per meal...)."""
    from ..inventory.yaml_source import read_yaml

    path = resources.files("lca_numerique") / "report" / "equivalents.yaml"
    data = read_yaml(str(path), text=path.read_text(encoding="utf-8"), what="the equivalents file").data
    return data["source"], tuple(Equivalent(**item) for item in data["equivalents"])


def equivalent_text(kg_co2e: float, equivalent: Equivalent, lang: str) -> str:
    """``kg_co2e`` expressed as the everyday equivalent, in words: "1 760 km by car", "498 m by car"."""
    amount = kg_co2e / equivalent.kg_co2e
    text = translator(lang).ngettext(equivalent.singular, equivalent.plural, int(amount) if amount >= 1 else 1)
    if equivalent.per != "km":
        return text.format(n=format_number(amount, lang))
    metres = amount * 1000
    shown = (f"{format_number(amount, lang)}{NBSP}km" if amount >= 1 else f"{format_number(metres, lang)}{NBSP}m"
             if metres >= 1 else f"{format_number(metres * 100, lang)}{NBSP}cm")
    return text.format(n=shown)


def figure_png(fig: Figure, alt: str) -> str:
    """A figure as an inline base64 PNG ``<img>`` shown at its design size (``width``/``height`` in CSS px)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width, height = (round(v * CSS_PX_PER_INCH) for v in fig.get_size_inches())
    return (f'<img alt="{escape(alt)}" width="{width}" height="{height}" '
            f'src="data:image/png;base64,{data}"/>')


def _share_of(results: Results, criterion: str) -> tuple[np.ndarray, float]:
    """Each service's total of ``criterion`` and the portfolio's; the portfolio's is NaN when a service's total
    is not covered (a share of an unknown total is not stated)."""
    per_service = service_totals(results).values[:, results.criteria.index(criterion)]
    return per_service, float(per_service.sum())


class Heaviest(NamedTuple):
    """The service that weighs most on one criterion, with its total, share, and split by tier and phase."""

    criterion: str
    service: int
    value: float
    share: float  # NaN when some service's total is not covered: the portfolio total is unknown
    uncovered: int  # services whose total is not covered
    tiers: np.ndarray
    phases: np.ndarray


def heaviest(results: Results) -> list[Heaviest]:
    """For each mission criterion with a positive total over the covered services, the service (among those)
    that weighs most on it."""
    found = []
    for criterion in MISSION_CRITERIA:
        if criterion not in results.criteria:
            continue
        per_service, total = _share_of(results, criterion)
        if not np.nansum(per_service) > 0:
            continue
        s = int(np.nanargmax(per_service))
        cube = np.nan_to_num(results.select([s]).values[0, :, results.criteria.index(criterion), :])
        found.append(Heaviest(criterion, s, float(per_service[s]), float(per_service[s] / total),
                              int(np.isnan(per_service).sum()), cube.sum(axis=1), cube.sum(axis=0)))
    return found


def _heaviest_sentence(h: Heaviest, results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    words = {"service": results.services[h.service], "criterion": label(get_criterion(h.criterion), lang),
             "tier": label(TIERS[int(np.argmax(h.tiers))], lang),
             "phase": label(PHASES[int(np.argmax(h.phases))], lang),
             "tier_share": format_percent(h.tiers.max() / h.tiers.sum(), lang),
             "value": format_quantity(h.value, get_criterion(h.criterion).unit, lang)}
    partial = str(results.total(("criterion",)).set_index("criterion").loc[h.criterion, "coverage"]) == PARTIAL
    if np.isfinite(h.share) and partial:  # a share of what is counted, not a bound: the service may be partial too
        return _("{criterion}: {service} accounts for {share} of the covered part of the portfolio total (the total "
                 "is partial: some impacts have no factor), mostly in the {tier} tier ({tier_share}) and the {phase} "
                 "phase.").format(share=format_percent(h.share, lang), **words)
    if np.isfinite(h.share):
        return _("{criterion}: {service} accounts for {share} of the portfolio total, mostly in the {tier} tier "
                 "({tier_share}) and the {phase} phase.").format(share=format_percent(h.share, lang), **words)
    return translator(lang).ngettext(
        "{criterion}: {service} weighs most among the services covered ({value}), mostly in the {tier} tier "
        "({tier_share}) and the {phase} phase; no share is stated, {n} service is not covered.",
        "{criterion}: {service} weighs most among the services covered ({value}), mostly in the {tier} tier "
        "({tier_share}) and the {phase} phase; no share is stated, {n} services are not covered.",
        h.uncovered).format(n=format_number(h.uncovered, lang), **words)


def reading(results: Results, lang: str = "en") -> list[str]:
    """Plain-language sentences: for each mission criterion, the service that weighs most and where; for the
    heaviest climate service, what one unit of its audience costs against the most-reached other service."""
    sentences = [_heaviest_sentence(h, results, check_lang(lang)) for h in heaviest(results)]
    sentence = _per_audience_sentence(results, lang)
    if sentence:
        sentences.insert(1, sentence)
    return sentences


def _per_audience_sentence(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    if "climate_change" not in results.criteria:
        return ""
    per_service, total = _share_of(results, "climate_change")
    per = service_totals(results).per_audience[:, results.criteria.index("climate_change")]
    s = int(np.argmax(per_service))
    by_audience = np.argsort(results.audience)[::-1]
    units = np.asarray(results.audience_units, dtype=object)
    others = by_audience[(by_audience != s) & np.isfinite(per[by_audience]) & (per[by_audience] > 0)
                         & (units[by_audience] == units[s])]  # only values of one unit compare
    if not total > 0 or not np.isfinite(per[s]) or not others.size:
        return ""
    o = int(others[0])
    ratio = per[s] / per[o]
    unit = results.audience_units[s]
    comparison = _("{ratio} times the cost {per_other} of {other} ({other_value})") if ratio >= 1 else \
        _("{ratio} times less than the cost {per_other} of {other} ({other_value})")
    return _("{per} of {service}: {value}, that is {car}; {comparison}.").format(
        per=per_audience_unit(unit, lang).capitalize(), service=results.services[s],
        value=format_impact(per[s], "climate_change", lang), car=equivalent_text(per[s], equivalents()[1][0],
                                                                                      lang),
        comparison=comparison.format(ratio=format_number(ratio if ratio >= 1 else 1 / ratio, lang, 2),
                                     per_other=per_audience_unit(results.audience_units[o], lang),
                                     other=results.services[o],
                                     other_value=format_impact(per[o], "climate_change", lang)))


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()) -> str:
    """An accessible table: caption, column headers with ``scope="col"``, the first cell of each row a row
    header (``scope="row"``); cells are escaped here, a line break in a cell ("\n") is kept."""
    numeric = list(numeric) or [False] * len(header)

    def cell(text: str) -> str:
        return "<br/>".join(escape(part) for part in text.split("\n"))

    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{cell(row[0])}</th>']
        cells += [f'<td class="num">{cell(v)}</td>' if numeric[k + 1] else f"<td>{cell(v)}</td>"
                  for k, v in enumerate(row[1:])]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _criterion_heading(criterion: str, lang: str) -> str:
    c = get_criterion(criterion)
    return f"{label(c, lang)} ({c.code})"


def _key_figures(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    totals = results.total(("criterion",)).set_index("criterion")
    _source, items = equivalents()
    cards = []
    for criterion in MISSION_CRITERIA:
        if criterion not in totals.index:
            continue
        row = totals.loc[criterion]
        value = format_impact(row["value"], criterion, lang, str(row["coverage"]))
        extra = ""
        if criterion == "climate_change" and np.isfinite(row["value"]):
            extra = "<br/>" + escape(_("that is {car}, or {meals}").format(
                car=equivalent_text(row["value"], items[0], lang), meals=equivalent_text(row["value"], items[1], lang)))
        cards.append(f'<li><span class="value">{escape(value)}</span>{escape(_criterion_heading(criterion, lang))}'
                     f"{extra}</li>")
    return f'<ul class="key">{"".join(cards)}</ul>'


def _others_note(results: Results, shown: np.ndarray, lang: str) -> str:
    """A paragraph saying where the services a table leaves out are (nothing when it shows them all)."""
    left = len(results.services) - len(shown)
    if not left:
        return ""
    _ = translator(lang).gettext
    return _paragraph(_("This table shows the {shown} services with the largest climate change totals; the {left} "
                        "others are in the workbook (report.xlsx) and the results file (results.csv).").format(
        shown=format_count(len(shown), lang), left=format_count(left, lang)))


def _per_audience_table(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    totals = service_totals(results)
    c = results.criteria.index("climate_change")
    per, coverage = totals.per_audience[:, c], totals.per_audience_codes[:, c]
    car = equivalents()[1][0]
    rows = []
    shown = largest_services(results)
    # values per visit, per view, per reader do not compare: rows are ranked within their unit only
    units = np.unique(np.asarray(results.audience_units)[shown], return_inverse=True)[1]
    for i in shown[np.lexsort((-np.nan_to_num(per[shown], nan=-np.inf), units))]:
        unit = results.audience_units[i]
        value = float(per[i])
        covered = COVERAGE_LABELS[coverage[i]]
        rows.append([results.services[i], kind_label(results.kinds[i], lang),
                     format_count(results.audience[i], lang),
                     per_audience_unit(unit, lang), format_impact(value, "climate_change", lang, covered),
                     equivalent_text(value, car, lang) if np.isfinite(value) else coverage_label(covered, lang)])
    header = [_("service"), _("kind"), _("audience over the period"), _("unit of audience"),
              _("climate change per unit"), _("everyday equivalent")]
    return _table(_("Climate change per unit of audience, from the most to the least within each unit of audience"),
                  header, rows,
                  [False, False, True, False, True, True]) + _others_note(results, shown, lang)


def _per_unit_table(results: Results, units: dict[str, FunctionalUnit], lang: str) -> str:
    """Climate change per inhabitant, per euro and per each declared unit: a column per unit, its unit in the
    header, every service and then all of them together; a row without an amount says so, never 0."""
    _ = translator(lang).gettext
    shown = largest_services(results)
    headers = {name: _("climate change per inhabitant") if name == INHABITANT else
               _("climate change per euro") if name == EURO else _("climate change per {name}").format(name=name)
               for name in units}
    columns = []
    for name, unit in units.items():
        table = _climate_rows(results.select(shown).per_unit(unit), results.per_unit(unit, by=()))
        columns.append([_missing_amount(results, name, unit, i, lang) if c == NO_AMOUNT else
                        coverage_label(c, lang) if c == ZERO_AMOUNT else format_impact(v, "climate_change", lang, c)
                        for i, (v, c) in zip([*shown, len(results.services)],
                                             zip(table["value"], table["coverage"].astype(str), strict=True),
                                             strict=True)])
    names = [*(results.services[i] for i in shown), _("all services")]
    rows = [[name, *(column[k] for column in columns)] for k, name in enumerate(names)]
    sources = _items([_("{term}: {definition}").format(
        term=headers[name], definition=_("the budgets of the services and campaigns") if name == EURO else unit.source)
        for name, unit in units.items() if unit.source])
    return _table(_("Climate change per functional unit: each column in its own unit, never compared across "
                    "columns"), [_("service"), *headers.values()], rows, [False] + [True] * len(units)) + sources \
        + _others_note(results, shown, lang)


def _missing_amount(results: Results, name: str, unit: FunctionalUnit, row: int, lang: str) -> str:
    """Why row ``row`` (a service, or past the last one the whole portfolio) has no value per ``unit``: the
    amount missing and the services it is missing for. A campaign's own amount stands for its services'."""
    _ = translator(lang).gettext
    if row < len(results.services):
        missing = [results.services[row]]
    else:
        missing = [s for s, c in zip(results.services, results.campaigns, strict=True)
                   if s not in unit.amounts and c not in unit.campaign_amounts]
    services = ", ".join(missing[:MISSING_NAMED])
    if len(missing) > MISSING_NAMED:  # a cell, not a list of thousands of names: the workbook has them all
        left = len(missing) - MISSING_NAMED
        services = translator(lang).ngettext("{services} and {n} other", "{services} and {n} others", left).format(
            services=services, n=format_count(left, lang))
    if name == EURO:
        return _("no budget given: {services}").format(services=services)
    return _("no amount of {unit} given: {services}").format(unit=name, services=services)


def _climate_rows(per_service: pd.DataFrame, portfolio: pd.DataFrame) -> pd.DataFrame:
    """The climate-change rows of a per-service table, then the portfolio's."""
    import pandas as pd

    return pd.concat([t[t["criterion"] == "climate_change"] for t in (per_service, portfolio)], ignore_index=True)


def _service_table(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    ids = [c for c in MISSION_CRITERIA if c in results.criteria]
    shown = largest_services(results)
    # [service, criterion] arrays in inventory order, one lookup per table
    totals = service_totals(results)
    columns = [results.criteria.index(c) for c in ids]
    value, per = totals.values[:, columns], totals.per_audience[:, columns]
    coverage = np.asarray(COVERAGE_LABELS, dtype=object)[totals.codes[:, columns]]
    header = [_("service"), _("audience over the period"), *[_criterion_heading(c, lang) for c in ids]]
    rows = []
    for i in shown:
        unit = per_audience_unit(results.audience_units[i], lang)
        row = [results.services[i], f"{format_count(results.audience[i], lang)}\n({unit})"]
        for j, criterion in enumerate(ids):
            text = format_impact(value[i, j], criterion, lang, str(coverage[i, j]))
            if np.isfinite(per[i, j]):  # the total already says whether it is partial
                text = _("{total}\n{per_unit} {per}").format(
                    total=text, per_unit=format_impact(per[i, j], criterion, lang), per=unit)
            row.append(text)
        rows.append(row)
    return _table(_("Mission criteria per service: total over the period and, below it, per unit of audience"),
                  header, rows, [False, True] + [True] * len(ids)) + _others_note(results, shown, lang)


def _annex_table(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    totals = results.total(("criterion",)).set_index("criterion")
    by_service = service_totals(results)
    rows = []
    for c, criterion in enumerate(results.criteria):
        if criterion in MISSION_CRITERIA:
            continue
        row = totals.loc[criterion]
        values = by_service.values[:, c]
        top = int(np.nanargmax(values)) if np.isfinite(values).any() else None  # the first of equal largest
        uncovered = int((by_service.codes[:, c] == COVERAGE_LABELS.index(NOT_COVERED)).sum())
        rows.append([_criterion_heading(criterion, lang), display_unit(get_criterion(criterion).unit, lang),
                     format_impact(row["value"], criterion, lang, str(row["coverage"])),
                     "" if top is None else
                     f"{results.services[top]} ({format_percent(values[top] / row['value'], lang)})"
                     if row["value"] > 0 else results.services[top],
                     format_number(uncovered, lang)])
    header = [_("criterion"), _("unit"), _("portfolio total"), _("largest service (share)"),
              _("services not covered")]
    return _table(_("Other EF 3.1 criteria, portfolio totals"), header, rows, [False, False, True, False, True])


def _incomplete(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    ids = [c for c in MISSION_CRITERIA if c in results.criteria]
    codes = service_totals(results).codes[:, [results.criteria.index(c) for c in ids]]
    incomplete = np.flatnonzero((codes != COVERAGE_LABELS.index(COMPLETE)).any(axis=1))
    if not incomplete.size:
        return _paragraph(_("Every total is complete for the mission criteria."))
    rows = [[results.services[s], *[coverage_label(COVERAGE_LABELS[code], lang) for code in codes[s]]]
            for s in incomplete[:TABLE_SERVICES]]
    note = _("A partial total lacks a factor for some of its lines: it is a lower bound. A total that is not "
             "covered has no factor at all: it is not zero, it is unknown.")
    if len(incomplete) > TABLE_SERVICES:
        note += " " + _("{n} services have an incomplete total; the first {shown} are listed here, all of them in "
                        "the workbook's coverage sheet.").format(n=format_count(len(incomplete), lang),
                                                                  shown=format_count(TABLE_SERVICES, lang))
    return _paragraph(note) + _table(_("Coverage of the mission criteria, for the services with an incomplete total"),
                                     [_("service"), *[_criterion_heading(c, lang) for c in ids]], rows)


def report_figures(results: Results, lang: str = "en") -> list[ReportFigure]:
    """The report's figures, each with a caption and an alternative text that states its message."""
    from ..plotting import plot_audience, plot_multicriteria, plot_tiers_phases

    _ = translator(lang).gettext
    totals = service_totals(results)
    values = totals.per_audience[:, results.criteria.index("climate_change")]
    finite = np.where(np.isfinite(values) & (values > 0), values, np.nan)
    figures = []
    if np.isfinite(finite).any():
        hi, lo, wide = int(np.nanargmax(finite)), int(np.nanargmin(finite)), int(np.argmax(results.audience))
        alt = _("Scatter plot on logarithmic scales of climate change per unit of audience against audience, one "
                "point per service. {hi} costs the most per unit ({hi_value} {hi_per}), {lo} the least ({lo_value} "
                "{lo_per}); {wide} reaches the largest audience ({audience}).").format(
            hi=results.services[hi], hi_value=format_impact(values[hi], "climate_change", lang),
            hi_per=per_audience_unit(results.audience_units[hi], lang), lo=results.services[lo],
            lo_value=format_impact(values[lo], "climate_change", lang),
            lo_per=per_audience_unit(results.audience_units[lo], lang), wide=results.services[wide],
            audience=format_count(results.audience[wide], lang))
        drawn = int((np.isfinite(finite) & (np.asarray(results.audience) > 0)).sum())
        if drawn > AUDIENCE_POINTS:  # as plot_audience draws them
            alt += " " + _("The {shown} services with the largest totals are points, the {left} others grey cells "
                           "shaded by how many fall in each.").format(
                shown=format_count(AUDIENCE_POINTS, lang), left=format_count(drawn - AUDIENCE_POINTS, lang))
        figures.append(ReportFigure(plot_audience(results, lang=lang),
                                    _("Climate change per unit of audience against the audience reached (log scales)"),
                                    alt))
    parts = [_("{criterion}: {service} is the largest ({value}), {share} of it in the {tier} tier").format(
        criterion=label(get_criterion(h.criterion), lang), service=results.services[h.service],
        value=format_quantity(h.value, get_criterion(h.criterion).unit, lang),
        share=format_percent(h.tiers.max() / h.tiers.sum(), lang), tier=label(TIERS[int(np.argmax(h.tiers))], lang))
        for h in heaviest(results)]
    figures.append(ReportFigure(
        plot_tiers_phases(results, lang=lang),
        _("Where each service's impact occurs: share of each tier (colour) and life-cycle phase (hatching), with "
          "the service's total at the end of each bar"),
        _("Bar charts, one per mission criterion, of each service's impact split by tier and phase. ") +
        join(parts, lang) + "."))
    shares = []
    covered = np.isfinite(totals.values).any(axis=0)  # a criterion no service covers has no leader
    leaders = Counter(results.services[int(s)] for s in np.nanargmax(totals.values[:, covered], axis=0)) \
        if covered.any() else Counter()
    if leaders:
        service, n = leaders.most_common(1)[0]
        shares.append(_("{service} has the largest share on {n} of the {m} criteria covered").format(
            service=service, n=format_number(n, lang), m=format_number(int(covered.sum()), lang)))
    figures.append(ReportFigure(
        plot_multicriteria(results, lang=lang),
        _("Each service's share of the portfolio total, criterion by criterion (EF 3.1 criteria, code in brackets)"),
        _("Heat map of each service's share of the portfolio total for every criterion. ") + join(shares, lang) + "."))
    return figures


def _items(texts: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(text)}</li>" for text in texts) + "</ul>"


def _method(results: Results, lang: str) -> str:
    _ = translator(lang).gettext
    source, items = equivalents()
    units = sorted(set(results.audience_units))
    definitions = {
        "visit": _("a visit is one session on the site (several pages), as counted by web analytics"),
        "view": _("a view is one start of the video, as counted by the platform, watched in part or in full"),
        "impression": _("an impression is one display of a post on a screen, as counted by the platform (one "
                        "person may see a post several times)"),
        "recipient": _("a recipient is one message received by one person: each issue counts once per recipient"),
        "listen": _("a listen is one play of an episode, streamed or downloaded"),
        "participant": _("a participant is one person attending one session of the call"),
        "reader": _("a reader is one person reading one copy (copies × readers per copy)"),
        "user": _("a user is one user of a shared hosting"),
        "download": _("a download is one download of the file (a person downloading it twice counts twice)"),
    }
    defined = _("{term}: {definition}")
    unit_items = _items([defined.format(term=per_audience_unit(u, lang), definition=definitions.get(u, u))
                         for u in units])
    glossary = "".join(
        f"<dt>{escape(defined.format(term=get_criterion(c).code, definition=label(get_criterion(c), lang)))} "
        f"({escape(display_unit(get_criterion(c).unit, lang))})</dt><dd>{escape(_(get_criterion(c).description))}</dd>"
        for c in results.criteria)
    one = {"km": f"1{NBSP}km", "meal": "1"}
    equivalents_items = _items([defined.format(
        term=translator(lang).ngettext(e.singular, e.plural, 1).format(n=one[e.per]),
        definition=f"{format_quantity(e.kg_co2e, 'kg CO2 eq', lang)} (Base Carbone {e.base_carbone})") for e in items])
    cited = _("Source: {title}, {publisher}, {year}, licence {licence}.").format(
        **{**source, "title": source_text(source["title"], lang)})
    sections = [
        (_("Goal and intended audience"), _paragraph(_(
            "Attributional life-cycle assessment of the digital communication services of the inventory (and of "
            "print, for comparison) over the period stated, to show where their environmental impacts occur and "
            "what each unit of audience costs, so that the communication department and its elected officials can "
            "choose what to change. Intended audience: the organisation's staff and elected officials, and the "
            "public through its responsible-digital roadmap (REEN law, 2021)."))),
        (_("Functional units"), "<p>" + escape(_(
            "Each service is assessed for its whole audience over the period, and per unit of that audience:"))
         + f"</p>{unit_items}"),
        (_("System boundaries"), _items((
            _("User terminals: manufacturing, distribution and end of life of smartphones, tablets, computers, "
              "monitors, televisions and boxes, allocated to the service by the time they are used for it; their "
              "electricity during that time."),
            _("Networks: data transferred over fixed (box included) and mobile networks, per GB."),
            _("Data centres: servers (with their share of network gear and building), storage per GB-year and "
              "copy, and the electricity they draw with the data centre's PUE; large platforms per hour watched "
              "and per GB served."),
            _("Other: for print, paper, printing, road freight and the paper's end of life.")))),
        (_("Cut-off"), _paragraph(_(
            "Left out: the production of content (filming, editing, staff time and their equipment) and indirect "
            "effects (rebound, substitution of travel or print). Printing is counted for climate change only, from "
            "published magazine footprints (a proxy, see the factor documentation); it has no open factor for the "
            "other criteria, so print totals for them are partial. A line whose factor is missing is kept and "
            "flagged: the total is then partial or not covered, never silently complete."))),
        (_("Allocation"), _paragraph(_(
            "Devices by usage time (embodied impact / (lifetime × hours of use per day)), or by possession time "
            "with the possession profile; networks by data volume; data centres by server-hours, GB-years stored "
            "and electricity; hostings shared between services by declared shares."))),
        (_("Impact assessment method"), "<p>" + escape(_(
            "Environmental Footprint 3.1 (EF 3.1, European Commission, Joint Research Centre; Recommendation "
            "(EU) 2021/2279), with primary energy and water consumption as French digital-service studies report "
            "them. The mission criteria are climate change, mineral and metal resource use (ADPe) and freshwater "
            "ecotoxicity (CTUe). Each criterion and its short code:")) + f'</p><dl class="glossary">{glossary}</dl>'),
        (_("Data and data quality"), _paragraph(_(
            "Factors come from the factor sets listed under provenance, each with its licence; every factor row "
            "carries its source, year, geography and a confidence level, and each set's documentation lists its "
            "gaps. Service defaults come from cited sources (ADEME Impact CO2, Web Almanac, Médiamétrie, platform "
            "help pages...), shown parameter by parameter in the assumptions sheet of the workbook."))),
        (_("Everyday equivalents"), "<p>" + escape(_(
            "Climate impacts are also expressed as everyday equivalents, with the values ADEME's Impact CO2 "
            "comparator uses:")) + f"</p>{equivalents_items}<p>" + escape(cited)
         + f' <a href="{escape(source["url"])}">{escape(source["url"])}</a></p>'),
        (_("Interpretation"), _paragraph(_(
            "Read each service's impact against the audience it reaches: a service whose impact per visit, view "
            "or reader is high may still be justified by its purpose; a heavy service that reaches few people is "
            "the first to question. Differences smaller than the uncertainty of the factors (often a factor of "
            "two) are not meaningful; the uncertainty analysis (lca-numerique uncertainty) tells which are."))),
        (_("Limitations"), _items((
            _("Open multi-criteria data for digital services is scarce: totals marked partial or not covered lack "
              "factors for some lines (never counted as zero)."),
            _("Sources disagree by large factors on some values (storage per GB-year, electricity ADPe, ionising "
              "radiation and particulate matter): see the factor documentation."),
            _("Social networks' and streaming platforms' data centres are represented by figures ADEME derived "
              "from Netflix's 2019 report: a proxy."),
            _("Indirect effects (rebound, substitution of travel or print) are outside the boundary.")))),
        (_("Comparisons and public communication"), _paragraph(_(
            "This assessment has not been critically reviewed. ISO 14044 requires a critical review by a panel of "
            "interested parties before a comparative assertion (that one product or service is environmentally "
            "better than another) is disclosed to the public: comparisons in this report (digital against print, "
            "one service against another) are for the organisation's own decisions, not claims to be published "
            "as such."))),
    ]
    return "".join(f"<h3>{escape(title)}</h3>{body}" for title, body in sections)


def _overrides(table: pd.DataFrame, lang: str) -> str:
    """The overrides table as a warning and an accessible table, in ``lang``."""
    from .factor_choice import localise_overrides

    _ = translator(lang).gettext
    table = localise_overrides(table, lang)
    rows = [[str(r["what"]), str(r["name"]), str(r["value"]),
             "" if r["bundled value"] is None or r["bundled value"] != r["bundled value"] else str(r["bundled value"]),
             str(r["unit"] or "")] for _i, r in table.iterrows()]
    warning = _("These results do not use the bundled factor data as published: the changes below were made.")
    return f'<p class="warn">{escape(warning)}</p>' + _table(
        _("Overrides of the bundled factor data"),
        [_("What"), _("Name"), _("Value used"), _("Bundled value"), _("Unit")], rows)


def html_report(results: Results, inventory: Inventory | None = None, *, lang: str = "en",
                figures: Sequence[ReportFigure] | None = None, overrides: pd.DataFrame | None = None) -> str:
    """The whole report as one HTML document in ``lang`` (figures embedded; by default
    :func:`report_figures`). ``overrides`` (a :meth:`FactorChoice.overrides_table`) is disclosed right after
    the key figures when it has rows: results that depart from the bundled data say so where they are read."""
    _ = translator(check_lang(lang)).gettext
    title = inventory.organisation if inventory is not None else _("Assessment")
    figures = report_figures(results, lang) if figures is None else figures
    heading = _("Environmental footprint of digital communication services")
    page_title = _("{term}: {definition}").format(term=title, definition=heading)
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"/>'
             '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
             f"<title>{escape(page_title)}</title><style>{STYLE}</style></head>"
             f"<body><header><h1>{escape(heading)}</h1>",
             f'<p class="subtitle">{escape(title)}']
    if inventory is not None and inventory.period:
        parts.append(f" — {escape(str(inventory.period))}")
    parts.append("</p></header><main>")
    if inventory is not None and inventory.illustrative:
        warning = _("Illustrative data: these numbers are examples, not measurements of any organisation.")
        parts.append(f'<p class="warn"><strong>{escape(warning)}</strong></p>')
    parts.append(_heading(2, _("Key figures")) + _key_figures(results, lang))
    if overrides is not None and len(overrides):
        parts.append(_heading(3, _("Departures from the bundled data")) + _overrides(overrides, lang))
    parts.append(_heading(2, _("Reading")) + "<ul>")
    parts += [f"<li>{escape(sentence)}</li>" for sentence in reading(results, lang)]
    note = _("Read each service against the audience it reaches: a service whose impact per visit, view or reader "
             "is high may still be justified by its purpose; a heavy service that reaches few people is the first "
             "to question.")
    parts.append(f"</ul><p>{escape(note)}</p>")
    parts.append(_heading(3, _("Per unit of audience")) + _per_audience_table(results, lang))
    units = declared_units(inventory) if inventory is not None else {}
    if units:
        parts.append(_heading(3, _("Per inhabitant, per euro and per declared unit"))
                     + _per_unit_table(results, units, lang))
    parts.append(_heading(3, _("Incomplete totals")) + _incomplete(results, lang))
    unattributed = inventory.unattributed_hosting() if inventory is not None else {}
    if unattributed:
        items = _items([_("{term}: {definition}").format(term=name, definition=format_percent(share, lang))
                        for name, share in unattributed.items()])
        parts.append(_heading(3, _("Hosting not attributed to any service")) + f"<div class='warn'>{items}</div>")
    if figures:
        parts.append(_heading(2, _("Figures")))
        parts += [f"<figure>{figure_png(f.figure, f.alt)}<figcaption>{escape(f.caption)}</figcaption></figure>"
                  for f in figures]
    parts.append(_heading(2, _("Per service")) + _service_table(results, lang))
    parts.append(_heading(2, _("Method")) + _method(results, lang))
    parts.append(_heading(2, _("Annex: other criteria")) + _annex_table(results, lang))
    provenance = [[provenance_label(key, lang), provenance_value(key, str(value), lang)]
                  for key, value in results.provenance.items()]
    parts.append(_heading(2, _("Provenance"))
                 + _table(_("Library, factor sets, versions and content hashes"), [_("item"), _("value")],
                          provenance))
    parts.append("</main></body></html>")
    return "\n".join(parts)
