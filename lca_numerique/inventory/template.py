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

The ``inventory`` sheet also takes what results per functional unit need (see
:mod:`lca_numerique.functional_units`): the population covered with its source and year, and a unit for the
whole inventory with its amount and source; each service sheet has a ``budget`` column (euros) and three
columns for the service's own unit (name, amount, source), and the ``campaigns`` sheet a budget per
campaign. They are read into the inventory's ``population``, ``functional_unit`` and ``budget`` entries, and
their problems are located at their cell like any other.

The template is written in English (sheets and headers are the ids inventory files use) or in French
(``lang="fr"``: sheet names, headers, accepted values, drop-down lists, descriptions, defaults and comments in
French, from the gettext catalogues). The reader takes either: a sheet, header or choice is read as its id or
as its label in any supported language.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..i18n import (
    LANGUAGES,
    TEMPLATE_COLUMNS,
    choice_label,
    display_unit,
    kind_label,
    parameter_label,
    source_text,
    translator,
)
from ..services import SERVICE_KINDS
from ..services.parameters import Spec
from .model import Inventory, InventoryError, inventory_from_data
from .yaml_source import Located, Path_, Problem

__all__ = [
    "CAMPAIGNS_SHEET",
    "COLUMN_MEANINGS",
    "HEADER_ROWS",
    "HOSTINGS_SHEET",
    "INFO_FIELDS",
    "INFO_SHEET",
    "INFO_UNITS",
    "LAST_GUIDED_ROW",
    "README",
    "README_SHEET",
    "read_template",
    "write_template",
]

HEADER_ROWS = 3
INFO_SHEET = "inventory"
HOSTINGS_SHEET = "hostings"
CAMPAIGNS_SHEET = "campaigns"
README_SHEET = "read me"
README = (
    "Fill one sheet per kind of service you run, one service per row from row 4 (rows 1-3 describe each column).",
    "Row 2 gives the unit expected (a plain number is read in it; text such as '1.8 MB' is converted) or the",
    "accepted values. Leave a cell empty to use the default given in row 3 with its source.",
    "Mixes: 'smartphone: 0.6, laptop: 0.4' (shares summing to 1). 'campaign' groups services; 'basis' says where",
    "the numbers come from (analytics, invoices...). List shared servers in 'hostings' and name them in 'hosting'.",
    "Results per inhabitant, per euro or per your own unit: fill the population and functional unit in 'inventory',",
    "the 'budget' column of each service and the 'campaigns' sheet (euros).",
)
INFO_FIELDS = (("organisation", "Organisation assessed"), ("period", "Period (e.g. 2025)"),
               ("profile", "Factor profile (default: default)"),
               ("inhabitants", "Population the inventory covers, for results per inhabitant (optional)"),
               ("population_source", "Where the population comes from (e.g. INSEE, populations légales 2021)"),
               ("population_year", "Year of the population count (optional)"),
               ("functional_unit", "A unit of what the whole inventory delivers, for results per that unit "
                                   "(optional, e.g. city-year)"),
               ("functional_unit_amount", "How many of that unit the inventory delivers"),
               ("functional_unit_source", "Where that amount comes from"))
#: The unit or kind of value of each field of the inventory sheet (its third column).
INFO_UNITS = {"organisation": "text", "period": "text", "profile": "text", "inhabitants": "inhabitants",
              "population_source": "text", "population_year": "year (e.g. 2021)", "functional_unit": "text",
              "functional_unit_amount": "number", "functional_unit_source": "text"}
assert set(INFO_UNITS) == {f[0] for f in INFO_FIELDS}
#: Inventory sheet fields -> (entry, key) of the inventory they fill.
_DECLARATIONS = {"inhabitants": ("population", "inhabitants"), "population_source": ("population", "source"),
                 "population_year": ("population", "year"), "functional_unit": ("functional_unit", "unit"),
                 "functional_unit_amount": ("functional_unit", "amount"),
                 "functional_unit_source": ("functional_unit", "source")}
#: What the template's own columns and fields hold (its other columns are the services' parameters).
COLUMN_MEANINGS = {"campaign": "Campaign or group (optional)", "name": "Name of the service (unique)",
                   "basis": "Where these numbers come from",
                   "budget": "Budget in euros (optional), for results per euro",
                   "functional_unit": "A unit of what this service delivers, for its results per that unit "
                                      "(optional, e.g. mailbox-week)",
                   "functional_unit_amount": "How many of that unit the service delivers",
                   "functional_unit_source": "Where that amount comes from"}
#: Columns of a service sheet that make its ``functional_unit`` entry -> the entry's key.
_UNIT_COLUMNS = {"functional_unit": "unit", "functional_unit_amount": "amount", "functional_unit_source": "source"}
assert set(COLUMN_MEANINGS) == set(TEMPLATE_COLUMNS)


_EXCEL_NAME = 31  # the longest sheet name Excel accepts


def _names(lang: str) -> dict[str, str]:
    """The template's sheet names in ``lang``, by id (kinds, "hostings", "inventory", "read me")."""
    pgettext = translator(lang).pgettext
    names = {kind: kind if lang == "en" else kind_label(kind, lang) for kind in SERVICE_KINDS}
    # Excel caps a sheet name at 31 characters: a longer label has a short one of its own, never a cut word
    names |= {kind: pgettext("template sheet", kind) for kind, name in names.items() if len(name) > _EXCEL_NAME}
    names |= {key: pgettext("template sheet", key) for key in (HOSTINGS_SHEET, CAMPAIGNS_SHEET, INFO_SHEET,
                                                              README_SHEET)}
    return names


def _columns(kind: str, lang: str) -> list[tuple[str, str, str]]:
    """(header, unit or accepted values, description) for every column of a kind's sheet, in ``lang``."""
    _ = translator(lang).gettext
    cls = SERVICE_KINDS[kind]
    columns = [] if kind == "hosting" else [(parameter_label("campaign", lang), _("text"),
                                             _(COLUMN_MEANINGS["campaign"]))]
    columns.append((parameter_label("name", lang), _("text"), _(COLUMN_MEANINGS["name"])))
    for spec in cls.parameters:
        columns.append((parameter_label(spec.name, lang), _accepted(spec, lang), _meaning(spec, lang)))
    columns.append((parameter_label("basis", lang), _("text"), _(COLUMN_MEANINGS["basis"])))
    if kind != "hosting":  # a hosting's cost and use are its services'
        columns.append((parameter_label("budget", lang), _("euros"), _(COLUMN_MEANINGS["budget"])))
        columns += [(parameter_label(key, lang), _(INFO_UNITS[key]), _(COLUMN_MEANINGS[key])) for key in _UNIT_COLUMNS]
    return columns


def _choices(spec: Spec, lang: str) -> list[str]:
    return [choice_label(c, lang) for c in spec.choices]


def _accepted(spec: Spec, lang: str) -> str:
    _ = translator(lang).gettext
    if spec.kind == "choice":
        return " | ".join(_choices(spec, lang))
    if spec.kind == "mix":
        return _("mix of {keys}").format(keys=", ".join(choice_label(k, lang) for k in spec.keys))
    if spec.kind == "object":
        return _("name of a hosting")
    if spec.kind == "share":
        return _("share 0-1")
    return display_unit(spec.unit, lang) if spec.unit else _("number")


def _default(spec: Spec, lang: str) -> str:
    """A default as the template shows it: in the inventory's notation in English, in words in French."""
    from ..i18n import parameter_value

    return repr(spec.default) if lang == "en" else parameter_value(spec.default, lang) or "—"


def _meaning(spec: Spec, lang: str) -> str:
    _ = translator(lang).gettext
    if spec.required:
        return _("{description} REQUIRED.").format(description=_(spec.description))
    return _("{description} Default: {default} ({source}).").format(
        description=_(spec.description), default=_default(spec, lang), source=source_text(spec.source, lang))


def _header_comment(spec: Spec, lang: str) -> str:
    _ = translator(lang).gettext
    default = _("required") if spec.required else _("default {default} ({source})").format(
        default=_default(spec, lang), source=source_text(spec.source, lang))
    text = _("{description}\nUnit / values: {accepted}\n{default}").format(
        description=_(spec.description), accepted=_accepted(spec, lang), default=default)
    return text if lang == "en" else _("{text}\nIdentifier in inventory files: {id}").format(text=text, id=spec.name)


def _readme(lang: str) -> tuple[str, ...]:
    _ = translator(lang).gettext
    return tuple(_(line) for line in README)


def _sheets(lang: str) -> dict[str, list[list[str]]]:
    _ = translator(lang).gettext
    names = _names(lang)
    sheets: dict[str, list[list[str]]] = {names[README_SHEET]: [[line] for line in _readme(lang)]}
    sheets[names[INFO_SHEET]] = [[_("field"), _("value"), _("unit"), _("meaning")],
                                 *[[parameter_label(k, lang), "", _(INFO_UNITS[k]), _(m)] for k, m in INFO_FIELDS]]
    for kind in ("hosting", "campaigns", *[k for k in SERVICE_KINDS if k != "hosting"]):
        if kind == "campaigns":
            sheets[names[CAMPAIGNS_SHEET]] = [
                [parameter_label("campaign", lang), parameter_label("budget", lang)], [_("text"), _("euros")],
                [_("Name of a campaign the service sheets use"), _(COLUMN_MEANINGS["budget"])]]
            continue
        if any(spec.json_schema for spec in SERVICE_KINDS[kind].parameters):
            continue  # a custom bill's lines are a list: written in YAML, not in one row
        columns = _columns(kind, lang)
        sheet = names[HOSTINGS_SHEET] if kind == "hosting" else names[kind]
        sheets[sheet] = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]
    return sheets


def write_template(out: str | Path, lang: str = "en") -> Path:
    """Write the template in ``lang``: an Excel workbook if ``out`` ends in .xlsx, else a folder of CSV files."""
    out = Path(out)
    sheets = _sheets(lang)
    names = _names(lang)
    kinds = {names[HOSTINGS_SHEET]: "hosting", **{names[k]: k for k in SERVICE_KINDS}}
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(row)
            if name == names[INFO_SHEET]:
                _choose(sheet, f"B{2 + [f[0] for f in INFO_FIELDS].index('profile')}", _profiles(), lang)
                _comment_fields(sheet, lang)
            if name in kinds or name == names[CAMPAIGNS_SHEET]:
                if name in kinds:
                    _guide(sheet, kinds[name], lang, names[HOSTINGS_SHEET])
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


def _guide(sheet: Any, kind: str, lang: str, hostings: str) -> None:
    """Drop-down lists for choices, flags and hostings, a percentage format for shares, header comments."""
    from openpyxl.comments import Comment
    from openpyxl.utils import quote_sheetname

    specs = {parameter_label(spec.name, lang): spec for spec in SERVICE_KINDS[kind].parameters}
    for cell in sheet[1]:
        spec = specs.get(cell.value)
        if spec is None:
            continue
        letter = cell.column_letter
        cell.comment = Comment(_header_comment(spec, lang), "lca_numerique", width=320, height=160)
        cells = f"{letter}{HEADER_ROWS + 1}:{letter}{LAST_GUIDED_ROW}"
        if spec.kind == "choice":
            _choose(sheet, cells, tuple(_choices(spec, lang)), lang)
        elif spec.kind == "flag":
            _choose(sheet, cells, ("TRUE", "FALSE"), lang)
        elif spec.kind == "object":
            where = hostings if re.fullmatch(r"[A-Za-z_]\w*", hostings, re.ASCII) else quote_sheetname(hostings)
            _choose(sheet, cells, f"{where}!$A${HEADER_ROWS + 1}:$A${LAST_GUIDED_ROW}", lang)
        elif spec.kind == "share":
            sheet.column_dimensions[letter].number_format = "0%"


def _comment_fields(sheet: Any, lang: str) -> None:
    """Each field of the inventory sheet with a comment: its meaning, its unit and its id in inventory files."""
    from openpyxl.comments import Comment

    _ = translator(lang).gettext
    for row, (key, meaning) in enumerate(INFO_FIELDS, start=2):
        text = _("{description}\nUnit / values: {accepted}").format(description=_(meaning),
                                                                    accepted=_(INFO_UNITS[key]))
        if lang != "en":
            text = _("{text}\nIdentifier in inventory files: {id}").format(text=text, id=key)
        sheet.cell(row=row, column=1).comment = Comment(text, "lca_numerique", width=320, height=120)


def _choose(sheet: Any, cells: str, choices: tuple[str, ...] | str, lang: str) -> None:
    """A drop-down list on ``cells``: the given choices, or the cells a range string names."""
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = choices if isinstance(choices, str) else '"' + ",".join(choices) + '"'
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle="lca_numerique",
                                error=translator(lang).gettext("Choose a value from the list."))
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
    ids = _ids()
    info_sheet, info_rows = next(((sheet, rows) for sheet, rows in sheets.items()
                                  if ids.get(sheet.strip()) == INFO_SHEET), ("", []))
    info = {ids.get(str(r[0]).strip(), str(r[0]).strip()): (i, r[1]) for i, r in enumerate(info_rows[1:], start=2)
            if r and r[0] and len(r) > 1 and r[1] not in (None, "")}
    data: dict[str, Any] = {"inventory": 1, "organisation": info.get("organisation", (0, ""))[1], "campaigns": []}
    if "period" in info:
        data["period"] = str(info["period"][1])
    if "profile" in info:
        data["factors"] = {"profile": str(info["profile"][1])}
    fields = {ids.get(str(r[0]).strip(), str(r[0]).strip()): (i, str(r[0]).strip())
              for i, r in enumerate(info_rows[1:], start=2) if r and r[0]}
    for key, (entry, field) in _DECLARATIONS.items():
        if key in info:
            data.setdefault(entry, {})[field] = _declared(info[key][1], field)
    for key, (entry, field) in _DECLARATIONS.items():
        if entry in data and key in fields:  # an empty field of a filled entry is located at its own cell
            row, shown = fields[key]
            for where in ((entry,), (entry, field)):
                marks.setdefault(where, (row, 2))
                files.setdefault(where, f"{path} [{_where(info_sheet, row, 1)}, {shown}]")
    campaigns: dict[str, list[dict[str, Any]]] = {}
    positions: dict[str, int] = {}  # each campaign's index in campaigns
    loose: list[dict[str, Any]] = []
    hostings: list[dict[str, Any]] = []
    budgets: dict[str, tuple[Any, str, int]] = {}  # campaign -> (budget, sheet, row)
    for sheet, rows in sheets.items():
        if ids.get(sheet.strip()) == CAMPAIGNS_SHEET:
            budgets |= {str(row[0]).strip(): (row[1], sheet, r) for r, row in enumerate(rows[HEADER_ROWS:],
                                                                                         start=HEADER_ROWS + 1)
                        if len(row) > 1 and row[0] not in (None, "") and row[1] not in (None, "")}
            continue
        kind = "hosting" if ids.get(sheet.strip()) == HOSTINGS_SHEET else ids.get(sheet.strip(), "")
        if kind not in SERVICE_KINDS or len(rows) <= HEADER_ROWS:
            continue
        header = [ids.get(str(h).strip(), str(h).strip()) if h is not None else "" for h in rows[0]]
        columns = {key: c for c, key in reversed(list(enumerate(header)))}  # each key's first column, 0-based
        specs = SERVICE_KINDS[kind].specs()
        for r, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
            cells = {header[c]: v for c, v in enumerate(row) if c < len(header) and v not in (None, "")}
            if not cells:
                continue
            entry: dict[str, Any] = {} if kind == "hosting" else {"kind": kind}
            for key, value in cells.items():
                column = columns[key] + 1
                if key == "campaign":
                    continue
                spec = specs.get(key)
                if spec is not None and spec.kind == "mix" and isinstance(value, str):
                    try:
                        value = {ids.get(k, k): share for k, share in _mix(value).items()}
                    except ValueError as exc:
                        problems.append(Problem(f"{path} [{_where(sheet, r, column - 1)}]", r, column, key,
                                                str(exc)))
                        continue
                elif spec is not None and spec.kind == "choice" and isinstance(value, str):
                    value = ids.get(value.strip(), value)
                entry[key] = value
            if kind == "hosting":
                target, index = hostings, ("hostings", len(hostings))
            elif cells.get("campaign"):
                name = str(cells["campaign"])
                group = campaigns.setdefault(name, [])
                target, index = group, ("campaigns", positions.setdefault(name, len(positions)), "services",
                                        len(group))
            else:
                target, index = loose, ("services", len(loose))
            marks[index] = (r, 1)
            files[index] = f"{path} [{_where(sheet, r, 0)}]"
            for key in entry:
                if key in columns:
                    marks[(*index, key)] = (r, columns[key] + 1)
                    files[(*index, key)] = f"{path} [{_where(sheet, r, columns[key])}]"
            unit = {field: _declared(entry.pop(key), field) for key, field in _UNIT_COLUMNS.items() if key in entry}
            if unit:  # three columns make one entry; each problem is located at its own column
                entry["functional_unit"] = unit
                for key, field in _UNIT_COLUMNS.items():
                    if key in columns:  # an empty column of a filled unit too
                        marks[(*index, "functional_unit", field)] = (r, columns[key] + 1)
                        files[(*index, "functional_unit", field)] = f"{path} [{_where(sheet, r, columns[key])}]"
            target.append(entry)
    data["campaigns"] = [{"name": name, "services": services} for name, services in campaigns.items()]
    for name, (budget, sheet, r) in budgets.items():
        if name not in campaigns:
            problems.append(Problem(f"{path} [{_where(sheet, r, 0)}]", r, 1, "",
                                    f"no service sheet names the campaign {name!r}: a budget needs its services"))
            continue
        index = list(campaigns).index(name)
        data["campaigns"][index]["budget"] = budget
        marks[("campaigns", index, "budget")] = (r, 2)
        files[("campaigns", index, "budget")] = f"{path} [{_where(sheet, r, 1)}]"
    data["services"] = loose
    data["hostings"] = hostings
    if problems:
        raise InventoryError(problems)
    return inventory_from_data(Located(data, marks, str(path), files))


def _declared(value: Any, key: str) -> Any:
    """A population or functional-unit value as the inventory reads it: numbers typed as text (a CSV file,
    ``"450 000"``) read as numbers, a whole year as an int; anything else as typed, for the reader to refuse
    at its cell."""
    from ..units import read_number

    if key in ("inhabitants", "amount", "year") and isinstance(value, str):
        try:
            value = read_number(value.strip())
        except ValueError:
            return value
    if key == "year" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _ids() -> dict[str, str]:
    """Every label the template may show, in any language, with the id it stands for: sheet names, headers,
    information fields, choices and mix keys. Ids stand for themselves."""
    ids: dict[str, str] = {}
    specs = [spec for cls in SERVICE_KINDS.values() for spec in cls.parameters]
    for lang in LANGUAGES:
        ids |= {label: key for key, label in _names(lang).items()}
        # the kind's full label, and its first 31 characters: the sheet name of templates written before
        ids |= {label[:length]: kind for kind in SERVICE_KINDS for label in [kind_label(kind, lang)]
                for length in (None, _EXCEL_NAME)}
        ids |= {parameter_label(name, lang): name
                for name in [*TEMPLATE_COLUMNS, *(f[0] for f in INFO_FIELDS), *(s.name for s in specs)]}
        ids |= {choice_label(c, lang): c for s in specs for c in (*s.choices, *s.keys)}
    return ids


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
