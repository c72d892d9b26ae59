"""The data-collection template: a workbook (or CSV files) a department sends to each service to fill in.

Each kind of service has its own sheet. Its first three rows say, for every parameter, its name, its unit
or accepted values, and what it means with its default and source; services are filled in from row 4, one
per row. In the workbook, choices have drop-down lists, shares a percentage format, and each header a
comment with the unit, default and source. Mixes are written ``smartphone: 0.6, laptop: 0.4`` (or with
``;`` between entries, or French numbers: ``smartphone: 60 %; laptop: 40 %``). ``read_template`` turns a
filled workbook (or folder of CSV files) back into an inventory: every text cell is read by the same
quantity reader as YAML and Python (:func:`lca_numerique.units.parse_quantity`), and every problem is
reported with its sheet and cell (``website!C5``). A formula cell whose value Excel never computed (a
workbook written by a program and not opened in Excel since) is refused, not read as empty.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..services import SERVICE_KINDS
from ..services.parameters import Spec
from .model import Inventory, InventoryError, inventory_from_data
from .yaml_source import Located, Path_, Problem

HEADER_ROWS = 3
INFO_SHEET = "inventory"
HOSTINGS_SHEET = "hostings"
README_SHEET = "read me"
README = (
    "Fill one sheet per kind of service you run, one service per row from row 4 (rows 1-3 describe each column).",
    "Row 2 gives the unit expected (a plain number is read in it; text such as '1.8 MB' is converted) or the",
    "accepted values. Leave a cell empty to use the default given in row 3 with its source.",
    "Mixes: 'smartphone: 0.6, laptop: 0.4' (shares summing to 1). 'campaign' groups services; 'basis' says where",
    "the numbers come from (analytics, invoices...). List shared servers in 'hostings' and name them in 'hosting'.",
    "Remplissez une feuille par type de service, un service par ligne à partir de la ligne 4 ; la ligne 2 donne",
    "l'unité attendue ou les valeurs acceptées ; une cellule vide prend la valeur par défaut (ligne 3, avec sa",
    "source).",
)
INFO_FIELDS = (("organisation", "Organisation assessed"), ("period", "Period (e.g. 2025)"),
               ("profile", "Factor profile (default: default)"))


def _columns(kind: str) -> list[tuple[str, str, str]]:
    """(name, unit or accepted values, description) for every column of a kind's sheet."""
    cls = SERVICE_KINDS[kind]
    columns = [] if kind == "hosting" else [("campaign", "text", "Campaign or group (optional)")]
    columns.append(("name", "text", "Name of the service (unique)"))
    for spec in cls.parameters:
        columns.append((spec.name, _accepted(spec), _meaning(spec)))
    columns.append(("basis", "text", "Where these numbers come from"))
    return columns


def _accepted(spec: Spec) -> str:
    if spec.kind == "choice":
        return " | ".join(spec.choices)
    if spec.kind == "mix":
        return "mix of " + ", ".join(spec.keys)
    if spec.kind == "object":
        return "name of a hosting"
    if spec.kind == "share":
        return "share 0-1"
    return spec.unit or "number"


def _meaning(spec: Spec) -> str:
    if spec.required:
        return f"{spec.description} REQUIRED."
    return f"{spec.description} Default: {spec.default!r} ({spec.source})."


def _header_comment(spec: Spec) -> str:
    default = "required" if spec.required else f"default {spec.default!r} ({spec.source})"
    return f"{spec.description}\nUnit / values: {_accepted(spec)}\n{default}"


def _sheets() -> dict[str, list[list[str]]]:
    sheets: dict[str, list[list[str]]] = {README_SHEET: [[line] for line in README]}
    sheets[INFO_SHEET] = [["field", "value", "meaning"], *[[k, "", m] for k, m in INFO_FIELDS]]
    for kind in ("hosting", *[k for k in SERVICE_KINDS if k != "hosting"]):
        if any(spec.json_schema for spec in SERVICE_KINDS[kind].parameters):
            continue  # a custom bill's lines are a list: written in YAML, not in one row
        columns = _columns(kind)
        sheet = HOSTINGS_SHEET if kind == "hosting" else kind
        sheets[sheet] = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]
    return sheets


def write_template(out: str | Path) -> Path:
    """Write the template: an Excel workbook if ``out`` ends in .xlsx, else a folder of CSV files."""
    out = Path(out)
    sheets = _sheets()
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name[:31])
            for row in rows:
                sheet.append(row)
            if name == INFO_SHEET:
                _choose(sheet, f"B{2 + [f[0] for f in INFO_FIELDS].index('profile')}", _profiles())
            if name not in (README_SHEET, INFO_SHEET):
                _guide(sheet, "hosting" if name == HOSTINGS_SHEET else name)
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
                for r in (2, 3):
                    for cell in sheet[r]:
                        cell.fill = PatternFill("solid", fgColor="EEEEEE")
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                for column in sheet.columns:
                    sheet.column_dimensions[column[0].column_letter].width = 22
                sheet.freeze_panes = "A4"
        workbook.save(out)
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with (out / f"{name.replace(' ', '_')}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return out


LAST_GUIDED_ROW = 1000  # drop-down lists and formats reach this row; rows below are read all the same


def _profiles() -> tuple[str, ...]:
    from ..factors.profiles import available_profiles

    return available_profiles()


def _guide(sheet: Any, kind: str) -> None:
    """Drop-down lists for choices, flags and hostings, a percentage format for shares, header comments."""
    from openpyxl.comments import Comment

    specs = SERVICE_KINDS[kind].specs()
    for cell in sheet[1]:
        spec = specs.get(cell.value)
        if spec is None:
            continue
        letter = cell.column_letter
        cell.comment = Comment(_header_comment(spec), "lca_numerique", width=320, height=140)
        cells = f"{letter}{HEADER_ROWS + 1}:{letter}{LAST_GUIDED_ROW}"
        if spec.kind == "choice":
            _choose(sheet, cells, spec.choices)
        elif spec.kind == "flag":
            _choose(sheet, cells, ("TRUE", "FALSE"))
        elif spec.kind == "object":
            _choose(sheet, cells, f"{HOSTINGS_SHEET}!$A${HEADER_ROWS + 1}:$A${LAST_GUIDED_ROW}")
        elif spec.kind == "share":
            sheet.column_dimensions[letter].number_format = "0%"


def _choose(sheet: Any, cells: str, choices: tuple[str, ...] | str) -> None:
    """A drop-down list on ``cells``: the given choices, or the cells a range string names."""
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = choices if isinstance(choices, str) else '"' + ",".join(choices) + '"'
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle="lca_numerique", error="Choose a value from the list.")
    sheet.add_data_validation(validation)
    validation.add(cells)


def _read_sheets(path: Path) -> tuple[dict[str, list[list[Any]]], list[Problem]]:
    """Every sheet's rows of cell values, and the formula cells that hold no computed value."""
    if path.suffix.lower() == ".xlsx":
        from zipfile import BadZipFile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            values = load_workbook(path, read_only=True, data_only=True)
        except (OSError, BadZipFile, InvalidFileException, KeyError) as exc:
            raise InventoryError([Problem(str(path), 0, 0, "", f"not a readable .xlsx workbook ({exc})")]) from None
        sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in values.worksheets}
        values.close()
        problems = []
        formulas = load_workbook(path, read_only=True)
        for ws in formulas.worksheets:
            for r, row in enumerate(ws.iter_rows(), start=1):
                for c, cell in enumerate(row):
                    if cell.data_type == "f" and _cell(sheets[ws.title], r, c) is None:
                        problems.append(Problem(
                            f"{path} [{_where(ws.title, r, c)}]", r, c + 1, "",
                            f"the formula {cell.value!r} has no computed value: open and save the workbook in a "
                            "spreadsheet program, or type the value"))
        formulas.close()
        return sheets, problems
    sheets = {}
    for file in sorted(path.glob("*.csv")):
        try:
            sheets[file.stem.replace("_", " ")] = _read_csv(file)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InventoryError([Problem(str(file), 0, 0, "", f"not a readable CSV file ({exc})")]) from None
    if not sheets:
        raise InventoryError([Problem(str(path), 0, 0, "", "this is a folder; give the path of an inventory file "
                                                            "(.yaml), or a folder of filled template CSV files "
                                                            "(inventory.csv, website.csv...): this one has none")])
    return sheets, []


def _read_csv(file: Path) -> list[list[str]]:
    """Rows of a CSV file as written by this module or saved again by a spreadsheet program: UTF-8 (with or
    without the byte-order mark Excel adds) or Windows-1252, comma- or semicolon-separated (French Excel)."""
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    return rows[r - 1][c] if r <= len(rows) and c < len(rows[r - 1]) else None


def _where(sheet: str, row: int, column: int) -> str:
    """``website!C5`` for 0-based ``column`` 2 of row 5."""
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column + 1)}{row}"


def read_template(path: str | Path) -> Inventory:
    """Read a filled template (workbook or CSV folder) into an inventory; raises InventoryError with locations."""
    path = Path(path)
    sheets, problems = _read_sheets(path)
    marks: dict[Path_, tuple[int, int]] = {}
    files: dict[Path_, str] = {}
    info = {str(r[0]).strip(): r[1] for r in sheets.get(INFO_SHEET, [])[1:] if r and r[0] and len(r) > 1}
    data: dict[str, Any] = {"inventory": 1, "organisation": info.get("organisation") or "", "campaigns": []}
    if info.get("period"):
        data["period"] = str(info["period"])
    if info.get("profile"):
        data["factors"] = {"profile": str(info["profile"])}
    campaigns: dict[str, list[dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    hostings: list[dict[str, Any]] = []
    for sheet, rows in sheets.items():
        kind = "hosting" if sheet == HOSTINGS_SHEET else sheet
        if kind not in SERVICE_KINDS or len(rows) <= HEADER_ROWS:
            continue
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        for r, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
            cells = {header[c]: v for c, v in enumerate(row) if c < len(header) and v not in (None, "")}
            if not cells:
                continue
            entry: dict[str, Any] = {} if kind == "hosting" else {"kind": kind}
            for key, value in cells.items():
                column = header.index(key) + 1
                if key == "campaign":
                    continue
                spec = SERVICE_KINDS[kind].specs().get(key)
                if spec is not None and spec.kind == "mix" and isinstance(value, str):
                    try:
                        value = _mix(value)
                    except ValueError as exc:
                        problems.append(Problem(f"{path} [{_where(sheet, r, column - 1)}]", r, column, key,
                                                str(exc)))
                        continue
                entry[key] = value
            if kind == "hosting":
                target, index = hostings, ("hostings", len(hostings))
            elif cells.get("campaign"):
                group = campaigns.setdefault(str(cells["campaign"]), [])
                target, index = group, ("campaigns", list(campaigns).index(str(cells["campaign"])), "services",
                                        len(group))
            else:
                target, index = loose, ("services", len(loose))
            marks[index] = (r, 1)
            files[index] = f"{path} [{_where(sheet, r, 0)}]"
            for key in entry:
                if key in header:
                    marks[(*index, key)] = (r, header.index(key) + 1)
                    files[(*index, key)] = f"{path} [{_where(sheet, r, header.index(key))}]"
            target.append(entry)
    data["campaigns"] = [{"name": name, "services": services} for name, services in campaigns.items()]
    data["services"] = loose
    data["hostings"] = hostings
    if problems:
        raise InventoryError(problems)
    return inventory_from_data(Located(data, marks, str(path), files))


# Entries of a mix are separated by ";" or by a "," that starts the next "key:", so that decimal commas
# ("smartphone: 0,6, laptop: 0,4") stay inside their share.
_MIX_ENTRIES = re.compile(r";|,(?=\s*[A-Za-z_][\w.\-]*\s*:)")


def _mix(text: str) -> dict[str, str]:
    """``"smartphone: 0,6; laptop: 40 %"`` → ``{"smartphone": "0,6", "laptop": "40 %"}``; shares are read later
    by the common quantity reader, which knows English and French numbers and percentages."""
    mix = {}
    for part in _MIX_ENTRIES.split(text):
        key, sep, share = part.partition(":")
        if not sep or not key.strip() or not share.strip():
            raise ValueError(f"write a mix as 'smartphone: 0.6, laptop: 0.4', got {text!r}")
        mix[key.strip()] = share.strip()
    return mix
