"""A report folder appears whole or not at all, is replaced only when asked, and never written through a link."""

from __future__ import annotations

import os

import pytest

from lca_numerique.errors import LcaError, OutputError
from lca_numerique.inventory import inventory_from_text
from lca_numerique.report import write_report, write_results_file

INVENTORY = """\
organisation: Ville test
services:
  - {kind: website, name: site, visits: 1000, page_weight: 1 MB}
  - {kind: video, name: clip, views: 500, duration: 60 s}
"""


@pytest.fixture(scope="module")
def assessed():
    inventory = inventory_from_text(INVENTORY, "test.yaml")
    return inventory.evaluate(), inventory


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent, name):
    return [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")]


def test_a_crash_while_drawing_figures_leaves_the_old_report_whole(assessed, tmp_path, monkeypatch):
    results, inventory = assessed
    out = tmp_path / "report"
    write_report(results, inventory, out, ["json", "csv"])
    before = snapshot(out)

    def broken(*args, **kwargs):
        raise RuntimeError("figure backend died")

    import lca_numerique.plotting

    monkeypatch.setattr(lca_numerique.plotting, "plot_audience", broken)
    with pytest.raises(RuntimeError, match="figure backend died"):
        write_report(results, inventory, out, force=True)  # xlsx and csv are written before the html fails
    assert snapshot(out) == before  # no new xlsx beside the old json
    assert leftovers(tmp_path, "report") == []


def test_an_existing_report_is_replaced_only_with_force(assessed, tmp_path):
    results, inventory = assessed
    out = tmp_path / "report"
    write_report(results, inventory, out, ["json"])
    (out / "results.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputError, match="--force"):
        write_report(results, inventory, out, ["csv"])
    assert {p.name for p in out.iterdir()} == {"results.json"}
    assert isinstance(OutputError("x"), LcaError)  # the CLI shows it as bad input (exit code 2)
    written = write_report(results, inventory, out, ["csv"], force=True)
    assert {p.name for p in out.iterdir()} == {"results.csv"} == {p.name for p in written.values()}
    assert leftovers(tmp_path, "report") == []


def test_an_empty_folder_is_used_without_force(assessed, tmp_path):
    results, inventory = assessed
    write_report(results, inventory, tmp_path, ["csv"])
    assert {p.name for p in tmp_path.iterdir()} == {"results.csv"}


def test_force_never_empties_a_folder_holding_other_files(assessed, tmp_path):
    results, inventory = assessed
    (tmp_path / "thesis.docx").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputError, match=r"thesis\.docx"):
        write_report(results, inventory, tmp_path, ["csv"], force=True)
    assert (tmp_path / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_no_write_through_a_planted_link(assessed, tmp_path):
    results, inventory = assessed
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "report").symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        write_report(results, inventory, tmp_path / "report", ["csv"], force=True)
    assert list(target.iterdir()) == []
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "results.json").symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        write_results_file(tmp_path / "results.json", results, inventory)
    assert victim.read_text(encoding="utf-8") == "keep"


def test_a_link_inside_a_report_folder_is_not_replaced_through(assessed, tmp_path):
    results, inventory = assessed
    out = tmp_path / "report"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    os.symlink(victim, out / "results.csv")
    with pytest.raises(OutputError):
        write_report(results, inventory, out, ["csv"], force=True)
    assert victim.read_text(encoding="utf-8") == "keep"
