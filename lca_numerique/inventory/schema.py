"""The JSON Schema of inventory files, generated from the service models, so editors can complete and check them.

``python -m lca_numerique.inventory.schema`` prints it; the bundled copy is
``lca_numerique/schema/inventory.schema.json`` (a test keeps it equal to the generated one).
"""

from __future__ import annotations

import json
from typing import Any

from ..services import SERVICE_KINDS
from ..services.parameters import Spec
from .model import ENTRY_KEYS, FACTOR_KEYS

__all__ = ["SCHEMA_ID", "inventory_schema", "main"]

SCHEMA_ID = "https://lca-numerique.example/inventory.schema.json"
_QUANTITY = {"oneOf": [{"type": "number"}, {"type": "string"}]}
_BUDGET = {**_QUANTITY, "description": "Budget in euros (12000, '12 000 €'): results per euro."}
_UNIT = {"type": "object", "additionalProperties": False, "required": ["unit", "amount", "source"],
         "description": "A functional unit and how many of it: results per one unit.",
         "properties": {"unit": {"type": "string"}, "amount": {"type": "number", "exclusiveMinimum": 0},
                        "source": {"type": "string"}}}


def _parameter(spec: Spec) -> dict[str, Any]:
    default = "" if spec.required else f" Default: {spec.default!r} ({spec.source})."
    description = f"{spec.description}{' Unit: ' + spec.unit + '.' if spec.unit else ''}{default}"
    if spec.kind == "choice":
        return {"enum": list(spec.choices), "description": description}
    if spec.kind == "mix":
        return {"type": "object", "description": description + " Shares sum to 1.", "additionalProperties": False,
                "properties": {k: _QUANTITY for k in spec.keys}}
    if spec.kind == "flag":
        return {"type": "boolean", "description": description}
    if spec.json_schema is not None:
        return {**spec.json_schema, "description": description}
    if spec.kind == "object":
        return {"type": "string", "description": description + " The name of an entry under 'hostings'."}
    return {**_QUANTITY, "description": description}


def _service(kind: str, with_kind: bool = True) -> dict[str, Any]:
    cls = SERVICE_KINDS[kind]
    properties: dict[str, Any] = {
        "name": {"type": "string"},
        "basis": {"type": "string", "description": "Where this service's numbers come from."},
        "uncertainty": {"type": "object", "description": "Distributions of parameters, e.g. "
                        "{visits: 'lognormal gsd=1.2'} (lognormal, triangular, uniform, normal).",
                        "additionalProperties": {"type": "string"}},
    }
    if with_kind:
        properties.update({"kind": {"const": kind}, "budget": _BUDGET, "functional_unit": _UNIT})
    properties.update({s.name: _parameter(s) for s in cls.parameters})
    required = ["kind", "name"] if with_kind else ["name"]
    return {"type": "object", "description": (cls.__doc__ or "").strip(), "additionalProperties": False,
            "required": required + [s.name for s in cls.parameters if s.required], "properties": properties}


def inventory_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an inventory file."""
    services = {"type": "array", "items": {"oneOf": [_service(kind) for kind in SERVICE_KINDS]}}
    assert set(ENTRY_KEYS) <= {"kind", "name", "basis", "uncertainty", "budget", "functional_unit"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "lca_numerique inventory",
        "type": "object",
        "additionalProperties": False,
        "required": ["organisation"],
        "properties": {
            "inventory": {"const": 1},
            "organisation": {"type": "string"},
            "period": {"type": ["string", "integer"]},
            "illustrative": {"type": "boolean"},
            "notes": {"type": "string"},
            "factors": {"type": "object", "additionalProperties": False,
                        "properties": {k: {} for k in FACTOR_KEYS}},
            "population": {"type": "object", "additionalProperties": False, "required": ["inhabitants", "source"],
                           "description": "The population the inventory covers: results per inhabitant.",
                           "properties": {"inhabitants": {"type": "number", "exclusiveMinimum": 0},
                                          "source": {"type": "string"}, "year": {"type": "integer"}}},
            "functional_unit": _UNIT,
            "defaults": {"type": "object"},
            "hostings": {"type": "array", "items": _service("hosting", with_kind=False)},
            "campaigns": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["name"],
                "properties": {"name": {"type": "string"}, "budget": _BUDGET, "services": services}}},
            "services": services,
        },
    }


def main() -> None:
    """Print the schema."""
    print(json.dumps(inventory_schema(), ensure_ascii=False, indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
