"""Units: parsing, conversion, the domain dimensions, and errors that name the field."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lca_numerique.errors import UnitError
from lca_numerique.units import normalise_unit_text, parse_quantity, registry, to_magnitude


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("1500 MB", "GB", 1.5),
        ("1.5 GB", "GB", 1.5),
        ("2 Go", "MB", 2000.0),  # French octets
        ("1 KiB", "B", 1024.0),
        ("3 min", "hour", 0.05),
        ("2 kg CO2 eq / kWh", "g CO2e / Wh", 2.0),
        ("1 t CO2e", "kg CO2 eq", 1000.0),
        ("3 kg Sb eq", "g Sb eq", 3000.0),
        ("1 kBq U-235 eq", "Bq_U235eq", 1000.0),
        ("1 mol H+ eq", "mol_Heq", 1.0),
        ("5 m3 world eq deprived", "m3_world_eq", 5.0),
        ("1e-9 disease incidence", "disease_incidence", 1e-9),
        ("2 TB stored * year", "GB_stored * year", 2000.0),
        ("1 year", "day", 365.0),  # ADEME counts 365-day years
        ("12 visits", "visit", 12.0),
        (4.5, "W", 4.5),  # a plain number is taken in the documented unit
    ],
)
def test_conversions(value, unit, expected):
    assert to_magnitude(value, unit, "f") == pytest.approx(expected, rel=1e-12)


def test_pint_quantities_from_any_registry_are_accepted():
    import pint

    assert to_magnitude(registry().Quantity(2, "MB"), "kB", "f") == pytest.approx(2000)
    assert to_magnitude(pint.UnitRegistry().Quantity(2, "MB"), "kB", "f") == pytest.approx(2000)


def test_data_transferred_and_stored_do_not_add():
    import pint

    with pytest.raises(pint.errors.DimensionalityError):
        parse_quantity("1 GB", "a") + parse_quantity("1 GB_stored", "b")


def test_wrong_dimension_names_field_value_and_expected_dimension():
    with pytest.raises(UnitError) as info:
        to_magnitude("3 GB", "device_hour", "website: lines[device.smartphone@FR]", implicit="device")
    message = str(info.value)
    assert "website: lines[device.smartphone@FR]" in message
    assert "3 GB" in message
    assert "[device] * [time]" in message
    assert info.value.field == "website: lines[device.smartphone@FR]"


def test_transferred_gb_for_storage_explains_the_stored_unit():
    with pytest.raises(UnitError, match="GB_stored"):
        to_magnitude("10 GB * year", "GB_stored * year", "storage")


def test_implicit_counting_unit():
    assert to_magnitude("3 min", "device_hour", "f", implicit="device") == pytest.approx(0.05)
    assert to_magnitude("2 device-hours", "device_hour", "f") == pytest.approx(2.0)
    with pytest.raises(UnitError):  # a server-hour is not a device-hour
        to_magnitude("1 server_hour", "device_hour", "f", implicit="device")


@pytest.mark.parametrize("bad", ["abc", "3 parsecs of GB", float("nan"), True, [1, 2]])
def test_bad_values_raise_unit_error(bad):
    with pytest.raises(UnitError):
        to_magnitude(bad, "GB", "field")


def test_normalise_leaves_plain_units_alone():
    assert normalise_unit_text("kWh") == "kWh"
    assert normalise_unit_text("g CO2 eq / GB") == "g_CO2eq / GB"


def test_import_loads_neither_pint_nor_matplotlib():
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import lca_numerique"],
                         capture_output=True, text=True, check=True).stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.splitlines()}
    assert "pint" not in imported
    assert "matplotlib" not in imported


def test_stored_fields_may_read_plain_bytes_as_data_at_rest():
    assert to_magnitude("2 TB", "GB_stored", "hosting: storage", at_rest=True) == pytest.approx(2000)
    with pytest.raises(UnitError):
        to_magnitude("2 TB", "GB_stored", "lines[dc.storage@FR]")
