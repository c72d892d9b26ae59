"""The report in words a person reads, in French or English: numbers as each language writes them (checked
against hand-written strings), complete catalogues, no English left in the French report, accessible
structure, legible figures, and coverage never shown as zero."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from lca_numerique import i18n
from lca_numerique.cli import example_path
from lca_numerique.criteria import CRITERIA, MISSION_CRITERIA
from lca_numerique.inventory import load_inventory
from lca_numerique.report.html import equivalents, html_report, report_figures

NNBSP, NBSP = "\u202f", "\u00a0"
PACKAGE = i18n.__file__.rsplit("/", 1)[0]


@pytest.fixture(scope="module")
def demo():
    inventory = load_inventory(example_path())
    return inventory, inventory.evaluate()


@pytest.fixture(scope="module")
def french(demo):
    inventory, results = demo
    return html_report(results, inventory, lang="fr")


class Page(HTMLParser):
    """Visible text, images, tables and header cells of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tables = 0
        self.captions = 0
        self.headers: list[dict[str, str | None]] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "img":
            self.images.append(attributes)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.headers.append(attributes)
        elif tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    return page


# ---- numbers, against strings written by hand -------------------------------------------------------------------

@pytest.mark.parametrize(("value", "fr", "en"), [
    (1234.5, f"1{NNBSP}230", "1,230"),
    (0.0456, "0,0456", "0.0456"),
    (339_123.0, f"339{NNBSP}000", "339,000"),
    (12_345_678, f"12{NNBSP}300{NNBSP}000", "12,300,000"),
    (1e-7, "0,0000001", "0.0000001"),
    (-2.5, "-2,5", "-2.5"),
])
def test_numbers_are_written_the_way_each_language_writes_them(value, fr, en):
    assert i18n.format_number(value, "fr") == fr
    assert i18n.format_number(value, "en") == en


@pytest.mark.parametrize(("value", "criterion", "expected"), [
    (3.39e5, "climate_change", f"339{NBSP}t CO2e"),  # 339,000 kg
    (0.108, "GWP", f"108{NBSP}g CO2e"),
    (4.7, "climate_change", f"4,7{NBSP}kg CO2e"),
    (2.3e-4, "ADPe", f"230{NBSP}mg Sb eq"),
    (0.22, "resource_use_minerals_metals", f"220{NBSP}g Sb eq"),
    (117_354.0, "CTUe", f"117{NNBSP}000{NBSP}CTUe"),  # not a mass: never rescaled
    (3.69e-4, "particulate_matter", f"0,000369{NBSP}incidence de maladies"),
])
def test_impacts_are_scaled_to_be_read(value, criterion, expected):
    assert i18n.format_impact(value, criterion, "fr") == expected


def test_not_covered_is_never_zero_and_partial_is_said():
    assert i18n.format_impact(float("nan"), "climate_change", "fr") == "non couvert"
    assert i18n.format_impact(12.0, "climate_change", "fr", "not covered") == "non couvert"
    assert i18n.format_impact(float("nan"), "climate_change", "en") == "not covered"
    assert i18n.format_impact(12.0, "climate_change", "fr", "partial") == f"12{NBSP}kg CO2e (partiel)"
    assert i18n.format_number(float("nan"), "fr") == "non couvert"


def test_percent_follows_french_typography():
    assert i18n.format_percent(0.93, "fr") == f"93{NNBSP}%"
    assert i18n.format_percent(0.93, "en") == "93%"
    assert i18n.format_percent(0.0045, "fr") == f"0,45{NNBSP}%"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e12, allow_nan=False), st.sampled_from(["fr", "en"]))
def test_numbers_read_back_within_rounding_and_never_in_scientific_notation(value, lang):
    text = i18n.format_number(value, lang)
    assert "e" not in text.lower() and "E" not in text
    plain = text.replace(NNBSP, "").replace(",", ".") if lang == "fr" else text.replace(",", "")
    assert float(plain) == pytest.approx(value, rel=5e-3)  # three significant digits


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e9, allow_nan=False))
def test_scaled_masses_read_between_1_and_1000_and_keep_their_value(kg):
    value, unit = i18n.scale(kg, "kg CO2 eq")
    factor = {"µg": 1e-9, "mg": 1e-6, "g": 1e-3, "kg": 1.0, "t": 1e3, "kt": 1e6}[unit.split()[0]]
    assert unit.endswith("CO2e")
    assert value * factor == pytest.approx(kg, rel=1e-12)
    assert 1 <= value < 1000 or unit.startswith("kt")


# ---- catalogues ------------------------------------------------------------------------------------------------

def _messages():
    found = [(ctx, msg) for _, _, msg, _, ctx in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=i18n.EXTRACT_KEYWORDS)]
    return found + i18n.data_messages()


def test_every_message_has_a_checked_french_translation():
    with open(f"{PACKAGE}/locale/fr/LC_MESSAGES/lca_numerique.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    messages = _messages()
    assert len(messages) > 100
    for context, message in messages:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key, context=context)
        assert entry is not None, f"no French entry for {context!r} {key!r}"
        assert not entry.fuzzy, key
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for translation in translations:
            assert translation, f"empty French translation for {key!r}"
            placeholders = set(re.findall(r"\{\w+\}", key))
            assert set(re.findall(r"\{\w+\}", translation)) == placeholders, key


def test_an_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="'de' is not supported"):
        i18n.translator("de")


# ---- the French report -----------------------------------------------------------------------------------------

#: Words that leaked into earlier French reports, and English that must not appear.
ENGLISH = ["per reader", "per visit", "per view", "per impression", "per recipient", "partial", "not covered",
           "complete", "Climate change", "Key figures", "Reading", "service's", "share of", "audience unit",
           "tier", "Functional units", "Limitations", "n/c", "deterministic", "library_version",
           "factor_set", "social_account", "disease incidence", "km by car", "meals with beef"]


def test_french_report_has_no_english_and_no_scientific_notation(french):
    page = parse(french)
    text = " ".join(page.text)
    for word in ENGLISH:
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), word
    for criterion in CRITERIA:  # raw ids such as climate_change
        assert criterion.id not in text
    numbers = text.split("Bibliothèque, jeux de facteurs")[0]  # provenance: hashes and version numbers
    assert not re.search(r"\d[.,]?\d*\s?[eE][+-]?\d", numbers), re.search(r".{30}\d[eE][+-]?\d.{10}", numbers)
    assert not re.search(r"\d\.\d", numbers.replace("3.1", "")), \
        re.search(r".{30}\d\.\d.{10}", numbers)


def test_french_figures_have_no_english_and_legible_fonts(demo):
    from matplotlib.text import Text

    _, results = demo
    for figure in report_figures(results, "fr"):
        texts = [t for t in figure.figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
        words = " ".join(t.get_text() for t in texts)
        for word in ["per ", "partial", "not covered", "share of", "audience", "n/c", "e+0", "e-0"]:
            assert word not in words.replace("audience sur", "").replace("d'audience", ""), (word, figure.caption)
        assert min(t.get_fontsize() for t in texts) >= 9, figure.caption


def test_audience_plot_gives_each_audience_unit_its_own_colour(demo):
    from lca_numerique.plotting import plot_audience

    _, results = demo
    ax = plot_audience(results, lang="fr").axes[0]
    colours = {}
    for collection in ax.collections:
        colours.setdefault(collection.get_label(), tuple(collection.get_facecolor()[0]))
    assert len(colours) == len(set(results.audience_units)) >= 6
    assert len(set(colours.values())) == len(colours)


def test_key_figures_and_equivalents_match_a_hand_calculation(demo, french):
    _, results = demo
    total = results.total(("criterion",)).set_index("criterion").loc["climate_change", "value"]
    tonnes = float(f"{total / 1000:.3g}")
    written = f"{tonnes:g}".replace(".", ",")
    assert f"{written}{NBSP}t CO2e" in french
    km = float(f"{total / 0.193:.3g}")  # ADEME Impact CO2: 0.193 kg CO2e per km by car (Base Carbone 27976)
    assert f"{km:,.0f}".replace(",", NNBSP) + f"{NBSP}km en voiture" in french
    source, items = equivalents()
    assert items[0].kg_co2e == 0.193 and source["licence"] == "MIT" and source["year"] == 2025


def test_not_covered_totals_read_non_couvert_in_the_tables(demo, french):
    _, results = demo
    table = results.total(("service",))
    uncovered = table[(table["coverage"].astype(str) == "not covered") & table["criterion"].isin(MISSION_CRITERIA)]
    assert len(uncovered), "the demo has a not-covered mission total (print has no ADPe factor)"
    rows = re.findall(rf"<th scope=\"row\">{re.escape(str(uncovered['service'].iloc[0]))}</th>(.*?)</tr>", french)
    assert any("non couvert" in row for row in rows)
    assert not any(re.search(r">0(\xa0| )?(g|kg|t|mg|µg) ", row) for row in rows)


def test_report_is_accessible(french):
    page = parse(french)
    assert page.lang == "fr"
    assert page.tables == page.captions >= 5
    assert page.headers and all(h.get("scope") in ("col", "row") for h in page.headers)
    assert len(page.images) == 3
    for image in page.images:
        alt = image.get("alt") or ""
        assert len(alt) > 80 and alt != "figure" and "non couvert" not in alt[:10]
        assert int(image["width"]) <= 62 * 16  # shown at design size within the page's 62rem
    assert "@media print" in french


def test_method_section_is_complete(french):
    text = "\n".join(parse(french).text)
    for heading in ["Objectif et public visé", "Unités fonctionnelles", "Frontières du système", "Règles de coupure",
                    "Allocation", "Méthode d'évaluation des impacts", "Données et qualité des données",
                    "Équivalents du quotidien", "Interprétation", "Limites", "ISO 14044"]:
        assert heading in text, heading
    for unit in ["par visite", "par vue", "par impression", "par destinataire", "par lecteur"]:
        assert f"\n{unit} : " in text, unit


def test_english_report_reads_english(demo):
    inventory, results = demo
    text = " ".join(parse(html_report(results, inventory, lang="en")).text)
    assert "Key figures" in text and "per reader" in text and "km by car" in text
    assert "factor set version" in text and "factor_set_version" not in text


# ---- workbook, CSV and console in French ------------------------------------------------------------------------

def test_french_tables_translate_headers_and_words(demo):
    from lca_numerique.report import report_tables

    inventory, results = demo
    english, french = report_tables(results, inventory, lang="en"), report_tables(results, inventory, lang="fr")
    with open(f"{PACKAGE}/locale/fr/LC_MESSAGES/lca_numerique.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    same_in_french = {m.id for m in catalog if m.id and m.string == m.id}
    for sheet, frame in french.items():
        for en, fr in zip(english[sheet].columns, frame.columns, strict=True):
            assert en != fr or en in same_in_french or en.split()[0] in ("GWP", "ADPe", "CTUe"), (sheet, en)
    assert list(french["by_service"].columns) == ["service", "critère", "valeur", "unité", "couverture"]
    assert set(french["by_service"]["couverture"]) <= {"complet", "partiel", "non couvert"}
    assert "Changement climatique" in set(french["by_service"]["critère"])
    assert set(french["per_audience"]["par"]) >= {"par lecteur", "par visite"}
    assert "GWP par unité d'audience" in french["summary"].columns  # one column, not one per audience unit
    assert french["summary"]["GWP total (kg CO2e)"].tolist() == english["summary"]["GWP total (kg CO2e)"].tolist()


def test_french_console_and_csv(tmp_path, capsys):
    import pandas as pd

    from lca_numerique.cli import EXIT_OK, main

    assert main(["demo", "--out", str(tmp_path / "r"), "--format", "csv", "--lang", "fr"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Démonstration" in out and "par lecteur" in out and "Impact par unité d'audience" in out
    assert "non couvert" in out and "Rapport :" in out
    for leak in ["per reader", "partial", "e+0", "e-0", "factors:", "Report:"]:
        assert leak not in out, leak
    frame = pd.read_csv(tmp_path / "r" / "results.csv")
    assert list(frame.columns) == ["service", "tiers", "critère", "phase", "valeur", "unité", "couverture"]
    assert set(frame["couverture"]) <= {"complet", "partiel", "non couvert"}


def test_french_workbook_sheets_and_headers(tmp_path):
    import pandas as pd

    from lca_numerique.cli import EXIT_OK, main

    assert main(["demo", "--out", str(tmp_path / "r"), "--format", "xlsx", "--lang", "fr"]) == EXIT_OK
    sheets = pd.read_excel(tmp_path / "r" / "report.xlsx", sheet_name=None)
    assert list(sheets)[:3] == ["synthèse", "par_service", "par_tiers"] and "couverture" in sheets
    assert list(sheets["par_service"].columns) == ["service", "critère", "valeur", "unité", "couverture"]
    assert "non couvert" in set(sheets["par_service"]["couverture"])
    # a not-covered total is an empty cell, never 0
    uncovered = sheets["par_service"][sheets["par_service"]["couverture"] == "non couvert"]
    assert uncovered["valeur"].isna().all()
