"""``results.csv``: the whole cube as a tidy table, one row per service, tier, criterion and phase.

It is the largest file of a report (208 rows per website; 20.8 million rows, some 2 GB, for 100,000 services),
so it is written from the cube's arrays (:attr:`Results.values`, :attr:`Results.coverage_codes`) in blocks of
services, by pyarrow's CSV writer, without building the table in pandas: memory stays bounded by a block,
and the time is that of formatting the numbers. Its columns and words are those of
``localise_table(results.to_dataframe(), lang)`` with every text neutralised (:func:`.spreadsheets.neutralise`):
the labels are translated and escaped once each, not per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import localise_table
from ..results import AXES, COVERAGE_LABELS
from .spreadsheets import neutralise, safe_text

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results

__all__ = ["BLOCK_ROWS", "COLUMNS", "write_results_csv"]

#: Columns of results.csv (English ids; translated for other languages).
COLUMNS: tuple[str, ...] = (*AXES, "value", "unit", "coverage")
#: Rows written at a time: memory is bounded by a block (some 40 MB), not by the inventory.
BLOCK_ROWS = 1 << 20


def _words(column: str, labels: Sequence[str], lang: str) -> tuple[str, list[str]]:
    """The header of ``column`` and its ``labels`` as results.csv writes them in ``lang`` (translated, then
    made inert for a spreadsheet), through the same functions as every other table of the report."""
    import pandas as pd

    frame = neutralise(localise_table(pd.DataFrame({column: pd.Series(list(labels), dtype=object)}), lang))
    return str(frame.columns[0]), [str(v) for v in frame.iloc[:, 0]]


def write_results_csv(results: Results, path: str | Path, lang: str = "en", *, block_rows: int = BLOCK_ROWS) -> Path:
    """Write ``results.csv``: every cell of the cube (value in the criterion's unit over the assessed period,
    empty where not covered) with its unit and coverage, service-major as :meth:`Results.to_dataframe`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    path = Path(path)
    values, codes = results.values, results.coverage_codes  # [service, tier, criterion, phase]
    n_services, n_tiers, n_criteria, n_phases = values.shape
    per_service = n_tiers * n_criteria * n_phases
    units = results.units()
    unit_names = sorted(set(units.values()))
    unit_of = np.array([unit_names.index(units[c]) for c in results.criteria], dtype=np.int8)
    service_header, _ = _words("service", [], lang)
    labels: dict[str, Any] = {"service": [safe_text(s) for s in results.services]}
    headers: dict[str, str] = {"service": service_header}
    for column, words in (("tier", results.tiers), ("criterion", results.criteria), ("phase", results.phases),
                          ("unit", unit_names), ("coverage", COVERAGE_LABELS)):
        headers[column], labels[column] = _words(column, words, lang)
    headers["value"] = _words("value", [], lang)[0]
    dictionaries = {column: pa.array(words, type=pa.string()) for column, words in labels.items()}

    # the tier, criterion, phase and unit of each row of a block repeat from service to service
    services_per_block = max(1, block_rows // max(per_service, 1))
    one = np.indices((n_tiers, n_criteria, n_phases)).reshape(3, -1)
    tier, criterion, phase = (np.tile(axis.astype(np.int32), services_per_block) for axis in one)
    unit = unit_of[criterion].astype(np.int32)

    def dictionary(column: str, indices: np.ndarray) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32()), dictionaries[column])

    schema = pa.schema([(headers[c], pa.dictionary(pa.int32(), pa.string()) if c != "value" else pa.float64())
                        for c in COLUMNS])
    with pa_csv.CSVWriter(str(path), schema) as writer:
        for start in range(0, n_services, services_per_block):
            stop = min(start + services_per_block, n_services)
            rows = (stop - start) * per_service
            service = np.repeat(np.arange(start, stop, dtype=np.int32), per_service)
            columns = {"service": dictionary("service", service), "tier": dictionary("tier", tier[:rows]),
                       "criterion": dictionary("criterion", criterion[:rows]),
                       "phase": dictionary("phase", phase[:rows]),
                       "value": pa.array(values[start:stop].ravel(), type=pa.float64(), from_pandas=True),
                       "unit": dictionary("unit", unit[:rows]),
                       "coverage": dictionary("coverage", codes[start:stop].ravel().astype(np.int32))}
            writer.write_table(pa.Table.from_arrays([columns[c] for c in COLUMNS], schema=schema))
    return path
