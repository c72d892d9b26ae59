"""Figures of results, uncertainty and scenarios (matplotlib, imported on first use). Each returns a Figure.

Colours: the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies; phases are
told apart by hatching as well as by order. Labels in English (``lang="en"``) or French (``lang="fr"``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from inspect import signature
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .axes import PHASES, TIERS
from .criteria import MISSION_CRITERIA, get_criterion
from .i18n import (
    coverage_label,
    display_unit,
    format_count,
    format_impact,
    format_number,
    gettext_for,
    join,
    label,
    per_audience_unit,
    scale,
    tornado_input,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from .montecarlo import MonteCarloResults
    from .results import Results

__all__ = [
    "FONT_SIZE",
    "OKABE_ITO",
    "PHASE_HATCHES",
    "TIER_COLOURS",
    "ServiceTotals",
    "plot_audience",
    "plot_distribution",
    "plot_multicriteria",
    "plot_tiers_phases",
    "plot_tornado",
    "plot_waterfall",
    "service_totals",
    "sum_of_services",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TIER_COLOURS = dict(zip([t.id for t in TIERS], ("#0072B2", "#E69F00", "#009E73", "#CC79A7"), strict=True))
PHASE_HATCHES = {"manufacturing": "", "distribution": "..", "use": "//", "end_of_life": "xx"}

#: Smallest font size of any text, in points at the size a figure is shown (the HTML report shows figures at
#: 96 px per inch, so a point on screen is a point of the figure).
FONT_SIZE = 9.5
#: Points of the audience plot written with their service's name (the largest totals): more would not be read.
LABELLED_POINTS = 25
#: Service columns of the heat map; beyond, the others are summed in one column.
HEATMAP_SERVICES = 24
#: Services of the audience plot drawn as points (the largest totals); beyond, the others are shaded cells of a
#: density, so that the figure costs the same for 100 or 100,000 services and a cloud stays readable.
AUDIENCE_POINTS = 300


class ServiceTotals(NamedTuple):
    """Each service's totals per criterion, and what the coverage rule needs to sum services together."""

    values: np.ndarray  # [service, criterion] in the criterion's unit, NaN where not covered
    codes: np.ndarray  # coverage codes into lca_numerique.results.COVERAGE_LABELS
    found: np.ndarray  # [service, criterion]: some line behind the total has a factor
    per_audience: np.ndarray  # [service, criterion] per unit of the service's audience, NaN where not computable
    per_audience_codes: np.ndarray


_TOTALS: weakref.WeakKeyDictionary[Results, ServiceTotals] = weakref.WeakKeyDictionary()


def service_totals(results: Results) -> ServiceTotals:
    """The service totals figures and the HTML report read, computed once per (immutable) ``results``: one
    reduction of the bill matrix each, arrays over services, no table per service."""
    totals = _TOTALS.get(results)
    if totals is None:
        scores, per = results.scores(), results.scores(per_audience=True)
        totals = ServiceTotals(scores.values, scores.coverage, results.flags(("service",))[1], per.values,
                               per.coverage)
        _TOTALS[results] = totals
    return totals


def sum_of_services(results: Results, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sum of the services at ``positions``, per criterion, as the engine sums a group: ``(values,
    codes)``, complete when every total summed is, not covered (NaN) when some line lacks a factor and none
    behind the sum has one, partial (the covered part) otherwise."""
    totals = service_totals(results)
    lacking = (totals.codes[positions] > 0).any(axis=0)
    found = totals.found[positions].any(axis=0)
    codes = np.where(lacking, np.where(found, 1, 2), 0).astype(np.int8)
    values = np.where(codes == 2, np.nan, np.nansum(totals.values[positions], axis=0))
    return values, codes


def _others_name(n: int, lang: str) -> str:
    return _gettext(lang, "the {n} other services").format(n=format_count(n, lang))


_gettext = gettext_for
_label = label


def _criterion_title(criterion: str, lang: str, unit: str | None = None) -> str:
    c = get_criterion(criterion)
    return f"{_label(c, lang)} ({unit or display_unit(c.unit, lang)})"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _tier_phase_legend(fig: Figure, lang: str) -> None:
    """One legend entry per tier (colour) and per phase (hatching), rather than one per combination."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=TIER_COLOURS[t.id], label=_label(t, lang)) for t in TIERS]
    handles += [Patch(facecolor="#dddddd", edgecolor="#555555", hatch=PHASE_HATCHES[p.id], label=_label(p, lang))
                for p in PHASES]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=FONT_SIZE, frameon=False)


def _tier_phase_split(table: object, criterion: int) -> np.ndarray:
    """``[tier, phase]`` of one criterion from a one-row ``total(("tier", "phase"), as_frame=False)``, the
    parts not covered as 0 (they are not drawn; the bar's label says the total is partial)."""
    split = np.zeros((len(TIERS), len(PHASES)))
    tier, of, phase = (table.codes(axis)[0] for axis in ("tier", "criterion", "phase"))  # type: ignore[attr-defined]
    keep = of == criterion
    split[tier[keep], phase[keep]] = np.nan_to_num(table["value"][keep])  # type: ignore[index]
    return split


def plot_tiers_phases(results: Results, criteria: Sequence[str] = MISSION_CRITERIA, *, lang: str = "en",
                      top: int = 12) -> Figure:
    """For each criterion (one panel under the other), one bar per service (the ``top`` largest, then one bar
    for all the others together) showing how its total splits between tiers (colour) and phases (hatching), as
    shares of that total; each bar is labelled with the total itself (scaled unit), so a dominant service does
    not hide the others. Totals that are not covered are labelled so, partial ones marked."""
    from matplotlib.ticker import PercentFormatter

    from .results import COVERAGE_LABELS, NOT_COVERED

    ids = [get_criterion(c).id for c in criteria if get_criterion(c).id in results.criteria]
    totals = service_totals(results)
    n = len(results.services)
    rows = min(top, n) + (n > top)
    fig = _figure(9.0, len(ids) * (0.32 * rows + 0.9) + 0.9)
    axes = fig.subplots(len(ids), 1, squeeze=False)[:, 0]
    for ax, criterion in zip(axes, ids, strict=True):
        c = results.criteria.index(criterion)
        # not-covered parts are unknown, so not drawn (their label says so)
        order = np.argsort(np.nan_to_num(totals.values[:, c]))[::-1][:top][::-1]
        values = np.nan_to_num(results.select(order).values[:, :, c, :])  # [bar, tier, phase]
        names = [results.services[i] for i in order]
        labels = list(zip(totals.values[order, c], totals.codes[order, c], strict=True))
        if n > top:  # the others, summed as the engine sums a group, in one bar under the largest
            others = np.setdiff1d(np.arange(n), order)
            split = _tier_phase_split(results.select(others).total(("tier", "phase"), as_frame=False), c)
            summed, codes = sum_of_services(results, others)
            values = np.concatenate([split[None], values])
            names.insert(0, _others_name(len(others), lang))
            labels.insert(0, (summed[c], codes[c]))
        bar_totals = values.sum(axis=(1, 2))
        shares = np.nan_to_num(values / np.where(bar_totals > 0, bar_totals, np.nan)[:, None, None])
        left = np.zeros(len(names))
        for t, tier in enumerate(TIERS):
            for p, phase in enumerate(PHASES):
                width = shares[:, t, p]
                if not width.any():
                    continue
                ax.barh(range(len(names)), width, left=left, color=TIER_COLOURS[tier.id],
                        hatch=PHASE_HATCHES[phase.id], edgecolor="white", linewidth=0.5)
                left += width
        ax.set_yticks(range(len(names)), names, fontsize=FONT_SIZE)
        ax.set_xlim(0, 1.42)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=FONT_SIZE)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(_label(get_criterion(criterion), lang), fontsize=FONT_SIZE + 1.5, loc="left")
        for row, (value, code) in enumerate(labels):
            coverage = COVERAGE_LABELS[code]
            text = coverage_label(NOT_COVERED, lang) if coverage == NOT_COVERED else \
                format_impact(value, criterion, lang, coverage)
            ax.annotate(text, (1.0, row), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=FONT_SIZE, color="#222222")
    axes[-1].set_xlabel(_gettext(lang, "share of the service's total (the label gives the total)"),
                        fontsize=FONT_SIZE)
    _tier_phase_legend(fig, lang)
    return fig


def plot_multicriteria(results: Results, *, normalise: str = "share", lang: str = "en") -> Figure:
    """A table-like heat map, one row per criterion (full name and code) and one column per service: each
    service's share of the portfolio total (``normalise="share"``), or its impacts in EF 3.1 person-year
    equivalents (``normalise="ef"``: criteria without a normalisation factor are left out). Each cell is
    written out; not-covered totals are grey and marked, partial ones starred."""
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import FuncFormatter

    from .results import COVERAGE_LABELS

    ids = list(results.criteria)
    if normalise == "ef":
        ids = [c for c in ids if get_criterion(c).normalisation]
    elif normalise != "share":
        raise ValueError("normalise is 'share' or 'ef'")
    totals = service_totals(results)
    rows = [results.criteria.index(c) for c in ids]
    columns = list(results.services)
    values, codes = totals.values[:, rows], totals.codes[:, rows]  # [service, criterion]
    if len(columns) > HEATMAP_SERVICES:  # the largest services, then one column for all the others
        kept, others = _largest_and_others(results, HEATMAP_SERVICES)
        summed, summed_codes = sum_of_services(results, others)
        values = np.vstack([values[kept], summed[rows]])
        codes = np.vstack([codes[kept], summed_codes[rows]])
        columns = [*(columns[i] for i in kept), _others_name(len(others), lang)]
    data = values.T.astype(float)
    coverage = np.asarray(COVERAGE_LABELS, dtype=object)[codes.T]
    if normalise == "ef":
        data = data / np.array([get_criterion(c).normalisation for c in ids])[:, None]
        norm, cmap = LogNorm(), "cividis"
        write = format_number
        colour_label = _gettext(lang, "person-years (EF 3.1 normalisation)")
    else:
        data = data / np.where(np.nansum(data, axis=1) > 0, np.nansum(data, axis=1), np.nan)[:, None]
        norm, cmap = Normalize(0, 1), "cividis"
        write = _whole_percent
        colour_label = _gettext(lang, "share of the portfolio total (%)")
    fig = _figure(9.5, 0.36 * len(ids) + 2.6)
    ax = fig.subplots()
    shown = np.where(np.isfinite(data) & (data > 0 if normalise == "ef" else True), data, np.nan)
    from matplotlib import colormaps

    image = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=colormaps[cmap].with_extremes(bad="#d9d9d9"),
                      norm=norm)
    for (r, s), cell in np.ndenumerate(data):
        status = coverage[r, s]
        if status == "not covered" or not np.isfinite(cell):
            text, colour = _gettext(lang, "n/c"), "#222222"
        else:
            text = write(cell, lang) + ("*" if status == "partial" else "")
            level = norm(cell) if (normalise != "ef" or cell > 0) else 0.0
            colour = "#000000" if level > 0.45 else "#ffffff"  # the higher contrast on cividis' middle greys
        ax.text(s, r, text, ha="center", va="center", fontsize=FONT_SIZE - 0.5, color=colour)
    ax.set_yticks(range(len(ids)), [f"{_label(get_criterion(c), lang)} ({get_criterion(c).code})" for c in ids],
                  fontsize=FONT_SIZE)
    ax.set_xticks(range(len(columns)), columns, rotation=35, ha="right", fontsize=FONT_SIZE)
    ax.tick_params(length=0)
    colourbar = fig.colorbar(image, ax=ax, shrink=0.6, pad=0.01)
    colourbar.set_label(colour_label, fontsize=FONT_SIZE)
    colourbar.ax.tick_params(labelsize=FONT_SIZE)
    if normalise == "share":
        colourbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(round(v * 100), lang)))
    fig.supxlabel(_gettext(lang, "n/c: not covered (no factor); *: partial total (some lines lack a factor)"),
                  fontsize=FONT_SIZE, x=0.02, ha="left")  # laid out by constrained layout, under the labels
    return fig


def _largest_and_others(results: Results, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``keep`` services largest on climate change (from the largest; not covered last; ties
    in inventory order) and of all the others (in inventory order)."""
    n = len(results.services)
    climate = service_totals(results).values[:, results.criteria.index("climate_change")] \
        if "climate_change" in results.criteria else np.zeros(n)
    kept = np.argsort(-np.nan_to_num(climate, nan=-np.inf), kind="stable")[:keep]
    return kept, np.setdiff1d(np.arange(n), kept)


def _whole_percent(share: float, lang: str) -> str:
    """A share as a whole number of percent for a crowded cell ("27"), "<1" when small but not zero."""
    percent = share * 100
    return "<1" if 0 < percent < 0.5 else format_number(round(percent), lang)


def _label_points(fig: Figure, ax: object, points: Sequence[tuple[float, float, str]]) -> None:
    """Write each point's name beside it, on the first side (right, below right, left, below left...) where it
    overlaps neither a label already written nor another point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()  # final layout, so that display coordinates are those of the figure
    marks = [ax.transData.transform((x, y)) for x, y, _ in points]  # type: ignore[attr-defined]
    taken = [Bbox.from_bounds(mx - 5, my - 5, 10, 10) for mx, my in marks]
    sides = ((6, 2, "left"), (6, -14, "left"), (-6, 2, "right"), (-6, -14, "right"), (6, 12, "left"),
             (-6, 12, "right"))
    frame = ax.bbox  # type: ignore[attr-defined]
    for i, (x, y, name) in enumerate(points):
        others = taken[:i] + taken[i + 1:]  # every mark but this point's own, and the labels written
        for dx, dy, align in sides:
            text = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points",  # type: ignore[attr-defined]
                               fontsize=FONT_SIZE, ha=align)
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 - 12 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in others):
                break
            text.remove()
        else:
            text = ax.annotate(name, (x, y), xytext=sides[0][:2], textcoords="offset points",  # type: ignore[attr-defined]
                               fontsize=FONT_SIZE)
            box = text.get_window_extent(renderer)
        taken.append(box)


def _density(ax: object, x: np.ndarray, y: np.ndarray, label: str) -> None:
    """Points too many to draw one by one, as hexagonal cells on log axes shaded by how many fall in each
    (log scale), light grey for one: a fixed number of cells whatever the number of points."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    def span(values: np.ndarray) -> tuple[float, float]:
        """The decades the cells cover: the data's, widened to one decade at least (cells of equal values
        would otherwise be too thin to see)."""
        low, high = float(np.log10(values.min())), float(np.log10(values.max()))
        centre = (low + high) / 2
        return min(low, centre - 0.5), max(high, centre + 0.5)

    greys = ListedColormap(colormaps["Greys"](np.linspace(0.25, 0.8, 256)))
    ax.hexbin(x, y, xscale="log", yscale="log", gridsize=45, bins="log", mincnt=1, cmap=greys,  # type: ignore[attr-defined]
              extent=(*span(x), *span(y)), linewidths=0, zorder=0, label=label)


def plot_audience(results: Results, criterion: str = "climate_change", *, lang: str = "en") -> Figure:
    """Impact per audience unit against audience, log axes, one point per service (colour and marker by
    audience unit; the :data:`LABELLED_POINTS` services with the largest totals labelled with their names;
    beyond :data:`AUDIENCE_POINTS` services, the others shaded as a density): is each service's impact
    justified by the audience it reaches?"""
    from matplotlib.ticker import FuncFormatter

    c = get_criterion(criterion).id
    values = service_totals(results).per_audience[:, results.criteria.index(c)]
    positive = values[np.isfinite(values) & (values > 0)]
    factor, unit = 1.0, get_criterion(c).unit
    if positive.size:  # one unit for the whole axis, scaled on the median service
        scaled, unit = scale(float(np.median(positive)), unit)
        factor = float(np.median(positive)) / scaled
    fig = _figure(9.0, 6.0)
    ax = fig.subplots()
    units = sorted(set(results.audience_units))
    markers = dict(zip(units, "osD^vP*Xh<>p", strict=False))
    colours = dict(zip(units, (*OKABE_ITO[:7], "#777777", "#882255", "#44AA99", "#332288", "#999933"), strict=False))
    audience = np.asarray(results.audience, dtype=float)
    audience_units = np.asarray(results.audience_units, dtype=object)
    shown = np.flatnonzero((audience > 0) & np.isfinite(values) & (values > 0))
    if len(shown) > AUDIENCE_POINTS:  # the largest totals as points, the others as a density behind them
        largest = np.argsort(-(audience[shown] * values[shown]), kind="stable")[:AUDIENCE_POINTS]
        rest, shown = np.delete(shown, largest), np.sort(shown[largest])
        _density(ax, audience[rest], values[rest] / factor, _gettext(
            lang, "the {n} other services (grey cells, darker where they are more)").format(
            n=format_count(len(rest), lang)))
    for u in units:  # one collection per audience unit, whatever the number of services
        group = shown[audience_units[shown] == u]
        if group.size:
            ax.scatter(audience[group], values[group] / factor, marker=markers[u], color=colours[u], s=55,
                       edgecolor="#222222", linewidth=0.5, label=per_audience_unit(u, lang))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.margins(x=0.15, y=0.12)
    # names for the services with the largest totals only: placing a label is quadratic in the labels written
    named = shown[np.argsort(-(audience[shown] * values[shown]), kind="stable")[:LABELLED_POINTS]]
    _label_points(fig, ax, [(audience[s], values[s] / factor, results.services[s]) for s in sorted(named)])
    number = FuncFormatter(lambda v, _: format_number(v, lang))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(number)
        axis.set_minor_formatter(_log_minor_numbers(lang))
    ax.tick_params(labelsize=FONT_SIZE)
    ax.set_xlabel(_gettext(lang, "audience over the period (visits, views, readers...)"), fontsize=FONT_SIZE)
    ax.set_ylabel(_gettext(lang, "{criterion} per unit of audience").format(
        criterion=_criterion_title(c, lang, unit)), fontsize=FONT_SIZE)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=FONT_SIZE, frameon=False, loc="best")
    return fig


def _log_minor_numbers(lang: str) -> object:
    """Minor ticks of a log axis labelled where matplotlib labels them (an axis of less than a decade or two),
    written as ``lang`` writes numbers rather than as 4×10⁰."""
    from matplotlib.ticker import LogFormatter

    class Numbers(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return format_number(x, lang) if super().__call__(x, pos) else ""

    return Numbers(labelOnlyBase=False)


def _number_axis(axis: object, lang: str) -> None:
    """Tick labels of ``axis`` written as ``lang`` writes numbers (no 10^n or scientific notation)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, lang)))  # type: ignore[attr-defined]
    axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))  # type: ignore[attr-defined]


def plot_distribution(mc: MonteCarloResults, criteria: Sequence[str] = MISSION_CRITERIA, *, lang: str = "en",
                      top: int = 10) -> Figure:
    """Monte Carlo distributions: for each criterion, a box per service (the ``top`` largest; whiskers at the
    2.5 and 97.5 percentiles) with the deterministic value marked; needs the samples kept. Services whose
    total is not covered are not drawn (they have no value) and are named under the panel. Values are in a
    unit scaled to be read (g, kg, t CO2e...), one per panel."""
    if mc.samples is None:
        raise ValueError("the Monte Carlo run did not keep its samples (keep_samples=True)")
    ids = [get_criterion(c).id for c in criteria if get_criterion(c).id in mc.criteria]
    fig = _figure(5.5 * len(ids), 0.45 * top + 2.2)
    axes = fig.subplots(1, len(ids), squeeze=False)[0]
    table = mc.summary().query("service != 'portfolio'")
    # matplotlib 3.10 names it orientation and deprecates vert
    horizontal = {"orientation": "horizontal"} if "orientation" in signature(axes[0].boxplot).parameters \
        else {"vert": False}
    for ax, criterion in zip(axes, ids, strict=True):
        c = mc.criteria.index(criterion)
        rows = table[table["criterion"] == criterion].set_index("service").loc[list(mc.services)]
        covered = np.flatnonzero(rows["coverage"].to_numpy() != "not covered")
        order = covered[np.argsort(mc.mean[covered, c])][::-1][:top][::-1]
        positive = mc.mean[order, c][mc.mean[order, c] > 0]
        reference = float(np.median(positive)) if positive.size else 1.0
        scaled, unit = scale(reference, get_criterion(criterion).unit)
        factor = reference / scaled if scaled else 1.0
        if len(order):  # a criterion no service covers (a user's flow with climate only) has an empty panel
            ax.boxplot([mc.samples[:, s, c] / factor for s in order], whis=(2.5, 97.5), showfliers=False,
                       tick_labels=[mc.services[s] for s in order], medianprops={"color": "#000000"}, **horizontal)
            ax.scatter(rows["deterministic"].to_numpy()[order] / factor, range(1, len(order) + 1), marker="D",
                       color=OKABE_ITO[5], zorder=3, label=_gettext(lang, "deterministic value"))
            ax.set_xscale("log")
        _number_axis(ax.xaxis, lang)
        ax.set_title(_label(get_criterion(criterion), lang), fontsize=FONT_SIZE + 1, wrap=True)
        ax.tick_params(labelsize=FONT_SIZE)
        missing = [mc.services[s] for s in range(len(mc.services)) if s not in set(covered)]
        note = _gettext(lang, "not covered: {services}").format(services=", ".join(missing)) if missing else ""
        ax.set_xlabel("\n".join(filter(None, [display_unit(unit, lang), note])), fontsize=FONT_SIZE)
    axes[0].legend(fontsize=FONT_SIZE, frameon=False, loc="lower right")
    return fig


def plot_tornado(table: pd.DataFrame, *, top: int = 12, lang: str = "en") -> Figure:
    """A tornado chart from :func:`lca_numerique.sensitivity.tornado`: the total with each input at its low and
    high bound, around the baseline, in a unit scaled to be read; each bar end is labelled with its total."""
    rows = table.head(top).iloc[::-1]
    baseline = table.attrs.get("baseline", float(rows[["total at low", "total at high"]].mean().mean()))
    unit = str(table["unit"].iloc[0]) if "unit" in table.columns and len(table) else "kg CO2 eq"
    scaled, shown = scale(baseline, unit)
    factor = baseline / scaled if scaled else 1.0
    fig = _figure(9.0, 0.42 * len(rows) + 1.8)
    ax = fig.subplots()
    y = np.arange(len(rows))
    centre = baseline / factor
    for column, colour in (("total at low", OKABE_ITO[4]), ("total at high", OKABE_ITO[0])):
        ends = rows[column].to_numpy(dtype=float) / factor
        ax.barh(y, ends - centre, left=centre, color=colour)
        for row, end in zip(y, ends, strict=True):
            ax.annotate(format_number(end, lang), (end, row), xytext=(3 if end >= centre else -3, 0),
                        textcoords="offset points", va="center", ha="left" if end >= centre else "right",
                        fontsize=FONT_SIZE)
    ax.axvline(centre, color="black", linewidth=0.8)
    names = [tornado_input(str(r["input"]), str(r.get("kind", "")), lang) for _, r in rows.iterrows()]
    ax.set_yticks(y, names, fontsize=FONT_SIZE)
    ax.margins(x=0.2)
    _number_axis(ax.xaxis, lang)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel(_gettext(lang, "portfolio total ({unit}); the line is the baseline ({baseline})").format(
        unit=display_unit(shown, lang), baseline=format_number(centre, lang)), fontsize=FONT_SIZE)
    fig.suptitle(_gettext(lang, "Total with each input at its low bound (blue) or high bound (orange), the others "
                                "at their central value"), fontsize=FONT_SIZE, x=0.01, ha="left")
    return fig


def plot_waterfall(levers: pd.DataFrame, criterion: str = "climate_change", *, lang: str = "en") -> Figure:
    """The change each lever brings (from :func:`lca_numerique.scenarios.rank_levers`), each applied alone:
    the baseline total, then for each lever a bar from the baseline to its total, downwards for a reduction,
    upwards (another colour) for an increase, labelled with its change in percent. Levers applied alone do not
    add up, so they are not chained; levers whose change is not comparable are listed under the chart, not
    drawn as zero. Bundled levers' names are written in ``lang``."""
    from .i18n import format_percent, lever_name

    table = levers[levers["criterion"] == get_criterion(criterion).id]
    drawn = table[table["change"].notna()].sort_values("change")
    skipped = table[table["change"].isna()]
    baseline = float(table["baseline"].iloc[0]) if len(table) else float("nan")
    unit = str(table["unit"].iloc[0]) if "unit" in table.columns and len(table) else get_criterion(criterion).unit
    scaled, shown = scale(baseline, unit)
    factor = baseline / scaled if scaled and np.isfinite(scaled) else 1.0
    fig = _figure(9.0, 5.4)
    ax = fig.subplots()
    ax.bar(0, baseline / factor, color="#777777")
    for i, (_, row) in enumerate(drawn.iterrows(), start=1):
        change = float(row["change"]) / factor
        ax.bar(i, change, bottom=baseline / factor, color=OKABE_ITO[2] if change < 0 else OKABE_ITO[5])
        text = (("+" if change > 0 else "") + format_percent(change * factor / baseline, lang)) if baseline else ""
        ax.annotate(text, (i, (baseline / factor) + change), xytext=(0, -3 if change < 0 else 3),
                    textcoords="offset points", ha="center", va="top" if change < 0 else "bottom",
                    fontsize=FONT_SIZE)
    ax.axhline(baseline / factor, color="black", linewidth=0.6)
    ax.set_xticks(range(len(drawn) + 1), [_gettext(lang, "baseline"),
                                          *[lever_name(n, lang) for n in drawn["scenario"]]],
                  rotation=30, ha="right", fontsize=FONT_SIZE)
    _number_axis(ax.yaxis, lang)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel(_criterion_title(criterion, lang, display_unit(shown, lang)), fontsize=FONT_SIZE)
    ax.set_title(_gettext(lang, "Change brought by each lever, applied alone (green: reduction, orange: increase)"),
                 fontsize=FONT_SIZE, loc="left")
    if len(skipped):
        fig.supxlabel(_gettext(lang, "not comparable (lines without factors change): {levers}").format(
            levers=join([lever_name(n, lang) for n in skipped["scenario"]], lang)), fontsize=FONT_SIZE,
            x=0.02, ha="left")
    return fig
