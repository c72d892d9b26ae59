"""Exceptions raised by lca_numerique.

Every error a user can trigger with bad input derives from :class:`InputError`, and says where the problem
is (file, line, column and field, or the argument's name), so a caller (or the CLI) can catch one class and
print a clean message::

    LcaError
    ├── InputError                 bad input, located; ``problems`` lists every problem found
    │   ├── InventoryError         an inventory or scenario file (each problem a Problem: file:line:column: path)
    │   ├── FactorDataError        a factor-set folder, a profile, or factor parameter overrides
    │   ├── UnitError              a quantity with the wrong dimension or unreadable, for a named field
    │   ├── BillError              an invalid bill of materials
    │   ├── UnknownNameError       an unknown flow, criterion or service name (also a KeyError), with suggestions
    │   ├── ArgumentError          a function or command argument out of range, named
    │   └── ScenarioError          a scenario that does not fit the inventory it is applied to
    ├── IncompleteFactorsError     a complete result was required and some factor is missing
    └── OutputError                an output that cannot be written safely (also an OSError)
    InternalError                  a defect of the library, not of the input (not an LcaError): please report it

Anything else escaping the library is a defect too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ArgumentError",
    "BillError",
    "FactorDataError",
    "IncompleteFactorsError",
    "InputError",
    "InternalError",
    "InventoryError",
    "LcaError",
    "OutputError",
    "Problem",
    "ScenarioError",
    "UnitError",
    "UnknownNameError",
]


class LcaError(Exception):
    """Base class of the library's errors."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what is wrong."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # field path such as services[2].page_weight
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class InputError(LcaError, ValueError):
    """Bad input. ``problems`` holds every problem found (not only the first), each saying where it is."""

    what = "the input"

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {self.what}:\n{listing}")


class InventoryError(InputError):
    """An inventory (or scenario) file is invalid; each problem is a :class:`Problem` with file, line, column
    and field path."""

    what = "the inventory"

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems)


class FactorDataError(InputError):
    """A factor set on disk, a profile or a parameter override is invalid; each problem starts with its file
    and line (``factors.csv:12: ...``) or the argument's name."""

    what = "factor data"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(problems)


class UnitError(InputError):
    """A quantity has the wrong dimension, or cannot be parsed, for the field it was given to."""

    def __init__(self, field: str, value: object, expected: str, reason: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.reason = reason
        message = f"{field}: got {value!r}, expected a quantity in {expected}"
        if reason:
            message += f" ({reason})"
        self.problems = (message,)
        ValueError.__init__(self, message)


class BillError(InputError):
    """A bill of materials is invalid (unknown flow, negative or NaN quantity, empty bill...)."""

    def __init__(self, message: str) -> None:
        self.problems = (message,)
        ValueError.__init__(self, message)


class UnknownNameError(InputError, KeyError):
    """An unknown flow, criterion or service name. Also a KeyError, so ``except KeyError`` keeps working;
    unlike a bare KeyError, its message is printed as written and suggests the closest known names."""

    def __init__(self, what: str, name: object, known: Iterable[str], *, listing: str = "") -> None:
        known = list(known)
        self.name = name
        self.known = tuple(known)
        close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
        if close:
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?"
        else:
            hint = f"; {listing}" if listing else f"; known: {', '.join(known)}"
        message = f"unknown {what} {name!r}{hint}"
        self.problems = (message,)
        KeyError.__init__(self, message)

    def __str__(self) -> str:
        return str(self.args[0])


class IncompleteFactorsError(LcaError):
    """Raised when a complete result was required but some bill line has no factor for a criterion."""


class ArgumentError(InputError):
    """A function or command argument is outside what it accepts; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        self.problems = (f"{argument}: {message}",)
        ValueError.__init__(self, f"{argument}: {message}")


class ScenarioError(InputError):
    """A scenario does not fit the inventory it is applied to (a selector matches nothing...)."""

    def __init__(self, message: str) -> None:
        self.problems = (message,)
        ValueError.__init__(self, message)


class OutputError(LcaError, OSError):
    """An output cannot be written safely: an existing report without ``force``, a symbolic link in the way,
    or a folder that holds other files."""


class InternalError(RuntimeError):
    """A defect of the library (an invariant broken), not a problem with the input. Deliberately not an
    LcaError: whoever catches LcaError to report bad input must not blame the user for it."""
