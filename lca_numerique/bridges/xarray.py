"""``Results`` as an ``xarray.Dataset`` (optional extra ``xarray``: ``pip install lca_numerique[xarray]``).

Dimensions ``service``, ``tier``, ``criterion``, ``phase``. Variables:

``impact``
    the cube, in each criterion's unit (coordinate ``unit`` on ``criterion``), NaN where not covered;
``coverage``
    a CF flag variable (``flag_values`` 0, 1, 2; ``flag_meanings`` complete partial not_covered);
``lacking`` and ``found``
    boolean masks (some line behind the cell lacks a factor in that phase / has one). They compose with
    ``any()``: the coverage of any aggregate is ``complete`` where ``lacking.any(...)`` is False, ``not
    covered`` where it is True and ``found.any(...)`` is False, ``partial`` otherwise (the rule of
    :mod:`lca_numerique.results`), so grouping the cube with xarray reproduces ``Results.total()`` exactly.

Service coordinates ``kind``, ``campaign``, ``audience`` and ``audience_unit``; the provenance (library and
factor-set versions, content hash, licence) is in the dataset's attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..criteria import get_criterion
from ..results import AXES, COVERAGE_LABELS, Results

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr


def to_xarray(results: Results) -> xr.Dataset:
    """The results' cube, coverage flags and masks, labels, units and provenance as one Dataset."""
    try:
        import xarray as xr
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_xarray() needs xarray: pip install 'lca_numerique[xarray]'") from exc

    lacking, found = results.flags(AXES)
    codes = results.coverage_codes
    coords = {
        "service": list(results.services), "tier": list(results.tiers), "criterion": list(results.criteria),
        "phase": list(results.phases),
        "kind": ("service", list(results.kinds)), "campaign": ("service", list(results.campaigns)),
        "audience": ("service", np.asarray(results.audience, dtype=float)),
        "audience_unit": ("service", list(results.audience_units)),
        "unit": ("criterion", [get_criterion(c).unit for c in results.criteria]),
    }
    flag_values = list(range(3))
    return xr.Dataset(
        {
            "impact": (AXES, np.array(results.values), {"long_name": "impact, in the criterion's unit",
                                                        "units_by": "criterion (see the unit coordinate)"}),
            "coverage": (AXES, np.array(codes), {
                "flag_values": np.array(flag_values, dtype=np.int8),
                "flag_meanings": " ".join(COVERAGE_LABELS[v].replace(" ", "_") for v in flag_values)}),
            "lacking": (AXES, lacking, {"long_name": "some line lacks a factor in this phase"}),
            "found": (AXES, found, {"long_name": "some line has a factor in this phase"}),
        },
        coords=coords,
        attrs={**results.provenance, "coverage_rule": "see lca_numerique.results"},
    )


__all__ = ["to_xarray"]
