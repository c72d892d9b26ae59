"""What every service model shares: declared parameters, a bill built line by line with its formula, explain().

A service is built from what an analyst knows (visits, page weight, views, resolution...). Every value
it does not get comes from a declared default with its source. ``bill_of_materials()`` turns the values
into quantities of catalogue flows; each line keeps the formula that produced it, so ``explain()`` can
show every number, marking what the user gave and what came from defaults.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..bill import Audience, BillOfMaterials, Line
from ..flows import FLOWS
from ..uncertainty import Distribution, parse_distribution
from .parameters import ParameterError, Spec, describe

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class BillBuilder:
    """Collects the lines of one service's bill, each with the formula (in parameter names) that produced it."""

    def __init__(self) -> None:
        self.lines: list[Line] = []

    def add(self, flow: str, amount: float, formula: str) -> None:
        """Add ``amount`` of ``flow`` (canonical unit); zero amounts are skipped (they carry no impact)."""
        if amount > 0:
            self.lines.append(Line(flow, float(amount), formula))


class SampledBillBuilder(BillBuilder):
    """Collects a bill whose amounts are arrays of Monte Carlo samples: flow -> summed amounts."""

    def __init__(self) -> None:
        super().__init__()
        self.amounts: dict[str, Any] = {}

    def add(self, flow: str, amount: Any, formula: str) -> None:
        """Add samples of ``amount`` (an array, or a number when nothing uncertain feeds it); zeros are skipped,
        as in a deterministic bill."""
        if not np.any(amount):
            return
        self.amounts[flow] = self.amounts.get(flow, 0.0) + amount


class Service:
    """Base class of service models. Subclasses declare ``kind``, ``audience_unit`` and ``parameters``,
    and implement :meth:`audience_amount` and :meth:`build`."""

    kind: ClassVar[str] = ""
    audience_unit: ClassVar[str] = ""
    parameters: ClassVar[tuple[Spec, ...]] = ()

    def __init__(self, name: str, *, uncertainty: Mapping[str, str] | None = None, **values: Any) -> None:
        if not name:
            raise ParameterError(f"a {self.kind or 'service'} needs a name")
        specs = self.specs()
        unknown = [k for k in values if k not in specs]
        if unknown:
            hints = {k: difflib.get_close_matches(k, specs, n=1, cutoff=0.6) for k in unknown}
            said = "; ".join(f"{k!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for k, h in hints.items())
            raise ParameterError(f"{name}: unknown parameter(s) {said} for a {self.kind}; "
                                 f"accepted: {', '.join(specs)}")
        missing = [s.name for s in specs.values() if s.required and s.name not in values]
        if missing:
            raise ParameterError(f"{name}: missing required parameter(s) {', '.join(missing)} for a {self.kind}")
        self.name = name
        self._given: dict[str, Any] = dict(values)
        self._values: dict[str, Any] = {
            s.name: s.parse(values[s.name], name) if s.name in values else s.default for s in specs.values()
        }
        self.check()
        self._uncertainty = self._parse_uncertainty(uncertainty or {})

    def _parse_uncertainty(self, given: Mapping[str, str]) -> dict[str, Distribution]:
        """Distributions of the uncertain parameters: declared defaults the user left, plus the user's own."""
        specs = self.specs()
        result: dict[str, Distribution] = {}
        for spec in specs.values():
            if spec.uncertainty and spec.name not in self._given and self._values[spec.name] is not None:
                result[spec.name] = parse_distribution(spec.uncertainty, self._values[spec.name])
        for key, text in given.items():
            if key not in specs or specs[key].kind not in ("quantity", "share"):
                numeric = [s.name for s in specs.values() if s.kind in ("quantity", "share")]
                raise ParameterError(f"{self.name}: uncertainty of {key!r}: only quantities and shares can be "
                                     f"uncertain; accepted: {', '.join(numeric)}")
            try:
                result[key] = parse_distribution(text, self._values[key])
            except ValueError as exc:
                raise ParameterError(f"{self.name}: uncertainty of {key!r}: {exc}") from None
        self._given_uncertainty = dict(given)
        return result

    @property
    def uncertainty(self) -> Mapping[str, Distribution]:
        """The distribution of every uncertain parameter (sampled by Monte Carlo)."""
        return dict(self._uncertainty)

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
        return {s.name: s for s in cls.parameters}

    @classmethod
    def describe_parameters(cls) -> pd.DataFrame:
        """A table documenting every parameter: unit, default, description, source, uncertainty."""
        import pandas as pd

        return pd.DataFrame(describe(cls.parameters))

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

    def bill_of_materials(self) -> BillOfMaterials:
        """The bill of materials: every line with the formula and values behind it."""
        bill = BillBuilder()
        self.build(bill)
        return BillOfMaterials(self.name, self.audience(), tuple(bill.lines), kind=self.kind)

    def explain(self) -> str:
        """Each bill line with its formula, then every parameter used with its value and origin."""
        bom = self.bill_of_materials()
        lines = [f"{self.kind} {self.name!r}: audience {bom.audience.amount:g} {bom.audience.unit}"]
        used: list[str] = []
        names = sorted(self._values, key=len, reverse=True)
        for line in bom.lines:
            lines.append(f"  {line.flow:32s} {line.amount:12.6g} {FLOWS[line.flow].unit:18s} = {line.origin}")
            for name in names:
                if name not in used and re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", line.origin):
                    used.append(name)
        lines.append("  where:")
        specs = self.specs()
        for name in sorted(used, key=list(specs).index):
            unit = f" {specs[name].unit}" if specs[name].unit else ""
            lines.append(f"    {name} = {format_value(self._values[name])}{unit}  [{self.origin(name)}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter display: every parameter with its value, unit and origin, then the bill lines."""
        import html

        specs = self.specs()
        rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(format_value(value))}</td>"
                       f"<td>{html.escape(specs[name].unit)}</td><td>{html.escape(self.origin(name))}</td></tr>"
                       for name, value in self._values.items())
        lines = "".join(f"<tr><td>{html.escape(line.flow)}</td><td>{line.amount:.6g}</td>"
                        f"<td>{html.escape(FLOWS[line.flow].unit)}</td><td>{html.escape(line.origin)}</td></tr>"
                        for line in self.bill_of_materials().lines)
        return (f"<p><b>{html.escape(self.kind)}</b> {html.escape(self.name)}</p>"
                "<table><tr><th>parameter</th><th>value</th><th>unit</th><th>origin</th></tr>" + rows + "</table>"
                "<table><tr><th>flow</th><th>amount</th><th>unit</th><th>formula</th></tr>" + lines + "</table>")

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"{type(self).__name__}({self.name!r}{', ' if given else ''}{given})"


def format_value(value: Any) -> str:
    """A parameter value as short text: numbers with %g, mixes as {key: share}, services by name."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Service):
        return f"{value.kind} {value.name!r}"
    return str(value)
