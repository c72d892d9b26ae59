"""Service models: documented defaults, the media scale, linearity in audience, bad input, explain()."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.criteria import MISSION_CRITERIA
from lca_numerique.derivation import formula_names
from lca_numerique.inventory import inventory_from_text
from lca_numerique.services import (
    SERVICE_KINDS,
    Campaign,
    Custom,
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
    """Same audience (1000 people), same attention (60 s, the audio listened to in the foreground, the video
    watched in full), same device: text < image < audio < video."""
    same = {"device_mix": {"smartphone": 1}}
    services = [
        SocialPost("text", format="text", impressions=1000, attention_time="60 s", **same),
        SocialPost("image", format="image", impressions=1000, attention_time="60 s", **same),
        Podcast("audio", listens=1000, duration="60 s", background_share=0, **same),
        Video("video", views=1000, duration="60 s", watched_share=1, **same),
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
    text = Video("clip", views=500, duration="2 min", view_platform="streaming").explain()
    assert "views = 500 view  [user]" in text
    assert "resolution = 1080p  [default: ADEME Impact CO2" in text
    assert "device.tv@FR" in text and "viewing_hours × device_mix.tv" in text
    assert "device_mix.tv = 0.7  [default: platforms: Médiamétrie" in text and "streaming: ADEME Impact CO2" in text


def test_print_mass_and_lines():
    magazine = Print("magazine", copies=10_000, pages=32, grammage="90 g/m**2", delivery_distance="50 km")
    lines = {line.flow: line.amount for line in magazine.bill_of_materials().lines}
    mass = 10_000 * 32 / 2 * 0.210 * 0.297 * 0.090  # kg of A4 paper: copies x leaves x area x grammage
    assert lines["paper"] == pytest.approx(mass * 1.05)  # and the printer's 5 % paper waste
    assert lines["printing"] == pytest.approx(mass * 1.05)
    assert lines["paper.end_of_life"] == pytest.approx(mass)  # the waste is recycled at the printer: cut off
    assert lines["freight.road"] == pytest.approx(mass / 1000 * 50)
    assert magazine.audience() == lca.Audience(10_000, "reader")


def test_newsletter_by_hand():
    """A monthly newsletter of 0.2 MB to 5,000 subscribers, every line computed by hand from the defaults
    (Impact CO2's e-mail model; open rate 26.52 %, 10 s of reading)."""
    letter = Newsletter("letter", recipients=5000, issues=12, size="0.2 MB")
    hours = 12 * 3 / 60 + 12 * 5000 * 0.2652 * 10 / 3600  # writing 0.6 h + reading 44.2 h
    storage_w_per_gb = 6.0 / (3.5524 * 1.024 * 0.5) / 1000
    expected = {
        "device.desktop@FR": hours * 24 / 101, "device.monitor@FR": hours * 24 / 101,
        "device.laptop@FR": hours * 24 / 101, "device.tablet@FR": hours * 8 / 101,
        "device.smartphone@FR": hours * 45 / 101,
        "network.fixed@FR": 12 * 0.0002 * (1 + 5000),  # sent once, received 5,000 times (GB)
        "network.fixed_without_box@FR": 12 * 0.0002 * 5000 * (1 + 3 + 3),  # backup copies
        "dc.server@FR": 2 * 12 * 24 * 0.22 / (367 * 117.7),  # both sides, 0.22 W per user of 367 W servers
        "dc.storage@FR": 12 * 0.0002 * (3 + 3 * 5000) * 10,  # GB x years
        "electricity.data_centres@FR": 12 * 5001 * (24 * 0.22 / 117.7 + 0.0002 * 3 * storage_w_per_gb * 8760 * 10)
                                       * 1.16 / 1000,  # kWh, PUE 1.16
    }
    assert letter.bill_of_materials().amounts() == pytest.approx(expected, rel=1e-12)
    # the audience is the 5,000 subscribers, not 5,000 x 12 issues
    assert letter.audience() == lca.Audience(5000, "recipient")
    assert "per recipient: one person the message is sent to" in letter.explain()


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
    # 1000 visits x 2.311 MB x (75 % new visitors + 25 % x 2 % reloaded) = 1.744805 GB, half through the CDN
    assert lines["dc.data_served@FR"] == pytest.approx(0.5 * 1.744805)
    total = lca.evaluate([site.bill_of_materials()], factors).total(("tier",)).set_index(["tier", "criterion"])
    assert total.loc[("data_centres", "climate_change"), "coverage"] == "partial"


# -- one formula per bill line: explain() shows the expression and values that gave each amount ----------------
REQUIRED = {
    "website": {"visits": 12_000}, "video": {"views": 500, "duration": "3 min"},
    "social_post": {"format": "image", "impressions": 8_000},
    "social_account": {"posts": 120, "impressions_per_post": 1500}, "email": {},
    "newsletter": {"recipients": 40_000}, "podcast": {"listens": 300, "duration": "25 min"},
    "videocall": {"duration": "1 h"}, "download": {"size": "20 MB"}, "hosting": {"servers": 2, "storage": "1 TB"},
    "print": {"copies": 5_000, "pages": 8},
    "custom": {"audience_size": "1200 user", "variables": {"boxes": 1200, "size": "5 GB", "kept": "2 year"},
               "lines": [{"flow": "dc.storage@FR", "formula": "boxes * size * kept", "stage": "storage",
                          "source": "IT inventory"},
                         {"flow": "device.laptop@FR", "amount": "1200 * 200 h", "source": "staff survey"}]},
}


def python_value(formula: str, values: dict) -> float:
    """An independent evaluation of a formula: Python's own arithmetic on the shown values (test oracle)."""
    namespace = {name.replace(".", "__"): value for name, value in values.items()}
    expression = formula
    for name in sorted(values, key=len, reverse=True):
        expression = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w.])", name.replace(".", "__"), expression)
    # a test oracle on the library's own formulas: Python's arithmetic, not the evaluator under test
    return eval(expression, {"__builtins__": {}}, namespace)


def check_explanation(service: lca.services.Service) -> None:
    bill = service.bill_of_materials()
    shown = service.explanation()
    text = service.explain()
    assert [(x.flow, x.stage, x.amount, x.origin) for x in shown.lines] == \
        [(x.flow, x.stage, x.amount, x.origin) for x in bill.lines]
    values = dict(shown.values)
    for name, formula in shown.formulas.items():  # intermediate values are their own formula's value
        if name in values:
            assert python_value(formula, values) == values[name], name
    for line in bill.lines:
        names = formula_names(line.origin)
        assert names, line
        assert python_value(line.origin, values) == line.amount, line  # exactly the bill's amount
        assert f"{line.flow}" in text and f"= {line.origin.replace(' * ', ' × ')}" in text
    for name, value in values.items():  # every name a formula uses is shown with its value
        formula = r".+? = " if name in shown.formulas else ""
        shown_value = re.search(rf"^    {re.escape(name)} = {formula}(\S+)", text, re.MULTILINE)
        assert shown_value, (name, text)
        assert float(shown_value.group(1)) == pytest.approx(value, rel=1e-5, abs=1e-300), (name, text)
        assert "None" not in shown_value.group(0)


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_explain_reproduces_the_bill_with_defaults(kind):
    check_explanation(SERVICE_KINDS[kind](kind, **REQUIRED[kind]))


def test_explain_shows_the_defaults_an_image_post_used():
    text = SocialPost("p", format="image", impressions=1000).explain()
    assert re.search(r"media_size = 0.0585556 MB  \[default for an image: HTTP Archive", text)
    assert re.search(r"attention_time = 1.7 second  \[by format \(image\): Facebook IQ", text)


def parameter_values(cls: type[lca.services.Service]) -> st.SearchStrategy[dict]:
    """Random valid values of a kind's parameters (a random subset of the optional ones)."""
    def quantity(spec):
        low = spec.minimum or 0.0
        default = spec.default if isinstance(spec.default, float) else 1.0
        return st.floats(low, max(low + 1.0, 20 * default), allow_nan=False)

    def mix(spec):
        return st.lists(st.sampled_from(spec.keys), min_size=1, unique=True).flatmap(
            lambda keys: st.lists(st.floats(0.05, 1.0), min_size=len(keys), max_size=len(keys)).map(
                lambda w: {k: x / sum(w) for k, x in zip(keys, w, strict=True)}))

    by_kind = {"quantity": quantity, "share": lambda s: st.floats(0.0, 1.0), "mix": mix,
               "choice": lambda s: st.sampled_from(s.choices), "flag": lambda s: st.booleans(),
               "object": lambda s: st.none() | st.builds(Hosting, st.just("host"), servers=st.floats(0.0, 4.0),
                                                          storage=st.floats(0.0, 2.0))}
    strategies = {s.name: by_kind[s.kind](s) for s in cls.parameters}
    required = {s.name: strategies.pop(s.name) for s in cls.parameters if s.required}
    return st.fixed_dictionaries(required, optional=strategies)


@pytest.mark.parametrize("kind", [k for k in SERVICE_KINDS if k != "custom"])  # custom: the user's own bill
def test_explain_reproduces_the_bill_with_random_parameters(kind):
    cls = SERVICE_KINDS[kind]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(parameter_values(cls))
    def check(values):
        try:
            service = cls(kind, **values)
            service.bill_of_materials()
        except lca.BillError:  # cross-parameter rules (impressions or reach, a carousel's size...), empty bill
            assume(False)
        check_explanation(service)

    check()


# -- stages -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("service", "stages"), [
    (Email("e", recipients=3), ["sender_device", "network_send", "processing", "storage", "network_receive",
                                "receiver_device"]),
    (Video("v", views=10, duration="3 min", master_size="2 GB", encoding_server_hours=1),
     ["production", "platform", "network", "viewing_device"]),
    (Website("w", visits=100), ["hosting", "network", "visitor_device"]),
    (Print("p", copies=100, pages=4, delivery_distance="10 km"), ["paper", "printing", "distribution", "end_of_life"]),
    (SocialPost("s", format="video", impressions=100), ["platform", "network", "viewing_device"]),
])
def test_each_model_labels_its_lines_as_published_studies_do(service, stages):
    assert list(dict.fromkeys(x.stage for x in service.bill_of_materials().lines)) == stages


def test_stage_totals_add_up_to_service_and_tier_totals_and_keep_their_coverage(factors):
    services = [Email("e", recipients=10), Video("v", views=100, duration="3 min"),
                Print("p", copies=100, pages=4), Website("w", visits=100, cdn_share=0.3)]
    results = lca.evaluate([s.bill_of_materials() for s in services], factors)
    by_stage = results.total(["service", "stage"])
    summed = by_stage.groupby(["service", "criterion"], observed=True)["value"].sum(min_count=1)
    service = results.total(["service"]).set_index(["service", "criterion"])
    covered = service["coverage"] != "not covered"
    assert summed[covered].to_numpy() == pytest.approx(service.loc[covered, "value"].to_numpy(), rel=1e-12)
    by_tier_stage = results.total(["tier", "stage", "phase"]).groupby(["tier", "criterion"], observed=True)["value"]
    tier = results.total(["tier"]).set_index(["tier", "criterion"])
    covered = tier["coverage"] != "not covered"
    assert by_tier_stage.sum().reindex(tier.index)[covered].to_numpy() == pytest.approx(
        tier.loc[covered, "value"].to_numpy(), rel=1e-12)
    stage = by_stage.set_index(["service", "stage", "criterion"])
    # a stage has the coverage of its own lines: the CDN's data (no open factor) makes only hosting partial
    assert stage.loc[("w", "hosting", "climate_change"), "coverage"] == "partial"
    assert stage.loc[("w", "network", "climate_change"), "coverage"] == "complete"
    assert ("v", "paper", "climate_change") not in stage.index  # a stage a service does not have: no zero row
    # the e-mail's network on the way out: one message of 1 MB on the fixed network
    e = lca.BillOfMaterials.build("hand", "1 recipient", {"network.fixed@FR": 0.001})
    by_hand = lca.evaluate([e], factors).total().set_index("criterion")["value"]
    assert stage.loc[("e", "network_send", "climate_change"), "value"] == pytest.approx(by_hand["climate_change"])


# -- custom services ----------------------------------------------------------------------------------------
def test_custom_service_lines_by_hand_in_canonical_units():
    custom = Custom("mailboxes", **REQUIRED["custom"])
    bill = custom.bill_of_materials()
    # 1200 boxes x 5 GB x 2 years = 12,000 GB stored x year; 1200 x 200 h of laptop
    assert [(x.flow, x.amount, x.stage) for x in bill.lines] == [
        ("dc.storage@FR", pytest.approx(12_000.0), "storage"), ("device.laptop@FR", pytest.approx(240_000.0), "other")]
    assert bill.audience == lca.Audience(1200, "user") and bill.kind == "custom"
    text = custom.explain()
    assert "boxes * size * kept with boxes = 1200, size = 5 gigabyte, kept = 2 year; source: IT inventory" in text


@pytest.mark.parametrize(("change", "message"), [
    ({"lines": [{"flow": "dc.storag@FR", "amount": "1 GB", "source": "x"}]}, r"lines\[0\].flow: .*did you mean"),
    ({"lines": [{"flow": "dc.storage@FR", "formula": "boxes * size", "source": "x"}]},
     r"lines\[0\].formula: got .*expected a quantity in GB_stored \* year"),
    ({"lines": [{"flow": "dc.storage@FR", "amount": "1 GB * year"}]}, r"lines\[0\].source: say where"),
    ({"lines": [{"flow": "paper", "amount": "1 kg", "formula": "boxes", "source": "x"}]}, "either an amount"),
    ({"lines": [{"flow": "paper", "formula": "boxes * weight", "source": "x"}]}, "'weight' not among the variables"),
    ({"lines": [{"flow": "paper", "amount": "1 kg", "stage": "printed", "source": "x"}]}, "stage: 'printed'"),
    ({"audience_size": "1200"}, "audience"),
    ({"variables": {"two words": 1}}, "not a name"),
])
def test_custom_service_errors_name_the_line_and_field(change, message):
    with pytest.raises((ParameterError, lca.UnitError), match=message):
        Custom("c", **{**REQUIRED["custom"], **change})


def test_custom_service_from_an_inventory_goes_through_the_engine(factors):
    text = """
inventory: 1
organisation: Test city
services:
  - kind: custom
    name: staff mailboxes
    audience_size: 1200 user
    variables: {boxes: 1200, size: 5 GB, kept: 1 year}
    lines:
      - {flow: dc.storage@FR, formula: boxes * size * kept, stage: storage, source: IT inventory 2024}
      - {flow: device.laptop@FR, amount: 1200 * 200 h, stage: receiver_device, source: staff survey 2024}
"""
    inventory = inventory_from_text(text)
    [service] = inventory.services
    assert service.bill_of_materials().amounts() == pytest.approx({"dc.storage@FR": 6000.0,
                                                                   "device.laptop@FR": 240_000.0})
    results = lca.evaluate([service.bill_of_materials()], factors)
    per = results.per_audience().set_index("criterion").loc["climate_change"]
    assert per["per"] == "per user" and per["audience"] == 1200
    stages = results.total(["stage"]).query("criterion == 'climate_change'")
    assert list(stages["stage"]) == ["storage", "receiver_device"]
    with pytest.raises(lca.InventoryError, match=r"<text>:5:5: .*lines\[1\].source: say where"):
        inventory_from_text(text.replace(", source: staff survey 2024", ""))
