"""Results per inhabitant, per euro and per declared unit: hand calculations, linearity, coverage kept, clear
refusals, and per-audience tables that never rank values of different units in one column."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.errors import ArgumentError, InventoryError
from lca_numerique.factors.model import Factor, build_factor_set, canonical_factor_unit, user_provenance
from lca_numerique.functional_units import NO_AMOUNT, FunctionalUnit, read_euros
from lca_numerique.uncertainty import NO_UNCERTAINTY

GWP, ADPE = "climate_change", "resource_use_minerals_metals"

# Two services in one campaign: 300 t and 39 t of CO2 eq (300,000 and 39,000 kg of a flow at 1 kg CO2 eq per kg,
# a test factor), 339 t in all, for a city of 450,000 inhabitants.
INVENTORY = """
organisation: Ville test
population: {inhabitants: 450000, source: "INSEE, populations légales (test figure)", year: 2021}
campaigns:
  - name: spring
    budget: 150 000 €
    services:
      - kind: custom
        name: site
        audience_size: 1000000 visit
        budget: 120000
        lines: [{flow: paper, amount: 300000 kg, source: test}]
      - kind: custom
        name: video
        audience_size: 50000 view
        lines: [{flow: paper, amount: 39000 kg, source: test}]
services:
  - kind: custom
    name: mail
    audience_size: 1200 recipient
    budget: "8 500 EUR"
    functional_unit: {unit: mailbox-week, amount: 62400, source: "1,200 mailboxes x 52 weeks"}
    lines: [{flow: paper, amount: 6240 kg, source: test}]
"""


def _factors() -> lca.FactorSet:
    """1 kg CO2 eq per kg of paper, its distribution included (test numbers); nothing for the other criteria."""
    key = ("paper", GWP, "manufacturing")
    factor = Factor(*key, 1.0, canonical_factor_unit("paper", GWP), NO_UNCERTAINTY, user_provenance("test number"))
    return build_factor_set({key: factor}, id="test", version="0", title="test numbers", licence="none", sources={},
                            included={("paper", GWP, "distribution"): "in manufacturing"})


@pytest.fixture(scope="module")
def inventory() -> lca.Inventory:
    from lca_numerique.inventory import inventory_from_text

    return inventory_from_text(INVENTORY)


@pytest.fixture(scope="module")
def results(inventory) -> lca.Results:
    return inventory.evaluate(_factors())


def _value(table, criterion=GWP, **labels) -> tuple[float, str]:
    rows = table[table["criterion"] == criterion]
    for key, label in labels.items():
        rows = rows[rows[key].astype(str) == label]
    assert len(rows) == 1
    return float(rows["value"].iloc[0]), str(rows["coverage"].iloc[0])


def test_per_inhabitant_by_hand(inventory, results):
    unit = inventory.unit("inhabitant")
    assert unit.total == 450_000 and "INSEE" in unit.source and unit.label == "per inhabitant"
    portfolio = results.per_unit(unit, by=())
    # (300,000 + 39,000 + 6,240) kg / 450,000 inhabitants = 345,240 / 450,000 = 0.767200 kg per inhabitant
    assert _value(portfolio) == (pytest.approx(0.7672, rel=1e-12), "complete")
    per_service = results.per_unit(unit)
    # 300,000 / 450,000 = 0.666667 kg; 39,000 / 450,000 = 0.0866667 kg; 6,240 / 450,000 = 0.0138667 kg
    assert _value(per_service, service="site")[0] == pytest.approx(0.6666667, rel=1e-6)
    assert _value(per_service, service="video")[0] == pytest.approx(0.08666667, rel=1e-6)
    assert _value(per_service, service="mail")[0] == pytest.approx(0.01386667, rel=1e-6)
    # per-inhabitant values add up: the services' sum is the portfolio's
    assert per_service[per_service["criterion"] == GWP]["value"].sum() == pytest.approx(0.7672, rel=1e-12)
    campaign = results.per_unit(unit, by="campaign")
    # 339 t over 450,000 inhabitants = 339,000 kg / 450,000 = 0.753333 kg = 753 g per inhabitant
    assert _value(campaign, campaign="spring")[0] * 1000 == pytest.approx(753.333, rel=1e-5)
    assert set(per_service["per"].astype(str)) == {"per inhabitant"} and (per_service["amount"] == 450_000).all()


def test_per_euro_by_hand(inventory, results):
    unit = inventory.unit("euro")
    per_service = results.per_unit(unit)
    # site: 300,000 kg / 120,000 € = 2.5 kg per euro; mail: 6,240 kg / 8,500 € = 0.734118 kg per euro
    assert _value(per_service, service="site") == (pytest.approx(2.5), "complete")
    assert _value(per_service, service="mail")[0] == pytest.approx(0.7341176, rel=1e-6)
    # video has no budget of its own: not computable (NaN), never 0
    value, status = _value(per_service, service="video")
    assert math.isnan(value) and status == NO_AMOUNT
    by_campaign = results.per_unit(unit, by="campaign")
    # the campaign's own budget: 339,000 kg / 150,000 € = 2.26 kg per euro; loose services: mail's budget
    assert _value(by_campaign, campaign="spring")[0] == pytest.approx(2.26)
    assert _value(by_campaign, campaign="")[0] == pytest.approx(6240 / 8500)
    # the portfolio: 345,240 kg / (150,000 + 8,500) € = 2.178170 kg per euro
    assert _value(results.per_unit(unit, by=()))[0] == pytest.approx(345_240 / 158_500)
    # by kind, the campaign's budget cannot be split: the custom kind holds video, which has none
    assert math.isnan(_value(results.per_unit(unit, by="kind"), kind="custom")[0])


def test_per_declared_unit(inventory, results):
    unit = inventory.unit("mailbox-week")
    assert unit.amounts == {"mail": 62400}
    table = results.per_unit(unit)
    # 6,240 kg / 62,400 mailbox-weeks = 0.1 kg (100 g) per mailbox-week
    assert _value(table, service="mail") == (pytest.approx(0.1), "complete")
    assert math.isnan(_value(table, service="site")[0])  # another service's unit is not this one's
    assert set(table["per"].astype(str)) == {"per mailbox-week"}


def test_coverage_is_kept(inventory, results):
    for name in ("inhabitant", "euro", "mailbox-week"):
        table = results.per_unit(inventory.unit(name))
        adpe = table[table["criterion"] == ADPE]
        assert adpe["value"].isna().all()
        assert set(adpe["coverage"].astype(str)) <= {"not covered", NO_AMOUNT}
        assert (adpe["coverage"].astype(str) == "not covered").sum() >= 1


def test_missing_declarations_are_refused_clearly():
    from lca_numerique.inventory import inventory_from_text

    bare = inventory_from_text("organisation: x\nservices:\n  - {kind: custom, name: a, audience_size: 1 user, "
                               "lines: [{flow: paper, amount: 1 kg, source: s}]}\n")
    with pytest.raises(ArgumentError, match=r"population: \{inhabitants: \.\.\., source: \.\.\.\}"):
        bare.unit("inhabitant")
    with pytest.raises(ArgumentError, match="add 'budget'"):
        bare.unit("euro")
    with pytest.raises(ArgumentError, match="declares no unit 'mailbox'"):
        bare.unit("mailbox")


@pytest.mark.parametrize(("snippet", "where", "words"), [
    ("population: {inhabitants: 0, source: INSEE}\n", "population.inhabitants", "> 0"),
    ("population: {inhabitants: 1000}\n", "population", "'source' is required"),
    ("population: 1000\n", "population", "is a mapping"),
    ("population: {inhabitants: 10, source: s, people: 3}\n", "population.people", "unknown key"),
    ("functional_unit: {unit: inhabitant, amount: 3, source: s}\n", "functional_unit.unit", "population"),
])
def test_bad_declarations_are_located(snippet, where, words):
    from lca_numerique.inventory import inventory_from_text

    text = snippet + "organisation: x\nservices:\n  - {kind: custom, name: a, audience_size: 1 user, " \
                     "lines: [{flow: paper, amount: 1 kg, source: s}]}\n"
    with pytest.raises(InventoryError) as caught:
        inventory_from_text(text, "inv.yaml")
    assert any(str(p).startswith("inv.yaml:1:") and where in str(p) and words in str(p)
               for p in caught.value.problems), caught.value.problems


def test_bad_budget_is_located():
    from lca_numerique.inventory import inventory_from_text

    with pytest.raises(InventoryError, match=r"inv\.yaml:4:\d+: services\[0\]\.budget: .*not an amount in euros"):
        inventory_from_text("organisation: x\nservices:\n  - kind: custom\n    budget: twelve euros\n    name: a\n"
                            "    audience_size: 1 user\n    lines: [{flow: paper, amount: 1 kg, source: s}]\n",
                            "inv.yaml")


def test_declarations_are_written_back(inventory):
    from lca_numerique.inventory import inventory_from_text

    again = inventory_from_text(inventory.to_yaml())
    assert again.population == inventory.population and again.budget == inventory.budget
    assert again.campaign_budget == {"spring": 150_000} and again.service_units == inventory.service_units


@pytest.mark.parametrize(("text", "euros"), [("12 000 €", 12000), ("12000 EUR", 12000), ("1,5e4 euros", 15000),
                                             (8500, 8500), ("12 000,50 €", 12000.5)])
def test_euros_read(text, euros):
    assert read_euros(text) == euros


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(min_value=1e-3, max_value=1e6), population=st.floats(min_value=1, max_value=1e8))
def test_linearity(results, scale, population):
    """Doubling the population halves every value; a unit's amount scaled by k divides the values by k."""
    base = results.per_unit(FunctionalUnit("inhabitant", total=population))
    scaled = results.per_unit(FunctionalUnit("inhabitant", total=population * scale))
    np.testing.assert_allclose(scaled["value"].to_numpy() * scale, base["value"].to_numpy(), rtol=1e-9)
    assert (scaled["coverage"].astype(str) == base["coverage"].astype(str)).all()


# -- units that do not compare are never ranked in one column ---------------------------------------------------
def test_per_audience_table_never_ranks_across_units():
    """The HTML per-audience table ranks rows within their unit only. Per unit: a 100 kg per visit, b 50 kg per
    view, c 1 kg per visit, d 20 kg per view: one ranking of the column would read a, b, d, c (visit, view,
    view, visit), mixing units; within units it reads a, c then b, d."""
    import re

    from lca_numerique.report.html import _per_audience_table

    matrix = lca.BillMatrix.from_arrays(["a", "b", "c", "d"], ("paper",), [[100.0], [50.0], [1.0], [20.0]],
                                        [1, 1, 1, 1], ["visit", "view", "visit", "view"])
    results = lca.evaluate(matrix, _factors())
    html = _per_audience_table(results, "en")
    names = re.findall(r'<tr><th scope="row">(\w)</th>', html)
    assert names in (["a", "c", "b", "d"], ["b", "d", "a", "c"])
    assert "within each unit" in html


def test_summary_sheet_has_a_column_per_declared_unit(inventory, results):
    from lca_numerique.report import report_tables

    english = report_tables(results, inventory)["summary"].set_index("service")
    assert english.loc["site", "GWP per inhabitant (kg CO2e)"] == pytest.approx(300_000 / 450_000)
    assert english.loc["site", "GWP per euro (kg CO2e)"] == pytest.approx(2.5)
    assert math.isnan(english.loc["video", "GWP per euro (kg CO2e)"])  # no budget: empty, not 0
    assert english.loc["mail", "GWP per mailbox-week (kg CO2e)"] == pytest.approx(0.1)
    assert math.isnan(english.loc["mail", "ADPe per inhabitant (kg Sb eq)"])  # not covered stays empty
    french = report_tables(results, inventory, lang="fr")["summary"]
    assert {"GWP par habitant (kg CO2e)", "GWP par euro (kg CO2e)", "GWP par mailbox-week (kg CO2e)"} <= set(french)


def test_a_hosting_takes_no_budget():
    from lca_numerique.inventory import inventory_from_text

    with pytest.raises(InventoryError, match=r"hostings\[0\]\.budget: a hosting's impacts go to the services"):
        inventory_from_text("organisation: x\nhostings:\n  - {name: servers, servers: 1, budget: 5000}\nservices:\n"
                            "  - {kind: custom, name: a, audience_size: 1 user, lines: [{flow: paper, amount: 1 kg, "
                            "source: s}]}\n", "inv.yaml")


def test_html_report_shows_each_declared_unit_in_its_own_column(inventory, results):
    import re

    from lca_numerique.report.html import html_report

    html = html_report(results, inventory, figures=[])
    table = html[html.index("Climate change per functional unit"):]
    table = table[:table.index("</table>")]
    header = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert header == ["service", "climate change per inhabitant", "climate change per euro",
                      "climate change per mailbox-week"]
    rows = dict((m[0], m[1:]) for m in re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td></tr>', table))
    # all services: 345,240 kg / 450,000 = 0.767 kg = 767 g per inhabitant; 345,240 / 158,500 € = 2.18 kg per euro
    assert rows["all services"][:2] == ("767\u00a0g CO2e", "2.18\u00a0kg CO2e")
    # a missing amount says which amount, for which services (video has no budget; the campaign's covers it in
    # the portfolio); only mail declares mailbox-weeks
    assert rows["video"][1] == "no budget given: video"
    assert rows["all services"][2] == "no amount of mailbox-week given: site, video"
    assert rows["mail"][2] == "100\u00a0g CO2e"  # 6,240 kg / 62,400 mailbox-weeks
    assert "climate change per euro: the budgets of the services and campaigns" in html
    french = html_report(results, inventory, lang="fr", figures=[])
    assert "changement climatique par habitant" in french and "tous les services" in french
    assert "budget manquant : video" in french and "767\u00a0g CO2e" in french
    assert "quantité de mailbox-week manquante : site, video" in french
    assert "changement climatique par euro : les budgets des services et des campagnes" in french
    assert "inventory budgets" not in french and "pas de quantité pour cette unité" not in french


def test_per_unit_tables_read_in_french(inventory, results):
    from lca_numerique.i18n import localise_table

    table = localise_table(results.per_unit(inventory.unit("euro")), "fr")
    assert set(table["par"].astype(str)) == {"par euro"}
    assert "non calculable : pas de quantité pour cette unité" in set(table["couverture"].astype(str))
    inhabitants = localise_table(results.per_unit(inventory.unit("inhabitant")), "fr")
    assert set(inhabitants["par"].astype(str)) == {"par habitant"}


def test_a_unit_for_the_whole_inventory(results):
    from lca_numerique.inventory import inventory_from_text

    whole = inventory_from_text(INVENTORY + "functional_unit: {unit: city-year, amount: 2, source: two years}\n")
    unit = whole.unit("city-year")
    assert unit.total == 2 and unit.amounts == {}
    # 345,240 kg over 2 city-years = 172,620 kg per city-year; site alone: 300,000 / 2 = 150,000 kg
    assert _value(results.per_unit(unit, by=()))[0] == pytest.approx(172_620)
    assert _value(results.per_unit(unit), service="site")[0] == pytest.approx(150_000)
    assert inventory_from_text(whole.to_yaml()).functional_unit == whole.functional_unit


def test_a_service_cannot_reuse_the_inventory_unit():
    from lca_numerique.inventory import inventory_from_text

    text = INVENTORY + "functional_unit: {unit: mailbox-week, amount: 2, source: s}\n"
    with pytest.raises(InventoryError, match=r"services\[0\]\.functional_unit\.unit: 'mailbox-week' is the "
                                             "inventory's own unit"):
        inventory_from_text(text)


def test_console_prints_every_declared_unit_for_all_services(inventory, results):
    from lca_numerique.report.console import console_summary

    text = console_summary(results, inventory, "test", {}).replace("\u00a0", " ")
    # 345,240 kg / 450,000 = 767 g; / 158,500 € = 2.18 kg; mailbox-week: only mail has an amount, so the
    # portfolio's is unknown: not computable, never a number
    assert "  per inhabitant: GWP: 767 g CO2e; ADPe: not covered; CTUe: not covered" in text
    assert "  per euro: GWP: 2.18 kg CO2e" in text
    assert "  per mailbox-week: GWP: not computable: no amount for this unit" in text
    french = console_summary(results, inventory, "test", {}, lang="fr").replace("\u00a0", " ").replace("\u202f", " ")
    assert "par habitant : GWP : 767 g CO2e" in french and "Tous les services, par habitant" in french


# -- Monte Carlo per functional unit --------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "by"), [("inhabitant", ("service",)), ("inhabitant", ()), ("euro", ("service",)),
                                         ("euro", ("campaign",)), ("mailbox-week", ("service",))])
def test_monte_carlo_per_unit_without_uncertainty_is_the_deterministic_per_unit(inventory, results, name, by):
    from lca_numerique.montecarlo import monte_carlo

    unit = inventory.unit(name)
    mc = monte_carlo(inventory, _factors(), samples=8, seed=1, by=[by])
    table = mc.per_unit(unit, by=by)
    expected = results.per_unit(unit, by=by)
    keys = [*by, "criterion"]
    merged = table.astype({k: str for k in keys}).merge(expected.astype({k: str for k in keys}), on=keys)
    assert len(merged) == len(expected) == len(table)
    for column in ("deterministic", "median", "mean", "p2.5", "p97.5"):
        np.testing.assert_allclose(merged[column], merged["value"], rtol=1e-12, equal_nan=True)
    assert (merged["std"].fillna(0) < 1e-12 * merged["value"].abs().fillna(1)).all()
    assert (merged["coverage_x"].astype(str) == merged["coverage_y"].astype(str)).all()
    assert (merged["amount_x"].fillna(-1) == merged["amount_y"].fillna(-1)).all()
    assert set(table["per"].astype(str)) == {unit.label}


def test_monte_carlo_per_inhabitant_by_hand():
    from lca_numerique.inventory import inventory_from_text
    from lca_numerique.montecarlo import monte_carlo

    # site's paper drawn uniform on [200,000, 400,000] kg; 1 kg CO2 eq per kg; 450,000 inhabitants
    text = INVENTORY.replace("lines: [{flow: paper, amount: 300000 kg, source: test}]",
                             "variables: {paper: 300000 kg}\n        uncertainty: {paper: uniform low=200 t high=400 t}"
                             "\n        lines: [{flow: paper, formula: paper, source: test}]")
    inventory = inventory_from_text(text)
    mc = monte_carlo(inventory, _factors(), samples=4000, seed=5, sampler="lhs")
    table = mc.per_unit(inventory.unit("inhabitant"))
    site = table[(table["service"] == "site") & (table["criterion"] == GWP)].iloc[0]
    # 2.5 % of a uniform on [200,000, 400,000] kg: 205,000 kg / 450,000 = 0.455556 kg per inhabitant;
    # 97.5 %: 395,000 / 450,000 = 0.877778; median and deterministic 300,000 / 450,000 = 0.666667;
    # std (400,000 - 200,000) / sqrt(12) / 450,000 = 0.128300 (Latin hypercube: quantiles within 1/4000 of the range)
    assert site["p2.5"] == pytest.approx(0.455556, abs=2e-4)
    assert site["p97.5"] == pytest.approx(0.877778, abs=2e-4)
    assert site["median"] == pytest.approx(0.666667, abs=2e-4)
    assert site["deterministic"] == pytest.approx(0.666667, rel=1e-6)
    assert site["std"] == pytest.approx(0.128300, rel=0.01)
    assert site["amount"] == 450_000 and site["per"] == "per inhabitant"
    adpe = table[table["criterion"] == ADPE]
    assert adpe[["mean", "p2.5", "p97.5"]].isna().all().all()  # not covered stays NaN per inhabitant too
    assert set(adpe["coverage"].astype(str)) == {"not covered"}
    # no amount: not computable, NaN, never 0
    euro = mc.per_unit(inventory.unit("euro"))
    video = euro[(euro["service"] == "video") & (euro["criterion"] == GWP)].iloc[0]
    assert math.isnan(video["p97.5"]) and video["coverage"] == NO_AMOUNT
    with pytest.raises(ArgumentError, match="the run has no view"):
        mc.per_unit(inventory.unit("euro"), by="campaign")


def test_uncertainty_command_gives_the_intervals_per_declared_unit(tmp_path, capsys):
    import pandas as pd

    from lca_numerique.cli import main

    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    out = tmp_path / "unc"
    assert main(["uncertainty", str(path), "--samples", "16", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "All services, per inhabitant:" in printed and "All services, per mailbox-week:" in printed
    per = pd.read_csv(out / "monte_carlo_per_unit.csv").query("criterion == @GWP").set_index("per")
    whole = pd.read_csv(out / "monte_carlo.csv").query("service == 'portfolio' and criterion == @GWP").iloc[0]
    # the inventory's own (bundled) factors, with their spread: each statistic is the portfolio's over
    # 450,000 inhabitants, and over 150,000 + 8,500 = 158,500 € of budgets
    for statistic in ("deterministic", "median", "p2.5", "p97.5"):
        assert per.loc["per inhabitant", statistic] * 450_000 == pytest.approx(whole[statistic], rel=1e-9)
        assert per.loc["per euro", statistic] * 158_500 == pytest.approx(whole[statistic], rel=1e-9)
    assert whole["p97.5"] > whole["p2.5"] > 0
    # only mail declares mailbox-weeks: the portfolio has no amount, never a number
    assert np.isnan(per.loc["per mailbox-week", "median"]) and per.loc["per mailbox-week", "coverage"] == NO_AMOUNT
    assert main(["uncertainty", str(path), "--samples", "16", "--lang", "fr"]) == 0
    assert "Tous les services, par habitant :" in capsys.readouterr().out


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", ": site accounts for 75% of the covered part of the portfolio total (the total is partial"),
    ("fr", " : « site » représente 75\u202f% de la part couverte du total du portefeuille (total partiel"),
])
def test_a_share_of_a_partial_total_says_it_is_of_the_covered_part(lang, sentence):
    from lca_numerique.inventory import inventory_from_text
    from lca_numerique.report.html import reading

    # site: 300,000 kg of paper at 1 kg CO2 eq per kg = 300,000 kg; mail: 100,000 kg of paper, and printing that
    # has no factor: the portfolio total is partial, 400,000 kg counted, of which site is 300,000 / 400,000 = 75 %
    inventory = inventory_from_text(
        "organisation: x\nservices:\n"
        "  - {kind: custom, name: site, audience_size: 10 user, lines: [{flow: paper, amount: 300000 kg, source: t}]}\n"
        "  - {kind: custom, name: mail, audience_size: 10 user, lines: [{flow: paper, amount: 100000 kg, source: t},"
        " {flow: printing, amount: 5 kg, source: t}]}\n")
    results = inventory.evaluate(_factors())
    assert str(results.total(("criterion",)).set_index("criterion").loc[GWP, "coverage"]) == "partial"
    text = reading(results, lang)[0]
    assert sentence in text, text

