"""Brightway 2.5 against lca_numerique on the same model: every service's score for every criterion.

The bundled example's services are replicated to ``--services`` services (names suffixed), exported to a
Brightway project in a temporary folder, and scored both ways, measured in the same run:

* Brightway: ``bw2calc.MultiLCA`` over all services and one method per criterion (one matrix build, one
  factorisation, one solve per service), export time excluded;
* lca_numerique: ``evaluate`` then ``total(("service",))``, the same tidy table.

Run on demand: ``python benchmarks/bench_brightway.py [--services N]`` (needs the ``brightway`` extra).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500)
    args = parser.parse_args()
    os.environ["BRIGHTWAY2_DIR"] = tempfile.mkdtemp(prefix="bw-bench-")
    import bw2calc as bc
    import bw2data as bd

    import lca_numerique as lca
    from lca_numerique.bridges.brightway import export_to_brightway
    from lca_numerique.inventory import load_inventory

    inventory = load_inventory(os.path.join(os.path.dirname(lca.__file__), "examples", "metropole.yaml"))
    factors = inventory.load_factors()
    base = lca.BillMatrix.stack(inventory.portfolio.bills())
    reps = -(-args.services // len(base.services))
    n = min(args.services, reps * len(base.services))
    matrix = lca.BillMatrix(tuple(f"{s} #{r}" for r in range(reps) for s in base.services)[:n], base.flows,
                            np.tile(base.quantities, (reps, 1))[:n], np.tile(base.audience, reps)[:n],
                            (base.audience_units * reps)[:n], (base.kinds * reps)[:n])
    export = export_to_brightway(matrix, factors, project="bench")
    ids = [bd.get_node(database=export.services_database, code=c).id for c in export.service_codes]
    demands = {c: {i: 1.0} for c, i in zip(export.service_codes, ids, strict=True)}
    config = {"impact_categories": list(export.methods.values())}

    def brightway() -> dict:
        data_objs = bd.get_multilca_data_objs(functional_units=demands, method_config=config)
        run = bc.MultiLCA(demands=demands, method_config=config, data_objs=data_objs)
        run.lci()
        run.lcia()
        return run.scores

    def ours() -> object:
        return lca.evaluate(matrix, factors).total(("service",))

    timings = {}
    for name, func in (("brightway", brightway), ("lca_numerique", ours)):
        func()  # warm caches (datapackages, factor alignment)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            func()
            best = min(best, time.perf_counter() - start)
        timings[name] = best
    print(f"{n} services x {len(factors.criteria)} criteria, {len(matrix.flows)} flows")
    print(f"  Brightway MultiLCA     {timings['brightway'] * 1e3:10.1f} ms")
    print(f"  lca_numerique total    {timings['lca_numerique'] * 1e3:10.1f} ms")
    print(f"  ratio Brightway / ours {timings['brightway'] / timings['lca_numerique']:10.0f}x")


if __name__ == "__main__":
    main()
