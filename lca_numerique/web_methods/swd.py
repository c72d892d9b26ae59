"""Sustainable Web Design model, versions 3 and 4, exactly as CO2.js computes them.

Reference: npm ``@tgwf/co2`` 0.19.0 (CO2.js, The Green Web Foundation, Apache-2.0), files
``src/sustainable-web-design-v3.js``, ``src/sustainable-web-design-v4.js``, ``src/constants/index.js``,
``src/constants/file-size.js``, ``src/helpers/index.js`` and ``data/output/average-intensities.js``
(published as ``dist/esm/...``). Every operation is done in CO2.js's order, so that results agree to the bit.

Both versions turn bytes transferred into energy (kWh per GB, split by segment: data centres, networks, user
devices, and in v3 content production) and energy into grams of CO2 eq with a grid intensity (g CO2 eq per
kWh). "Per visit" applies browser caching: a share of first visits loads the whole page, a share of return
visits reloads only ``data_reload_ratio`` of it. Grid intensities given per segment replace the global one for
the segments CO2.js lets users set: device, network and data centre (v3: not production; v4: operational
emissions only, embodied emissions always use the global intensity).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable

__all__ = [
    "GIGABYTE",
    "V3_DATA_CENTRE_SHARE",
    "V3_DATA_RELOAD_RATIO",
    "V3_DEVICE_SHARE",
    "V3_FIRST_VISIT_SHARE",
    "V3_GLOBAL_GRID_INTENSITY",
    "V3_KWH_PER_GB",
    "V3_NETWORK_SHARE",
    "V3_PRODUCTION_SHARE",
    "V3_RATINGS",
    "V3_RENEWABLES_GRID_INTENSITY",
    "V3_RETURN_VISIT_SHARE",
    "V4_DATA_RELOAD_RATIO",
    "V4_EMBODIED_KWH_PER_GB_DATA_CENTRE",
    "V4_EMBODIED_KWH_PER_GB_DEVICE",
    "V4_EMBODIED_KWH_PER_GB_NETWORK",
    "V4_FIRST_VISIT_SHARE",
    "V4_GLOBAL_GRID_INTENSITY",
    "V4_OPERATIONAL_KWH_PER_GB_DATA_CENTRE",
    "V4_OPERATIONAL_KWH_PER_GB_DEVICE",
    "V4_OPERATIONAL_KWH_PER_GB_NETWORK",
    "V4_RATINGS",
    "V4_RETURN_VISIT_SHARE",
    "swd_v3_per_byte",
    "swd_v3_per_visit",
    "swd_v3_rating",
    "swd_v4_per_byte",
    "swd_v4_per_visit",
    "swd_v4_rating",
]

# src/constants/file-size.js: GIGABYTE = 1000 * 1000 * 1000 (bytes).
GIGABYTE = 1e3 * 1e3 * 1e3

# --- Version 3 ---
# src/constants/index.js: KWH_PER_GB = 0.81 (kWh per GB transferred, whole system).
V3_KWH_PER_GB = 0.81
# src/constants/index.js: END_USER_DEVICE_ENERGY, NETWORK_ENERGY, PRODUCTION_ENERGY, DATACENTER_ENERGY (shares).
V3_DEVICE_SHARE = 0.52
V3_NETWORK_SHARE = 0.14
V3_PRODUCTION_SHARE = 0.19
V3_DATA_CENTRE_SHARE = 0.15
# src/constants/index.js: GLOBAL_GRID_INTENSITY = averageIntensity.data["WORLD"], from
# data/output/average-intensities.js (Ember, world average) in CO2.js 0.19.0: 472.94 g CO2 eq/kWh.
V3_GLOBAL_GRID_INTENSITY = 472.94
# src/constants/index.js: RENEWABLES_GRID_INTENSITY = 50 (g CO2 eq/kWh), the data centre's when hosting is green.
V3_RENEWABLES_GRID_INTENSITY = 50
# src/constants/index.js: FIRST_TIME_VIEWING_PERCENTAGE, RETURNING_VISITOR_PERCENTAGE,
# PERCENTAGE_OF_DATA_LOADED_ON_SUBSEQUENT_LOAD: v3's per-visit defaults.
V3_FIRST_VISIT_SHARE = 0.75
V3_RETURN_VISIT_SHARE = 0.25
V3_DATA_RELOAD_RATIO = 0.02
# src/constants/index.js: SWDMV3_RATINGS (g CO2 eq; at or below the bound earns the rating), used by
# src/helpers/index.js outputRating().
V3_RATINGS: tuple[tuple[str, float], ...] = (
    ("A+", 0.095), ("A", 0.186), ("B", 0.341), ("C", 0.493), ("D", 0.656), ("E", 0.846),
)

# --- Version 4 ---
# src/constants/index.js: SWDV4.OPERATIONAL_KWH_PER_GB_* and SWDV4.EMBODIED_KWH_PER_GB_* (kWh per GB).
V4_OPERATIONAL_KWH_PER_GB_DATA_CENTRE = 0.055
V4_OPERATIONAL_KWH_PER_GB_NETWORK = 0.059
V4_OPERATIONAL_KWH_PER_GB_DEVICE = 0.08
V4_EMBODIED_KWH_PER_GB_DATA_CENTRE = 0.012
V4_EMBODIED_KWH_PER_GB_NETWORK = 0.013
V4_EMBODIED_KWH_PER_GB_DEVICE = 0.081
# src/constants/index.js: SWDV4.GLOBAL_GRID_INTENSITY = 494 (g CO2 eq/kWh).
V4_GLOBAL_GRID_INTENSITY = 494
# src/sustainable-web-design-v4.js perVisit() and src/helpers/index.js parseVisitTraceOptions(): v4's per-visit
# defaults are no caching (every visit a first visit).
V4_FIRST_VISIT_SHARE = 1.0
V4_RETURN_VISIT_SHARE = 0.0
V4_DATA_RELOAD_RATIO = 0.0
# src/constants/index.js: SWDMV4_RATINGS (g CO2 eq; at or below the bound earns the rating).
V4_RATINGS: tuple[tuple[str, float], ...] = (
    ("A+", 0.04), ("A", 0.079), ("B", 0.145), ("C", 0.209), ("D", 0.278), ("E", 0.359),
)


def _check_bytes(transferred_bytes: float) -> None:
    if not math.isfinite(transferred_bytes) or transferred_bytes < 0:
        raise ValueError(f"bytes transferred must be a finite number ≥ 0, got {transferred_bytes!r}")


def _check_share(name: str, value: float) -> None:
    # CO2.js warns and falls back to its default outside [0, 1]; here a wrong share is an error.
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")


def _intensity(value: float | None, default: float) -> float:
    return default if value is None else value


def _rating(grams: float, bounds: tuple[tuple[str, float], ...]) -> str:
    for rating, bound in bounds:
        if grams <= bound:
            return rating
    return "F"


def swd_v3_rating(grams: float) -> str:
    """Sustainable Web Design v3 rating, A+ to F, of an emission in g CO2 eq (CO2.js ``outputRating(co2e, 3)``)."""
    return _rating(grams, V3_RATINGS)


def swd_v4_rating(grams: float) -> str:
    """Sustainable Web Design v4 rating, A+ to F, of an emission in g CO2 eq (CO2.js ``outputRating(co2e, 4)``)."""
    return _rating(grams, V4_RATINGS)


def _v3_segments(transferred_bytes: float) -> tuple[float, float, float, float]:
    """kWh of device, network, production and data centre, in CO2.js's order (energyPerByteByComponent)."""
    energy = transferred_bytes / GIGABYTE * V3_KWH_PER_GB
    return (energy * V3_DEVICE_SHARE, energy * V3_NETWORK_SHARE, energy * V3_PRODUCTION_SHARE,
            energy * V3_DATA_CENTRE_SHARE)


def _v3_intensities(green: bool, device: float | None, network: float | None,
                    data_centre: float | None) -> tuple[float, float, float, float]:
    """g CO2 eq/kWh of device, network, production (always global) and data centre (50 when green)."""
    return (_intensity(device, V3_GLOBAL_GRID_INTENSITY), _intensity(network, V3_GLOBAL_GRID_INTENSITY),
            V3_GLOBAL_GRID_INTENSITY,
            V3_RENEWABLES_GRID_INTENSITY if green else _intensity(data_centre, V3_GLOBAL_GRID_INTENSITY))


def _left_sum(values: Iterable[float]) -> float:
    """Sum from left to right, as JavaScript's ``reduce((a, b) => a + b)`` (``sum`` may compensate rounding)."""
    return functools.reduce(operator.add, values)


def swd_v3_per_byte(transferred_bytes: float, *, green: bool = False, device_intensity: float | None = None,
                    network_intensity: float | None = None, data_centre_intensity: float | None = None) -> float:
    """g CO2 eq of transferring ``transferred_bytes`` bytes under SWD v3 (CO2.js ``perByte``, model swd v3).

    ``green`` hosting sets the data centre's grid intensity to 50 g/kWh. Intensities are in g CO2 eq/kWh and
    default to the world average (472.94); less than one byte counts as zero.
    """
    _check_bytes(transferred_bytes)
    energies = _v3_segments(0 if transferred_bytes < 1 else transferred_bytes)
    intensities = _v3_intensities(green, device_intensity, network_intensity, data_centre_intensity)
    return _left_sum(energy * intensity for energy, intensity in zip(energies, intensities, strict=True))


def swd_v3_per_visit(page_bytes: float, *, green: bool = False, first_visit_share: float = V3_FIRST_VISIT_SHARE,
                     return_visit_share: float = V3_RETURN_VISIT_SHARE, data_reload_ratio: float = V3_DATA_RELOAD_RATIO,
                     device_intensity: float | None = None, network_intensity: float | None = None,
                     data_centre_intensity: float | None = None) -> float:
    """g CO2 eq of one visit to a page of ``page_bytes`` bytes under SWD v3 (CO2.js ``perVisit``, model swd v3).

    A share ``first_visit_share`` of visits loads the whole page, a share ``return_visit_share`` reloads
    ``data_reload_ratio`` of it (defaults 0.75, 0.25, 0.02). Intensities in g CO2 eq/kWh, as in
    :func:`swd_v3_per_byte`. As in CO2.js, a page of less than one byte is not rounded down to zero here.
    """
    _check_bytes(page_bytes)
    _check_visit_shares(first_visit_share, return_visit_share, data_reload_ratio)
    intensities = _v3_intensities(green, device_intensity, network_intensity, data_centre_intensity)
    return _left_sum(
        term
        for energy, intensity in zip(_v3_segments(page_bytes), intensities, strict=True)
        for term in (energy * first_visit_share * intensity,
                     energy * return_visit_share * data_reload_ratio * intensity)
    )


def _check_visit_shares(first_visit_share: float, return_visit_share: float, data_reload_ratio: float) -> None:
    for name, share in (("first_visit_share", first_visit_share), ("return_visit_share", return_visit_share),
                        ("data_reload_ratio", data_reload_ratio)):
        _check_share(name, share)


def _v4_emissions(transferred_bytes: float, device: float | None, network: float | None,
                  data_centre: float | None) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """g CO2 eq (operational, embodied) of (data centre, network, device), as CO2.js v4 computes them."""
    gigabytes = transferred_bytes / GIGABYTE
    operational = (
        gigabytes * V4_OPERATIONAL_KWH_PER_GB_DATA_CENTRE * _intensity(data_centre, V4_GLOBAL_GRID_INTENSITY),
        gigabytes * V4_OPERATIONAL_KWH_PER_GB_NETWORK * _intensity(network, V4_GLOBAL_GRID_INTENSITY),
        gigabytes * V4_OPERATIONAL_KWH_PER_GB_DEVICE * _intensity(device, V4_GLOBAL_GRID_INTENSITY),
    )
    embodied = (
        gigabytes * V4_EMBODIED_KWH_PER_GB_DATA_CENTRE * V4_GLOBAL_GRID_INTENSITY,
        gigabytes * V4_EMBODIED_KWH_PER_GB_NETWORK * V4_GLOBAL_GRID_INTENSITY,
        gigabytes * V4_EMBODIED_KWH_PER_GB_DEVICE * V4_GLOBAL_GRID_INTENSITY,
    )
    return operational, embodied


def _v4_green_factor(green: bool, green_hosting_factor: float) -> float:
    _check_share("green_hosting_factor", green_hosting_factor)
    return 1.0 if green else green_hosting_factor


def swd_v4_per_byte(transferred_bytes: float, *, green: bool = False, green_hosting_factor: float = 0.0,
                    device_intensity: float | None = None, network_intensity: float | None = None,
                    data_centre_intensity: float | None = None) -> float:
    """g CO2 eq of transferring ``transferred_bytes`` bytes under SWD v4 (CO2.js ``perByte``, model swd v4).

    ``green_hosting_factor`` (0–1) is the share of the data centre's operational energy that is green (zero
    emissions); ``green`` means 1. Intensities are in g CO2 eq/kWh for operational energy and default to 494;
    embodied energy always uses 494. Less than one byte counts as zero. 1 GB, defaults: 148.2 g.
    """
    _check_bytes(transferred_bytes)
    factor = _v4_green_factor(green, green_hosting_factor)
    if transferred_bytes < 1:
        return 0.0
    (op_dc, op_network, op_device), (emb_dc, emb_network, emb_device) = _v4_emissions(
        transferred_bytes, device_intensity, network_intensity, data_centre_intensity)
    return op_dc * (1 - factor) + emb_dc + (op_network + emb_network) + (op_device + emb_device)


def swd_v4_per_visit(page_bytes: float, *, green: bool = False, green_hosting_factor: float = 0.0,
                     first_visit_share: float = V4_FIRST_VISIT_SHARE, return_visit_share: float = V4_RETURN_VISIT_SHARE,
                     data_reload_ratio: float = V4_DATA_RELOAD_RATIO, device_intensity: float | None = None,
                     network_intensity: float | None = None, data_centre_intensity: float | None = None) -> float:
    """g CO2 eq of one visit to a page of ``page_bytes`` bytes under SWD v4 (CO2.js ``perVisit``, model swd v4).

    Caching as in :func:`swd_v3_per_visit`, but v4's defaults are no caching (1, 0, 0); green hosting and
    intensities (g CO2 eq/kWh) as in :func:`swd_v4_per_byte`. Less than one byte counts as zero.
    """
    _check_bytes(page_bytes)
    factor = _v4_green_factor(green, green_hosting_factor)
    _check_visit_shares(first_visit_share, return_visit_share, data_reload_ratio)
    if page_bytes < 1:
        return 0.0
    (op_dc, op_network, op_device), (emb_dc, emb_network, emb_device) = _v4_emissions(
        page_bytes, device_intensity, network_intensity, data_centre_intensity)
    # Here CO2.js adds the six terms one after the other, not segment by segment as in perByte.
    first_visit = op_dc * (1 - factor) + emb_dc + op_network + emb_network + op_device + emb_device
    return first_visit * first_visit_share + first_visit * data_reload_ratio * return_visit_share
