"""Reports: tables, Excel, tidy CSV, single-file HTML with figures, and a checkable JSON results file.

``tables`` what every report shows; ``html`` the HTML report; ``results_file`` the JSON that ``check`` re-runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .results_file import check_results_file, is_results_file, write_results_file
from .tables import SHEETS, report_tables

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory
    from ..results import Results

FORMATS = ("xlsx", "csv", "html", "json")


def write_report(results: Results, inventory: Inventory, out: str | Path, formats: Iterable[str] = FORMATS, *,
                 lang: str = "en") -> dict[str, Path]:
    """Write the report files into folder ``out``; return them by format."""
    formats = list(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}; accepted: {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    tables = report_tables(results, inventory)
    if "xlsx" in formats:
        import pandas as pd

        path = out / "report.xlsx"
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        written["xlsx"] = path
    if "csv" in formats:
        path = out / "results.csv"
        frame = results.to_dataframe()
        frame.astype({c: str for c in ("service", "tier", "criterion", "phase", "unit", "coverage")}).to_csv(
            path, index=False)
        written["csv"] = path
    if "html" in formats:
        from .html import html_report

        path = out / "report.html"
        path.write_text(html_report(results, inventory, lang=lang), encoding="utf-8")
        written["html"] = path
    if "json" in formats:
        written["json"] = write_results_file(out / "results.json", results, inventory)
    return written


__all__ = ["FORMATS", "SHEETS", "check_results_file", "is_results_file", "report_tables", "write_report",
           "write_results_file"]
