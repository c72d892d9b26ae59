"""Excel and CSV files that are safe to open: no formula from user text, valid at any size.

Names, ``basis`` texts and factor-set titles come from files that travel between organisations. A spreadsheet
program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=cmd|' /C calc'!A0``,
``=HYPERLINK(...)``), so every text cell of every writer goes through :func:`neutralise` (the OWASP rule:
such text is prefixed with ``'``). Numbers stay numbers; a not-covered value (NaN) is an empty cell, never 0.

Workbooks are written in openpyxl's streaming (write-only) mode, within a budget of cells (``max_cells``, far
below Excel's 1,048,576 rows; openpyxl writes some 10^4 to 10^5 cells a second): a table that does not fit in
what is left of it goes to a CSV file beside the workbook, and its sheet says so. The workbook is never
truncated, and a report for 100,000 services takes seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CELL_CHARACTERS",
    "FORMULA_START",
    "MAX_WORKBOOK_CELLS",
    "CsvWriter",
    "Elsewhere",
    "neutralise",
    "safe_text",
    "write_csv",
    "write_workbook",
]

#: Leading characters a spreadsheet program reads as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the characters of one cell.
CELL_CHARACTERS = 32_767
#: Cells a workbook holds at most; tables beyond it go to CSV files beside the workbook.
MAX_WORKBOOK_CELLS = 250_000
_FORMULA_RE = re.compile(r"^[=+\-@\t\r]")
# Characters XML 1.0 (hence xlsx) cannot hold: C0 controls except tab, newline and carriage return.
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRUNCATED = " [truncated]"


def safe_text(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading formula character is escaped with ``'``."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _safe_strings(values: pd.Series) -> pd.Series:
    """Neutralise the strings of a column, leaving numbers and missing values as they are.

    Each distinct value is escaped once (a column of a million cells holds few distinct texts, or one per service).
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    safe = np.array([safe_text(v) if isinstance(v, str) else v for v in uniques] + [None], dtype=object)
    out = pd.Series(safe[codes], index=values.index, dtype=object)  # code -1 (missing) takes the final None
    return out.where(codes >= 0, values.astype(object))


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas; numbers are unchanged.

    Categorical columns are neutralised through their categories, so a million-row table costs little.
    """
    import pandas as pd

    columns: dict[str, Any] = {}
    for name, column in frame.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            safe = [safe_text(c) if isinstance(c, str) else c for c in column.cat.categories]
            # two labels may escape to the same text ("=a" and "'=a"): then the column is escaped cell by cell
            column = (column.cat.rename_categories(safe) if len(set(safe)) == len(safe)
                      else _safe_strings(column.astype(object)))
        elif not pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            column = _safe_strings(column)
        columns[safe_text(str(name))] = column
    return pd.DataFrame(columns, index=frame.index)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (UTF-8, no index) with every text cell neutralised; not-covered values empty.

    Written by pyarrow's CSV writer (some ten times pandas' speed; text cells quoted, numbers as the shortest
    text that reads back to the same float)."""
    path = Path(path)
    with CsvWriter(path) as writer:
        writer.write(neutralise(frame))
    return path


class CsvWriter:
    """A CSV file written frame by frame (the header once), for tables too large to hold whole in memory.

    Each frame must be neutralised already and have the columns of the first. Categorical columns are written
    through their categories, floats as the shortest text that reads back to the same number, NaN empty.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: Any = None
        self._schema: Any = None

    def __enter__(self) -> CsvWriter:
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame``."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        frame = _categories_as_text(frame)
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # text mixed with numbers in a column
            table = pa.Table.from_pandas(_as_text(frame), preserve_index=False)
        table = _booleans_as_text(table.replace_schema_metadata(None))
        if self._writer is None:
            self._schema = table.schema
            self._writer = pa_csv.CSVWriter(str(self.path), table.schema)
        self._writer.write_table(table.cast(self._schema))

    def __exit__(self, *exc: object) -> None:
        if self._writer is None:  # no frame written: an empty file rather than none
            self.path.write_text("", encoding="utf-8")
        else:
            self._writer.close()


def _categories_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each categorical column whose categories mix numbers and text (the assumptions' values)
    recoded to text categories, the numbers written as pyarrow writes a float column: one conversion per
    distinct value, not per row."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    changed: dict[str, pd.Categorical] = {}
    for name, column in frame.items():
        if not isinstance(column.dtype, pd.CategoricalDtype) or \
                pd.api.types.infer_dtype(column.cat.categories, skipna=True) in ("string", "empty"):
            continue
        labels = np.array(column.cat.categories, dtype=object)
        numbers = np.array([isinstance(v, int | float) and not isinstance(v, bool) for v in labels], dtype=bool)
        labels[numbers] = pa.array(labels[numbers].astype(float)).cast(pa.string()).to_numpy(zero_copy_only=False)
        labels[~numbers] = [v if isinstance(v, str) else str(v) for v in labels[~numbers]]
        recode, texts = pd.factorize(labels)  # a number and a text may read the same once written
        codes = column.cat.codes.to_numpy()
        changed[str(name)] = pd.Categorical.from_codes(np.where(codes >= 0, recode[codes], -1), categories=texts)
    return frame.assign(**changed) if changed else frame


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its mixed (object) columns as text, as pandas writes them."""
    import pandas as pd

    return frame.assign(**{str(name): column.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v)
                                                 else str(v))
                           for name, column in frame.items() if column.dtype == object})


def _booleans_as_text(table: Any) -> Any:
    """Booleans written ``True``/``False``, as pandas and Python write them (arrow writes ``true``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_boolean(field.type):
            text = pc.if_else(table.column(i), "True", "False")
            table = table.set_column(i, field.name, text)
    return table


def _cell_text(text: str) -> str:
    """Text an xlsx cell can hold: XML-illegal control characters dropped, Excel's length limit kept."""
    text = _ILLEGAL_RE.sub("", safe_text(text))
    if len(text) > CELL_CHARACTERS:
        text = text[:CELL_CHARACTERS - len(_TRUNCATED)] + _TRUNCATED
    return safe_text(text)


def _cells(column: pd.Series) -> list[Any]:
    """A column as cell values: numbers as numbers, NaN and infinities as empty cells, the rest as safe text."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # numbers among the categories stay numbers
        labels = [_cell_value(c) for c in dtype.categories]
        return [labels[code] if code >= 0 else None for code in column.cat.codes.tolist()]
    if pd.api.types.is_float_dtype(dtype):
        return [v if math.isfinite(v) else None for v in column.to_numpy(dtype=float, na_value=math.nan).tolist()]
    if (pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) and not column.hasnans:
        return column.tolist()
    return [_cell_value(v) for v in column.astype(object).tolist()]


def _cell_value(value: Any) -> Any:
    """One cell of a mixed column."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return _cell_text(value)
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or (not hasattr(value, "__len__") and pd.isna(value)):
        return None
    return _cell_text(str(value))


class Elsewhere(NamedTuple):
    """A table a workbook does not hold, because another file of the report holds its rows: the sheet says
    where (``note``, ``file``), how large it would be, and shows the smaller table ``instead`` below."""

    note: str
    file: str
    rows: int
    columns: Sequence[str]
    instead: pd.DataFrame


def write_workbook(tables: Mapping[str, pd.DataFrame | Elsewhere], path: str | Path, *,
                   descriptions: Mapping[str, str] = {}, max_cells: int = MAX_WORKBOOK_CELLS, lang: str = "en",
                   meanings: Mapping[str, Mapping[str, str]] = {}) -> dict[str, Path]:
    """Write one sheet per table, in order, into the xlsx file ``path``; return the tables written as CSV.

    A table that does not fit in what is left of ``max_cells`` is written to ``<sheet>.csv`` beside the
    workbook, and its sheet holds one row naming that file, its rows and columns (``descriptions``, by sheet,
    say what the table is), then what each column holds where ``meanings`` (by sheet, then column) says it. An
    :class:`Elsewhere` entry gives such a row itself, then its smaller table. The notes are in ``lang``;
    ``descriptions`` and ``meanings`` come written for it.
    """
    from openpyxl import Workbook

    from ..i18n import format_count, translator

    path = Path(path)
    book = Workbook(write_only=True)
    moved: dict[str, Path] = {}
    budget = max_cells
    for name, frame in tables.items():
        sheet = book.create_sheet(_cell_text(name)[:31])
        if isinstance(frame, Elsewhere):
            _note(sheet, frame.note, frame.file, frame.rows, frame.columns, lang)
            sheet.append([])
            frame = frame.instead
            if frame.size > budget:  # pragma: no cover - the smaller tables are a few hundred cells
                continue
        elif frame.size > budget:
            moved[name] = write_csv(frame, path.with_name(f"{name}.csv"))
            _note(sheet, translator(lang).gettext(
                "{description}: {rows} rows, more than this workbook holds ({cells} cells in all); the table is in "
                "the CSV file named here, beside this workbook.").format(
                description=descriptions.get(name, name), rows=format_count(len(frame), lang),
                cells=format_count(max_cells, lang)), moved[name].name, len(frame), frame.columns, lang)
            if name in meanings:
                column = translator(lang).pgettext
                sheet.append([])
                sheet.append([column("column", "column"), column("column", "meaning")])
                for header, meaning in meanings[name].items():
                    sheet.append([_cell_text(header), _cell_text(meaning)])
            continue
        budget -= frame.size
        sheet.append([_cell_text(str(c)) for c in frame.columns])
        for row in zip(*(_fixed_point(sheet, frame[c], _cells(frame[c])) for c in frame.columns), strict=True):
            sheet.append(row)
    book.save(path)
    return moved


#: Excel's General format writes a number below this (in absolute value) in scientific notation (4.216E-08).
_GENERAL_SMALLEST = 1e-4
_EXCEL_DECIMALS = 30  # the most decimals an Excel number format may show


def _fixed_point(sheet: Any, column: pd.Series, cells: list[Any]) -> list[Any]:
    """The ``cells`` of ``column`` with each small non-zero number (one Excel would show as ``4.216E-08``) in a
    cell whose format shows its 3 significant digits in fixed point (``0.0000000422``); other cells as they are,
    since a styled cell costs twice the time of a plain one in a large workbook."""
    import numpy as np
    import pandas as pd
    from openpyxl.cell import WriteOnlyCell

    if not pd.api.types.is_float_dtype(column.dtype):
        return cells
    magnitude = np.abs(column.to_numpy(dtype=float, na_value=np.nan))
    for i in np.flatnonzero((magnitude > 0) & (magnitude < _GENERAL_SMALLEST)).tolist():
        cells[i] = WriteOnlyCell(sheet, cells[i])
        cells[i].number_format = "0." + "0" * min(_EXCEL_DECIMALS, 2 - math.floor(math.log10(magnitude[i])))
    return cells


def _note(sheet: Any, note: str, file: str, rows: int, columns: Sequence[Any], lang: str) -> None:
    """The rows of a sheet whose table is in another file (headers in ``lang``)."""
    from ..i18n import translator

    column = translator(lang).pgettext
    sheet.append([column("column", "note"), column("column", "file"), column("column", "rows"),
                  column("column", "columns")])
    sheet.append([_cell_text(note), _cell_text(file), rows, _cell_text(", ".join(map(str, columns)))])
