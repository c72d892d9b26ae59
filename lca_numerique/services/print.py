"""Print, for digital-versus-print questions: copies of a document on paper, printed and delivered.

The printer uses more paper than the copies delivered (make-ready and running waste): that paper is made and
printed too; its end of life is the printer's recycling, which carries no burden under the cut-off rule.
"""

from __future__ import annotations

from .base import BillBuilder, Service
from .parameters import Spec

__all__ = ["PAGE_AREAS", "Print"]

#: Area of one page (m²) by ISO 216 format.
PAGE_AREAS: dict[str, float] = {"A3": 0.297 * 0.420, "A4": 0.210 * 0.297, "A5": 0.148 * 0.210, "A6": 0.105 * 0.148}


class Print(Service):
    """Printed copies (a magazine, a leaflet). Audience: readers (copies × readers per copy)."""

    kind = "print"
    audience_unit = "reader"
    vectorised = True
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
        Spec("spoilage", "Paper printed and discarded at the printer (make-ready and running waste) per kg of "
             "copies delivered.", kind="share", default=0.05, uncertainty="triangular low=0.026 high=0.15",
             source="American Printer, 'Winning the paper waste battle' (2000-04-01): a web printer (Arandell) "
                    "throws away about 5 truckloads of paper for every 100 delivered; Heidelberg Web Systems: "
                    "make-ready waste 8-9 % of press output plus 5-6 % running waste on North American web presses; "
                    "American Printer (1996-01-01): sheet-fed running waste 2.6-3.7 %, hence the range"),
        Spec("delivery_distance", "Road distance from the printer to the readers.", unit="km", default=0.0,
             source="convention: not counted unless given"),
        Spec("postal_share", "Share of the copies delivered by post (addressed mail).", kind="share", default=0.0,
             source="convention: distributed by hand or collected unless given"),
    )

    def audience_amount(self) -> float:
        return self.copies * self.readers_per_copy

    def build(self, bill: BillBuilder) -> None:
        bill.bind("page_area", PAGE_AREAS[self.page_format], "m**2", f"ISO 216 {self.page_format}")
        bill.let("paper_mass", "copies * pages / 2 * page_area * grammage / 1000", "kg")
        bill.let("printed_mass", "paper_mass * (1 + spoilage)", "kg")
        bill.add("paper", "printed_mass", "paper")
        bill.add("printing", "printed_mass", "printing")
        bill.add("freight.road", "paper_mass / 1000 * delivery_distance", "distribution")
        bill.add("post.delivery", "copies * postal_share", "distribution")
        bill.add("paper.end_of_life", "paper_mass", "end_of_life")
