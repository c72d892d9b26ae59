"""Custom services: a bill written by the user, line by line, for what no bundled model describes.

A researcher reproducing a published study, or an analyst with their own measurements, writes each line: a
catalogue flow, its amount with a unit (``"2.5 GB"``) or a formula of named values (``"mailboxes * weeks *
mb_per_week / 1000"``), its stage and its source; and the service's own audience (``"1200 user"``). Formulas
are evaluated with units by the safe evaluator of :mod:`lca_numerique.derivation`, and each result is
converted to its flow's canonical unit, so a wrong dimension raises. The service then goes through
everything else: explain(), stages, the engine, Monte Carlo (factor uncertainty), scenarios and reports.

In an inventory::

    - kind: custom
      name: staff mailboxes
      audience_size: 1200 user
      variables: {mailboxes: 1200, storage_per_box: 5 GB, kept: 1 year}
      lines:
        - {flow: dc.storage@FR, formula: mailboxes * storage_per_box * kept, stage: storage,
           source: "IT department inventory, 2024"}
        - {flow: device.laptop@FR, amount: 1200 * 200 h, stage: receiver_device, source: "staff survey 2024"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import units
from ..bill import STAGES, Audience, get_flow_or_bill_error
from ..derivation import evaluate_formula, formula_names
from ..errors import LcaError
from ..flows import FLOWS
from .base import BillBuilder, Service
from .parameters import ParameterError, Spec

__all__ = ["LINE_KEYS", "Custom"]

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

    def _amount(self, i: int, line: Mapping[str, Any]) -> float:
        """The line's amount in its flow's canonical unit."""
        flow = FLOWS[line["flow"]]
        key = "formula" if "formula" in line else "amount"
        quantity = evaluate_formula(str(line["formula"]), self._quantities) if key == "formula" else line["amount"]
        # data held in storage: "5 GB" reads as GB stored (as the storage flows count it)
        return units.to_magnitude(quantity, flow.unit, f"{self.name}: lines[{i}].{key}", implicit=flow.implicit,
                                  at_rest="stored" in flow.unit)

    def audience_amount(self) -> float:
        return self._audience_amount

    def build(self, bill: BillBuilder) -> None:
        # Each line's amount, converted to its flow's canonical unit, is a named value whose note shows what the
        # user wrote (formula and values, or amount) and its source: the line's formula is that name.
        for i, line in enumerate(self.lines):
            name = f"line{i + 1}"
            written = str(line.get("formula", line.get("amount")))
            if "formula" in line:
                written += " with " + ", ".join(f"{n} = {_short(self._quantities[n])}" for n in formula_names(written))
            bill.bind(name, self._amount(i, line), FLOWS[line["flow"]].unit, f"{written}; source: {line['source']}")
            bill.add(line["flow"], name, line.get("stage", "other"))


def _short(quantity: Any) -> str:
    """``5 gigabyte``, ``1200`` (a dimensionless number without its unit)."""
    return f"{quantity.magnitude:g}" + ("" if quantity.dimensionless else f" {quantity.units}")
