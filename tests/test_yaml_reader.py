"""The strict YAML reader at scale: the same data as PyYAML's own loader, every value's line and column as
PyYAML's composer marks them, and the same located refusals, whatever path a scalar takes through the reader
(first seen, or read again from the text already resolved in the document).

Oracles: PyYAML's loader for the data, PyYAML's composer for the marks (its pure-Python parser for the
properties, libyaml's for the large file), and values and positions written out by hand for a few entries of
a generated file.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca_numerique.inventory import InventoryError, inventory_from_text, read_yaml
from lca_numerique.inventory.yaml_source import MAX_DEPTH, Path_

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def composed_marks(text: str, loader: type = yaml.SafeLoader) -> dict[Path_, tuple[int, int]]:
    """The (line, column) of every node, from PyYAML's composer (1-based, as the reader gives)."""
    root = yaml.compose(text, Loader=loader)
    marks: dict[Path_, tuple[int, int]] = {}
    pending: list[tuple[Path_, Any]] = [((), root)] if root is not None else []
    while pending:
        path, node = pending.pop()
        marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            pending.extend(((*path, key.value), value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(((*path, i), value) for i, value in enumerate(node.value))
    return marks


def same(a: Any, b: Any) -> bool:
    """Equal data, NaN equal to NaN and types compared too (1 is not 1.0 nor True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


# -- a large inventory, checked by hand at a few entries and against PyYAML everywhere --------------------------

def many_forms(n: int) -> str:
    """``n`` services written four ways (flow, block, quoted, numbers with underscores and signs)."""
    lines = ["organisation: X", "services:"]
    for i in range(n):
        form = i % 4
        if form == 0:
            lines.append(f"  - {{kind: website, name: site {i}, visits: {1000 + i}, page_weight: 1.5}}")
        elif form == 1:
            lines += ["  - kind: website", f"    name: site {i}", f"    visits: {1000 + i}.0", "    page_weight: 2"]
        elif form == 2:
            lines.append(f"  - {{kind: 'website', name: \"site {i}\", visits: +{1000 + i}, page_weight: 1_0.5}}")
        else:
            lines.append(f"  - {{kind: website, name: '{i}', visits: 1_{i:03d}, page_weight: 0.5e+1}}")
    return "\n".join(lines) + "\n"


def test_a_5000_service_file_is_read_as_written():
    text = many_forms(5000)
    located = read_yaml("many.yaml", text=text)
    assert same(located.data, yaml.load(text, Loader=yaml.CSafeLoader))  # libyaml's: 10x faster than Python's
    assert located.marks == composed_marks(text, yaml.CSafeLoader)
    services = located.data["services"]
    # by hand, from the four forms above
    assert services[0] == {"kind": "website", "name": "site 0", "visits": 1000, "page_weight": 1.5}
    assert services[1] == {"kind": "website", "name": "site 1", "visits": 1001.0, "page_weight": 2}
    assert services[2] == {"kind": "website", "name": "site 2", "visits": 1002, "page_weight": 10.5}
    assert services[3] == {"kind": "website", "name": "3", "visits": 1003, "page_weight": 5.0}
    assert services[4999] == {"kind": "website", "name": "4999", "visits": 14999, "page_weight": 5.0}
    assert type(services[1]["visits"]) is float and type(services[3]["visits"]) is int
    # line 3 is service 0 ("  - {kind: website, name: site 0, visits: " is 42 characters); service 1 takes
    # lines 4-7, service 2 line 8 ("  - {kind: 'website', name: " is 28), service 3 line 9; every 4 services
    # take 7 lines: service 4996 is on line 3 + 7 * 1249 = 8746 (its name 3 digits longer than site 0's), 4999
    # on the last line, 8752 ("  - {kind: website, name: '4999', visits: 1_4999, page_weight: " is 63)
    assert located.marks[("services", 0)] == (3, 5)
    assert located.marks[("services", 0, "visits")] == (3, 43)
    assert located.marks[("services", 1)] == (4, 5)
    assert located.marks[("services", 1, "page_weight")] == (7, 18)
    assert located.marks[("services", 2, "name")] == (8, 29)
    assert located.marks[("services", 4996, "visits")] == (8746, 46)
    assert located.marks[("services", 4999, "page_weight")] == (8752, 64)


def test_a_5000_service_inventory_has_every_service():
    inventory = inventory_from_text(many_forms(5000), "many.yaml")
    assert len(inventory.services) == 5000
    site = inventory.service("site 4996")
    assert (site.visits, site.page_weight, site.given) == (5996, 1.5, {"visits": 5996, "page_weight": 1.5})
    assert inventory.service("4999").given == {"visits": 14999, "page_weight": 5.0}


# -- properties: any data PyYAML writes is read back as PyYAML reads it ------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                    st.text(max_size=12), st.dates(), st.sampled_from(["yes", "No", "~", "null", "1_000", "0.5e+1",
                                                                       "2025", "1.5", "=", "<<", ".inf", "-0"]))
keys = st.one_of(st.text(max_size=8), st.sampled_from(["kind", "name", "visits", "1", "yes", "~", "<<", "a b"]))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@PROPERTIES
@given(data=st.one_of(st.dictionaries(keys, documents, max_size=4), st.lists(documents, max_size=6)),
       flow=st.sampled_from([None, False, True]), unicode=st.booleans())
def test_what_pyyaml_writes_is_read_as_pyyaml_reads_it(data, flow, unicode):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    located = read_yaml("dumped.yaml", text=text)
    assert same(located.data, yaml.safe_load(text))
    assert located.marks == composed_marks(text)


plain_texts = st.one_of(
    st.from_regex(r"\A[-+]?[0-9_.:eE]{0,7}\Z"),
    st.sampled_from(["yes", "NO", "on", "Off", "~", "null", "Null", ".inf", "-.Inf", ".NaN", "._", "0x1F", "0b11",
                     "010", "0o7", "1:30", "1:30.5", "2025-01-02", "2025-13-45", "2025-01-02 10:00:00", "=", "<<",
                     "9" * 5000, "1e400", "1.0e+400", "site 1", "3 GB", "!", "&", "*"]))
REFUSALS = ("is an ambiguous number", "cannot be read as", "is not accepted", "keys must be plain text",
            "anchors and aliases", "YAML syntax")


@PROPERTIES
@given(first=plain_texts, again=plain_texts, as_key=st.booleans())
def test_plain_scalars_are_read_as_pyyaml_reads_them_or_refused(first, again, as_key):
    # the same text twice, the second time possibly as a key: read the first time or from what was resolved
    text = f"a: {first}\nb: [{first}, {again}]\n" + (f"{again}: 1\n" if as_key else f"c: {again}\n")
    try:
        expected = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: an integer over Python's digit limit
        expected = None
    try:
        read = read_yaml("plain.yaml", text=text).data
    except InventoryError as error:
        (problem,) = error.problems
        assert any(reason in problem.message for reason in REFUSALS), problem
        assert problem.line > 0, problem
        return
    assert expected is not None, "PyYAML refuses it"
    assert same(read, expected)


# -- located refusals on the paths the reader takes for text it has already resolved ----------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("organisation: X\nservices:\n  - {kind: website, name: a, visits: 1}\n  - {kind: website, name: b, name: c}\n",
     "x.yaml:4:30: services[1].name: duplicate key 'name' (first written at line 4)"),
    ("a: 1\nb: {1: x}\n", "x.yaml:2:5: b: keys must be plain text; '1' is read as int: quote it"),
    ("a: ~\nb: {~: x}\n", "x.yaml:2:5: b: keys must be plain text; '~' is read as NoneType: quote it"),
    ("a: x\nb: {<<: {c: 1}}\n", "x.yaml:2:5: b: merge keys (<<) are not accepted"),
    ("a: 010\n", "x.yaml:1:4: a: '010' is an ambiguous number"),
    ("a: [1, 2, 010]\n", "x.yaml:1:11: a[2]: '010' is an ambiguous number"),
    ("a: 1\nb: 1:30\n", "x.yaml:2:4: b: '1:30' is an ambiguous number"),
    ("a: " + "9" * 5000 + "\n", "x.yaml:1:4: a: '9999999999999999999999999999999999999999' cannot be read as int"),
    ("a: 1\nb: !!int 1\nc: &x 1\n", "x.yaml:3:4: anchors and aliases"),
    ("a: x\nb: {x: &y 1}\n", "x.yaml:2:8: b: anchors and aliases"),
    ("a: =\n", "x.yaml:1:4: a: the tag 'tag:yaml.org,2002:value' is not accepted"),
    ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "nested deeper than 20 levels"),
])
def test_refusals_are_located(text, expected):
    with pytest.raises(InventoryError) as info:
        read_yaml("x.yaml", text=text)
    (problem,) = info.value.problems
    assert expected in str(problem), str(problem)


def test_a_hosting_named_by_a_list_is_a_located_problem():
    text = ("organisation: X\nhostings: [{name: h, servers: 1}]\n"
            "services:\n  - {kind: website, name: a, visits: 1, hosting: [h]}\n")
    with pytest.raises(InventoryError) as info:
        inventory_from_text(text, "x.yaml")
    assert [str(p) for p in info.value.problems] == [
        "x.yaml:4:50: services[0].hosting: no hosting named ['h'] under 'hostings'"]


def test_a_wrong_entry_reports_every_problem_at_its_value():
    text = ("organisation: X\nservices:\n  - {kind: website, name: a, visits: -1, page_weight: 3 s,"
            " device_mix: {tv: 2}}\n")
    with pytest.raises(InventoryError) as info:
        inventory_from_text(text, "x.yaml")
    assert [(p.line, p.column, p.path) for p in info.value.problems] == [
        (3, 38, "services[0].visits"), (3, 55, "services[0].page_weight"), (3, 72, "services[0].device_mix")]


def test_dates_and_repeated_values_are_separate_per_document():
    located = read_yaml("d.yaml", text="a: 2025-01-02\nb: 2025-01-02\n")
    assert located.data == {"a": datetime.date(2025, 1, 2), "b": datetime.date(2025, 1, 2)}
    assert read_yaml("e.yaml", text="a: '2025-01-02'\n").data == {"a": "2025-01-02"}

