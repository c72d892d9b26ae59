"""The catalogue of flows: the "materials" a bill of materials can hold.

A flow is one kind of thing a service consumes, in one canonical unit, belonging to exactly one tier:
an hour of use of a smartphone, a GB over the French mobile network, a GB stored for a year in a data
centre, a kWh of electricity used by a data centre in Europe, a kg of paper...

Flows whose impacts depend on where they happen (through the electricity they use, or the network they
cross) carry a zone: ``device.smartphone@FR`` is an hour on a smartphone used in France (its use phase runs
on French electricity), ``network.mobile@EU`` a GB over a European mobile network.

Each flow also has the life-cycle phases its nature gives it (``phases``): all four for a device or a
network, ``use`` only for a kWh, embodied phases only for data-centre equipment whose electricity is a
separate line. A factor set must cover each of them, or the results using the flow are partial.
"""

from __future__ import annotations

from typing import NamedTuple

from .axes import PHASE_IDS, TIER_IDS
from .errors import UnknownNameError

#: Phases of a flow that embodies equipment only, its electricity being a separate line.
EMBODIED: tuple[str, ...] = ("manufacturing", "distribution", "end_of_life")

#: Electricity zones. The codes are ours; each factor row records the geography its source states.
ZONES: dict[str, str] = {
    "FR": "France",
    "EU": "Europe",
    "WORLD": "World average",
    "US": "United States",
    "CN": "China",
}


class FlowKind(NamedTuple):
    """A kind of flow, before a zone is attached."""

    kind: str
    tier: str
    unit: str
    description: str
    implicit: str | None = None  # counting unit a quantity may leave out ("3 min" on one device)
    zoned: bool = True
    phases: tuple[str, ...] = PHASE_IDS  # the life-cycle phases this flow has: a factor set must cover each


class Flow(NamedTuple):
    """One flow of the catalogue."""

    id: str
    kind: str
    zone: str | None
    tier: str
    unit: str
    description: str
    implicit: str | None
    phases: tuple[str, ...] = PHASE_IDS


def _device(name: str, what: str) -> FlowKind:
    return FlowKind(
        f"device.{name}", "terminals", "device_hour",
        f"One hour of active use of {what}: its manufacturing, distribution and end of life allocated to that "
        "hour, and the electricity it draws in the zone.",
        implicit="device",
    )


FLOW_KINDS: tuple[FlowKind, ...] = (
    _device("smartphone", "a smartphone"),
    _device("tablet", "a tablet"),
    _device("laptop", "a laptop"),
    _device("desktop", "a desktop computer (without screen)"),
    _device("monitor", "a computer monitor"),
    _device("tv", "a television"),
    _device("box", "an internet access box (modem-router)"),
    FlowKind("network.fixed", "networks", "GB",
             "One GB transferred over the fixed access and core network, the subscriber's box included."),
    FlowKind("network.fixed_without_box", "networks", "GB",
             "One GB transferred over the fixed access and core network, the subscriber's box excluded."),
    FlowKind("network.mobile", "networks", "GB", "One GB transferred over the mobile network."),
    FlowKind("dc.server", "data_centres", "server_hour",
             "One hour of a physical server in a data centre, with its share of the building and network gear: "
             "embodied impacts only (its electricity is a separate electricity.data_centres line, PUE applied).",
             implicit="server", phases=EMBODIED),
    FlowKind("dc.vcpu", "data_centres", "vCPU_hour",
             "One hour of a virtual CPU in a data centre: embodied impacts only (electricity separate).",
             implicit="vCPU", phases=EMBODIED),
    FlowKind("dc.storage", "data_centres", "GB_stored * year",
             "One GB stored for one year in a data centre (one copy; replicas and backups are separate GB): "
             "embodied impacts of the storage equipment only (electricity separate).", phases=EMBODIED),
    FlowKind("dc.storage_provisioned", "data_centres", "GB_stored * year",
             "One GB of storage capacity provisioned for one year in a data centre, whatever its fill: embodied "
             "impacts of the storage equipment only (electricity separate).", phases=EMBODIED),
    FlowKind("dc.data_served", "data_centres", "GB",
             "One GB served by a data centre to users (servers and storage involved in serving it)."),
    # A kWh is the use phase of the equipment that draws it (its upstream is inside the kWh's factor).
    FlowKind("electricity.terminals", "terminals", "kWh", "One kWh of electricity drawn by user terminals.",
             phases=("use",)),
    FlowKind("electricity.networks", "networks", "kWh", "One kWh of electricity drawn by network equipment.",
             phases=("use",)),
    FlowKind("electricity.data_centres", "data_centres", "kWh",
             "One kWh of electricity drawn by a data centre (PUE already applied).", phases=("use",)),
    FlowKind("paper", "other", "kg",
             "One kg of graphic paper: its production (its end of life is the flow paper.end_of_life).", zoned=False,
             phases=("manufacturing", "distribution")),
    FlowKind("paper.end_of_life", "other", "kg",
             "One kg of graphic paper discarded after use: its end of life, with the cut-off rule (the burdens of "
             "recycling go to the next product).", zoned=False, phases=("end_of_life",)),
    FlowKind("printing", "other", "kg",
             "Printing one kg of paper (press energy, inks, plates), the paper itself excluded.", zoned=False,
             phases=("manufacturing",)),
    FlowKind("freight.road", "other", "tonne * km",
             "One tonne carried one km by road (truck): vehicle and road manufacturing, fuel burnt, vehicle "
             "end of life.", zoned=False, phases=("manufacturing", "use", "end_of_life")),
)


def _expand(kinds: tuple[FlowKind, ...]) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for k in kinds:
        assert k.tier in TIER_IDS, k
        zones = ZONES if k.zoned else (None,)
        for zone in zones:
            flow_id = f"{k.kind}@{zone}" if zone else k.kind
            flows[flow_id] = Flow(flow_id, k.kind, zone, k.tier, k.unit, k.description, k.implicit, k.phases)
    return flows


#: Every flow of the catalogue, by id, in a stable order.
FLOWS: dict[str, Flow] = _expand(FLOW_KINDS)


def get_flow(flow_id: str) -> Flow:
    """The catalogue flow with this id; an UnknownNameError (a KeyError) suggests the closest ids when there is
    none."""
    flow = FLOWS.get(flow_id) if isinstance(flow_id, str) else None
    if flow is None:
        raise UnknownNameError("flow", flow_id, FLOWS, listing="see lca_numerique.flows.FLOWS")
    return flow
