"""A researcher's own device and flow, from their own factor folder, through a custom service with a declared
uncertainty: assessed, reported, Monte Carlo and tornado, from the command line and in Python.

The folder is the e-reader fixture (its per-hour factor: 167.78 kg over 5 years of 1 h a day, the lifetime
and use being labelled test numbers) plus a flow kind of this test, a protective sleeve at 2 kg CO2 eq per kg
(a TEST NUMBER). Oracles are hand calculations written out below.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "ereader_factors"
EREADER_KG_PER_HOUR = 167.78 / (5 * 365 * 1)  # 0.0919342 kg CO2 eq per device hour

SLEEVE_FLOW = ('ereader.sleeve,other,kg,,no,manufacturing,"One kg of protective sleeves for e-readers '
               '(a flow of the test suite, TEST NUMBER factor)."\n')
SLEEVE_FACTOR = ("ereader.sleeve,climate_change,manufacturing,2,,kg CO2 eq / kg,test-numbers,test fixture,2026,GLO,"
                 "MIT,low,none,TEST NUMBER: not a published factor\n")

INVENTORY = """\
organisation: test library
factors: {extra_sets: [my_factors]}
population: {inhabitants: 20000, source: "test number"}
services:
  - kind: custom
    name: e-readers
    audience_size: 200 reader
    variables: {readers: 200, hours: 3 h, sleeves: 0.05 kg}
    uncertainty: {hours: triangular low=1 h high=6 h}
    lines:
      - {flow: device.ereader@FR, formula: readers * hours, stage: receiver_device, source: loan records}
      - {flow: ereader.sleeve, formula: readers * sleeves, stage: other, source: purchase records}
"""


@pytest.fixture()
def study(tmp_path) -> Path:
    folder = tmp_path / "my_factors"
    shutil.copytree(FIXTURE, folder)
    with (folder / "flows.csv").open("a", encoding="utf-8") as handle:
        handle.write(SLEEVE_FLOW)
    with (folder / "factors.csv").open("a", encoding="utf-8") as handle:
        handle.write(SLEEVE_FACTOR)
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


def test_assess_report_and_uncertainty_from_the_command_line(study, capsys):
    out = study.parent / "report"
    assert main(["assess", str(study), "--out", str(out), "--format", "json,csv,html"]) == 0
    printed = capsys.readouterr().out.replace("\u00a0", " ")
    # 200 readers x 3 h x 0.0919342 kg = 55.1605 kg, plus 200 x 0.05 kg x 2 kg/kg = 20 kg: 75.1605 kg,
    # 375.8 g per reader, 3.758 g per inhabitant (20,000)
    assert "376 g CO2e" in printed and "3.76 g CO2e" in printed
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert "ereader.sleeve" in json.dumps(data) and "device.ereader@FR" in json.dumps(data)
    assert "e-readers" in (out / "report.html").read_text(encoding="utf-8")
    assert main(["check", str(out / "results.json")]) == 0
    capsys.readouterr()
    unc = study.parent / "uncertainty"
    assert main(["uncertainty", str(study), "--samples", "300", "--seed", "2", "--out", str(unc)]) == 0
    printed = capsys.readouterr().out
    assert "e-readers: hours" in printed  # the custom variable among what drives the result
    assert (unc / "monte_carlo.csv").is_file() and (unc / "tornado.png").is_file()


def test_the_declared_uncertainty_by_hand(study):
    from lca_numerique.montecarlo import monte_carlo
    from lca_numerique.sensitivity import tornado

    inventory = lca.load_inventory(study)
    factors = inventory.load_factors()
    results = inventory.evaluate(factors)
    totals = results.total(("stage", "criterion")).query("criterion == 'climate_change'").set_index("stage")
    assert totals.loc["receiver_device", "value"] == pytest.approx(600 * EREADER_KG_PER_HOUR, rel=1e-9)
    assert totals.loc["other", "value"] == pytest.approx(20.0, rel=1e-12)
    mc = monte_carlo(inventory, factors, samples=4000, seed=4, sampler="lhs", by="stage",
                     factor_uncertainty=False)
    stage = mc.view("stage").query("criterion == 'climate_change'").set_index("stage")
    device = stage.loc["receiver_device"]
    # hours triangular (1, 3, 6) h: 2.5 % quantile 1 + sqrt(0.025 x 5 x 2) = 1.5 h; 97.5 %: 6 - sqrt(0.025 x 5 x 3)
    # = 5.38763 h; mean (1 + 3 + 6) / 3 = 3.33333 h; each x 200 readers x 0.0919342 kg
    per_hour = 200 * EREADER_KG_PER_HOUR
    assert device["p2.5"] == pytest.approx(1.5 * per_hour, rel=2e-3)
    assert device["p97.5"] == pytest.approx(5.38763 * per_hour, rel=2e-3)
    assert device["mean"] == pytest.approx(3.33333 * per_hour, rel=2e-3)
    assert np.ptp(stage.loc["other", ["p2.5", "p97.5"]].to_numpy(dtype=float)) == pytest.approx(0, abs=1e-9)
    per_inhabitant = mc.per_unit(inventory.unit("inhabitant"), by=()).query("criterion == 'climate_change'")
    # (55.1605 + 20) kg / 20,000 = 3.75803 g per inhabitant, deterministic
    assert per_inhabitant["deterministic"].iloc[0] == pytest.approx(0.00375803, rel=1e-5)
    row = tornado(inventory.services, factors).set_index("input").loc["e-readers: hours"]
    assert (row["low"], row["high"]) == (pytest.approx(1.5), pytest.approx(5.38763, rel=1e-5))


def test_a_scenario_on_the_custom_variables_keeps_their_uncertainty(study):
    from lca_numerique.montecarlo import monte_carlo
    from lca_numerique.scenarios import Scenario, compare, set_value

    inventory = lca.load_inventory(study)
    half = Scenario("half the readers", (set_value("variables", {"readers": 100, "hours": "3 h", "sleeves": "0.05 kg"},
                                                   service="e-readers"),))
    changed = half.apply(inventory)
    assert changed.service("e-readers").given_uncertainty == {"hours": "triangular low=1 h high=6 h"}
    table = compare(inventory, [half], samples=200, seed=3, by=("service",))
    row = table.query("criterion == 'climate_change'").iloc[0]
    # every line is linear in readers: the scenario is half the baseline in every sample (common random
    # numbers: the same hours and factors drawn on both sides), so its delta is -1/2 of the baseline's draws
    base = monte_carlo(inventory, inventory.load_factors(), samples=200, seed=3).summary(["climate_change"])
    base = base.set_index("service").loc["portfolio"]
    assert row["delta"] == pytest.approx(-0.5 * row["baseline"], rel=1e-12)
    assert row["portfolio_delta_p2.5"] == pytest.approx(-0.5 * base["p97.5"], rel=1e-9)
    assert row["portfolio_delta_p97.5"] == pytest.approx(-0.5 * base["p2.5"], rel=1e-9)
    assert row["P(scenario lower)"] == 1.0
