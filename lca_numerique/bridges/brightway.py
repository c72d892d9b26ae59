"""Export bills and factors to Brightway 2.5 (``bw2data``), so a researcher can continue in Brightway.

The export builds, in a Brightway project, a model whose scores equal lca_numerique's:

* a biosphere database ``<prefix>-impacts`` with one elementary flow per catalogue flow and life-cycle phase
  ("device.smartphone@FR, manufacturing"), the impact of one canonical unit of that flow in that phase;
* a technosphere database ``<prefix>-flows`` with one activity per catalogue flow the bills use, producing one
  canonical unit (one device-hour, one GB...) and emitting one unit of each of its phase flows. This is where
  a researcher swaps in their own data: relink an activity to an ecoinvent-based one and the services follow;
* a technosphere database ``<prefix>-services`` with one activity per service, consuming its bill's quantities;
* one characterisation method per criterion, ``(prefix, factor set id, criterion)``, whose factors are the
  factor set's values for each (flow, phase). A flow that has no factor for a criterion gets no
  characterisation factor: Brightway would count it as zero, so :func:`brightway_scores` marks such totals
  with lca_numerique's coverage flags and shows NaN for a total that is not covered, never a zero.

``bw2data`` and ``bw2calc`` are an optional extra (``pip install "lca_numerique[brightway]"``) imported here
only. Brightway keeps projects under ``BRIGHTWAY2_DIR``; set it before the first import to use a folder of
your own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..axes import PHASE_IDS
from ..bill import BillMatrix, BillOfMaterials
from ..criteria import get_criterion
from ..flows import FLOWS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..factors import FactorSet

__all__ = ["BrightwayExport", "brightway_scores", "export_to_brightway"]


@dataclass(frozen=True)
class BrightwayExport:
    """Where an export put things: the project, its three databases, one method per criterion, the services."""

    project: str
    services_database: str
    flows_database: str
    impacts_database: str
    methods: dict[str, tuple[str, ...]]  # criterion -> Brightway method name
    services: tuple[str, ...]  # service names, in bill order
    service_codes: tuple[str, ...]  # their codes in ``services_database``
    matrix: BillMatrix
    factors: FactorSet


def export_to_brightway(bills: Sequence[BillOfMaterials] | BillMatrix, factors: FactorSet, *, project: str,
                        prefix: str = "lca_numerique", overwrite: bool = False) -> BrightwayExport:
    """Write ``bills`` and ``factors`` into the Brightway project ``project`` (created if needed).

    Quantities are in each flow's canonical unit and factors in each criterion's unit per canonical unit, as in
    lca_numerique. Existing databases of the same names are replaced only with ``overwrite=True``.
    """
    import bw2data as bd

    matrix = (bills if isinstance(bills, BillMatrix) else BillMatrix.stack(bills)).by_flow()
    bd.projects.set_current(project)
    names = {"impacts": f"{prefix}-impacts", "flows": f"{prefix}-flows", "services": f"{prefix}-services"}
    clash = [n for n in names.values() if n in bd.databases]
    if clash and not overwrite:
        raise FileExistsError(f"Brightway project {project!r} already has {', '.join(clash)}; pass overwrite=True")
    for name in clash:
        del bd.databases[name]

    def phase_code(flow: str, phase: str) -> str:
        return f"{flow}|{phase}"

    bd.Database(names["impacts"]).write({
        (names["impacts"], phase_code(f, p)): {
            "name": f"{f}, {p}", "unit": FLOWS[f].unit, "type": "emission", "categories": ("lca_numerique", p),
        }
        for f in matrix.flows for p in PHASE_IDS
    })
    bd.Database(names["flows"]).write({
        (names["flows"], f): {
            "name": f, "unit": FLOWS[f].unit, "location": FLOWS[f].zone or "GLO", "comment": FLOWS[f].description,
            "exchanges": [{"input": (names["flows"], f), "amount": 1.0, "type": "production"}]
            + [{"input": (names["impacts"], phase_code(f, p)), "amount": 1.0, "type": "biosphere"}
               for p in PHASE_IDS],
        }
        for f in matrix.flows
    })
    codes = tuple(f"service-{i}" for i in range(len(matrix.services)))
    bd.Database(names["services"]).write({
        (names["services"], code): {
            "name": service, "unit": matrix.audience_units[i], "location": "GLO",
            "lca_numerique_kind": matrix.kinds[i],
            "exchanges": [{"input": (names["services"], code), "amount": 1.0, "type": "production"}]
            + [{"input": (names["flows"], f), "amount": float(matrix.quantities[i, j]), "type": "technosphere"}
               for j, f in enumerate(matrix.flows) if matrix.quantities[i, j] > 0],
        }
        for i, (service, code) in enumerate(zip(matrix.services, codes, strict=True))
    })
    methods: dict[str, tuple[str, ...]] = {}
    for criterion in factors.criteria:
        method = bd.Method((prefix, factors.id, criterion))
        if method.name in bd.methods:
            method.deregister()
        method.register(unit=get_criterion(criterion).unit, description=f"{get_criterion(criterion).name_en}, "
                        f"factors {factors.id} {factors.version} ({factors.content_hash[:12]})")
        method.write([((names["impacts"], phase_code(f, p)), float(factor.value))
                      for f in matrix.flows for p in PHASE_IDS
                      if (factor := factors.factor(f, criterion, p)) is not None])
        methods[criterion] = method.name
    return BrightwayExport(project, names["services"], names["flows"], names["impacts"], methods,
                           matrix.services, codes, matrix, factors)


def brightway_scores(export: BrightwayExport) -> pd.DataFrame:
    """Every service's score for every criterion, computed by Brightway (``bw2calc.MultiLCA``, one matrix build).

    A tidy table ``service, criterion, value, unit, coverage``: coverage is lca_numerique's for the same bills
    and factors, and a total that is not covered is NaN (Brightway alone would give zero).
    """
    import bw2calc as bc
    import bw2data as bd
    import numpy as np

    from ..engine import evaluate

    bd.projects.set_current(export.project)
    ids = [bd.get_node(database=export.services_database, code=code).id for code in export.service_codes]
    demands = {code: {node: 1.0} for code, node in zip(export.service_codes, ids, strict=True)}
    config = {"impact_categories": list(export.methods.values())}
    data_objs = bd.get_multilca_data_objs(functional_units=demands, method_config=config)
    lca = bc.MultiLCA(demands=demands, method_config=config, data_objs=data_objs)
    lca.lci()
    lca.lcia()
    scores: dict[tuple[Any, str], float] = lca.scores
    reference = evaluate(export.matrix, export.factors).total(("service",))
    key = dict(zip(export.services, export.service_codes, strict=True))
    method_of = export.methods
    values = np.array([scores[(method_of[c], key[s])] for s, c in zip(reference["service"], reference["criterion"],
                                                                        strict=True)])
    values = np.where(reference["coverage"].astype(str) == "not covered", np.nan, values)
    return reference.assign(value=values)[["service", "criterion", "value", "unit", "coverage"]]
