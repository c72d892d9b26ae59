"""Functional units: results per inhabitant, per euro of budget, or per a unit the study declares.

A total says how much; a functional unit says for what. Besides each service's own audience (per visit, per
view, per reader: :meth:`lca_numerique.results.Results.per_audience`), an inventory may declare:

``population``
    ``{inhabitants: 450000, source: "INSEE, populations légales 2021"}``: every total, of a service or of the
    whole inventory, per inhabitant of the territory (so per-inhabitant values add up across services).
``budget``
    on a service or a campaign, in euros (``12000``, ``"12 000 €"``, ``"12000 EUR"``): totals per euro spent.
    A campaign without its own budget has the sum of its services' budgets when each has one.
``functional_unit``
    ``{unit: mailbox-week, amount: 62400, source: "IT department, 2024"}``: on a service (that service's
    totals per one unit), or at the top of the inventory (every total per one unit of what the whole
    inventory delivers).

Monte Carlo statistics read per unit too (:func:`monte_carlo_per_unit`, ``MonteCarloResults.per_unit``): each
statistic of a view (mean, median, std, 2.5 and 97.5 percentiles) divided by the same amount as the
deterministic total. The amounts are declared numbers (a census, a budget, a count), not sampled: dividing by a
fixed amount scales every sample alike, so the interval per unit is the interval of the total over the amount.

Coverage rules hold: a total that is not covered stays NaN; a total whose unit has no amount (a service
without budget, a unit another service declared) or a zero amount is NaN, flagged ``not computable``,
never 0. Asking for a unit the inventory does not state (per inhabitant without a population) is refused
with the key to add. Values per different units (per view, per reader, per inhabitant...) do not compare:
each row carries its unit in ``per``, and no table ranks them in one column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ArgumentError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .inventory import Inventory
    from .montecarlo import MonteCarloResults
    from .results import Results

__all__ = [
    "EURO",
    "INHABITANT",
    "NO_AMOUNT",
    "POPULATION_KEYS",
    "UNIT_KEYS",
    "ZERO_AMOUNT",
    "FunctionalUnit",
    "declared_units",
    "monte_carlo_per_unit",
    "per_unit",
    "read_euros",
    "read_population",
    "read_unit_entry",
    "unit_of",
]

INHABITANT, EURO = "inhabitant", "euro"
NO_AMOUNT = "not computable: no amount for this unit"
ZERO_AMOUNT = "not computable: amount is zero"
POPULATION_KEYS = ("inhabitants", "source", "year")
UNIT_KEYS = ("unit", "amount", "source")
_EUROS = re.compile(r"\s*(€|EUR|euros?)\s*$", re.IGNORECASE)
_UNIT_NAME = re.compile(r"[^\W\d][\w\- ]*")


@dataclass(frozen=True)
class FunctionalUnit:
    """A unit results can be given per: its name, how many there are, and where that number comes from.

    ``total`` is the amount for the whole inventory (a population); ``amounts`` the amount of each service
    that has one, and ``campaign_amounts`` of each campaign that has its own (budgets, units declared on a
    service). A unit has either a ``total`` or per-service amounts.
    """

    name: str
    total: float | None = None
    amounts: Mapping[str, float] = field(default_factory=dict)
    campaign_amounts: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def label(self) -> str:
        """``"per inhabitant"``, ``"per euro"``, ``"per mailbox-week"``."""
        return f"per {self.name}"


# -- reading the inventory's declarations ---------------------------------------------------------------------
def read_euros(value: Any) -> float:
    """An amount in euros from a number or text such as ``"12 000 €"``, ``"12000 EUR"``, ``"1,5e4 euros"``;
    raises ValueError saying what is accepted. Negative and non-finite amounts are refused."""
    from .units import read_number

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected an amount in euros such as 12000 or '12 000 €', got {value!r}")
    try:
        amount = float(value) if not isinstance(value, str) else read_number(_EUROS.sub("", value))
    except ValueError:
        raise ValueError(f"{value!r} is not an amount in euros (write 12000, '12 000 €' or '12000 EUR')") from None
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"{value!r}: a budget is a finite amount >= 0 euros")
    return amount


def read_population(value: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``population`` entry as ``{inhabitants, source[, year]}``, and its problems as (key, message)."""
    if not isinstance(value, Mapping):
        return {}, [("", "'population' is a mapping: {inhabitants: 450000, source: 'INSEE, populations légales "
                         "2021'}")]
    problems = [(str(k), f"unknown key {k!r}; accepted: {', '.join(POPULATION_KEYS)}") for k in value
                if k not in POPULATION_KEYS]
    inhabitants = _positive(value.get("inhabitants"), "inhabitants", problems)
    source = _source(value, problems)
    if "year" in value and (isinstance(value["year"], bool) or not isinstance(value["year"], int)):
        problems.append(("year", f"the year of the census, a whole number; got {value['year']!r}"))
    if problems:
        return {}, problems
    return {"inhabitants": inhabitants, "source": source, **({"year": value["year"]} if "year" in value else {})}, []


def read_unit_entry(value: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A ``functional_unit`` entry as ``{unit, amount, source}``, and its problems as (key, message)."""
    if not isinstance(value, Mapping):
        return {}, [("", "'functional_unit' is a mapping: {unit: mailbox-week, amount: 62400, source: '...'}")]
    problems = [(str(k), f"unknown key {k!r}; accepted: {', '.join(UNIT_KEYS)}") for k in value
                if k not in UNIT_KEYS]
    name = value.get("unit")
    if not isinstance(name, str) or not _UNIT_NAME.fullmatch(name.strip()):
        problems.append(("unit", f"the name of one unit, such as mailbox-week or 'newsletter issue'; got {name!r}"))
    elif name.strip() in (INHABITANT, EURO):
        problems.append(("unit", f"{name!r} is declared by 'population' or 'budget', not as a functional unit"))
    amount = _positive(value.get("amount"), "amount", problems)
    source = _source(value, problems)
    if problems:
        return {}, problems
    return {"unit": name.strip(), "amount": amount, "source": source}, []


def _positive(value: Any, key: str, problems: list[tuple[str, str]]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        problems.append((key, f"'{key}' must be a number > 0; got {value!r}"))
        return math.nan
    return float(value)


def _source(value: Mapping[str, Any], problems: list[tuple[str, str]]) -> str:
    source = value.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(("source", "'source' is required: say where the number comes from"))
        return ""
    return source.strip()


def declared_units(inventory: Inventory) -> dict[str, FunctionalUnit]:
    """Every unit the inventory declares beyond audiences, by name: ``inhabitant`` (with a population),
    ``euro`` (with a budget somewhere), and each ``functional_unit``."""
    units: dict[str, FunctionalUnit] = {}
    if inventory.population:
        units[INHABITANT] = FunctionalUnit(INHABITANT, total=float(inventory.population["inhabitants"]),
                                           source=str(inventory.population["source"]))
    if inventory.budget or inventory.campaign_budget:
        units[EURO] = FunctionalUnit(EURO, amounts=dict(inventory.budget),
                                     campaign_amounts=dict(inventory.campaign_budget), source="inventory budgets")
    if inventory.functional_unit:
        entry = inventory.functional_unit
        units[entry["unit"]] = FunctionalUnit(entry["unit"], total=float(entry["amount"]), source=entry["source"])
    for service, entry in inventory.service_units.items():  # never the inventory's own unit: the reader refuses it
        unit = units.get(entry["unit"])
        amounts = {**(unit.amounts if unit else {}), service: float(entry["amount"])}
        units[entry["unit"]] = FunctionalUnit(entry["unit"], amounts=amounts, source=entry["source"])
    return units


def unit_of(inventory: Inventory, name: str) -> FunctionalUnit:
    """The unit ``name`` the inventory declares (``"inhabitant"``, ``"euro"`` or a ``functional_unit``'s name);
    an ArgumentError saying what to add when it declares none."""
    units = declared_units(inventory)
    if name in units:
        return units[name]
    if name == INHABITANT:
        raise ArgumentError("unit", "per inhabitant needs the population the inventory covers: add 'population: "
                                    "{inhabitants: ..., source: ...}' at the top of the inventory")
    if name == EURO:
        raise ArgumentError("unit", "per euro needs a budget: add 'budget' (in euros) to the services or campaigns")
    known = ", ".join(units) or "none (add 'population', 'budget' or 'functional_unit')"
    raise ArgumentError("unit", f"the inventory declares no unit {name!r}; declared: {known}")


# -- results per unit -----------------------------------------------------------------------------------------
def per_unit(results: Results, unit: FunctionalUnit, by: str | Sequence[str] = ("service",)) -> pd.DataFrame:
    """Totals kept by ``by`` (as :meth:`Results.total`) divided by the amount of ``unit`` behind each row.

    Parameters
    ----------
    results
        The evaluated results (``Inventory.evaluate()`` or :func:`lca_numerique.evaluate`).
    unit
        The functional unit: per inhabitant, per euro or a declared unit (``inventory.unit("inhabitant")``, or a
        :class:`FunctionalUnit` built by hand).
    by
        The axes and groups kept, as for :meth:`Results.total` (``()``: every service together).

    Returns
    -------
    pandas.DataFrame
        The columns of ``total(by)``, ``value`` in the criterion's unit per one unit (e.g. kg CO2 eq per
        inhabitant, over the assessed period), then ``amount`` (how many units the row's total is for) and
        ``per`` (the unit's label). A row whose amount is unknown or zero is NaN, flagged ``not computable`` in
        ``coverage``; a not-covered total stays NaN.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    return _divided(results.total(by), results, unit, by, ("value",))


def monte_carlo_per_unit(results: MonteCarloResults, unit: FunctionalUnit, by: str | Sequence[str] = ("service",)
                         ) -> pd.DataFrame:
    """Monte Carlo statistics of the view ``by`` (as :meth:`MonteCarloResults.view`; ``()`` for the whole
    inventory) divided by the amount of ``unit`` behind each row: ``deterministic``, mean, median, std, 2.5 and
    97.5 percentiles per one unit, then ``amount`` and ``per``. The amount is declared, not sampled. Rows
    without an amount, or with a zero one, are NaN and flagged ``not computable``; not-covered rows stay NaN.
    """
    from .montecarlo import STATISTICS

    table = results.view(by)
    axes = tuple(table.columns[:list(table.columns).index("criterion")])  # the view's axes, in the run's order
    return _divided(table, results.deterministic, unit, axes, ("deterministic", *STATISTICS))


def _divided(table: pd.DataFrame, results: Results, unit: FunctionalUnit, by: tuple[str, ...],
             columns: Sequence[str]) -> pd.DataFrame:
    """``table``'s ``columns`` divided by the unit's amount behind each row, with ``amount``, ``per`` and the
    coverage saying where no amount divides."""
    import pandas as pd

    amount = np.full(len(table), unit.total) if unit.total is not None else _row_amounts(results, unit, by, table)
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in columns:
            table[column] = np.where(amount > 0, table[column].to_numpy(dtype=float) / amount, np.nan)
    coverage = table["coverage"]
    status = np.where(np.isnan(amount), NO_AMOUNT, np.where(amount > 0, coverage.astype(str), ZERO_AMOUNT))
    known = list(coverage.cat.categories) if isinstance(coverage.dtype, pd.CategoricalDtype) \
        else list(dict.fromkeys(coverage.astype(str)))
    table["coverage"] = pd.Categorical(status, categories=[*known, NO_AMOUNT, ZERO_AMOUNT])
    table["amount"] = amount
    table["per"] = pd.Categorical([unit.label] * len(table))
    return table


def _row_amounts(results: Results, unit: FunctionalUnit, by: tuple[str, ...], table: pd.DataFrame) -> np.ndarray:
    """The amount of a per-service unit behind each row of ``table``: a service's own, a campaign's own or the
    sum of its services', the sum of every service's otherwise; NaN where one of them is unknown."""
    import pandas as pd

    services = pd.DataFrame({"service": results.services, "kind": results.kinds, "campaign": results.campaigns})
    services["amount"] = services["service"].map(dict(unit.amounts)).astype(float)
    if "service" in by:
        column = table["service"]
        rows = column.cat.codes.to_numpy() if isinstance(column.dtype, pd.CategoricalDtype) \
            else pd.Index(results.services).get_indexer(column.astype(str))
        return services["amount"].to_numpy()[rows]
    keys = [k for k in ("campaign", "kind") if k in by]
    if "kind" not in keys:  # a campaign's own budget stands for its services', which it need not split
        own = services["campaign"].map(dict(unit.campaign_amounts))
        services["amount"] = np.where(own.notna(), own, services["amount"])
        services = _one_row_per_campaign_budget(services, own.notna().to_numpy())
    if not keys:
        return np.full(len(table), services["amount"].sum(skipna=False))
    sums = services.groupby(keys, observed=True)["amount"].sum(min_count=1)
    unknown = services["amount"].isna().groupby([services[k] for k in keys], observed=True).any()
    sums[unknown] = np.nan
    index = pd.MultiIndex.from_frame(table[keys].astype(str)) if len(keys) > 1 else table[keys[0]].astype(str)
    return sums.reindex(index).to_numpy(dtype=float)


def _one_row_per_campaign_budget(services: pd.DataFrame, has_own: np.ndarray) -> pd.DataFrame:
    """Services whose campaign has its own amount count it once (on the campaign's first service)."""
    repeated = has_own & services["campaign"].duplicated().to_numpy()
    return services[~repeated]
