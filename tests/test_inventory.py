"""Inventories: precise errors for malformed files in bounded time, lossless round trips, schema, template."""

from __future__ import annotations

import json
import time

import pytest

import lca_numerique as lca
from lca_numerique.cli import example_path
from lca_numerique.inventory import InventoryError, inventory_from_text, load_inventory
from lca_numerique.inventory.schema import inventory_schema
from lca_numerique.inventory.template import read_template, write_template
from lca_numerique.services import Campaign, Hosting, Portfolio, Video, Website


def errors(text: str) -> list[str]:
    with pytest.raises(InventoryError) as info:
        inventory_from_text(text, "inv.yaml")
    return [str(p) for p in info.value.problems]


HEAD = "organisation: X\nservices:\n"


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD + "  - kind: website\n   name: a\n", "inv.yaml:4:4: YAML syntax"),  # bad indentation
    (HEAD + "  - {kind: website, name: a, visits: 3 GB}\n", "inv.yaml:3:38: services[0].visits: got '3 GB'"),
    (HEAD + "  - {kind: blog, name: a}\n", "services[0].kind: unknown kind 'blog'"),
    (HEAD + "  - {kind: video, name: a, views: 10}\n", "missing required parameter 'duration'"),
    (HEAD + "  - {kind: website, name: a, visits: 1, visits: 2}\n", "duplicate key 'visits' (first written at line 3)"),
    (HEAD + "  - {kind: website, name: a, vists: 1}\n", "unknown key 'vists'; did you mean 'visits'?"),
    ("organisation: X\nservice: []\n", "unknown key 'service'; did you mean 'services'?"),
    (HEAD + "  - {kind: website, name: a, visits: 10, device_mix: {smartphone: 0.5}}\n", "sum to 1"),
    ("organisation: X\n", "no service"),
    ("- just\n- a list\n", "an inventory is a mapping"),
])
def test_malformed_inventories_get_precise_errors(text, expected):
    found = errors(text)
    assert any(expected in e for e in found), found


def test_every_problem_is_reported_at_once():
    found = errors(HEAD + "  - {kind: blog, name: a}\n  - {kind: website, name: b, visits: 3 GB}\n"
                          "  - {kind: video, name: c, views: -1, duration: 1 h}\n")
    assert len(found) == 3
    assert [e.split(":")[1] for e in found] == ["3", "4", "5"]  # lines


def test_yaml_bomb_is_refused_quickly():
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
    start = time.perf_counter()
    found = errors(bomb)
    assert time.perf_counter() - start < 1.0
    assert "anchors and aliases" in found[0]


def test_huge_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("w") as handle:
        handle.write("organisation: X\nnotes: '")
        handle.write("x" * (50 * 1024 * 1024))
        handle.write("'\n")
    start = time.perf_counter()
    with pytest.raises(InventoryError, match=r"52\.4 MB"):
        load_inventory(big)
    assert time.perf_counter() - start < 1.0


def test_python_yaml_python_round_trip_is_lossless(tmp_path):
    hosting = Hosting("servers", servers=2, storage="1.5 TB")
    portfolio = Portfolio("Town", campaigns=(Campaign("Spring", (Video("teaser", views="12000 view", duration="45 s",
                                                                        device_mix={"smartphone": 0.8, "tv": 0.2}),)),),
                          services=(Website("site", visits=120_000, hosting=hosting, hosting_share=0.5),))
    inventory = lca.inventory.Inventory("Town", portfolio, period="2025", hostings=(hosting,),
                                        basis={"site": "Matomo 2025"})
    path = tmp_path / "town.yaml"
    inventory.to_yaml(path)
    again = load_inventory(path)
    assert [s.name for s in again.services] == ["teaser", "site"]
    for before, after in zip(inventory.services, again.services, strict=True):
        assert type(before) is type(after)
        assert {k: v for k, v in before.values.items() if k != "hosting"} == \
            {k: v for k, v in after.values.items() if k != "hosting"}
    assert again.service("site").hosting.values == hosting.values
    assert again.basis == {"site": "Matomo 2025"}
    assert again.to_yaml() == inventory.to_yaml()


def test_bundled_example_round_trips_and_is_illustrative():
    inventory = load_inventory(example_path())
    assert inventory.illustrative and "illustrative" in inventory.organisation
    assert all("illustrative" in inventory.basis[s.name] for s in inventory.services)
    again = inventory_from_text(inventory.to_yaml(), "again.yaml")

    def plain(service: lca.services.Service) -> dict:  # a hosting is compared by its values, not its identity
        return {k: plain(v) if isinstance(v, lca.services.Service) else v for k, v in service.values.items()}

    assert {s.kind for s in inventory.services} >= {"website", "video", "print"}
    assert [plain(s) for s in again.services] == [plain(s) for s in inventory.services]
    assert [s.bill_of_materials() for s in again.services] == [s.bill_of_materials() for s in inventory.services]
    assert not inventory.unattributed_hosting()


def test_schema_is_published_and_accepts_the_example():
    import jsonschema
    import yaml

    published = json.loads((example_path().parent.parent / "schema" / "inventory.schema.json").read_text("utf-8"))
    assert published == inventory_schema(), "regenerate: python -m lca_numerique.inventory.schema"
    jsonschema.validate(yaml.safe_load(example_path().read_text("utf-8")), published)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"organisation": "X", "services": [{"kind": "website", "name": "a", "vists": 1}]},
                            published)


@pytest.mark.parametrize("suffix", ["template.xlsx", "template_csv"])
def test_template_filled_and_read_back(tmp_path, suffix):
    path = write_template(tmp_path / suffix)
    row = {"campaign": "Sites", "name": "site", "visits": 10000, "page_weight": "2 MB",
           "device_mix": "smartphone: 0.6, laptop: 0.4"}
    if suffix.endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.load_workbook(path)
        workbook["inventory"]["B2"] = "Town"
        sheet = workbook["website"]
        sheet.append([row.get(c.value) for c in sheet[1]])
        workbook.save(path)
    else:
        import csv

        info = path / "inventory.csv"
        rows = list(csv.reader(info.open(encoding="utf-8")))
        rows[1][1] = "Town"
        csv.writer(info.open("w", encoding="utf-8", newline="")).writerows(rows)
        site = path / "website.csv"
        header = next(csv.reader(site.open(encoding="utf-8")))
        with site.open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow([row.get(h, "") for h in header])
    inventory = read_template(path)
    site = inventory.service("site")
    assert site.visits == 10000 and site.page_weight == pytest.approx(2.0)
    assert site.device_mix == {"smartphone": 0.6, "laptop": 0.4}
    assert inventory.portfolio.campaigns[0].name == "Sites"


# -- untrusted files and scale (issue 11 §3, §9, §10; issue 10 §7) -----------------------------------------------

def _many_services(n: int) -> str:
    return "organisation: X\nservices:\n" + "".join(
        f"  - {{kind: website, name: site {i}, visits: {1000 + i}, page_weight: 1.5}}\n" for i in range(n))


def test_loading_is_linear_in_the_number_of_services():
    # 8,000 services: about 4 s of CPU here; the quadratic duplicate check alone took 19 s before
    text = _many_services(8000)
    start = time.process_time()
    inventory = inventory_from_text(text)
    assert time.process_time() - start < 15.0
    assert len(inventory.services) == 8000


def test_the_yaml_reader_keeps_nothing_between_documents():
    import gc
    import tracemalloc

    from lca_numerique.inventory import read_yaml

    text = _many_services(2000)  # ~140 kB
    read_yaml("warm-up", text=text)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20):
        read_yaml("again", text=text)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert kept < 1_000_000, f"{kept / 1e6:.1f} MB kept after 20 reads"


def test_a_folder_given_as_inventory_says_so(tmp_path):
    from lca_numerique.inventory import read_yaml

    with pytest.raises(InventoryError, match=r"this is a folder.*or a folder of filled template CSV files.*has none"):
        load_inventory(tmp_path)  # not "[Errno 21] Is a directory"
    with pytest.raises(InventoryError, match="this is a folder; give the path of an inventory file"):
        read_yaml(tmp_path)


def test_unknown_names_are_input_errors_with_suggestions():
    from lca_numerique.errors import InputError, UnknownNameError

    for call, fragment in ((lambda: lca.get_flow("network.fixd@FR"), "did you mean 'network.fixed@FR'"),
                           (lambda: lca.get_criterion("climat_change"), "did you mean 'climate_change'"),
                           (lambda: lca.get_criterion(3), "unknown criterion 3"),
                           (lambda: load_inventory(example_path()).service("Site metropolitain"),
                            "did you mean 'Site métropolitain'")):
        with pytest.raises(UnknownNameError) as info:
            call()
        assert isinstance(info.value, KeyError) and isinstance(info.value, InputError)
        assert fragment in str(info.value) and not str(info.value).startswith('"')  # printed as written


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD + "  - {kind: website, name: a, visits: 1}\n  - {kind: website, name: a, visits: 2}\n",
     "inv.yaml:4:27: services[1].name: service name 'a' is already used (services[0].name, line 3)"),
    (HEAD + "  - {kind: website, name: a, visits: 010}\n", "inv.yaml:3:38: services[0].visits: '010' is an ambiguous"),
    (HEAD + "  - {kind: website, name: a, visits: 1:30}\n", "'1:30' is an ambiguous number"),
    (HEAD + "  - {kind: website, name: a, visits: !!float 1}\n---\nb: 1\n", "one document per file"),
    ("organisation: X\nperiod: 2025-13-45\n", "inv.yaml:2:9: period: '2025-13-45' cannot be read as timestamp"),
    ("organisation: X\nnotes: " + "[" * 5000 + "]" * 5000 + "\n", "inv.yaml:2:"),
    ("organisation: !!python/object/apply:os.system [ls]\n", "inv.yaml:1:15: organisation: the tag"),
    ("organisation: X\nfactors: {profile: [a]}\n", "factors.profile: 'profile' is the id of a bundled"),
    (HEAD + "  - {kind: website, name: a, visits: 1, uncertainty: {visits: 5}}\n",
     "inv.yaml:3:63: services[0].uncertainty.visits: uncertainty of 'visits'"),
])
def test_hostile_yaml_gets_located_errors(text, expected):
    found = errors(text)
    assert any(expected in e for e in found), found
