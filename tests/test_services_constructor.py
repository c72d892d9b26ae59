"""The service constructor, read once per kind: same values and same located messages as the full readers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.services import ParameterError, Video, Website


def test_the_first_declared_bad_value_is_named_whatever_order_they_are_given_in():
    with pytest.raises(ParameterError, match=r"^w: visits: -2 is below the minimum 0 visit$"):
        Website("w", page_weight=-1, visits=-2)
    with pytest.raises(ParameterError, match=r"^w: page_weight: -1 is below the minimum 0 MB$"):
        Website("w", page_weight=-1, visits=2, first_visit_share=3)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_number_that_is_not_finite_is_refused_with_the_unit_readers_words(value):
    with pytest.raises(lca.UnitError) as error:
        Website("w", visits=value)
    with pytest.raises(lca.UnitError) as reader:
        lca.units.to_magnitude(value, "visit", "w: visits")
    assert str(error.value) == str(reader.value) and "NaN and infinite values are not quantities" in str(error.value)


def test_required_and_unknown_parameters_are_named_in_declaration_order():
    with pytest.raises(ParameterError, match=r"^v: missing required parameter\(s\) views, duration for a video$"):
        Video("v")
    with pytest.raises(ParameterError, match=r"'durration' \(did you mean 'duration'\?\)"):
        Video("v", views=1, durration=2)


def test_defaults_keep_their_declaration_order_and_values():
    site = Website("w", zone="EU", visits=12)
    assert list(site.values) == [spec.name for spec in Website.parameters]
    assert site.values["network_zone"] == "EU"  # default_from: the audience's zone
    assert site.values["page_weight"] == 2.311 and site.given == {"zone": "EU", "visits": 12}
    assert set(site.uncertainty) == {"page_weight", "time_per_visit", "platform_energy_per_gb",
                                     "platform_server_hours_per_gb"}


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-10**6, 10**18), st.floats(-1e300, 1e300)))
def test_a_plain_number_reads_as_its_written_text_does(number):
    """A number given as is (fast path) and the same number written as text (the unit reader) give the same
    value, or the same refusal in the same words."""
    def read(value):
        try:
            return Website("w", visits=value).visits
        except ParameterError as exc:
            return str(exc)

    assert read(number) == read(repr(number))
