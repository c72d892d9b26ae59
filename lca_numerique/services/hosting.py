"""Hosting: servers, virtual CPUs and storage in a data centre over a period; services may take a share of it."""

from __future__ import annotations

from typing import Any

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
        hours = self.period * 365 * 24
        bill.add(f"dc.server@{z}", self.servers * hours, "servers × period")
        bill.add(f"dc.vcpu@{z}", self.vcpus * hours, "vcpus × period")
        bill.add(f"dc.storage@{z}", self.storage * 1000 * self.storage_copies * self.period,
                 "storage × storage_copies × period")
        watts = self.servers * self.server_power + self.storage * self.storage_copies * self.storage_power
        bill.add(f"electricity.data_centres@{z}", watts * hours * self.pue / 1000,
                 "(servers × server_power + storage × storage_copies × storage_power) × period × pue")


HOSTING = Spec("hosting", "The Hosting this service runs on (optional).", kind="object", default=None,
               source="convention: none unless given")
HOSTING_SHARE = Spec("hosting_share", "Share of that hosting attributable to this service.", kind="share",
                     default=1.0, source="convention: the whole hosting unless shared")


def add_hosting_share(bill: BillBuilder, hosting: Any, share: float) -> None:
    """Add ``share`` of every line of ``hosting``'s bill (its fixed costs, attributed to this service)."""
    if hosting is None:
        return
    if not isinstance(hosting, Hosting):
        raise ParameterError(f"hosting must be a Hosting service, got {hosting!r}")
    for line in hosting.bill_of_materials().lines:
        bill.add(line.flow, line.amount * share, f"hosting_share × hosting {hosting.name!r}: {line.origin}")
