"""Monte Carlo, sensitivity and scenarios: reproducibility, exactness in the limits, bounded memory, known indices."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.cli import example_path
from lca_numerique.montecarlo import monte_carlo, probability_lower
from lca_numerique.scenarios import Scenario, bundled_scenarios, compare, load_scenario, rank_levers, scale
from lca_numerique.sensitivity import sobol_indices, sobol_portfolio, tornado
from lca_numerique.services import SocialAccount, Video, Website
from lca_numerique.uncertainty import Distribution, draw, parse_distribution, uniforms


@pytest.fixture(scope="module")
def inventory():
    return lca.load_inventory(example_path())


@pytest.fixture(scope="module")
def factors(inventory):
    return inventory.load_factors()


def test_draws_follow_their_distributions():
    u = uniforms(7, "x", 200_000)
    logn = draw(parse_distribution("lognormal gsd=2"), 10.0, u)
    assert np.median(logn) == pytest.approx(10.0, rel=0.01)
    # the mean of a lognormal is above its median: exp(ln(2)^2 / 2) = 1.2716 times the median
    assert logn.mean() == pytest.approx(10.0 * np.exp(np.log(2) ** 2 / 2), rel=0.02)
    tri = draw(parse_distribution("triangular low=1 high=4", 2.0), 2.0, u)
    assert tri.min() >= 1 and tri.max() <= 4 and tri.mean() == pytest.approx((1 + 2 + 4) / 3, rel=0.01)
    normal = draw(parse_distribution("normal sd=1"), 0.5, u)
    assert normal.min() >= 0
    assert np.array_equal(uniforms(7, "x", 10), uniforms(7, "x", 10))
    assert not np.array_equal(uniforms(7, "x", 10), uniforms(7, "y", 10))


def test_same_seed_same_results(inventory, factors):
    a = monte_carlo(inventory.services, factors, samples=300, seed=11)
    b = monte_carlo(inventory.services, factors, samples=300, seed=11)
    c = monte_carlo(inventory.services, factors, samples=300, seed=12)
    np.testing.assert_array_equal(a.portfolio, b.portfolio)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.portfolio, c.portfolio)


def test_zero_width_distributions_give_the_deterministic_result_exactly(inventory, factors):
    services = [s.replace() for s in inventory.services]  # defaults keep their uncertainty...
    fixed = [s.with_samples({}) for s in services]
    for s in fixed:
        s._uncertainty = {}  # ...so remove it: no service parameter varies
    mc = monte_carlo(fixed, factors, samples=50, seed=1, factor_uncertainty=False)
    table = mc.deterministic.total(("service",))  # NaN where not covered: the samples must be NaN there too
    deterministic = table.pivot(index="service", columns="criterion", values="value").loc[
        list(mc.services), list(mc.criteria)].to_numpy()
    assert np.isnan(deterministic).any()  # the magazine's ecotoxicity has no factor
    for k in range(mc.n):
        np.testing.assert_allclose(mc.samples[k], deterministic, rtol=1e-12, atol=0)
    gsd_one = parse_distribution("lognormal gsd=1")
    assert np.array_equal(draw(gsd_one, 3.5, uniforms(0, "z", 5)), np.full(5, 3.5))


def test_identical_scenarios_differ_by_exactly_zero(inventory, factors):
    a = monte_carlo(inventory.services, factors, samples=200, seed=5)
    b = monte_carlo([s.replace() for s in inventory.services], factors, samples=200, seed=5)
    assert np.array_equal(b.portfolio - a.portfolio, np.zeros_like(a.portfolio))
    assert (probability_lower(a, b) == 0).all()


def test_common_random_numbers_make_a_clear_lever_certain(inventory, factors):
    fewer = Scenario("fewer", (scale("posts", 0.7, kind="social_account"),)).apply(inventory)
    a = monte_carlo(inventory.services, factors, samples=300, seed=2)
    b = monte_carlo(fewer.services, factors, samples=300, seed=2)
    assert probability_lower(a, b)["climate_change"] == 1.0  # every sample is lower with shared draws


def test_monte_carlo_mean_is_above_the_deterministic_value_for_lognormal_factors(factors):
    site = Website("site", visits=10_000)
    mc = monte_carlo([site], factors, samples=4000, seed=0)
    summary = mc.summary(["climate_change"]).set_index("service")
    assert summary.loc["site", "mean"] > summary.loc["site", "deterministic"]
    assert summary.loc["site", "p2.5"] < summary.loc["site", "deterministic"] < summary.loc["site", "p97.5"]


def test_memory_stays_bounded(factors):
    bills = [Video(f"v{i}", views=100 + i, duration="2 min").bill_of_materials() for i in range(400)]
    tracemalloc.start()
    mc = monte_carlo(bills, factors, samples=2000, seed=0, memory_budget=20e6)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert mc.samples is None  # 2000 x 400 x 13 criteria would not fit the 20 MB budget
    full = 2000 * 400 * len(mc.criteria) * 8
    assert peak < full / 2, f"peak {peak / 1e6:.1f} MB for a full cube of {full / 1e6:.1f} MB"


def test_sobol_matches_the_ishigami_function():
    """Ishigami (a=7, b=0.1, inputs uniform on [-pi, pi]): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    pytest.importorskip("SALib")
    u = Distribution("uniform", (("low", -np.pi), ("high", np.pi)))
    def ishigami(v):
        return np.sin(v["x1"]) + 7 * np.sin(v["x2"]) ** 2 + 0.1 * v["x3"] ** 4 * np.sin(v["x1"])
    table = sobol_indices(ishigami, {"x1": (u, 0.0), "x2": (u, 0.0), "x3": (u, 0.0)}, samples=8192).set_index("input")
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert table.loc[name, "S1"] == pytest.approx(s1, abs=0.03)
        assert table.loc[name, "ST"] == pytest.approx(st, abs=0.03)


def test_sobol_and_tornado_on_a_portfolio(factors):
    pytest.importorskip("SALib")
    services = [Website("site", visits=50_000), Video("clip", views=5000, duration="3 min")]
    indices = sobol_portfolio(services, factors, samples=128)
    assert indices["ST"].max() > 0.1
    table = tornado(services, factors)
    assert (table["swing"].diff().dropna() <= 0).all()  # sorted by swing
    assert {"factor", "parameter"} <= set(table["kind"])


def test_scenario_files_and_compare(inventory, factors, tmp_path):
    scenarios = bundled_scenarios()
    assert {"fewer_posts", "video_720p", "no_autoplay", "text_instead_of_video", "storage_purge", "video_masters",
            "longer_device_life", "print_to_digital", "digital_to_print"} <= set(scenarios)
    table = compare(inventory, [scenarios["fewer_posts"]], factors=factors, by=("service",))
    facebook = table[(table.service == "Facebook") & (table.criterion == "climate_change")].iloc[0]
    assert facebook["relative"] == pytest.approx(-0.3)  # a social account's bill is linear in its posts
    site = table[(table.service == "Site métropolitain") & (table.criterion == "climate_change")].iloc[0]
    assert site["delta"] == 0
    # The portfolio's change is the sum of the accounts' changes: -0.3 x their baseline totals.
    totals = inventory.evaluate(factors).total(("kind",)).query("criterion == 'climate_change'")
    social = float(totals.loc[totals["kind"] == "social_account", "value"].iloc[0])
    ranking = rank_levers(inventory, scenarios.values(), factors=factors)
    climate = ranking[ranking.criterion == "climate_change"].set_index("scenario")
    assert climate.loc["Publish 30 % fewer posts", "change"] == pytest.approx(-0.3 * social)
    assert climate.loc["Publish 30 % fewer posts", "direction"] == "reduction"
    # Printing the newsletters adds paper: an increase, shown as one and ranked after every reduction.
    printed = climate.loc["Newsletters printed instead of e-mailed"]
    assert printed["direction"] == "increase" and printed["change"] > 0
    assert printed["rank"] == climate["rank"].max()
    longer = compare(inventory, [scenarios["longer_device_life"]], factors=factors, by=())
    assert (longer.loc[longer.criterion == "climate_change", "delta"] < 0).all()
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: x\nchanges:\n  - {scael: posts, by: 0.7}\n", encoding="utf-8")
    with pytest.raises(lca.InventoryError, match="did you mean 'scale'"):
        load_scenario(bad)


def test_compare_with_monte_carlo_intervals(inventory, factors):
    table = compare(inventory, [bundled_scenarios()["fewer_posts"]], factors=factors, samples=200, by=())
    row = table[table.criterion == "climate_change"].iloc[0]
    assert row["portfolio_delta_p2.5"] <= row["delta"] <= row["portfolio_delta_p97.5"] < 0
    assert row["P(scenario lower)"] == 1.0


def test_uncertain_service_parameters_are_sampled(factors):
    account = SocialAccount("a", posts=100, impressions_per_post=1000, uncertainty={"posts": "uniform low=50 high=150"})
    mc = monte_carlo([account], factors, samples=2000, seed=3)
    spread = mc.summary(["climate_change"]).set_index("service").loc["a"]
    assert spread["p2.5"] < 0.6 * spread["deterministic"] and spread["p97.5"] > 1.4 * spread["deterministic"]
    with pytest.raises(lca.services.ParameterError, match="only quantities and shares"):
        SocialAccount("b", posts=1, impressions_per_post=1, uncertainty={"platform": "uniform low=0 high=1"})


def test_compare_gives_per_service_intervals(inventory, factors):
    table = compare(inventory, [bundled_scenarios()["fewer_posts"]], factors=factors, samples=200, by=("service",))
    rows = table[table.criterion == "climate_change"].set_index("service")
    assert rows.loc["Facebook", "delta_p97.5"] < 0 and rows.loc["Facebook", "P(lower)"] == 1.0
    assert rows.loc["Intranet", "delta_p2.5"] == rows.loc["Intranet", "delta_p97.5"] == 0  # untouched: exactly zero
