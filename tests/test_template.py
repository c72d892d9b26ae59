"""The data-collection template round trip: written, filled in as a person would, read back, assessed.

The oracle for the numbers is the same inventory written by hand in YAML (a different reader): both must
give the same results. Values a person types in French are checked against hand-written numbers.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import lca_numerique as lca
from lca_numerique.cli import EXIT_BAD_INPUT, EXIT_OK, main
from lca_numerique.inventory import InventoryError, inventory_from_text
from lca_numerique.inventory.template import read_template, write_template

SAME_IN_YAML = """\
organisation: Ville test
period: "2025"
hostings:
  - {name: shared server, servers: 2}
services:
  - {kind: website, name: site, visits: 500000, page_weight: 1.8 MB, device_mix: {smartphone: 0.6, laptop: 0.4},
     hosting: shared server}
  - {kind: email, name: mailing, recipients: 1800.5, read_share: 0.6}
"""


def _fill_workbook(path, cells: dict[str, dict[str, object]]) -> None:
    """Type values in the first service row (row 4) of each sheet, by column name."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook["inventory"]["B2"] = "Ville test"
    workbook["inventory"]["B3"] = "2025"
    for sheet, values in cells.items():
        header = [c.value for c in workbook[sheet][1]]
        for name, value in values.items():
            workbook[sheet].cell(row=4, column=header.index(name) + 1, value=value)
    workbook.save(path)


FILLED = {
    "hostings": {"name": "shared server", "servers": 2},
    "website": {"name": "site", "visits": "500 000", "page_weight": "1,8 Mo",
                "device_mix": "smartphone: 0,6; laptop: 40 %", "hosting": "shared server"},
    "email": {"name": "mailing", "recipients": "1 800,5", "read_share": 0.6},  # 0.6: what Excel stores for 60 %
}


def test_filled_workbook_reads_french_values_like_the_yaml(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    _fill_workbook(path, FILLED)
    inventory = read_template(path)
    site, mailing = inventory.service("site"), inventory.service("mailing")
    assert site.visits == 500_000.0
    assert site.page_weight == pytest.approx(1.8)  # '1,8 Mo', not 18
    assert site.device_mix == pytest.approx({"smartphone": 0.6, "laptop": 0.4})
    assert mailing.recipients == 1800.5
    assert mailing.read_share == pytest.approx(0.6)
    by_yaml = inventory_from_text(SAME_IN_YAML).evaluate().total(("service", "criterion"))
    by_sheet = inventory.evaluate().total(("service", "criterion"))
    assert by_sheet["value"].to_numpy() == pytest.approx(by_yaml["value"].to_numpy(), rel=1e-12, nan_ok=True)


def test_cli_assesses_checks_and_explains_a_filled_workbook(tmp_path, capsys):
    path = tmp_path / "filled.xlsx"
    assert main(["template", "--out", str(path)]) == EXIT_OK
    _fill_workbook(path, FILLED)
    out = tmp_path / "report"
    assert main(["assess", str(path), "--out", str(out), "--format", "json"]) == EXIT_OK
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert main(["check", str(out / "results.json")]) == EXIT_OK
    assert main(["check", str(path)]) == EXIT_OK
    assert "valid — 2 services" in capsys.readouterr().out
    assert main(["explain", str(path), "site"]) == EXIT_OK
    assert "page_weight" in capsys.readouterr().out


def test_csv_folder_is_an_inventory_too(tmp_path, capsys):
    folder = write_template(tmp_path / "csv")
    rows = list(csv.reader((folder / "inventory.csv").open(encoding="utf-8")))
    rows[1][1] = "Ville test"
    csv.writer((folder / "inventory.csv").open("w", encoding="utf-8", newline="")).writerows(rows)
    header = next(csv.reader((folder / "website.csv").open(encoding="utf-8")))
    with (folder / "website.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([{"name": "site", "visits": "500 000", "page_weight": "1,8"}.get(h, "")
                                     for h in header])
    site = lca.load_inventory(folder).service("site")
    assert (site.visits, site.page_weight) == (500_000.0, 1.8)  # '1,8' in a CSV cell was read as 18
    assert main(["check", str(folder)]) == EXIT_OK
    capsys.readouterr()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InventoryError, match="has none"):
        lca.load_inventory(empty)


def test_csv_saved_again_by_a_french_spreadsheet_is_read(tmp_path):
    """French Excel saves CSV with ';' between cells, in Windows-1252 or in UTF-8 with a byte-order mark."""
    folder = write_template(tmp_path / "csv")
    rows = list(csv.reader((folder / "website.csv").open(encoding="utf-8")))  # the 3 header rows
    row = {"name": "régie", "visits": "500 000", "page_weight": "1,8 Mo"}
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([*rows, [row.get(h, "") for h in rows[0]]])
    (folder / "website.csv").write_bytes(text.getvalue().encode("cp1252", errors="replace"))
    info = "field;value;meaning\r\norganisation;Ville test;x\r\n"
    (folder / "inventory.csv").write_bytes(info.encode("utf-8-sig"))
    inventory = lca.load_inventory(folder)
    assert inventory.organisation == "Ville test"
    site = inventory.service("régie")
    assert (site.visits, site.page_weight) == (500_000.0, 1.8)


def test_errors_name_sheet_and_cell(tmp_path, capsys):
    path = write_template(tmp_path / "t.xlsx")
    _fill_workbook(path, {"website": {"name": "site", "visits": "1,800", "page_weight": "2 MB"}})
    with pytest.raises(InventoryError) as info:
        read_template(path)
    import openpyxl

    header = [c.value for c in openpyxl.load_workbook(path)["website"][1]]
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("visits")]
    message = str(info.value)
    assert f"website!{letter}4" in message and "ambiguous" in message
    assert main(["assess", str(path), "--out", str(tmp_path / "r")]) == EXIT_BAD_INPUT
    assert f"website!{letter}4" in capsys.readouterr().err


def test_formula_without_computed_value_is_refused_not_defaulted(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    # openpyxl writes formulas without computing them: what a script (or a web export) leaves behind.
    _fill_workbook(path, {"website": {"name": "site", "visits": 1000, "pages_per_visit": "=2*3"}})
    with pytest.raises(InventoryError, match="no computed value") as info:
        read_template(path)
    assert "website!" in str(info.value)


def test_a_file_that_is_not_a_workbook_is_a_located_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"not a readable \.xlsx"):
        lca.load_inventory(path)


def test_workbook_guides_the_person_filling_it(tmp_path):
    import openpyxl

    from lca_numerique.services import SERVICE_KINDS

    workbook = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    sheet = workbook["video"]
    header = {c.value: c for c in sheet[1]}
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    resolution = header["resolution"].column_letter
    assert lists[f"{resolution}4:{resolution}1000"] == '"' + ",".join(SERVICE_KINDS["video"].specs()["resolution"]
                                                                      .choices) + '"'
    hosting = header["hosting"].column_letter
    assert lists[f"{hosting}4:{hosting}1000"] == "hostings!$A$4:$A$1000"
    comment = header["duration"].comment.text
    assert comment == "Length of the video.\nUnit / values: hour\nrequired"
    assert "default 'large_platform' (" in header["platform"].comment.text
    email = workbook["email"]
    share = next(c for c in email[1] if c.value == "read_share").column_letter
    assert email.column_dimensions[share].number_format == "0%"
    info_lists = [v.formula1 for v in workbook["inventory"].data_validations.dataValidation]
    assert info_lists == ['"default,disputed_high,disputed_low,possession"']


# ---- the template in French --------------------------------------------------------------------------------------

#: What a person filling the French template sees and types, written by hand: sheet names, headers, choices.
FILLED_IN_FRENCH = {
    "hébergements": {"nom": "shared server", "serveurs": 2},
    "site web": {"nom": "site", "visites": "500 000", "poids de page": "1,8 Mo",
                 "répartition des appareils": "smartphone : 0,6 ; ordinateur portable : 40 %",
                 "hébergement": "shared server"},
    "courriel": {"nom": "mailing", "destinataires": "1 800,5", "part lue": 0.6},
}


def test_french_template_reads_back_like_the_yaml(tmp_path):
    import openpyxl

    path = write_template(tmp_path / "modèle.xlsx", lang="fr")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["lisez-moi", "inventaire", "hébergements"]
    assert "site web" in workbook.sheetnames and "imprimé" in workbook.sheetnames
    video = workbook["vidéo"]
    header = {c.value: c for c in video[1]}
    assert {"nom", "vues", "durée", "résolution", "plateforme", "hébergement"} <= set(header)
    assert video.cell(row=2, column=header["durée"].column).value == "h"
    assert "Par défaut : grande plateforme" in video.cell(row=3, column=header["plateforme"].column).value
    comment = header["plateforme"].comment.text
    assert comment.startswith("Qui diffuse la vidéo") and "Identifiant dans les fichiers d'inventaire : platform" \
        in comment
    lists = {str(v.sqref): v.formula1 for v in video.data_validations.dataValidation}
    letter = header["plateforme"].column_letter
    assert lists[f"{letter}4:{letter}1000"] == '"grande plateforme,auto-hébergé"'
    letter = header["hébergement"].column_letter
    assert lists[f"{letter}4:{letter}1000"] == "'hébergements'!$A$4:$A$1000"
    workbook["inventaire"]["B2"], workbook["inventaire"]["B3"] = "Ville test", "2025"
    for sheet, values in FILLED_IN_FRENCH.items():
        columns = {c.value: c.column for c in workbook[sheet][1]}
        for name, value in values.items():
            workbook[sheet].cell(row=4, column=columns[name], value=value)
    video.cell(row=4, column=header["nom"].column, value="voeux")
    video.cell(row=4, column=header["vues"].column, value=100)
    video.cell(row=4, column=header["durée"].column, value="3 min")
    video.cell(row=4, column=header["plateforme"].column, value="grande plateforme")
    workbook.save(path)

    inventory = read_template(path)
    assert inventory.organisation == "Ville test"
    assert inventory.service("site").device_mix == pytest.approx({"smartphone": 0.6, "laptop": 0.4})
    assert inventory.service("voeux").platform == "large_platform"
    by_yaml = inventory_from_text(SAME_IN_YAML).evaluate().total(("service", "criterion"))
    by_sheet = inventory.evaluate().total(("service", "criterion")).query("service != 'voeux'")
    assert by_sheet["value"].to_numpy() == pytest.approx(by_yaml["value"].to_numpy(), rel=1e-12, nan_ok=True)


def test_french_template_errors_name_the_french_sheet_and_cell(tmp_path):
    import openpyxl

    path = write_template(tmp_path / "modèle.xlsx", lang="fr")
    workbook = openpyxl.load_workbook(path)
    columns = {c.value: c.column_letter for c in workbook["site web"][1]}
    workbook["site web"][f"{columns['nom']}4"] = "site"
    workbook["site web"][f"{columns['visites']}4"] = "beaucoup"
    workbook.save(path)
    with pytest.raises(InventoryError) as info:
        read_template(path)
    assert f"site web!{columns['visites']}4" in str(info.value)


def test_cli_writes_the_french_template(tmp_path, capsys):
    assert main(["template", "--lang", "fr", "--out", str(tmp_path / "m.xlsx")]) == EXIT_OK
    assert "Modèle de collecte écrit dans" in capsys.readouterr().out
