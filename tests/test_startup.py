"""Start-up: the common path reads quantities and default uncertainties without pint or scipy, with the same
results as pint and scipy.

Oracles: pint itself (a quantity built by pint's registry and converted with ``.to``) for the table of fast
conversions; ``scipy.special.ndtri`` through :func:`lca_numerique.uncertainty.draw` for the finiteness check
of lognormal defaults; ``sys.modules`` of a fresh interpreter for what a path imports.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca_numerique import unit_table
from lca_numerique.errors import UnitError
from lca_numerique.uncertainty import Distribution, draw, parse_distribution
from lca_numerique.units import parse_unit, registry, to_magnitude

HEAVY = ("pint", "scipy", "matplotlib", "openpyxl")


def _imported(code: str, heavy: tuple[str, ...] = HEAVY) -> dict[str, bool]:
    probe = code + f"\nimport json, sys\njson.dump({{m: m in sys.modules for m in {heavy!r}}}, sys.stdout)\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_dependency() -> None:
    assert _imported("import lca_numerique") == dict.fromkeys(HEAVY, False)


def test_readme_example_reaches_its_first_table_without_pint_or_scipy() -> None:
    # the start-up benchmark's own examples (the README's Python example, as a notebook and as a tool: the
    # latter without pandas either), run once to fill the factor cache
    spec = importlib.util.spec_from_file_location("bench_startup", Path(__file__).parents[1] / "benchmarks"
                                                  / "bench_startup.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    for code, heavy in ((bench.EXAMPLE, HEAVY), (bench.EXAMPLE_TABLE, (*HEAVY, "pandas", "yaml"))):
        example = code.replace("json.dump(", "(lambda *a: None)(")  # keep stdout for the probe
        _imported(example, heavy)
        assert _imported(example, heavy) == dict.fromkeys(heavy, False)


def test_the_bundled_inventory_is_assessed_without_pint_or_scipy() -> None:
    code = ("from lca_numerique.cli import example_path\nfrom lca_numerique import load_inventory\n"
            "load_inventory(example_path()).evaluate().per_audience()\n")
    _imported(code)  # fills the factor cache
    assert _imported(code) == dict.fromkeys(HEAVY, False)


def test_fast_conversions_need_no_pint() -> None:
    code = ("from lca_numerique.units import to_magnitude\n"
            "assert to_magnitude('3 min', 'minute', 'duration') == 3.0\n"
            "assert to_magnitude('1,8 Mo', 'MB', 'page_weight') == 1.8\n"
            "assert abs(to_magnitude('2 TB', 'GB_stored', 'storage', at_rest=True) - 2000) < 1e-9\n"
            "assert to_magnitude('90 min', 'server_hour', 'compute', implicit='server') == 1.5\n"
            "assert to_magnitude('60 %', 'dimensionless', 'share') == 0.6\n")
    assert _imported(code)["pint"] is False


@pytest.mark.slow
def test_the_table_is_what_pint_gives() -> None:
    assert unit_table.generate() == unit_table.CONVERSIONS
    assert len(unit_table.CONVERSIONS) > 300  # the test compares a real table


def _pint_value(number: float, written: str, target: str, implicit: str | None, at_rest: bool) -> float | None:
    """The number with its unit converted by pint alone, as :func:`to_magnitude` documents it (None: refused)."""
    ureg = registry()
    quantity = ureg.Quantity(number, parse_unit(written))
    if at_rest and quantity.check("[information]"):
        quantity = quantity * ureg.Quantity(1, "B_stored / B")
    candidates = [quantity] + ([quantity * ureg.Quantity(1, implicit)] if implicit else [])
    for candidate in candidates:
        try:
            value = float(candidate.to(parse_unit(target)).magnitude)
        except pint.DimensionalityError:
            continue
        return value if math.isfinite(value) else None
    return None


_PAIRS = st.tuples(st.integers(0, 99_999), st.integers(0, 9999))
_NUMBERS = st.one_of(  # (text, the number it means) in English and French forms
    st.integers(0, 10**9).map(lambda i: (str(i), float(i))),
    _PAIRS.map(lambda p: (f"{p[0]}.{p[1]}", float(f"{p[0]}.{p[1]}"))),
    _PAIRS.map(lambda p: (f"{p[0]},{p[1] % 100:02d}", float(f"{p[0]}.{p[1] % 100:02d}"))),
    _PAIRS.map(lambda p: (f"{p[0] % 999 + 1} {p[1] % 1000:03d}", float((p[0] % 999 + 1) * 1000 + p[1] % 1000))),
    st.floats(1e-300, 1e300).map(lambda x: (repr(x), x)),
)
_OTHER_SPELLINGS = ("min/day", "GB / year", "kbit / second", "Mbit/s", "mo", "Kb", "server-hours", "TB stored")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=_NUMBERS, written=st.sampled_from(unit_table.SPELLINGS + _OTHER_SPELLINGS),
       target=st.sampled_from(unit_table.targets()), space=st.sampled_from(["", " ", "  "]))
def test_fast_path_gives_what_pint_gives(number: tuple[str, float], written: str,
                                         target: tuple[str, str | None, bool], space: str) -> None:
    text, value = number
    unit, implicit, at_rest = target
    try:
        expected = _pint_value(value, written, unit, implicit, at_rest)
    except UnitError:  # a spelling the library refuses (a millioctet, a barn...)
        expected = None
    try:
        got = to_magnitude(f"{text}{space}{written}", unit, "field", implicit=implicit, at_rest=at_rest)
    except UnitError:
        got = None
    assert got == expected


def _finite_by_scipy(gsd: float, value: float) -> bool:
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(draw(Distribution("lognormal", (("gsd", gsd),)), value,
                                     np.array([1e-12, 0.5, 1 - 1e-12]))).all())


@settings(max_examples=200, deadline=None)
@given(log_gsd=st.floats(0, 709), log_value=st.floats(-700, 700))
def test_lognormal_defaults_are_checked_as_scipy_would(log_gsd: float, log_value: float) -> None:
    gsd, value = math.exp(log_gsd), math.exp(log_value)
    try:
        parse_distribution(f"lognormal gsd={gsd!r}", value)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == _finite_by_scipy(gsd, value)


def test_lognormal_check_at_its_edge() -> None:
    # value 1: the top quantile overflows once ln(gsd) * 7.0344869 > ln(max float) = 709.78
    edge = math.log(sys.float_info.max) / 7.0344869100478356
    parse_distribution(f"lognormal gsd={math.exp(edge * 0.999)!r}", 1.0)
    with pytest.raises(ValueError, match="not finite"):
        parse_distribution(f"lognormal gsd={math.exp(edge * 1.001)!r}", 1.0)
    assert _finite_by_scipy(math.exp(edge * 0.999), 1.0) and not _finite_by_scipy(math.exp(edge * 1.001), 1.0)
