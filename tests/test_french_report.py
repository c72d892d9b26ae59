"""The done-when of the "French first" issue: a filled template gives, with ``assess filled.xlsx --lang fr``, a
report in which no English word and no scientific notation remains; and the English report holds no French.

The oracle is independent of the catalogues: a list of English (resp. French) words written out here, matched
as whole words in every text a person reads (HTML text and alternative texts, every text cell and sheet name of
the workbook, the CSV headers and text cells, the console), after removing what is not the report's own words:
proper nouns and titles of cited documents (allow-listed below), identifiers (``impactco2``, hashes, URLs) and
the names the user gave the services. Numbers are checked for scientific notation (``\\d[eE][+-]?\\d``). The
CSV's numeric cells and results.json are for tools (machine numbers, ids) and are not scanned.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pytest

from lca_numerique.cli import EXIT_OK, main

#: The filled-in rows: kind sheet -> one service's cells, by column id (as `lca-numerique template` writes them).
FILLED = {
    "hostings": {"name": "serveur mutualisé", "servers": 2},
    "website": {"campaign": "Information", "name": "site de la ville", "visits": "500 000", "page_weight": "1,8 Mo",
                "device_mix": "smartphone: 0,6; laptop: 40 %", "hosting": "serveur mutualisé"},
    "video": {"campaign": "Information", "name": "voeux du maire", "views": 5000, "duration": "3 min"},
    "social_account": {"campaign": "Réseaux", "name": "compte Instagram", "platform": "instagram", "posts": 100,
                       "impressions_per_post": 1000},
    "email": {"name": "lettre d'information", "recipients": 40000, "read_share": 0.6},
    "newsletter": {"name": "lettre mensuelle", "recipients": 40000},
    "podcast": {"name": "balado", "listens": 2000, "duration": "20 min"},
    "videocall": {"name": "conseil en visio", "participants": 30, "duration": "2 h", "sessions": 10},
    "download": {"name": "guide PDF", "size": "4 Mo", "downloads": 1500},
    "print": {"name": "magazine municipal", "copies": 20000, "pages": 24},
}
NAMES = sorted((row["name"] for row in FILLED.values()), key=len, reverse=True)
NAMES += ["Information", "Réseaux", "Ville de Testville"]

#: English words that must not be left in a French report. "total", "service", "format", "image", "audience",
#: "source", "version", "zone", "distribution", "phase", "impression(s)", "pages", "copies", "convention",
#: "mobile", "minute", "tiers", "social", "a" and "licence" are French words too, so they are not listed.
ENGLISH = tuple(re.findall(r"\S+", """
about above after all and are as at average basis be below bound by campaign climate change complete
coverage covered criteria criterion data default desktop device devices downloaded each email end energy
every factor factors figure for from given has high hosting hour hours in is it its key kind laptop life
listen listens low manufacturing median network networks no none not of on one or other over overrides
parameter partial people per platform post posts print reader readers reading recipient recipients report
second seconds server servers share shares storage streamed summary tablet that the these this tier
time totals unit units unless use user users value video view views visit visits water website
when where which with without year years
"""))

#: French words that must not be left in an English report.
FRENCH = tuple(re.findall(r"\S+", """
au aucun avec couvert couverture dans de des donnée données du défaut et fabrication hébergement heure
la le les lecteur par partiel pour réseau réseaux sur totaux unité utilisateur visite visites vue vues écoute
"""))

#: Proper nouns and titles of cited documents, kept as published in either language.
TITLES = ["Apple Podcasts for Creators", "State of Email Engagement", "Email Marketing Benchmarks",
          "Digital Experience Benchmark", "Sustainable Web Design", "Green Web Foundation", "HTTP Archive",
          "Web Almanac", "Page Weight", "Environmental Footprint", "Facebook IQ", "firstVisitPercentage",
          "dataReloadRatio", "Impact CO2", "Base Carbone", "Base Empreinte", "Base IMPACTS", "CO2e", "Sb eq", "CTUe",
          "FactorSet.override"]
#: French names and quotations in the citations of the English report (ADEME's rule names, Base Carbone labels).
FRENCH_CITATIONS = ["La Lettre Pro", "Voiture moyenne - Mixte - 2018", "Repas - à dominante animale (avec boeuf)",
                    "TGV - 2019",
                    "Incubateur des Territoires", "L'Année Internet", "Médiamétrie"]
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
IDENTIFIERS = re.compile(r"https?://\S+|\S+/\S+|\b\w+(?:\.\w+)+(?:@\w+)?|\b[0-9a-f]{12,}\b|\b\w*_\w*\b|\b[\w.-]+\.(?:json|csv|xlsx|html)\b")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


class Text(HTMLParser):
    """Text a reader sees in an HTML page, with the alternative texts of its images."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")
        self.parts += [value for key, value in attrs if key in ("alt", "title") and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def fill_template(path) -> None:
    """Type the rows of :data:`FILLED` in the workbook `lca-numerique template` wrote, as a person would."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook["inventory"]["B2"], workbook["inventory"]["B3"] = "Ville de Testville", "2025"
    for sheet, values in FILLED.items():
        columns = {c.value: c.column for c in workbook[sheet][1]}
        for name, value in values.items():
            workbook[sheet].cell(row=4, column=columns[name], value=value)
    workbook.save(path)


def report_texts(out, console: str) -> list[tuple[str, str]]:
    """Every text a person reads in a report folder, with where it is."""
    import openpyxl

    page = Text()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    texts = [("report.html", t) for t in page.parts]
    workbook = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    for ws in workbook.worksheets:
        texts.append(("report.xlsx sheet name", ws.title))
        texts += [(f"report.xlsx {ws.title}", v) for row in ws.iter_rows(values_only=True) for v in row
                  if isinstance(v, str)]
    workbook.close()
    with (out / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    texts += [("results.csv header", v) for v in rows[0]]
    texts += [("results.csv", v) for v in {v for row in rows[1:] for v in row}
              if not re.fullmatch(r"[-+0-9.eE]*|nan|NaN", v)]
    texts += [("console", line) for line in console.splitlines()]
    return texts


#: Quotations in citations: the cited source's own words (ADEME's rule names, « usage data center . région »).
QUOTES = re.compile(r"« [^»]* »|'[^']*[à-ÿ.][^']*'")


def leaks(texts: list[tuple[str, str]], words: list[str], allowed: list[str]) -> list[tuple[str, str, str]]:
    """(where, word, text) for each listed word found in a text, once the allowed phrases, user names,
    quotations, identifiers and codes are taken out."""
    listed = {w.lower() for w in words}
    found = []
    for where, text in texts:
        cleaned = text
        for phrase in [*NAMES, *allowed]:
            cleaned = cleaned.replace(phrase, " ")
        cleaned = IDENTIFIERS.sub(" ", QUOTES.sub(" ", cleaned))
        # an all-capital token is a code (country BE, unit MB), not a word
        found += [(where, w, text[:120]) for w in WORD.findall(cleaned) if w.lower() in listed and not w.isupper()]
    return found


def scientific(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, text[:120]) for where, text in texts if SCIENTIFIC.search(IDENTIFIERS.sub(" ", text))]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    path = tmp_path_factory.mktemp("filled") / "filled.xlsx"
    assert main(["template", "--out", str(path)]) == EXIT_OK
    fill_template(path)
    return path


def _assess(filled, lang, tmp_path, capsys):
    out = tmp_path / f"report-{lang}"
    capsys.readouterr()
    assert main(["assess", str(filled), "--lang", lang, "--out", str(out)]) == EXIT_OK
    return report_texts(out, capsys.readouterr().out)


def test_the_oracle_catches_english_and_scientific_notation():
    """The oracle itself: it must find what it is meant to find, and not the allowed titles."""
    texts = [("x", "12 g CO2e par visite"), ("y", "3,4e-05 kg"), ("z", "Total per reader (partial)"),
             ("t", "HTTP Archive Web Almanac 2024, chapitre « Page Weight »"), ("h", "9c72c3355e1685ee577e8f")]
    assert {w for _, w, _ in leaks(texts, ENGLISH, TITLES)} == {"per", "reader", "partial"}
    assert scientific(texts) == [("y", "3,4e-05 kg")]


def test_a_filled_template_gives_a_french_report_without_english(filled, tmp_path, capsys):
    texts = _assess(filled, "fr", tmp_path, capsys)
    assert len(texts) > 500 and any("par visite" in t for _, t in texts)
    assert any(where.startswith("report.xlsx hypothèses") for where, _ in texts)
    assert leaks(texts, ENGLISH, TITLES) == []
    assert scientific(texts) == []


def test_the_same_template_gives_an_english_report_without_french(filled, tmp_path, capsys):
    texts = _assess(filled, "en", tmp_path, capsys)
    assert any("per visit" in t for _, t in texts)
    assert leaks(texts, FRENCH, [*TITLES, *FRENCH_CITATIONS]) == []
    assert scientific(texts) == []


# ---- the figures of uncertainty and levers, in French -----------------------------------------------------------

TOWN = """\
organisation: Commune de Saint-Test
services:
  - {kind: website, name: site de la commune, visits: 40000, page_weight: 1.5 MB}
  - {kind: newsletter, name: lettre du maire, recipients: 2000, issues: 12}
  - {kind: print, name: bulletin municipal, copies: 5000, pages: 16}
  - {kind: social_account, name: compte Instagram, platform: instagram, posts: 200, impressions_per_post: 800,
     format_mix: {image: 0.5, reel: 0.5}}
  - {kind: video, name: voeux du maire, views: 3000, duration: 4 min}
"""


@pytest.fixture(scope="module")
def french_figures():
    from lca_numerique.inventory import inventory_from_text
    from lca_numerique.montecarlo import monte_carlo
    from lca_numerique.plotting import plot_distribution, plot_tornado, plot_waterfall
    from lca_numerique.scenarios import applicable, bundled_scenarios, rank_levers
    from lca_numerique.sensitivity import tornado

    town = inventory_from_text(TOWN)
    factors = town.load_factors()
    mc = monte_carlo(town.services, factors, samples=64, seed=1, keep_samples=True)
    levers, _ = applicable(town, bundled_scenarios().values())
    return {"tornado": plot_tornado(tornado(town.services, factors), lang="fr"),
            "distribution": plot_distribution(mc, lang="fr"),
            "levers": plot_waterfall(rank_levers(town, levers, factors=factors), lang="fr")}


@pytest.mark.parametrize("name", ["tornado", "distribution", "levers"])
def test_uncertainty_and_lever_figures_speak_french_in_legible_type(french_figures, name):
    from matplotlib.text import Text

    figure = french_figures[name]
    figure.draw_without_rendering()
    texts = [t for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
    words = [(name, t.get_text()) for t in texts]
    # flow ids (device.smartphone@FR, paper) name catalogue entries: identifiers, not words
    words = [(where, re.sub(r"facteur \S+", "facteur", text)) for where, text in words]
    assert leaks(words, ENGLISH, TITLES) == []
    assert scientific(words) == []
    assert min(t.get_fontsize() for t in texts) >= 9
    # no title, axis label or direct label runs out of the figure (tick labels are laid out by matplotlib)
    from matplotlib.axis import Tick

    ticks = {id(t) for tick in figure.findobj(Tick) for t in (tick.label1, tick.label2)}
    width, height = figure.bbox.width, figure.bbox.height
    for t in (t for t in texts if id(t) not in ticks):
        box = t.get_window_extent()
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, t.get_text()


def test_every_command_speaks_french_with_lang_fr(tmp_path, capsys):
    """check, compare, levers, uncertainty and template with --lang fr: no English word, no scientific notation
    (flow ids such as device.laptop@FR are identifiers; notes quoting a lever's selector are left out)."""
    town = tmp_path / "commune.yaml"
    town.write_text(TOWN, encoding="utf-8")
    scenario = tmp_path / "moins.yaml"
    scenario.write_text("scenario: moins de publications\nchanges:\n  - {scale: posts, by: 0.5, "
                        "kind: social_account}\n", encoding="utf-8")
    commands = [["check", str(town)], ["compare", str(town), str(scenario)], ["levers", str(town)],
                ["uncertainty", str(town), "--samples", "64"], ["template", "--out", str(tmp_path / "m.xlsx")]]
    for command in commands:
        capsys.readouterr()
        assert main([*command, "--lang", "fr"]) == EXIT_OK, command
        out = capsys.readouterr().out
        lines = [(command[0], line) for line in out.splitlines() if not line.startswith("remarque")]
        assert len(lines) >= 1
        assert leaks(lines, ENGLISH, TITLES) == [], command
        assert scientific(lines) == [], command


# ---- the bundled levers on this unrelated inventory --------------------------------------------------------------

def test_bundled_levers_on_the_filled_template_neither_invent_nor_silently_delete(filled, tmp_path, capsys):
    """The filled template is not the demo: other names, a shared hosting, a podcast, a video call, a download.
    Every bundled lever either applies, changing only the user's own services (a removed service is replaced by
    one named after it, nothing else appears), or is named as not applying; none adds the demo's services."""
    from lca_numerique.inventory import load_inventory
    from lca_numerique.scenarios import applicable, bundled_scenarios

    inventory = load_inventory(filled)
    before = {s.name for s in inventory.services}
    assert before == {row["name"] for sheet, row in FILLED.items() if sheet != "hostings"}
    fitting, skipped = applicable(inventory, bundled_scenarios().values())
    assert len(fitting) + len(skipped) == len(bundled_scenarios()) and fitting
    for scenario in fitting:
        after = {s.name for s in scenario.apply(inventory).services}
        removed, added = before - after, after - before
        assert all(any(name.startswith(f"{gone} (") for gone in removed) for name in added), scenario.name
        assert len(added) == len(removed), scenario.name  # each removed service has its replacement

    capsys.readouterr()
    assert main(["levers", str(filled), "--lang", "fr", "--out", str(tmp_path / "leviers")]) == EXIT_OK
    out = capsys.readouterr().out
    for name in skipped:
        assert "ne s'applique pas" in out and name not in out  # noted, under its French name
    lines = [line for line in out.splitlines() if not line.startswith("remarque")]  # the notes quote ids
    assert leaks([("levers", line) for line in lines], ENGLISH, TITLES) == []
    assert scientific([("levers", line) for line in lines]) == []
    assert (tmp_path / "leviers" / "levers.png").is_file()
