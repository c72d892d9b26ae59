"""Building blocks shared by service models: devices, networks, zones, and the large-platform data centre.

Sources of the defaults here:

* ADEME Impact CO2, npm ``@incubateur-ademe/publicodes-acv-numerique`` 2.1.0 (MIT): device mixes of its
  usages, bitrates, the default network (French fixed network) and data-centre region (France), and the
  data-centre figures it derives from Netflix's 2019 ESG report (451,000 MWh a year for 167 million
  subscribers watching 2 h a day at 1.9 GB/h, servers of 367 W at a PUE of 1.3).
* Médiamétrie, L'Année Internet 2023 (press release of 8 February 2024): 79 % of the time French people spend
  on the internet is on a mobile (smartphone); 75 % in L'Année Internet 2022; 67 % smartphone, 15 % computer
  and 10 % tablet in 2021. These make the device mix of platform audiences (social feeds, public videos).
* Meta and Google, locations of their European data centres: none in France (Meta: Luleå, Clonee, Odense;
  Google: St. Ghislain, Eemshaven, Hamina, Dublin, Fredericia); 53 % of French usage is hosted abroad
  (ADEME's 2025 update, as reported by Sobrietic). Large platforms' data centres default to the European zone.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..flows import ZONES
from .base import BillBuilder
from .parameters import Spec

__all__ = [
    "DATACENTRE_ZONE",
    "DEVICES",
    "IMPACT_CO2",
    "INTERNET_TIME_MIX",
    "INTERNET_TIME_SOURCE",
    "NETWORKS",
    "NETWORK_MIX",
    "NETWORK_ZONE",
    "PLATFORM_DATACENTRE_ZONE",
    "PLATFORM_ENERGY_PER_GB",
    "PLATFORM_SERVERS_PER_GB",
    "PLATFORM_SERVERS_PER_HOUR",
    "PLATFORM_SOURCE",
    "ZONE",
    "add_devices",
    "add_network",
    "add_platform",
    "device_mix",
    "mix_keys",
    "term",
]

IMPACT_CO2 = "ADEME Impact CO2, publicodes-acv-numerique 2.1.0 (MIT)"

#: Device types a mix may hold. "desktop" is a desktop computer with its monitor (both are counted),
#: as Impact CO2's "ordinateur et écran".
DEVICES: tuple[str, ...] = ("smartphone", "tablet", "laptop", "desktop", "tv")
NETWORKS: tuple[str, ...] = ("fixed", "mobile")


def device_mix(default: Mapping[str, float] | None, source: str, what: str = "use", note: str = "") -> Spec:
    """The ``device_mix`` parameter: share of the time spent on each device type (``default`` None: the
    service sets it from other parameters, as ``note`` says)."""
    return Spec("device_mix", f"Share of {what} time on each device type (desktop = computer and monitor){note}.",
                kind="mix", keys=DEVICES, default=None if default is None else dict(default), source=source)


NETWORK_MIX = Spec(
    "network_mix", "Share of the data carried by the fixed network (box included) and by the mobile network.",
    kind="mix", keys=NETWORKS, default={"fixed": 1.0},
    source=f"{IMPACT_CO2}: its usages default to the French fixed network ('transmission . réseau' = fixe FR)",
)
ZONE = Spec(
    "zone", "Where the audience is: the electricity of its devices (and the network, unless network_zone says "
    "otherwise).", kind="choice", choices=tuple(ZONES), default="FR", source=f"{IMPACT_CO2}: default region France",
)
NETWORK_ZONE = Spec(
    "network_zone", "Where the network the data crosses is (a French audience on a European network: EU); by "
    "default the audience's zone.", kind="choice", choices=tuple(ZONES), default=None, default_from="zone",
    source=f"{IMPACT_CO2}: the network ('transmission . réseau', e.g. 'fixe EU') is chosen apart from the region "
           "of the devices ('usage réel . région'); by default the same zone as the audience",
)
DATACENTRE_ZONE = Spec(
    "datacentre_zone", "Where the data centre is: the electricity it draws.", kind="choice",
    choices=tuple(ZONES), default="FR",
    source=f"{IMPACT_CO2}: 'usage data center . région' defaults to France",
)
PLATFORM_DATACENTRE_ZONE = Spec(
    "datacentre_zone", "Where the platform's data centres are: the electricity they draw.", kind="choice",
    choices=tuple(ZONES), default="EU",
    source="Europe: Meta's European data centres are in Luleå (SE), Clonee (IE) and Odense (DK) (Facebook "
           "engineering, 'Hello, Odense!', 2017-01-19); Google's, which serve YouTube, in Fredericia (DK), "
           "St. Ghislain (BE), Hamina (FI), Dublin (IE) and Eemshaven (NL) (Copenhagen Economics for Google, "
           "2019); neither has one in France; ADEME's 2025 update (as reported by Sobrietic): 53 % of French usage "
           "is hosted abroad. Caches inside French operators' networks serve part of the video from France: set "
           "FR to bound it",
)

#: Share of time on the internet by device, French internet users: Médiamétrie, L'Année Internet 2023 (press
#: release of 2024-02-08): 79 % on a mobile; the other 21 % split as computers 15 : tablets 10 (Médiamétrie,
#: L'Année Internet 2021: 67 % smartphone, 15 % computer, 10 % tablet), computers halved into laptops and
#: desktops as in Impact CO2's usages. Connected TVs are outside Médiamétrie's internet measurement.
INTERNET_TIME_MIX: dict[str, float] = {"smartphone": 0.79, "tablet": 0.21 * 10 / 25, "laptop": 0.21 * 7.5 / 25,
                                       "desktop": 0.21 * 7.5 / 25}
INTERNET_TIME_SOURCE = (
    "Médiamétrie, L'Année Internet 2023 (press release 2024-02-08, as reported by La Lettre Pro): '79 % du temps "
    "passé sur Internet se fait depuis un mobile' (75 % in 2022, 67 % in 2021: the smartphone share is known to "
    "about +-6 points); the remaining 21 % split 15 : 10 between computers and tablets as in L'Année Internet "
    "2021 (67 % smartphone, 15 % computer, 10 % tablet), computers halved into laptops and desktops as in "
    f"{IMPACT_CO2}; TV screens are outside this measurement (YouTube on a TV is not counted)"
)


def term(formula: str) -> str:
    """``formula`` ready to be multiplied: in parentheses unless it is a single name."""
    return formula if formula.replace(".", "_").isidentifier() else f"({formula})"


def mix_keys(bill: BillBuilder, mix: str) -> list[str]:
    """The keys of mix parameter ``mix`` the service gives (its shares are named ``mix.key`` in ``bill``)."""
    return list(bill.mixes[mix])


def add_devices(bill: BillBuilder, hours: str, zone: str, stage: str, device: str | None = None) -> None:
    """Device-hours ``hours`` (a formula over the bill's names) split by the device mix, or all on one
    ``device``; a desktop brings its monitor."""
    shares = {device: ""} if device else {d: f" * device_mix.{d}" for d in mix_keys(bill, "device_mix")}
    for kind, share in shares.items():
        for flow in ("desktop", "monitor") if kind == "desktop" else (kind,):
            bill.add(f"device.{flow}@{zone}", f"{term(hours)}{share}", stage)


def add_network(bill: BillBuilder, gigabytes: str, zone: str, stage: str) -> None:
    """GB transferred (a formula over the bill's names), split between the fixed and mobile networks."""
    for network in mix_keys(bill, "network_mix"):
        bill.add(f"network.{network}@{zone}", f"{term(gigabytes)} * network_mix.{network}", stage)


def add_platform(bill: BillBuilder, zone: str, gigabytes: str, stage: str, hours: str = "") -> None:
    """A large platform's data centre in ``zone``: servers per hour watched (``hours``) or, without hours, per
    GB served, and electricity per GB served (both formulas over the bill's names)."""
    if hours:
        bill.add(f"dc.server@{zone}", f"{term(hours)} * platform_server_hours_per_hour", stage)
    else:
        bill.add(f"dc.server@{zone}", f"{term(gigabytes)} * platform_server_hours_per_gb", stage)
    bill.add(f"electricity.data_centres@{zone}", f"{term(gigabytes)} * platform_energy_per_gb / 1000", stage)


# -- the large-platform data centre (Impact CO2's figures derived from Netflix 2019) -------------------------
_NETFLIX_MWH_PER_YEAR = 94_000 + 357_000  # direct + indirect electricity ('streaming . électricité ...')
_NETFLIX_VIEWING_HOURS = 2 * 365 * 167e6  # 2 h a day, 167 M subscribers
_NETFLIX_GB = _NETFLIX_VIEWING_HOURS * 1.9  # 1.9 GB per hour
_NETFLIX_SERVERS = _NETFLIX_MWH_PER_YEAR * 1e6 / 1.3 / (365 * 24) / 367  # before PUE 1.3, 367 W servers

PLATFORM_SOURCE = (f"{IMPACT_CO2}, derived from Netflix's 2019 ESG report: 94,000 + 357,000 MWh a year, "
                   "167 M subscribers x 2 h a day x 1.9 GB/h, 367 W servers, PUE 1.3")
PLATFORM_ENERGY_PER_GB = Spec(
    "platform_energy_per_gb", "Electricity a large platform's data centres draw per GB served (PUE included).",
    unit="Wh / GB", default=_NETFLIX_MWH_PER_YEAR * 1e6 / _NETFLIX_GB, source=PLATFORM_SOURCE,
    uncertainty="lognormal gsd=2",
)
PLATFORM_SERVERS_PER_HOUR = Spec(
    "platform_server_hours_per_hour", "Server-hours of a large platform per hour watched or listened.",
    unit="server_hour / hour", default=_NETFLIX_SERVERS * 365 * 24 / _NETFLIX_VIEWING_HOURS,
    source=PLATFORM_SOURCE, uncertainty="lognormal gsd=2",
)
PLATFORM_SERVERS_PER_GB = Spec(
    "platform_server_hours_per_gb", "Server-hours of a large platform per GB served.",
    unit="server_hour / GB", default=_NETFLIX_SERVERS * 365 * 24 / _NETFLIX_GB, source=PLATFORM_SOURCE,
    uncertainty="lognormal gsd=2",
)
