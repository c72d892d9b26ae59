"""The public surface: Results' documented accessors, the deprecated names that still answer, and ``__all__``.

Oracles: a two-line bill written out by hand (its lines, amounts and units), and the replacement each
deprecation message names, computed the documented way.
"""

from __future__ import annotations

import numpy as np
import pytest

import lca_numerique as lca
from lca_numerique.axes import TIER_IDS

PHONE, NETWORK = "device.smartphone@FR", "network.mobile@FR"


@pytest.fixture(scope="module")
def results() -> lca.Results:
    bills = [lca.BillOfMaterials.build("site", "1000 visit", {PHONE: "30 h", NETWORK: "2 GB"}),
             lca.BillOfMaterials.build("app", "50 user", {PHONE: "90 min"})]
    return lca.evaluate(bills, lca.load_factors())


def test_lines_are_the_bills_quantities(results: lca.Results) -> None:
    table = results.lines()
    got = sorted(zip(table["service"], table["flow"], table["unit"], table["stage"], table["amount"], strict=True))
    assert [row[:4] for row in got] == [("app", PHONE, "device_hour", "other"), ("site", PHONE, "device_hour", "other"),
                                        ("site", NETWORK, "GB", "other")]
    assert [row[4] for row in got] == pytest.approx([1.5, 30.0, 2.0], rel=1e-15)


def test_values_are_total_by_every_axis_and_total_sums_the_rest(results: lca.Results) -> None:
    cube = results.values  # [service, tier, criterion, phase]
    table = results.total(("service", "tier", "criterion", "phase"))
    assert np.allclose(table["value"].to_numpy(), cube.ravel(), equal_nan=True)
    by_service = results.total()  # one row per service and criterion, summed over tiers and phases
    assert len(by_service) == len(results.services) * len(results.criteria)
    climate = by_service[by_service["criterion"] == "climate_change"]["value"].to_numpy()
    c = results.criteria.index("climate_change")
    assert np.allclose(climate, cube[:, :, c, :].sum(axis=(1, 2)))


@pytest.mark.parametrize(("old", "replacement"), [
    ("quantities", lambda r: np.array([[1.5, 0.0], [30.0, 2.0]])),  # services app, site; flows phone, network
    ("factor_values", lambda r: r.factor_set.aligned_phases(r.flows, r.criteria)[0]),
    ("has", lambda r: r.factor_set.aligned_phases(r.flows, r.criteria)[1]),
    ("lacks", lambda r: r.factor_set.aligned_phases(r.flows, r.criteria)[2]),
    ("tier_of", lambda r: np.array([TIER_IDS.index(lca.get_flow(f).tier) for f in r.flows])),
    ("missing", lambda r: r.flags(("service", "tier"))[0]),
])
def test_deprecated_names_warn_and_still_answer(results: lca.Results, old: str, replacement) -> None:
    with pytest.warns(DeprecationWarning, match=f"Results.{old} is deprecated"):
        value = getattr(results, old)
    expected = replacement(results)
    if old == "quantities":  # rows and columns in the results' order
        order = [results.services.index(s) for s in ("app", "site")]
        value = value[order][:, [results.flows.index(f) for f in (PHONE, NETWORK)]]
    np.testing.assert_allclose(value, expected, rtol=1e-15)


@pytest.mark.parametrize("entry", [lca.load_factors, lca.evaluate, lca.load_inventory, lca.Results.total,
                                   lca.Results.per_audience, lca.Results.scores, lca.Results.flags],
                         ids=lambda f: f.__qualname__)
def test_entry_points_have_numpydoc_sections(entry) -> None:
    import inspect

    doc = inspect.getdoc(entry) or ""
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc, entry
    documented = {line.split()[0] for line in doc.split("Parameters\n----------")[1].split("Returns")[0].splitlines()
                  if line and not line.startswith(" ")}
    assert documented == set(inspect.signature(entry).parameters) - {"self"}, entry


#: The public entry points whose docstrings follow numpydoc (checked by numpydoc itself, below).
ENTRY_POINTS = (
    "lca_numerique.load_factors", "lca_numerique.load_factor_set", "lca_numerique.evaluate",
    "lca_numerique.load_inventory", "lca_numerique.Inventory.evaluate", "lca_numerique.BillOfMaterials.build",
    "lca_numerique.montecarlo.monte_carlo", "lca_numerique.scenarios.compare", "lca_numerique.scenarios.rank_levers",
    "lca_numerique.scenarios.load_scenario", *(f"lca_numerique.Results.{m}" for m in (
        "total", "per_audience", "per_unit", "scores", "flags", "coverage", "summary", "to_dataframe", "lines",
        "to_xarray")),
    "lca_numerique.Table", "lca_numerique.Table.to_dict", "lca_numerique.Table.to_pandas", "lca_numerique.Table.codes",
    "lca_numerique.functional_units.per_unit", "lca_numerique.sensitivity.sobol_portfolio",
    "lca_numerique.report.write_report",
)
#: numpydoc's checks that matter here: a docstring with a summary, every parameter documented with a description
#: and in order, no unknown parameter, a described Returns section. (Types live in the annotations, so PR04 "no
#: type" is not asked; nor are examples or See Also.)
NUMPYDOC_CHECKS = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR07", "RT01", "RT03"}


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_entry_points_pass_numpydoc_validation(name: str) -> None:
    validate = pytest.importorskip("numpydoc.validate").validate  # in the test extra
    errors = [f"{code}: {message}" for code, message in validate(name)["errors"] if code in NUMPYDOC_CHECKS]
    assert not errors, f"{name}: {errors}"


def test_numpydoc_validation_catches_a_missing_section() -> None:
    validate = pytest.importorskip("numpydoc.validate").validate
    codes = {code for code, _ in validate("lca_numerique.factors.loader.check_overrides")["errors"]}
    assert {"PR01", "RT01"} <= codes  # a one-line docstring fails the checks above: they can fail


def _public_modules() -> list[str]:
    import pkgutil

    return ["lca_numerique", *(m.name for m in pkgutil.walk_packages(lca.__path__, "lca_numerique.")
                                if not any(part.startswith("_") for part in m.name.split(".")))]


@pytest.mark.parametrize("name", _public_modules())
def test_every_public_module_declares_its_names(name: str) -> None:
    import importlib

    module = importlib.import_module(name)
    declared = getattr(module, "__all__", None)
    assert isinstance(declared, (list, tuple)), f"{name} has no __all__"
    assert len(set(declared)) == len(declared), f"{name}: a name is listed twice in __all__"
    missing = [n for n in declared if not isinstance(n, str) or not hasattr(module, n)]
    assert not missing, f"{name}.__all__ lists names it does not define: {missing}"


def test_one_version_everywhere() -> None:
    # oracle: the single source, read as text; hatchling gives the wheel's METADATA this version (pyproject's
    # dynamic version reads lca_numerique/_version.py), results files and the CLI record it
    import importlib.metadata
    import re
    import subprocess
    import sys
    from pathlib import Path

    from hatchling.metadata.core import ProjectMetadata
    from hatchling.plugin.manager import PluginManager
    from packaging.version import Version

    from lca_numerique.cli import example_path
    from lca_numerique.report.results_file import results_document

    root = Path(__file__).resolve().parents[1]
    match = re.fullmatch(r'__version__ = "([^"]+)"\n', (root / "lca_numerique" / "_version.py").read_text("utf-8"))
    assert match is not None, "lca_numerique/_version.py holds one line: __version__ = \"X.Y.Z\""
    declared = match[1]
    assert str(Version(declared)) == declared  # a normalised PEP 440 version
    assert lca.__version__ == declared
    assert ProjectMetadata(str(root), PluginManager()).version == declared
    assert importlib.metadata.version("lca_numerique") == declared  # the installed distribution's metadata
    inventory = lca.load_inventory(example_path())
    document = results_document(inventory.evaluate(), inventory)
    assert document["environment"]["lca_numerique"] == declared
    assert document["outputs"]["provenance"]["library_version"] == declared
    shown = subprocess.run([sys.executable, "-m", "lca_numerique.cli", "--version"], capture_output=True, text=True,
                           check=True, timeout=120)
    assert shown.stdout.strip() == f"lca_numerique {declared}"
