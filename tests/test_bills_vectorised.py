"""Bills built kind by kind on arrays (Portfolio.stacked_bills) against a bill per service (BillMatrix.stack)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique import services as sv
from lca_numerique.bill import BillMatrix
from lca_numerique.services.registry import BUNDLED


def mixed_portfolio() -> sv.Portfolio:
    """Every bundled kind, two or more services of most shapes (billed together) and some alone, with and
    without optional values, hostings shared by share, time, data and users, a custom service and a website
    whose CDN data has no factor (not covered)."""
    host = sv.Hosting("host", servers=1, vms=2, vm_vcpus=4, storage="2 TB", users=5000)
    vms = sv.Hosting("vms", vcpus=8, storage_provisioned="1.74 TB", period="0.5 year")
    sites = [sv.Website(f"site {i}", visits=1000 + 37 * i, page_weight=1.5 + i / 7) for i in range(6)]
    sites += [sv.Website("cdn a", visits=5000, cdn_share=0.3),
              sv.Website("cdn b", visits=700, cdn_share=0.8, dom_nodes=900),
              sv.Website("mobile", visits=300, network_mix={"fixed": 0.4, "mobile": 0.6}, zone="EU"),
              sv.Website("mobile 2", visits=310, network_mix={"fixed": 0.5, "mobile": 0.5}, zone="EU"),
              sv.Website("hosted a", visits=2000, hosting=host, hosting_share=0.25),
              sv.Website("hosted b", visits=9000, hosting=host, hosting_share="40 %"),
              sv.Website("by time", visits=10, hosting=vms, allocation="time", hosted_time="0.1 year"),
              sv.Website("by time 2", visits=20, hosting=vms, allocation="time", hosted_time="0.2 year"),
              sv.Website("by data", visits=10, hosting=host, allocation="data", hosted_data="0.5 TB"),
              sv.Website("by users", visits=10, hosting=host, allocation="users", hosted_users=1200),
              sv.Website("no visit", visits=0), sv.Website("no visit 2", visits=0, time_per_visit=30)]
    videos = [sv.Video(f"video {i}", views=100 * (i + 1), duration=f"{i + 1} min") for i in range(4)]
    videos += [sv.Video("stream", views=50, duration="1 h", view_platform="streaming"),
               sv.Video("stream 2", views=70, duration="2 h", view_platform="streaming", resolution="4k"),
               sv.Video("own", views=40, duration="3 min", platform="self_hosted", hosting=host, hosting_share=0.1,
                     master_size="20 GB", encoding_server_hours=2),
               sv.Video("own 2", views=45, duration="4 min", platform="self_hosted", hosting=host, hosting_share=0.2,
                     master_size="10 GB", encoding_server_hours=1, watched_share=0.5),
               sv.Video("short", views=10, duration="10 s", view_platform="x")]
    social = [sv.SocialPost("post a", format="image", impressions=8000), sv.SocialPost("post b", format="image",
                                                                                 impressions=900),
              sv.SocialPost("reel a", format="video", reach=1000, frequency=2),
              sv.SocialPost("reel b", format="video", reach=2000, frequency=1.5),
              sv.SocialAccount("account a", posts=120, impressions_per_post=1500),
              sv.SocialAccount("account b", posts=60, impressions_per_post=700),
              sv.SocialAccount("mixed a", posts=50, impressions_per_post=300, format_mix={"image": 0.5, "video": 0.5}),
              sv.SocialAccount("mixed b", posts=40, impressions_per_post=200, format_mix={"image": 0.3, "video": 0.7}),
              sv.SocialAccount("mixed none", posts=40, impressions_per_post=200,
                            format_mix={"image": 1.0, "video": 0.0})]
    others = [sv.Email("mail a", recipients=3), sv.Email("mail b", recipients=30, size="2 MB"),
              sv.Email("mail hosted", recipients=12, hosting=host, hosting_share=0.01),
              sv.Newsletter("news a", recipients=40_000), sv.Newsletter("news b", recipients=2_000, issues=4),
              sv.Podcast("pod a", listens=300, duration="25 min"), sv.Podcast("pod b", listens=30, duration="5 min",
                                                                       delivery="streamed"),
              sv.VideoCall("call a", duration="1 h"), sv.VideoCall("call b", duration="2 h", participants=12),
              sv.Download("file a", size="20 MB"), sv.Download("file b", size="3 GB", downloads=40),
              sv.Print("flyer a", copies=5000, pages=8),
              sv.Print("flyer b", copies=200, pages=2, delivery_distance="10 km"),
              sv.Custom("mailboxes", audience_size="1200 user",
                     variables={"boxes": 1200, "size": "5 GB", "kept": "1 year"},
                     lines=[{"flow": "dc.storage@FR", "formula": "boxes * size * kept", "stage": "storage",
                             "source": "IT inventory"}]),
              host, vms]
    return sv.Portfolio("city", (sv.Campaign("web", tuple(sites[:4])), sv.Campaign("media", tuple(videos + social))),
                     tuple(sites[4:] + others))


def assert_same(stacked: BillMatrix, by_bill: BillMatrix) -> None:
    assert stacked.services == by_bill.services and stacked.kinds == by_bill.kinds
    assert stacked.campaigns == by_bill.campaigns and stacked.audience_units == by_bill.audience_units
    assert stacked.flows == by_bill.flows and stacked.stages == by_bill.stages
    np.testing.assert_allclose(stacked.audience, by_bill.audience, rtol=1e-12, atol=0)
    np.testing.assert_allclose(stacked.quantities, by_bill.quantities, rtol=1e-12, atol=0)


def test_every_kind_billed_together_equals_a_bill_per_service(factors, monkeypatch):
    portfolio = mixed_portfolio()
    services = [s for _, s in portfolio.all_services()]
    assert {type(s) for s in services} == set(BUNDLED)
    bills = portfolio.bills()
    runs = []
    builder = sv.Service.builder
    monkeypatch.setattr(sv.Service, "builder", lambda self, *a: runs.append(self.name) or builder(self, *a))
    stacked = portfolio.stacked_bills()
    assert len(runs) < 0.7 * len(services)  # most services were billed together, not one by one
    assert_same(stacked.matrix, BillMatrix.stack(bills))
    assert stacked.lines == sum(len(b.lines) for b in bills)
    fast, slow = lca.evaluate(stacked.matrix, factors), lca.evaluate(bills, factors)
    np.testing.assert_allclose(fast.values, slow.values, rtol=1e-12, atol=0, equal_nan=True)
    np.testing.assert_array_equal(fast.coverage_codes, slow.coverage_codes)
    cdn = slow.total(("service", "tier")).set_index(["service", "tier", "criterion"])
    assert cdn.loc[("cdn a", "data_centres", "climate_change"), "coverage"] == "partial"  # dc.data_served: no factor


def test_a_website_line_by_hand():
    sites = [sv.Website("a", visits=1000, page_weight="2 MB"), sv.Website("b", visits=3000, page_weight="500 kB")]
    matrix = sv.Portfolio("p", services=tuple(sites)).stacked_bills().matrix
    column = {(f, s): j for j, (f, s) in enumerate(zip(matrix.flows, matrix.stages, strict=True))}
    # 1000 visits x 1 page x 2 MB / 1000 x (75 % first visits + 25 % x 2 % reloaded) = 2 x 0.755 = 1.51 GB,
    # all on the French fixed network; 3000 x 0.5 MB / 1000 x 0.755 = 1.1325 GB
    assert matrix.quantities[:, column[("network.fixed@FR", "network")]] == pytest.approx([1.51, 1.1325], rel=1e-12)
    # 1000 visits x 127 s / 3600 x 55.7 % on smartphones = 19.649722... device-hours
    smartphone = matrix.quantities[:, column[("device.smartphone@FR", "visitor_device")]]
    assert smartphone[0] == pytest.approx(1000 * 127 / 3600 * 0.557, rel=1e-12)
    assert list(matrix.audience) == [1000.0, 3000.0] and matrix.audience_units == ("visit", "visit")


def test_services_of_one_shape_run_their_model_once(monkeypatch):
    calls = []
    build = sv.Website.build

    def counted(self: sv.Website, bill: sv.BillBuilder) -> None:
        calls.append(self.name)
        build(self, bill)

    monkeypatch.setattr(sv.Website, "build", counted)
    sites = (*(sv.Website(f"s{i}", visits=10 + i) for i in range(50)), sv.Website("eu", visits=3, zone="EU"))
    sv.Portfolio("p", services=sites).stacked_bills()
    assert len(calls) == 2  # one run on the arrays of the 50 French sites, one for the European site alone


@pytest.mark.parametrize(("services", "message"), [
    # the second website's allocation divides by a hosting without data
    ([sv.Website("a", visits=10),
      sv.Website("b", visits=10, hosting=sv.Hosting("h", servers=1), allocation="data", hosted_data="1 TB"),
      sv.Website("c", visits=10, hosting=sv.Hosting("h2", servers=1), allocation="data", hosted_data="1 TB")],
     "allocation 'data' divides by hosting 'h'"),
    # one of many sharing a hosting takes more than it has
    ([sv.Website(f"s{i}", visits=10, hosting=sv.Hosting("h", vcpus=2, period="1 year"), allocation="time",
              hosted_time=f"{i} year") for i in range(3)], r"hosted_time \(2\) exceeds"),
    # an empty bill with an audience
    ([sv.Download("a", size=0, downloads=10), sv.Download("b", size=0, downloads=20)], "has no line"),
])
def test_a_bill_refused_is_refused_with_the_first_faulty_services_own_words(services, message):
    portfolio = sv.Portfolio("p", services=tuple(services))
    with pytest.raises(lca.BillError, match=message) as by_bill:
        portfolio.bills()
    with pytest.raises(lca.BillError, match=message) as stacked:
        portfolio.stacked_bills()
    assert str(stacked.value) == str(by_bill.value)


def test_zero_division_in_a_group_is_worded_as_its_own_bill_words_it():
    host = sv.Hosting("h", storage="1 TB")
    services = (sv.Website("a", visits=10, hosting=host, allocation="users", hosted_users=0),
                sv.Website("b", visits=10, hosting=host, allocation="users", hosted_users=0))
    with pytest.raises(sv.ParameterError) as by_bill:
        services[0].bill_of_materials()
    with pytest.raises(sv.ParameterError) as stacked:
        sv.Portfolio("p", services=services).stacked_bills()
    assert str(stacked.value) == str(by_bill.value)


website = st.builds(
    dict, visits=st.floats(0, 1e9), page_weight=st.floats(0, 50), pages_per_visit=st.floats(0, 20),
    first_visit_share=st.floats(0, 1), time_per_visit=st.floats(0, 3600),
    zone=st.sampled_from(["FR", "EU"]), cdn_share=st.sampled_from([0.0, 0.5, 1.0]))
video = st.builds(
    dict, views=st.floats(0, 1e8), duration=st.floats(1e-3, 3), autoplay_impressions=st.floats(0, 1e6),
    view_platform=st.sampled_from(["youtube", "facebook", "x", "streaming"]), resolution=st.sampled_from(["sd", "4k"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(website.map(lambda v: ("website", v)), video.map(lambda v: ("video", v))), min_size=1,
                max_size=12))
def test_random_websites_and_videos_billed_together_equal_their_own_bills(entries):
    cls = {"website": sv.Website, "video": sv.Video}
    portfolio = sv.Portfolio("p", services=tuple(cls[k](f"{k} {i}", **v) for i, (k, v) in enumerate(entries)))
    try:
        bills = portfolio.bills()
    except lca.BillError as exc:  # an empty bill with an audience: the stacked path refuses it in the same words
        with pytest.raises(lca.BillError) as stacked:
            portfolio.stacked_bills()
        assert str(stacked.value) == str(exc)
        return
    stacked = portfolio.stacked_bills()
    assert_same(stacked.matrix, BillMatrix.stack(bills))
    assert stacked.lines == sum(len(b.lines) for b in bills)
