"""Well-known web carbon methods beside our bottom-up model: EcoIndex, Sustainable Web Design v3 and v4, OneByte.

Each is a re-implementation that agrees with its reference implementation (``ecoindex-compute`` for EcoIndex,
CO2.js for the others) on any valid input; :func:`compare_methods` puts them next to our result for a website,
:func:`pages_table` does the same for a table of many pages, on arrays.
"""

from .compare import compare_methods, explain_differences
from .ecoindex import EcoIndex, ecoindex, ecoindex_ghg, ecoindex_grade, ecoindex_score, ecoindex_water
from .measured import PageMeasure, page_from_lighthouse, pages_from_har
from .onebyte import onebyte_per_byte
from .swd import (
    swd_v3_per_byte,
    swd_v3_per_visit,
    swd_v3_rating,
    swd_v4_per_byte,
    swd_v4_per_visit,
    swd_v4_rating,
)
from .table import pages_table

__all__ = [
    "EcoIndex", "PageMeasure", "compare_methods", "ecoindex", "ecoindex_ghg", "ecoindex_grade", "ecoindex_score",
    "ecoindex_water", "explain_differences", "onebyte_per_byte", "page_from_lighthouse", "pages_from_har",
    "pages_table", "swd_v3_per_byte", "swd_v3_per_visit", "swd_v3_rating", "swd_v4_per_byte", "swd_v4_per_visit",
    "swd_v4_rating",
]
