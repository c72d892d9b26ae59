"""A small bundled example: three services of an imaginary city's communication department, as bills.

Every number here is ILLUSTRATIVE (chosen to be plausible, not measured) and is not any city's result.
Each bill says how its quantities were built so a reader can check the arithmetic.
"""

from __future__ import annotations

from .bill import Audience, BillOfMaterials, Line


def example_bills() -> list[BillOfMaterials]:
    """Three illustrative services over one year, each with its audience."""
    visits = 120_000  # illustrative: visits per year of a mid-size city website
    views = 8_000  # illustrative: views of a 3-minute video
    return [
        BillOfMaterials(
            "city website", Audience(visits, "visit"),
            (
                # 3 min per visit on a 60 % smartphone / 40 % laptop mix; 2.5 MB per visit
                Line("device.smartphone@FR", visits * 0.6 * 3 / 60, "120000 visits x 60 % x 3 min"),
                Line("device.laptop@FR", visits * 0.4 * 3 / 60, "120000 visits x 40 % x 3 min"),
                Line("network.mobile@FR", visits * 0.6 * 2.5e-3, "120000 visits x 60 % x 2.5 MB"),
                Line("network.fixed@FR", visits * 0.4 * 2.5e-3, "120000 visits x 40 % x 2.5 MB"),
                Line("dc.server@FR", 2 * 8760, "2 servers all year"),
            ),
            kind="website",
        ),
        BillOfMaterials(
            "event video (HD, 3 min)", Audience(views, "view"),
            (
                # HD at 3 GB/h (ADEME Impact CO2 bitrate): 3 min = 0.15 GB per view
                Line("device.smartphone@FR", views * 0.7 * 3 / 60, "8000 views x 70 % x 3 min"),
                Line("device.laptop@FR", views * 0.3 * 3 / 60, "8000 views x 30 % x 3 min"),
                Line("network.mobile@FR", views * 0.7 * 0.15, "8000 views x 70 % x 0.15 GB"),
                Line("network.fixed@FR", views * 0.3 * 0.15, "8000 views x 30 % x 0.15 GB"),
            ),
            kind="video",
        ),
        BillOfMaterials(
            "monthly newsletter", Audience(12 * 15_000, "recipient"),
            (
                # 12 issues x 15000 recipients, 30 s of reading, 300 kB each
                Line("device.smartphone@FR", 12 * 15_000 * 0.5 / 60, "180000 e-mails x 30 s"),
                Line("network.fixed@FR", 12 * 15_000 * 0.3e-3, "180000 e-mails x 300 kB"),
            ),
            kind="newsletter",
        ),
    ]

