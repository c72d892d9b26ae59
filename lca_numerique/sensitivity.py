"""Sensitivity: which assumptions drive the results.

``tornado`` moves each uncertain input alone to the 2.5 % and 97.5 % bounds of its distribution and reports
the portfolio total at each (one at a time). ``sobol_indices`` estimates variance-based first-order and total
indices with SALib (an optional dependency: ``pip install lca_numerique[sensitivity]``) for any vectorised
model; ``sobol_portfolio`` applies it to an inventory's uncertain service parameters and to its factors, one
input per flow (all factors of a flow move together: which flow's data matters most).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .bill import BillMatrix
from .factors import FactorSet
from .montecarlo import quantities_with
from .services.base import SampledBillBuilder, Service
from .uncertainty import Distribution, bounds, draw

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def tornado(services: Sequence[Service], factors: FactorSet, criterion: str = "climate_change") -> pd.DataFrame:
    """One row per uncertain input: the portfolio total of ``criterion`` with that input at its low and high
    bound (others at their central values), sorted by swing, with the ``unit`` of the totals. Factor inputs are
    individual factor rows; a factor's effect is exact and linear (its quantity summed over services × its
    change)."""
    import pandas as pd

    from .criteria import get_criterion
    from .engine import evaluate

    criterion = get_criterion(criterion).id
    bills = [s.bill_of_materials() for s in services]
    base_total = float(evaluate(bills, factors).total(()).set_index("criterion").loc[criterion, "value"])
    matrix = BillMatrix.stack(bills).by_flow()
    used = dict(zip(matrix.flows, matrix.quantities.sum(axis=0), strict=True))
    rows = []
    for (flow, crit, phase), factor in factors.factors.items():
        if crit != criterion or flow not in used or factor.distribution.kind == "none":
            continue
        low, high = bounds(factor.distribution, factor.value)
        rows.append({"input": f"factor {flow} / {phase}", "kind": "factor", "low": low, "high": high,
                     "total at low": base_total + (low - factor.value) * used[flow],
                     "total at high": base_total + (high - factor.value) * used[flow]})
    column = {f: i for i, f in enumerate(matrix.flows)}
    f_values, _, _ = factors.aligned(matrix.flows, [criterion])
    per_flow = f_values[:, 0, :].sum(axis=1)
    for service, bill in zip(services, bills, strict=True):
        own = sum(line.amount * per_flow[column[line.flow]] for line in bill.lines)  # its share of the total
        for name, distribution in service.uncertainty.items():
            low, high = bounds(distribution, service.uncertain_value(name)[0])
            totals = []
            for value in (low, high):
                builder = service.with_samples({name: value}).builder(SampledBillBuilder)
                moved = sum(float(np.sum(amount)) * per_flow[column[f]] for f, amount in builder.amounts.items()
                            if f in column)
                totals.append(base_total + moved - own)
            rows.append({"input": f"{service.name}: {name}", "kind": "parameter", "low": low, "high": high,
                         "total at low": totals[0], "total at high": totals[1]})
    table = pd.DataFrame(rows, columns=["input", "kind", "low", "high", "total at low", "total at high"])
    table["swing"] = (table["total at high"] - table["total at low"]).abs()
    table["unit"] = get_criterion(criterion).unit  # of the totals and the swing; low and high: the input's own
    table.attrs["baseline"] = base_total
    return table.sort_values("swing", ascending=False).reset_index(drop=True)


def sobol_indices(model: Callable[[Mapping[str, np.ndarray]], np.ndarray],
                  inputs: Mapping[str, tuple[Distribution, float]], samples: int = 1024, seed: int = 0
                  ) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of a vectorised ``model`` with SALib (Saltelli sampling).

    ``inputs`` maps each input's name to (distribution, central value); ``model`` receives a dict of arrays of
    draws and returns an array of outputs. ``samples`` is SALib's base sample size N (a power of two).
    """
    import pandas as pd
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    names = list(inputs)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = np.clip(sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed), 1e-12, 1 - 1e-12)
    values = {name: draw(dist, value, u[:, i]) for i, (name, (dist, value)) in enumerate(inputs.items())}
    result = sobol.analyze(problem, np.asarray(model(values), dtype=float), calc_second_order=False, seed=seed)
    return pd.DataFrame({"input": names, "S1": result["S1"], "S1_conf": result["S1_conf"], "ST": result["ST"],
                         "ST_conf": result["ST_conf"]}).sort_values("ST", ascending=False, ignore_index=True)


def sobol_portfolio(services: Sequence[Service], factors: FactorSet, criterion: str = "climate_change", *,
                    samples: int = 512, seed: int = 0) -> pd.DataFrame:
    """Sobol indices of the portfolio total of ``criterion`` over the services' uncertain parameters and one
    input per flow (its factors drawn together from the same quantile).

    Parameters
    ----------
    services
        The services of the portfolio (``inventory.services``); each uncertain parameter is an input.
    factors
        The factor set; every flow with an uncertain factor of ``criterion`` is one input.
    criterion
        The criterion whose portfolio total is analysed (id or code, e.g. ``climate_change``).
    samples
        SALib's base sample size N (a power of two); the model runs N × (inputs + 2) times.
    seed
        Seed of the Sobol' sequence and of SALib's bootstrap confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per input (``flow <id>`` or ``<service>: <parameter>``), sorted by total index: first-order
        ``S1`` and total ``ST`` indices (shares of the total's variance, without unit) with their 95 %
        confidence half-widths ``S1_conf`` and ``ST_conf``.
    """
    from .criteria import get_criterion

    criterion = get_criterion(criterion).id
    bills = [s.bill_of_materials() for s in services]
    matrix = BillMatrix.stack(bills).by_flow()
    flows = {f: i for i, f in enumerate(matrix.flows)}
    uniform = Distribution("uniform", (("low", 0.0), ("high", 1.0)))
    inputs: dict[str, tuple[Distribution, float]] = {}
    flow_factors = {}
    for flow in matrix.flows:
        rows = [f for (fl, c, _), f in factors.factors.items() if fl == flow and c == criterion
                and f.distribution.kind != "none"]
        if rows:
            inputs[f"flow {flow}"] = (uniform, 0.5)  # the quantile all of this flow's factors are drawn at
            flow_factors[flow] = rows
    uncertain = [s for s in services if s.uncertainty]
    for service in uncertain:
        for name, distribution in service.uncertainty.items():
            inputs[f"{service.name}: {name}"] = (distribution, service.uncertain_value(name)[0])
    f_values, _, _ = factors.aligned(matrix.flows, [criterion])
    base = f_values[:, 0, :].sum(axis=1)
    fixed = [i for i, s in enumerate(services) if not s.uncertainty]
    q_fixed = matrix.quantities[fixed].sum(axis=0)

    def model(values: Mapping[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(values.values())))
        f = np.broadcast_to(base, (n, len(base))).copy()
        for flow, rows in flow_factors.items():
            u = np.clip(values[f"flow {flow}"], 1e-12, 1 - 1e-12)
            for factor in rows:
                f[:, flows[flow]] += draw(factor.distribution, factor.value, u) - factor.value
        total = f @ q_fixed
        for service in uncertain:
            drawn = {name: values[f"{service.name}: {name}"] for name in service.uncertainty}
            total += np.einsum("nf,nf->n", quantities_with(service, drawn, flows, n), f)
        return total

    return sobol_indices(model, inputs, samples=samples, seed=seed)


__all__ = ["sobol_indices", "sobol_portfolio", "tornado"]
