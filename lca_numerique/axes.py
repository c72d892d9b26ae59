"""The fixed axes of every result: the three tiers of a digital service (plus "other") and the life-cycle phases.

Tiers follow ADEME's methodological framework for digital services ("terminaux, réseaux, centres de
données"); "other" holds non-digital flows such as paper, so that print can be compared with digital.
Phases follow the split used by ADEME's Impact CO2 model (fabrication, distribution, utilisation, fin de vie).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["PHASES", "PHASE_IDS", "TIERS", "TIER_IDS", "AxisLabel"]


class AxisLabel(NamedTuple):
    """One position on an axis: a stable id and its English and French names."""

    id: str
    name_en: str
    name_fr: str


TIERS: tuple[AxisLabel, ...] = (
    AxisLabel("terminals", "user terminals", "terminaux"),
    AxisLabel("networks", "networks", "réseaux"),
    AxisLabel("data_centres", "data centres", "centres de données"),
    AxisLabel("other", "other (non-digital)", "autre (hors numérique)"),
)

PHASES: tuple[AxisLabel, ...] = (
    AxisLabel("manufacturing", "manufacturing", "fabrication"),
    AxisLabel("distribution", "distribution", "distribution"),
    AxisLabel("use", "use", "utilisation"),
    AxisLabel("end_of_life", "end of life", "fin de vie"),
)

TIER_IDS: tuple[str, ...] = tuple(t.id for t in TIERS)
PHASE_IDS: tuple[str, ...] = tuple(p.id for p in PHASES)
