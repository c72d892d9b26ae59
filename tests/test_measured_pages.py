"""Measured pages from HAR files and Lighthouse reports; expected values added up by hand from the fixtures."""

from __future__ import annotations

import json

import pytest

from lca_numerique.errors import InputError
from lca_numerique.services import Website
from lca_numerique.web_methods.measured import page_from_lighthouse, pages_from_har

HAR = {"log": {"version": "1.2", "pages": [{"id": "page_1", "title": "https://ville.example/"},
                                           {"id": "page_2", "title": "https://ville.example/agenda"}],
               "entries": [
                   # Chromium's transfer size wins over headers + body
                   {"pageref": "page_1", "response": {"_transferSize": 120_000, "headersSize": 300, "bodySize": 5}},
                   # HAR 1.2 fields: 400 header bytes + 80,000 body bytes
                   {"pageref": "page_1", "response": {"headersSize": 400, "bodySize": 80_000}},
                   # unknown sizes (-1): the decoded content size, no headers
                   {"pageref": "page_1", "response": {"headersSize": -1, "bodySize": -1, "content": {"size": 600}}},
                   {"pageref": "page_2", "response": {"_transferSize": 1_500_000}},
               ]}}
LIGHTHOUSE = {"lighthouseVersion": "12.0.0", "finalDisplayedUrl": "https://ville.example/",
              "audits": {"total-byte-weight": {"numericValue": 1_834_567},
                         "network-requests": {"details": {"items": [{}] * 47}},
                         "dom-size": {"numericValue": 912}}}


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_har_pages_add_their_own_requests(tmp_path):
    first, second = pages_from_har(write(tmp_path, "site.har", HAR))
    assert (first.url, first.transfer_bytes, first.requests, first.dom_nodes) == (
        "https://ville.example/", 120_000 + 400 + 80_000 + 600, 3, None)
    assert (second.transfer_bytes, second.requests) == (1_500_000, 1)


def test_har_without_pages_is_one_page(tmp_path):
    data = {"log": {"entries": [{"response": {"_transferSize": 10}}, {"response": {"_transferSize": 32}}]}}
    (page,) = pages_from_har(write(tmp_path, "one.har", data))
    assert (page.transfer_bytes, page.requests) == (42, 2)


def test_lighthouse_report_gives_weight_requests_and_dom(tmp_path):
    page = page_from_lighthouse(write(tmp_path, "lh.json", LIGHTHOUSE))
    assert (page.url, page.transfer_bytes, page.requests, page.dom_nodes) == ("https://ville.example/", 1_834_567,
                                                                              47, 912)
    site = Website("site", visits=1000, **page.website_parameters())
    assert site.page_weight == pytest.approx(1.834567)  # MB, decimal
    assert (site.requests, site.dom_nodes) == (47, 912)


@pytest.mark.parametrize(("name", "text", "where"), [
    ("bad.har", "{not json", "not valid JSON"),
    ("nolog.har", '{"entries": []}', "log.entries"),
    ("neg.har", '{"log": {"entries": [{"response": {"_transferSize": -5}}]}}', "_transferSize"),
    ("ref.har", '{"log": {"pages": [{"id": "a"}], "entries": [{"pageref": "b", "response": {"bodySize": 1}}]}}',
     "pageref"),
])
def test_bad_har_files_are_located_input_errors(tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=where) as info:
        pages_from_har(path)
    assert str(path) in str(info.value)


def test_a_report_without_the_audits_says_what_is_missing(tmp_path):
    with pytest.raises(InputError, match=r"audits\.total-byte-weight\.numericValue"):
        page_from_lighthouse(write(tmp_path, "lh.json", {"audits": {}}))
