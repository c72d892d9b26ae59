"""The pandas-free table (``as_frame=False``): the same columns, rows, numbers and coverage flags as the DataFrame,
and no pandas imported to build, show or read it.

Oracles: the DataFrame of the same view (``as_frame=True``); ``Results.scores()``, computed by its own reduction;
for the hypothesis-generated bills, a hand sum of quantity × factor over the factor set's own rows
(``FactorSet.factor``) divided by the audience; ``sys.modules`` of a fresh interpreter for what is imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca_numerique as lca
from lca_numerique.axes import PHASE_IDS
from lca_numerique.cli import example_path
from lca_numerique.results import COVERAGE_LABELS
from lca_numerique.table import Table


@pytest.fixture(scope="module")
def example() -> lca.Results:
    return lca.load_inventory(example_path()).evaluate()


@pytest.fixture(scope="module")
def factors() -> lca.FactorSet:
    return lca.load_factors()


def _same(table: Table, frame: pd.DataFrame) -> None:
    """Identical columns in the same order, identical numbers (NaN at the same rows), identical labels."""
    assert table.columns == tuple(frame.columns)
    assert len(table) == len(frame) and table.shape == frame.shape
    for name in table.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, labels = table.codes(name)
            assert labels == tuple(column.cat.categories), name
            np.testing.assert_array_equal(codes, column.cat.codes.to_numpy(), err_msg=name)
            assert list(table[name]) == list(column.astype(str)), name
        else:
            got, expected = table[name], column.to_numpy()
            assert got.dtype == expected.dtype, name
            assert np.array_equal(got, expected, equal_nan=True), name


@pytest.mark.parametrize("by", ["service", ("service", "tier"), ("service", "stage", "phase"), "kind",
                                ("campaign", "tier"), ("tier", "criterion")])
def test_total_table_is_the_dataframe(example: lca.Results, by) -> None:
    _same(example.total(by, as_frame=False), example.total(by))


@pytest.mark.parametrize("by", ["service", ("service", "tier"), ("kind", "service", "phase")])
def test_per_audience_table_is_the_dataframe(example: lca.Results, by) -> None:
    table = example.per_audience(by, as_frame=False)
    _same(table, example.per_audience(by))
    _same(table, example.total(by, per_audience=True, as_frame=False).to_pandas())


def test_per_audience_table_is_what_scores_give(example: lca.Results) -> None:
    # scores() reduces the cube by its own path: values [service, criterion] and coverage codes
    scores = example.scores(per_audience=True)
    table = example.per_audience(as_frame=False)
    shape = (len(scores.services), len(scores.criteria))
    assert np.array_equal(table["value"].reshape(shape), scores.values, equal_nan=True)
    codes, labels = table.codes("coverage")
    assert labels == COVERAGE_LABELS
    assert np.array_equal(codes.reshape(shape), scores.coverage)
    assert tuple(table["service"].reshape(shape)[:, 0]) == scores.services
    assert tuple(table["criterion"][: shape[1]]) == scores.criteria
    assert set(table["coverage"]) >= {"complete", "partial"}  # the example exercises the flags


_FLOWS = ("device.smartphone@FR", "device.laptop@FR", "device.tv@FR", "network.mobile@FR", "network.fixed@FR",
          "dc.server@FR", "dc.storage@FR", "electricity.data_centres@FR", "paper", "freight.road", "printing")


@st.composite
def bills(draw):
    flows = draw(st.lists(st.sampled_from(_FLOWS), min_size=1, max_size=6, unique=True))
    n = draw(st.integers(1, 5))
    quantities = np.array([[draw(st.sampled_from([0.0, 1e-3, 0.5, 7.0, 1234.5])) for _ in flows] for _ in range(n)])
    audience = np.array([draw(st.sampled_from([0.0, 1.0, 250.0, 8e4])) for _ in range(n)])
    kinds = [draw(st.sampled_from(("website", "video", "email"))) for _ in range(n)]
    return flows, quantities, audience, kinds


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(bills())
def test_generated_bills_give_the_same_table_as_the_dataframe_and_the_hand_sum(factors, case) -> None:
    flows, quantities, audience, kinds = case
    known = [f for f in flows if f in lca.FLOWS]
    if len(known) < len(flows):
        pytest.skip("a flow left the catalogue")  # pragma: no cover
    services = [f"s{i}" for i in range(len(quantities))]
    results = lca.evaluate(lca.BillMatrix.from_arrays(services, flows, quantities, audience, "visit", kinds),
                           factors)
    for by in ("service", ("service", "tier"), "kind"):
        _same(results.total(by, as_frame=False), results.total(by))
    table = results.per_audience(as_frame=False)
    _same(table, results.per_audience())

    # hand sum: quantity x every phase's factor the set has (a partial total is the sum of what is covered)
    shape = (len(services), len(results.criteria))
    value, coverage = table["value"].reshape(shape), table["coverage"].reshape(shape)
    for s, c in np.ndindex(shape):
        criterion = results.criteria[c]
        expected = sum(q * f.value for j, q in enumerate(quantities[s]) for p in PHASE_IDS
                       if q > 0 and (f := factors.factor(flows[j], criterion, p)) is not None)
        if audience[s] == 0:
            assert coverage[s, c] == "not computable: audience is zero" and np.isnan(value[s, c])
        elif coverage[s, c] == "not covered":
            assert np.isnan(value[s, c])
        else:
            assert value[s, c] == pytest.approx(expected / audience[s], rel=1e-9, abs=1e-300)


_PROBE = """
import json, sys
import lca_numerique as lca
from lca_numerique.services import Video, Website
video = Video("event video", views=8000, duration="3 min", resolution="720p")
site = Website("city site", visits=120_000, page_weight="1.8 MB")
results = lca.evaluate([video.bill_of_materials(), site.bill_of_materials()], lca.load_factors())
table = results.per_audience(as_frame=False)
shown = repr(table) + table._repr_html_()
records = list(table) + table.to_dict("records")
columns = table.to_dict()
_ = table["value"], table["coverage"], table.codes("service"), results.total(("service", "tier"), as_frame=False)
before = "pandas" in sys.modules
table.to_pandas()
json.dump({"before": before, "after": "pandas" in sys.modules, "rows": len(records)}, sys.stdout)
"""


def test_the_table_path_imports_no_pandas() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=300)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"before": False, "after": True, "rows": 2 * 2 * 13}  # to_pandas() does import it


def test_records_and_lists_are_what_pandas_gives(example: lca.Results) -> None:
    table, frame = example.per_audience(as_frame=False), example.per_audience()
    expected = [{k: (str(v) if isinstance(v, str) else float(v)) for k, v in row.items()}
                for row in frame.astype({c: str for c in frame.select_dtypes("category").columns}).to_dict("records")]
    got = table.to_dict("records")
    assert json.dumps(got) == json.dumps(list(table))  # NaN objects differ: compare their text
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.keys() == theirs.keys()
        for key, v in mine.items():
            assert v == theirs[key] or (v != v and theirs[key] != theirs[key]), key  # NaN equals NaN here
    lists = table.to_dict()
    assert list(lists) == list(frame.columns) and lists["per"] == list(frame["per"].astype(str))
    with pytest.raises(ValueError, match="orient"):
        table.to_dict("index")  # type: ignore[call-overload]


def test_the_table_is_read_only_and_says_what_it_lacks(example: lca.Results) -> None:
    table = example.per_audience(as_frame=False)
    for name in ("value", "service", "audience"):
        with pytest.raises(ValueError, match="read-only"):
            table[name][0] = 0
    with pytest.raises(KeyError, match="no column 'valeur'; columns: service, criterion, value"):
        table["valeur"]
    with pytest.raises(KeyError, match="not a label column"):
        table.codes("value")
    assert "value" in table and "valeur" not in table


def test_the_display_shows_units_flags_and_nan_and_escapes_names() -> None:
    bills = [lca.BillOfMaterials.build("<b>site</b> & co", "1000 visit", {"device.smartphone@FR": "30 h"}),
             lca.BillOfMaterials.build("nobody", "0 visit", {"network.mobile@FR": "2 GB"})]
    table = lca.evaluate(bills, lca.load_factors()).per_audience(as_frame=False)
    text = repr(table)
    lines = text.splitlines()
    assert lines[0].split() == ["service", "criterion", "value", "unit", "coverage", "audience", "per"]
    assert len(lines) == 1 + 10 + 1 + 1  # header, 10 rows, the elision, the size
    assert lines[6] == "..." and lines[-1] == f"[{len(table)} rows x 7 columns]"
    assert "kg CO2 eq" in text and "per visit" in text and "NaN" in text and "not computable" in text
    page = table._repr_html_()
    assert "&lt;b&gt;site&lt;/b&gt; &amp; co" in page and "<b>site" not in page
    assert page.count("<tr>") == 1 + 10 + 1 and f"{len(table)} rows × 7 columns" in page


def test_a_table_checks_its_columns() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        Table({"a": np.zeros(2), "b": np.zeros(3)})
    with pytest.raises(ValueError, match="labels given for columns the table does not have"):
        Table({"a": np.zeros(2)}, {"b": ["x"]})
    empty = Table({"value": np.zeros(0), "unit": np.zeros(0, dtype=np.int8)}, {"unit": ["kg"]})
    assert len(empty) == 0 and empty.to_dict() == {"value": [], "unit": []} and list(empty) == []
    assert repr(empty) == "value  unit\n[0 rows x 2 columns]"
