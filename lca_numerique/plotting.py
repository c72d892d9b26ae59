"""Figures of results, uncertainty and scenarios (matplotlib, imported on first use). Each returns a Figure.

Colours: the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies; phases are
told apart by hatching as well as by order. Labels in English (``lang="en"``) or French (``lang="fr"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .axes import PHASES, TIERS
from .criteria import MISSION_CRITERIA, get_criterion

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from .montecarlo import MonteCarloResults
    from .results import Results

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TIER_COLOURS = dict(zip([t.id for t in TIERS], ("#0072B2", "#E69F00", "#009E73", "#CC79A7"), strict=True))
PHASE_HATCHES = {"manufacturing": "", "distribution": "..", "use": "//", "end_of_life": "xx"}

_TEXT = {
    "en": {"share": "share of the portfolio total", "per": "impact per audience unit", "audience": "audience",
           "normalised": "person-years (EF 3.1 normalisation)", "tiers": "by tier and phase"},
    "fr": {"share": "part du total du portefeuille", "per": "impact par unité d'audience", "audience": "audience",
           "normalised": "équivalents habitant-année (normalisation EF 3.1)", "tiers": "par tiers et par phase"},
}


def _label(item: object, lang: str) -> str:
    return getattr(item, "name_fr" if lang == "fr" else "name_en")


def _criterion_title(criterion: str, lang: str) -> str:
    c = get_criterion(criterion)
    return f"{_label(c, lang)} ({c.unit})"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_tiers_phases(results: Results, criteria: Sequence[str] = MISSION_CRITERIA, *, lang: str = "en",
                      top: int = 12) -> Figure:
    """For each criterion, one horizontal bar per service (the ``top`` largest), stacked by tier (colour) and
    phase (hatching). Totals that are not covered are shown as empty bars marked "n/c"."""
    ids = [get_criterion(c).id for c in criteria if get_criterion(c).id in results.criteria]
    cube = np.nan_to_num(results.values)  # [service, tier, criterion, phase]; not-covered parts: empty, marked
    fig = _figure(6.0 * len(ids), 0.45 * min(top, len(results.services)) + 1.8)
    axes = fig.subplots(1, len(ids), squeeze=False)[0]
    for ax, criterion in zip(axes, ids, strict=True):
        c = results.criteria.index(criterion)
        values = cube[:, :, c, :]
        order = np.argsort(values.sum(axis=(1, 2)))[::-1][:top][::-1]
        left = np.zeros(len(order))
        for t, tier in enumerate(TIERS):
            for p, phase in enumerate(PHASES):
                width = values[order, t, p]
                if not width.any():
                    continue
                ax.barh(range(len(order)), width, left=left, color=TIER_COLOURS[tier.id],
                        hatch=PHASE_HATCHES[phase.id], edgecolor="white", linewidth=0.5,
                        label=f"{_label(tier, lang)} · {_label(phase, lang)}")
                left += width
        ax.set_yticks(range(len(order)), [results.services[i] for i in order], fontsize=8)
        ax.set_title(_criterion_title(criterion, lang), fontsize=10)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        for row, i in enumerate(order):
            if results.missing[i, :, c].any():
                ax.annotate("partial" if lang == "en" else "partiel", (left[row], row), fontsize=7,
                            xytext=(3, -3), textcoords="offset points", color="#555555")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=7, frameon=False)
    fig.suptitle(_TEXT[lang]["tiers"], fontsize=11)
    return fig


def plot_multicriteria(results: Results, *, normalise: str = "share", lang: str = "en") -> Figure:
    """Each criterion as each service's share of the portfolio total (``normalise="share"``), or each service's
    impacts in EF 3.1 person-year equivalents (``normalise="ef"``: criteria without a factor are left out)."""
    totals = results.scores().values  # [service, criterion]; NaN where not covered
    ids = list(results.criteria)
    if normalise == "ef":
        ids = [c for c in ids if get_criterion(c).normalisation]
        per_person = np.array([get_criterion(c).normalisation for c in ids])
        data = totals[:, [results.criteria.index(c) for c in ids]] / per_person
        ylabel = _TEXT[lang]["normalised"]
    elif normalise == "share":
        data = totals / np.where(totals.sum(axis=0) > 0, totals.sum(axis=0), np.nan)
        ylabel = _TEXT[lang]["share"]
    else:
        raise ValueError("normalise is 'share' or 'ef'")
    fig = _figure(max(7.0, 0.55 * len(ids) + 3), 5.0)
    ax = fig.subplots()
    bottom = np.zeros(len(ids))
    for s, service in enumerate(results.services):
        row = np.nan_to_num(data[s])
        ax.bar(range(len(ids)), row, bottom=bottom, color=OKABE_ITO[s % len(OKABE_ITO)],
               hatch=("", "//", "..", "xx")[(s // len(OKABE_ITO)) % 4], edgecolor="white", linewidth=0.4,
               label=service)
        bottom += row
    ax.set_xticks(range(len(ids)), [get_criterion(c).code for c in ids], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    fig.legend(loc="outside right center", fontsize=7, frameon=False)
    return fig


def plot_audience(results: Results, criterion: str = "climate_change", *, lang: str = "en") -> Figure:
    """Impact per audience unit against audience, log axes, one point per service: is each service's impact
    justified by the audience it reaches?"""
    table = results.per_audience().set_index(["service", "criterion"])
    c = get_criterion(criterion).id
    fig = _figure(7.5, 5.5)
    ax = fig.subplots()
    units = sorted(set(results.audience_units))
    markers = dict(zip(units, "osD^vP*Xh<>p", strict=False))
    for s, service in enumerate(results.services):
        value = table.loc[(service, c), "value"]
        if not results.audience[s] > 0 or not np.isfinite(value) or value <= 0:
            continue
        unit = results.audience_units[s]
        ax.scatter(results.audience[s], value, marker=markers[unit], color=OKABE_ITO[s % len(OKABE_ITO)],
                   s=45, label=f"per {unit}" if lang == "en" else f"par {unit}")
        ax.annotate(service, (results.audience[s], value), fontsize=7, xytext=(4, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_TEXT[lang]["audience"])
    ax.set_ylabel(f"{_TEXT[lang]['per']}: {_criterion_title(c, lang)}")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, frameon=False)
    return fig




def plot_distribution(mc: MonteCarloResults, criteria: Sequence[str] = MISSION_CRITERIA, *, lang: str = "en",
                      top: int = 10) -> Figure:
    """Monte Carlo distributions: for each criterion, a box per service (the ``top`` largest; whiskers at the
    2.5 and 97.5 percentiles) with the deterministic value marked; needs the samples kept. Services whose
    total is not covered are not drawn (they have no value) and are named under the panel."""
    if mc.samples is None:
        raise ValueError("the Monte Carlo run did not keep its samples (keep_samples=True)")
    ids = [get_criterion(c).id for c in criteria if get_criterion(c).id in mc.criteria]
    fig = _figure(5.5 * len(ids), 0.4 * top + 2.0)
    axes = fig.subplots(1, len(ids), squeeze=False)[0]
    table = mc.summary().query("service != 'portfolio'")
    for ax, criterion in zip(axes, ids, strict=True):
        c = mc.criteria.index(criterion)
        rows = table[table["criterion"] == criterion].set_index("service").loc[list(mc.services)]
        covered = np.flatnonzero(rows["coverage"].to_numpy() != "not covered")
        order = covered[np.argsort(mc.mean[covered, c])][::-1][:top][::-1]
        ax.boxplot([mc.samples[:, s, c] for s in order], vert=False, whis=(2.5, 97.5), showfliers=False,
                   tick_labels=[mc.services[s] for s in order])
        ax.scatter(rows["deterministic"].to_numpy()[order], range(1, len(order) + 1), marker="D",
                   color=OKABE_ITO[5], zorder=3, label="deterministic" if lang == "en" else "déterministe")
        ax.set_xscale("log")
        ax.set_title(_criterion_title(criterion, lang), fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        missing = [mc.services[s] for s in range(len(mc.services)) if s not in set(covered)]
        if missing:
            ax.set_xlabel(("not covered: " if lang == "en" else "non couverts : ") + ", ".join(missing), fontsize=7)
    axes[0].legend(fontsize=8, frameon=False)
    return fig


def plot_tornado(table: pd.DataFrame, *, top: int = 12, lang: str = "en") -> Figure:
    """A tornado chart from :func:`lca_numerique.sensitivity.tornado`: the total with each input at its low and
    high bound, around the baseline."""
    rows = table.head(top).iloc[::-1]
    baseline = table.attrs.get("baseline", float(rows[["total at low", "total at high"]].mean().mean()))
    fig = _figure(8.0, 0.4 * len(rows) + 1.5)
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.barh(y, rows["total at low"] - baseline, left=baseline, color=OKABE_ITO[4],
            label="low bound" if lang == "en" else "borne basse")
    ax.barh(y, rows["total at high"] - baseline, left=baseline, color=OKABE_ITO[0],
            label="high bound" if lang == "en" else "borne haute")
    ax.axvline(baseline, color="black", linewidth=0.8)
    ax.set_yticks(y, rows["input"], fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    return fig


def plot_waterfall(levers: pd.DataFrame, criterion: str = "climate_change", *, lang: str = "en") -> Figure:
    """The change each lever brings (from :func:`lca_numerique.scenarios.rank_levers`), each applied alone:
    the baseline total, then for each lever a bar from the baseline to its total, downwards for a reduction,
    upwards (another colour) for an increase. Levers applied alone do not add up, so they are not chained;
    levers whose change is not comparable are listed under the chart, not drawn as zero."""
    table = levers[levers["criterion"] == get_criterion(criterion).id]
    drawn = table[table["change"].notna()].sort_values("change")
    skipped = table[table["change"].isna()]
    baseline = float(table["baseline"].iloc[0]) if len(table) else float("nan")
    fig = _figure(8.0, 4.8)
    ax = fig.subplots()
    ax.bar(0, baseline, color=OKABE_ITO[7])
    for i, (_, row) in enumerate(drawn.iterrows(), start=1):
        change = float(row["change"])
        ax.bar(i, change, bottom=baseline, color=OKABE_ITO[2] if change < 0 else OKABE_ITO[5])
        ax.annotate(f"{100 * change / baseline:+.2g} %" if baseline else "", (i, baseline + change), ha="center",
                    va="top" if change < 0 else "bottom", fontsize=8)
    ax.axhline(baseline, color="black", linewidth=0.6)
    ax.set_xticks(range(len(drawn) + 1), ["baseline" if lang == "en" else "référence", *drawn["scenario"]],
                  rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(_criterion_title(criterion, lang))
    ax.set_title("Change brought by each lever, applied alone (green: reduction, orange: increase)" if lang == "en"
                 else "Variation due à chaque levier, appliqué seul (vert : baisse, orange : hausse)", fontsize=9)
    if len(skipped):
        note = ("not comparable (lines without factors change): " if lang == "en"
                else "non comparables (des lignes sans facteur changent) : ")
        fig.text(0.01, 0.01, note + "; ".join(skipped["scenario"]), fontsize=7, wrap=True)
    return fig
