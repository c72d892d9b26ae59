"""Words and numbers of every output in the reader's language (``lang="en"`` or ``"fr"``).

Words: gettext catalogues, one ``.po`` file per language in ``lca_numerique/locale/<lang>/LC_MESSAGES/``,
read at run time with Babel (so the installed wheel needs no compiled ``.mo``). Message ids are the English
text; labels that are ids in the data (audience units, service kinds, coverage statuses) are looked up with a
context (``pgettext``). Criterion, tier and phase names come from their definitions (``name_en``/``name_fr``).

Numbers: Babel's CLDR data, so French reads ``1 234,5`` (narrow no-break space, decimal comma) and ``93 %``.
Impacts are shown with three significant digits in a unit scaled to be read (``339 t CO2e`` rather than
``3.39e+05 kg CO2 eq``); a total that is not covered reads "not covered" / "non couvert", never 0.
"""

from __future__ import annotations

import gettext
import io
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Protocol

__all__ = [
    "CONSOLE_COLUMNS",
    "EXTRACT_KEYWORDS",
    "LANGUAGES",
    "NBSP",
    "NNBSP",
    "TEMPLATE_COLUMNS",
    "BillTrace",
    "Labelled",
    "audience_unit",
    "check_lang",
    "choice_label",
    "coverage_label",
    "data_messages",
    "display_unit",
    "format_count",
    "format_impact",
    "format_number",
    "format_percent",
    "format_quantity",
    "gettext_for",
    "join",
    "kind_label",
    "label",
    "lever_name",
    "localise_table",
    "parameter_label",
    "parameter_value",
    "per_audience_unit",
    "provenance_label",
    "provenance_value",
    "quoted",
    "readable_table",
    "round_significant",
    "scale",
    "sheet_name",
    "source_text",
    "tornado_input",
    "translator",
]

LANGUAGES: tuple[str, ...] = ("en", "fr")
#: CLDR locale of each language's number formatting.
_LOCALE = {"en": "en_GB", "fr": "fr_FR"}
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and space before % and units
NBSP = "\u00a0"

#: Mass prefixes for units written "kg <substance>": (factor to kg, symbol), largest first.
_MASS_STEPS: tuple[tuple[float, str], ...] = ((1e6, "kt"), (1e3, "t"), (1.0, "kg"), (1e-3, "g"), (1e-6, "mg"),
                                              (1e-9, "µg"))


class Labelled(Protocol):
    """Anything with an English and a French name (criteria, tiers, phases)."""

    name_en: str
    name_fr: str


def check_lang(lang: str) -> str:
    """``lang`` if it is a supported language, else a ValueError naming the accepted ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang {lang!r} is not supported; accepted: {', '.join(LANGUAGES)}")
    return lang


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The gettext translations of ``lang``. Message ids are English text, except ids from the data (service
    kinds, provenance keys), which the English catalogue turns into words."""
    check_lang(lang)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files("lca_numerique") / "locale" / lang / "LC_MESSAGES" / "lca_numerique.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: an unchecked translation falls back to English
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str, message: str) -> str:
    """``message`` (English) in ``lang``."""
    return translator(lang).gettext(message)


def label(item: Labelled, lang: str) -> str:
    """The name of a criterion, tier or phase in ``lang``."""
    return item.name_fr if check_lang(lang) == "fr" else item.name_en


def audience_unit(unit: str, lang: str) -> str:
    """One unit of audience ("visit", "reader"...) in ``lang``."""
    return translator(lang).pgettext("audience unit", unit)


def per_audience_unit(unit: str, lang: str) -> str:
    """"per visit", "par lecteur"... in ``lang``."""
    message = f"per {unit}"  # built outside the call: extraction sees no literal to pick up
    return translator(lang).pgettext("per audience unit", message)


def kind_label(kind: str, lang: str) -> str:
    """A service kind ("website", "print"...) in ``lang``."""
    return translator(lang).pgettext("service kind", kind)


def coverage_label(status: str, lang: str) -> str:
    """A coverage status ("complete", "partial", "not covered"...) in ``lang``."""
    return translator(lang).pgettext("coverage", status)


def join(items: Sequence[str], lang: str) -> str:
    """Clauses joined with the semicolon of ``lang`` (French puts a narrow space before it)."""
    return translator(lang).gettext("{a}; {b}").format(a="", b="").join(items)


def display_unit(unit: str, lang: str = "en") -> str:
    """A criterion unit as a reader of ``lang`` expects it: ``kg CO2 eq`` is written ``kg CO2e``, words are
    translated ("disease incidence"); symbols stay as they are."""
    unit = unit.replace("CO2 eq", "CO2e")
    return unit if unit.startswith("kg ") else translator(lang).pgettext("unit", unit)


def scale(value: float, unit: str) -> tuple[float, str]:
    """``value`` in ``unit`` rescaled so that it reads between 1 and 1000 when the unit is a mass
    (``kg X``: µg ... kt); other units (CTUe, mol H+ eq, MJ...) are kept."""
    unit = unit.replace("CO2 eq", "CO2e")
    if not unit.startswith("kg ") or not math.isfinite(value) or value == 0:
        return value, unit
    rest = unit[3:]
    for factor, symbol in _MASS_STEPS:
        if abs(value) >= factor:
            return value / factor, f"{symbol} {rest}"
    factor, symbol = _MASS_STEPS[-1]
    return value / factor, f"{symbol} {rest}"


def round_significant(value: float, digits: int = 3) -> Decimal:
    """``value`` rounded to ``digits`` significant digits, as an exact decimal."""
    return Decimal(f"{value:.{digits}g}")


def format_number(value: float, lang: str, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, grouped and with the decimal sign of ``lang``
    (``1 230`` and ``0,0456`` in French); never scientific notation. NaN reads "not covered"."""
    from babel.numbers import format_decimal

    if value is None or not math.isfinite(value):
        return coverage_label("not covered", lang)
    rounded = round_significant(float(value), digits)
    return format_decimal(rounded, format="#,##0.###", locale=_LOCALE[check_lang(lang)],
                          decimal_quantization=False)


def format_count(value: float, lang: str) -> str:
    """A count (audience, copies) as a whole number, grouped the way ``lang`` writes it."""
    from babel.numbers import format_decimal

    return format_decimal(round(float(value)), locale=_LOCALE[check_lang(lang)])


def format_percent(share: float, lang: str) -> str:
    """A share (0.93) as a percentage in ``lang``: "93 %" in French (narrow no-break space), "93%" in English;
    whole percents, or two significant digits below 1 %."""
    if share is None or not math.isfinite(share):
        return coverage_label("not covered", lang)
    percent = share * 100
    text = format_number(round(percent), lang) if abs(percent) >= 1 or percent == 0 else \
        format_number(percent, lang, 2)
    return f"{text}{NNBSP}%" if check_lang(lang) == "fr" else f"{text}%"


def format_quantity(value: float, unit: str, lang: str, digits: int = 3) -> str:
    """``value`` in ``unit`` scaled to be read and written in ``lang``: "108 g CO2e", "1,23 t CO2e"."""
    if value is None or not math.isfinite(value):
        return coverage_label("not covered", lang)
    scaled, shown = scale(float(value), unit)
    return f"{format_number(scaled, lang, digits)}{NBSP}{display_unit(shown, lang)}"


def format_impact(value: float, criterion: str, lang: str, coverage: str = "complete") -> str:
    """An impact of ``criterion`` (id or code) in its unit, scaled and formatted for ``lang``; a total that is
    not covered reads "not covered", a partial one is marked "(partial)"."""
    from .criteria import get_criterion

    if coverage == "not covered" or value is None or not math.isfinite(value):
        return coverage_label("not covered", lang)
    text = format_quantity(value, get_criterion(criterion).unit, lang)
    if coverage == "complete":
        return text
    return f"{text} ({coverage_label(coverage, lang)})"


#: gettext keywords of the package's code for ``pybabel extract -k`` / ``babel.messages.extract``.
EXTRACT_KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "gettext_for": (2,), "_gettext": (2,),
                                    "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def localise_table(frame: Any, lang: str) -> Any:
    """A results table (pandas) for readers of ``lang``: column names translated, and the words in its cells
    (tier, phase, criterion, coverage, "per visit", kind, word units, provenance keys) too; numbers untouched.
    English tables are returned as they are (ids kept for tools)."""
    if check_lang(lang) == "en":
        return frame
    import pandas as pd

    from .axes import PHASES, TIERS
    from .criteria import get_criterion

    words = {
        "tier": {t.id: label(t, lang) for t in TIERS}.get,
        "phase": {p.id: label(p, lang) for p in PHASES}.get,
        "criterion": lambda c: label(get_criterion(c), lang),
        "coverage": lambda c: coverage_label(c, lang),
        "per": lambda p: translator(lang).pgettext("per audience unit", p),
        "audience unit": lambda u: audience_unit(u, lang),
        "kind": lambda k: kind_label(k, lang),
        "unit": lambda u: display_unit(u, lang),
        "key": lambda k: provenance_label(k, lang),
        "parameter": lambda p: parameter_label(p, lang),
        "description": lambda d: translator(lang).gettext(d) if d else d,
        "origin": {"user": translator(lang).pgettext("origin", "user"),
                   "default": translator(lang).pgettext("origin", "default")}.get,
    }
    frame = frame.copy()
    for column, word in words.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):  # one translation per category, not per row
            labels = [word(str(v)) or str(v) for v in values.cat.categories]
            if len(set(labels)) == len(labels):
                frame[column] = values.cat.rename_categories(labels)
                continue
        frame[column] = values.astype(str).map(lambda v, word=word: word(v) or v)
    return frame.rename(columns=lambda c: translator(lang).pgettext("column", c))


def parameter_label(name: str, lang: str) -> str:
    """A service parameter ("page_weight") in the words of ``lang`` ("poids de page"); English keeps the id
    an inventory file uses."""
    return translator(lang).pgettext("parameter", name)


def choice_label(value: str, lang: str) -> str:
    """An accepted value of a choice or a mix key ("laptop", "large_platform") in ``lang``."""
    return translator(lang).pgettext("choice", value)


def source_text(source: str, lang: str) -> str:
    """Where a default or a factor comes from, in ``lang``: the cited document's title as published, the words
    around it translated."""
    return translator(lang).pgettext("source", source)


def parameter_value(value: Any, lang: str) -> str:
    """A service parameter's value as short text in ``lang``: numbers with six significant digits (never
    scientific notation in French), mixes as ``key : share ; ...``, choices in words, a hosting by its name;
    ``None`` (an optional value not given) is empty. English keeps the inventory file's notation."""
    from .services.base import Service, format_value

    if check_lang(lang) == "en":
        return format_value(value)
    _ = translator(lang).gettext
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        return format_number(float(value), lang, 6)
    if isinstance(value, dict):
        return join([_("{term}: {definition}").format(term=choice_label(str(k), lang),
                                                       definition=parameter_value(v, lang)) for k, v in value.items()],
                    lang)
    if isinstance(value, Service):
        return _("{kind} '{name}'").format(kind=kind_label(value.kind, lang), name=value.name)
    return choice_label(str(value), lang) if isinstance(value, str) else str(value)


def tornado_input(text: str, kind: str, lang: str) -> str:
    """An input of :func:`lca_numerique.sensitivity.tornado` in words of ``lang``: ``factor <flow> / <phase>``
    (``kind`` "factor") or ``<service>: <parameter>`` (``kind`` "parameter")."""
    from .axes import PHASES

    _ = translator(lang).gettext
    if kind == "factor" and " / " in text:
        flow, phase = text.removeprefix("factor ").rsplit(" / ", 1)
        phases = {p.id: label(p, lang) for p in PHASES}
        return _("factor {flow} ({phase})").format(flow=flow, phase=phases.get(phase, phase))
    if kind == "parameter" and ": " in text:
        service, name = text.rsplit(": ", 1)
        return _("{term}: {definition}").format(term=service, definition=parameter_label(name, lang))
    return text


def quoted(name: str, lang: str) -> str:
    """A name (a lever, a hosting, a service) set off in running text as ``lang`` writes it: « name » in French,
    'name' in English; never Python's ``repr`` (which would show escapes and switch quotes)."""
    return f"«{NBSP}{name}{NBSP}»" if check_lang(lang) == "fr" else f"'{name}'"


#: The notes services write on looked-up values, as (pattern, message): each group of the pattern fills the field
#: of the message in its order, written by :meth:`BillTrace.note` as its kind asks; other notes are kept.
_NOTE_SHAPES: tuple[tuple[str, str], ...] = (
    (r"by (\w+) \(([^)]*)\): (.*)", "by {parameter} ({choice}): {source}"),
    (r"default for an image: (.*)", "default for an image: {source}"),
    (r"allocation of hosting '(.*)'", "allocation of hosting {name}"),
    (r"hosting '(.*)': (.*)", "hosting {name}: {formula}"),
    (r"(.*) with (.*); source: (.*)", "{written} with {values}; source: {source}"),
    (r"(.*); source: (.*)", "{written}; source: {source}"),
)
_VALUE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?: ([a-z_]+(?: \*\* \d| / [a-z_]+)*))?(?![\w.])")
_LINE = re.compile(r"(hosting\.)?line(\d+)")
_NAME_OR_NUMBER = re.compile(r"(?<![\w.@])(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*(?:\.\w+)?))(?![\w.@])")


class BillTrace:
    """The words and numbers of a service's bill trace (:meth:`lca_numerique.services.Service.explain`) in
    ``lang``. English keeps the ids and Python's numbers (the text tools and tests parse); French writes stages,
    units, origins and the names in formulas in words, and numbers with six significant digits and a decimal
    comma."""

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)
        self.french = lang != "en"
        self._ = translator(lang)
        self.where = self._.gettext("where:")

    def header(self, kind: str, name: str, amount: float, unit: str, definition: str) -> str:
        """The first line: the service, its audience and what one unit of it counts."""
        if not self.french:
            return f"{kind} {name!r}: audience {amount:g} {unit} (per {unit}: {definition})"
        return self._.gettext("{kind} {name}: audience {amount} (unit: {unit}; {per}: {definition})").format(
            kind=kind_label(kind, self.lang), name=quoted(name, self.lang), amount=self.number(amount),
            unit=audience_unit(unit, self.lang), per=per_audience_unit(unit, self.lang),
            definition=self._.gettext(definition))

    def number(self, value: float) -> str:
        """An amount: ``%.6g`` in English, six significant digits in French."""
        return f"{value:.6g}" if not self.french else format_number(float(value), self.lang, 6)

    def stage(self, stage: str) -> str:
        """A stage of the bill (``visitor_device``...): its id in English, words in French."""
        return self._.pgettext("stage", stage) if self.french else stage

    def unit(self, unit: str) -> str:
        """A unit of a flow, a value or a factor (``kg CO2 eq / (tonne * km)``); French writes each part of a
        ratio in its symbols (``kg CO2e/t·km``) and drops "dimensionless"."""
        if not self.french:
            return unit
        if not unit or unit == "dimensionless":
            return ""
        whole = self._.pgettext("unit", unit)
        if whole != unit:
            return whole
        parts = [part.strip().removeprefix("(").removesuffix(")") for part in unit.split(" / ")]
        return "/".join(display_unit(part, self.lang) if part.startswith("kg ") else
                        self._.pgettext("unit", part).replace("CO2 eq", "CO2e") for part in parts)

    def name(self, name: str) -> str:
        """A name in a formula: a parameter by its label, a mix's share as ``label (key)``, a value computed on
        the way by its own label; a name without French label is kept."""
        if not self.french:
            return name
        line = _LINE.fullmatch(name)
        if line:  # the amount of a custom line, or of a line of the hosting a service takes a share of
            message = self._.gettext("hosting line {number}") if line[1] else self._.gettext("line {number}")
            return message.format(number=line[2])
        head, _dot, key = name.partition(".")
        if key:  # a mix's share, device_mix.tv
            return f"{parameter_label(head, self.lang)} ({choice_label(key, self.lang)})"
        label = parameter_label(name, self.lang)
        return self._.pgettext("value", name) if label == name else label

    def named(self, name: str) -> str:
        """A name heading its line of values: in French, its label with the id an inventory file uses."""
        label = self.name(name)
        return name if label == name else f"{label} ({name})"

    def formula(self, formula: str) -> str:
        """A formula as shown: × for multiplication; in French, names in words and numbers as French writes
        them."""
        formula = formula.replace(" * ", " × ")
        if not self.french:
            return formula
        return _NAME_OR_NUMBER.sub(lambda m: self.number(float(m[1])) if m[1] else self.name(m[2]), formula)

    def written(self, text: str) -> str:
        """What a user wrote (a custom line's formula and the values of its variables): their names kept, × for
        multiplication, numbers and units as ``lang`` writes them."""
        text = text.replace(" * ", " × ")
        if not self.french:
            return text
        return _VALUE.sub(lambda m: " ".join(filter(None, (self.number(float(m[1])), self.unit(m[2] or "")))), text)

    def value(self, value: Any, shown: str) -> str:
        """A value: as ``shown`` in English; in French, numbers, mixes and choices in French (an empty value
        for an optional one not given)."""
        return shown if not self.french else parameter_value(value, self.lang)

    def origin(self, origin: str) -> str:
        """Where a value comes from: "user", "default: <source>" or a service's note."""
        if not self.french or not origin:
            return origin
        if origin == "user":
            return self._.pgettext("origin", "user")
        if origin.startswith("default: "):
            return self._.gettext("default: {source}").format(
                source=source_text(origin.removeprefix("default: "), self.lang))
        return self.note(origin)

    def note(self, note: str) -> str:
        """A note on a looked-up value in French words where its shape is known; sources stay as published."""
        for pattern, message in _NOTE_SHAPES:
            match = re.fullmatch(pattern, note)
            if match is None:
                continue
            fields = dict(zip(re.findall(r"\{(\w+)\}", message), match.groups(), strict=True))
            return self._.gettext(message).format(**{k: self._field(k, v) for k, v in fields.items()})
        return self._.gettext(note)

    def _field(self, kind: str, text: str) -> str:
        """One field of a note, written as its kind asks (a parameter, a choice, a source, a name...)."""
        if kind in ("written", "values"):
            return self.written(text)
        if kind == "formula":
            return self.formula(text)
        write = {"parameter": parameter_label, "choice": choice_label, "source": source_text, "name": quoted}[kind]
        return write(text, self.lang)


def lever_name(name: str, lang: str) -> str:
    """A scenario's name in ``lang``: the bundled levers' names are translated, a user's are kept."""
    return translator(lang).pgettext("lever", name)


def provenance_value(key: str, value: str, lang: str) -> str:
    """A value of results' provenance in ``lang``: the profile's name, the factor set's title and its licences
    in words; ids, versions and hashes as they are."""
    pgettext = translator(lang).pgettext
    if key == "factor_set":
        return pgettext("profile", value)
    if key == "factor_set_title":
        return pgettext("factor set title", value)
    if key == "factor_set_licence":
        return join([pgettext("licence", part) for part in value.split("; ")], lang)
    return value


def readable_table(frame: Any, lang: str, digits: int = 3) -> Any:
    """A table for a terminal in ``lang``: :func:`localise_table`'s words, and in French its numbers written as
    French writes them (``digits`` significant digits, never scientific notation; "non couvert" for NaN).
    English tables are returned as they are (the caller's pandas display options apply)."""
    if check_lang(lang) == "en":
        return frame
    import pandas as pd

    frame = localise_table(frame, lang)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values.dtype):
            frame[column] = [format_number(v, lang, digits) for v in values.to_numpy(dtype=float)]
        elif pd.api.types.is_integer_dtype(values.dtype) and values.hasnans:  # no rank: a dash, not "<NA>"
            frame[column] = ["—" if pd.isna(v) else format_count(v, lang) for v in values]
    return frame


def factors_label(provenance: dict[str, str], lang: str) -> str:
    """The factors results were computed with, for a reader of ``lang``, from their provenance: ``default 2``
    in English (the ids a command line takes), "profil par défaut, version 2" in French."""
    if check_lang(lang) == "en":
        return f"{provenance['factor_set']} {provenance['factor_set_version']}"
    return translator(lang).gettext("{name}, version {version}").format(
        name=provenance_value("factor_set", provenance["factor_set"], lang), version=provenance["factor_set_version"])


def sheet_name(key: str, lang: str) -> str:
    """The name of a workbook sheet ("summary", "coverage"...) in ``lang``."""
    return translator(lang).pgettext("sheet", key)


def provenance_label(key: str, lang: str) -> str:
    """A key of results' provenance ("factor_set_version"...) in words, in ``lang``."""
    return translator(lang).pgettext("provenance", key)


def data_messages() -> list[tuple[str | None, str | tuple[str, str]]]:
    """The messages that come from data rather than code (so extraction cannot see them): coverage statuses,
    audience units, service kinds, criterion descriptions and word units, provenance keys and everyday-equivalent
    labels, as
    ``(context, message)`` (a message is a (singular, plural) pair for plural forms)."""
    from .criteria import CRITERIA
    from .factors import available_factor_sets, available_profiles, load_factor_set, load_factors
    from .report.html import equivalents
    from .report.tables import ASSUMPTION_COLUMNS, SHEETS
    from .results import COMPLETE, NOT_COVERED, PARTIAL, ZERO_AUDIENCE, provenance_of
    from .scenarios import NOT_COMPARABLE, bundled_scenarios
    from .services import SERVICE_KINDS

    units = sorted({cls.audience_unit for cls in SERVICE_KINDS.values()})
    messages: list[tuple[str | None, str | tuple[str, str]]] = []
    messages += [("coverage", status) for status in (COMPLETE, PARTIAL, NOT_COVERED, ZERO_AUDIENCE)]
    messages += [("audience unit", unit) for unit in units]
    messages += [("per audience unit", f"per {unit}") for unit in units]
    messages += [("service kind", kind) for kind in SERVICE_KINDS]
    messages += [(None, c.description) for c in CRITERIA]
    messages += [("unit", unit) for unit in dict.fromkeys(c.unit for c in CRITERIA) if not unit.startswith("kg ")]
    messages += [("provenance", key) for key in provenance_of(load_factors("impactco2"))]
    messages += [("sheet", key) for key in SHEETS]
    messages += [(None, text) for text in (*SHEETS.values(), *ASSUMPTION_COLUMNS.values())]
    messages += [(None, (e.singular, e.plural)) for e in equivalents()[1]]
    messages += [("source", equivalents()[0]["title"])]
    specs = [spec for cls in SERVICE_KINDS.values() for spec in cls.parameters]
    messages += [("parameter", name) for name in dict.fromkeys([s.name for s in specs] + list(TEMPLATE_COLUMNS))]
    messages += [(None, description) for description in dict.fromkeys(s.description for s in specs)]
    messages += [("source", source) for source in dict.fromkeys(s.source for s in specs if s.source)]
    messages += [("unit", unit) for unit in dict.fromkeys(s.unit for s in specs if s.unit)]
    messages += [("choice", c) for c in dict.fromkeys(c for s in specs for c in (*s.choices, *s.keys))]
    sets = [load_factors(p) for p in available_profiles()] + [load_factor_set(n) for n in available_factor_sets()]
    messages += [("profile", name) for name in available_profiles()]
    messages += [("lever", scenario.name) for scenario in bundled_scenarios().values()]
    messages += [("direction", d) for d in ("reduction", "increase", "no change", NOT_COMPARABLE)]
    messages += [("coverage", NOT_COMPARABLE)]
    messages += [("column", c) for c in CONSOLE_COLUMNS]
    from .bill import AUDIENCE_DEFINITIONS, STAGES
    from .flows import FLOWS

    messages += [(None, definition) for definition in AUDIENCE_DEFINITIONS.values()]
    messages += [("stage", stage) for stage in STAGES]
    messages += [("value", name) for name in _TRACE_VALUES]
    messages += [("unit", unit) for unit in dict.fromkeys((*(f.unit for f in FLOWS.values()), *_TRACE_UNITS))]
    messages += [(None, message) for _pattern, message in _NOTE_SHAPES]
    messages += [("confidence", level) for level in _CONFIDENCE_LEVELS]
    from .inventory.template import (
        CAMPAIGNS_SHEET,
        COLUMN_MEANINGS,
        HOSTINGS_SHEET,
        INFO_FIELDS,
        INFO_SHEET,
        INFO_UNITS,
        README,
        README_SHEET,
    )

    messages += [("template sheet", key) for key in (HOSTINGS_SHEET, CAMPAIGNS_SHEET, INFO_SHEET, README_SHEET)]
    messages += [("parameter", field) for field, _meaning in INFO_FIELDS]
    messages += [(None, text) for text in dict.fromkeys((*COLUMN_MEANINGS.values(), *(m for _f, m in INFO_FIELDS),
                                                         *INFO_UNITS.values(), *README))]
    messages += [("factor set title", title) for title in dict.fromkeys(fs.title for fs in sets)]
    messages += [("licence", part) for part in dict.fromkeys(p for fs in sets for p in fs.licence.split("; "))]
    return messages


#: Columns of the tables the commands print (compare, levers, uncertainty) besides those of the reports.
CONSOLE_COLUMNS = ("rank", "scenario", "direction", "change", "share of total", "baseline", "B - A", "relative",
                   "deterministic", "mean", "median", "std", "p2.5", "p97.5", "input", "low", "high", "total at low",
                   "total at high")

#: Columns of the data-collection template besides the services' parameters.
TEMPLATE_COLUMNS = ("campaign", "name", "basis", "budget", "functional_unit", "functional_unit_amount",
                    "functional_unit_source")

#: Values the bundled services compute on the way to their bill lines (``explain()`` names them in formulas).
_TRACE_VALUES = ("bitrate", "device_hours", "gigabytes", "heard_hours", "hours", "impressions", "message_gb",
                 "page_area", "paper_mass", "printed_mass", "server_count", "server_hours_per_message", "vcpu_count",
                 "viewing_hours", "allocated_share", "hosting_period", "hosting_data", "hosting_users")
#: Units of those values, besides the flows' and the parameters'.
_TRACE_UNITS = ("GB / hour", "m**2", "kg", "hour", "second", "server", "vCPU", "percent", "day", "week", "month",
                "kilobyte", "megabyte", "gigabyte", "terabyte")
#: How sure a factor's source is (``Provenance.confidence``).
_CONFIDENCE_LEVELS = ("high", "medium", "low")
