"""The OneByte model (The Shift Project, 2018), exactly as CO2.js computes it.

Reference: npm ``@tgwf/co2`` 0.19.0 (CO2.js, The Green Web Foundation, Apache-2.0), file ``src/1byte.js``.
Energy per byte in data centres and networks only (no user device), times a fixed grid intensity. CO2.js
offers it per byte only (no per-visit caching, no rating, no user grid intensity).
"""

from __future__ import annotations

import math

__all__ = [
    "CO2_PER_KWH_IN_DC_GREEN",
    "CO2_PER_KWH_IN_DC_GREY",
    "CO2_PER_KWH_NETWORK_GREY",
    "FIXED_NETWORK_WIFI",
    "FIXED_NETWORK_WIRED",
    "FOUR_G_MOBILE",
    "KWH_PER_BYTE_FOR_NETWORK",
    "KWH_PER_BYTE_IN_DC",
    "onebyte_per_byte",
]

# src/1byte.js: CO2_PER_KWH_IN_DC_GREY, CO2_PER_KWH_NETWORK_GREY, CO2_PER_KWH_IN_DC_GREEN (g CO2 eq/kWh).
CO2_PER_KWH_IN_DC_GREY = 519
CO2_PER_KWH_NETWORK_GREY = 475
CO2_PER_KWH_IN_DC_GREEN = 0
# src/1byte.js: KWH_PER_BYTE_IN_DC (kWh per byte).
KWH_PER_BYTE_IN_DC = 72e-12
# src/1byte.js: FIXED_NETWORK_WIRED, FIXED_NETWORK_WIFI, FOUR_G_MOBILE (kWh per byte), averaged with equal weights
# into KWH_PER_BYTE_FOR_NETWORK.
FIXED_NETWORK_WIRED = 429e-12
FIXED_NETWORK_WIFI = 152e-12
FOUR_G_MOBILE = 884e-12
KWH_PER_BYTE_FOR_NETWORK = (FIXED_NETWORK_WIRED + FIXED_NETWORK_WIFI + FOUR_G_MOBILE) / 3


def onebyte_per_byte(transferred_bytes: float, *, green: bool = False) -> float:
    """g CO2 eq of transferring ``transferred_bytes`` bytes under OneByte (CO2.js ``perByte``, model 1byte).

    Grey hosting: (data centre + network) kWh × 519 g/kWh. Green hosting: data centre at 0 g/kWh, network at
    475 g/kWh. Less than one byte counts as zero.
    """
    if not math.isfinite(transferred_bytes) or transferred_bytes < 0:
        raise ValueError(f"bytes transferred must be a finite number ≥ 0, got {transferred_bytes!r}")
    if transferred_bytes < 1:
        return 0.0
    if green:
        return (transferred_bytes * KWH_PER_BYTE_IN_DC * CO2_PER_KWH_IN_DC_GREEN
                + transferred_bytes * KWH_PER_BYTE_FOR_NETWORK * CO2_PER_KWH_NETWORK_GREY)
    return transferred_bytes * (KWH_PER_BYTE_IN_DC + KWH_PER_BYTE_FOR_NETWORK) * CO2_PER_KWH_IN_DC_GREY
