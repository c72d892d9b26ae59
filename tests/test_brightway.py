"""The Brightway 2.5 export: the bundled example's scores computed by bw2calc equal lca_numerique's.

Brightway is the oracle here: it builds its own technosphere, biosphere and characterisation matrices from the
exported databases and methods, and solves them with its own solver.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from lca_numerique.inventory import load_inventory

EXAMPLE = "lca_numerique/examples/metropole.yaml"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("bw2data") is None and os.environ.get("CI") != "true",
    reason="Brightway is an optional extra: pip install lca_numerique[brightway]")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    # Brightway reads its folder when bw2data is first imported: point it at a temporary one first.
    os.environ["BRIGHTWAY2_DIR"] = str(tmp_path_factory.mktemp("brightway"))
    from lca_numerique.bridges.brightway import export_to_brightway

    inventory = load_inventory(EXAMPLE)
    factors = inventory.load_factors()
    bills = inventory.portfolio.bills()
    return export_to_brightway(bills, factors, project="lca-numerique-tests"), inventory.evaluate(factors)


def test_brightway_scores_equal_ours_for_every_service_and_criterion(exported):
    from lca_numerique.bridges.brightway import brightway_scores

    export, results = exported
    theirs = brightway_scores(export)
    ours = results.total(("service",))
    assert list(theirs["service"]) == list(ours["service"])
    assert list(theirs["criterion"]) == list(ours["criterion"])
    covered = ours["coverage"].astype(str) != "not covered"
    assert covered.sum() > 100
    # Brightway's solver and stored data agree with our product to about 1e-7 (measured: 7e-8 at most).
    np.testing.assert_allclose(theirs["value"][covered], ours["value"][covered], rtol=1e-6, atol=0)
    # A total with no factor is NaN on both sides, never the zero Brightway alone would give.
    assert theirs["value"][~covered].isna().all()
    assert (theirs["coverage"].astype(str) == ours["coverage"].astype(str)).all()


def test_the_export_is_browsable_in_brightway(exported):
    import bw2data as bd

    export, results = exported
    bd.projects.set_current(export.project)
    services = bd.Database(export.services_database)
    assert len(services) == len(results.services)
    magazine = next(a for a in services if a["name"] == results.services[0])
    flows = {e.input["name"]: e["amount"] for e in magazine.technosphere()}
    assert flows  # every bill line is an exchange to a flow activity a researcher can relink
    assert set(export.methods) == set(results.criteria)
    assert export.methods["climate_change"] in bd.methods


def test_an_existing_export_is_not_overwritten_silently(exported):
    from lca_numerique.bridges.brightway import export_to_brightway

    export, _ = exported
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_to_brightway(export.matrix, export.factors, project=export.project)
