"""Defaults a public body would choose: each equals the figure of its cited source (written here with the
citation), and what it changes in a result is checked against a hand calculation."""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.services import Podcast, Print, SocialPost, Video
from lca_numerique.services.common import INTERNET_TIME_MIX
from lca_numerique.services.video import STREAMING_MIX, VIEW_AVERAGES, VIEW_THRESHOLDS
from lca_numerique.uncertainty import draw


@pytest.fixture(scope="module")
def factors():
    return lca.load_factors()


def _per_view(service, factors) -> dict[str, float]:
    results = lca.evaluate([service.bill_of_materials()], factors, require_complete=False)
    table = results.per_audience().set_index("criterion")
    return {c: float(table.loc[c, "value"]) for c in lca.MISSION_CRITERIA}


def test_what_a_view_is_on_each_platform():
    # Google Ads API reference (2025): a paid view is "watched at least 30 seconds of the ad (or the entire ad, if
    # it was less than 30 seconds)"; Meta Business Help Center: "3-second video plays"; X Business help, video
    # views campaign: 2 s with 50 % of the player in view.
    assert VIEW_THRESHOLDS == {"youtube": 30.0, "meta_3s": 3.0, "x": 2.0}
    # Meta's "Views" count every start (Instagram 2024-08, Facebook late 2024): Facebook's average watch time of
    # its videos, 16.7 s (Axios, 2017), stands for a view there
    assert VIEW_AVERAGES == {"facebook": 16.7, "instagram": 16.7}
    # a 2-minute video: a YouTube view guarantees 30 s of 120, a Meta 3-second view 3 s, a streaming hour all
    assert Video("v", views=1, duration="2 min").watched_share == pytest.approx(30 / 120)
    assert Video("v", views=1, duration="2 min", view_platform="meta_3s").watched_share == pytest.approx(3 / 120)
    assert Video("v", views=1, duration="2 min", view_platform="facebook").watched_share == pytest.approx(16.7 / 120)
    assert Video("v", views=1, duration="2 min", view_platform="streaming").watched_share == 1.0
    assert Video("v", views=1, duration="20 s").watched_share == 1.0  # shorter than the threshold: watched whole
    # the analytics' figure wins over the platform's rule
    assert Video("v", views=1, duration="2 min", watched_share=0.4).watched_share == 0.4


def test_a_three_second_view_costs_the_hand_computed_share_of_a_full_watch(factors):
    # Everything a view costs here scales with the time watched (devices, GB sent, platform servers and
    # electricity), so a Meta 3-second view of a 2-minute video costs 3/120 = 2.5 % of a full watch, on every
    # criterion.
    three_seconds = Video("fb", views=1000, duration="2 min", view_platform="meta_3s")
    full = three_seconds.replace(name="full", watched_share=1.0)
    short, whole = _per_view(three_seconds, factors), _per_view(full, factors)
    for criterion in lca.MISSION_CRITERIA:
        assert short[criterion] == pytest.approx(whole[criterion] * 0.025, rel=1e-9), criterion
        assert short[criterion] < whole[criterion]


def test_watch_share_uncertainty_spans_a_view_to_a_full_watch():
    video = Video("v", views=1, duration="2 min", view_platform="meta_3s")
    distribution = video.uncertainty["watched_share"]
    u = np.array([1e-9, 0.5, 1 - 1e-9])
    assert draw(distribution, video.watched_share, u) == pytest.approx([0.025, 0.5125, 1.0], rel=1e-6)
    # a Meta view (any start): from nothing to a full watch, around the 16.7 s average (triangular, its mode)
    meta = Video("v", views=1, duration="2 min", view_platform="facebook")
    mode = 16.7 / 120
    assert draw(meta.uncertainty["watched_share"], meta.watched_share, np.array([1e-12, mode, 1 - 1e-12])) == \
        pytest.approx([0.0, mode, 1.0], abs=1e-5)
    # given by the user, the share is the user's (no default spread)
    assert "watched_share" not in Video("v", views=1, duration="2 min", watched_share=0.3).uncertainty


def test_platform_audiences_are_internet_audiences_not_netflix():
    # Médiamétrie, L'Année Internet 2023 (press release 2024-02-08): "79 % du temps passé sur Internet se fait
    # depuis un mobile"; L'Année Internet 2021: computers 15 %, tablets 10 %.
    assert INTERNET_TIME_MIX["smartphone"] == 0.79
    assert INTERNET_TIME_MIX["tablet"] / (INTERNET_TIME_MIX["laptop"] + INTERNET_TIME_MIX["desktop"]) == \
        pytest.approx(10 / 15)
    assert sum(INTERNET_TIME_MIX.values()) == pytest.approx(1.0)
    assert Video("v", views=1, duration="1 min").device_mix == pytest.approx(INTERNET_TIME_MIX)
    assert SocialPost("p", format="image", impressions=1).device_mix == pytest.approx(INTERNET_TIME_MIX)
    # Impact CO2's streaming mix (Netflix: TV 70 %) only for a streaming service's audience
    assert STREAMING_MIX == {"tv": 0.70, "laptop": 0.15, "tablet": 0.10, "smartphone": 0.05}
    assert Video("v", views=1, duration="1 min", view_platform="streaming").device_mix == STREAMING_MIX


def test_platform_data_centres_are_in_europe_not_france():
    # Meta (Luleå, Clonee, Odense) and Google (Fredericia, St. Ghislain, Hamina, Dublin, Eemshaven) have no data
    # centre in France: the platform's lines go to the European zone; Impact CO2's streaming keeps France.
    video = {x.flow for x in Video("v", views=10, duration="1 min").bill_of_materials().lines}
    assert {"dc.server@EU", "electricity.data_centres@EU"} <= video
    post = {x.flow for x in SocialPost("p", format="image", impressions=10).bill_of_materials().lines}
    assert {"dc.server@EU", "electricity.data_centres@EU"} <= post
    streaming = {x.flow for x in Video("v", views=10, duration="1 min", view_platform="streaming")
                 .bill_of_materials().lines}
    assert "dc.server@FR" in streaming and "dc.server@EU" not in streaming


def test_a_text_post_is_not_free(factors):
    # 1,000 impressions x 18 KB (HTTP Archive Web Almanac 2024: the median page's HTML) = 0.018 GB, served by
    # the platform at 1.947 Wh/GB (Impact CO2's Netflix-derived figure) and carried by the fixed network
    post = SocialPost("text", format="text", impressions=1000)
    lines = post.bill_of_materials().amounts()
    assert lines["network.fixed@FR"] == pytest.approx(0.018)
    assert lines["electricity.data_centres@EU"] == pytest.approx(0.018 * (94_000 + 357_000) * 1e6
                                                                 / (2 * 365 * 167e6 * 1.9) / 1000)
    assert lines["dc.server@EU"] > 0
    results = lca.evaluate([post.bill_of_materials()], factors, require_complete=False)
    by_tier = results.total(("tier",)).set_index(["tier", "criterion"])
    for tier in ("networks", "data_centres"):
        assert by_tier.loc[(tier, "climate_change"), "value"] > 0, tier


def test_background_podcast_listening_charges_part_of_the_device():
    # Activate 2026 (Katz Media Group, Radio Ink 2025-11-21): 62 % of consumers multitask while listening to
    # podcasts; half of the device's hour is charged while they do (convention): 1 - 0.62 x 0.5 = 0.69
    podcast = Podcast("p", listens=100, duration="30 min")
    assert podcast.background_share == 0.62 and podcast.background_device_share == 0.5
    lines = podcast.bill_of_materials().amounts()
    assert lines["device.smartphone@FR"] == pytest.approx(100 * 0.5 * 0.69)
    foreground = podcast.replace(name="f", background_share=0).bill_of_materials().amounts()
    assert foreground["device.smartphone@FR"] == pytest.approx(50.0)
    # what is sent does not change: the whole file is downloaded either way
    assert lines["network.fixed@FR"] == pytest.approx(foreground["network.fixed@FR"])


def test_print_waste_and_postal_delivery(factors):
    # American Printer (2000-04-01): about 5 truckloads of paper thrown away for every 100 delivered
    magazine = Print("m", copies=1000, pages=32, postal_share=0.5)
    assert magazine.spoilage == 0.05
    lines = magazine.bill_of_materials().amounts()
    mass = 1000 * 16 * 0.210 * 0.297 * 0.080
    assert lines["paper"] == pytest.approx(mass * 1.05)
    assert lines["post.delivery"] == pytest.approx(500)
    # La Poste's eco-calculator (2014): a Lettre verte under 20 g, 19.7 g CO2 eq
    factor = factors.factor("post.delivery", "climate_change", "use")
    assert factor.value == pytest.approx(0.0197)
    results = lca.evaluate([magazine.bill_of_materials()], factors, require_complete=False)
    by_stage = results.total(("stage",)).set_index(["stage", "criterion"])
    assert by_stage.loc[("distribution", "climate_change"), "value"] == pytest.approx(500 * 0.0197)
    # the post's vehicles and buildings are a declared gap: the distribution stage is partial, not complete
    assert by_stage.loc[("distribution", "climate_change"), "coverage"] == "partial"
