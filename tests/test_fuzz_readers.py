"""Every file the library reads is untrusted: whatever its content, it loads or is refused with a located
input error, within a time and memory bound.

Two parts: the crafted files of ``tests/fixtures/hostile/`` (each a finding of the security review, kept as a
regression: every one crashed, hung or was misread before), and ``hypothesis`` fuzzing of the inventory,
factor-folder (metadata, parameters, factors CSV) and profile readers. The bound is measured, not assumed:
``tracemalloc`` for the peak memory the reader allocates, the wall clock for time.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.errors import InputError, Problem
from lca_numerique.factors import FACTOR_COLUMNS, PARAMETER_COLUMNS, load_factor_set, load_factors
from lca_numerique.inventory import inventory_from_text, load_inventory

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
MAX_SECONDS = 20.0  # generous (tracemalloc slows allocation, CI machines are busy); a hang or a bomb is far above
MAX_PEAK_BYTES = 64_000_000  # a bomb would need gigabytes


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Build the unit registry and the bundled factor sets once, so the bounds measure reading, not setup."""
    load_factors()


def bounded(read: Callable[[], Any]) -> InputError | None:
    """Run ``read``; return the InputError it raised (None if it loaded). Any other exception fails the test,
    and so does a peak allocation or a duration above the bounds."""
    tracemalloc.start()
    start = time.perf_counter()
    error: InputError | None = None
    try:
        read()
    except InputError as exc:
        error = exc
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"took {elapsed:.1f} s"
    assert peak < MAX_PEAK_BYTES, f"allocated {peak / 1e6:.0f} MB"
    return error


def assert_located(error: InputError, file: str) -> None:
    """Every problem names the file; those of a YAML file also give a line, unless they are about the whole
    file (empty, not UTF-8, not a mapping)."""
    assert error.problems
    for problem in error.problems:
        if isinstance(problem, Problem):
            assert problem.file.endswith(file), problem
            assert problem.line > 0 or not problem.path, problem
        else:  # a factor-data problem: the file (and line) it is in, or the argument it is about
            assert re.search(r"[^/\s]+\.(yaml|csv)(:\d+)*: |^(parameters|licences)\b", problem), problem
    assert any(file in str(problem) for problem in error.problems), error


# -- the crafted files ------------------------------------------------------------------------------------------

INVENTORIES = {
    "merge_key.yaml": "merge keys (<<) are not accepted",
    "unknown_tag.yaml": "the tag 'tag:yaml.org,2002:python/name:os.system' is not accepted",
    "deep_nesting.yaml": "nesting depth",
    "deep_mapping.yaml": "nested deeper than 20 levels",
    "alias_bomb.yaml": "anchors and aliases",
    "duplicate_service.yaml": "service name 'site' is already used (services[0].name, line 3)",
    "override_negative_lifetime.yaml": "outside the declared domain positive",
    "override_tiny_lifetime.yaml": "(with the override smartphone.lifetime = 9.99989e-321 year)",
    "octal_visits.yaml": "'0100' is an ambiguous number",
}


def test_duplicate_service_is_located_at_the_duplicate():
    error = bounded(lambda: load_inventory(HOSTILE / "duplicate_service.yaml"))
    assert error is not None
    (problem,) = error.problems
    assert (problem.line, problem.path) == (5, "services[2].name")  # the third entry, line 5


@pytest.mark.parametrize("name", ["override_negative_lifetime.yaml", "override_tiny_lifetime.yaml"])
def test_override_is_located_at_its_line(name):
    error = bounded(lambda: load_inventory(HOSTILE / name))
    assert error is not None
    about_it = [p for p in error.problems if "smartphone.lifetime" in p.message or "-3 is refused" in p.message]
    assert about_it  # the tiny lifetime makes several factors infinite: one problem each, all at the override
    for problem in about_it:
        assert (problem.line, problem.path) == (4, "factors.parameters.smartphone.lifetime"), problem


FACTOR_FOLDERS = {
    "bomb_metadata": "anchors and aliases",
    "merge_key_metadata": "merge keys (<<) are not accepted",
    "tagged_metadata": "is not accepted",
    "impersonates_default": "id 'default' is the id of bundled data",
    "impersonates_impactco2": "id 'impactco2' is the id of bundled data",
    "cycle_a": "cyclic 'uses': cycle_a -> cycle_b -> cycle_a",
    "negative_factor": "only a declared credit (column 'credit' = yes) may be negative",
}


@pytest.mark.parametrize(("name", "read", "error_type"), [
    *((name, load_inventory, lca.InventoryError) for name in sorted(INVENTORIES)),
    *((name, load_factor_set, lca.FactorDataError) for name in sorted(FACTOR_FOLDERS)),
])
def test_hostile_file_is_refused_where_the_problem_is(name, read, error_type):
    error = bounded(lambda: read(HOSTILE / name))
    assert isinstance(error, error_type), name
    assert_located(error, name if name.endswith(".yaml") else f"{name}/")
    assert {**INVENTORIES, **FACTOR_FOLDERS}[name] in str(error)


def test_yaml_bomb_profile_is_refused():
    error = bounded(lambda: load_factors(HOSTILE / "bomb_profile.yaml"))
    assert isinstance(error, lca.FactorDataError)
    assert "bomb_profile.yaml:" in str(error) and "anchors and aliases" in str(error)


def test_paths_in_files_are_read_from_the_file_folder(tmp_path, monkeypatch):
    # The profile and the set sit beside the inventory; we run from elsewhere, where a decoy profile of the
    # same name names a set that does not exist.
    (tmp_path / "my_profile.yaml").write_text('id: decoy\nversion: "1"\ntitle: decoy\nsets: [nowhere]\n')
    monkeypatch.chdir(tmp_path)
    inventory = load_inventory(HOSTILE / "relative" / "inventory.yaml")
    factors = inventory.load_factors()
    assert factors.id == "my_profile"
    # my_set gives 10 g CO2 eq per GB, first in the profile: 0.010 kg per GB
    assert factors.factor("network.fixed@FR", "climate_change", "use").value == pytest.approx(0.010)
    assert factors.factor("network.fixed@FR", "climate_change", "use").provenance.set_id == "my_set"


def test_uses_is_read_from_the_declaring_folder(tmp_path, monkeypatch):
    # cycle_a uses '../cycle_b': resolved from cycle_a's folder (else, from tmp_path, it would not exist)
    monkeypatch.chdir(tmp_path)
    error = bounded(lambda: load_factor_set(HOSTILE / "cycle_a"))
    assert error is not None and "cyclic" in str(error)


def test_a_copy_of_a_bundled_set_cannot_keep_its_id(tmp_path):
    copy = tmp_path / "impactco2"
    shutil.copytree(lca.factors.data_root() / "impactco2", copy)
    error = bounded(lambda: load_factor_set(copy))
    assert error is not None and "id 'impactco2' is the id of bundled data" in str(error)
    assert load_factor_set("impactco2").id == "impactco2"  # the bundled one, by id


def test_zero_audience_is_not_computable_not_an_abort():
    inventory = load_inventory(HOSTILE / "zero_visits.yaml")
    table = inventory.evaluate().total(by=["service"], per_audience=True).set_index(["service", "criterion"])
    nobody = table.loc[("nobody", "climate_change")]
    assert nobody["value"] != nobody["value"]  # NaN
    assert "not computable" in nobody["coverage"]
    assert table.loc[("somebody", "climate_change"), "value"] > 0


# -- fuzzing ----------------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])
yaml_scalars = st.one_of(
    st.sampled_from(["1000", "1 800 kB", "0", "-1", "1e400", "010", "0x1F", "1:30", "~", "yes", "2025-13-45",
                     "'x'", "!!str 3", "!foo x", "&a 1", "*a", "<<", "[", "{", "}", "]", "...", "---", "|", ">",
                     "\"\\x00\"", "9" * 5000, "nan", ".inf", "-.inf"]),
    st.text(max_size=20))
keys = st.sampled_from(["organisation", "services", "campaigns", "kind", "name", "visits", "page_weight",
                        "factors", "parameters", "profile", "licences", "smartphone.lifetime", "hostings",
                        "defaults", "<<", "? x", "1", "uncertainty", "inventory"])


@st.composite
def yaml_documents(draw: Any) -> str:
    """YAML-looking text: lines of keys, scalars, lists and nesting, often valid, often not."""
    lines = ["organisation: fuzz"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 12))):
        indent = "  " * draw(st.integers(0, 4))
        shape = draw(st.integers(0, 3))
        key, value = draw(keys), draw(yaml_scalars)
        lines.append(f"{indent}{key}: {value}" if shape == 0 else f"{indent}- {key}: {value}" if shape == 1
                     else f"{indent}- {{kind: website, name: {value}, visits: {draw(yaml_scalars)}}}" if shape == 2
                     else f"{indent}{key}:")
    return "\n".join(lines) + "\n"


@FUZZ
@given(yaml_documents())
def test_fuzz_inventory_text(text):
    error = bounded(lambda: inventory_from_text(text, "fuzz.yaml"))
    if error is not None:
        assert_located(error, "fuzz.yaml")


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_inventory_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "inventory.yaml"
    path.write_bytes(data)
    error = bounded(lambda: load_inventory(path))
    if error is not None:
        assert_located(error, "inventory.yaml")


GOOD_FACTOR = {"flow": "network.fixed@FR", "criterion": "climate_change", "phase": "use", "value": "10",
               "formula": "", "unit": "g CO2 eq / GB", "source": "hand", "locator": "t", "year": "2024",
               "geography": "FR", "licence": "CC0-1.0", "confidence": "medium", "uncertainty": "", "note": ""}
GOOD_PARAMETER = {"name": "p", "value": "2", "unit": "g CO2 eq / GB", "source": "hand", "locator": "t",
                  "year": "2024", "geography": "FR", "licence": "CC0-1.0", "confidence": "medium",
                  "uncertainty": "", "note": ""}
cells = st.one_of(st.sampled_from(["", "1", "-1", "1e-320", "1e400", "nan", "inf", "p * 2", "p / 0", "p ** 2",
                                   "__import__('os')", "p.q", "x", "yes", "maybe", "@*", "device.smartphone@*",
                                   "g CO2 eq / kWh", "kg", "lognormal gsd=1e300", "triangular low=1 high=0",
                                   "[0, 1]", "share", "(0, 24]", "=cmd|' /C calc'!A0", "\x00", "\"", "a,b"]),
                  st.text(max_size=12))


def _csv_text(columns: tuple[str, ...], good: dict[str, str], changes: list[tuple[str, str]], extra: str) -> str:
    row = dict(good)
    for column, value in changes:
        row[column if column in row else "note"] = value
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue() + extra


@FUZZ
@given(factor_changes=st.lists(st.tuples(st.sampled_from(FACTOR_COLUMNS), cells), max_size=4),
       parameter_changes=st.lists(st.tuples(st.sampled_from((*PARAMETER_COLUMNS, "domain")), cells), max_size=3),
       metadata_extra=st.sampled_from(["", "uses: [impactco2]\n", "uses: [../nowhere]\n", "uses: 3\n",
                                       "sources: [1]\n", "id: default\n", "<<: {a: 1}\n", "x: !!binary aGk=\n",
                                       "version: [1]\n", "id: " + "[" * 100 + "\n"]),
       extra_line=st.sampled_from(["", "\n", "a,b\n", "\"unclosed\n", ",,,,,,,,,,,,,,,,,,,,,,\n"]))
def test_fuzz_factor_folder(tmp_path_factory, factor_changes, parameter_changes, metadata_extra, extra_line):
    folder = tmp_path_factory.mktemp("set") / "fuzzed"
    folder.mkdir()
    metadata = ('id: fuzzed\nversion: "1"\ntitle: t\nlicence: CC0-1.0\n'
                'sources:\n  hand: {title: hand, licence: CC0-1.0}\n')
    if metadata_extra.split(":")[0] + ":" in metadata:  # replace the key rather than duplicate it
        metadata = "\n".join(line for line in metadata.splitlines() if not line.startswith(metadata_extra[:3])) + "\n"
    (folder / "metadata.yaml").write_text(metadata + metadata_extra, encoding="utf-8")
    (folder / "factors.csv").write_text(_csv_text(FACTOR_COLUMNS, GOOD_FACTOR, factor_changes, extra_line),
                                        encoding="utf-8")
    parameter_columns = (*PARAMETER_COLUMNS, "domain") if any(c == "domain" for c, _ in parameter_changes) \
        else PARAMETER_COLUMNS
    (folder / "parameters.csv").write_text(_csv_text(parameter_columns, GOOD_PARAMETER, parameter_changes, ""),
                                           encoding="utf-8")
    error = bounded(lambda: load_factor_set(folder))
    if error is not None:
        assert_located(error, "fuzzed/")
    else:
        factors = load_factor_set(folder)
        for factor in factors.factors.values():
            assert factor.value == factor.value and abs(factor.value) != float("inf")
            assert factor.value >= 0 or factor.credit


@FUZZ
@given(name=st.sampled_from(["freight.truck.load", "freight.truck.detour", "freight.truck.empty_ratio",
                             "paper.eol.share_recycled", "paper.a4_area", "paper.eol.recycling", "nope"]),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                       st.sampled_from(["-3 tonne", "1e-320 tonne", "1e-320", "150 %", "0.5", "3 year", "nan tonne",
                                        "1,5 tonne", "", "tonne", None, True, [1], {"a": 1}])))
def test_fuzz_parameter_overrides(name, value):
    def read():
        factors = load_factors("print_ademe", parameters={name: value})  # small, with shares and bounds
        assert factors.overrides.get(name), "an accepted override is recorded"
        values = factors.values
        assert (values == values).all() and (abs(values) != float("inf")).all()
        assert (values >= 0).all()

    error = bounded(read)
    if error is not None:
        assert "parameters" in str(error) or "factors.csv:" in str(error)


@FUZZ
@given(yaml_documents(), st.sampled_from(["sets: [impactco2]\n", "sets: impactco2\n", "sets: [../x]\n", ""]))
def test_fuzz_profile_file(tmp_path_factory, text, sets):
    path = tmp_path_factory.mktemp("profile") / "fuzz_profile.yaml"
    path.write_text(f'id: fuzz\nversion: "1"\ntitle: t\n{sets}' + text.replace("organisation: fuzz\n", ""),
                    encoding="utf-8")
    error = bounded(lambda: load_factors(path))
    if error is not None:
        assert_located(error, "fuzz_profile.yaml")
