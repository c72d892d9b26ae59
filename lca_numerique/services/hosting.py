"""Hosting: servers, virtual machines and storage in a data centre over a period; services take a share of it.

An organisation's own infrastructure is declared once (a :class:`Hosting`) and the services it serves take
a share of it, by an allocation rule (:data:`ALLOCATION`): the share as given, or computed from the
hosting's totals and the service's own amount — share of time (``hosted_time`` / the hosting's period), of
data (``hosted_data`` / the data it holds) or of users (``hosted_users`` / its users). The ADEME
methodological framework for digital services allocates shared equipment by such physical keys; which one
fits is the analyst's choice, and the explanation shows it.

Virtual machines count as a share of a physical server, so a VM-hosted service has a complete data-centre
tier (embodied impacts and electricity):

* by vCPUs (``vm_vcpus``): embodied ``dc.vcpu`` hours (the server's impacts over ``host.vcpus`` in the
  factor data) and electricity ``server_power / host_vcpus`` per vCPU;
* or by power drawn (``vm_power``): the VM is ``vm_power / server_power`` of a server (``dc.server`` hours)
  and draws ``vm_power`` (ADEME's hosting PCR allocates shared equipment by power drawn, RAM, storage or
  vCPUs). A fraction of a physical server can also be written directly as ``servers: 0.5``.

Storage is either data stored (``storage``, one copy, times ``storage_copies``) or capacity provisioned
(``storage_provisioned``: disks reserved whatever their fill, flow ``dc.storage_provisioned``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..flows import FLOWS
from .base import BillBuilder, Service
from .common import DATACENTRE_ZONE, IMPACT_CO2
from .parameters import ParameterError, Spec

__all__ = [
    "ALLOCATION",
    "HOSTED",
    "HOSTED_DATA",
    "HOSTED_TIME",
    "HOSTED_USERS",
    "HOSTING",
    "HOSTING_SHARE",
    "Hosting",
    "add_hosting_share",
    "allocated_share",
    "refuse_allocation_without_hosting",
]

_ADEME_PCR = ("ADEME, RCP hébergement informatique en centres de données et services cloud (2023), reference "
              "physical server of '2 processeurs de 48 cœurs' (footnote 36 p.57, §12.6.4): 96 vCPUs")
_BAY = (f"{IMPACT_CO2}: storage bay of 6 W ('stockage . puissance en mode actif') of 3.5524 x 1024 Go "
        "('serveur . capacité', read as GB)")
_NONE = "convention: none unless given"


class Hosting(Service):
    """Servers, virtual machines and storage run over a period. Audience: users (optional)."""

    kind = "hosting"
    audience_unit = "user"
    vectorised = True
    parameters = (
        Spec("servers", "Physical servers dedicated to the service (average number over the period; 0.5 is half "
             "a server).", unit="server", default=0.0, source=_NONE),
        Spec("vcpus", "Virtual CPUs rented (average number over the period).", unit="vCPU", default=0.0,
             source=_NONE),
        Spec("vms", "Virtual machines run (average number over the period; four half-VMs are 2). Each is "
             "sized by vm_vcpus or vm_power.", unit="dimensionless", default=0.0, source=_NONE),
        Spec("vm_vcpus", "vCPUs of one virtual machine (its share of the host is vm_vcpus / host_vcpus).",
             unit="vCPU", default=0.0, source="convention: give vm_vcpus or vm_power for each VM"),
        Spec("vm_power", "Average electrical power of one virtual machine, when known instead of its vCPUs: it "
             "takes vm_power / server_power of a physical server (allocation by power drawn).", unit="W",
             default=0.0, source="convention: give vm_vcpus or vm_power for each VM"),
        Spec("host_vcpus", "vCPUs of the physical server hosting the vCPUs (the server's power is shared among "
             "them; keep it equal to the factor parameter host.vcpus that shares its embodied impacts).",
             unit="vCPU / server", default=96.0, positive=True, source=_ADEME_PCR),
        Spec("storage", "Data stored (one copy).", unit="TB_stored", default=0.0, source=_NONE),
        Spec("storage_copies", "Copies of the stored data (original, replicas and backups).", unit="dimensionless",
             default=3.0, minimum=1.0,
             source=f"{IMPACT_CO2}: 3 copies ('email . redondances sauvegarde')"),
        Spec("storage_provisioned", "Storage capacity provisioned (disks reserved whatever their fill, copies "
             "included), e.g. two 870 GB units are 1.74 TB.", unit="TB_stored", default=0.0, source=_NONE),
        Spec("period", "Period assessed.", unit="year", default=1.0, positive=True, source="convention: one year"),
        DATACENTRE_ZONE,
        Spec("pue", "Power usage effectiveness of the data centre.", unit="dimensionless", default=1.46,
             minimum=1.0, uncertainty="triangular low=1.1 high=1.8",
             source="Arcep, 4th survey of data-centre operators in France (2025): average PUE 1.46 in 2023"),
        Spec("server_power", "Average electrical power of one server.", unit="W / server", default=367.0,
             positive=True, source=f"{IMPACT_CO2}: 'serveur . puissance' 367 W"),
        Spec("storage_power", "Electrical power per TB stored (one copy).", unit="W / TB_stored",
             default=6.0 / (3.5524 * 1.024 * 0.5), source=f"{_BAY} filled at 50 %"),
        Spec("provisioned_storage_power", "Electrical power per TB of storage capacity provisioned.",
             unit="W / TB_stored", default=6.0 / (3.5524 * 1.024), source=f"{_BAY}, its whole capacity"),
        Spec("users", "Users served (per-user results, and allocation by users).", unit="user", default=0.0,
             source="convention: per-user results and allocation by users need it"),
    )

    def check(self) -> None:
        if self.vms > 0 and (self.vm_vcpus > 0) == (self.vm_power > 0):
            raise ParameterError(f"{self.name}: vms: give the size of each virtual machine by vm_vcpus (its vCPUs) "
                                 "or vm_power (its power drawn), one of the two")

    def audience_amount(self) -> float:
        return self.users

    def build(self, bill: BillBuilder) -> None:
        z = self.datacentre_zone
        bill.let("hours", "period * 8760", "hour")
        bill.let("server_count", "servers + vms * vm_power / server_power", "server")
        bill.let("vcpu_count", "vcpus + vms * vm_vcpus", "vCPU")
        bill.add(f"dc.server@{z}", "server_count * hours", "hosting")
        bill.add(f"dc.vcpu@{z}", "vcpu_count * hours", "hosting")
        bill.add(f"electricity.data_centres@{z}",
                 "(server_count + vcpu_count / host_vcpus) * server_power * hours * pue / 1000", "hosting")
        bill.add(f"dc.storage@{z}", "storage * 1000 * storage_copies * period", "storage")
        bill.add(f"dc.storage_provisioned@{z}", "storage_provisioned * 1000 * period", "storage")
        bill.add(f"electricity.data_centres@{z}", "(storage * storage_copies * storage_power + storage_provisioned "
                 "* provisioned_storage_power) * hours * pue / 1000", "storage")


HOSTING = Spec("hosting", "The Hosting this service runs on (optional).", kind="object", default=None,
               source="convention: none unless given")
ALLOCATION = Spec(
    "allocation", "How this service's share of the hosting is computed: 'share' as given (hosting_share); "
    "'time': hosted_time / the hosting's period; 'data': hosted_data / the data the hosting holds (storage, "
    "one copy, plus storage_provisioned); 'users': hosted_users / the hosting's users.",
    kind="choice", choices=("share", "time", "data", "users"), default="share",
    source="convention: the share as given; ADEME's framework for digital services allocates shared "
           "equipment by physical keys (time, data, users), the analyst's choice",
)
HOSTING_SHARE = Spec("hosting_share", "Share of that hosting attributable to this service (allocation 'share').",
                     kind="share", default=1.0, source="convention: the whole hosting unless shared")
HOSTED_TIME = Spec("hosted_time", "Time this service uses the hosting (allocation 'time').", unit="year",
                   default=0.0, source="convention: needed by allocation 'time' only")
HOSTED_DATA = Spec("hosted_data", "Data this service keeps on the hosting (allocation 'data').", unit="TB_stored",
                   default=0.0, source="convention: needed by allocation 'data' only")
HOSTED_USERS = Spec("hosted_users", "Users this service accounts for among the hosting's (allocation 'users').",
                    unit="user", default=0.0, source="convention: needed by allocation 'users' only")
#: The parameters a service served by a Hosting takes.
HOSTED: tuple[Spec, ...] = (HOSTING, ALLOCATION, HOSTING_SHARE, HOSTED_TIME, HOSTED_DATA, HOSTED_USERS)

# rule -> (the service's amount, the name of the hosting's total in the bill, its formula, its unit)
_RULES: dict[str, tuple[str, str, str, str]] = {
    "time": ("hosted_time", "hosting_period", "period", "year"),
    "data": ("hosted_data", "hosting_data", "storage + storage_provisioned", "TB_stored"),
    "users": ("hosted_users", "hosting_users", "users", "user"),
}


def _total(names: Mapping[str, Any], hosting: Hosting, who: str) -> float:
    """The hosting's total for the allocation rule in ``names``, refused when it cannot share anything."""
    amount, _, formula, _ = _RULES[names["allocation"]]
    total = sum(hosting.values[name] for name in formula.split(" + "))
    if not total > 0:
        raise ParameterError(f"{who}: allocation {names['allocation']!r} divides by hosting {hosting.name!r}'s "
                             f"{formula}, which is 0: give it, or choose another allocation")
    if np.any(np.asarray(names[amount]) > total):
        raise ParameterError(f"{who}: {amount} ({np.max(names[amount]):g}) exceeds hosting {hosting.name!r}'s "
                             f"{formula} ({total:g})")
    return total


def refuse_allocation_without_hosting(service: Service) -> None:
    """Refuse allocation parameters given to a service without a hosting (they would be silently unused)."""
    if service.values.get("hosting") is None:
        written = service.given
        given = [spec.name for spec in HOSTED[1:] if spec.name in written]
        if given:
            raise ParameterError(f"{service.name}: {', '.join(given)} apply to a hosting; give 'hosting' too")


def allocated_share(service: Service) -> float:
    """The share of its hosting ``service`` takes under its allocation rule (0 without a hosting)."""
    hosting = service.values.get("hosting")
    if not isinstance(hosting, Hosting):
        return 0.0
    names = service.values
    if names.get("allocation", "share") == "share":
        return float(names.get("hosting_share", 1.0))
    return names[_RULES[names["allocation"]][0]] / _total(names, hosting, service.name)


def add_hosting_share(bill: BillBuilder, hosting: Any, stage: str, storage_stage: str | None = None) -> None:
    """Add the allocated share (rule ``allocation`` of the bill's service, 'share' by default) of every line of
    ``hosting``'s bill (its fixed costs); each hosting line is a named value of the bill, noted with the
    hosting's own formula. Storage lines go to ``storage_stage`` when given, the others to ``stage``."""
    if hosting is None:
        return
    if not isinstance(hosting, Hosting):
        raise ParameterError(f"hosting must be a Hosting service, got {hosting!r}")
    share = "hosting_share"
    if bill.names.get("allocation", "share") != "share":
        amount, total, formula, unit = _RULES[bill.names["allocation"]]
        bill.bind(total, _total(bill.names, hosting, f"allocation of hosting {hosting.name!r}"), unit,
                  f"hosting {hosting.name!r}: {formula}")
        share = "allocated_share"
        bill.let(share, f"{amount} / {total}")
    for i, line in enumerate(hosting.bill_of_materials().lines):
        name = f"hosting.line{i + 1}"
        bill.bind(name, line.amount, FLOWS[line.flow].unit, f"hosting {hosting.name!r}: {line.flow} = {line.origin}")
        bill.add(line.flow, f"{share} * {name}", storage_stage if storage_stage and line.stage == "storage" else stage)
