"""Service models: documented defaults, the media scale, linearity in audience, bad input, explain()."""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.criteria import MISSION_CRITERIA
from lca_numerique.services import (
    SERVICE_KINDS,
    Campaign,
    Email,
    Hosting,
    Newsletter,
    ParameterError,
    Podcast,
    Portfolio,
    Print,
    SocialAccount,
    SocialPost,
    Video,
    VideoCall,
    Website,
)


@pytest.fixture(scope="module")
def factors():
    return lca.load_factors()


def totals(services, factors, by=("service",)):
    results = lca.evaluate([s.bill_of_materials() for s in services], factors)
    return results.total(by).set_index([*by, "criterion"])["value"]


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_every_parameter_is_documented_and_every_default_sourced(kind):
    cls = SERVICE_KINDS[kind]
    assert cls.audience_unit in lca.units.AUDIENCE_UNITS
    for spec in cls.parameters:
        assert spec.description.strip(), spec.name
        assert spec.kind in ("quantity", "share", "mix", "choice", "flag", "object")
        if spec.kind == "quantity":
            assert spec.unit, spec.name
        if not spec.required:
            assert len(spec.source) > 8, f"{kind}.{spec.name} has a default without a source"
    table = cls.describe_parameters()
    assert list(table["parameter"]) == [s.name for s in cls.parameters]


def test_media_scale_text_image_audio_video(factors):
    """Same audience (1000 people), same attention (60 s), same device: text < image < audio < video."""
    same = {"device_mix": {"smartphone": 1}}
    services = [
        SocialPost("text", format="text", impressions=1000, attention_time="60 s", **same),
        SocialPost("image", format="image", impressions=1000, attention_time="60 s", **same),
        Podcast("audio", listens=1000, duration="60 s", **same),
        Video("video", views=1000, duration="60 s", **same),
    ]
    t = totals(services, factors)
    for criterion in MISSION_CRITERIA:
        values = [t[(s.name, criterion)] for s in services]
        assert np.all(np.diff(values) > 0), (criterion, values)


def test_hd_costs_more_than_sd(factors):
    hd = Video("hd", views=100, duration="3 min", resolution="1080p")
    sd = hd.replace(name="sd", resolution="sd")
    t = totals([hd, sd], factors)
    for criterion in MISSION_CRITERIA:
        assert t[("hd", criterion)] > t[("sd", criterion)]


def test_twice_the_audience_doubles_audience_lines_not_fixed_costs(factors):
    hosting = Hosting("server", servers=1, storage="0.5 TB")
    site = Website("site", visits=10_000, hosting=hosting)
    double = site.replace(name="double", visits=20_000)
    lines = {(bill.name, line.flow): line.amount for bill in (site.bill_of_materials(), double.bill_of_materials())
             for line in bill.lines}
    for (name, flow), amount in lines.items():
        if name != "site":
            continue
        expected = amount if flow.startswith(("dc.", "electricity.data_centres")) else 2 * amount
        assert lines[("double", flow)] == pytest.approx(expected), flow
    per = lca.evaluate([site.bill_of_materials(), double.bill_of_materials()], factors).per_audience()
    per = per.set_index(["service", "criterion"])["value"]
    assert per[("double", "climate_change")] < per[("site", "climate_change")]


def test_thirty_percent_fewer_posts_is_one_parameter(factors):
    account = SocialAccount("city account", posts=300, impressions_per_post=2000,
                            format_mix={"image": 0.6, "video": 0.2, "text": 0.2})
    fewer = account.replace(name="fewer", posts=account.posts * 0.7)
    t = totals([account, fewer], factors)
    for criterion in MISSION_CRITERIA:
        assert t[("fewer", criterion)] == pytest.approx(0.7 * t[("city account", criterion)], rel=1e-9)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Video("v", views=10, duration="1 h", device_mix={"tv": 0.5, "laptop": 0.4}), "sum to 1"),
    (lambda: Video("v", views=10, duration="1 h", watched_share=1.2), "above the maximum 1"),
    (lambda: Video("v", views=-3, duration="1 h"), "below the minimum 0"),
    (lambda: Video("v", views=10, duration="1 h", resolution="8k"), "accepted: sd, 720p, 1080p, 4k"),
    (lambda: Video("v", views=10, duration="1 h", device_mix={"phone": 1}), "did you mean 'smartphone'"),
    (lambda: SocialPost("p", format="gif", impressions=10), "accepted: text, image, carousel"),
    (lambda: SocialPost("p", format="text", impressions=10, platform="myspace"), "accepted: facebook"),
    (lambda: SocialPost("p", format="text"), "either impressions or reach"),
    (lambda: Video("v", views=10), "missing required parameter(s) duration"),
    (lambda: Video("v", views=10, duration="1 h", resolutoin="sd"), "did you mean 'resolution'"),
    (lambda: Video("v", views=10, duration="3 GB"), "[time]"),
])
def test_bad_input_names_the_parameter(make, message):
    with pytest.raises((ParameterError, lca.UnitError)) as info:
        make()
    assert message in str(info.value)


def test_carousel_needs_a_size():
    with pytest.raises(ParameterError, match="media_size"):
        SocialPost("c", format="carousel", impressions=10).bill_of_materials()


def test_explain_marks_user_values_and_defaults():
    text = Video("clip", views=500, duration="2 min").explain()
    assert "views = 500 view  [user]" in text
    assert "resolution = 1080p  [default: ADEME Impact CO2" in text
    assert "device.tv@FR" in text and "× device_mix[tv]" in text


def test_print_mass_and_lines():
    magazine = Print("magazine", copies=10_000, pages=32, grammage="90 g/m**2", delivery_distance="50 km")
    lines = {line.flow: line.amount for line in magazine.bill_of_materials().lines}
    mass = 10_000 * 32 / 2 * 0.210 * 0.297 * 0.090  # kg of A4 paper: copies x leaves x area x grammage
    assert lines["paper"] == pytest.approx(mass)
    assert lines["printing"] == pytest.approx(mass)
    assert lines["freight.road"] == pytest.approx(mass / 1000 * 50)
    assert magazine.audience() == lca.Audience(10_000, "reader")


def test_newsletter_is_an_email_per_issue(factors):
    letter = Newsletter("letter", recipients=5000, issues=12, size="0.2 MB")
    one = Email("one", recipients=5000, messages=12, size="0.2 MB", read_share=0.2652, reading_time="10 s")
    a, b = letter.bill_of_materials(), one.bill_of_materials()
    assert {x.flow: x.amount for x in a.lines} == pytest.approx({x.flow: x.amount for x in b.lines})
    assert letter.audience().amount == 60_000


def test_video_call_counts_participants_but_one_platform_stream():
    two, five = VideoCall("a", duration="1 h"), VideoCall("b", duration="1 h", participants=5)
    lines2 = {x.flow: x.amount for x in two.bill_of_materials().lines}
    lines5 = {x.flow: x.amount for x in five.bill_of_materials().lines}
    assert lines5["device.laptop@FR"] == pytest.approx(2.5 * lines2["device.laptop@FR"])
    assert lines5["dc.server@FR"] == pytest.approx(lines2["dc.server@FR"])


def test_portfolio_results_by_kind_and_campaign(factors):
    site = Website("site", visits=50_000)
    clip = Video("clip", views=2_000, duration="2 min")
    post = SocialPost("post", format="image", impressions=8_000)
    portfolio = Portfolio("city", campaigns=(Campaign("spring", (clip, post)),), services=(site,))
    results = lca.evaluate(portfolio.bills(), factors)
    by_campaign = results.total(("campaign",)).set_index(["campaign", "criterion"])["value"]
    by_service = results.total(("service",)).set_index(["service", "criterion"])["value"]
    assert by_campaign[("spring", "climate_change")] == pytest.approx(
        by_service[("clip", "climate_change")] + by_service[("post", "climate_change")])
    by_kind = results.total(("kind", "tier")).set_index(["kind", "tier", "criterion"])["value"]
    assert by_kind[("website", "networks", "climate_change")] > 0
    with pytest.raises(lca.BillError, match="unique"):
        Portfolio("dup", services=(site, site))


def test_podcast_download_sends_the_whole_file():
    streamed = Podcast("s", listens=100, duration="30 min", listened_share=0.5, delivery="streamed")
    downloaded = streamed.replace(name="d", delivery="downloaded")
    s = {x.flow: x.amount for x in streamed.bill_of_materials().lines}
    d = {x.flow: x.amount for x in downloaded.bill_of_materials().lines}
    assert d["network.fixed@FR"] == pytest.approx(2 * s["network.fixed@FR"])
    # 100 listens x 0.5 h x 128 kbit/s = 100 x 28.8 MB = 2.88 GB downloaded
    assert d["network.fixed@FR"] == pytest.approx(100 * 0.5 * 3600 * 128e3 / 8 / 1e9)


def test_cdn_traffic_is_booked_and_reported_not_covered(factors):
    site = Website("site", visits=1000, cdn_share=0.5)
    lines = {x.flow: x.amount for x in site.bill_of_materials().lines}
    assert lines["dc.data_served@FR"] == pytest.approx(0.5 * site.gigabytes)
    total = lca.evaluate([site.bill_of_materials()], factors).total(("tier",)).set_index(["tier", "criterion"])
    assert total.loc[("data_centres", "climate_change"), "coverage"] == "partial"
