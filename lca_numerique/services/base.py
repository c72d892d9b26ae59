"""What every service model shares: declared parameters, a bill built line by line with its formula, explain().

A service is built from what an analyst knows (visits, page weight, views, resolution...). Every value
it does not get comes from a declared default with its source. ``bill_of_materials()`` turns the values
into quantities of catalogue flows; each line keeps the formula that produced it, so ``explain()`` can
show every number, marking what the user gave and what came from defaults.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..bill import AUDIENCE_DEFINITIONS, Audience, BillOfMaterials, Line
from ..derivation import evaluate_formula, formula_names
from ..errors import BillError
from ..flows import FLOWS
from ..uncertainty import Distribution, parse_distribution
from .parameters import ParameterError, Spec, describe

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BillBuilder", "Explanation", "SampledBillBuilder", "Service", "format_value", "readable"]


class BillBuilder:
    """Collects the lines of one service's bill. Each line's amount is the value of its formula over named
    values (the parameters, a mix's shares as ``device_mix.tv``, and intermediate values defined with
    :meth:`let` or :meth:`bind`), computed by the safe formula evaluator of :mod:`lca_numerique.derivation`:
    the formula ``explain()`` shows is the very expression that gave the amount."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.names: dict[str, Any] = {}
        self.mixes: dict[str, tuple[str, ...]] = {}  # mix parameter -> its keys, each share named mix.key
        for name, value in values.items():
            if isinstance(value, Mapping):
                self.mixes[name] = tuple(value)
                self.names.update({f"{name}.{key}": share for key, share in value.items()})
            else:
                self.names[name] = value
        self.formulas: dict[str, str] = {}  # intermediate name -> its formula
        self.notes: dict[str, str] = {}  # looked-up name -> where its value comes from
        self.units: dict[str, str] = {}
        self.lines: list[Line] = []

    def let(self, name: str, formula: str, unit: str = "") -> Any:
        """Define ``name`` as the value of ``formula`` (over names already defined) and return it."""
        self.names[name] = evaluate_formula(formula, self.names)
        self.formulas[name] = formula
        self.units[name] = unit
        return self.names[name]

    def bind(self, name: str, value: Any, unit: str, note: str) -> Any:
        """Name a value taken from a table or another model; ``note`` says where it comes from."""
        self.names[name] = value
        self.notes[name] = note
        self.units[name] = unit
        return value

    def add(self, flow: str, formula: str, stage: str) -> None:
        """Add the value of ``formula`` as a quantity of ``flow`` (canonical unit) in ``stage``; zero amounts
        are skipped (they carry no impact)."""
        self.record(flow, evaluate_formula(formula, self.names), formula, stage)

    def record(self, flow: str, amount: Any, formula: str, stage: str) -> None:
        """Keep one evaluated line."""
        if amount > 0:
            self.lines.append(Line(flow, float(amount), formula, stage))

    def explanation(self) -> Explanation:
        """The lines and every name their formulas use, directly or through intermediate values."""
        used: list[str] = []
        pending = [name for line in self.lines for name in formula_names(line.origin)]
        while pending:
            name = pending.pop(0)
            if name not in used:
                used.append(name)
                pending.extend(formula_names(self.formulas[name]) if name in self.formulas else ())
        return Explanation(tuple(self.lines), {n: self.names[n] for n in used}, dict(self.formulas),
                           dict(self.notes), dict(self.units))


class SampledBillBuilder(BillBuilder):
    """Collects a bill whose amounts are arrays of Monte Carlo samples: flow -> summed amounts."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.amounts: dict[str, Any] = {}

    def record(self, flow: str, amount: Any, formula: str, stage: str) -> None:
        """Add samples of ``amount`` (an array, or a number when nothing uncertain feeds it); zeros are skipped,
        as in a deterministic bill."""
        if not np.any(amount):
            return
        self.amounts[flow] = self.amounts.get(flow, 0.0) + amount


@dataclass(frozen=True)
class Explanation:
    """What ``explain()`` shows: the bill's lines (formula in ``origin``) and the value of every name the
    formulas use; intermediate names also have their formula, looked-up names a note on their origin."""

    lines: tuple[Line, ...]
    values: Mapping[str, Any]
    formulas: Mapping[str, str]
    notes: Mapping[str, str]
    units: Mapping[str, str]


class Service:
    """Base class of service models. Subclasses declare ``kind``, ``audience_unit`` and ``parameters``,
    and implement :meth:`audience_amount` and :meth:`build`."""

    kind: ClassVar[str] = ""
    audience_unit: ClassVar[str] = ""
    parameters: ClassVar[tuple[Spec, ...]] = ()
    #: True when ``build()`` and ``audience_amount()`` read nothing but the parameters' values and compute with
    #: array-friendly arithmetic (formulas, no ``if`` on a number): services of the kind are then billed many at
    #: once, on arrays of their values (see :mod:`lca_numerique.services.stacking`). Off for other kinds.
    vectorised: ClassVar[bool] = False

    def __init__(self, name: str, *, uncertainty: Mapping[str, str] | None = None, **values: Any) -> None:
        if not name:
            raise ParameterError(f"a {self.kind or 'service'} needs a name")
        declared = _declared(type(self))
        specs = declared.specs
        unknown = [k for k in values if k not in specs]
        if unknown:
            hints = {k: difflib.get_close_matches(k, specs, n=1, cutoff=0.6) for k in unknown}
            said = "; ".join(f"{k!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for k, h in hints.items())
            raise ParameterError(f"{name}: unknown parameter(s) {said} for a {self.kind}; "
                                 f"accepted: {', '.join(specs)}")
        missing = [n for n in declared.required if n not in values]
        if missing:
            raise ParameterError(f"{name}: missing required parameter(s) {', '.join(missing)} for a {self.kind}")
        self.name = name
        self._given: dict[str, Any] = dict(values)
        self._values: dict[str, Any] = dict(declared.defaults)  # in declaration order, given values parsed below
        for key in sorted(values, key=declared.position.__getitem__):  # a bad value: the first declared is named
            self._values[key] = specs[key].parse(values[key], name)
        for spec in declared.default_from:
            if self._values[spec.name] is None:
                self._values[spec.name] = self._values[spec.default_from]
        self.check()
        self._uncertainty = self._parse_uncertainty(uncertainty or {})

    def _parse_uncertainty(self, given: Mapping[str, str]) -> dict[str, Distribution]:
        """Distributions of the uncertain parameters: declared defaults the user left, plus the user's own."""
        declared = _declared(type(self))
        result: dict[str, Distribution] = {}
        for spec in declared.uncertain:
            if spec.name not in self._given and self._values[spec.name] is not None:
                result[spec.name] = parse_distribution(spec.uncertainty, self._values[spec.name])
        result.update(self._read_distributions(
            given, declared.numeric, "only quantities and shares can be uncertain; accepted",
            lambda key, text: parse_distribution(text, self._values[key])))
        return result

    def _read_distributions(self, given: Mapping[str, str], accepted: Collection[str], refusal: str,
                            parse: Callable[[str, str], Distribution]) -> dict[str, Distribution]:
        """``parse(key, text)`` of each given distribution, each problem located at its key; a key outside
        ``accepted`` is refused with ``refusal`` and the accepted keys. Records what was given."""
        result: dict[str, Distribution] = {}
        for key, text in given.items():
            if key not in accepted:
                raise ParameterError(f"{self.name}: uncertainty of {key!r}: {refusal}: "
                                     f"{', '.join(accepted) or 'none'}")
            try:
                result[key] = parse(key, text)
            except ValueError as exc:  # UnitError is a ValueError too
                raise ParameterError(f"{self.name}: uncertainty of {key!r}: {exc}") from None
        self._given_uncertainty = dict(given)
        return result

    @property
    def uncertainty(self) -> Mapping[str, Distribution]:
        """The distribution of every uncertain parameter (sampled by Monte Carlo)."""
        return dict(self._uncertainty)

    def uncertain_value(self, name: str) -> tuple[float, float, float]:
        """The central value of the uncertain input ``name`` (in its declared unit) and the lowest and highest
        values its draws are kept within (its declared bounds; a share within [0, 1])."""
        spec = self.specs()[name]
        low = 0.0 if spec.minimum is None else spec.minimum
        high = 1.0 if spec.kind == "share" else (np.inf if spec.maximum is None else spec.maximum)
        return self._values[name], low, high

    @property
    def given_uncertainty(self) -> Mapping[str, str]:
        """The uncertainties the user declared, as written."""
        return dict(self._given_uncertainty)

    def with_samples(self, samples: Mapping[str, Any]) -> Service:
        """A copy whose parameters hold arrays of samples (for vectorised Monte Carlo; not validated again)."""
        clone = copy.copy(self)
        clone._values = {**self._values, **samples}
        return clone

    # -- declared parameters ----------------------------------------------------------------------------------
    @classmethod
    def specs(cls) -> dict[str, Spec]:
        """The parameters of this kind of service, by name."""
        return dict(_declared(cls).specs)

    @classmethod
    def describe_parameters(cls) -> pd.DataFrame:
        """A table documenting every parameter: unit, default, description, source, uncertainty."""
        import pandas as pd

        return pd.DataFrame(describe(cls.parameters))

    if not TYPE_CHECKING:  # type checkers read each kind's parameters from services/__init__.pyi instead

        def __getattr__(self, name: str) -> Any:
            values = self.__dict__.get("_values", {})
            if name in values:
                return values[name]
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    @property
    def values(self) -> Mapping[str, Any]:
        """Every parameter's value (given or default), in its declared unit."""
        return dict(self._values)

    @property
    def given(self) -> Mapping[str, Any]:
        """The parameters the user gave, as given (so the service can be written back to a file)."""
        return dict(self._given)

    def origin(self, parameter: str) -> str:
        """``"user"`` or ``"default: <source>"`` for one parameter."""
        if parameter in self._given:
            return "user"
        return f"default: {self.specs()[parameter].source}"

    def replace(self, **changes: Any) -> Service:
        """The same service with some parameters changed (the others keep their given values or defaults)."""
        return type(self)(changes.pop("name", self.name), uncertainty=self._given_uncertainty,
                          **{**self._given, **changes})

    def check(self) -> None:
        """Cross-parameter checks of a subclass (raise ParameterError); nothing by default."""

    # -- bill -------------------------------------------------------------------------------------------------
    def audience_amount(self) -> float:  # pragma: no cover - abstract
        """How much audience the service reaches, in ``audience_unit``."""
        raise NotImplementedError

    def build(self, bill: BillBuilder) -> None:  # pragma: no cover - abstract
        """Add the service's lines to ``bill``."""
        raise NotImplementedError

    def audience(self) -> Audience:
        """The service's audience over the period, with its unit."""
        return Audience(float(self.audience_amount()), self.audience_unit)

    def builder(self, builder: type[BillBuilder] = BillBuilder) -> BillBuilder:
        """A builder of ``builder``'s type holding this service's lines (sampled values give sampled lines)."""
        bill = builder(self._values)
        try:
            self.build(bill)
        except ZeroDivisionError:
            # A parameter the model divides by is 0 (or so small that a product of parameters underflows to 0).
            raise ParameterError(f"{self.name}: a {self.kind} cannot be computed when a parameter it divides by "
                                 "is 0; see describe_parameters() for each parameter's meaning") from None
        except BillError:
            raise
        except ValueError as exc:  # a formula overflows with these parameters
            raise ParameterError(f"{self.name}: {exc}; check the parameters' orders of magnitude") from None
        return bill

    def bill_of_materials(self) -> BillOfMaterials:
        """The bill of materials: every line with the formula and values behind it."""
        return BillOfMaterials(self.name, self.audience(), tuple(self.builder().lines), kind=self.kind)

    def explanation(self) -> Explanation:
        """Every bill line with its stage and formula, and the value of every name the formulas use."""
        return self.builder().explanation()

    def explain(self, lang: str = "en") -> str:
        """Each bill line with its stage and formula, then every value used: intermediate values with their
        formula, parameters with their origin (given by the user, or the default's source).

        Parameters
        ----------
        lang
            ``"en"``: ids and numbers as Python writes them (a text tools can parse); ``"fr"``: stages, units,
            origins and the names in formulas in French words (each value's line also gives the id an inventory
            file uses), numbers with six significant digits and a decimal comma.

        Returns
        -------
        str
            The trace, one line per bill line (stage, flow, amount in the flow's canonical unit, formula), then
            one per value the formulas use.
        """
        from ..i18n import BillTrace

        say = BillTrace(lang)
        shown = self.explanation()
        audience = self.audience()
        lines = [say.header(self.kind, self.name, audience.amount, audience.unit, AUDIENCE_DEFINITIONS[audience.unit])]
        width = max([16, *(len(say.stage(line.stage)) for line in shown.lines)])  # the stages in one column
        lines += [f"  {say.stage(line.stage):{width}s} {line.flow:32s} {say.number(line.amount):>12s} "
                  f"{say.unit(FLOWS[line.flow].unit):18s} = {say.formula(line.origin)}" for line in shown.lines]
        lines.append(f"  {say.where}")
        for name, formula, value, unit, origin in self._used_values(shown):
            value = say.value(shown.values[name] if name in shown.values else self._values[name], value)
            unit, origin = say.unit(unit), say.origin(origin)
            lines.append(f"    {say.named(name)} = {f'{say.formula(formula)} = ' if formula else ''}{value}"
                         f"{f' {unit}' if unit else ''}{f'  [{origin}]' if origin else ''}")
        return "\n".join(lines)

    def _used_values(self, shown: Explanation) -> list[tuple[str, str, str, str, str]]:
        """(name, formula, value, unit, origin) of every value the bill's formulas use, then every choice."""
        specs = self.specs()
        rows = []
        for name, value in shown.values.items():
            parameter = name.split(".")[0]  # a mix's share device_mix.tv belongs to device_mix
            if name in shown.formulas:
                rows.append((name, readable(shown.formulas[name]), format_value(value), shown.units[name], ""))
            elif name in shown.notes:
                rows.append((name, "", format_value(value), shown.units[name], shown.notes[name]))
            else:
                rows.append((name, "", format_value(value), specs[parameter].unit, self.origin(parameter)))
        # Choices shape the bill without appearing in formulas (flows, zones, tables looked up): shown too.
        rows += [(spec.name, "", format_value(self._values[spec.name]), "", self.origin(spec.name))
                 for spec in specs.values() if spec.kind in ("choice", "flag")]
        return rows

    def _repr_html_(self) -> str:
        """Jupyter display: the bill lines with their stage and formula, then every value they use."""
        import html

        shown = self.explanation()
        lines = "".join(f"<tr><td>{html.escape(line.stage)}</td><td>{html.escape(line.flow)}</td>"
                        f"<td>{line.amount:.6g}</td><td>{html.escape(FLOWS[line.flow].unit)}</td>"
                        f"<td>{html.escape(readable(line.origin))}</td></tr>" for line in shown.lines)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                       for row in self._used_values(shown))
        return (f"<p><b>{html.escape(self.kind)}</b> {html.escape(self.name)}</p>"
                "<table><tr><th>stage</th><th>flow</th><th>amount</th><th>unit</th><th>formula</th></tr>" + lines
                + "</table><table><tr><th>value</th><th>formula</th><th>value</th><th>unit</th><th>origin</th></tr>"
                + rows + "</table>")

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"{type(self).__name__}({self.name!r}{', ' if given else ''}{given})"


@dataclass(frozen=True)
class _Declaration:
    """What a kind's declared parameters say, read once per kind rather than for every service built."""

    specs: dict[str, Spec]
    position: dict[str, int]  # declaration order
    defaults: dict[str, Any]  # every parameter, in declaration order (REQUIRED for a required one)
    required: tuple[str, ...]
    default_from: tuple[Spec, ...]
    uncertain: tuple[Spec, ...]  # with a declared uncertainty
    numeric: tuple[str, ...]  # quantities and shares: what may be given an uncertainty


def _declared(cls: type[Service]) -> _Declaration:
    if cls not in _DECLARED:
        _DECLARED[cls] = _declaration(cls.parameters)
    return _DECLARED[cls]


_DECLARED: dict[type[Service], _Declaration] = {}


def _declaration(declared: tuple[Spec, ...]) -> _Declaration:
    return _Declaration({s.name: s for s in declared}, {s.name: i for i, s in enumerate(declared)},
                        {s.name: s.default for s in declared}, tuple(s.name for s in declared if s.required),
                        tuple(s for s in declared if s.default_from), tuple(s for s in declared if s.uncertainty),
                        tuple(s.name for s in declared if s.kind in ("quantity", "share")))


def readable(formula: str) -> str:
    """A formula as shown to people: × for multiplication."""
    return formula.replace(" * ", " × ")


def format_value(value: Any) -> str:
    """A parameter value as short text: numbers with %g, mixes as {key: share}, services by name."""
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Service):
        return f"{value.kind} {value.name!r}"
    return str(value)
