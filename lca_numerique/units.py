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
* French byte symbols are accepted: ``o``, ``ko``, ``Mo``, ``Go``.
"""

from __future__ import annotations

import math
import re
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

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
# specific patterns come before the generic ones.
_EQ = r"[\s\-_]*(?:eq\b\.?|e\b|éq\b\.?)"
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
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
)

_registry: pint.UnitRegistry | None = None


def registry() -> pint.UnitRegistry:
    """The library's pint registry, built on first call (about 0.3 s) and shared afterwards."""
    global _registry
    if _registry is None:
        _registry = _build_registry()
    return _registry


def _build_registry() -> pint.UnitRegistry:
    import pint

    # pint's own definition file, with the three changes documented in the module docstring. We edit
    # the text rather than redefine afterwards because units derived from ``bit`` and ``year`` (byte,
    # century...) are resolved against the first definition.
    folder = Path(pint.__file__).parent
    text = (folder / "default_en.txt").read_text(encoding="utf-8")
    text = text.replace("@import constants_en.txt", (folder / "constants_en.txt").read_text(encoding="utf-8"))
    for old, new in (
        ("\nbit = []\n", "\nbit = [information] = b\n"),
        ("\nyear = 365.25 * day = a = yr = julian_year\n", "\nyear = 365 * day = a = yr\njulian_year = 365.25 * day\n"),
        ("byte = 8 * bit = B = octet", "byte = 8 * bit = B = octet = o"),
    ):
        if old not in text:  # pragma: no cover - guards against a change of pint's definition file
            raise RuntimeError(f"pint's definitions changed; cannot apply {new.strip()!r}")
        text = text.replace(old, new)
    ureg = pint.UnitRegistry(None, cache_folder=None)
    ureg.load_definitions(text.splitlines())
    for definition in _DOMAIN_DEFINITIONS:
        ureg.define(definition)
    return ureg


def normalise_unit_text(text: str) -> str:
    """Rewrite the usual spellings of LCA units ("kg CO2 eq", "kBq U-235 eq", "GB stored") to registry names."""
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text.strip()


def parse_unit(unit: str, field: str = "unit") -> pint.Unit:
    """Parse a unit expression such as ``"kg CO2 eq / kWh"``; raise :class:`UnitError` naming ``field``."""
    import pint

    try:
        return registry().parse_units(normalise_unit_text(unit))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise UnitError(field, unit, "a unit pint understands", reason=str(exc)) from None


def parse_quantity(value: Any, field: str) -> pint.Quantity:
    """A pint Quantity from a string such as ``"2.5 MB"`` or from a Quantity (re-expressed in our registry)."""
    import pint

    ureg = registry()
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is ureg:
            return value
        # A Quantity from another registry: re-read it through its text, so our dimensions apply.
        value = str(value.magnitude) if value.unitless else f"{value.magnitude!r} {value.units}"
    if not isinstance(value, str):
        raise UnitError(field, value, "a number, a string such as '2.5 MB', or a pint Quantity")
    try:
        quantity = ureg.Quantity(normalise_unit_text(value))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise UnitError(field, value, "a number followed by a unit, e.g. '2.5 MB' or '3 min'", str(exc)) from None
    if not isinstance(quantity, pint.Quantity):  # a bare number in a string: "12"
        quantity = ureg.Quantity(quantity)
    return quantity


def describe_unit(unit: str) -> str:
    """``unit`` with its dimension, for error messages: ``"device_hour ([device] * [time])"``."""
    dims = registry().get_dimensionality(parse_unit(unit))
    return f"{unit} ({dims})" if dims else f"{unit} (dimensionless)"


def to_magnitude(value: Any, unit: str, field: str, *, implicit: str | None = None, at_rest: bool = False) -> float:
    """Express ``value`` in ``unit`` and return the bare number.

    ``value`` may be a plain number (taken to be in ``unit`` already; pint is not touched), a string such as
    ``"2.5 MB"``, or a pint Quantity. ``implicit`` names a counting unit that a value may leave out: with
    ``unit="device_hour"`` and ``implicit="device"``, ``"3 min"`` means three minutes on one device.
    ``at_rest`` lets a field that can only mean stored data (a hosting's storage) read plain ``"2 TB"`` as
    ``"2 TB_stored"``; bill lines and factors never get this leniency.
    A quantity of the wrong dimension raises :class:`UnitError` naming ``field``, the value and the
    dimension expected. NaN is refused; the sign is the caller's business.
    """
    if isinstance(value, bool):
        raise UnitError(field, value, describe_unit(unit), "a boolean is not a quantity")
    if isinstance(value, Real):
        magnitude = float(value)
    else:
        quantity = parse_quantity(value, field)
        if quantity.unitless:  # "1.2e6" in a YAML file is text: a bare number, read in the documented unit
            quantity = registry().Quantity(float(quantity.magnitude), parse_unit(unit, field))
        if at_rest and "information" in str(quantity.dimensionality) and "stored" not in str(quantity.dimensionality):
            quantity = quantity * registry().Quantity(1, "B_stored / B")
        magnitude = _convert(quantity, unit, field, implicit)
    if math.isnan(magnitude):
        raise UnitError(field, value, describe_unit(unit), "NaN is not a quantity")
    return magnitude


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
    reason = f"its dimension is {quantity.dimensionality or 'dimensionless'}"
    if quantity.dimensionality == ureg.get_dimensionality("byte") and "stored" in str(target.dimensionality):
        reason += "; data at rest is written 'GB_stored' (plain 'GB' is data transferred)"
    raise UnitError(field, _show(quantity), describe_unit(unit), reason)


def _show(quantity: pint.Quantity) -> str:
    return f"{quantity.magnitude:g} {quantity.units:~}".strip()
