"""A small client of the public API, as another tool would write it: checked with ``mypy --strict`` by
tests/test_typed_client.py, so that a gap in the public annotations shows up as a type error here."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

import lca_numerique as lca
from lca_numerique.results import Scores
from lca_numerique.services import Video, Website


def first_table() -> pd.DataFrame:
    """The README's Python example: climate and other criteria per visit and per view."""
    factors: lca.FactorSet = lca.load_factors()
    video = Video("event video", views=8000, duration="3 min", resolution="720p")
    site = Website("city site", visits=120_000, page_weight="1.8 MB")
    bills: list[lca.BillOfMaterials] = [video.bill_of_materials(), site.bill_of_materials()]
    results: lca.Results = lca.evaluate(bills, factors)
    totals: pd.DataFrame = results.total(("service", "tier"))
    assert not totals.empty
    return results.per_audience()


def fast_table() -> list[dict[str, object]]:
    """The same table without pandas, as a web calculator would read it: one record per service and criterion."""
    video = Video("event video", views=8000, duration="3 min", resolution="720p")
    results = lca.evaluate([video.bill_of_materials()], lca.load_factors())
    table: lca.Table = results.per_audience(as_frame=False)
    values: np.ndarray = table["value"]
    codes, labels = table.codes("coverage")
    assert len(values) == len(codes) == len(table) and "complete" in labels
    by_tier: lca.Table = results.total(("service", "tier"), as_frame=False)
    frame: pd.DataFrame = by_tier.to_pandas()
    assert len(frame) == len(by_tier)
    return [dict(record) for record in table]


def climate_scores() -> dict[str, float]:
    """Per-service climate totals (kg CO2 eq) from the pandas-free view."""
    factors = lca.load_factors("default", licences=["MIT", "ODbL-1.0"])
    site = Website("city site", visits=1000, page_weight="2 MB")
    scores: Scores = lca.evaluate([site.bill_of_materials()], factors).scores()
    column = scores.criteria.index("climate_change")
    values: np.ndarray = scores.values[:, column]
    return {name: float(v) for name, v in zip(scores.services, values, strict=True)}


def typed_parameters() -> tuple[float, str]:
    """Service parameters are typed attributes: a quantity is a float in its declared unit, a choice a Literal."""
    site = Website("city site", visits=120_000, page_weight="1.8 MB")
    visits: float = site.visits
    weight: float = site.page_weight  # MB
    video = Video("event video", views=8000, duration="3 min", resolution="720p")
    resolution: Literal["sd", "720p", "1080p", "4k"] = video.resolution
    return visits * weight, resolution


if __name__ == "__main__":
    print(first_table())
    print(climate_scores())
    print(fast_table()[0]["per"])
    print(typed_parameters())
