"""Reports: tables, Excel, tidy CSV, single-file HTML with figures, and a checkable JSON results file.

``tables`` what every report shows; ``spreadsheets`` the Excel and CSV writers (formula-safe, valid at any
size); ``html`` the HTML report; ``results_file`` the JSON that ``check`` re-runs; ``factor_choice`` the factors
a result was computed with and what overrides them; ``atomic`` how a report folder appears whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import LANGUAGES, sheet_name
from .atomic import staged_folder
from .factor_choice import FactorChoice
from .results_file import CheckReport, ResultsFileError, check_results_file, is_results_file, write_results_file
from .spreadsheets import MAX_WORKBOOK_CELLS, Elsewhere, neutralise, safe_text, write_csv, write_workbook
from .tables import ASSUMPTION_COLUMNS, BREAKDOWNS, SHEETS, breakdown_rows, labelled_tables, report_tables
from .tidy import write_results_csv

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..inventory import Inventory
    from ..results import Results

FORMATS = ("xlsx", "csv", "html", "json")
#: Every file an English report folder may hold: what ``force`` may replace, and nothing else (with the sheets'
#: CSV files in the other languages' names).
REPORT_FILES = frozenset({"report.xlsx", "results.csv", "report.html", "results.json",
                          *(f"{sheet}.csv" for sheet in SHEETS)})


def write_report(results: Results, inventory: Inventory, out: str | Path, formats: Iterable[str] = FORMATS, *,
                 lang: str = "en", force: bool = False, choice: FactorChoice | None = None) -> dict[str, Path]:
    """Write the report files into folder ``out``: workbook, tidy CSV, HTML report and checkable results file.

    The folder appears whole once every file is written. An existing folder with files is replaced only with
    ``force``, and only if it holds nothing but report files. The writers that spend their time outside
    Python's lock (pyarrow's CSV files) run beside the others, so the time is close to that of the longest one.

    Parameters
    ----------
    results
        What to report: the results of ``inventory`` (or of a selection of its services).
    inventory
        The inventory the results come from: names, kinds, parameters and their origins.
    out
        The report folder; absent, empty, or (with ``force``) a previous report.
    formats
        Which files to write, among :data:`FORMATS`: ``"xlsx"`` (report.xlsx, and beside it as CSV each table
        too large for a workbook), ``"csv"`` (results.csv: every cell of the results), ``"html"``
        (report.html) and ``"json"`` (results.json, which ``check`` re-runs).
    lang
        The language of every word of the report: ``"en"`` or ``"fr"``.
    force
        Replace an existing report folder (one holding report files only).
    choice
        The factor choice ``results`` were computed with (default: the inventory's own). The results file
        records it and every report discloses its overrides.

    Returns
    -------
    dict[str, Path]
        The files written, by format; ``"xlsx:<sheet>"`` for a sheet too large for the workbook, written as
        CSV beside it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from lca_numerique.inventory import inventory_from_text
    >>> inventory = inventory_from_text("organisation: Town\\nservices:\\n"
    ...                                 "  - {kind: website, name: site, visits: 1000}\\n", "town.yaml")
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> sorted(write_report(inventory.evaluate(), inventory, out, ["xlsx", "csv"], lang="fr"))
    ['csv', 'xlsx']
    """
    formats = list(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}; accepted: {', '.join(FORMATS)}")
    choice = choice or FactorChoice.of(inventory)
    written: dict[str, str] = {}
    results.values, results.coverage_codes  # noqa: B018 - the cube, computed once before the threads read it
    # a sheet moved beside the workbook is named in the report's language: a French report may be replaced too
    produces = REPORT_FILES | {f"{sheet_name(k, other)}.csv" for k in SHEETS for other in LANGUAGES}
    # results.csv, the largest file, is written by pyarrow outside Python's lock and results.json in a thread of
    # its own, while this thread builds the workbook and draws the figures (matplotlib wants a single thread)
    with staged_folder(out, produces=produces, force=force) as folder, ThreadPoolExecutor(2) as pool:
        tidy = pool.submit(write_results_csv, results, folder / "results.csv", lang) if "csv" in formats else None
        document = pool.submit(write_results_file, folder / "results.json", results, inventory, choice) \
            if "json" in formats else None
        workbook = _write_workbook(results, inventory, choice, folder / "report.xlsx", lang,
                                   with_results_csv="csv" in formats) if "xlsx" in formats else {}
        html = _write_html(results, inventory, folder / "report.html", lang,
                           choice.overrides_table(results.selection)).name if "html" in formats else None
        if document is not None:  # it refuses results computed with another factor choice than recorded
            written["json"] = document.result().name
        written.update(workbook)
        if html is not None:
            written["html"] = html
        if tidy is not None:
            written["csv"] = tidy.result().name
    return {key: Path(out) / name for key, name in written.items()}


def _write_workbook(results: Results, inventory: Inventory, choice: FactorChoice, path: Path, lang: str, *,
                    with_results_csv: bool) -> dict[str, str]:
    """Write report.xlsx (and beside it the tables too large for it); return the files by key of
    :func:`write_report`."""
    from ..i18n import gettext_for, translator

    tables = _workbook_tables(results, inventory, choice, lang, with_results_csv=with_results_csv)
    column = translator(lang).pgettext
    meanings = {sheet_name("assumptions", lang): {column("column", c): gettext_for(lang, meaning)
                                                  for c, meaning in ASSUMPTION_COLUMNS.items()}}
    moved = write_workbook({sheet_name(k, lang): t for k, t in tables.items()}, path, lang=lang, meanings=meanings,
                           descriptions={sheet_name(k, lang): gettext_for(lang, text) for k, text in SHEETS.items()})
    return {"xlsx": path.name, **{f"xlsx:{sheet}": p.name for sheet, p in moved.items()}}


def _workbook_tables(results: Results, inventory: Inventory, choice: FactorChoice, lang: str, *,
                     with_results_csv: bool) -> dict[str, pd.DataFrame | Elsewhere]:
    """The workbook's tables. When a per-service breakdown by tier or phase would not fit in the workbook and
    results.csv is written, it is not written a second time: its sheet says how to get it from results.csv
    and shows the same totals per kind of service."""
    from ..i18n import format_count, translator

    at_scale = with_results_csv and any(breakdown_rows(results, name) * 6 > MAX_WORKBOOK_CELLS
                                        for name in BREAKDOWNS)
    labelled = labelled_tables(results, inventory, choice, lang, breakdowns="kind" if at_scale else "service")
    tables: dict[str, pd.DataFrame | Elsewhere] = dict(labelled)
    if not at_scale:
        return tables
    translation = translator(lang)
    column = translation.pgettext
    for name, axis in BREAKDOWNS.items():
        per_kind = labelled[name]
        note = (translation.gettext(
            "{description}: {rows} rows, not written a second time: results.csv holds every service, tier, "
            "criterion and phase with its value and coverage, and this table is its coverage combined over each "
            "{summed} (a total is complete only where every row behind it is complete; in Python: {code}). Below, "
            "the same per kind of service.") if name == "coverage" else translation.gettext(
            "{description}: {rows} rows, not written a second time: results.csv holds every service, tier, "
            "criterion and phase with its value and coverage, and this table is its sum over each {summed} (a "
            "total is complete only where every row behind it is complete; in Python: {code}). Below, the same "
            "per kind of service."))
        tables[name] = Elsewhere(
            note.format(description=translation.gettext(SHEETS[name]), rows=format_count(breakdown_rows(results, name),
                                                                                          lang),
                        summed=column("column", "tier" if axis == "phase" else "phase"),
                        code=f"results.total(['service', '{axis}'])"),
            "results.csv", breakdown_rows(results, name),
            [column("column", "service") if c == column("column", "kind") else c for c in per_kind.columns], per_kind)
    return tables


def _write_html(results: Results, inventory: Inventory, path: Path, lang: str, overrides: pd.DataFrame) -> Path:
    from .html import html_report

    path.write_text(html_report(results, inventory, lang=lang, overrides=overrides), encoding="utf-8")
    return path


__all__ = ["FORMATS", "REPORT_FILES", "SHEETS", "CheckReport", "FactorChoice", "ResultsFileError",
           "check_results_file", "is_results_file", "neutralise", "report_tables", "safe_text", "staged_folder",
           "write_csv", "write_report", "write_results_csv", "write_results_file", "write_workbook"]
