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


def test_sheet_names_fit_excel_and_old_truncated_names_still_read(tmp_path):
    import openpyxl

    for lang in ("en", "fr"):
        names = openpyxl.load_workbook(write_template(tmp_path / f"{lang}.xlsx", lang=lang)).sheetnames
        assert all(len(name) <= 31 for name in names), names
    path = tmp_path / "fr.xlsx"
    workbook = openpyxl.load_workbook(path)
    # "publication sur un réseau social" has 32 characters: its sheet has a short label, not a cut word
    assert "publication réseau social" in workbook.sheetnames
    assert "publication sur un réseau socia" not in workbook.sheetnames
    sheet = workbook["publication réseau social"]
    columns = {c.value: c.column_letter for c in sheet[1]}
    sheet[f"{columns['nom']}4"], sheet[f"{columns['impressions']}4"] = "annonce", 20000
    sheet[f"{columns['format']}4"] = "texte"
    workbook["inventaire"]["B2"] = "Ville test"
    workbook.save(path)
    assert [(s.kind, s.name) for s in read_template(path).services] == [("social_post", "annonce")]
    sheet.title = "publication sur un réseau socia"  # a template written before, whose name Excel cut at 31
    workbook.save(path)
    assert [(s.kind, s.name) for s in read_template(path).services] == [("social_post", "annonce")]


def test_cli_writes_the_french_template(tmp_path, capsys):
    assert main(["template", "--lang", "fr", "--out", str(tmp_path / "m.xlsx")]) == EXIT_OK
    assert "Modèle de collecte écrit dans" in capsys.readouterr().out


# ---- functional units: population, functional unit, budgets ----------------------------------------------------

UNITS_IN_YAML = """\
organisation: Ville test
period: "2025"
population: {inhabitants: 450000, source: "INSEE, populations légales 2021", year: 2021}
functional_unit: {unit: city-year, amount: 2, source: two years of service}
campaigns:
  - name: spring
    budget: 150000
    services:
      - {kind: website, name: site, visits: 500000, budget: 120000}
services:
  - {kind: email, name: mailing, recipients: 1800, budget: 8500,
     functional_unit: {unit: mailbox-week, amount: 62400, source: "1,200 mailboxes x 52 weeks"}}
"""


def _fill_units(workbook, lang: str) -> None:
    """The inventory sheet's functional-unit fields, one service per sheet with its budget, a campaign budget:
    typed as a person would (French numbers as text)."""
    from lca_numerique.i18n import parameter_label

    info = workbook["inventory" if lang == "en" else "inventaire"]
    rows = {info.cell(row=r, column=1).value: r for r in range(2, info.max_row + 1)}
    typed = {"organisation": "Ville test", "period": "2025", "inhabitants": "450 000",
             "population_source": "INSEE, populations légales 2021", "population_year": 2021,
             "functional_unit": "city-year", "functional_unit_amount": "2", "functional_unit_source":
             "two years of service"}
    for key, value in typed.items():
        info.cell(row=rows[parameter_label(key, lang)], column=2, value=value)
    sheets = {"website": {"campaign": "spring", "name": "site", "visits": 500000, "budget": "120 000 €"},
              "email": {"name": "mailing", "recipients": 1800, "budget": 8500, "functional_unit": "mailbox-week",
                        "functional_unit_amount": "62 400", "functional_unit_source": "1,200 mailboxes x 52 weeks"},
              "campaigns": {"campaign": "spring", "budget": "150 000"}}
    names = {"website": "site web", "email": "courriel", "campaigns": "campagnes"}
    for sheet, values in sheets.items():
        ws = workbook[sheet if lang == "en" else names[sheet]]
        header = [c.value for c in ws[1]]
        for key, value in values.items():
            ws.cell(row=4, column=header.index(parameter_label(key, lang)) + 1, value=value)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_functional_units_round_trip_like_the_yaml(tmp_path, lang):
    import openpyxl

    path = write_template(tmp_path / "t.xlsx", lang=lang)
    workbook = openpyxl.load_workbook(path)
    _fill_units(workbook, lang)
    workbook.save(path)
    inventory = read_template(path)
    expected = inventory_from_text(UNITS_IN_YAML)
    assert inventory.population == expected.population == {
        "inhabitants": 450_000, "source": "INSEE, populations légales 2021", "year": 2021}
    assert inventory.functional_unit == expected.functional_unit == {
        "unit": "city-year", "amount": 2, "source": "two years of service"}
    assert inventory.budget == expected.budget == {"site": 120_000, "mailing": 8_500}
    assert inventory.campaign_budget == expected.campaign_budget == {"spring": 150_000}
    assert inventory.service_units == expected.service_units == {
        "mailing": {"unit": "mailbox-week", "amount": 62_400, "source": "1,200 mailboxes x 52 weeks"}}
    results, by_yaml = inventory.evaluate(), expected.evaluate()
    mailbox = results.per_unit(inventory.unit("mailbox-week")).query("service == 'mailing'")["value"].to_numpy()
    assert mailbox == pytest.approx(by_yaml.per_unit(expected.unit("mailbox-week")).query(
        "service == 'mailing'")["value"].to_numpy(), rel=1e-12, nan_ok=True)
    for name in ("inhabitant", "euro", "city-year"):
        ours = results.per_unit(inventory.unit(name), by=())["value"].to_numpy()
        theirs = by_yaml.per_unit(expected.unit(name), by=())["value"].to_numpy()
        assert ours == pytest.approx(theirs, rel=1e-12, nan_ok=True)


def test_the_inventory_sheet_says_each_fields_unit_and_meaning(tmp_path):
    import openpyxl

    workbook = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", lang="fr"))
    info = workbook["inventaire"]
    assert [c.value for c in info[1]] == ["champ", "valeur", "unité", "signification"]
    rows = {info.cell(row=r, column=1).value: r for r in range(2, info.max_row + 1)}
    assert info.cell(row=rows["habitants"], column=3).value == "habitants"
    assert info.cell(row=rows["habitants"], column=4).value.startswith("Population couverte par l'inventaire")
    assert "Identifiant dans les fichiers d'inventaire : inhabitants" in info.cell(row=rows["habitants"],
                                                                                  column=1).comment.text
    assert workbook["site web"].cell(row=2, column=[c.value for c in workbook["site web"][1]].index("budget") + 1
                                     ).value == "euros"
    assert [c.value for c in workbook["campagnes"][1]] == ["campagne", "budget"]


@pytest.mark.parametrize(("sheet", "key", "value", "where", "words"), [
    ("inventory", "inhabitants", "beaucoup", "inventory!B5", "'inhabitants' must be a number > 0"),
    ("inventory", "population_year", "2021.5", "inventory!B7", "the year of the census"),
    ("inventory", "functional_unit_amount", "0", "inventory!B9", "'amount' must be a number > 0"),
    ("website", "budget", "-5 €", "website!", "budget"),
    ("email", "functional_unit_amount", "beaucoup", "email!", "functional_unit.amount: 'amount' must be a number"),
    ("email", "functional_unit", "inhabitant", "email!", "is declared by 'population' or 'budget'"),
    ("campaigns", "campaign", "autumn", "campaigns!A4", "no service sheet names the campaign 'autumn'"),
])
def test_functional_unit_problems_name_their_cell(tmp_path, sheet, key, value, where, words):
    import openpyxl

    path = write_template(tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    _fill_units(workbook, "en")
    ws = workbook[sheet]
    if sheet == "inventory":
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == key)
        ws.cell(row=row, column=2, value=value)
    else:
        cell = ws.cell(row=4, column=[c.value for c in ws[1]].index(key) + 1, value=value)
        where = where if where.endswith("4") else f"{sheet}!{cell.column_letter}4"  # the cell typed in
    workbook.save(path)
    with pytest.raises(InventoryError) as info:
        read_template(path)
    message = str(info.value)
    assert where in message and words in message, message


@pytest.mark.parametrize(("lang", "amount", "source"), [
    ("en", "inventory!B9, functional_unit_amount", "inventory!B10, functional_unit_source"),
    ("fr", "inventaire!B9, quantité d'unités fonctionnelles", "inventaire!B10, source de la quantité d'unités"),
])
def test_an_empty_field_of_the_functional_unit_is_located_at_its_cell(tmp_path, lang, amount, source):
    import openpyxl

    from lca_numerique.i18n import parameter_label

    path = write_template(tmp_path / "t.xlsx", lang=lang)
    workbook = openpyxl.load_workbook(path)
    _fill_units(workbook, lang)
    info = workbook["inventory" if lang == "en" else "inventaire"]
    rows = {info.cell(row=r, column=1).value: r for r in range(2, info.max_row + 1)}
    for key in ("functional_unit_amount", "functional_unit_source"):  # only the unit's name is left
        info.cell(row=rows[parameter_label(key, lang)], column=2).value = None
    workbook.save(path)
    with pytest.raises(InventoryError) as caught:
        read_template(path)
    message = str(caught.value)
    assert amount in message and "'amount' must be a number > 0" in message, message
    assert source in message and "'source' is required" in message, message
    assert "!B8" not in message, message  # not the unit's name, which is filled in


def test_functional_units_from_csv_files(tmp_path):
    folder = write_template(tmp_path / "csv")
    rows = list(csv.reader((folder / "inventory.csv").open(encoding="utf-8")))
    typed = {"inhabitants": "450 000", "population_source": "INSEE", "population_year": "2021"}
    for row in rows:
        row[1] = typed.get(row[0], row[1])
    rows[1][1] = "Ville test"
    with (folder / "inventory.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    website = list(csv.reader((folder / "website.csv").open(encoding="utf-8")))
    website.append(["" for _ in website[0]])
    website[3][website[0].index("name")], website[3][website[0].index("visits")] = "site", "1000"
    with (folder / "website.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(website)
    inventory = lca.load_inventory(folder)
    assert inventory.population == {"inhabitants": 450_000, "source": "INSEE", "year": 2021}
