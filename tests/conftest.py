"""Shared fixtures: the bundled default factor set, and a writer of small factor sets on disk."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

import lca_numerique as lca
from lca_numerique.factors import FACTOR_COLUMNS, PARAMETER_COLUMNS

METADATA = """\
id: tiny
version: "1"
title: A tiny test set
licence: CC0-1.0
sources:
  hand:
    title: Numbers chosen by hand for tests
    licence: CC0-1.0
"""

ROW = {"source": "hand", "locator": "test", "year": "2024", "geography": "FR", "licence": "CC0-1.0",
       "confidence": "medium", "uncertainty": "", "note": "", "value": "", "formula": ""}


@pytest.fixture(scope="session")
def factors() -> lca.FactorSet:
    """The default profile (a test module may define its own ``factors``)."""
    return lca.load_factors()


@pytest.fixture(scope="session")
def impactco2() -> lca.FactorSet:
    return lca.load_factors("impactco2")


FactorWriter = Callable[..., Path]


@pytest.fixture
def write_set(tmp_path: Path) -> FactorWriter:
    """Write a factor set folder from row dicts (missing columns take the values of ``ROW``)."""

    def write(factors: list[dict[str, str]], parameters: list[dict[str, str]] | None = None,
              metadata: str = METADATA, name: str = "tiny") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "metadata.yaml").write_text(metadata, encoding="utf-8")
        _write_csv(folder / "factors.csv", FACTOR_COLUMNS, factors)
        if parameters is not None:
            _write_csv(folder / "parameters.csv", PARAMETER_COLUMNS, parameters)
        return folder

    return write


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, ROW.get(c, "")) for c in columns})


@pytest.fixture(scope="session", autouse=True)
def factor_cache(tmp_path_factory: pytest.TempPathFactory):
    """Compiled factor sets go to a folder of this test session, not to the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LCA_NUMERIQUE_CACHE_DIR", str(tmp_path_factory.mktemp("factor-cache")))
        yield
