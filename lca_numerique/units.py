"""Units: one pint registry for the whole library, built on first use, plus the domain units.

pint costs a few tenths of a second to import and build, so nothing here touches it at import time:
:func:`registry` builds it the first time a string or a pint Quantity has to be understood. Plain numbers
never need it.

Domain conventions that differ from pint's defaults, and why:

* **Data transferred and data stored are different dimensions.** ``GB`` (``[information]``) is data moved
  over a network; ``GB_stored`` (``[stored_information]``) is data at rest. Adding one to the other is a
  category error, and pint refuses it. (pint's default makes ``bit`` dimensionless; we give it a dimension
  so that a data volume can never be mistaken for a plain number either.)
* **A year is 365 days**, as in ADEME's models (pint's default is the Julian year of 365.25 days, which
  would shift every per-hour allocation by 0.07 %). ``julian_year`` remains available.
* Device-hours, server-hours and vCPU-hours carry a counting dimension (``[device]``, ``[server]``,
  ``[vcpu]``), so a server-hour cannot be booked on a smartphone. Fields whose unit is one of these also
  accept a bare duration ("3 min"), read as that duration on one device.
* Each impact criterion has its own dimension (kg CO2 eq cannot be added to kg Sb eq), and so does each
  kind of audience (visits are not views).
* French symbols are accepted: ``o``, ``ko``, ``Mo``, ``Go``, ``To`` for bytes, ``j`` for a day (``h``,
  ``min``, ``s`` are shared with English).

How text is read (:func:`parse_quantity`, used by every entry point: Python arguments, YAML, template cells,
factor parameter overrides): a number in English or French form (``1800.5``, ``1,800.5``, ``1 800,5`` with a
space, no-break space or narrow no-break space, ``1,8``), then an optional unit. A number without unit is
taken in the field's documented unit; with a unit it is converted, ratios included (``240 min/day`` is
4 ``hour/day``, ``60 %`` is 0.6). What could be read two ways or is a trap is refused with the way to write
it: ``1,800`` (1.8 or 1800?), ``500k`` (pint's Boltzmann constant), any physical constant (``3 c``, ``2 e``),
``mo`` (a millibyte, not a megaoctet), ``Mb`` (a megabarn), angles and logarithmic units (``0.5 turn`` or
``3 decade`` would be a dimensionless 3.14 or 1000). Inputs are bounded, since inventories travel:
at most :data:`MAX_TEXT` characters, no power on numbers (``10**400``), unit powers within
±:data:`MAX_EXPONENT`, non-finite results refused.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "AUDIENCE_UNITS",
    "MAX_EXPONENT",
    "MAX_TEXT",
    "conversion_factor",
    "describe_unit",
    "normalise_unit_text",
    "parse_quantity",
    "parse_unit",
    "read_number",
    "registry",
    "to_magnitude",
]

#: Units of audience: each is its own dimension, so audiences of different kinds never add up.
AUDIENCE_UNITS: tuple[str, ...] = (
    "visit",
    "page_view",
    "view",
    "impression",
    "recipient",
    "reader",
    "listen",
    "copy",
    "participant",
    "follower",
    "inhabitant",
    "user",
    "download",
)

_DOMAIN_DEFINITIONS: tuple[str, ...] = (
    "byte_stored = [stored_information] = B_stored = o_stored",
    "device = [device]",
    "device_hour = device * hour = device_h",
    "server = [server]",
    "server_hour = server * hour = server_h",
    "vCPU = [vcpu] = vcpu",
    "vCPU_hour = vCPU * hour = vcpu_hour = vCPU_h",
    # Impact criteria: one dimension each.
    "gram_CO2eq = [climate_change] = g_CO2eq = gCO2e = gCO2eq",
    "tonne_CO2eq = 1e6 * gram_CO2eq = t_CO2eq = tCO2e",
    "gram_Sbeq = [mineral_resources] = g_Sbeq = gSbeq",
    "CTUe = [ecotoxicity]",
    "CTUh = [human_toxicity]",
    "mol_Heq = [acidification]",
    "becquerel_U235eq = [ionising_radiation] = Bq_U235eq",
    "disease_incidence = [particulate_matter]",
    "m3_world_eq = [water_deprivation]",
    "gram_Peq = [freshwater_eutrophication] = g_Peq",
    "gram_Neq = [marine_eutrophication] = g_Neq",
    "mol_Neq = [terrestrial_eutrophication]",
    "gram_NMVOCeq = [photochemical_ozone] = g_NMVOCeq",
    "gram_CFC11eq = [ozone_depletion] = g_CFC11eq",
    "land_use_point = [land_use] = LU_pt",
    *(f"{unit} = [{unit}]" for unit in AUDIENCE_UNITS),
)

# How people write criterion and domain units, rewritten to the registry's names. Order matters: the
# specific patterns come before the generic ones. Compiled on first use: the fast path of common units
# (:func:`to_magnitude` with :mod:`lca_numerique.unit_table`) never needs them.
_EQ = r"[\s\-_]*(?:eq\b\.?|e\b|éq\b\.?)"
_REWRITE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"[·×]", "*"),
    (r"(?<![\w])([kMGTµm]?g|t)\s*(?:CO2|CO₂)" + _EQ, r"\1_CO2eq"),
    (r"(?<![\w])([kmµ]?g)\s*Sb" + _EQ, r"\1_Sbeq"),
    (r"(?<![\w])mol\s*H\+?" + _EQ, "mol_Heq"),
    (r"(?<![\w])([kMG]?Bq)\s*U[\s\-]?235" + _EQ, r"\1_U235eq"),
    (r"(?<![\w])([kmµ]?g)\s*NMVOC" + _EQ, r"\1_NMVOCeq"),
    (r"(?<![\w])([kmµ]?g)\s*CFC[\s\-]?11" + _EQ, r"\1_CFC11eq"),
    (r"(?<![\w])([kmµ]?g)\s*P" + _EQ, r"\1_Peq"),
    (r"(?<![\w])mol\s*N" + _EQ, "mol_Neq"),
    (r"(?<![\w])([kmµ]?g)\s*N" + _EQ, r"\1_Neq"),
    (r"(?<![\w])m(?:3|³)\s*(?:world)?" + _EQ + r"(?:\s*deprived)?", "m3_world_eq"),
    (r"disease[\s_]+incidence", "disease_incidence"),
    (r"(?<![\w])[Pp]t(?![\w])", "LU_pt"),
    (r"(?<![\w])([kMGTPE]?i?[Bo])\s+stored(?![\w])", r"\1_stored"),
    (r"(?<![\w])(device|server|vCPU)[\s\-]+hours?(?![\w])", r"\1_hour"),
)


@functools.cache
def _rewrites() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in _REWRITE_PATTERNS)


_registry_lock = threading.Lock()
_state: tuple[pint.UnitRegistry, frozenset[str]] | None = None


def registry() -> pint.UnitRegistry:
    """The library's pint registry, built on first call (about 0.3 s) and shared afterwards.

    Built once under a lock: threads that start cold all get the same registry (quantities of two registries
    cannot be combined). A host application that wants its own quantities to combine with the library's
    without re-reading makes this registry its application registry
    (``pint.set_application_registry(lca_numerique.units.registry())``); quantities from any other registry
    are accepted too, re-read through their text so that the library's dimensions and checks apply.
    """
    return _shared()[0]


def _shared() -> tuple[pint.UnitRegistry, frozenset[str]]:
    global _state
    if _state is None:
        with _registry_lock:
            if _state is None:
                _state = _build_registry()
    return _state


def _build_registry() -> tuple[pint.UnitRegistry, frozenset[str]]:
    """The registry, and the names of pint's physical constants (which no input of ours may use)."""
    import pint

    # pint's own definition file, with the three changes documented in the module docstring. We edit
    # the text rather than redefine afterwards because units derived from ``bit`` and ``year`` (byte,
    # century...) are resolved against the first definition.
    folder = Path(pint.__file__).parent
    text = (folder / "default_en.txt").read_text(encoding="utf-8")
    constants = (folder / "constants_en.txt").read_text(encoding="utf-8")
    text = text.replace("@import constants_en.txt", constants)
    for old, new in (
        ("\nbit = []\n", "\nbit = [information]\n"),
        ("\nyear = 365.25 * day = a = yr = julian_year\n", "\nyear = 365 * day = a = yr\njulian_year = 365.25 * day\n"),
        ("byte = 8 * bit = B = octet", "byte = 8 * bit = B = octet = o"),
        ("day = 24 * hour = d", "day = 24 * hour = d = j = jour"),
    ):
        if old not in text:  # pragma: no cover - guards against a change of pint's definition file
            raise RuntimeError(f"pint's definitions changed; cannot apply {new.strip()!r}")
        text = text.replace(old, new)
    ureg = pint.UnitRegistry(None, cache_folder=None)
    ureg.load_definitions(text.splitlines())
    for definition in _DOMAIN_DEFINITIONS:
        ureg.define(definition)
    names = {line.split("=", 1)[0].strip() for line in constants.splitlines()
             if "=" in line and not line.lstrip().startswith(("#", "@"))}
    return ureg, frozenset(names)


# Reading quantities written by people. One reader serves every entry point (Python arguments, YAML,
# template cells, factor parameter overrides), so a spelling reads the same everywhere. It accepts English
# and French numbers and refuses what could be read two ways, rather than guess.
MAX_TEXT = 200  # characters in a quantity or unit string
MAX_EXPONENT = 4  # largest |n| in a unit power such as m**2 or s^-1; numbers themselves take no power
_SPACE = "[ \u00a0\u202f\u2009]"  # space, no-break space, narrow no-break space, thin space
_LEADING_NUMBER = re.compile(
    rf"(?P<sign>[+\-\u2212]?)(?P<body>(?:\d|[.,]\d)[\d.,]*(?:{_SPACE}+\d[\d.,]*)*)(?P<exponent>[eE][+\-\u2212]?\d+)?"
)
_SPACES = re.compile(f"{_SPACE}+")
_UNIT_TOKEN = re.compile(r"\s*(?:(?P<name>[^\W\d]\w*|%)|(?P<op>\*\*|\^|[*/()])|(?P<number>[+\-\u2212]?\d+)"
                         r"|(?P<superscript>\u207b?[\u00b9\u00b2\u00b3\u2074])|(?P<other>\S))")
# Letters people put after a number for "thousand", "million"...: pint would read a constant or a unit in
# them ("500k" is 500 Boltzmann constants, "5 M" five molar, "5 G" five gauss). Refused as a quantity's
# first unit; inside a unit expression ("J/K") they keep their pint meaning.
_MULTIPLIER_LETTERS = frozenset({"k", "K", "M", "G", "T", "P", "E", "Md", "Mds", "mille"})
_SUB_UNIT_PREFIXES = frozenset({"deci", "centi", "milli", "micro", "nano", "pico", "femto", "atto", "zepto",
                                "yocto", "ronto", "quecto"})
_BYTES = frozenset({"byte", "bit", "byte_stored"})
_HOW_TO_WRITE = "a unit written after the number, e.g. '2.5 MB', '1,8 Mo', '1 800 ko' or '3 min'"


class _Unreadable(ValueError):
    """Why a text is not a quantity; turned into a UnitError naming the field."""


def normalise_unit_text(text: str) -> str:
    """Rewrite the usual spellings of LCA units ("kg CO2 eq", "kBq U-235 eq", "GB stored") to registry names."""
    for pattern, replacement in _rewrites():
        text = pattern.sub(replacement, text)
    return text.strip()


def parse_unit(unit: str, field: str = "unit") -> pint.Unit:
    """Parse a unit expression such as ``"kg CO2 eq / kWh"``; raise :class:`UnitError` naming ``field``.

    The same bounds as for quantities apply: at most :data:`MAX_TEXT` characters, powers of at most
    :data:`MAX_EXPONENT`, no physical constant.
    """
    if not isinstance(unit, str):
        raise UnitError(field, unit, "a unit pint understands", "a unit is text, e.g. 'kg CO2 eq / kWh'")
    try:
        return _unit(unit)
    except _Unreadable as exc:
        raise UnitError(field, unit, "a unit pint understands", str(exc)) from None


@functools.lru_cache(maxsize=1024)
def _unit(text: str) -> pint.Unit:
    if len(text) > MAX_TEXT:
        raise _Unreadable(f"longer than {MAX_TEXT} characters")
    text = normalise_unit_text(text)
    _check_unit_tokens(text)
    ureg, constants = _shared()
    try:
        unit = ureg.parse_units(text)
    except Exception as exc:  # pint's parser fails on odd text with assertions, tokenize errors...
        raise _Unreadable(f"not a unit pint understands ({exc or type(exc).__name__})") from None
    for name, power in ureg.Quantity(1, unit).unit_items():
        _check_unit_name(ureg, name, constants)
        if abs(power) > MAX_EXPONENT:
            raise _Unreadable(f"{name} is raised to the power {power:g}; at most {MAX_EXPONENT} is accepted")
    return unit


def _check_unit_tokens(text: str) -> None:
    """Refuse what pint would read but no one means: powers of numbers, big exponents, stray letters."""
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _UNIT_TOKEN.finditer(text)]
    depth = 0
    for i, (kind, token) in enumerate(tokens):
        before = tokens[i - 1] if i else (None, "")
        after = tokens[i + 1] if i + 1 < len(tokens) else (None, "")
        if kind == "other":
            hint = ": write a duration as '90 min' or '1.5 h'" if token == ":" else ""
            raise _Unreadable(f"unexpected character {token!r} in the unit{hint}")
        if kind == "op" and token in ("**", "^"):
            if after[0] != "number":
                raise _Unreadable("a unit power must be a whole number, e.g. 'm**2' or 's^-1'")
            if i + 2 < len(tokens) and tokens[i + 2][1] in ("**", "^"):
                raise _Unreadable("powers of powers are not accepted")
        if kind == "number":
            power = before[1] in ("**", "^")
            if not power and not (token == "1" and after[1] == "/"):
                raise _Unreadable(f"a number ({token}) inside the unit; write the number first, then the unit")
            if power and abs(int(token.replace("\u2212", "-"))) > MAX_EXPONENT:
                raise _Unreadable(f"the power {token} is above {MAX_EXPONENT}")
        if token == "(":
            depth += 1
            if depth > 3:
                raise _Unreadable("more than 3 nested parentheses")
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise _Unreadable("a ')' closes no '('")
    if depth:
        raise _Unreadable("a '(' is not closed")


def _check_unit_name(ureg: pint.UnitRegistry, name: str, constants: frozenset[str]) -> None:
    for prefix, base, _ in ureg.parse_unit_name(name) or (("", name, ""),):
        if base in constants:
            raise _Unreadable(f"{name!r} is a physical constant in pint, not a unit of this field"
                              f"{'; for thousands write 500000 or 500 000' if base == 'boltzmann_constant' else ''}")
        root = ureg.get_root_units(name)[1]
        if "radian" in str(root):
            raise _Unreadable(f"{name!r} is an angle; shares are written 0.6 or '60 %'")
        one, three = (ureg.Quantity(n, name).to_root_units().magnitude for n in (1, 3))
        if not math.isclose(three, 3 * one):  # degC (an offset), dB, octave, decade (logarithms)
            raise _Unreadable(f"{name!r} is not proportional to its value (an offset or logarithmic unit)")
        if base == "barn":
            raise _Unreadable(f"{name!r} is read as the barn (an area); bits are written 'bit' ('Mbit'), bytes "
                              "'B' or 'o' ('MB', 'Mo')")
        if base in _BYTES and prefix in _SUB_UNIT_PREFIXES:
            raise _Unreadable(f"{name!r} is a fraction of a byte ({prefix}); megabytes are written MB or Mo, "
                              "kilobytes kB or ko")


def read_number(text: str) -> float:
    """The number written at the whole of ``text``, in English or French form; raises ValueError if ambiguous.

    Accepted: ``1800``, ``1800.5``, ``1,800.5``, ``1 800,5`` (space, no-break space or narrow no-break space
    between thousands), ``1,8`` (decimal comma), ``1.800,5``, ``1.5e3``. ``1.800`` is 1.8, as in YAML and
    Python. Refused: ``1,800`` (1.8 in French, 1800 in English), badly grouped digits, non-finite numbers.
    """
    match = _LEADING_NUMBER.fullmatch(text.strip())
    if match is None:
        raise _Unreadable(f"{text!r} is not a number")
    return _number(match)


def _number(match: re.Match[str]) -> float:
    body = match["body"]
    parts = _SPACES.split(body)
    if len(parts) > 1:  # "1 800", "1 800,5", "1 800.5"
        last, mark, fraction = _partition_decimal(parts[-1], body)
        _check_groups([*parts[:-1], last], body)
        digits = "".join([*parts[:-1], last]) + ("." + fraction if mark else "")
    elif "," in body and "." in body:  # "1,800.5" or "1.800,5": the last mark is the decimal one
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        whole, _, fraction = body.rpartition(decimal)
        groups = whole.split("." if decimal == "," else ",")
        _check_groups(groups, body)
        _check_digits(fraction, body)
        digits = "".join(groups) + "." + fraction
    elif body.count(",") > 1 or body.count(".") > 1:  # "1,800,000" or "1.800.000"
        groups = body.split("," if "," in body else ".")
        _check_groups(groups, body)
        digits = "".join(groups)
    elif "," in body:
        whole, _, fraction = body.partition(",")
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole.strip("0"):
            raise _Unreadable(f"{body!r} is ambiguous (1.8 in French, 1800 in English): write "
                              f"{whole}{fraction} or '{whole} {fraction}' for {whole}{fraction}, "
                              f"{whole}.{fraction.rstrip('0') or '0'} or '{whole},{fraction.rstrip('0') or '0'}' "
                              f"for {whole}.{fraction.rstrip('0') or '0'}")
        _check_digits(fraction, body)
        digits = f"{whole or '0'}.{fraction}"
    else:
        digits = body
    exponent = (match["exponent"] or "").replace("\u2212", "-")
    value = float(digits + exponent)
    if not math.isfinite(value):
        raise _Unreadable(f"{match[0]!r} is too large")
    return -value if match["sign"] in ("-", "\u2212") else value


def _partition_decimal(group: str, body: str) -> tuple[str, str, str]:
    for mark in (",", "."):
        if mark in group:
            whole, _, fraction = group.partition(mark)
            _check_digits(fraction, body)
            return whole, mark, fraction
    return group, "", ""


def _check_groups(groups: list[str], body: str) -> None:
    head, *rest = groups
    if not (head.isdigit() and len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in rest)):
        raise _Unreadable(f"digits in {body!r} are not grouped by thousands: write e.g. 1800000, "
                          "'1 800 000' or '1,800,000'")


def _check_digits(fraction: str, body: str) -> None:
    if fraction and not fraction.isdigit():
        raise _Unreadable(f"{body!r} has more than one decimal mark")


def parse_quantity(value: Any, field: str, expected: str | None = None) -> pint.Quantity:
    """A pint Quantity from a string such as ``"2.5 MB"`` or ``"1,8 Mo"``, or from a pint Quantity.

    A string is a number (see :func:`read_number`) followed by an optional unit (see :func:`parse_unit`); a
    number without unit comes back dimensionless, for the caller to read in its documented unit. A Quantity
    from another registry is re-read through its text, so the library's dimensions apply. Anything
    ambiguous, unbounded or non-finite raises :class:`UnitError` naming ``field`` (and the ``expected`` unit,
    when the caller gives it).
    """
    import pint

    ureg = registry()
    if isinstance(value, pint.Quantity):
        value = _from_pint(value, field)
        if value._REGISTRY is ureg:
            return value
        value = f"{float(value.magnitude)!r} {value.units}"
    if not isinstance(value, str):
        raise UnitError(field, value, "a number, a string such as '2.5 MB', or a pint Quantity")
    magnitude, unit = _read_text(value, field, expected)
    return ureg.Quantity(magnitude, unit or _unit("dimensionless"))


def _read_text(text: str, field: str, expected: str | None) -> tuple[float, pint.Unit | None]:
    """The number and the unit (None when none is written) of a quantity string."""
    try:
        magnitude, unit = _read(text)
        return magnitude, _unit(unit) if unit else None
    except _Unreadable as exc:
        raise UnitError(field, text, describe_unit(expected) if expected else _HOW_TO_WRITE, str(exc)) from None


def _from_pint(value: pint.Quantity, field: str) -> pint.Quantity:
    try:
        magnitude = float(value.magnitude)
    except (TypeError, ValueError):
        raise UnitError(field, value, "a single quantity", "arrays are not accepted here") from None
    if not math.isfinite(magnitude):
        raise UnitError(field, value, "a finite quantity", "infinite or NaN")
    return value


def _read(text: str) -> tuple[float, str]:
    """The number and the unit text ("" when none) of a quantity string; the unit is checked by the caller."""
    if len(text) > MAX_TEXT:
        raise _Unreadable(f"longer than {MAX_TEXT} characters")
    rest = text.strip()
    magnitude = 1.0
    while True:  # a product of numbers is accepted: "1000 * 90 s"
        match = _LEADING_NUMBER.match(rest)
        if match is None:
            raise _Unreadable("a quantity starts with a number")
        magnitude *= _number(match)
        rest = rest[match.end():].strip()
        if rest.startswith(("**", "^")):
            raise _Unreadable("a number cannot be raised to a power; write its value, e.g. 1e6")
        if not rest.startswith("*"):
            break
        rest = rest[1:].strip()
        if not _LEADING_NUMBER.match(rest):
            break
    if not math.isfinite(magnitude):
        raise _Unreadable("too large")
    first = _UNIT_TOKEN.match(rest)
    if first and first["name"] in _MULTIPLIER_LETTERS:
        raise _Unreadable(f"a bare {first['name']!r} after a number is not a multiplier: write 500000 or "
                          f"'500 000' rather than '500{first['name']}'")
    return magnitude, rest


def describe_unit(unit: str) -> str:
    """``unit`` with its dimension, for error messages: ``"device_hour ([device] * [time])"``."""
    dims = registry().get_dimensionality(parse_unit(unit))
    return f"{unit} ({dims})" if dims else f"{unit} (dimensionless)"


def to_magnitude(value: Any, unit: str, field: str, *, implicit: str | None = None, at_rest: bool = False) -> float:
    """Express ``value`` in ``unit`` and return the bare number.

    ``value`` may be a plain number (taken to be in ``unit`` already; pint is not touched), a string such as
    ``"2.5 MB"`` or ``"1 800 ko"`` (a string holding only a number is also read in ``unit``), or a pint
    Quantity. A ratio of units of the same dimension converts: ``"240 min/day"`` in ``hour/day`` is 4, and
    ``"60 %"`` in ``dimensionless`` is 0.6. ``implicit`` names a counting unit that a value may leave out: with
    ``unit="device_hour"`` and ``implicit="device"``, ``"3 min"`` means three minutes on one device.
    ``at_rest`` lets a field that can only mean stored data (a hosting's storage) read plain ``"2 TB"`` as
    ``"2 TB_stored"``; bill lines and factors never get this leniency.
    A quantity of the wrong dimension raises :class:`UnitError` naming ``field``, the value and the
    dimension expected. NaN and infinite values are refused; the sign is the caller's business.
    """
    if isinstance(value, bool):
        raise UnitError(field, value, describe_unit(unit), "a boolean is not a quantity")
    if isinstance(value, Real):
        magnitude = float(value)
    elif isinstance(value, str) and (fast := _fast_magnitude(value, unit, implicit, at_rest)) is not None:
        magnitude = fast
    else:
        number, quantity = _written(value, field, unit)
        # No unit written ("1.2e6" in YAML is text): the number is in `unit`, and pint is not needed.
        magnitude = number if quantity is None else _in_unit(quantity, unit, field, implicit, at_rest)
    if not math.isfinite(magnitude):
        raise UnitError(field, value, describe_unit(unit), "NaN and infinite values are not quantities")
    return magnitude


def _fast_magnitude(text: str, unit: str, implicit: str | None, at_rest: bool) -> float | None:
    """``text`` in ``unit`` without pint, when its unit is a common spelling whose conversion factor to
    ``unit`` is in :data:`lca_numerique.unit_table.CONVERSIONS` (pint's own factor, so the result is the one
    pint gives); None otherwise, and for anything the full reader must word an error about."""
    try:
        number, written = _read(text)
    except _Unreadable:
        return None
    if not written:
        return number
    from .unit_table import CONVERSIONS  # a module of its own, imported with the first unit written

    factor = CONVERSIONS.get((written, unit, implicit, at_rest))
    return None if factor is None else number * factor


def conversion_factor(written: str, unit: str, implicit: str | None = None, at_rest: bool = False) -> float | None:
    """pint's factor from the unit ``written`` after a number to ``unit`` (with :func:`to_magnitude`'s
    ``implicit`` and ``at_rest``), or None when :func:`to_magnitude` refuses it. Builds the registry: used to
    write and check the table of fast conversions, :mod:`lca_numerique.unit_table`."""
    try:
        number, quantity = _written(f"1 {written}", "unit", unit)
        if quantity is None or number != 1.0 or _read(f"1 {written}")[1] != written:
            return None
        return _in_unit(quantity, unit, "unit", implicit, at_rest)
    except UnitError:
        return None


def _written(value: Any, field: str, unit: str) -> tuple[float, pint.Quantity | None]:
    """The number of a string or Quantity, and the Quantity itself when it has a unit."""
    if isinstance(value, str):
        number, written = _read_text(value, field, unit)
        return number, None if written is None else registry().Quantity(number, written)
    quantity = parse_quantity(value, field, unit)
    return float(quantity.magnitude), quantity if quantity.unit_items() else None


def _in_unit(quantity: pint.Quantity, unit: str, field: str, implicit: str | None, at_rest: bool) -> float:
    if at_rest and "information" in str(quantity.dimensionality) and "stored" not in str(quantity.dimensionality):
        quantity = quantity * registry().Quantity(1, "B_stored / B")
    return _convert(quantity, unit, field, implicit)


def _convert(quantity: pint.Quantity, unit: str, field: str, implicit: str | None) -> float:
    import pint

    ureg = registry()
    target = parse_unit(unit, field)
    candidates = [quantity]
    if implicit is not None:
        candidates.append(quantity * ureg.Quantity(1, parse_unit(implicit, field)))
    for candidate in candidates:
        try:
            return float(candidate.to(target).magnitude)
        except pint.errors.DimensionalityError:
            continue
        except OverflowError:
            raise UnitError(field, _show(quantity), describe_unit(unit), "too large once converted") from None
    reason = f"its dimension is {quantity.dimensionality or 'dimensionless'}"
    if quantity.dimensionality == ureg.get_dimensionality("byte") and "stored" in str(target.dimensionality):
        reason += "; data at rest is written 'GB_stored' (plain 'GB' is data transferred)"
    raise UnitError(field, _show(quantity), describe_unit(unit), reason)


def _show(quantity: pint.Quantity) -> str:
    return f"{quantity.magnitude:g} {quantity.units:~}".strip()
