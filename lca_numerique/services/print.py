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

    def build(self, bill: BillBuilder) -> None:
        bill.bind("page_area", PAGE_AREAS[self.page_format], "m**2", f"ISO 216 {self.page_format}")
        bill.let("paper_mass", "copies * pages / 2 * page_area * grammage / 1000", "kg")
        bill.add("paper", "paper_mass", "paper")
        bill.add("printing", "paper_mass", "printing")
        bill.add("freight.road", "paper_mass / 1000 * delivery_distance", "distribution")
        bill.add("paper.end_of_life", "paper_mass", "end_of_life")
