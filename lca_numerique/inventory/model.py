"""An organisation's inventory: its services grouped in campaigns, the factors to use, and where each number
comes from. Loaded from YAML into the same objects as the Python API, and written back losslessly.

Format (version 1)::

    inventory: 1
    organisation: Example metropolis — communication department
    period: "2025"
    illustrative: true                # the numbers are made up: say so in every report
    factors: {profile: default}       # optional: parameters: {...}, licences: [...], extra_sets: [my_folder]
    population: {inhabitants: 450000, source: "INSEE, populations légales 2021"}   # optional: per inhabitant
    defaults: {zone: FR}              # applied to every service that has the parameter and does not set it
    hostings:                         # named hostings that services take shares of
      - {name: main servers, servers: 2, storage: 1.5 TB}
    campaigns:
      - name: Spring festival
        budget: 12 000 €              # optional, in euros: results per euro
        services:
          - {kind: video, name: teaser, views: 12000 view, duration: 45 s, basis: "platform analytics"}
    services:                         # services outside any campaign
      - {kind: website, name: city site, visits: 1.2e6, hosting: main servers, hosting_share: 0.6}

Every service entry has ``kind`` and ``name``, its parameters (numbers in the documented unit, or text with
units such as ``1.8 MB``), and optionally ``basis`` (where its numbers come from), ``budget`` (euros) and
``functional_unit`` (``{unit: mailbox-week, amount: 62400, source: ...}``; also allowed at the top, for the
whole inventory): see :mod:`lca_numerique.functional_units`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import InventoryError, LcaError, UnknownNameError
from ..functional_units import read_euros, read_population, read_unit_entry
from ..services import SERVICE_KINDS, Campaign, Hosting, Portfolio, Service
from ..services.hosting import allocated_share
from ..services.parameters import ParameterError, Spec
from .yaml_source import Located, Path_, Problem, format_path, read_located

if TYPE_CHECKING:  # pragma: no cover
    from ..factors import FactorSet
    from ..functional_units import FunctionalUnit
    from ..results import Results

__all__ = [
    "ENTRY_KEYS",
    "FACTOR_KEYS",
    "FORMAT_VERSION",
    "TOP_KEYS",
    "Inventory",
    "inventory_from_data",
    "inventory_from_text",
    "load_inventory",
    "service_from_entry",
]

FORMAT_VERSION = 1
TOP_KEYS = ("inventory", "organisation", "period", "illustrative", "notes", "factors", "population",
            "functional_unit", "defaults", "hostings", "campaigns", "services")
FACTOR_KEYS = ("profile", "parameters", "licences", "extra_sets")
ENTRY_KEYS = ("kind", "name", "basis", "uncertainty", "budget", "functional_unit")


@dataclass(frozen=True)
class Inventory:
    """What an organisation assesses: services (in campaigns), hostings they share, and the factors to use."""

    organisation: str
    portfolio: Portfolio
    period: str = ""
    hostings: tuple[Hosting, ...] = ()
    factors: Mapping[str, Any] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    basis: Mapping[str, str] = field(default_factory=dict)
    illustrative: bool = False
    notes: str = ""
    source: str = ""
    #: Functional units (see :mod:`lca_numerique.functional_units`): the population covered, budgets in euros
    #: by service and by campaign, the inventory's own unit and each service's.
    population: Mapping[str, Any] = field(default_factory=dict)
    budget: Mapping[str, float] = field(default_factory=dict)
    campaign_budget: Mapping[str, float] = field(default_factory=dict)
    functional_unit: Mapping[str, Any] = field(default_factory=dict)
    service_units: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def services(self) -> list[Service]:
        """Every service, campaigns first."""
        return [s for _, s in self.portfolio.all_services()]

    def service(self, name: str) -> Service:
        """The service called ``name``; an UnknownNameError (a KeyError) suggests close names."""
        for service in self.services:
            if service.name == name:
                return service
        raise UnknownNameError("service", name, [s.name for s in self.services])

    def load_factors(self) -> FactorSet:
        """The factors the inventory asks for (profile, parameter overrides, accepted licences); a profile or
        set given as a path is read from the inventory file's folder."""
        return _factor_choice(self.factors, _folder_of(self.source))

    def evaluate(self, factors: FactorSet | None = None) -> Results:
        """Evaluate every service of the inventory.

        Parameters
        ----------
        factors
            The factor set (default: the inventory's own choice of profile, parameters and licences).

        Returns
        -------
        Results
            Impacts in each criterion's unit (kg CO2 eq, kg Sb eq, CTUe...) over the inventory's period, by
            service, tier, criterion and phase, with audiences, coverage and provenance.
        """
        from ..engine import evaluate

        return evaluate(self.portfolio.stacked_bills().matrix, factors or self.load_factors())

    def unit(self, name: str) -> FunctionalUnit:
        """The functional unit ``name`` the inventory declares (``"inhabitant"``, ``"euro"``, a
        ``functional_unit``'s name), for :meth:`Results.per_unit`; an ArgumentError says what to add if none."""
        from ..functional_units import unit_of

        return unit_of(self, name)

    def unattributed_hosting(self) -> dict[str, float]:
        """For each hosting, the share no service takes (1 - sum of shares); non-zero means impacts left out."""
        taken = {h.name: 0.0 for h in self.hostings}
        for service in self.services:
            hosting = service.values.get("hosting")
            if isinstance(hosting, Hosting):
                taken[hosting.name] = taken.get(hosting.name, 0.0) + allocated_share(service)
        return {name: 1.0 - share for name, share in taken.items() if abs(1.0 - share) > 1e-9}

    # -- writing ----------------------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """Plain data in the inventory format (what :func:`load_inventory` reads back to equal objects)."""
        data: dict[str, Any] = {"inventory": FORMAT_VERSION, "organisation": self.organisation}
        if self.period:
            data["period"] = self.period
        if self.illustrative:
            data["illustrative"] = True
        if self.notes:
            data["notes"] = self.notes
        if self.factors:
            data["factors"] = dict(self.factors)
        if self.population:
            data["population"] = dict(self.population)
        if self.functional_unit:
            data["functional_unit"] = dict(self.functional_unit)
        if self.defaults:
            data["defaults"] = dict(self.defaults)
        if self.hostings:
            data["hostings"] = [self._entry(h, with_kind=False) for h in self.hostings]
        campaigns = [{"name": c.name, **({"budget": self.campaign_budget[c.name]} if c.name in self.campaign_budget
                                         else {}), "services": [self._entry(s) for s in c.services]}
                     for c in self.portfolio.campaigns]
        if campaigns:
            data["campaigns"] = campaigns
        if self.portfolio.services:
            data["services"] = [self._entry(s) for s in self.portfolio.services]
        return data

    def _entry(self, service: Service, with_kind: bool = True) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": service.kind} if with_kind else {}
        entry["name"] = service.name
        for key, value in service.given.items():
            if key in self.defaults and value == self.defaults[key]:
                continue
            entry[key] = _plain(value)
        if self.basis.get(service.name):
            entry["basis"] = self.basis[service.name]
        if service.given_uncertainty:
            entry["uncertainty"] = dict(service.given_uncertainty)
        if service.name in self.budget and with_kind:
            entry["budget"] = self.budget[service.name]
        if service.name in self.service_units and with_kind:
            entry["functional_unit"] = dict(self.service_units[service.name])
        return entry

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The inventory as YAML text (also written to ``path`` if given)."""
        import yaml

        text = yaml.safe_dump(self.to_data(), allow_unicode=True, sort_keys=False, width=110)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def _folder_of(source: str) -> Path | None:
    """The folder of the file an inventory was read from (None for text)."""
    return Path(source).parent if source and Path(source).is_file() else None


def _absolute(profile: str, base: Path | None) -> str:
    """A profile or factor set named by a relative path, as an absolute path from ``base``; ids unchanged."""
    from ..factors import available_factor_sets, available_profiles

    if base is None or profile in available_profiles() or profile in available_factor_sets():
        return profile
    return str((base / profile).resolve())


def _factor_choice(factors: Mapping[str, Any], base: Path | None) -> FactorSet:
    from ..factors import load_factors

    return load_factors(factors.get("profile"), parameters=factors.get("parameters"),
                        licences=factors.get("licences"), extra_sets=factors.get("extra_sets") or (), base=base)


def _plain(value: Any) -> Any:
    """A given parameter value as YAML-friendly data."""
    if isinstance(value, Service):
        return value.name
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "magnitude") and hasattr(value, "units"):  # a pint Quantity
        return f"{value.magnitude!r} {value.units}"
    return value


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory.

    Parameters
    ----------
    path
        A YAML file, or a filled data-collection template (``.xlsx`` workbook or folder of CSV files).
        Quantities are read in each parameter's documented unit, or in the unit written after the number
        (``"1,8 Mo"``, ``"3 min"``).

    Returns
    -------
    Inventory
        The organisation's services, campaigns, hostings and factor choice; ``evaluate()`` gives the results.

    Raises
    ------
    InventoryError
        Listing every problem with its location (file, line, field).
    """
    if Path(path).suffix.lower() == ".xlsx" or Path(path).is_dir():
        from .template import read_template  # the template reader builds on this module

        return read_template(path)
    return inventory_from_data(read_located(path))


def inventory_from_text(text: str, name: str = "<text>") -> Inventory:
    """Read and validate an inventory given as YAML text."""
    return inventory_from_data(read_located(name, text))


def service_from_entry(entry: Any, located: Located, path: Path_) -> Service:
    """One service from its inventory entry (``kind``, ``name`` and parameters) found at ``path`` of ``located``
    (for files that add a service, such as scenarios); raises InventoryError located in that file."""
    builder = _Builder(Located({}, located.marks, located.file))
    service = builder._service(entry, path, {}, {}, {})
    if service is None:
        raise InventoryError(builder.problems)
    return service


def inventory_from_data(located: Located) -> Inventory:
    """Validate located data (see :mod:`.yaml_source`) into an Inventory, collecting every problem."""
    return _Builder(located).build()


class _Kind(NamedTuple):
    """What validating an entry of one kind of service needs, computed once per inventory."""

    cls: type[Service]
    specs: dict[str, Spec]
    keys: dict[str, None]  # the accepted keys, in the order messages list them
    required: tuple[str, ...]
    needed: frozenset[str]  # the same, as a set

    @classmethod
    def of(cls, service: type[Service]) -> _Kind:
        """What validating entries of ``service`` needs."""
        specs = service.specs()
        required = tuple(s.name for s in specs.values() if s.required)
        return cls(service, specs, dict.fromkeys((*ENTRY_KEYS, *specs)), required, frozenset(required))


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self.kinds: dict[str, _Kind] = {}
        self.names: dict[str, Path_] = {}  # service name -> where it is first written
        self.budget: dict[str, float] = {}
        self.service_units: dict[str, dict[str, Any]] = {}
        self.inventory_unit: str | None = None

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def build(self) -> Inventory:
        data = self.located.data
        if not isinstance(data, dict):
            self.problem((), "an inventory is a mapping with at least 'organisation' and 'services' or 'campaigns'")
            raise InventoryError(self.problems)
        self._keys(data, (), TOP_KEYS)
        if data.get("inventory", FORMAT_VERSION) != FORMAT_VERSION:
            self.problem(("inventory",), f"format version {data['inventory']!r} is not supported (expected 1)")
        organisation = self._text(data, "organisation", required=True)
        defaults = self._defaults(data.get("defaults") or {})
        factors = self._factors(data.get("factors") or {})
        hostings = self._hostings(data.get("hostings") or [], defaults)
        basis: dict[str, str] = {}
        campaign_budget: dict[str, float] = {}
        population = self._declaration(data, "population", read_population)
        functional_unit = self._declaration(data, "functional_unit", read_unit_entry)
        self.inventory_unit = functional_unit.get("unit")
        campaigns = []
        for i, item in enumerate(self._list(data, "campaigns")):
            path = ("campaigns", i)
            if not isinstance(item, dict):
                self.problem(path, "a campaign is a mapping with 'name' and 'services'")
                continue
            self._keys(item, path, ("name", "budget", "services"))
            name = self._text(item, "name", path, required=True)
            if "budget" in item:
                self._euros(item["budget"], (*path, "budget"), campaign_budget, name)
            services = self._services(item.get("services") or [], (*path, "services"), defaults, hostings, basis)
            campaigns.append(Campaign(name, tuple(services)))
        loose = self._services(data.get("services") or [], ("services",), defaults, hostings, basis)
        if not campaigns and not loose and not self.problems:
            self.problem((), "no service: list them under 'services' or under 'campaigns'")
        if self.problems:
            raise InventoryError(self.problems)
        return Inventory(
            organisation=organisation, portfolio=Portfolio(organisation, tuple(campaigns), tuple(loose)),
            period=str(data.get("period", "")), hostings=tuple(hostings.values()), factors=factors,
            defaults=defaults, basis=basis, illustrative=bool(data.get("illustrative", False)),
            notes=str(data.get("notes", "")), source=self.located.file, population=population,
            budget=self.budget, campaign_budget=campaign_budget, functional_unit=functional_unit,
            service_units=self.service_units,
        )

    # -- pieces -----------------------------------------------------------------------------------------------
    def _declaration(self, data: dict[str, Any], key: str, read: Any, path: Path_ = ()) -> dict[str, Any]:
        """A population or functional-unit mapping at ``path``/``key``, its problems located at their key (a
        missing key at the closest place the source marks for it: a template's empty cell, else the mapping)."""
        if key not in data:
            return {}
        value, problems = read(data[key])
        for sub, message in problems:
            self.problem((*path, key, sub) if sub and isinstance(data[key], dict) else (*path, key), message)
        return value

    def _euros(self, value: Any, path: Path_, into: dict[str, float], name: str) -> None:
        try:
            into[name] = read_euros(value)
        except ValueError as exc:
            self.problem(path, str(exc))

    def _keys(self, mapping: dict[str, Any], path: Path_, accepted: Collection[str]) -> None:
        for key in mapping:
            if key not in accepted:
                accepted = tuple(accepted)
                close = difflib.get_close_matches(key, accepted, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else f"; accepted: {', '.join(accepted)}"
                self.problem((*path, key), f"unknown key {key!r}{hint}")

    def _text(self, mapping: dict[str, Any], key: str, path: Path_ = (), required: bool = False) -> str:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem((*path, key) if key in mapping else path, f"'{key}' is required")
            return ""
        if not isinstance(value, (str, int, float)):
            self.problem((*path, key), f"'{key}' must be text")
            return ""
        return str(value)

    def _list(self, mapping: dict[str, Any], key: str) -> list[Any]:
        value = mapping.get(key) or []
        if not isinstance(value, list):
            self.problem((key,), f"'{key}' must be a list")
            return []
        return value

    def _defaults(self, defaults: Any) -> dict[str, Any]:
        if not isinstance(defaults, dict):
            self.problem(("defaults",), "'defaults' maps parameter names to values")
            return {}
        known = {name for cls in SERVICE_KINDS.values() for name in cls.specs()}
        self._keys(defaults, ("defaults",), sorted(known))
        return {k: v for k, v in defaults.items() if k in known}

    def _factors(self, factors: Any) -> dict[str, Any]:
        if not isinstance(factors, dict):
            self.problem(("factors",), "'factors' is a mapping: profile, parameters, licences")
            return {}
        self._keys(factors, ("factors",), FACTOR_KEYS)
        ok = True
        if "parameters" in factors and not isinstance(factors["parameters"], dict):
            self.problem(("factors", "parameters"), "'parameters' maps factor parameter names to values")
            ok = False
        if "licences" in factors and not isinstance(factors["licences"], list):
            self.problem(("factors", "licences"), "'licences' is a list of licence names")
            ok = False
        if "profile" in factors and not isinstance(factors["profile"], str):
            self.problem(("factors", "profile"), "'profile' is the id of a bundled profile or set, or a path")
            ok = False
        extra = factors.get("extra_sets", [])
        if not isinstance(extra, list) or not all(isinstance(e, str) and e for e in extra):
            self.problem(("factors", "extra_sets"), "'extra_sets' is a list of your factor folders (paths from the "
                                                    "inventory's folder)")
            ok = False
        chosen = {k: v for k, v in factors.items() if k in FACTOR_KEYS}
        if ok and chosen:
            self._check_factor_choice(chosen)
            if "profile" in chosen:  # a path is the inventory's folder's: recorded whole, so reports re-run it
                chosen["profile"] = _absolute(chosen["profile"], _folder_of(self.located.file))
            if "extra_sets" in chosen:
                chosen["extra_sets"] = [_absolute(e, _folder_of(self.located.file)) for e in chosen["extra_sets"]]
        return chosen

    def _check_factor_choice(self, factors: dict[str, Any]) -> None:
        """Load the factors asked for now, so a bad override or profile is reported at its line."""
        from ..errors import FactorDataError

        try:
            _factor_choice(factors, _folder_of(self.located.file))
        except FactorDataError as exc:
            names = sorted(factors.get("parameters") or {}, key=len, reverse=True)
            for problem in exc.problems:
                text = str(problem)
                name = next((n for n in names if f"parameters[{n}]" in text or f"override {n} =" in text), None)
                path: Path_ = (("factors", "parameters", name) if name is not None else
                               ("factors", "licences") if text.startswith("licences") else
                               ("factors", "parameters") if text.startswith("parameters") else
                               ("factors", "extra_sets") if "extra_sets" in factors else
                               ("factors", "profile") if "profile" in factors else ("factors",))
                self.problem(path, text.removeprefix(f"parameters[{name}]: "))

    def _hostings(self, items: Any, defaults: dict[str, Any]) -> dict[str, Hosting]:
        if not isinstance(items, list):
            self.problem(("hostings",), "'hostings' must be a list")
            return {}
        hostings: dict[str, Hosting] = {}
        for i, item in enumerate(items):
            for key in ("budget", "functional_unit"):
                if isinstance(item, dict) and key in item:
                    self.problem(("hostings", i, key), f"a hosting's impacts go to the services that take shares "
                                                       f"of it: give '{key}' to those services")
            entry = {"kind": "hosting", **{k: v for k, v in item.items() if k not in ("budget", "functional_unit")}} \
                if isinstance(item, dict) else item
            service = self._service(entry, ("hostings", i), defaults, {}, {})
            if isinstance(service, Hosting):
                if service.name in hostings:
                    self.problem(("hostings", i, "name"), f"hosting {service.name!r} is defined twice")
                hostings[service.name] = service
        return hostings

    def _services(self, items: Any, path: Path_, defaults: dict[str, Any], hostings: dict[str, Hosting],
                  basis: dict[str, str]) -> list[Service]:
        if not isinstance(items, list):
            self.problem(path, "'services' must be a list of service entries")
            return []
        services = []
        for i, item in enumerate(items):
            service = self._service(item, (*path, i), defaults, hostings, basis)
            if service is None:
                continue
            if service.name not in self.names:  # a dict: linear in the services
                self.names[service.name] = (*path, i, "name")
            else:
                first = self.names[service.name]
                line = self.located.where(first)[0]
                self.problem((*path, i, "name"), f"service name {service.name!r} is already used "
                                                 f"({format_path(first)}, line {line}): names must be unique")
                continue
            services.append(service)
        return services

    def _service(self, item: Any, path: Path_, defaults: dict[str, Any], hostings: dict[str, Hosting],
                 basis: dict[str, str]) -> Service | None:
        if not isinstance(item, dict):
            self.problem(path, "a service is a mapping with 'kind', 'name' and its parameters")
            return None
        kind = item.get("kind")
        known = self.kinds.get(kind) if isinstance(kind, str) else None
        if known is None:
            if not isinstance(kind, str) or kind not in SERVICE_KINDS:
                close = difflib.get_close_matches(str(kind), SERVICE_KINDS, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem((*path, "kind") if "kind" in item else path,
                             f"unknown kind {kind!r}{hint}; accepted: {', '.join(SERVICE_KINDS)}" if kind is not None
                             else f"'kind' is required; accepted: {', '.join(SERVICE_KINDS)}")
                return None
            known = self.kinds[kind] = _Kind.of(SERVICE_KINDS[kind])
        cls, specs, accepted, required, needed = known
        if not item.keys() <= accepted.keys():
            self._keys(item, path, accepted)
        name = item.get("name")
        if type(name) is not str or not name or name.isspace():  # else the name as written, as _text gives it
            name = self._text(item, "name", path, required=True)
            if not name:
                return None
        if item.get("basis"):
            basis[name] = str(item["basis"])
        if "budget" in item:
            self._euros(item["budget"], (*path, "budget"), self.budget, name)
        unit = self._declaration(item, "functional_unit", read_unit_entry, path) if "functional_unit" in item else {}
        if unit and unit["unit"] == self.inventory_unit:
            self.problem((*path, "functional_unit", "unit"),
                         f"{unit['unit']!r} is the inventory's own unit (its amount is the whole inventory's): give "
                         "this one another name")
        elif unit:
            self.service_units[name] = unit
        values = {k: v for k, v in defaults.items() if k in specs} if defaults else {}
        values.update({k: v for k, v in item.items() if k in specs})
        service = _built(cls, name, values, item.get("uncertainty") or {}, hostings, needed)
        if service is not None:
            return service
        ok = True  # something is wrong: each value is checked on its own, so that every problem is located
        for key, value in list(values.items()):
            where = (*path, key) if key in item else ("defaults", key)
            if key == "hosting" and value is not None:
                if not isinstance(value, str) or value not in hostings:
                    close = difflib.get_close_matches(str(value), hostings, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.problem(where, f"no hosting named {value!r} under 'hostings'{hint}")
                    ok = False
                    continue
                values[key] = hostings[value]
                continue
            try:
                specs[key].parse(value, name)
            except (ParameterError, LcaError) as exc:
                self.problem(where, str(exc).removeprefix(f"{name}: ").removeprefix(f"{key}: "))
                ok = False
        for missing in required:
            if missing not in values:
                self.problem(path, f"missing required parameter '{missing}' ({specs[missing].description})")
                ok = False
        if not ok:
            return None
        uncertainty = item.get("uncertainty") or {}
        if not isinstance(uncertainty, dict):
            self.problem((*path, "uncertainty"), "'uncertainty' maps parameter names to distributions, "
                                                 "e.g. {visits: 'lognormal gsd=1.2'}")
            return None
        try:
            return cls(name, uncertainty=uncertainty, **values)
        except (ParameterError, LcaError) as exc:
            message = str(exc).removeprefix(f"{name}: ")
            about = re.match(r"uncertainty of '([^']+)'", message)  # located at the distribution that is wrong
            where = (*path, "uncertainty", about.group(1)) if about and about.group(1) in uncertainty else path
            self.problem(where, message)
            return None


def _built(cls: type[Service], name: str, values: dict[str, Any], uncertainty: Any, hostings: dict[str, Hosting],
           required: frozenset[str]) -> Service | None:
    """The service when its entry is right (the constructor checks every value), else None: the entry is then
    checked value by value, to locate each problem."""
    hosting = values.get("hosting")
    if hosting is not None:
        if not isinstance(hosting, str) or hosting not in hostings:
            return None
        values = {**values, "hosting": hostings[hosting]}
    if not isinstance(uncertainty, dict) or not values.keys() >= required:
        return None
    try:
        return cls(name, uncertainty=uncertainty, **values)
    except (ParameterError, LcaError):
        return None
