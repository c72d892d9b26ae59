"""The HTML report and its figures for many services: the largest services one by one, all the others in one
"other services" bar or column whose total is the sum of the services it stands for (checked against the same
services assessed on their own, a separate inventory: the engine's own total, not the code that aggregates)
and whose coverage follows the engine's rule (complete only if every service in it is, not covered never drawn
as 0); a fixed number of bars, columns, points and table rows whatever the number of services."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.collections import PathCollection, PolyCollection

from lca_numerique.i18n import format_impact
from lca_numerique.inventory import inventory_from_text
from lca_numerique.plotting import (
    AUDIENCE_POINTS,
    HEATMAP_SERVICES,
    LABELLED_POINTS,
    plot_audience,
    plot_multicriteria,
    plot_tiers_phases,
    sum_of_services,
)
from lca_numerique.report.html import html_report, report_figures
from lca_numerique.report.tables import TABLE_SERVICES

CLIMATE, ADPE, CTUE = "climate_change", "resource_use_minerals_metals", "ecotoxicity_freshwater"
TOP = 12  # plot_tiers_phases' default

#: 12 websites reach more people than the 3 services after them: on every mission criterion the websites are the
#: largest 12, so the "other services" bar stands for the last three lines below.
LARGEST = [f"  - {{kind: website, name: site {i}, visits: {5000 + 1000 * i}, page_weight: 2}}" for i in range(TOP)]
OMITTED = ["  - {kind: website, name: small site, visits: 40, page_weight: 1}",
           "  - {kind: print, name: leaflet, copies: 1, pages: 1}",  # no factor for ADPe and CTUe: not covered
           "  - {kind: print, name: flyer, copies: 2, pages: 1}"]


def _inventory(lines: list[str]):
    return inventory_from_text("organisation: Town\nservices:\n" + "\n".join(lines) + "\n", "town.yaml")


@pytest.fixture(scope="module")
def town():
    return _inventory(LARGEST + OMITTED).evaluate()


@pytest.fixture(scope="module")
def omitted_alone():
    """The three omitted services, assessed on their own: the engine's total of them, the oracle."""
    return _inventory(OMITTED).evaluate()


def _bar(ax, row: int) -> list[float]:
    """The widths of the segments of bar ``row`` of a horizontal bar chart."""
    return sorted(p.get_width() for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - row) < 1e-9)


def test_the_other_services_bar_is_the_sum_of_the_services_it_stands_for(town, omitted_alone):
    figure = plot_tiers_phases(town, [CLIMATE, ADPE, CTUE])
    totals = omitted_alone.total(("criterion",)).set_index("criterion")
    split = omitted_alone.total(("tier", "phase"))
    for ax, criterion in zip(figure.axes[:3], [CLIMATE, ADPE, CTUE], strict=True):
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert names[0] == "the 3 other services" and len(names) == TOP + 1
        assert set(names[1:]) == {f"site {i}" for i in range(TOP)}
        label = next(t.get_text() for t in ax.texts if abs(t.xy[1]) < 1e-9)  # the bar's total, at its end
        row = totals.loc[criterion]
        assert label == format_impact(row["value"], criterion, "en", str(row["coverage"]))
        # the bar's segments: each tier and phase's share of the covered part of the 3 services' total
        parts = split[split["criterion"] == criterion]["value"].fillna(0).to_numpy()
        expected = sorted(parts[parts > 0] / parts.sum())
        assert _bar(ax, 0) == pytest.approx(expected, rel=1e-9)


def test_the_other_services_total_written_out_by_hand(town):
    """Climate change of the bar = small site + leaflet + flyer, each read from the per-service totals."""
    per_service = town.total(("service",)).set_index(["criterion", "service"])["value"]
    by_hand = per_service[(CLIMATE, "small site")] + per_service[(CLIMATE, "leaflet")] + \
        per_service[(CLIMATE, "flyer")]
    others = np.array([town.services.index(n) for n in ("small site", "leaflet", "flyer")])
    values, codes = sum_of_services(town, others)
    assert values[town.criteria.index(CLIMATE)] == pytest.approx(by_hand, rel=1e-12)
    assert codes[town.criteria.index(CLIMATE)] == 0  # complete: each of the three is


def test_an_aggregate_is_complete_only_if_every_service_in_it_is_and_never_zero_when_unknown(town):
    position = {name: i for i, name in enumerate(town.services)}
    adpe = town.criteria.index(ADPE)
    prints = np.array([position["leaflet"], position["flyer"]])
    mixed = np.array([position["small site"], *prints])
    values, codes = sum_of_services(town, prints)  # nothing behind the sum has a factor: not covered
    assert codes[adpe] == 2 and np.isnan(values[adpe])
    values, codes = sum_of_services(town, mixed)  # the site's part is known, the leaflets' is not: partial
    assert codes[adpe] == 1
    assert values[adpe] == pytest.approx(town.total(("service",)).set_index(["criterion", "service"]).loc[
        (ADPE, "small site"), "value"], rel=1e-12)
    # in the figure: a bar for the two leaflets alone reads "not covered", never 0
    figure = plot_tiers_phases(_inventory(LARGEST + OMITTED[1:]).evaluate(), [ADPE])
    label = next(t.get_text() for t in figure.axes[0].texts if abs(t.xy[1]) < 1e-9)
    assert label == "not covered" and not any(_bar(figure.axes[0], 0))  # nothing drawn, only said
    figure = plot_tiers_phases(town, [ADPE])
    label = next(t.get_text() for t in figure.axes[0].texts if abs(t.xy[1]) < 1e-9)
    assert label.endswith("(partial)")


def test_an_inventory_of_at_most_top_services_has_no_other_bar():
    results = _inventory(LARGEST[:5]).evaluate()
    ax = plot_tiers_phases(results, [CLIMATE]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"site {i}" for i in range(5)]  # smallest at the bottom


def test_the_heat_map_column_of_the_others_sums_them_and_keeps_coverage():
    lines = [f"  - {{kind: website, name: site {i}, visits: {5000 + 1000 * i}, page_weight: 2}}"
             for i in range(HEATMAP_SERVICES)] + OMITTED
    results = _inventory(lines).evaluate()
    ax = plot_multicriteria(results).axes[0]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert len(columns) == HEATMAP_SERVICES + 1 and columns[-1] == "the 3 other services"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    last = HEATMAP_SERVICES
    adpe = next(r for r, name in enumerate(rows) if name.endswith("(ADPe)"))
    climate = next(r for r, name in enumerate(rows) if name.endswith("(GWP)"))
    assert cells[(adpe, last)].endswith("*")  # partial: the leaflets have no ADPe factor
    assert not cells[(climate, last)].endswith("*")


def test_top_and_others_sum_to_the_portfolio_for_every_criterion_hypothesis_examples():
    """Also run below as a property; here one example written out."""
    results = _inventory(LARGEST + OMITTED).evaluate()
    top = np.arange(TOP)
    others = np.arange(TOP, len(results.services))
    _check_split(results, top, others)


def _check_split(results, top: np.ndarray, others: np.ndarray) -> None:
    portfolio = results.total(("criterion",)).set_index("criterion")
    top_values, top_codes = sum_of_services(results, top)
    other_values, other_codes = sum_of_services(results, others)
    for c, criterion in enumerate(results.criteria):
        row = portfolio.loc[criterion]
        if str(row["coverage"]) == "not covered":
            assert np.isnan(top_values[c]) and np.isnan(other_values[c])
            continue
        assert np.nansum([top_values[c], other_values[c]]) == pytest.approx(row["value"], rel=1e-9, abs=1e-300)
        complete = top_codes[c] == 0 and other_codes[c] == 0
        assert complete == (str(row["coverage"]) == "complete"), criterion
    if len(others):  # the same services summed by the engine as one group
        group = results.select(others).total(("criterion",)).set_index("criterion")
        labels = ["complete", "partial", "not covered"]
        for c, criterion in enumerate(results.criteria):
            assert labels[other_codes[c]] == str(group.loc[criterion, "coverage"]), criterion
            np.testing.assert_allclose(other_values[c], group.loc[criterion, "value"], rtol=1e-9)


websites = st.lists(st.tuples(st.integers(1, 100_000), st.floats(0.1, 20.0)), min_size=1, max_size=8)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites=websites, prints=st.lists(st.integers(1, 5_000), max_size=3), keep=st.integers(0, 11),
       seed=st.integers(0, 2**16))
def test_top_n_plus_other_services_is_the_portfolio_total(sites, prints, keep, seed):
    lines = [f"  - {{kind: website, name: w{i}, visits: {v}, page_weight: {w}}}" for i, (v, w) in enumerate(sites)]
    lines += [f"  - {{kind: print, name: p{i}, copies: {c}, pages: 4}}" for i, c in enumerate(prints)]
    results = _inventory(lines).evaluate()
    order = np.random.default_rng(seed).permutation(len(results.services))
    keep = min(keep, len(order))
    _check_split(results, np.sort(order[:keep]), np.sort(order[keep:]))


def test_select_is_the_cube_of_the_services_selected(town):
    positions = [13, 2, 14]
    selected = town.select(positions)
    assert selected.services == tuple(town.services[i] for i in positions)
    np.testing.assert_array_equal(selected.values, town.values[positions])
    np.testing.assert_array_equal(selected.coverage_codes, town.coverage_codes[positions])


@pytest.fixture(scope="module")
def many():
    n = 2_000
    lines = [f"  - {{kind: website, name: site {i}, visits: {1000 + 7 * i}, page_weight: {1 + i % 5}}}"
             for i in range(n)] + OMITTED
    inventory = _inventory(lines)
    return inventory, inventory.evaluate()


def test_figures_for_2000_services_have_a_bounded_number_of_marks(many):
    _, results = many
    n = len(results.services)
    bars = plot_tiers_phases(results)
    for ax in bars.axes[:3]:
        assert len(ax.get_yticklabels()) == TOP + 1
        assert len(ax.patches) <= (TOP + 1) * 16  # one segment per tier and phase at most
    heat = plot_multicriteria(results).axes[0]
    assert len(heat.get_xticklabels()) == HEATMAP_SERVICES + 1 and len(heat.texts) <= 13 * (HEATMAP_SERVICES + 1)
    scatter = plot_audience(results).axes[0]
    points = sum(len(c.get_offsets()) for c in scatter.collections if isinstance(c, PathCollection))
    assert points == AUDIENCE_POINTS and len(scatter.texts) == LABELLED_POINTS
    density = [c for c in scatter.collections if isinstance(c, PolyCollection)]
    assert len(density) == 1
    # every other service drawn is counted in a cell (the leaflets have an audience and a climate total too)
    assert density[0].get_array().sum() == n - AUDIENCE_POINTS
    assert density[0].get_label() == f"the {n - AUDIENCE_POINTS:,} other services (grey cells, darker where they " \
                                     "are more)"


def test_the_html_for_2000_services_lists_the_largest_and_says_how_many_are_left(many):
    inventory, results = many
    figures = report_figures(results, "fr")
    page = html_report(results, inventory, lang="fr", figures=figures)
    rows = re.findall(r"<tr><th scope=\"row\">", page)
    # per audience, per service: the largest services; the incomplete totals: the first ones; provenance
    assert len(rows) <= 3 * TABLE_SERVICES + 20
    left = f"{len(results.services) - TABLE_SERVICES:,}".replace(",", "\u202f")
    assert page.count(f"les {left} autres figurent dans le classeur (report.xlsx) et le fichier de résultats "
                      "(results.csv)") == 2
    assert len(page) < 2_500_000  # three figures and bounded tables


def test_a_missing_amount_names_ten_services_and_counts_the_others():
    """13 websites, one with a budget: the portfolio's cell per euro names 10 of the 12 without one and counts 2."""
    lines = ["  - {kind: website, name: site 0, visits: 1000, page_weight: 2, budget: 500}"]
    lines += [f"  - {{kind: website, name: site {i}, visits: {1000 + i}, page_weight: 2}}" for i in range(1, 13)]
    inventory = _inventory(lines)
    page = html_report(inventory.evaluate(), inventory, figures=[])
    named = ", ".join(f"site {i}" for i in range(1, 11))
    assert f"no budget given: {named} and 2 others<" in page
    french = html_report(inventory.evaluate(), inventory, lang="fr", figures=[])
    assert f"budget manquant : {named} et 2 autres<" in french
    lines.insert(1, "  - {kind: website, name: site 00, visits: 1000, page_weight: 2, budget: 500}")
    lines.pop()  # site 12: 11 without a budget, one more than named
    inventory = _inventory(lines)
    assert f"no budget given: {named} and 1 other<" in html_report(inventory.evaluate(), inventory, figures=[])
