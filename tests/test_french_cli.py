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
