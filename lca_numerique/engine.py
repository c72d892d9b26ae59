"""The engine: bills of materials × factor set → results R[service, tier, criterion, phase].

The engine aligns the factors on the bills' flows (cached on the immutable factor set) and hands the bill
matrix and the aligned arrays to :class:`~lca_numerique.results.Results`, which computes the products Q @ F
and the coverage flags for the view asked for (summing phases or services before multiplying when the view
does not keep them; see :mod:`lca_numerique.results` for the coverage rule). So an evaluation costs a few
dictionary look-ups, and a 100,000-service evaluation holds Q and F, not a 4-D cube, until the cube is asked
for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .axes import TIER_IDS
from .bill import BillMatrix, BillOfMaterials
from .errors import IncompleteFactorsError
from .factors import FactorSet
from .flows import FLOWS
from .results import Results, provenance_of

__all__ = ["evaluate"]


def evaluate(bills: Sequence[BillOfMaterials] | BillMatrix, factors: FactorSet, *,
             require_complete: bool = False) -> Results:
    """Evaluate every service at once.

    Parameters
    ----------
    bills
        A sequence of :class:`BillOfMaterials` or a :class:`BillMatrix`: quantities of catalogue flows in
        each flow's canonical unit (device_hour, GB, GB_stored * year...) over the assessed period.
    factors
        The factor set, e.g. :func:`lca_numerique.load_factors`: impacts per unit of each flow.
    require_complete
        Raise :class:`IncompleteFactorsError` when a line lacks a factor in some phase, instead of marking
        its totals partial or not covered (NaN).

    Returns
    -------
    Results
        Impacts in each criterion's unit (kg CO2 eq, kg Sb eq, CTUe...) for the assessed period, by service,
        tier, criterion and phase, with coverage and provenance.
    """
    matrix = bills if isinstance(bills, BillMatrix) else BillMatrix.stack(bills)
    criteria = factors.criteria
    f_values, has, lacks = factors.aligned_phases(matrix.flows, criteria)
    results = Results(
        services=matrix.services, kinds=matrix.kinds, campaigns=matrix.campaigns, criteria=criteria, flows=matrix.flows,
        _quantities=matrix.quantities, _factor_values=f_values, _tier_of=_tiers(matrix.flows), _has=has,
        _lacks=lacks, audience=matrix.audience, audience_units=matrix.audience_units,
        provenance=provenance_of(factors), factor_set=factors, _stages=matrix.stages,
    )
    if require_complete and not results.is_complete:
        raise IncompleteFactorsError(_describe_missing(matrix, ~lacks.any(axis=2), criteria))
    return results


@functools.lru_cache(maxsize=64)
def _tiers(flows: tuple[str, ...]) -> np.ndarray:
    """Each flow's tier as an index into TIER_IDS (cached: bill matrices of one model share their flows)."""
    tier_of = np.array([TIER_IDS.index(FLOWS[f].tier) for f in flows], dtype=np.intp)
    tier_of.flags.writeable = False
    return tier_of


def _describe_missing(matrix: BillMatrix, complete: np.ndarray, criteria: Sequence[str], limit: int = 20) -> str:
    gaps = np.argwhere((matrix.quantities > 0)[:, :, None] & ~complete[None, :, :])
    shown = [f"{matrix.services[s]}: {matrix.flows[f]} has no complete {criteria[c]} factor"
             for s, f, c in gaps[:limit]]
    more = f"\n  ... and {len(gaps) - limit} more" if len(gaps) > limit else ""
    return f"{len(gaps)} line(s) lack a factor:\n  " + "\n  ".join(shown) + more
