"""Print, for digital-versus-print questions: copies of a document on paper, printed and delivered."""

from __future__ import annotations

from .base import BillBuilder, Service
from .parameters import Spec

#: Area of one page (m²) by ISO 216 format.
PAGE_AREAS: dict[str, float] = {"A3": 0.297 * 0.420, "A4": 0.210 * 0.297, "A5": 0.148 * 0.210, "A6": 0.105 * 0.148}


class Print(Service):
    """Printed copies (a magazine, a leaflet). Audience: readers (copies × readers per copy)."""

    kind = "print"
    audience_unit = "reader"
    parameters = (
        Spec("copies", "Copies printed over the period (all issues).", unit="copy"),
        Spec("pages", "Printed pages per copy (a sheet printed on both sides has 2 pages).", unit="dimensionless",
             minimum=1.0),
        Spec("page_format", "Page format.", kind="choice", choices=tuple(PAGE_AREAS), default="A4",
             source="convention: A4 (ISO 216)"),
        Spec("grammage", "Paper grammage.", unit="g / m**2", default=80.0,
             source="ADEME Base Carbone element 24295 (the open paper factor used): 80 g/m² paper"),
        Spec("readers_per_copy", "Readers per copy.", unit="dimensionless", default=1.0, minimum=0.0,
             source="convention: one reader per copy unless known"),
        Spec("delivery_distance", "Road distance from the printer to the readers.", unit="km", default=0.0,
             source="convention: not counted unless given"),
    )

    def audience_amount(self) -> float:
        return self.copies * self.readers_per_copy

    @property
    def paper_mass(self) -> float:
        """kg of paper: copies × pages / 2 sides × page area × grammage."""
        return self.copies * self.pages / 2 * PAGE_AREAS[self.page_format] * self.grammage / 1000

    def build(self, bill: BillBuilder) -> None:
        mass = "copies × pages / 2 × area[page_format] × grammage"
        bill.add("paper", self.paper_mass, mass)
        bill.add("printing", self.paper_mass, mass)
        bill.add("freight.road", self.paper_mass / 1000 * self.delivery_distance, f"{mass} × delivery_distance")
