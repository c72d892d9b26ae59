"""A small read-only columnar table: the pandas-free form of the library's tidy result tables.

``Results.total(..., as_frame=False)`` and ``Results.per_audience(..., as_frame=False)`` return a :class:`Table`
instead of a ``pandas.DataFrame``, with the same columns, the same rows in the same order and the same numbers
(the DataFrame *is* ``table.to_pandas()``). It exists for tools that import the library and must start fast (a
web calculator, a dashboard, a worker): importing pandas costs more than everything else such a process does.

A column is either numbers (a read-only NumPy array: ``value`` in ``unit``, NaN where not covered, ``audience``)
or labels (``service``, ``criterion``, ``unit``, ``coverage``, ``per``...), kept as integer codes into a tuple of
labels, as pandas keeps a categorical column. Reading a label column gives the labels; :meth:`Table.codes` gives
the codes and labels without building one string per row.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Table"]

_SHOWN = 10  # rows a display shows before eliding the middle


class Table:
    """Read-only columns of equal length, numbers or labels; the same rows as the DataFrame of the same view.

    Parameters
    ----------
    columns
        Column name -> 1-D array, in display order. For a label column, integer codes into its labels.
    labels
        Label column name -> its labels (``labels[name][code]`` is a row's label).

    Notes
    -----
    ``table["value"]`` (a read-only array: floats, or the labels as an object array), ``table.columns``,
    ``len(table)``, ``for record in table`` (one dict per row), :meth:`to_dict` (``"list"`` or ``"records"``),
    :meth:`codes`, :meth:`to_pandas`; the display (``repr``, Jupyter's HTML) elides rows beyond ten.
    """

    __slots__ = ("_columns", "_labels", "_length")

    def __init__(self, columns: Mapping[str, np.ndarray], labels: Mapping[str, Sequence[str]] | None = None) -> None:
        labels = dict(labels or {})
        unknown = set(labels) - set(columns)
        if unknown:
            raise ValueError(f"labels given for columns the table does not have: {sorted(unknown)}")
        lengths = {len(array) for array in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        frozen = {}
        for name, array in columns.items():
            view = np.asarray(array).view()  # read-only view, no copy
            if view.ndim != 1:
                raise ValueError(f"column {name!r} is not one-dimensional")
            view.flags.writeable = False
            frozen[name] = view
        self._columns: dict[str, np.ndarray] = frozen
        self._labels: dict[str, tuple[str, ...]] = {name: tuple(v) for name, v in labels.items()}
        self._length = lengths.pop() if lengths else 0

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        return self._length, len(self._columns)

    def __len__(self) -> int:
        return self._length

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> np.ndarray:
        """The column ``name``: its numbers, or its labels (an object array of str), read-only."""
        if name not in self._columns:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self._columns)}")
        if name not in self._labels:
            return self._columns[name]
        decoded: np.ndarray = _label_array(self._labels[name])[self._columns[name]]
        decoded.flags.writeable = False
        return decoded

    def codes(self, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """A label column as integer codes into its labels, without building one string per row.

        Parameters
        ----------
        name
            A label column (``service``, ``criterion``, ``unit``, ``coverage``...).

        Returns
        -------
        tuple
            ``(codes, labels)``: a read-only integer array and a tuple of str; ``labels[codes[row]]`` is the
            row's label.
        """
        if name not in self._labels:
            raise KeyError(f"{name!r} is not a label column; label columns: {', '.join(self._labels)}")
        return self._columns[name], self._labels[name]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """One dict per row (column -> Python value: float or str), in row order."""
        lists = self.to_dict("list")
        names = list(lists)
        for row in zip(*lists.values(), strict=True):
            yield dict(zip(names, row, strict=True))

    @overload
    def to_dict(self, orient: Literal["list"] = "list") -> dict[str, list[Any]]: ...

    @overload
    def to_dict(self, orient: Literal["records"]) -> list[dict[str, Any]]: ...

    def to_dict(self, orient: Literal["list", "records"] = "list") -> dict[str, list[Any]] | list[dict[str, Any]]:
        """The table as plain Python data (for JSON, a template, a web response).

        Parameters
        ----------
        orient
            ``"list"``: ``{"column": [values...]}``; ``"records"``: one dict per row, as ``DataFrame.to_dict``.

        Returns
        -------
        dict or list of dict
            Numbers as floats in the table's units (NaN where a value is not covered), labels as str.
        """
        if orient == "records":
            return list(self)
        if orient != "list":
            raise ValueError(f"orient is 'list' or 'records', not {orient!r}")
        out: dict[str, list[Any]] = {}
        for name, array in self._columns.items():
            if name in self._labels:
                labels = self._labels[name]
                out[name] = [labels[code] for code in array.tolist()]
            else:
                out[name] = array.tolist()
        return out

    def to_pandas(self) -> pd.DataFrame:
        """The same table as a DataFrame (imports pandas).

        Returns
        -------
        pandas.DataFrame
            The same columns, rows and numbers, label columns categorical: what ``as_frame=True`` returns.
        """
        import pandas as pd

        data: dict[str, Any] = {}
        for name, array in self._columns.items():
            if name in self._labels:
                data[name] = pd.Categorical.from_codes(array, dtype=_categories(self._labels[name]), validate=False)
            else:
                data[name] = array
        return pd.DataFrame(data, copy=False)

    # -- display --------------------------------------------------------------------------------------------
    def _shown(self) -> tuple[list[int], bool]:
        """Rows a display shows, and whether rows in the middle are elided."""
        if self._length <= _SHOWN:
            return list(range(self._length)), False
        half = _SHOWN // 2
        return [*range(half), *range(self._length - half, self._length)], True

    def _cells(self, rows: list[int]) -> dict[str, list[str]]:
        cells: dict[str, list[str]] = {}
        for name, array in self._columns.items():
            if name in self._labels:
                labels = self._labels[name]
                cells[name] = [labels[int(array[i])] for i in rows]
            else:
                cells[name] = [_number(array[i]) for i in rows]
        return cells

    def __repr__(self) -> str:
        rows, elided = self._shown()
        cells = self._cells(rows)
        widths = {n: max([len(n), *(len(c) for c in column)]) for n, column in cells.items()}
        numeric = {n for n in cells if n not in self._labels}

        def line(values: dict[str, str]) -> str:
            return "  ".join(v.rjust(widths[n]) if n in numeric else v.ljust(widths[n])
                             for n, v in values.items()).rstrip()

        lines = [line({n: n for n in cells})]
        for position in range(len(rows)):
            if elided and position == len(rows) // 2:
                lines.append("...")
            lines.append(line({n: column[position] for n, column in cells.items()}))
        lines.append(f"[{self._length} rows x {len(self._columns)} columns]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter display: an HTML table (every cell escaped), middle rows elided beyond ten."""
        import html

        rows, elided = self._shown()
        cells = self._cells(rows)
        head = "".join(f"<th>{html.escape(n)}</th>" for n in cells)
        body = []
        for position in range(len(rows)):
            if elided and position == len(rows) // 2:
                body.append(f"<tr><td colspan=\"{len(cells)}\">…</td></tr>")
            body.append("<tr>" + "".join(f"<td>{html.escape(column[position])}</td>" for column in cells.values())
                        + "</tr>")
        return (f"<table class=\"lca-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<p>{self._length} rows × {len(self._columns)} columns</p>")


def _number(value: Any) -> str:
    number = float(value)
    return "NaN" if math.isnan(number) else f"{number:.6g}"


@functools.lru_cache(maxsize=64)
def _label_array(labels: tuple[str, ...]) -> np.ndarray:
    array = np.array(labels, dtype=object)
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=64)
def _categories(labels: tuple[str, ...]) -> Any:
    """The categorical type of these labels, built once: pandas checks 100,000 service names in milliseconds,
    a repeated evaluation of the same services should not pay it again."""
    import pandas as pd

    return pd.CategoricalDtype(list(labels), ordered=False)
