"""What a French city-hall analyst reads on the terminal with ``--lang fr``: names set off in French quotes, never
Python's repr; the bill trace of ``explain`` in French words and French numbers.

Oracles: the texts the analyst reads, checked against phrases and number shapes written out here (a name between
« and », French decimal commas, no English word of the list in tests/test_french_report.py), and the bill's own
amounts written out by hand.
"""

from __future__ import annotations

import re

import pytest

from lca_numerique.cli import EXIT_OK, main
from lca_numerique.i18n import NBSP

TOWN = """\
organisation: Commune de Saint-Test
hostings:
  - {name: serveur commun, servers: 1}
services:
  - {kind: website, name: site de la commune, visits: 40000, page_weight: 1.5 MB, hosting: serveur commun,
     hosting_share: 0.5}
  - {kind: newsletter, name: lettre du maire, recipients: 2000, issues: 12}
  - {kind: print, name: bulletin municipal, copies: 5000, pages: 16}
"""
#: A Python repr of a name left in text: a quote, words, a quote on one line (French elisions, d'eau, are not).
REPR = re.compile(r"(?<!\w)'[^'\n]+'(?!\w)")


@pytest.fixture()
def town(tmp_path):
    path = tmp_path / "commune.yaml"
    path.write_text(TOWN, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert main([*argv]) == EXIT_OK, argv
    return capsys.readouterr().out


def test_lever_and_hosting_names_are_words_in_french_quotes(town, tmp_path, capsys):
    scenario = tmp_path / "moins.yaml"
    scenario.write_text("scenario: moins de publications\nchanges:\n  - {scale: issues, by: 0.5, kind: newsletter}\n",
                        encoding="utf-8")
    out = run(capsys, "compare", str(town), str(scenario), "--lang", "fr")
    assert f"scénario «{NBSP}moins de publications{NBSP}» appliqué à A" in out
    levers = run(capsys, "levers", str(town), "--lang", "fr")
    notes = [line for line in levers.splitlines() if line.startswith("remarque")]
    assert notes and all(re.search(f"le levier fourni «{NBSP}[^»']+{NBSP}» ne s'applique pas", n) for n in notes)
    check = run(capsys, "check", str(town), "--lang", "fr")
    assert f"de l'hébergement «{NBSP}serveur commun{NBSP}» n'est attribué" in check
    for text in (out, levers, check):
        assert not REPR.search(text), REPR.search(text)
    # English keeps plain single quotes around the name
    assert "scenario 'moins de publications' applied to A" in run(capsys, "compare", str(town), str(scenario))


# ---- explain: the bill trace in French -----------------------------------------------------------------------------

NNBSP = "\u202f"


def test_the_print_trace_reads_in_french_with_the_amounts_written_out_by_hand():
    from lca_numerique.services import Print

    text = Print("Magazine", copies=2.3e6, pages=32, delivery_distance="40 km").explain("fr")
    # by hand: 2 300 000 copies × 32 pages / 2 sheets × 0.06237 m² (A4) × 80 g/m² / 1000 = 183 617.28 kg of paper,
    # × 1.05 spoilage = 192 798.144 kg printed; 183 617.28 kg / 1000 × 40 km = 7 344.6912 t·km
    lines = text.splitlines()
    assert lines[0].startswith(f"imprimé «{NBSP}Magazine{NBSP}» : audience 2{NNBSP}300{NNBSP}000 (unité : lecteur ;")
    rows = {line.split()[0]: line for line in lines[1:5]}
    assert re.search(rf"paper +192{NNBSP}798 kg += masse imprimée$", rows["papier"])
    assert re.search(rf"printing +192{NNBSP}798 kg += masse imprimée$", rows["impression"])
    assert re.search(rf"freight\.road +7{NNBSP}344,69 t·km += masse de papier / 1{NNBSP}000 × distance de livraison$",
                     rows["diffusion"])
    assert re.search(rf"paper\.end_of_life +183{NNBSP}617 kg += masse de papier$", lines[4])
    assert "  où :" in lines
    assert (f"    masse de papier (paper_mass) = exemplaires × pages / 2 × surface d'une page × grammage "
            f"/ 1{NNBSP}000 = 183{NNBSP}617 kg") in lines
    assert "    distance de livraison (delivery_distance) = 40 km  [utilisateur]" in lines
    assert "    surface d'une page (page_area) = 0,06237 m²  [ISO 216 A4]" in lines
    assert any(line.startswith("    gâche (spoilage) = 0,05  [défaut : ") for line in lines)
    for english in ("where:", "default:", "[user]", "dimensionless", "tonne * km", "m**2", "printed_mass ="):
        assert english not in text, english


def test_the_english_trace_is_unchanged_by_the_language_option():
    from lca_numerique.services import Print

    magazine = Print("Magazine", copies=2.3e6, pages=32, delivery_distance="40 km")
    assert magazine.explain() == magazine.explain("en")
    assert "  where:" in magazine.explain() and "183617 kg" in magazine.explain()
    with pytest.raises(ValueError, match="'de' is not supported"):
        magazine.explain("de")


#: One service of each bundled kind, named in French (names are the user's words, not checked).
KINDS = {
    "website": {"visits": 12_000}, "video": {"views": 500, "duration": "3 min"},
    "social_post": {"format": "image", "impressions": 8_000},
    "social_account": {"posts": 120, "impressions_per_post": 1500, "format_mix": {"image": 0.5, "reel": 0.5}},
    "email": {}, "newsletter": {"recipients": 40_000}, "podcast": {"listens": 300, "duration": "25 min"},
    "videocall": {"duration": "1 h"}, "download": {"size": "20 MB", "downloads": 100},
    "hosting": {"servers": 2, "storage": "1 TB"}, "print": {"copies": 5_000, "pages": 8},
    "custom": {"audience_size": "1200 user", "variables": {"boîtes": 1200, "taille": "5 GB", "durée": "2 year"},
               "lines": [{"flow": "dc.storage@FR", "formula": "boîtes * taille * durée", "stage": "storage",
                          "source": "inventaire informatique"},
                         {"flow": "device.laptop@FR", "amount": "1200 * 200 h", "source": "enquête"}]},
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_bundled_kind_explains_itself_in_french(kind):
    from test_french_report import ENGLISH, TITLES, leaks, scientific

    from lca_numerique.services import SERVICE_KINDS

    text = SERVICE_KINDS[kind]("élément", **KINDS[kind]).explain("fr")
    # the id an inventory file uses follows each French label in brackets: an identifier, not a word
    lines = [(kind, re.sub(r"\((?:[a-z_]+\.)?[a-z_]+\) =", "=", line)) for line in text.splitlines()]
    assert leaks(lines, ENGLISH, TITLES) == []
    assert scientific(lines) == []
    assert not re.search(r"\d\.\d", re.sub(r"@\S+|\b\w+(?:\.\w+)+@?\w*|\d+\.\d+\.\d+|[A-Z][\w ]* \d\.\d", "", text))


def test_the_explain_command_speaks_french(town, capsys):
    from test_french_report import ENGLISH, TITLES, leaks, scientific

    out = run(capsys, "explain", str(town), "bulletin municipal", "--lang", "fr")
    trace, _sep, rest = out.partition("Facteurs derrière chaque ligne")
    assert rest, out
    lines = [("explain", re.sub(r"\((?:[a-z_]+\.)?[a-z_]+\) =", "=", line)) for line in trace.splitlines()]
    assert leaks(lines, ENGLISH, TITLES) == [] and scientific(lines) == []
    factors = [line for line in rest.splitlines() if line.startswith("  ") and " / " in line and "[" in line]
    head = re.compile(r"  \S+ / Changement climatique / (fabrication|distribution|utilisation|fin de vie) = "
                      r"\d[\d\u202f]*(,\d+)? kg CO2e/\S+  \[.*; confiance (faible|moyenne|élevée)\]")
    assert factors and all(head.match(line) for line in factors), factors


# ---- a download's audience is downloads ----------------------------------------------------------------------------

def test_a_download_is_counted_per_download_in_both_languages():
    import lca_numerique as lca
    from lca_numerique.errors import UnitError
    from lca_numerique.i18n import per_audience_unit
    from lca_numerique.services import Download

    guide = Download("guide PDF", size="4 MB", downloads="1500 download")
    assert guide.audience() == lca.Audience(1500.0, "download")
    assert Download("guide PDF", size="4 MB", downloads=1500).audience() == guide.audience()
    results = lca.evaluate([guide.bill_of_materials()], lca.load_factors())
    per = results.per_audience().query("criterion == 'climate_change'").iloc[0]
    total = results.total().query("criterion == 'climate_change'")["value"].iloc[0]
    assert per["per"] == "per download" and per["value"] == pytest.approx(total / 1500, rel=1e-12)
    assert per_audience_unit("download", "fr") == "par téléchargement"
    assert "(unité : téléchargement ; par téléchargement : un téléchargement d'un fichier" in guide.explain("fr")
    with pytest.raises(UnitError, match="downloads"):  # an audience of users is not one of downloads
        Download("guide PDF", size="4 MB", downloads="1500 user")


def test_a_share_of_a_hosting_explains_itself_in_french():
    from test_french_report import ENGLISH, TITLES, leaks

    from lca_numerique.services import Email, Hosting

    servers = Hosting("serveurs", vms=2, vm_vcpus=2, storage_provisioned="1.74 TB", pue=1.28, users=20)
    text = Email("boîte", messages=16, recipients=1.6, size="0.12 MB", hosting=servers, allocation="users",
                 hosted_users=1).explain("fr")
    # by hand: one user of 20, 2 VMs × 2 vCPU × 8760 h = 35 040 vCPU-hours, of which 1/20 = 1 752
    assert re.search(rf"dc\.vcpu@FR +1{NNBSP}752 heure-vCPU += part allouée × ligne 1 de l'hébergement$", text, re.M)
    assert "    part allouée (allocated_share) = utilisateurs hébergés / utilisateurs de l'hébergement = 0,05" in text
    assert f"[hébergement «{NBSP}serveurs{NBSP}» : dc.vcpu@FR = nombre de vCPU × heures]" in text
    lines = [("email", re.sub(r"\((?:[a-z_]+\.)?[a-z_\d]+\) =", "=", line)) for line in text.splitlines()]
    assert leaks(lines, ENGLISH, TITLES) == []
