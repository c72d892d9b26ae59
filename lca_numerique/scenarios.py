"""Scenarios: named sets of changes to an inventory, compared with the baseline, and levers ranked.

One scenario format serves ``compare``, ``levers`` and Python alike. A scenario file (YAML)::

    scenario: Publish 30 % fewer posts                 # its name (required)
    description: The editorial rule Rennes adopted.    # optional
    changes:                                           # applied in order
      - {scale: posts, by: 0.7, kind: social_account}              # multiply a parameter
      - {set: resolution, to: 720p, kind: video}                   # replace a value
      - {shift: format_mix, from: [video, reel, story], to: image, kind: social_account}  # move shares of a mix
      - {remove: {kind: print}}                                    # remove services
      - {add: {kind: download, name: PDF, size: 12 MB}, in: Magazine}   # add a service (to a campaign)
      - replace: {kind: newsletter}                                # replace each selected service...
        with: {kind: print, pages: 4}                              # ...by one of another kind, like for like
      - {factors: {smartphone.lifetime: 3.5 year}}                 # change a factor assumption

**Selectors** choose services: ``service`` (a name), ``kind``, ``campaign`` and ``where`` (parameter values,
e.g. ``where: {platform: instagram}``), all of which must hold. ``scale``, ``set`` and ``shift`` without a
selector apply to every service (and hosting) that has the parameter. **A change that selects nothing is an
error** (:class:`~lca_numerique.errors.ScenarioError`, located in the file): a typo in a name never gives a
silent "no change". ``levers`` skips a bundled lever that does not apply to the inventory, and says so.

**Like for like**: ``replace`` gives the new service the audience of the one it replaces (a newsletter's
recipients × issues become printed copies; a publication's readers become website visits) and its reading
time when both kinds have one (otherwise the new kind's sourced default, shown by ``explain``). It keeps the
campaign; the new service is called ``"<old name> (<new kind>)"``.

A scenario can also be another inventory: ``compare(a, [b])`` and ``lca-numerique compare a.yaml b.yaml``
evaluate each side with its own factor choice.

**Coverage**: a comparison carries the weaker coverage of its two totals; a difference that involves a total
(or a changed bill line) without factors is ``not comparable`` (NaN), never a change of 0; ``rank_levers``
ranks only comparable changes and shows increases as increases.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LcaError, ScenarioError
from .inventory.model import Inventory, InventoryError, read_located, service_from_entry
from .inventory.yaml_source import Located, Problem
from .services import SERVICE_KINDS, Campaign, Hosting, Portfolio, Service

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors import FactorSet

SELECTORS = ("service", "kind", "campaign", "where")
CHANGE_KEYS = ("scale", "set", "shift", "remove", "add", "replace", "factors")
_OPTIONS = ("by", "to", "in", "from", "with")
COMPLETE, PARTIAL, NOT_COVERED, NOT_COMPARABLE = "complete", "partial", "not covered", "not comparable"
_WEAKNESS = {COMPLETE: 0, PARTIAL: 1, NOT_COVERED: 2, NOT_COMPARABLE: 3}

#: How many people a service reaches over the period (reads, copies, visits), from its own parameters, and
#: which parameter of a new service of that kind takes it: ``replace`` keeps the audience like for like.
_REACH: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "print": lambda v: v["copies"] * v["readers_per_copy"],
    "newsletter": lambda v: v["recipients"] * v["issues"],
    "email": lambda v: v["recipients"] * v["messages"],
    "website": lambda v: v["visits"],
    "download": lambda v: v["downloads"],
}
_REACH_PARAMETER = {"print": "copies", "website": "visits", "download": "downloads"}
#: The parameter holding the time a person spends reading or viewing one unit of audience.
_READING_TIME = {"newsletter": "reading_time", "email": "reading_time", "website": "time_per_visit"}

#: What a scenario error says when a change selects no service: how a caller tells this case from the others.
SELECTS_NOTHING = "selects no service"


@dataclass(frozen=True)
class Change:
    """One change: ``action`` is scale, set, shift, remove, add, replace or factors; ``where`` locates it."""

    action: str
    parameter: str = ""
    value: Any = None
    select: Mapping[str, Any] = field(default_factory=dict)
    campaign: str = ""  # where an added service goes
    where: str = ""

    def describe(self) -> str:
        """A short text for messages: the action, its parameter and its selector."""
        chosen = ", ".join(f"{k}={v!r}" for k, v in self.select.items()) or "every service with the parameter"
        return f"{self.action} {self.parameter}".strip() + f" ({chosen})"


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to an inventory."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""

    def apply(self, inventory: Inventory) -> Inventory:
        """The inventory with the changes made (the baseline is not modified).

        Raises :class:`ScenarioError` when a change selects no service of the inventory."""
        return _apply(self, inventory)


def scale(parameter: str, by: float, **select: Any) -> Change:
    """Multiply ``parameter`` by ``by`` for the selected services (``service=``, ``kind=``, ``campaign=``,
    ``where={...}``)."""
    return Change("scale", parameter, float(by), select)


def set_value(parameter: str, to: Any, **select: Any) -> Change:
    """Replace ``parameter`` by ``to`` for the selected services."""
    return Change("set", parameter, to, select)


def shift(parameter: str, from_: Sequence[str], to: str, **select: Any) -> Change:
    """Move the shares of ``from_`` keys of a mix (``format_mix``, ``device_mix``...) to the key ``to``."""
    return Change("shift", parameter, (tuple(from_), str(to)), select)


def remove(**select: Any) -> Change:
    """Remove the selected services."""
    return Change("remove", select=select)


def add(service: Service, campaign: str = "") -> Change:
    """Add a service (in ``campaign``, or outside campaigns)."""
    return Change("add", value=service, campaign=campaign)


def replace_with(new_kind: str, parameters: Mapping[str, Any] | None = None, **select: Any) -> Change:
    """Replace each selected service by a service of ``new_kind`` with the same audience (and reading time
    where both kinds have one); ``parameters`` sets the new service's other parameters."""
    kind = new_kind
    if kind not in SERVICE_KINDS:
        raise ScenarioError(f"replace: unknown kind {kind!r}; accepted: {', '.join(SERVICE_KINDS)}")
    if kind not in _REACH_PARAMETER:
        raise ScenarioError(f"replace: a {kind} cannot take over another service's audience; accepted: "
                            f"{', '.join(_REACH_PARAMETER)}")
    unknown = [k for k in parameters or {} if k not in SERVICE_KINDS[kind].specs()]
    if unknown:
        raise ScenarioError(f"replace: a {kind} has no parameter {', '.join(map(repr, unknown))}")
    return Change("replace", kind, dict(parameters or {}), select)


def factor_parameters(**parameters: Any) -> Change:
    """Override factor parameters (``smartphone.lifetime="3.5 year"``...) for the scenario."""
    return Change("factors", value=dict(parameters))


def _selected(service: Service, campaign: str, select: Mapping[str, Any], parameter: str = "") -> bool:
    if not select:
        return not parameter or parameter in service.specs()
    labels = {"service": service.name, "kind": service.kind, "campaign": campaign}
    for key, wanted in select.items():
        if key == "where":
            if not all(str(service.values.get(p)) == str(v) for p, v in wanted.items()):
                return False
        elif labels[key] != wanted:
            return False
    return True


def _changed(service: Service, change: Change) -> Service:
    if change.parameter not in service.specs():
        raise ScenarioError(f"{change.where}scenario: {service.kind} {service.name!r} has no parameter "
                            f"{change.parameter!r}")
    current = service.values[change.parameter]
    if change.action == "scale":
        if not isinstance(current, (int, float)):
            raise ScenarioError(f"{change.where}scenario: cannot scale {change.parameter!r} of {service.name!r}: "
                                "it is not a number")
        return service.replace(**{change.parameter: current * change.value})
    if change.action == "shift":
        sources, target = change.value
        if not isinstance(current, Mapping):
            raise ScenarioError(f"{change.where}scenario: {change.parameter!r} of {service.name!r} is not a mix")
        moved = sum(float(current.get(k, 0.0)) for k in sources)
        mix = {k: float(v) for k, v in current.items() if k not in sources}
        mix[target] = mix.get(target, 0.0) + moved
        return service.replace(**{change.parameter: mix})
    return service.replace(**{change.parameter: change.value})


def _replacement(service: Service, change: Change) -> Service:
    """The service of another kind taking over ``service``'s audience and reading time."""
    kind = change.parameter
    if service.kind not in _REACH:
        raise ScenarioError(f"{change.where}scenario: cannot replace {service.kind} {service.name!r} like for "
                            f"like (its audience cannot be carried over); replaceable: {', '.join(_REACH)}")
    values = {**change.value, _REACH_PARAMETER[kind]: _REACH[service.kind](service.values)}
    source_time, target_time = _READING_TIME.get(service.kind), _READING_TIME.get(kind)
    if source_time and target_time and target_time not in change.value:
        values[target_time] = service.values[source_time]
    for name in ("zone", "datacentre_zone"):  # the same people, in the same place
        if name in service.specs() and name in SERVICE_KINDS[kind].specs() and name not in change.value:
            values[name] = service.values[name]
    return SERVICE_KINDS[kind](f"{service.name} ({kind})", **values)


def _apply(scenario: Scenario, inventory: Inventory) -> Inventory:
    hostings = {h.name: h for h in inventory.hostings}
    campaigns = [(c.name, list(c.services)) for c in inventory.portfolio.campaigns] + [("", list(
        inventory.portfolio.services))]
    factors = dict(inventory.factors)
    for change in scenario.changes:
        matched = 0
        if change.action == "factors":
            factors["parameters"] = {**factors.get("parameters", {}), **change.value}
            continue
        if change.action == "add":
            names = [c for c, _ in campaigns]
            if change.campaign not in names:
                campaigns.insert(len(campaigns) - 1, (change.campaign, []))
                names = [c for c, _ in campaigns]
            campaigns[names.index(change.campaign)][1].append(change.value)
            continue
        parameter = change.parameter if change.action in ("scale", "set", "shift") else ""
        new_campaigns = []
        for c, services in campaigns:
            kept = []
            for s in services:
                if not _selected(s, c, change.select, parameter):
                    kept.append(s)
                    continue
                matched += 1
                if change.action == "replace":
                    kept.append(_replacement(s, change))
                elif change.action != "remove":
                    kept.append(_changed(s, change))
            new_campaigns.append((c, kept))
        campaigns = new_campaigns
        if change.action in ("scale", "set", "shift"):
            for name, h in hostings.items():
                if _selected(h, "", change.select, parameter):
                    hostings[name] = _changed(h, change)
                    matched += 1
        if not matched:
            present = sorted({s.kind for _, services in campaigns for s in services})
            raise ScenarioError(f"{change.where}scenario {scenario.name!r}: {change.describe()} {SELECTS_NOTHING} "
                                f"of the inventory (kinds present: {', '.join(present) or 'none'})")
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
    """Read a scenario file.

    Parameters
    ----------
    path
        A scenario YAML file (see the module's docstring for the format).

    Returns
    -------
    Scenario
        The named changes, to apply to an inventory with :func:`compare` or :func:`rank_levers`.

    Raises
    ------
    InventoryError
        Listing every problem with its location (file, line, field).
    """
    return scenario_from_data(read_located(path))


def scenario_from_data(located: Located) -> Scenario:
    """Validate located scenario data (see the module's docstring for the format)."""
    data, problems = located.data, []
    if not isinstance(data, dict) or not data.get("scenario"):
        raise InventoryError([located.problem((), "a scenario file has 'scenario' (its name) and 'changes'")])
    for key in data:
        if key not in ("scenario", "description", "changes"):
            problems.append(located.problem((key,), f"unknown key {key!r}; accepted: scenario, description, changes"))
    items = data.get("changes")
    if not isinstance(items, list) or not items:
        problems.append(located.problem(("changes",), "'changes' is a list of at least one change"))
        items = []
    changes = []
    for i, item in enumerate(items):
        path = ("changes", i)
        if not isinstance(item, dict):
            problems.append(located.problem(path, f"a change is a mapping with one of {', '.join(CHANGE_KEYS)}"))
            continue
        actions = [k for k in item if k in CHANGE_KEYS]
        for key in [k for k in item if k not in (*CHANGE_KEYS, *_OPTIONS, *SELECTORS)]:
            close = difflib.get_close_matches(str(key), (*CHANGE_KEYS, *_OPTIONS, *SELECTORS), n=1)
            problems.append(located.problem((*path, key), f"unknown key {key!r}"
                                                          + (f"; did you mean {close[0]!r}?" if close else "")))
        if len(actions) != 1:
            problems.append(located.problem(path, f"give exactly one of {', '.join(CHANGE_KEYS)}"))
            continue
        try:
            select = _selector(item)
            change = _change(actions[0], item, select, located, path)
        except InventoryError as exc:
            problems.extend(exc.problems)
            continue
        except (LcaError, ValueError, TypeError) as exc:
            problems.append(located.problem(path, str(exc)))
            continue
        where = located.problem(path, "")
        changes.append(replace(change, where=f"{where.file}:{where.line}: {where.path}: " if where.line
                                             else f"{where.file}: {where.path}: "))
    if problems:
        raise InventoryError(problems)
    return Scenario(str(data["scenario"]), tuple(changes), str(data.get("description", "")))


def _selector(item: Mapping[str, Any]) -> dict[str, Any]:
    select: dict[str, Any] = {k: str(item[k]) for k in ("service", "kind", "campaign") if k in item}
    if "kind" in select and select["kind"] not in (*SERVICE_KINDS, "hosting"):
        raise ValueError(f"unknown kind {select['kind']!r}; accepted: {', '.join(SERVICE_KINDS)}, hosting")
    if "where" in item:
        if not isinstance(item["where"], dict) or not item["where"]:
            raise ValueError("'where' maps parameter names to the values selected, e.g. {platform: instagram}")
        select["where"] = {str(k): v for k, v in item["where"].items()}
    return select


def _change(action: str, item: dict[str, Any], select: dict[str, Any], located: Located,
            path: tuple[Any, ...]) -> Change:
    def needs(option: str, what: str) -> Any:
        if option not in item:
            raise ValueError(f"'{action}' needs '{option}' ({what})")
        return item[option]

    if action == "scale":
        by = needs("by", "the multiplier")
        if isinstance(by, bool) or not isinstance(by, (int, float)) or not np.isfinite(by) or by < 0:
            raise ValueError(f"'by' is a finite number >= 0 (a multiplier); got {by!r}")
        return scale(str(item["scale"]), by, **select)
    if action == "set":
        return set_value(str(item["set"]), needs("to", "the new value"), **select)
    if action == "shift":
        sources = needs("from", "the keys whose shares move")
        sources = [sources] if isinstance(sources, str) else sources
        if not isinstance(sources, list) or not sources:
            raise ValueError("'from' is a key or a list of keys of the mix")
        return shift(str(item["shift"]), [str(k) for k in sources], str(needs("to", "the key receiving them")),
                     **select)
    if action == "remove":
        target = item["remove"]
        return remove(**(_selector(target) if isinstance(target, dict) else {"service": str(target)}))
    if action == "replace":
        target, entry = item["replace"], needs("with", "the new service's kind and parameters")
        if not isinstance(entry, dict) or "kind" not in entry:
            raise ValueError("'with' is a service entry with its 'kind' (its audience comes from the replaced one)")
        chosen = _selector(target) if isinstance(target, dict) else {"service": str(target)}
        return replace_with(str(entry["kind"]), {k: v for k, v in entry.items() if k != "kind"}, **chosen)
    if action == "factors":
        if not isinstance(item["factors"], dict):
            raise ValueError("'factors' maps factor parameter names to values")
        return factor_parameters(**item["factors"])
    entry = item["add"]
    if not isinstance(entry, dict) or entry.get("kind") not in SERVICE_KINDS:
        raise ValueError(f"'add' takes a service entry with a 'kind' among {', '.join(SERVICE_KINDS)}")
    return add(service_from_entry(entry, located, (*path, "add")), str(item.get("in", "")))


def bundled_scenarios() -> dict[str, Scenario]:
    """The scenario files shipped with the library: the levers a communication department pulls."""
    from importlib import resources

    folder = Path(str(resources.files("lca_numerique") / "examples" / "scenarios"))
    return {path.stem: load_scenario(path) for path in sorted(folder.glob("*.yaml"))}


# -- comparison -----------------------------------------------------------------------------------------------
def _weaker(a: Any, b: Any) -> str:
    """The weaker of two coverage flags (a side where the service is absent counts as complete)."""
    a, b = (COMPLETE if pd_isna(x) else str(x) for x in (a, b))
    return a if _WEAKNESS.get(a, 0) >= _WEAKNESS.get(b, 0) else b


def pd_isna(value: Any) -> bool:
    """True for None and NaN (a flag missing because the service is absent from one side)."""
    return value is None or (isinstance(value, float) and np.isnan(value))


#: Bits of :func:`_changed_terms`: a changed line with a declared phase gap; one without a factor that can only
#: decrease (its amount falls, its factor is unchanged), only increase, or move either way (its factor changed).
GAP, UNKNOWN_DOWN, UNKNOWN_UP, UNKNOWN_ANY = 1, 2, 4, 8


def _changed_terms(before: Inventory, after: Inventory, fa: FactorSet, fb: FactorSet,
                   criteria: Sequence[str]) -> pd.DataFrame:
    """Per service, tier and criterion: the bits (GAP, UNKNOWN_...) of the bill lines whose contribution to the
    difference changed (their amount, or their factor) but is not fully known on one side."""
    import pandas as pd

    from .bill import BillMatrix
    from .flows import FLOWS

    a = {x.name: x for x in before.portfolio.bills()}
    b = {x.name: x for x in after.portfolio.bills()}
    names = list(dict.fromkeys((*a, *b)))
    # one matrix for both sides, so that flows align (names made unique for the stacking only)
    matrix = BillMatrix.stack([*a.values(), *(replace(x, name=f"\0{x.name}") for x in b.values())]).by_flow()
    qa, qb = np.zeros((len(names), len(matrix.flows))), np.zeros((len(names), len(matrix.flows)))
    qa[[names.index(n) for n in a]] = matrix.quantities[:len(a)]
    qb[[names.index(n) for n in b]] = matrix.quantities[len(a):]
    va, cov_a, comp_a = fa.aligned(matrix.flows, criteria)
    vb, cov_b, comp_b = fb.aligned(matrix.flows, criteria)
    factor_moved = ((va != vb).any(axis=2) | (cov_a != cov_b))[None]  # [1, flow, criterion]
    used_a, used_b = (qa > 0)[..., None], (qb > 0)[..., None]
    moved = (qa != qb)[..., None] | (factor_moved & (used_a | used_b))  # [service, flow, criterion]
    # a line with a phase gap has an unknown part too, moving with its amount: it may reverse the difference
    unknown = moved & ((used_a & ~comp_a[None]) | (used_b & ~comp_b[None]))
    down, up = (qb <= qa)[..., None] & ~factor_moved, (qb >= qa)[..., None] & ~factor_moved
    bits = (np.where(moved & ((used_a & ~comp_a[None]) | (used_b & ~comp_b[None])), GAP, 0)
            | np.where(unknown & down, UNKNOWN_DOWN, 0) | np.where(unknown & up & ~down, UNKNOWN_UP, 0)
            | np.where(unknown & ~up & ~down, UNKNOWN_ANY, 0))
    tiers = np.array([FLOWS[f].tier for f in matrix.flows])
    labels = {n: (x.kind, x.campaign) for n, x in (*a.items(), *b.items())}
    frames = []
    for tier in dict.fromkeys(tiers):
        combined = np.bitwise_or.reduce(bits[:, tiers == tier, :], axis=1)  # [service, criterion]
        frames.append(pd.DataFrame({
            "service": np.repeat(names, len(criteria)), "kind": np.repeat([labels[n][0] for n in names], len(criteria)),
            "campaign": np.repeat([labels[n][1] for n in names], len(criteria)), "tier": tier,
            "criterion": np.tile(list(criteria), len(names)), "bits": combined.ravel()}))
    return pd.concat(frames, ignore_index=True)


def _comparison(coverage: str, bits: int, delta: float) -> str:
    """The coverage of a difference: ``not comparable`` when a side is not covered, or when lines without
    factors changed in a way that could reverse or hide it; ``partial`` when those lines can only push the
    difference further the way it already goes (a reduction of at least the value shown)."""
    if coverage == NOT_COVERED or bits & UNKNOWN_ANY or not np.isfinite(delta):
        return NOT_COMPARABLE
    if bits & UNKNOWN_DOWN and bits & UNKNOWN_UP:
        return NOT_COMPARABLE
    if (bits & UNKNOWN_DOWN and delta >= 0) or (bits & UNKNOWN_UP and delta <= 0):
        return NOT_COMPARABLE  # nothing known, or what is known could be reversed by what is not
    return PARTIAL if bits and coverage == COMPLETE else coverage


def _side(inventory: Inventory, factors: FactorSet, by: Sequence[str]) -> pd.DataFrame:
    results = inventory.evaluate(factors)
    table = results.total(tuple(by))
    for column in (*by, "criterion", "unit", "coverage"):
        table[column] = table[column].astype(str)
    return table.set_index([*by, "criterion"])


def compare(baseline: Inventory, scenarios: Sequence[Scenario | Inventory], *, factors: FactorSet | None = None,
            samples: int = 0, seed: int = 0, by: Sequence[str] = ("service", "tier", "phase")) -> pd.DataFrame:
    """Compare scenarios with a baseline inventory, total by total.

    Parameters
    ----------
    baseline
        The inventory the scenarios change.
    scenarios
        Each a :class:`Scenario` (applied to the baseline) or another inventory.
    factors
        The baseline's factors (default: its own choice). A scenario that changes factor parameters, or another
        inventory, is evaluated with its own; the ``factors`` column says which.
    samples
        With samples > 0, Monte Carlo (common random numbers) adds the 2.5–97.5 % interval of the portfolio
        delta and the probability that the scenario is lower, per criterion; with ``by=("service",)`` also the
        interval and probability of each service's delta.
    seed
        Seed of the Monte Carlo draws.
    by
        The axes kept: any of service, tier, phase, kind, campaign (criterion is always kept).

    Returns
    -------
    pandas.DataFrame
        One row per scenario × ``by`` × criterion: the ``baseline`` and the scenario's value, the absolute
        ``delta`` (in ``unit``, the criterion's unit over the assessed period, e.g. kg CO2 eq) and relative
        delta, each side's coverage and the comparison's ``coverage`` (the weaker of the two, or ``not
        comparable``: the delta is then NaN, never 0).
    """
    import pandas as pd

    by = tuple(by)
    base_factors = factors or baseline.load_factors()
    keys = [*by, "criterion"]
    base = _side(baseline, base_factors, by)
    tables = []
    for scenario in scenarios:
        if isinstance(scenario, Inventory):
            changed, name = scenario, scenario.source or scenario.organisation
            own = changed.load_factors()
        else:
            changed, name = scenario.apply(baseline), scenario.name
            own = changed.load_factors() if changed.factors != baseline.factors else base_factors
        value = _side(changed, own, by)
        table = base[["value", "unit", "coverage"]].rename(
            columns={"value": "baseline", "coverage": "baseline_coverage"}).join(
            value[["value", "coverage"]].rename(columns={"value": "scenario_value", "coverage": "scenario_coverage"}),
            how="outer")
        # A service absent from one side (added or removed) is a true zero there; nothing else is filled.
        absent_before, absent_after = table["baseline_coverage"].isna(), table["scenario_coverage"].isna()
        if "service" in by:
            table.loc[absent_before, "baseline"] = 0.0
            table.loc[absent_after, "scenario_value"] = 0.0
        table["unit"] = table["unit"].fillna(value["unit"].reindex(table.index))
        changed_terms = _changed_terms(baseline, changed, base_factors, own, base.index.unique("criterion"))
        group = [a for a in by if a != "phase"]
        bits = changed_terms.groupby([*group, "criterion"], observed=True)["bits"].agg(np.bitwise_or.reduce)
        bits = bits.reindex(table.reset_index().set_index([*group, "criterion"]).index).fillna(0).astype(int)
        delta = (table["scenario_value"] - table["baseline"]).to_numpy()
        coverage = np.array([_comparison(_weaker(x, y), b, d) for x, y, b, d in zip(
            table["baseline_coverage"], table["scenario_coverage"], bits, delta, strict=True)], dtype=object)
        table["coverage"] = coverage
        table["delta"] = np.where(coverage == NOT_COMPARABLE, np.nan, delta)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["relative"] = table["delta"] / table["baseline"].where(table["baseline"] != 0)
        table.insert(0, "scenario", name)
        table["factors"] = own.label if own is not base_factors else base_factors.label
        if samples:
            portfolio, services = _mc_delta(baseline, changed, base_factors, own, samples, seed, by == ("service",))
            table = table.reset_index().merge(portfolio, on="criterion", how="left").set_index(keys)
            if services is not None:
                table = table.reset_index().merge(services, on=["service", "criterion"], how="left").set_index(keys)
            uncertain = [c for c in table.columns if c.startswith(("portfolio_delta", "P(", "delta_p"))]
            table.loc[table["coverage"] == NOT_COMPARABLE, uncertain] = np.nan
        tables.append(table.reset_index())
    return pd.concat(tables, ignore_index=True)


def _mc_delta(baseline: Inventory, changed: Inventory, factors: FactorSet, own: FactorSet, samples: int,
              seed: int, per_service: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Monte Carlo intervals of the deltas: per criterion for the portfolio, and per service and criterion
    when ``per_service`` (a service added or removed is zero on the side where it is absent). NaN where a side
    is not covered."""
    from .montecarlo import monte_carlo, probability_lower

    a = monte_carlo(baseline, factors, samples=samples, seed=seed, keep_samples=per_service)
    b = monte_carlo(changed, own, samples=samples, seed=seed, keep_samples=per_service)
    portfolio = _delta_quantiles(a, b, (), "portfolio_delta_p2.5", "portfolio_delta_p97.5")
    lower = probability_lower(a, b, ())
    portfolio["P(scenario lower)"] = lower["P(B < A)"].to_numpy()
    if not per_service or a.samples is None or b.samples is None:
        return portfolio, None
    services = _delta_quantiles(a, b, ("service",), "delta_p2.5", "delta_p97.5")
    services["P(lower)"] = probability_lower(a, b, ("service",))["P(B < A)"].to_numpy()
    return portfolio, services


def _delta_quantiles(a: Any, b: Any, view: tuple[str, ...], low: str, high: str) -> pd.DataFrame:
    """The 2.5 and 97.5 % quantiles of B − A per group of a view and criterion (NaN where a side is NaN)."""
    import pandas as pd

    la, sa = a.samples_of(view)
    lb, sb = b.samples_of(view)
    rows = []
    for label in dict.fromkeys((*la, *lb)):
        for criterion in a.criteria:
            if criterion not in b.criteria:
                continue
            zero = np.zeros(a.n)
            before = sa[:, la.index(label), a.criteria.index(criterion)] if label in la else zero
            after = sb[:, lb.index(label), b.criteria.index(criterion)] if label in lb else zero
            delta = after - before
            q = np.quantile(delta, (0.025, 0.975)) if np.isfinite(delta).all() else (np.nan, np.nan)
            rows.append({**dict(zip(view, label, strict=True)), "criterion": criterion, low: q[0], high: q[1]})
    return pd.DataFrame(rows)


def applicable(baseline: Inventory, scenarios: Iterable[Scenario]) -> tuple[list[Scenario], dict[str, str]]:
    """The scenarios that apply to ``baseline``, and why each other one does not (selects nothing...)."""
    fitting, skipped = [], {}
    for scenario in scenarios:
        try:
            scenario.apply(baseline)
        except ScenarioError as exc:
            skipped[scenario.name] = str(exc)
        else:
            fitting.append(scenario)
    return fitting, skipped


def rank_levers(baseline: Inventory, scenarios: Iterable[Scenario], *, factors: FactorSet | None = None,
                criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Rank scenarios (levers) criterion by criterion by what they change in the portfolio total.

    Parameters
    ----------
    baseline
        The inventory the levers change.
    scenarios
        The levers; each must apply to the inventory (see :func:`applicable`).
    factors
        The baseline's factors (default: its own choice), as for :func:`compare`.
    criteria
        The criteria ranked (default: the mission criteria, :data:`lca_numerique.MISSION_CRITERIA`).

    Returns
    -------
    pandas.DataFrame
        Per criterion and lever: ``rank`` (1 = the largest reduction; increases rank after every reduction),
        ``direction`` (reduction, increase, no change or not comparable), ``change`` of the portfolio total in
        ``unit`` (the criterion's unit over the assessed period; negative: a reduction), ``share of total``,
        ``baseline``, ``coverage`` and ``factors``. A lever whose change is not comparable (a changed line
        without factors on one side) has no rank and a NaN change.
    """
    from .criteria import MISSION_CRITERIA, get_criterion

    wanted = [get_criterion(c).id for c in (criteria or MISSION_CRITERIA)]
    table = compare(baseline, list(scenarios), factors=factors, by=())
    table = table[table["criterion"].isin(wanted)].copy()
    table["change"] = table["delta"]
    table["share of total"] = table["change"] / table["baseline"]
    table["direction"] = np.select([table["coverage"] == NOT_COMPARABLE, table["change"] < 0, table["change"] > 0],
                                   [NOT_COMPARABLE, "reduction", "increase"], "no change")
    table["rank"] = table.groupby("criterion")["change"].rank(ascending=True, method="min").astype("Int64")
    columns = ["criterion", "rank", "scenario", "direction", "change", "share of total", "unit", "baseline",
               "coverage", "factors"]
    return table.sort_values(["criterion", "rank"], na_position="last")[columns].reset_index(drop=True)


__all__ = ["Change", "Problem", "Scenario", "add", "applicable", "bundled_scenarios", "compare", "factor_parameters",
           "load_scenario", "rank_levers", "remove", "replace_with", "scale", "set_value", "shift"]
