"""Impact criteria: the Environmental Footprint (EF 3.1) indicators, plus the non-EF indicators French
digital-service studies report (primary energy, water consumption).

Names and units follow the EF 3.1 method of the European Commission's Joint Research Centre (the method
behind PEF and the French PCR for digital services). Each criterion's unit is the unit results are reported
in; factor data may be written in any unit of the same dimension and is converted at load.
"""

from __future__ import annotations

from typing import NamedTuple


class Criterion(NamedTuple):
    """One impact criterion."""

    id: str
    code: str
    name_en: str
    name_fr: str
    unit: str
    description: str
    ef: bool = True


CRITERIA: tuple[Criterion, ...] = (
    Criterion("climate_change", "GWP", "Climate change", "Changement climatique", "kg CO2 eq",
              "Greenhouse-gas emissions weighted by their 100-year global warming potential (IPCC)."),
    Criterion("ozone_depletion", "ODP", "Ozone depletion", "Appauvrissement de la couche d'ozone", "kg CFC-11 eq",
              "Emissions that destroy stratospheric ozone."),
    Criterion("ionising_radiation", "IR", "Ionising radiation, human health", "Rayonnements ionisants",
              "kBq U235 eq", "Exposure to radionuclides, mostly from the nuclear fuel cycle."),
    Criterion("photochemical_ozone_formation", "POCP", "Photochemical ozone formation, human health",
              "Formation d'ozone photochimique", "kg NMVOC eq", "Emissions that form ground-level ozone (smog)."),
    Criterion("particulate_matter", "PM", "Particulate matter", "Particules fines", "disease incidence",
              "Fine particles and their precursors, as expected disease incidence."),
    Criterion("human_toxicity_cancer", "CTUh-c", "Human toxicity, cancer", "Toxicité humaine, effets cancérigènes",
              "CTUh", "Toxic emissions causing cancer (USEtox comparative toxic units)."),
    Criterion("human_toxicity_non_cancer", "CTUh-nc", "Human toxicity, non-cancer",
              "Toxicité humaine, effets non cancérigènes", "CTUh",
              "Toxic emissions causing non-cancer diseases (USEtox comparative toxic units)."),
    Criterion("acidification", "AP", "Acidification", "Acidification", "mol H+ eq",
              "Emissions that acidify soils and water (accumulated exceedance)."),
    Criterion("eutrophication_freshwater", "EPf", "Eutrophication, freshwater", "Eutrophisation, eaux douces",
              "kg P eq", "Phosphorus reaching freshwater and feeding algal blooms."),
    Criterion("eutrophication_marine", "EPm", "Eutrophication, marine", "Eutrophisation marine", "kg N eq",
              "Nitrogen reaching the sea and feeding algal blooms."),
    Criterion("eutrophication_terrestrial", "EPt", "Eutrophication, terrestrial", "Eutrophisation terrestre",
              "mol N eq", "Nitrogen deposition on land (accumulated exceedance)."),
    Criterion("ecotoxicity_freshwater", "CTUe", "Ecotoxicity, freshwater", "Écotoxicité pour l'eau douce", "CTUe",
              "Toxic effects on freshwater ecosystems (USEtox comparative toxic units)."),
    Criterion("land_use", "LU", "Land use", "Utilisation des sols", "pt",
              "Soil quality index of land occupied and transformed."),
    Criterion("water_use", "WU", "Water use", "Utilisation de l'eau", "m3 world eq",
              "Water consumption weighted by local scarcity (AWARE, m3 world equivalent deprived)."),
    Criterion("resource_use_fossils", "ADPf", "Resource use, fossils", "Utilisation de ressources fossiles", "MJ",
              "Fossil energy carriers consumed (lower heating value)."),
    Criterion("resource_use_minerals_metals", "ADPe", "Resource use, minerals and metals",
              "Épuisement des ressources abiotiques – minéraux et métaux", "kg Sb eq",
              "Depletion of mineral and metal resources (ultimate reserves, antimony equivalent)."),
    Criterion("primary_energy", "PE", "Primary energy", "Énergie primaire", "MJ",
              "Total primary energy consumed (not an EF indicator).", ef=False),
    Criterion("water_consumption", "WC", "Water consumption", "Consommation d'eau", "m3",
              "Volume of fresh water consumed, not weighted by scarcity (not an EF indicator).", ef=False),
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
    try:
        return _BY_KEY[key] if key in _BY_KEY else _BY_KEY[key.lower()]
    except KeyError:
        raise KeyError(f"unknown criterion {key!r}; known: {', '.join(CRITERION_IDS)}") from None
