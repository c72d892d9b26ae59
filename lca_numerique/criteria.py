"""Impact criteria: the Environmental Footprint (EF 3.1) indicators, plus the non-EF indicators French
digital-service studies report (primary energy, water consumption).

Names and units follow the EF 3.1 method of the European Commission's Joint Research Centre (the method
behind PEF and the French PCR for digital services; Commission Recommendation (EU) 2021/2279, table 2); the
French names are those of ADEME's AGRIBALYSE 3.1 documentation. Each criterion's unit is the unit results are
reported in; factor data may be written in any unit of the same dimension and is converted at load.

Normalisation and weighting: EF 3.1 global factors (JRC, Andreasi Bassi et al. 2023, EUR 31414), as read in
MTES-MCT/ecobalyse ``public/data/impacts.json`` (``pef.normalization``, ``pef.weighting``); they agree to three
significant figures with FAST-OAD-CS23-HE ``environmental_impacts/resources/constants.py``, except ozone
depletion (5.23e-2 there), a conflict we could not settle against the JRC report itself.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import UnknownNameError

__all__ = ["CRITERIA", "CRITERION_IDS", "MISSION_CRITERIA", "Criterion", "get_criterion"]


class Criterion(NamedTuple):
    """One impact criterion."""

    id: str
    code: str
    name_en: str
    name_fr: str
    unit: str
    description: str
    ef: bool = True
    normalisation: float | None = None  # EF 3.1 global normalisation factor, criterion unit per person per year
    weighting_percent: float | None = None  # EF 3.1 weighting factor, % (they sum to 100 over the 16 EF criteria)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "climate_change",
        "GWP",
        "Climate change, total",
        "Changement climatique",
        "kg CO2 eq",
        "Greenhouse-gas emissions weighted by their 100-year global warming potential.",
        normalisation=7553.08,
        weighting_percent=21.06,
    ),
    Criterion(
        "ozone_depletion",
        "ODP",
        "Ozone depletion",
        "Appauvrissement de la couche d'ozone",
        "kg CFC-11 eq",
        "Emissions that destroy stratospheric ozone.",
        normalisation=0.053648,
        weighting_percent=6.31,
    ),
    Criterion(
        "ionising_radiation",
        "IR",
        "Ionising radiation, human health",
        "Rayonnements ionisants",
        "kBq U235 eq",
        "Exposure to radionuclides, mostly from the nuclear fuel cycle.",
        normalisation=4220.16,
        weighting_percent=5.01,
    ),
    Criterion(
        "photochemical_ozone_formation",
        "POCP",
        "Photochemical ozone formation, human health",
        "Formation photochimique d'ozone",
        "kg NMVOC eq",
        "Emissions that form ground-level ozone (smog).",
        normalisation=40.8592,
        weighting_percent=4.78,
    ),
    Criterion(
        "particulate_matter",
        "PM",
        "Particulate matter",
        "Particules",
        "disease incidence",
        "Fine particles and their precursors, as expected disease incidence.",
        normalisation=0.000595367,
        weighting_percent=8.96,
    ),
    Criterion(
        "human_toxicity_cancer",
        "CTUh-c",
        "Human toxicity, cancer",
        "Effets toxicologiques sur la santé humaine : substances cancérogènes",
        "CTUh",
        "Toxic emissions causing cancer (USEtox comparative toxic units).",
        normalisation=1.72529e-05,
        weighting_percent=2.13,
    ),
    Criterion(
        "human_toxicity_non_cancer",
        "CTUh-nc",
        "Human toxicity, non-cancer",
        "Effets toxicologiques sur la santé humaine : substances non cancérogènes",
        "CTUh",
        "Toxic emissions causing non-cancer diseases (USEtox comparative toxic units).",
        normalisation=0.000128736,
        weighting_percent=1.84,
    ),
    Criterion(
        "acidification",
        "AP",
        "Acidification",
        "Acidification",
        "mol H+ eq",
        "Emissions that acidify soils and water (accumulated exceedance).",
        normalisation=55.5695,
        weighting_percent=6.2,
    ),
    Criterion(
        "eutrophication_freshwater",
        "EPf",
        "Eutrophication, freshwater",
        "Eutrophisation eaux douces",
        "kg P eq",
        "Phosphorus reaching freshwater and feeding algal blooms.",
        normalisation=1.60685,
        weighting_percent=2.8,
    ),
    Criterion(
        "eutrophication_marine",
        "EPm",
        "Eutrophication, marine",
        "Eutrophisation marine",
        "kg N eq",
        "Nitrogen reaching the sea and feeding algal blooms.",
        normalisation=19.5452,
        weighting_percent=2.96,
    ),
    Criterion(
        "eutrophication_terrestrial",
        "EPt",
        "Eutrophication, terrestrial",
        "Eutrophisation terrestre",
        "mol N eq",
        "Nitrogen deposition on land (accumulated exceedance).",
        normalisation=176.755,
        weighting_percent=3.71,
    ),
    Criterion(
        "ecotoxicity_freshwater",
        "CTUe",
        "Ecotoxicity, freshwater",
        "Écotoxicité pour écosystèmes aquatiques d'eau douce",
        "CTUe",
        "Toxic effects on freshwater ecosystems (USEtox comparative toxic units).",
        normalisation=56716.6,
        weighting_percent=1.92,
    ),
    Criterion(
        "land_use",
        "LU",
        "Land use",
        "Utilisation du sol",
        "pt",
        "Soil quality index of land occupied and transformed.",
        normalisation=819498.0,
        weighting_percent=7.94,
    ),
    Criterion(
        "water_use",
        "WU",
        "Water use",
        "Épuisement des ressources en eau",
        "m3 world eq",
        "Water consumption weighted by local scarcity (AWARE, m3 world equivalent deprived).",
        normalisation=11468.7,
        weighting_percent=8.51,
    ),
    Criterion(
        "resource_use_fossils",
        "ADPf",
        "Resource use, fossils",
        "Épuisement des ressources énergétiques",
        "MJ",
        "Fossil energy carriers consumed (lower heating value).",
        normalisation=65004.3,
        weighting_percent=8.32,
    ),
    Criterion(
        "resource_use_minerals_metals",
        "ADPe",
        "Resource use, minerals and metals",
        "Épuisement des ressources en minéraux",
        "kg Sb eq",
        "Depletion of mineral and metal resources (ultimate reserves, antimony equivalent).",
        normalisation=0.0636226,
        weighting_percent=7.55,
    ),
    Criterion(
        "primary_energy",
        "PE",
        "Primary energy",
        "Énergie primaire",
        "MJ",
        "Total primary energy consumed (not an EF indicator).",
        ef=False,
    ),
    Criterion(
        "water_consumption",
        "WC",
        "Water consumption",
        "Consommation d'eau",
        "m³",
        "Volume of fresh water consumed, not weighted by scarcity (not an EF indicator).",
        ef=False,
    ),
)

#: The three criteria the mission names: climate change, abiotic resource depletion, freshwater ecotoxicity.
#: Results always show them, marked "not covered" where a factor set lacks them, never silently left out.
MISSION_CRITERIA: tuple[str, ...] = ("climate_change", "resource_use_minerals_metals", "ecotoxicity_freshwater")

_BY_KEY: dict[str, Criterion] = {
    **{c.id: c for c in CRITERIA},
    **{c.code.lower(): c for c in CRITERIA},
}

CRITERION_IDS: tuple[str, ...] = tuple(c.id for c in CRITERIA)


def get_criterion(key: str) -> Criterion:
    """The criterion with this id or short code (``"climate_change"``, ``"GWP"``, ``"ADPe"``...)."""
    found = _BY_KEY.get(key) or _BY_KEY.get(key.lower()) if isinstance(key, str) else None
    if found is None:
        raise UnknownNameError("criterion", key, CRITERION_IDS)
    return found
