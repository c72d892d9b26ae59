"""Hosting: servers, virtual CPUs and storage in a data centre over a period; services may take a share of it."""

from __future__ import annotations

from typing import Any

from ..flows import FLOWS
from .base import BillBuilder, Service
from .common import DATACENTRE_ZONE, IMPACT_CO2
from .parameters import ParameterError, Spec


class Hosting(Service):
    """Servers, vCPUs and storage run over a period. Audience: users (optional)."""

    kind = "hosting"
    audience_unit = "user"
    parameters = (
        Spec("servers", "Physical servers dedicated to the service (average number over the period).",
             unit="server", default=0.0, source="convention: none unless given"),
        Spec("vcpus", "Virtual CPUs rented (average number over the period).", unit="vCPU", default=0.0,
             source="convention: none unless given"),
        Spec("storage", "Data stored (one copy).", unit="TB_stored", default=0.0,
             source="convention: none unless given"),
        Spec("storage_copies", "Copies of the stored data (original, replicas and backups).", unit="dimensionless",
             default=3.0, minimum=1.0,
             source=f"{IMPACT_CO2}: 3 copies ('email . redondances sauvegarde')"),
        Spec("period", "Period assessed.", unit="year", default=1.0, source="convention: one year"),
        DATACENTRE_ZONE,
        Spec("pue", "Power usage effectiveness of the data centre.", unit="dimensionless", default=1.46,
             minimum=1.0, uncertainty="triangular low=1.1 high=1.8",
             source="Arcep, 4th survey of data-centre operators in France (2025): average PUE 1.46 in 2023"),
        Spec("server_power", "Average electrical power of one server.", unit="W / server", default=367.0,
             source=f"{IMPACT_CO2}: 'serveur . puissance' 367 W"),
        Spec("storage_power", "Electrical power per TB stored (one copy).", unit="W / TB_stored",
             default=6.0 / (3.5524 * 1.024 * 0.5),
             source=f"{IMPACT_CO2}: storage bay of 6 W ('stockage . puissance en mode actif') holding "
                    "3.5524 x 1024 Go ('serveur . capacité', read as GB) filled at 50 %"),
        Spec("users", "Users served, if the hosting is assessed on its own.", unit="user", default=0.0,
             source="convention: per-user results need it"),
    )

    def audience_amount(self) -> float:
        return self.users

    def build(self, bill: BillBuilder) -> None:
        z = self.datacentre_zone
        bill.let("hours", "period * 8760", "hour")
        bill.add(f"dc.server@{z}", "servers * hours", "hosting")
        bill.add(f"dc.vcpu@{z}", "vcpus * hours", "hosting")
        bill.add(f"dc.storage@{z}", "storage * 1000 * storage_copies * period", "hosting")
        bill.add(f"electricity.data_centres@{z}",
                 "(servers * server_power + storage * storage_copies * storage_power) * hours * pue / 1000", "hosting")


HOSTING = Spec("hosting", "The Hosting this service runs on (optional).", kind="object", default=None,
               source="convention: none unless given")
HOSTING_SHARE = Spec("hosting_share", "Share of that hosting attributable to this service.", kind="share",
                     default=1.0, source="convention: the whole hosting unless shared")


def add_hosting_share(bill: BillBuilder, hosting: Any, stage: str) -> None:
    """Add ``hosting_share`` of every line of ``hosting``'s bill (its fixed costs, attributed to this service);
    each hosting line is a named value of the bill, noted with the hosting's own formula."""
    if hosting is None:
        return
    if not isinstance(hosting, Hosting):
        raise ParameterError(f"hosting must be a Hosting service, got {hosting!r}")
    for i, line in enumerate(hosting.bill_of_materials().lines):
        name = f"hosting.line{i + 1}"
        bill.bind(name, line.amount, FLOWS[line.flow].unit, f"hosting {hosting.name!r}: {line.flow} = {line.origin}")
        bill.add(line.flow, f"hosting_share * {name}", stage)
