"""Declared uncertainty on a custom service's own variables: drawn by Monte Carlo through the line formulas,
shown by explain(), moved by tornado, written back to YAML, refused with a located message when wrong.

Oracles: hand calculations written out (a lognormal's geometric mean and log-spread, its 2.5 and 97.5 %
quantiles), and a bundled Website whose bill the custom service reproduces line by line (the same declared
uncertainty on the same name must give the same interval, sample for sample).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.errors import InventoryError
from lca_numerique.flows import FLOWS
from lca_numerique.inventory import inventory_from_text
from lca_numerique.montecarlo import monte_carlo
from lca_numerique.sensitivity import tornado
from lca_numerique.services import Custom, Website
from lca_numerique.services.custom import variable_distribution
from lca_numerique.services.parameters import ParameterError
from lca_numerique.uncertainty import Distribution

GWP = "climate_change"
LN_GSD = 0.4054651081081644  # ln(1.5)
Z975 = 1.959963984540054  # standard normal 97.5 % quantile


@pytest.fixture(scope="module")
def factors() -> lca.FactorSet:
    return lca.load_factors()


def _mail(**uncertainty: str) -> Custom:
    # 2 GB per mailbox x 1000 mailboxes = 2000 GB over the fixed network.
    return Custom("mail", audience_size="1000 user", variables={"a": "2 GB", "b": 1000},
                  lines=[{"flow": "network.fixed@FR", "formula": "a * b", "stage": "network_send",
                          "source": "test numbers"}], uncertainty=uncertainty)


def test_a_lognormal_variable_is_drawn_through_the_formula(factors):
    service = _mail(a="lognormal gsd=1.5")
    assert service.bill_of_materials().lines[0].amount == pytest.approx(2000.0)
    mc = monte_carlo([service], factors, samples=4000, seed=3, factor_uncertainty=False, keep_samples=True)
    climate = mc.criteria.index(GWP)
    # Factors fixed: each sample's total is (a x b) x factor, so total / deterministic = drawn a / 2 GB.
    ratio = mc.samples[:, 0, climate] / mc.deterministic.scores().values[0, climate]
    logs = np.log(ratio)
    # geometric mean 1 (the amount's is a x b = 2000 GB): standard error of the mean log 0.405/sqrt(4000) = 0.0064
    assert abs(logs.mean()) < 4 * LN_GSD / math.sqrt(4000)
    # log-spread ln(1.5) = 0.4055: standard error about 0.4055/sqrt(2 x 4000) = 0.0045
    assert logs.std() == pytest.approx(LN_GSD, abs=4 * LN_GSD / math.sqrt(8000))
    # 95 % interval: x/÷ 1.5^1.96 = 0.4517 .. 2.2138 times the deterministic total (sampling error ~3 %)
    row = mc.summary([GWP]).iloc[0]
    assert row["p2.5"] / row["deterministic"] == pytest.approx(0.451718, rel=0.05)
    assert row["p97.5"] / row["deterministic"] == pytest.approx(2.213770, rel=0.05)
    assert math.exp(-LN_GSD * Z975) == pytest.approx(0.451718, rel=1e-5)  # the written-out numbers themselves


def test_without_declared_uncertainty_nothing_moves(factors):
    mc = monte_carlo([_mail()], factors, samples=20, seed=1, factor_uncertainty=False, keep_samples=True)
    assert np.ptp(mc.samples[:, 0, mc.criteria.index(GWP)]) == 0.0


def _website_lines(site: Website) -> list[dict[str, str]]:
    """The website's bill written as custom lines: every line's amount as given, except the visitor devices',
    written as the formula the website uses (visits x time_per_visit, one device)."""
    lines = []
    for line in site.bill_of_materials().lines:
        if line.stage == "visitor_device":
            lines.append({"flow": line.flow, "formula": "visits * time_per_visit", "stage": line.stage,
                          "source": "the website's device line"})
        else:
            lines.append({"flow": line.flow, "amount": f"{line.amount!r} {FLOWS[line.flow].unit}",
                          "stage": line.stage, "source": "the website's bill"})
    return lines


@pytest.mark.parametrize(("bundled", "declared"), [
    ("lognormal gsd=2", "lognormal gsd=2"),
    ("triangular low=60 high=600", "triangular low=60 high=600"),
    ("uniform low=60 high=300", "uniform low=1 min high=5 min"),  # a custom variable's bounds may carry units
])
def test_same_interval_as_the_bundled_service_with_the_same_uncertainty(factors, bundled, declared):
    specs = Website.specs()  # parameters given (at their defaults) leave their default spread out
    given = {name: specs[name].default for name in ("platform_energy_per_gb", "platform_server_hours_per_gb")}
    site = Website("site", visits=50_000, page_weight="1.2 MB", device_mix={"laptop": 1.0}, **given,
                   uncertainty={"time_per_visit": bundled})
    custom = Custom("site", audience_size="50000 visit", variables={"visits": 50_000, "time_per_visit": "127 s"},
                    lines=_website_lines(site), uncertainty={"time_per_visit": declared})
    assert [(x.flow, x.stage) for x in custom.bill_of_materials().lines] == \
        [(x.flow, x.stage) for x in site.bill_of_materials().lines]
    assert list(site.uncertainty) == ["time_per_visit"]
    by = [("stage",)]
    a = monte_carlo([site], factors, samples=300, seed=7, by=by, keep_samples=True)
    b = monte_carlo([custom], factors, samples=300, seed=7, by=by, keep_samples=True)
    np.testing.assert_allclose(b.samples, a.samples, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(b.view(("stage",))[["p2.5", "p97.5"]], a.view(("stage",))[["p2.5", "p97.5"]],
                               rtol=1e-9)
    moved = a.view(("stage",)).query("criterion == @GWP").set_index("stage")
    assert moved.loc["visitor_device", "p97.5"] > moved.loc["visitor_device", "p2.5"]  # the draws did move


def test_explain_shows_the_distribution_next_to_the_variable():
    text = _mail(a="uniform low=1500 MB high=3 GB").explain()
    assert "a = 2 gigabyte ~ uniform low=1.5 high=3 gigabyte" in text
    assert "b = 1000" in text and "b = 1000 ~" not in text
    assert "a = 2 gigabyte ~ lognormal gsd=1.5," in _mail(a="lognormal gsd=1.5").explain()


def test_tornado_moves_a_custom_variable(factors):
    table = tornado([_mail(a="lognormal gsd=1.5")], factors).set_index("input")
    row = table.loc["mail: a"]
    # a at 2 GB x/÷ 1.5^1.96: 0.90344 and 4.42754 GB; the total is linear in a
    assert (row["low"], row["high"]) == (pytest.approx(0.903436, rel=1e-5), pytest.approx(4.427540, rel=1e-5))
    base = table.attrs["baseline"]
    assert row["total at low"] == pytest.approx(base * 0.903436 / 2, rel=1e-5)
    assert row["total at high"] == pytest.approx(base * 4.427540 / 2, rel=1e-5)
    from lca_numerique.sensitivity import sobol_portfolio

    indices = sobol_portfolio([_mail(a="lognormal gsd=1.5")], factors, samples=64).set_index("input")
    assert indices.loc["mail: a", "ST"] > 0.1  # the variable is one of the two inputs of the total


YAML = """
organisation: test
services:
  - kind: custom
    name: mail
    audience_size: 1000 user
    variables: {a: 2 GB, b: 1000}
    uncertainty: {a: "triangular low=1 GB high=3000 MB", b: lognormal gsd=1.2}
    lines:
      - {flow: network.fixed@FR, formula: a * b, stage: network_send, source: test numbers}
"""


def test_yaml_round_trip(factors):
    first = inventory_from_text(YAML)
    service = first.service("mail")
    assert service.uncertainty == {"a": Distribution("triangular", (("low", 1.0), ("high", 3.0))),
                                   "b": Distribution("lognormal", (("gsd", 1.2),))}
    again = inventory_from_text(yaml.safe_dump(first.to_data(), allow_unicode=True))
    assert again.to_data() == first.to_data()
    assert again.service("mail").given_uncertainty == service.given_uncertainty
    runs = [monte_carlo(inv, factors, samples=64, seed=2) for inv in (first, again)]
    np.testing.assert_array_equal(runs[0].portfolio, runs[1].portfolio)


@pytest.mark.parametrize(("uncertainty", "words"), [
    ("{a: lognormal gsd=0.5}", "gsd must be >= 1"),
    ("{a: uniform low=1 h high=3 h}", "not in a unit of the variable's dimension"),
    ("{a: uniform low=3 GB high=4 GB}", "outside"),
    ("{a: uniform low=-1 high=4}", "below 0"),
    ("{a: lognormal gsd=1.5 GB}", "gsd is a factor without unit"),
    ("{a: weibull k=2}", "unknown distribution"),
    ("{c: lognormal gsd=1.5}", "only variables can be uncertain; declared: a, b"),
])
def test_bad_distributions_are_located(uncertainty, words):
    text = YAML.replace('{a: "triangular low=1 GB high=3000 MB", b: lognormal gsd=1.2}', uncertainty)
    with pytest.raises(InventoryError) as info:
        inventory_from_text(text)
    message = str(info.value)
    assert words in message
    key = uncertainty[1]
    assert f"<text>:8:22: services[0].uncertainty.{key}: uncertainty of '{key}'" in message  # line 8: uncertainty


def test_a_negative_variable_cannot_be_uncertain():
    with pytest.raises(ParameterError, match="must be >= 0"):
        Custom("x", audience_size="1 user", variables={"a": -2, "kg": "1 kg"}, uncertainty={"a": "normal sd=1"},
               lines=[{"flow": "paper", "formula": "a * kg", "source": "t"}])


@settings(max_examples=60, deadline=None)
@given(value=st.floats(0.01, 1e4), below=st.floats(0, 1), above=st.floats(0, 1),
       kind=st.sampled_from(["uniform", "triangular"]))
def test_bounds_with_units_are_converted_to_the_variables_unit(value, below, above, kind):
    # the variable in GB, its bounds written in MB: 1 GB = 1000 MB
    low_mb, high_mb = value * (1 - below) * 1000, value * (1 + above) * 1000
    quantity = lca.units.parse_quantity(f"{value!r} GB", "v")
    distribution = variable_distribution(f"{kind} low={low_mb!r} MB high={high_mb!r} MB", quantity)
    assert distribution.kind == kind
    assert distribution.param("low") == pytest.approx(low_mb / 1000, rel=1e-12)
    assert distribution.param("high") == pytest.approx(high_mb / 1000, rel=1e-12)
    plain = variable_distribution(f"{kind} low={low_mb / 1000!r} high={high_mb / 1000!r}", quantity)
    assert [v for _, v in plain.params] == pytest.approx([v for _, v in distribution.params], rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("lognormal gsd=1.5 uniform low high triangular sd MB GB h % -e,")),
               max_size=40))
def test_any_text_is_read_or_refused_with_a_value_error(text):
    quantity = lca.units.parse_quantity("2 GB", "v")
    try:
        distribution = variable_distribution(text, quantity)
    except ValueError:
        return
    assert distribution.kind in ("none", "lognormal", "uniform", "triangular", "normal")
    assert all(math.isfinite(v) for _, v in distribution.params)


def test_a_pickled_service_draws_the_same_samples(factors):
    """A Dask worker receives the services pickled: their variables' quantities then live in another pint
    registry, and the draws must still go through the formulas, to the same numbers."""
    import pickle

    service = _mail(a="uniform low=1500 MB high=3 GB")
    here = monte_carlo([service], factors, samples=64, seed=9, keep_samples=True)
    there = monte_carlo([pickle.loads(pickle.dumps(service))], factors, samples=64, seed=9, keep_samples=True)
    np.testing.assert_array_equal(there.samples, here.samples)
    assert np.ptp(here.samples[:, 0, here.criteria.index(GWP)]) > 0
