"""Factor sets: versioned, sourced impact factors F[flow, criterion, phase].

``model``    the objects: Provenance, Parameter, Factor, FactorSet (dense array + coverage mask)
``loader``   reading one set's folder strictly (every problem at once, with file and line)
``profiles`` composing several sets by priority into the factors an evaluation uses
"""

from .loader import (
    FACTOR_COLUMNS,
    PARAMETER_COLUMNS,
    available_factor_sets,
    data_root,
    load_factor_set,
)
from .model import Factor, FactorSet, Parameter, Provenance, canonical_factor_unit
from .profiles import DEFAULT_PROFILE, available_profiles, compose, load_factors

__all__ = [
    "DEFAULT_PROFILE", "FACTOR_COLUMNS", "PARAMETER_COLUMNS", "Factor", "FactorSet", "Parameter", "Provenance",
    "available_factor_sets", "available_profiles", "canonical_factor_unit", "compose", "data_root",
    "load_factor_set", "load_factors",
]
