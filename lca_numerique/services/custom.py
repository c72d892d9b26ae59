"""Custom services: a bill written by the user, line by line, for what no bundled model describes.

A researcher reproducing a published study, or an analyst with their own measurements, writes each line: a
catalogue flow, its amount with a unit (``"2.5 GB"``) or a formula of named values (``"mailboxes * weeks *
mb_per_week / 1000"``), its stage and its source; and the service's own audience (``"1200 user"``). Formulas
are evaluated with units by the safe evaluator of :mod:`lca_numerique.derivation`, and each result is
converted to its flow's canonical unit, so a wrong dimension raises. The service then goes through
everything else: explain(), stages, the engine, Monte Carlo, sensitivity, scenarios and reports.

Variables can be uncertain, as a bundled service's parameters are: ``uncertainty`` maps a variable's name to a
distribution in the same words (``lognormal gsd=1.5``, ``triangular low=4 high=6``, ``uniform low=4 high=6``,
``normal sd=0.5``; see :mod:`lca_numerique.uncertainty`) around the variable's value (its median for a
lognormal, its mode for a triangular). Bounds and spreads are in the variable's unit as written, or carry their
own unit (``uniform low=4 GB high=6000 MB`` for ``5 GB``); a unit of another dimension, a variable below zero
and bounds that do not hold the value are refused, naming the variable. Monte Carlo draws each uncertain
variable once per sample (on its own stream of numbers, ``service:<name>:<variable>``) and evaluates every line
formula on the arrays of draws, so lines sharing a variable move together; ``tornado`` moves each one alone.
``explain()`` shows each variable's distribution next to its value.

In an inventory::

    - kind: custom
      name: staff mailboxes
      audience_size: 1200 user
      variables: {mailboxes: 1200, storage_per_box: 5 GB, kept: 1 year}
      uncertainty: {storage_per_box: triangular low=2 GB high=10 GB}
      lines:
        - {flow: dc.storage@FR, formula: mailboxes * storage_per_box * kept, stage: storage,
           source: "IT department inventory, 2024"}
        - {flow: device.laptop@FR, amount: 1200 * 200 h, stage: receiver_device, source: "staff survey 2024"}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import units
from ..bill import STAGES, Audience, get_flow_or_bill_error
from ..derivation import evaluate_formula, formula_names
from ..errors import LcaError
from ..flows import FLOWS
from ..uncertainty import Distribution, parse_distribution
from .base import BillBuilder, Service
from .parameters import ParameterError, Spec

__all__ = ["LINE_KEYS", "Custom", "variable_distribution"]

LINE_KEYS = ("flow", "amount", "formula", "stage", "source")
_ANY = {"oneOf": [{"type": "number"}, {"type": "string"}]}
_LINE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["flow", "source"],
    "properties": {"flow": {"type": "string"}, "amount": _ANY, "formula": {"type": "string"},
                   "stage": {"enum": list(STAGES)}, "source": {"type": "string"}},
}


class Custom(Service):
    """A service whose bill lines the user writes (flow, amount or formula, stage, source), with its own
    audience unit."""

    kind = "custom"
    audience_unit = "user"  # each custom service states its own
    parameters = (
        Spec("audience_size", "The audience over the period with its unit, e.g. '1200 user' or '52 visit'.",
             kind="object", json_schema={"type": "string"}),
        Spec("lines", "The bill: each line a catalogue flow, an amount with its unit or a formula of named values, "
             "a stage and a source.", kind="object", json_schema={"type": "array", "items": _LINE_SCHEMA}),
        Spec("variables", "Named values the formulas use: numbers or quantities with their unit.", kind="object",
             default={}, source="convention: none unless the formulas need them",
             json_schema={"type": "object", "additionalProperties": _ANY}),
    )

    def check(self) -> None:
        audience = Audience.parse(self.audience_size, f"{self.name}: audience_size")
        self.audience_unit = audience.unit
        self._audience_amount = audience.amount
        if not isinstance(self.variables, Mapping):
            raise ParameterError(f"{self.name}: variables: expected a mapping of names to numbers or quantities")
        self._quantities = {}
        for key, value in self.variables.items():
            if not str(key).isidentifier():
                raise ParameterError(f"{self.name}: variables: {key!r} is not a name a formula can use (letters, "
                                     "digits and _)")
            field = f"{self.name}: variables[{key}]"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = repr(float(value))  # a plain number: dimensionless
            self._quantities[key] = units.parse_quantity(value, field)
        self._declared = dict(self._quantities)  # as written: the explanation's values, the draws' centres
        if not isinstance(self.lines, (list, tuple)) or not self.lines:
            raise ParameterError(f"{self.name}: lines: expected a list of lines (flow, amount or formula, stage, "
                                 "source)")
        for i, line in enumerate(self.lines):
            self._check_line(i, line)

    def _check_line(self, i: int, line: Any) -> None:
        field = f"{self.name}: lines[{i}]"
        if not isinstance(line, Mapping):
            raise ParameterError(f"{field}: expected a mapping with flow, amount or formula, stage and source")
        unknown = [k for k in line if k not in LINE_KEYS]
        if unknown:
            raise ParameterError(f"{field}: unknown key(s) {', '.join(map(repr, unknown))}; accepted: "
                                 f"{', '.join(LINE_KEYS)}")
        try:
            get_flow_or_bill_error(str(line.get("flow")))
        except LcaError as exc:
            raise ParameterError(f"{field}.flow: {exc}") from None
        if ("amount" in line) == ("formula" in line):
            raise ParameterError(f"{field}: give either an amount (with its unit) or a formula, not both or none")
        if line.get("stage", "other") not in STAGES:
            raise ParameterError(f"{field}.stage: {line['stage']!r} is not one of {', '.join(STAGES)}")
        if not str(line.get("source", "")).strip():
            raise ParameterError(f"{field}.source: say where this line's numbers come from")
        if "formula" in line:
            try:
                unknown_names = [n for n in formula_names(str(line["formula"])) if n not in self._quantities]
            except ValueError as exc:
                raise ParameterError(f"{field}.formula: {exc}") from None
            if unknown_names:
                raise ParameterError(f"{field}.formula: {', '.join(map(repr, unknown_names))} not among the "
                                     f"variables ({', '.join(self._quantities) or 'none given'})")
        self._amount(i, line)  # the dimension is checked now, not at evaluation

    def _parse_uncertainty(self, given: Mapping[str, str]) -> dict[str, Distribution]:
        """Distributions of the variables, in each variable's unit as written."""
        if not isinstance(given, Mapping):
            raise ParameterError(f"{self.name}: uncertainty: expected a mapping of variables to distributions, "
                                 "e.g. {size: 'lognormal gsd=1.5'}")
        return self._read_distributions(given, self._declared, "only variables can be uncertain; declared",
                                        lambda key, text: variable_distribution(text, self._declared[key]))

    def uncertain_value(self, name: str) -> tuple[float, float, float]:
        if name not in self._declared:
            return super().uncertain_value(name)
        return float(self._declared[name].magnitude), 0.0, math.inf  # bill amounts are not negative

    def with_samples(self, samples: Mapping[str, Any]) -> Service:
        """A copy whose variables (and parameters) named in ``samples`` hold arrays of draws, in each variable's
        unit as written: every line formula is then evaluated on the arrays (not validated again)."""
        drawn = {k: v for k, v in samples.items() if k in self._declared}
        clone = super().with_samples({k: v for k, v in samples.items() if k not in drawn})
        assert isinstance(clone, Custom)
        # each draw in its variable's own unit object: an unpickled service (a Dask worker's) keeps its registry
        clone._quantities = {**self._quantities, **{k: np.asarray(v, dtype=float) * self._declared[k].units
                                                     for k, v in drawn.items()}}
        return clone

    def _amount(self, i: int, line: Mapping[str, Any]) -> Any:
        """The line's amount in its flow's canonical unit (an array when variables hold samples)."""
        flow = FLOWS[line["flow"]]
        key = "formula" if "formula" in line else "amount"
        quantity = evaluate_formula(str(line["formula"]), self._quantities) if key == "formula" else line["amount"]
        field = f"{self.name}: lines[{i}].{key}"
        # data held in storage: "5 GB" reads as GB stored (as the storage flows count it)
        if np.ndim(getattr(quantity, "magnitude", 0)):  # samples: one conversion factor for all of them
            scale = units.to_magnitude(1.0 * quantity.units, flow.unit, field, implicit=flow.implicit,
                                       at_rest="stored" in flow.unit)
            return np.asarray(quantity.magnitude, dtype=float) * scale
        return units.to_magnitude(quantity, flow.unit, field, implicit=flow.implicit, at_rest="stored" in flow.unit)

    def audience_amount(self) -> float:
        return self._audience_amount

    def build(self, bill: BillBuilder) -> None:
        # Each line's amount, converted to its flow's canonical unit, is a named value whose note shows what the
        # user wrote (formula and values, or amount) and its source: the line's formula is that name.
        for i, line in enumerate(self.lines):
            name = f"line{i + 1}"
            written = str(line.get("formula", line.get("amount")))
            if "formula" in line:
                written += " with " + ", ".join(self._shown(n) for n in formula_names(written))
            bill.bind(name, self._amount(i, line), FLOWS[line["flow"]].unit, f"{written}; source: {line['source']}")
            bill.add(line["flow"], name, line.get("stage", "other"))


    def _shown(self, name: str) -> str:
        """``size = 5 gigabyte``, ``boxes = 1200``, with the declared distribution: ``size = 5 gigabyte ~
        uniform low=4 high=6 gigabyte``."""
        quantity = self._declared[name]
        unit = "" if quantity.dimensionless else f" {quantity.units}"
        text = f"{name} = {quantity.magnitude:g}{unit}"
        distribution = self._uncertainty.get(name) if hasattr(self, "_uncertainty") else None
        if distribution is not None:
            text += f" ~ {distribution}" + ("" if distribution.kind in ("lognormal", "none") else unit)
        return text


_ASSIGNMENT = re.compile(r"\s+(?=[A-Za-z_]\w*\s*=)")  # "low=4 GB high=6 GB" -> "low=4 GB", "high=6 GB"


def variable_distribution(text: Any, value: Any) -> Distribution:
    """A distribution declared for a variable of ``value`` (a pint Quantity), in the variable's unit as written.

    ``text`` is written as for any parameter (``lognormal gsd=1.5``, ``uniform low=4 high=6``...); a bound or a
    spread may carry its own unit (``low=4 GB``, ``sd=200 MB``), converted to the variable's; ``gsd`` has none.
    Raises ValueError (or UnitError) saying what is wrong: a unit of another dimension, a negative value or
    bound, bounds that do not hold the value, or anything :func:`~lca_numerique.uncertainty.parse_distribution`
    refuses.
    """
    if not isinstance(text, str) or not text.strip():
        return parse_distribution(text, float(value.magnitude))  # refuses what is not text, reads "" as none
    kind, _, rest = text.strip().partition(" ")
    numbers = []
    for assignment in _ASSIGNMENT.split(rest.strip()) if rest.strip() else []:
        name, sep, written = (part.strip() for part in assignment.partition("="))
        if not sep or not written:
            numbers.append(assignment)  # parse_distribution says what the kind takes
            continue
        numbers.append(f"{name}={_in_unit_of(written, value, name)!r}")
    distribution = parse_distribution(" ".join([kind, *numbers]), float(value.magnitude))
    if distribution.kind != "none" and value.magnitude < 0:
        raise ValueError(f"a variable with a declared uncertainty must be >= 0 (bill amounts are not negative); "
                         f"got {value.magnitude:g}")
    if dict(distribution.params).get("low", 0.0) < 0:
        raise ValueError(f"low={distribution.param('low'):g} is below 0: bill amounts are not negative")
    return distribution


def _in_unit_of(written: str, value: Any, name: str) -> float:
    """A distribution parameter written as a number (in the variable's unit) or a quantity (converted to it)."""
    quantity = units.parse_quantity(written, name)
    if name == "gsd" or quantity.unitless:
        if name == "gsd" and not quantity.unitless:
            raise ValueError(f"gsd is a factor without unit (1.5 means x/÷ 1.5); got {written!r}")
        number = float(quantity.magnitude)
    elif not quantity.is_compatible_with(value.units):
        raise ValueError(f"{name}={written!r} is not in a unit of the variable's dimension ({value.units})")
    else:
        number = float(quantity.to(value.units).magnitude)
    # a bound written as the value in another unit ("5000 MB" for 5 GB) is the value, not a rounding away from it
    return float(value.magnitude) if name in ("low", "high") and math.isclose(number, value.magnitude, rel_tol=1e-12) \
        else number
