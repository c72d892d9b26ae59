"""Derived factors: arithmetic formulas over named, sourced parameters, evaluated with units.

Factor data declares derived factors as formulas rather than typed-in results, for example
``smartphone.embodied.fabrication / (smartphone.lifetime * smartphone.daily_use)``. Only numbers, parameter
names (dotted names allowed), ``+ - * /``, ``**`` with a number exponent, and parentheses are accepted:
formulas are parsed with :mod:`ast` and never executed as Python. Formulas come with factor folders from
others, so their cost is bounded too: at most :data:`MAX_LENGTH` characters and :data:`MAX_NODES` terms,
exponents within ±:data:`MAX_EXPONENT`, constants within ±:data:`MAX_CONSTANT`, and a result that
overflows is refused rather than carried as infinity.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["MAX_CONSTANT", "MAX_EXPONENT", "MAX_LENGTH", "MAX_NODES", "evaluate_formula", "formula_names"]

MAX_LENGTH = 500  # characters
MAX_NODES = 200  # terms and operators
MAX_EXPONENT = 4  # as for unit powers (units.MAX_EXPONENT): squares and cubes of units, not power towers
MAX_CONSTANT = 1e15

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def formula_names(formula: str) -> tuple[str, ...]:
    """The parameter names a formula uses, in order of first appearance. Raises ValueError if malformed."""
    names: list[str] = []

    def record(name: str) -> _Name:
        if name not in names:
            names.append(name)
        return _Name()

    _compile(formula)(record)
    return tuple(names)


class _Name:
    """Stands for a parameter while only names are collected: every operation yields another stand-in."""

    def _any(self, *_: object) -> _Name:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _any
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = __pos__ = _any


def evaluate_formula(formula: str, values: Mapping[str, Any]) -> Any:
    """Evaluate ``formula`` with ``values`` (numbers or pint Quantities) bound to its names."""
    def lookup(name: str) -> Any:
        try:
            return values[name]
        except KeyError:
            raise ValueError(f"unknown parameter {name!r} in formula {formula!r}") from None

    return _compile(formula)(lookup)


@functools.lru_cache(maxsize=4096)
def _compile(formula: str) -> Callable[[Callable[[str], Any]], Any]:
    # Parsed and checked once: service models evaluate the same few hundred formulas for every service, and
    # Monte Carlo on arrays of samples.
    return _closure(_parse(formula))


def _parse(formula: str) -> ast.expr:
    if len(formula) > MAX_LENGTH:
        raise ValueError(f"formula of {len(formula)} characters; at most {MAX_LENGTH} are accepted")
    try:
        tree = ast.parse(formula.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"formula {formula!r} is not valid arithmetic: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"formula {formula[:40]!r}... is nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ValueError(f"formula {formula[:40]!r}... has more than {MAX_NODES} terms")
    return tree


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _closure(node: ast.expr) -> Callable[[Callable[[str], Any]], Any]:
    """A function of the name lookup computing ``node``; refuses anything but bounded arithmetic on names and
    numbers."""
    name = _dotted(node)
    if name is not None:
        return lambda lookup: lookup(name)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not abs(node.value) <= MAX_CONSTANT:
            raise ValueError(f"the constant {node.value:g} is beyond ±{MAX_CONSTANT:g}")
        constant = node.value
        return lambda lookup: constant
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        if isinstance(node.op, ast.Pow) and not _small_number(node.right):
            raise ValueError(f"an exponent must be a plain number within ±{MAX_EXPONENT}")
        op, left, right, text = _BINARY[type(node.op)], _closure(node.left), _closure(node.right), ast.unparse(node)

        def binary(lookup: Callable[[str], Any]) -> Any:
            try:
                result = op(left(lookup), right(lookup))
            except OverflowError:
                raise ValueError(f"{text!r} overflows") from None
            magnitude = getattr(result, "magnitude", result)
            if isinstance(magnitude, float) and math.isinf(magnitude):
                raise ValueError(f"{text!r} overflows")
            return result

        return binary
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _closure(node.operand)
        return (lambda lookup: -operand(lookup)) if isinstance(node.op, ast.USub) else operand
    raise ValueError(f"not allowed in a formula: {ast.unparse(node)!r}")


def _small_number(node: ast.expr) -> bool:
    """True for a literal number within ±MAX_EXPONENT, possibly signed: ``2``, ``-1``, ``0.5``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool) and abs(node.value) <= MAX_EXPONENT)
