"""Scenarios: named sets of changes to an inventory, compared with the baseline, and levers ranked.

A scenario file (YAML) says what a department would change::

    scenario: Publish 30 % fewer posts
    description: The editorial rule Rennes adopted.
    changes:
      - {scale: posts, by: 0.7, kind: social_account}       # multiply a parameter
      - {set: resolution, to: 720p, kind: video}            # replace a value
      - {remove: {kind: print}}                             # remove services (by name, kind or campaign)
      - {add: {kind: download, name: PDF, size: 12 MB}}     # add a service
      - {factors: {smartphone.lifetime: 3.5 year}}          # change a factor assumption

``scale`` and ``set`` apply to the services chosen by ``service`` (a name), ``kind`` or ``campaign``, or to
every service (and hosting) that has the parameter. ``compare`` gives one tidy table of deltas against the
baseline (with Monte Carlo intervals on request, common random numbers); ``rank_levers`` ranks scenarios by
what they remove from the portfolio total.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LcaError
from .inventory.model import Inventory, InventoryError, _Builder, read_located
from .inventory.yaml_source import Located, Problem
from .services import SERVICE_KINDS, Campaign, Hosting, Portfolio, Service

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors import FactorSet

SELECTORS = ("service", "kind", "campaign")
CHANGE_KEYS = ("scale", "set", "remove", "add", "factors")


@dataclass(frozen=True)
class Change:
    """One change: ``action`` is scale, set, remove, add or factors."""

    action: str
    parameter: str = ""
    value: Any = None
    select: Mapping[str, str] = field(default_factory=dict)
    campaign: str = ""  # where an added service goes


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to an inventory."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""

    def apply(self, inventory: Inventory) -> Inventory:
        """The inventory with the changes made (the baseline is not modified)."""
        return _apply(self, inventory)


def scale(parameter: str, by: float, **select: str) -> Change:
    """Multiply ``parameter`` by ``by`` for the selected services (``service=``, ``kind=``, ``campaign=``)."""
    return Change("scale", parameter, float(by), select)


def set_value(parameter: str, to: Any, **select: str) -> Change:
    """Replace ``parameter`` by ``to`` for the selected services."""
    return Change("set", parameter, to, select)


def remove(**select: str) -> Change:
    """Remove the selected services."""
    return Change("remove", select=select)


def add(service: Service, campaign: str = "") -> Change:
    """Add a service (in ``campaign``, or outside campaigns)."""
    return Change("add", value=service, campaign=campaign)


def factor_parameters(**parameters: Any) -> Change:
    """Override factor parameters (``smartphone.lifetime="3.5 year"``...) for the scenario."""
    return Change("factors", value=dict(parameters))


def _selected(service: Service, campaign: str, select: Mapping[str, str], parameter: str = "") -> bool:
    if not select:
        return not parameter or parameter in service.specs()
    return all({"service": service.name, "kind": service.kind, "campaign": campaign}[k] == v
               for k, v in select.items())


def _changed(service: Service, campaign: str, change: Change) -> Service:
    if change.action not in ("scale", "set") or not _selected(service, campaign, change.select, change.parameter):
        return service
    if change.parameter not in service.specs():
        raise LcaError(f"scenario: {service.kind} {service.name!r} has no parameter {change.parameter!r}")
    if change.action == "scale":
        current = service.values[change.parameter]
        if not isinstance(current, (int, float)):
            raise LcaError(f"scenario: cannot scale {change.parameter!r} of {service.name!r}: it is not a number")
        return service.replace(**{change.parameter: current * change.value})
    return service.replace(**{change.parameter: change.value})


def _apply(scenario: Scenario, inventory: Inventory) -> Inventory:
    hostings = {h.name: h for h in inventory.hostings}
    campaigns = [(c.name, list(c.services)) for c in inventory.portfolio.campaigns] + [("", list(
        inventory.portfolio.services))]
    factors = dict(inventory.factors)
    for change in scenario.changes:
        if change.action == "factors":
            factors["parameters"] = {**factors.get("parameters", {}), **change.value}
        elif change.action in ("scale", "set"):
            hostings = {name: _changed(h, "", change) for name, h in hostings.items()}
            campaigns = [(c, [_changed(s, c, change) for s in services]) for c, services in campaigns]
        elif change.action == "remove":
            campaigns = [(c, [s for s in services if not _selected(s, c, change.select)]) for c, services in campaigns]
        elif change.action == "add":
            names = [c for c, _ in campaigns]
            if change.campaign not in names:
                campaigns.insert(len(campaigns) - 1, (change.campaign, []))
                names = [c for c, _ in campaigns]
            campaigns[names.index(change.campaign)][1].append(change.value)
    # services follow the hosting they refer to, if a change touched it
    campaigns = [(c, [_rehost(s, hostings) for s in services]) for c, services in campaigns]
    loose = next(services for c, services in campaigns if c == "")
    portfolio = Portfolio(inventory.portfolio.name,
                          tuple(Campaign(c, tuple(services)) for c, services in campaigns if c and services),
                          tuple(loose))
    return replace(inventory, portfolio=portfolio, hostings=tuple(hostings.values()), factors=factors)


def _rehost(service: Service, hostings: Mapping[str, Hosting]) -> Service:
    hosting = service.values.get("hosting")
    if isinstance(hosting, Hosting) and hostings.get(hosting.name) is not hosting:
        return service.replace(hosting=hostings[hosting.name])
    return service


# -- files ----------------------------------------------------------------------------------------------------
def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; raises InventoryError listing every problem with its location."""
    return scenario_from_data(read_located(path))


def scenario_from_data(located: Located) -> Scenario:
    """Validate located scenario data."""
    data, problems = located.data, []
    if not isinstance(data, dict) or not data.get("scenario"):
        raise InventoryError([located.problem((), "a scenario file has 'scenario' (its name) and 'changes'")])
    for key in data:
        if key not in ("scenario", "description", "changes"):
            problems.append(located.problem((key,), f"unknown key {key!r}; accepted: scenario, description, changes"))
    changes = []
    for i, item in enumerate(data.get("changes") or []):
        path = ("changes", i)
        if not isinstance(item, dict):
            problems.append(located.problem(path, f"a change is a mapping with one of {', '.join(CHANGE_KEYS)}"))
            continue
        actions = [k for k in item if k in CHANGE_KEYS]
        unknown = [k for k in item if k not in (*CHANGE_KEYS, "by", "to", "in", *SELECTORS)]
        for key in unknown:
            close = difflib.get_close_matches(key, (*CHANGE_KEYS, "by", "to", *SELECTORS), n=1)
            problems.append(located.problem((*path, key), f"unknown key {key!r}"
                                                          + (f"; did you mean {close[0]!r}?" if close else "")))
        if len(actions) != 1:
            problems.append(located.problem(path, f"give exactly one of {', '.join(CHANGE_KEYS)}"))
            continue
        action = actions[0]
        select = {k: str(item[k]) for k in SELECTORS if k in item}
        try:
            changes.append(_change(action, item, select, located, path))
        except InventoryError as exc:
            problems.extend(exc.problems)
        except (LcaError, ValueError, TypeError) as exc:
            problems.append(located.problem(path, str(exc)))
    if problems:
        raise InventoryError(problems)
    return Scenario(str(data["scenario"]), tuple(changes), str(data.get("description", "")))


def _change(action: str, item: dict[str, Any], select: dict[str, str], located: Located,
            path: tuple[Any, ...]) -> Change:
    if action == "scale":
        if "by" not in item:
            raise ValueError("'scale' needs 'by' (the multiplier)")
        return scale(str(item["scale"]), float(item["by"]), **select)
    if action == "set":
        if "to" not in item:
            raise ValueError("'set' needs 'to' (the new value)")
        return set_value(str(item["set"]), item["to"], **select)
    if action == "remove":
        target = item["remove"]
        return remove(**(target if isinstance(target, dict) else {"service": str(target)}))
    if action == "factors":
        if not isinstance(item["factors"], dict):
            raise ValueError("'factors' maps factor parameter names to values")
        return factor_parameters(**item["factors"])
    entry = item["add"]
    if not isinstance(entry, dict) or entry.get("kind") not in SERVICE_KINDS:
        raise ValueError(f"'add' takes a service entry with a 'kind' among {', '.join(SERVICE_KINDS)}")
    builder = _Builder(Located({}, located.marks, located.file))
    service = builder._service(entry, (*path, "add"), {}, {}, {})
    if service is None:
        raise InventoryError(builder.problems)
    return add(service, str(item.get("in", "")))


def bundled_scenarios() -> dict[str, Scenario]:
    """The scenario files shipped with the library: the levers a communication department pulls."""
    from importlib import resources

    folder = Path(str(resources.files("lca_numerique") / "examples" / "scenarios"))
    return {path.stem: load_scenario(path) for path in sorted(folder.glob("*.yaml"))}


# -- comparison -----------------------------------------------------------------------------------------------
def compare(baseline: Inventory, scenarios: Sequence[Scenario], *, factors: FactorSet | None = None,
            samples: int = 0, seed: int = 0, by: Sequence[str] = ("service", "tier", "phase")) -> pd.DataFrame:
    """One tidy table: scenario × ``by`` × criterion, with the baseline, the scenario's value, the absolute and
    relative deltas. With ``samples``, Monte Carlo (common random numbers) adds the 2.5–97.5 % interval of
    the portfolio delta and the probability that the scenario is lower, per criterion; with ``by=("service",)``
    also the interval and probability of each service's delta.

    A scenario that changes factor parameters is evaluated with its own factors; otherwise ``factors``
    (default: the baseline's choice)."""
    import pandas as pd

    factors = factors or baseline.load_factors()
    keys = [*by, "criterion"]
    base = baseline.evaluate(factors).total(by).set_index(keys)
    tables = []
    for scenario in scenarios:
        changed = scenario.apply(baseline)
        own = changed.load_factors() if changed.factors != baseline.factors else factors
        value = changed.evaluate(own).total(by).set_index(keys)
        table = base[["value", "unit", "coverage"]].rename(
            columns={"value": "baseline", "coverage": "baseline_coverage"}).join(
            value[["value", "coverage"]].rename(columns={"value": "scenario_value", "coverage": "scenario_coverage"}),
            how="outer")
        table["delta"] = table["scenario_value"].fillna(0) - table["baseline"].fillna(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["relative"] = table["delta"] / table["baseline"]
        table.insert(0, "scenario", scenario.name)
        if samples:
            portfolio, services = _mc_delta(baseline, changed, factors, own, samples, seed, list(by) == ["service"])
            table = table.reset_index().merge(portfolio, on="criterion", how="left").set_index(keys)
            if services is not None:
                table = table.reset_index().merge(services, on=["service", "criterion"], how="left").set_index(keys)
        tables.append(table.reset_index())
    return pd.concat(tables, ignore_index=True)


def _mc_delta(baseline: Inventory, changed: Inventory, factors: FactorSet, own: FactorSet, samples: int,
              seed: int, per_service: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Monte Carlo intervals of the deltas: per criterion for the portfolio, and per service and criterion
    when ``per_service`` (services present in both; a service added or removed has its own samples)."""
    import pandas as pd

    from .montecarlo import monte_carlo, probability_lower

    a = monte_carlo(baseline.services, factors, samples=samples, seed=seed, keep_samples=per_service)
    b = monte_carlo(changed.services, own, samples=samples, seed=seed, keep_samples=per_service)
    common = [c for c in a.criteria if c in b.criteria]
    lower = probability_lower(a, b)
    rows = []
    for criterion in common:
        delta = b.portfolio[:, b.criteria.index(criterion)] - a.portfolio[:, a.criteria.index(criterion)]
        low, high = np.quantile(delta, (0.025, 0.975))
        rows.append({"criterion": criterion, "portfolio_delta_p2.5": low, "portfolio_delta_p97.5": high,
                     "P(scenario lower)": lower[criterion]})
    if not per_service or a.samples is None or b.samples is None:
        return pd.DataFrame(rows), None
    zero = np.zeros(samples)
    service_rows = []
    for service in dict.fromkeys((*a.services, *b.services)):
        for criterion in common:
            before = a.samples[:, a.services.index(service), a.criteria.index(criterion)] \
                if service in a.services else zero
            after = b.samples[:, b.services.index(service), b.criteria.index(criterion)] \
                if service in b.services else zero
            low, high = np.quantile(after - before, (0.025, 0.975))
            service_rows.append({"service": service, "criterion": criterion, "delta_p2.5": low, "delta_p97.5": high,
                                 "P(lower)": float((after < before).mean())})
    return pd.DataFrame(rows), pd.DataFrame(service_rows)


def rank_levers(baseline: Inventory, scenarios: Iterable[Scenario], *, factors: FactorSet | None = None,
                criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Rank scenarios (levers) by what they remove from the portfolio total, criterion by criterion: the
    reduction, the share of the baseline total it represents, and the rank (1 = removes the most)."""

    from .criteria import MISSION_CRITERIA

    table = compare(baseline, list(scenarios), factors=factors, by=())
    table = table[table["criterion"].isin(criteria or MISSION_CRITERIA)].copy()
    table["reduction"] = -table["delta"]
    table["share of total"] = table["reduction"] / table["baseline"]
    table["rank"] = table.groupby("criterion")["reduction"].rank(ascending=False, method="min").astype(int)
    # A reduction computed on incomplete totals may miss what the lever removes or adds: say so.
    complete = (table["baseline_coverage"].astype(str) == "complete") & (
        table["scenario_coverage"].astype(str) == "complete")
    table["coverage"] = np.where(complete, "complete", "partial: some lines lack factors")
    columns = ["criterion", "rank", "scenario", "reduction", "share of total", "unit", "baseline", "coverage"]
    return table.sort_values(["criterion", "rank"])[columns].reset_index(drop=True)


__all__ = ["Change", "Problem", "Scenario", "add", "bundled_scenarios", "compare", "factor_parameters",
           "load_scenario", "rank_levers", "remove", "scale", "set_value"]
