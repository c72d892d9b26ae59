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
    assert (table["unit"] == "kg CO2 eq").all()  # the totals' unit, in the table


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


# -- coverage: a not-covered total is NaN in every Monte Carlo and comparison view -----------------------------
def _masked_factors(base, dropped):
    """The factor set without the (flow, criterion) pairs in ``dropped``: a random coverage mask."""
    from lca_numerique.factors.model import build_factor_set

    kept = {k: f for k, f in base.factors.items() if (k[0], k[1]) not in dropped}
    return build_factor_set(kept, id="masked", version="1", title="masked", licence=base.licence,
                            sources=base.sources, parameters=base.parameters,
                            gaps={k: v for k, v in base.gaps.items() if (k[0], k[1]) not in dropped},
                            included={k: v for k, v in base.included.items() if (k[0], k[1]) not in dropped})


SMALL = """\
organisation: masks
services:
  - {kind: website, name: site, visits: 5000, zone: FR}
  - {kind: social_account, name: compte, platform: instagram, posts: 50, impressions_per_post: 300, zone: FR}
  - {kind: print, name: tract, copies: 400, pages: 2}
"""


@pytest.fixture(scope="module")
def small():
    from lca_numerique.inventory.model import inventory_from_text

    return inventory_from_text(SMALL)


@pytest.fixture(scope="module")
def small_pairs(small, factors):
    flows = {line.flow for s in small.services for line in s.bill_of_materials().lines}
    return sorted({(k[0], k[1]) for k in factors.factors if k[0] in flows and k[1] in MISSION})


MISSION = ("climate_change", "ecotoxicity_freshwater", "resource_use_minerals_metals")


def test_random_coverage_masks_never_give_a_number_for_a_not_covered_total(small, small_pairs, factors):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    fewer = Scenario("fewer", (scale("posts", 0.5, kind="social_account"),))

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.frozensets(st.sampled_from(small_pairs), max_size=len(small_pairs)))
    def check(dropped):
        masked = _masked_factors(factors, dropped)
        mc = monte_carlo(small, masked, samples=16, seed=3, by=[("tier",), ("kind",), ("stage",)])
        for view in [("service",), ("tier",), ("kind",), ("stage",), ()]:
            table = mc.summary(by=view)
            gap = table["coverage"] == "not covered"
            stats = table[["deterministic", "mean", "median", "std", "p2.5", "p97.5"]]
            assert stats[gap].isna().all().all(), view
            assert np.isfinite(stats[~gap].to_numpy(dtype=float)).all(), view
            if view != ("service",):
                labels, samples = mc.samples_of(view)
                flat = gap.to_numpy().reshape(len(labels), len(mc.criteria))
                assert np.isnan(samples[:, flat]).all() and np.isfinite(samples[:, ~flat]).all()
        services = mc.summary(by="service")
        gap = (services["coverage"] == "not covered").to_numpy().reshape(len(mc.services), len(mc.criteria))
        assert np.isnan(mc.samples[:, gap]).all() and np.isfinite(mc.samples[:, ~gap]).all()
        compared = compare(small, [fewer], factors=masked, by=("service",))
        one_side_missing = (compared["baseline_coverage"] == "not covered") | (
            compared["scenario_coverage"] == "not covered")
        assert compared.loc[one_side_missing, "delta"].isna().all()
        assert (compared.loc[one_side_missing, "coverage"] == "not comparable").all()
        ranking = rank_levers(small, [fewer], factors=masked, criteria=MISSION)
        unknown = ranking["coverage"] == "not comparable"
        assert ranking.loc[unknown, "change"].isna().all() and ranking.loc[unknown, "rank"].isna().all()
        assert (ranking.loc[ranking["direction"] == "reduction", "change"] < 0).all()

    check()


# -- inputs that used to crash or silently zero a service (issue 11 §9) ----------------------------------------
def test_extreme_or_malformed_distributions_are_located_errors(factors, tmp_path):
    from lca_numerique.cli import main
    from lca_numerique.inventory.model import inventory_from_text

    with pytest.raises(lca.InventoryError, match=r"<text>:3:.*written as text"):
        inventory_from_text("organisation: x\nservices:\n  - {kind: website, name: s, visits: 100, "
                            "uncertainty: {visits: 5}}\n")
    with pytest.raises(lca.InventoryError, match="not finite"):
        inventory_from_text("organisation: x\nservices:\n  - {kind: website, name: s, visits: 100, "
                            "uncertainty: {visits: lognormal gsd=1e300}}\n")
    with pytest.raises(ValueError, match="finite"):
        parse_distribution("uniform low=-1e308 high=1e308", 0.0)
    huge = Website("huge", visits=1000, uncertainty={"visits": "triangular low=0 high=1e308"})
    with pytest.raises(lca.LcaError, match=r"'huge'.*not finite"):  # a service is never silently zeroed
        monte_carlo([huge], factors, samples=50, seed=0)
    site = [Website("s", visits=10)]
    for bad in (0, 1, -5, 2.5, True):
        with pytest.raises(lca.LcaError, match="samples"):
            monte_carlo(site, factors, samples=bad)
    with pytest.raises(lca.LcaError, match=r"samples.*at most"):
        monte_carlo(site, factors, samples=10**12)
    with pytest.raises(lca.LcaError, match=r"powers of two"):
        monte_carlo(site, factors, samples=1000, sampler="sobol")
    inventory = tmp_path / "i.yaml"
    inventory.write_text("organisation: x\nservices:\n  - {kind: website, name: s, visits: 100}\n", encoding="utf-8")
    for samples in ("0", "10000000000000"):
        assert main(["uncertainty", str(inventory), "--samples", samples]) == 2


# -- parameters behind derived factors are drawn once per sample (issue 16 §1) ---------------------------------
def test_a_shared_parameter_moves_every_factor_that_uses_it_together(factors):
    """Per device-hour factors are impact / (lifetime x 365 d x hours per day): the smartphone's lifetime and
    daily use, drawn once, must divide the manufacturing, distribution and end-of-life rows of every criterion
    in every sample. Expected values re-derived here from the parameters' own draws and the formula."""
    from lca_numerique.bill import BillOfMaterials

    assert "smartphone.lifetime" in factors.factor("device.smartphone@FR", "climate_change", "manufacturing").formula
    assert "smartphone.lifetime" in factors.factor("device.smartphone@FR", "resource_use_minerals_metals",
                                                   "manufacturing").formula
    bill = BillOfMaterials.build("phone", "1 visit", {"device.smartphone@FR": "1 device_hour"})
    n, seed = 400, 9
    mc = monte_carlo([bill], factors, samples=n, seed=seed, by="phase")
    labels, samples = mc.samples_of("phase")

    def drawn(name):
        p = factors.parameters[name]
        return draw(p.distribution, p.value, uniforms(seed, f"parameter:{name}", n))

    hours = drawn("smartphone.lifetime") * 365 * drawn("smartphone.daily_use")  # year x 365 d/y x h/d
    assert np.std(hours) > 0.2 * np.mean(hours)  # the lifetime and daily use do vary
    climate, adpe = mc.criteria.index("climate_change"), mc.criteria.index("resource_use_minerals_metals")
    for phase, parameter in (("manufacturing", "smartphone.fabrication"), ("distribution", "smartphone.distribution"),
                             ("end_of_life", "smartphone.end_of_life")):
        expected = drawn(parameter) / 1000 / hours  # g CO2 eq per device -> kg per device-hour
        np.testing.assert_allclose(samples[:, labels.index((phase,)), climate], expected, rtol=1e-9)
    np.testing.assert_allclose(samples[:, labels.index(("manufacturing",)), adpe],
                               drawn("smartphone.adpe") / hours, rtol=1e-9)  # another set, another criterion


def test_drawing_shared_parameters_widens_a_device_dominated_interval(factors):
    phone = [Video("clip", views=10_000, duration="10 min", device_mix={"smartphone": 1.0})]
    table = {}
    for shared in (True, False):
        mc = monte_carlo(phone, factors, samples=3000, seed=4, parameter_sampling=shared)
        row = mc.summary(["climate_change"]).set_index("service").loc["clip"]
        table[shared] = row["p97.5"] / row["p2.5"]
    # manufacturing rows drawn alone average the lifetime's uncertainty away; drawn through it, they move as one
    assert table[True] > 1.3 * table[False]


# -- intervals for every view, samplers, stopping rule (issue 16 §2-§3) -----------------------------------------
def test_views_add_up_to_the_portfolio_in_every_sample(inventory, factors):
    mc = monte_carlo(inventory, factors, samples=64, seed=2, by=[("tier",), ("phase",), ("kind",), ("campaign",)])
    _, portfolio = mc.samples_of(())
    for view in [("tier",), ("phase",), ("kind",), ("campaign",)]:
        _, samples = mc.samples_of(view)
        np.testing.assert_allclose(np.nansum(samples, axis=1), np.nan_to_num(portfolio[:, 0]), rtol=1e-9)
    kinds = mc.summary(["climate_change"], by="kind").set_index("kind")
    assert kinds.loc["print", "coverage"] == "partial"  # the same flags as the deterministic results
    assert kinds.loc["print", "p2.5"] < kinds.loc["print", "deterministic"] < kinds.loc["print", "p97.5"]
    with pytest.raises(lca.LcaError, match="no view"):
        mc.summary(by="phase").pipe(lambda t: monte_carlo([Website("s", visits=1)], factors, samples=4).view("tier"))


def test_statistics_by_stage_follow_the_deterministic_stages(inventory, factors):
    """Stages (sender device, network, storage, paper...) are a view like tiers: deterministic values and
    coverage from ``Results.total``, stages adding up to the portfolio in every sample, services' stages
    adding up to the service; without any uncertainty every statistic is the deterministic total."""
    views = [("stage",), ("tier", "stage"), ("service", "stage")]
    mc = monte_carlo(inventory, factors, samples=64, seed=2, by=views)
    expected = inventory.evaluate(factors).total(("stage",)).astype({"stage": str, "criterion": str})
    table = mc.summary(by="stage").merge(expected, on=["stage", "criterion"], validate="one_to_one")
    assert len(table) == len(expected) and {"paper", "visitor_device"} <= set(table["stage"])
    np.testing.assert_array_equal(table["deterministic"], table["value"])
    assert (table["coverage_x"] == table["coverage_y"].astype(str)).all()
    assert table.loc[table["coverage_x"] == "not covered", "mean"].isna().all()
    _, portfolio = mc.samples_of(())
    for view in views[:2]:
        _, samples = mc.samples_of(view)
        np.testing.assert_allclose(np.nansum(samples, axis=1), np.nan_to_num(portfolio[:, 0]), rtol=1e-9)
    per_stage = mc.summary(["climate_change"], by=("service", "stage")).groupby("service")["mean"].sum()
    per_service = mc.summary(["climate_change"], by="service").set_index("service")["mean"]
    np.testing.assert_allclose(per_stage.loc[per_service.index], per_service, rtol=1e-9)  # the mean is linear
    bills = [s.bill_of_materials() for _, s in inventory.portfolio.all_services()]
    fixed = monte_carlo(bills, factors, samples=4, factor_uncertainty=False, by=("tier", "stage"))
    exact = fixed.summary(by=("tier", "stage")).dropna(subset=["deterministic"])
    np.testing.assert_allclose(exact["mean"], exact["deterministic"], rtol=1e-12)
    np.testing.assert_allclose(exact["p97.5"], exact["deterministic"], rtol=1e-12)
    with pytest.raises(lca.LcaError, match="'tier', 'stage' or 'phase' only"):
        monte_carlo(bills, factors, samples=4, by=("service", "kind"))


def test_probability_lower_per_view(inventory, factors):
    fewer = Scenario("fewer", (scale("posts", 0.7, kind="social_account"),)).apply(inventory)
    a = monte_carlo(inventory, factors, samples=100, seed=2, by="tier")
    b = monte_carlo(fewer, factors, samples=100, seed=2, by="tier")
    table = probability_lower(a, b, by="tier").set_index(["tier", "criterion"])
    assert table.loc[("networks", "climate_change"), "P(B < A)"] == 1.0  # fewer posts, less network
    assert table.loc[("other", "climate_change"), "P(B < A)"] == 0.0  # print untouched: never lower
    assert table.loc[("other", "ecotoxicity_freshwater"), "coverage"] == "not comparable"
    assert np.isnan(table.loc[("other", "ecotoxicity_freshwater"), "P(B < A)"])


def test_latin_hypercube_and_sobol_uniforms():
    from lca_numerique.uncertainty import Uniforms

    lhs = Uniforms(1, 200, sampler="lhs")("x")
    assert (np.sort(np.floor(lhs * 200)) == np.arange(200)).all()  # one draw per stratum
    assert np.array_equal(lhs, Uniforms(1, 200, sampler="lhs", keys=["y"])("x"))  # the same whatever else is drawn
    sobol = Uniforms(1, 256, sampler="sobol", keys=["a", "b"])
    a, b = sobol("a"), sobol("b")
    assert (np.sort(np.floor(a * 256)) == np.arange(256)).all() and not np.array_equal(a, b)
    two = Uniforms(1, 256, batches=2, sampler="sobol", keys=["a", "b"])("a")
    assert np.array_equal(two[:256], a) and not np.array_equal(two[256:], a)  # a new scramble per batch


def test_stopping_rule_reaches_the_precision_asked(factors):
    services = [Website("site", visits=10_000), Video("clip", views=2000, duration="3 min")]
    mc = monte_carlo(services, factors, samples=128, seed=0, precision=0.1, sampler="lhs")
    reached = mc.precision.set_index("criterion")
    covered = reached["converged"].notna()
    assert reached.loc[covered, "converged"].all()
    assert (reached.loc[covered, ["p2.5 ± (relative)", "p97.5 ± (relative)"]] <= 0.1).all().all()
    assert mc.n == int(reached["batches"].iloc[0]) * 128 >= 3 * 128
    looser = monte_carlo(services, factors, samples=128, seed=0, precision=0.4, sampler="lhs")
    assert looser.n < mc.n  # a precision 4 times looser needs fewer batches
    capped = monte_carlo(services, factors, samples=128, seed=0, precision=0.001, max_batches=4)
    assert capped.n == 4 * 128 and not capped.precision["converged"].dropna().any()  # says it did not get there


# -- conditional Monte Carlo quantiles (issue 16 §3: precision per second) ----------------------------------------
def test_conditional_quantiles_of_a_lognormal_are_exact_from_any_samples():
    """T = Y, Y lognormal (median 100, gsd 1.5): every sample knows the whole distribution, so two samples give
    the exact quantiles 100 × 1.5^(∓1.959964) = 45.1718... and 221.377..., and the median 100."""
    from lca_numerique.uncertainty import conditional_quantiles

    scores = np.array([-0.3, 1.7])
    y = 100 * 1.5 ** scores
    q = conditional_quantiles(y, y, scores, np.log(1.5), (0.025, 0.5, 0.975))
    np.testing.assert_allclose(q, [45.171808075738376, 100.0, 221.37701424820685], rtol=1e-11)
    # a constant added (A = 5) and the lognormal part scaled (D = 6, median 2): 5 + 12 × 1.5^(∓1.96)
    part = 12 * 1.5 ** scores
    np.testing.assert_allclose(conditional_quantiles(5 + part, part, scores, np.log(1.5), (0.025, 0.975)),
                               [5 + 12 * 0.45171808075738373, 5 + 12 * 2.2137701424820686], rtol=1e-11)
    with pytest.raises(ValueError, match="parts >= 0"):
        conditional_quantiles(y, -y, scores, np.log(1.5), (0.5,))


def test_conditional_quantiles_match_a_numerical_convolution():
    """T = A + Y, A uniform on [50, 150], Y lognormal (median 100, gsd 1.5), independent. The exact quantiles,
    from the distribution function integrated numerically (scipy.integrate.quad of F_Y(q - a) over a, then a
    root): 120.11723610, 203.40171201, 331.76140134. A on a midpoint grid of 4,000 points and Y at any draw
    give them to 1e-6; a random sample of 4,096 to well within the sample quantile's error."""
    from scipy.integrate import quad
    from scipy.optimize import brentq
    from scipy.stats import lognorm

    from lca_numerique.uncertainty import conditional_quantiles

    y_law = lognorm(s=np.log(1.5), scale=100)
    for p, expected in ((0.025, 120.1172361032744), (0.5, 203.40171200538646), (0.975, 331.7614013364672)):
        exact = brentq(lambda q, p=p: quad(lambda a: y_law.cdf(q - a) / 100, 50, 150, epsrel=1e-12)[0] - p, 60, 1000)
        assert exact == pytest.approx(expected, rel=1e-9)
    a = 50 + 100 * (np.arange(4000) + 0.5) / 4000
    scores = np.random.default_rng(3).standard_normal(4000)
    part = 100 * 1.5 ** scores
    q = conditional_quantiles(a + part, part, scores, np.log(1.5), (0.025, 0.5, 0.975))
    np.testing.assert_allclose(q, [120.1172361032744, 203.40171200538646, 331.7614013364672], rtol=1e-6)
    rng = np.random.default_rng(4)
    a, scores = rng.uniform(50, 150, 4096), rng.standard_normal(4096)
    part = 100 * 1.5 ** scores
    smooth = conditional_quantiles(a + part, part, scores, np.log(1.5), (0.025, 0.975))
    np.testing.assert_allclose(smooth, [120.1172361032744, 331.7614013364672], rtol=0.01)


def test_power_exponents_of_formulas():
    from lca_numerique.montecarlo import _power_exponents

    assert _power_exponents("a * b / c ** 2") == {"a": 1.0, "b": 1.0, "c": -2.0}
    assert _power_exponents("x.embodied / (x.lifetime * x.daily_use)") == {
        "x.embodied": 1.0, "x.lifetime": -1.0, "x.daily_use": -1.0}
    assert _power_exponents("k * t / ((s1 + s2) * g)") == {"k": 1.0, "t": 1.0, "g": -1.0}  # s1, s2 in a sum
    assert _power_exponents("a / (a + b)") == {}  # a also in a sum: not a power law
    assert _power_exponents("2 * a * a - 0") == {}
    assert _power_exponents("-3 * a * a") == {"a": 2.0}


def test_conditional_bounds_are_exact_when_one_lognormal_factor_varies():
    """One lognormal factor row (median 2 per kg, gsd 1.5) on 3 kg, plus a fixed factor giving 5: the portfolio
    total is 5 + 6 × Y, whose bounds the conditional estimator gets exactly from 16 samples (7.7103... and
    18.2826...), where sample quantiles cannot."""
    from lca_numerique.bill import Audience, BillOfMaterials, Line
    from lca_numerique.factors.model import Factor, build_factor_set, user_provenance
    from lca_numerique.uncertainty import NO_UNCERTAINTY

    rows = {("paper", "climate_change", "manufacturing"): Factor(
                "paper", "climate_change", "manufacturing", 2.0, "", parse_distribution("lognormal gsd=1.5"),
                user_provenance()),
            ("printing", "climate_change", "manufacturing"): Factor(
                "printing", "climate_change", "manufacturing", 5.0, "", NO_UNCERTAINTY, user_provenance())}
    factors = build_factor_set(rows, id="one", version="0", title="", licence="", sources={})
    bill = BillOfMaterials("leaflet", Audience(1.0, "reader"), (Line("paper", 3.0), Line("printing", 1.0)))
    for sampler in ("random", "lhs", "sobol"):
        mc = monte_carlo([bill], factors, samples=16, seed=5, sampler=sampler, estimator="conditional")
        portfolio = mc.view(()).set_index("criterion").loc["climate_change"]
        assert portfolio[["p2.5", "median", "p97.5"]].tolist() == pytest.approx(
            [7.710308484544303, 11.0, 18.28262085489241], rel=1e-10)
        empirical = monte_carlo([bill], factors, samples=16, seed=5, sampler=sampler).view(()).set_index("criterion")
        assert empirical.loc["climate_change", "p2.5"] != pytest.approx(7.710308484544303, rel=1e-3)
    assert mc.estimator == "conditional"


def test_conditional_estimator_changes_only_the_portfolio_quantiles(inventory, factors):
    """The same draws, the same samples, the same per-service statistics and coverage as the default run; only
    the portfolio's quantiles differ, within their sampling error; reproducible with a seed."""
    plain = monte_carlo(inventory, factors, samples=256, seed=3, sampler="lhs", by="tier")
    smooth = monte_carlo(inventory, factors, samples=256, seed=3, sampler="lhs", by="tier", estimator="conditional")
    again = monte_carlo(inventory, factors, samples=256, seed=3, sampler="lhs", by="tier", estimator="conditional")
    np.testing.assert_array_equal(smooth.portfolio, plain.portfolio)
    np.testing.assert_array_equal(smooth.samples, plain.samples)
    np.testing.assert_array_equal(smooth.quantiles, plain.quantiles)
    from pandas import testing as pd_testing

    pd_testing.assert_frame_equal(smooth.view("tier"), plain.view("tier"))
    a, b = plain.view(()), smooth.view(())
    quantiles = ["median", "p2.5", "p97.5"]
    pd_testing.assert_frame_equal(a.drop(columns=quantiles), b.drop(columns=quantiles))
    pd_testing.assert_frame_equal(b, again.view(()))
    covered = a["coverage"] != "not covered"
    assert b.loc[~covered, ["median", "p2.5", "p97.5"]].isna().all().all() and covered.sum() >= 3
    for bound in quantiles:
        np.testing.assert_allclose(b.loc[covered, bound], a.loc[covered, bound], rtol=0.25)
        assert not np.array_equal(b.loc[covered, bound], a.loc[covered, bound])
    with pytest.raises(lca.LcaError, match="unknown estimator"):
        monte_carlo(inventory, factors, samples=8, estimator="kernel")


def test_conditioning_input_of_the_example(inventory, factors):
    """Climate: the A4 sheet's footprint over its area and grammage (paper.a4_sheet / (paper.a4_area ×
    paper.a4_grammage), in both the paper and the printing rows): one lognormal input Y with
    ln Y = ln(1.5) z_sheet - ln(1.1) z_area - ln(1.1) z_grammage."""
    from lca_numerique.bill import BillMatrix
    from lca_numerique.montecarlo import _conditioning

    matrix = BillMatrix.stack(inventory.portfolio.bills()).by_flow()
    used = dict(zip(matrix.flows, matrix.quantities.sum(axis=0), strict=True))
    groups = dict(zip(lca.evaluate(matrix, factors).criteria, _conditioning(
        factors, matrix.flows, lca.evaluate(matrix, factors).criteria, True, used), strict=True))
    climate = groups["climate_change"]
    assert dict(zip(climate.keys, climate.weights, strict=True)) == pytest.approx(
        {"parameter:paper.a4_sheet": np.log(1.5), "parameter:paper.a4_area": -np.log(1.1),
         "parameter:paper.a4_grammage": -np.log(1.1)})
    assert {r[0] for r in climate.rows} == {"paper", "printing"}


def test_stopping_rule_judges_the_conditional_bounds(inventory, factors):
    """The stopping rule judges the bounds the run reports: with the conditional estimator they are more
    precise, so the same precision is reached with fewer batches (same seed and sampler)."""
    plain = monte_carlo(inventory, factors, samples=128, seed=0, sampler="lhs", precision=0.1, keep_samples=False)
    smooth = monte_carlo(inventory, factors, samples=128, seed=0, sampler="lhs", precision=0.1, keep_samples=False,
                         estimator="conditional")
    for run in (plain, smooth):
        reached = run.precision.dropna(subset=["converged"])
        assert reached["converged"].all() and (reached[["p2.5 ± (relative)", "p97.5 ± (relative)"]] <= 0.1).all().all()
    assert smooth.n < plain.n


def test_conditional_quantiles_properties():
    """Whatever the samples: each quantile is a root of the estimated distribution function (written out here
    with scipy.stats.norm, and compared with the root scipy's brentq finds: with few samples F can cross p
    along a plateau, where any point is a root), the quantiles are ordered, and they move with the totals' unit
    (× c) and origin (+ b)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from scipy.optimize import brentq
    from scipy.stats import norm

    from lca_numerique.uncertainty import conditional_quantiles

    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 2**32 - 1), st.integers(2, 60), st.floats(0.05, 1.5), st.floats(0.0, 1.0),
           st.floats(1e-3, 1e3), st.floats(-50.0, 50.0))
    def check(seed, n, sigma, zero_share, scale, shift):
        rng = np.random.default_rng(seed)
        rest = rng.lognormal(0.0, 1.0, n)
        scores = rng.standard_normal(n)
        parts = np.exp(sigma * scores) * rng.uniform(0.1, 3.0, n) * (rng.random(n) >= zero_share)
        totals = rest + parts
        p = (0.025, 0.5, 0.975)
        q = conditional_quantiles(totals, parts, scores, sigma, p)
        assert np.all(np.diff(q) >= 0)
        np.testing.assert_allclose(conditional_quantiles(scale * totals + shift, scale * parts, scores, sigma, p),
                                   scale * q + shift, rtol=1e-9, atol=1e-9 * (abs(shift) + scale * q.max()))
        moving = parts > 0

        def cdf(x):
            with np.errstate(divide="ignore", invalid="ignore"):
                inside = norm.cdf(scores[moving] + np.log((x - rest[moving]) / parts[moving]) / sigma)
            inside = np.where(x > rest[moving], inside, 0.0)
            return (inside.sum() + np.count_nonzero(totals[~moving] <= x)) / n

        for prob, root in zip(p, q, strict=True):
            if cdf(rest.min()) < prob and moving.all():  # continuous: F crosses p (maybe along a plateau)
                expected = brentq(lambda x, prob=prob: cdf(x) - prob, rest.min(), totals.max() * 1e3 + 1)
                assert cdf(root) == pytest.approx(prob, abs=1e-9)
                assert cdf(root) == pytest.approx(cdf(expected), abs=1e-9)

    check()


def test_service_statistics_are_those_of_their_samples_with_conditioning_parts(inventory, factors):
    """The conditioning parts ride beside the criteria through the products: every service's mean, std and
    quantiles are still numpy's over all of its kept samples, and the portfolio samples are their sum."""
    mc = monte_carlo(inventory, factors, samples=128, seed=4, sampler="sobol", estimator="conditional",
                     keep_samples=True)
    samples = mc.samples  # [sample, service, criterion], NaN where not covered
    np.testing.assert_allclose(mc.mean, samples.mean(axis=0), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(mc.std, samples.std(axis=0), rtol=1e-9, atol=1e-300, equal_nan=True)
    np.testing.assert_allclose(mc.quantiles, np.quantile(samples, (0.025, 0.5, 0.975), axis=0), rtol=1e-12,
                               equal_nan=True)
    covered = ~np.isnan(mc.portfolio).any(axis=0)
    np.testing.assert_allclose(mc.portfolio[:, covered], np.nansum(samples, axis=1)[:, covered], rtol=1e-9)
