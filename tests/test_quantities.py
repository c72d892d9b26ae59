"""Reading quantities as people write them: English and French numbers, ratios, percentages, refusals, bounds.

Expected values are written out by hand (or computed from the conversion table below, written from the SI
definitions, not from pint), never obtained from the parser under test.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.errors import LcaError, UnitError
from lca_numerique.services import Email, ParameterError, Website
from lca_numerique.units import parse_unit, read_number, to_magnitude

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        # issue 10 §1: a ratio of compatible units converts
        ("240 min/day", "hour/day", 4.0),
        ("4 hour/day", "hour/day", 4.0),
        ("2 h/j", "hour/day", 2.0),
        # shares as percentages
        ("60 %", "dimensionless", 0.6),
        ("60%", "dimensionless", 0.6),
        ("5 ppm", "dimensionless", 5e-6),
        ("0,6", "dimensionless", 0.6),
        # issue 10 §2: French decimal comma and thousands separators
        ("1,8 Mo", "MB", 1.8),
        ("1,8 MB", "MB", 1.8),
        ("1 800 kB", "MB", 1.8),
        ("1 800 ko", "MB", 1.8),
        (f"1{NBSP}800 ko", "MB", 1.8),
        (f"1{NNBSP}800 ko", "MB", 1.8),
        ("500 000", "visit", 500_000.0),
        ("500 000 visits", "visit", 500_000.0),
        ("1 800,5", "visit", 1800.5),
        ("1 800.5", "visit", 1800.5),
        ("1,800.5", "visit", 1800.5),
        ("1.800,5", "visit", 1800.5),
        ("1,800,000", "visit", 1_800_000.0),
        ("0,800", "dimensionless", 0.8),  # a leading 0 cannot be an English thousands group
        ("1234,567", "visit", 1234.567),  # neither: four digits before the comma
        ("1.800", "visit", 1.8),  # as YAML and Python read it
        ("1,5e3", "visit", 1500.0),
        # French unit symbols
        ("2 o", "B", 2.0),
        ("8 Mbit", "MB", 1.0),
        ("2 Go", "MB", 2000.0),
        ("1,5 To", "GB", 1500.0),
        ("3 j", "day", 3.0),
        ("90 min", "hour", 1.5),
        ("2 h", "min", 120.0),
        ("45 s", "min", 0.75),
        # products of numbers, and bounded unit powers
        ("1000 * 90 s", "hour", 25.0),
        ("3 m^2", "m**2", 3.0),
        ("2 s**-1", "1/s", 2.0),
    ],
)
def test_quantities_written_by_people(text, unit, expected):
    assert to_magnitude(text, unit, "f") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "unit", "says"),
    [
        ("1,800", "visit", "ambiguous"),
        ("1,800 ko", "MB", "ambiguous"),
        ("500k", "visit", "not a multiplier"),
        ("500 k visit", "visit", "not a multiplier"),
        ("5 M", "visit", "not a multiplier"),
        ("5 G", "dimensionless", "not a multiplier"),
        ("3 c", "m/s", "physical constant"),  # speed of light
        ("2 e", "C", "physical constant"),  # elementary charge
        ("2 R", "J/mol/K", "physical constant"),  # gas constant
        ("2 k_B", "J/K", "physical constant"),
        ("1,8 mo", "MB", "fraction of a byte"),  # millibyte, not megaoctet
        ("2 mB", "MB", "fraction of a byte"),
        ("10 Mb", "MB", "barn"),  # pint's b is the barn; a megabit is Mbit
        ("0.5 turn", "dimensionless", "angle"),  # pint: 3.14
        ("60 deg", "dimensionless", "angle"),
        ("3 decade", "dimensionless", "logarithmic"),  # pint: 1000
        ("3 dB", "dimensionless", "logarithmic"),
        ("3 octave", "dimensionless", "logarithmic"),  # pint: 8
        ("3 degC", "K", "offset"),
        ("1 2 visit", "visit", "grouped by thousands"),
        ("1 80 visit", "visit", "grouped by thousands"),
        ("1,80,000 visit", "visit", "grouped by thousands"),
        ("1,2.3,4", "visit", "grouped by thousands"),
        ("MB", "MB", "starts with a number"),
        ("nan", "MB", "starts with a number"),
        ("inf MB", "MB", "starts with a number"),
        ("", "MB", "starts with a number"),
    ],
)
def test_ambiguous_or_trap_text_is_refused_with_a_way_to_write_it(text, unit, says):
    with pytest.raises(UnitError, match=says) as info:
        to_magnitude(text, unit, "site: visits")
    assert info.value.field == "site: visits"
    assert str(info.value).startswith("site: visits: ")


def test_the_ambiguity_message_offers_both_readings():
    with pytest.raises(UnitError) as info:
        to_magnitude("1,800", "visit", "f")
    assert "1800 or '1 800' for 1800" in str(info.value)
    assert "1.8 or '1,8' for 1.8" in str(info.value)


def test_services_read_french_and_percentages():
    site = Website("s", visits="500 000", page_weight="1,8 Mo")
    assert (site.visits, site.page_weight) == (500_000.0, 1.8)
    assert Email("x", recipients=10, read_share="60 %").read_share == pytest.approx(0.6)
    assert Email("x", recipients=10, read_share="60%").read_share == pytest.approx(0.6)
    # A bare 60 is a share above 1: refused, and the message says how to write a percentage.
    with pytest.raises(ParameterError, match="'60 %'"):
        Email("x", recipients=10, read_share=60)
    with pytest.raises(UnitError, match="ambiguous"):
        Website("s", visits="1,800")
    with pytest.raises(ParameterError, match="not a multiplier"):
        Email("x", recipients=10, read_share="5 k")


def test_bounds_still_apply_after_converting_a_ratio():
    # pages_per_visit (dimensionless, minimum 0): the ratio is converted first (-120 min/hour is -2), then bounded.
    assert Website("s", visits=1, pages_per_visit="150 min/hour").pages_per_visit == pytest.approx(2.5)
    with pytest.raises(ParameterError, match="-2 is below the minimum 0"):
        Website("s", visits=1, pages_per_visit="-120 min/hour")


def test_factor_parameter_overrides_convert_ratios():
    by_minutes = lca.load_factors(parameters={"smartphone.daily_use": "240 min/day"})
    by_hours = lca.load_factors(parameters={"smartphone.daily_use": "4 hour/day"})
    assert by_minutes.parameters["smartphone.daily_use"].value == pytest.approx(4.0)
    assert by_hours.parameters["smartphone.daily_use"].value == pytest.approx(4.0)
    key = next(k for k, f in by_hours.factors.items() if "smartphone.daily_use" in (f.formula or ""))
    assert by_minutes.factors[key].value == pytest.approx(by_hours.factors[key].value, rel=1e-12)


def test_yaml_inventory_reads_french_numbers(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text('organisation: test\nservices:\n'
                    '  - {kind: website, name: site, visits: "500 000", page_weight: "1,8 Mo"}\n', encoding="utf-8")
    site = lca.load_inventory(path).services[0]
    assert (site.visits, site.page_weight) == (500_000.0, 1.8)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("1_000", 1000.0), ("1e3", 1000.0), ("'1 000'", 1000.0), ("010", "ambiguous"), ("1:30", "ambiguous"),
     ("0x10", "ambiguous"), ("0o17", "not a unit"), ("1:30.5", "ambiguous"), ("'1:30'", "90 min")],
)
def test_yaml_numbers_no_one_means_are_not_read_as_yaml_1_1_would(written, expected):
    """YAML 1.1 reads 1:30 as 90 (base 60), 1:30.5 as 90.5, 010 as 8 (octal) and 0x10 as 16: all refused."""
    text = f"organisation: x\nservices:\n  - kind: video\n    name: v\n    views: 10\n    duration: {written}\n"
    if isinstance(expected, float):
        assert lca.inventory.inventory_from_text(text).service("v").duration == expected
    else:
        with pytest.raises(lca.InventoryError, match=expected):
            lca.inventory.inventory_from_text(text)


def test_read_number_alone():
    assert read_number("1 800,5") == 1800.5
    assert read_number("−2,5") == -2.5  # U+2212 minus sign
    with pytest.raises(ValueError, match="ambiguous"):
        read_number("1,800")
    with pytest.raises(ValueError):
        read_number("1,8 Mo")  # a unit is not a number


# --- bounds (issue 11 §2) ----------------------------------------------------------------------------

HOSTILE = [
    "2**2**2**2**2**2 visit",
    "10**400 visit",
    "2^2^2^2^2 visit",
    "9" * 150 + "e9999 visit",
    "1e400 visit",
    "1e308 * 1e308 visit",
    "1 " + "visit * " * 40 + "visit",
    "1 visit**99999999",
    "1 visit**2**2**2**2",
    "1 ((((((visit))))))",
    "1 " + "m" * 300,
    "1" * 10_000,
    "1e308 TB",  # overflows once converted to MB
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_fail_fast_with_unit_error(text):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(UnitError):
            to_magnitude(text, "MB" if "TB" in text else "visit", "f")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0
    assert peak < 20e6


def test_unit_strings_have_the_same_bounds():
    assert parse_unit("kg CO2 eq / (tonne * km)") is not None
    for bad in ("m**5", "m**2**2", "k", "c", "1e400 * m", "m" * 300, "2 * m"):
        with pytest.raises(UnitError):
            parse_unit(bad, "unit")


# --- properties --------------------------------------------------------------------------------------

# Conversion factors to a target unit, written from the definitions (1 MB = 1000 kB, 1 h = 60 min...).
UNITS = {
    "MB": {"B": 1e-6, "o": 1e-6, "kB": 1e-3, "ko": 1e-3, "MB": 1.0, "Mo": 1.0, "GB": 1e3, "Go": 1e3,
           "To": 1e6, "KiB": 1.024e-3},
    "hour": {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "hour": 1.0, "j": 24.0, "day": 24.0},
    "hour/day": {"min/day": 1 / 60, "h/j": 1.0, "min/j": 1 / 60, "s/day": 1 / 3600, "hour/week": 1 / 7},
    "dimensionless": {"%": 0.01, "": 1.0},
    "visit": {"visit": 1.0, "visits": 1.0, "": 1.0},
}
UNIT_CHOICES = [(target, unit) for target, table in UNITS.items() for unit in table]


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


@st.composite
def written_numbers(draw):
    """(text, exact value, ambiguous?) for a number written in one of the accepted English or French forms."""
    whole = str(draw(st.integers(0, 10**9)))
    fraction = draw(st.text("0123456789", max_size=4))
    style = draw(st.sampled_from(["plain", "english", "french", "french_plain", "continental", "scientific"]))
    if style == "continental":  # "1.800,5"; without a decimal part, "1.800" is 1.8 as in YAML (documented)
        fraction = fraction or "5"
        text = _group(whole, ".") + "," + fraction
    elif style == "plain":
        text = whole + ("." + fraction if fraction else "")
    elif style == "english":
        text = _group(whole, ",") + ("." + fraction if fraction else "")
    elif style == "french":
        text = _group(whole, draw(st.sampled_from([" ", NBSP, NNBSP]))) + ("," + fraction if fraction else "")
    elif style == "french_plain":
        text = whole + ("," + fraction if fraction else "")
    else:
        exponent = draw(st.integers(-5, 5))
        text = f"{whole}.{fraction or '0'}e{exponent}"
        return text, Decimal(f"{whole}.{fraction or '0'}") * Decimal(10) ** exponent, False
    number = Decimal(whole + ("." + fraction if fraction else ""))
    ambiguous = bool(re.fullmatch(r"\d{1,3},\d{3}", text)) and text.split(",")[0].strip("0") != ""
    if draw(st.booleans()):
        text, number = "-" + text, -number
    return text, number, ambiguous


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_numbers(), st.sampled_from(UNIT_CHOICES), st.sampled_from(["", " ", NBSP]))
def test_written_numbers_read_back_to_their_value_or_are_refused(number, choice, joiner):
    text, value, ambiguous = number
    target, unit = choice
    written = text + (joiner + unit if unit else "")
    expected = float(value) * UNITS[target][unit]
    if ambiguous:
        with pytest.raises(UnitError, match="ambiguous"):
            to_magnitude(written, target, "f")
    else:
        assert to_magnitude(written, target, "f") == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 ,.eE+-*/^%()kKMGmoBsjhvisté" + NBSP, max_size=40))
def test_any_text_is_read_to_a_finite_number_or_refused_as_a_unit_error(text):
    start = time.perf_counter()
    try:
        value = to_magnitude(text, "visit", "f")
    except UnitError:
        pass
    else:
        assert value == value and abs(value) != float("inf")
    assert time.perf_counter() - start < 1.0


def test_every_refusal_is_a_library_error():
    assert issubclass(UnitError, LcaError)


# --- shared registry (issue 10 §5) -------------------------------------------------------------------

COLD_START = """
import json, threading
from importlib.resources import files
import lca_numerique as lca

path = files("lca_numerique") / "examples" / "metropole.yaml"
start = threading.Barrier({threads})
failures, totals = [], []

def work(evaluate):
    start.wait()  # every thread reaches the cold registry at once
    try:
        inventory = lca.load_inventory(path)
        bills = [service.bill_of_materials() for service in inventory.services]
        if evaluate:  # a few threads also load factors and evaluate (each cold factor load costs seconds)
            results = inventory.evaluate()
            totals.append(float(results.total(()).set_index("criterion").loc["climate_change", "value"]))
        totals.append(sum(sum(bill.amounts().values()) for bill in bills))
    except Exception as exc:
        failures.append(repr(exc)[:300])

threads = [threading.Thread(target=work, args=(i < 2,)) for i in range({threads})]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({{"failures": failures, "totals": totals}}))
"""


def test_cold_registry_is_built_once_under_many_threads():
    """Before the lock, 3 runs out of 3 had threads failing with "quantities of different registries"."""
    import json
    import subprocess
    import sys

    threads = 16
    runs = [subprocess.Popen([sys.executable, "-c", COLD_START.format(threads=threads)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        report = json.loads(out)
        assert report["failures"] == []
        assert len(report["totals"]) == threads + 2
        assert len(set(report["totals"])) == 2  # every thread computed the same totals


# --- factor formulas (issue 11 §2) -------------------------------------------------------------------


def test_formulas_within_bounds_evaluate():
    from lca_numerique.derivation import evaluate_formula

    values = {"a.b": 3.0, "c": 2.0}
    assert evaluate_formula("a.b ** 2 / c", values) == 4.5  # 9 / 2
    assert evaluate_formula("8760 * c - -1", values) == 17521.0
    assert evaluate_formula("c ** -4", values) == 0.0625


@pytest.mark.parametrize(
    ("formula", "says"),
    [
        ("c ** 5", "exponent"),
        ("2 ** 2 ** 2 ** 2 ** 2 ** 2", "exponent"),
        ("c ** c", "exponent"),
        ("10 ** 400", "exponent"),
        ("1e400 * c", "constant"),
        ("1e16 * c", "constant"),
        ("c" + " * 1e15" * 30, "overflows"),
        ("(" * 300 + "c" + ")" * 300, "nested|characters|terms"),
        ("c" + " + c" * 150, "characters|terms"),
        ("c" * 600, "characters"),
        ("c.__class__", "unknown parameter"),
        ("f(c)", "not allowed"),
    ],
)
def test_hostile_formulas_fail_fast(formula, says):
    from lca_numerique.derivation import evaluate_formula

    start = time.perf_counter()
    with pytest.raises(ValueError, match=says):
        evaluate_formula(formula, {"c": 2.0})
    assert time.perf_counter() - start < 1.0


def test_a_factor_formula_that_overflows_is_a_located_data_error(write_set):
    row = {"flow": "network.fixed@FR", "criterion": "climate_change", "phase": "use", "unit": "g CO2 eq / GB",
           "formula": "p * p * p * p"}
    folder = write_set([row], [{"name": "p", "value": "1e100", "unit": "dimensionless"}])
    with pytest.raises(lca.FactorDataError, match="overflows"):
        lca.load_factors(folder)
