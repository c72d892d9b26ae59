"""Scenarios on an inventory of one's own: the bundled levers neither invent nor silently delete services,
selectors that match nothing are errors, comparisons never count a gap as zero, each side keeps its factors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_OK, main
from lca_numerique.errors import ScenarioError
from lca_numerique.inventory import load_inventory
from lca_numerique.scenarios import (
    Scenario,
    add,
    applicable,
    bundled_scenarios,
    compare,
    load_scenario,
    rank_levers,
    replace_with,
    scale,
)
from lca_numerique.services import Print

#: A small town unrelated to the bundled example: other names, other sizes, no hosting, no video master.
TOWN = """\
organisation: Commune de Saint-Test
period: "2025"
defaults: {zone: FR}
campaigns:
  - name: Information
    services:
      - {kind: website, name: site de la commune, visits: 40000, page_weight: 1.5 MB}
      - {kind: newsletter, name: lettre du maire, recipients: 2000, issues: 12, reading_time: 30 s}
      - {kind: print, name: bulletin municipal, copies: 5000, pages: 16}
  - name: Réseaux
    services:
      - {kind: social_account, name: compte Instagram, platform: instagram, posts: 200,
         impressions_per_post: 800, format_mix: {image: 0.5, reel: 0.5}}
services:
  - {kind: video, name: voeux du maire, views: 3000, duration: 4 min}
"""


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = tmp_path_factory.mktemp("town") / "town.yaml"
    path.write_text(TOWN, encoding="utf-8")
    return load_inventory(path)


@pytest.fixture(scope="module")
def factors(town):
    return town.load_factors()


def test_bundled_levers_neither_invent_nor_silently_delete_services(town):
    fitting, skipped = applicable(town, bundled_scenarios().values())
    names = {s.name for s in fitting}
    assert "Purge stored data" in skipped and "no service" in skipped["Purge stored data"]  # the town has no hosting
    assert {"Publish 30 % fewer posts", "Print publications online only", "Newsletters printed instead of e-mailed",
            "Images instead of video in social posts", "Videos in 720p instead of 1080p"} <= names
    before = {s.name: s for s in town.services}
    for scenario in fitting:
        after = {s.name: s for s in scenario.apply(town).services}
        added, removed = set(after) - set(before), set(before) - set(after)
        # every service that disappears is replaced by one named after it, and nothing else appears
        assert added == {f"{name} ({after_kind})" for name in removed
                         for after_kind in {after[a].kind for a in added if a.startswith(name)}}, scenario.name
        assert len(added) == len(removed), scenario.name
        assert "Lettre aux habitants (papier)" not in after and "Magazine papier" not in after


def test_like_for_like_replacements_keep_the_audience_and_reading_time(town):
    printed = bundled_scenarios()["digital_to_print"].apply(town)
    leaflet = printed.service("lettre du maire (print)")
    assert leaflet.values["copies"] == 2000 * 12  # one copy per recipient and issue
    assert leaflet.values["pages"] == 4
    assert {s.name for s in printed.portfolio.campaigns[0].services} >= {"lettre du maire (print)"}  # same campaign
    online = bundled_scenarios()["print_to_digital"].apply(town)
    site = online.service("bulletin municipal (website)")
    assert site.values["visits"] == 5000  # copies x 1 reader per copy
    back = Scenario("back", (replace_with("website", kind="newsletter"),)).apply(town)
    assert back.service("lettre du maire (website)").values["time_per_visit"] == 30  # the newsletter's 30 s


def test_shift_moves_video_shares_to_images(town):
    shifted = bundled_scenarios()["text_instead_of_video"].apply(town)
    assert dict(shifted.service("compte Instagram").values["format_mix"]) == {"image": 1.0}


def test_a_selector_that_matches_nothing_is_a_located_error(town, tmp_path, capsys):
    typo = tmp_path / "typo.yaml"
    typo.write_text("scenario: fewer\nchanges:\n  - {scale: posts, by: 0.7, service: compte Instagramm}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"typo\.yaml:3:.*selects no service"):
        load_scenario(typo).apply(town)
    inventory = tmp_path / "town.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    assert main(["levers", str(inventory), str(typo)]) == EXIT_BAD_INPUT
    assert "selects no service" in capsys.readouterr().err
    assert main(["compare", str(inventory), str(typo)]) == EXIT_BAD_INPUT


def test_adding_a_service_without_a_factor_is_not_a_change_of_zero(town, factors):
    # Print has no ecotoxicity (CTUe) or ADPe factor in the default profile: the change is unknown, not 0.
    assert factors.factor("paper.mass", "ecotoxicity_freshwater", "manufacturing") is None
    leaflet = Print("tract", copies=1000, pages=2)
    table = compare(town, [Scenario("tract", (add(leaflet),))], factors=factors, by=())
    ctue = table.set_index("criterion").loc["ecotoxicity_freshwater"]
    assert math.isnan(ctue["delta"]) and ctue["coverage"] == "not comparable"
    by_service = compare(town, [Scenario("tract", (add(leaflet),))], factors=factors, by=("service",))
    row = by_service.query("service == 'tract' and criterion == 'ecotoxicity_freshwater'").iloc[0]
    assert math.isnan(row["delta"]) and row["coverage"] == "not comparable"
    climate = table.set_index("criterion").loc["climate_change"]
    assert climate["delta"] > 0 and climate["coverage"] == "complete"  # paper and printing (a proxy) covered


def test_email_to_print_is_never_ranked_as_a_reduction_where_print_has_no_factor(town, factors):
    ranking = rank_levers(town, [bundled_scenarios()["digital_to_print"]], factors=factors)
    for criterion in ("ecotoxicity_freshwater", "resource_use_minerals_metals"):
        row = ranking.set_index("criterion").loc[criterion]
        assert row["direction"] == "not comparable" and math.isnan(row["change"]) and pd.isna(row["rank"])
    climate = ranking.set_index("criterion").loc["climate_change"]
    assert climate["direction"] == "increase" and climate["change"] > 0


def test_a_comparison_carries_the_weaker_coverage(town, factors):
    table = compare(town, [bundled_scenarios()["fewer_posts"]], factors=factors, by=("service",))
    for row in table.itertuples():
        sides = {row.baseline_coverage, row.scenario_coverage}
        if "not covered" in sides:
            assert row.coverage == "not comparable" and math.isnan(row.delta)
        elif "partial" in sides:
            assert row.coverage in ("partial", "not comparable")
    instagram = table.query("service == 'compte Instagram' and criterion == 'climate_change'").iloc[0]
    assert instagram["relative"] == pytest.approx(-0.3)  # a social account's bill is linear in its posts


def test_compare_evaluates_each_inventory_with_its_own_factors(tmp_path, capsys):
    a = tmp_path / "a.yaml"
    a.write_text(TOWN, encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(TOWN.replace("defaults: {zone: FR}", "defaults: {zone: FR}\nfactors:\n"
                              "  parameters: {smartphone.lifetime: 5 year}"), encoding="utf-8")
    town_a, town_b = load_inventory(a), load_inventory(b)
    own = town_b.evaluate(town_b.load_factors()).total(()).set_index("criterion").loc["climate_change", "value"]
    borrowed = town_b.evaluate(town_a.load_factors()).total(()).set_index("criterion").loc["climate_change", "value"]
    assert own < borrowed  # a longer smartphone life spreads its manufacturing over more hours
    table = compare(town_a, [town_b], by=())
    assert table.set_index("criterion").loc["climate_change", "scenario_value"] == pytest.approx(own, rel=1e-12)
    assert main(["compare", str(a), str(b)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "its own choice" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("climate_change"))
    base = town_a.evaluate().total(()).set_index("criterion").loc["climate_change", "value"]
    assert float(line.split()[-2]) == pytest.approx((own - base) / base, rel=1e-3)  # the relative column


def test_compare_inventory_with_a_scenario_file_on_the_command_line(tmp_path, capsys):
    inventory = tmp_path / "town.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    scenario = tmp_path / "fewer_posts.yaml"
    scenario.write_text("scenario: fewer posts\nchanges:\n  - {scale: posts, by: 0.5, kind: social_account}\n",
                        encoding="utf-8")
    assert main(["compare", str(inventory), str(scenario), "--by", "service"]) == EXIT_OK
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "compte Instagram" in x and "climate_change" in x)
    assert float(line.split()[-2]) == pytest.approx(-0.5, rel=1e-3)  # halving posts halves the account


def test_levers_on_the_users_inventory_note_what_does_not_apply(tmp_path, capsys):
    inventory = tmp_path / "town.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    assert main(["levers", str(inventory), "--out", str(tmp_path / "levers")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "note: bundled lever 'Purge stored data' does not apply" in out
    assert "increase" in out and (tmp_path / "levers" / "levers.png").is_file()
    # like a report: an existing output folder is kept unless --force is given
    assert main(["levers", str(inventory), "--out", str(tmp_path / "levers")]) == EXIT_BAD_INPUT
    assert main(["levers", str(inventory), "--out", str(tmp_path / "levers"), "--force"]) == EXIT_OK


def test_french_levers_give_the_share_of_the_total_in_percent(tmp_path, capsys):
    """The French table printed the share as a fraction ("-0,841" for -84 %)."""
    inventory = tmp_path / "town.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    assert main(["levers", str(inventory), "--lang", "fr", "--out", str(tmp_path / "leviers")]) == EXIT_OK
    line = next(x for x in capsys.readouterr().out.splitlines()
                if "Changement climatique" in x and "Publications imprimées diffusées seulement en ligne" in x)
    # direction, change, share, unit, baseline, coverage; French groups digits with a narrow no-break space
    after = [w for w in line.split("en ligne", 1)[1].split(" ") if w]
    number = lambda text: float(text.replace("\u202f", "").replace(",", "."))  # noqa: E731
    change, share, baseline = number(after[1]), after[2], number(after[-2])
    assert share.endswith("\u202f%") and number(share[:-1]) == round(100 * change / baseline)  # by hand


def test_french_compare_gives_the_relative_change_in_percent(tmp_path, capsys):
    """The French table printed the relative change as a fraction ("-0,841")."""
    inventory, scenario = tmp_path / "town.yaml", tmp_path / "online.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    scenario.write_text("scenario: sans imprimé\nchanges:\n  - {remove: {kind: print}}\n", encoding="utf-8")
    assert main(["compare", str(inventory), str(scenario), "--lang", "fr"]) == EXIT_OK
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("Changement climatique"))
    cells = [w for w in line.split("Changement climatique", 1)[1].split(" ") if w]  # A, B, unit..., B - A, %
    number = lambda text: float(text.replace("\u202f", "").replace(",", "."))  # noqa: E731
    a, b, relative = number(cells[0]), number(cells[1]), cells[-2]
    assert relative.endswith("\u202f%") and number(relative[:-1]) == pytest.approx(100 * (b - a) / a, abs=1)


def test_a_lever_that_does_not_apply_says_why_in_the_users_language(tmp_path, capsys):
    """The note used to print the tail of an English message: "...: newsletter, print, social_account, video,
    website)" (English kinds, a stray parenthesis, no reason) in a French run."""
    inventory = tmp_path / "town.yaml"
    inventory.write_text(TOWN, encoding="utf-8")
    assert main(["levers", str(inventory), "--lang", "fr", "--out", str(tmp_path / "leviers")]) == EXIT_OK
    note = next(line for line in capsys.readouterr().out.splitlines() if "Purger" in line)
    assert note.startswith("remarque : le levier fourni ") and "ne s'applique pas" in note
    assert "aucun de ses services" in note and note.count("(") == note.count(")") == 1
    # the town's kinds, in French (TOWN above: website, newsletter, print, social_account, video)
    for kind in ("site web", "lettre d'information", "imprimé", "compte de réseau social", "vidéo"):
        assert kind in note, kind
    for english in ("newsletter", "print", "social_account", "website"):
        assert english not in note, english
    assert main(["levers", str(inventory), "--out", str(tmp_path / "levers")]) == EXIT_OK
    note = next(line for line in capsys.readouterr().out.splitlines() if "Purge stored data" in line)
    assert "it selects none of its services (kinds present: " in note and note.count("(") == note.count(")")


def test_scaling_is_linear_in_the_multiplier(town, factors):
    """Property: a social account's bill is linear in its posts, so the change is (by - 1) x its total."""
    base = town.evaluate(factors).total(("service",)).query(
        "service == 'compte Instagram' and criterion == 'climate_change'")["value"].iloc[0]
    for by in (0.25, 0.5, 2.0):
        table = compare(town, [Scenario("s", (scale("posts", by, kind="social_account"),))], factors=factors, by=())
        delta = table.set_index("criterion").loc["climate_change", "delta"]
        assert delta == pytest.approx((by - 1) * base, rel=1e-9)
    assert np.isfinite(base)


def test_bundled_levers_that_select_nothing_raise_instead_of_changing_nothing():
    from lca_numerique.inventory.model import inventory_from_text

    podcast_only = inventory_from_text("organisation: x\nservices:\n  - {kind: podcast, name: p, listens: 10, "
                                       "duration: 10 min}\n")
    for key, scenario in bundled_scenarios().items():
        assert all(change.where for change in scenario.changes), key  # every change knows its file and line
        if key == "longer_device_life":  # a factor assumption applies to any inventory
            continue
        with pytest.raises(ScenarioError, match="selects no service"):
            scenario.apply(podcast_only)
