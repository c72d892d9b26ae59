"""Exceptions raised by lca_numerique.

Every error a user can trigger with bad input derives from :class:`LcaError`, so a caller (or the CLI)
can catch one class and print a clean message.
"""

from __future__ import annotations

from collections.abc import Sequence


class LcaError(Exception):
    """Base class of the library's errors."""


class UnitError(LcaError, ValueError):
    """A quantity has the wrong dimension, or cannot be parsed, for the field it was given to."""

    def __init__(self, field: str, value: object, expected: str, reason: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.reason = reason
        message = f"{field}: got {value!r}, expected a quantity in {expected}"
        if reason:
            message += f" ({reason})"
        super().__init__(message)


class FactorDataError(LcaError):
    """A factor set on disk is malformed. ``problems`` holds every problem found, not only the first."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in factor data:\n{lines}")


class BillError(LcaError, ValueError):
    """A bill of materials is invalid (unknown flow, negative or NaN quantity, empty bill...)."""


class IncompleteFactorsError(LcaError):
    """Raised when a complete result was required but some bill line has no factor for a criterion."""


class ArgumentError(LcaError, ValueError):
    """A function or command argument is outside what it accepts; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class ScenarioError(LcaError, ValueError):
    """A scenario does not fit the inventory it is applied to (a selector matches nothing...)."""


class OutputError(LcaError, OSError):
    """An output cannot be written safely: an existing report without ``force``, a symbolic link in the way,
    or a folder that holds other files."""
