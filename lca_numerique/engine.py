"""The engine: bills of materials × factor set → results cube R[service, tier, criterion, phase].

Pure array algebra. Each flow belongs to one tier, so the cube is one matrix product per tier:
``R[:, t] = Q[:, flows of t] @ F[flows of t]`` (the loop runs over the four tiers, never over services or
flows). Coverage is computed the same way: a total is incomplete when some line with a non-zero quantity
uses a flow that lacks a factor for that criterion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .axes import TIER_IDS
from .bill import BillMatrix, BillOfMaterials
from .errors import IncompleteFactorsError
from .factors import FactorSet
from .flows import FLOWS
from .results import Results, provenance_of


def evaluate(bills: Sequence[BillOfMaterials] | BillMatrix, factors: FactorSet, *,
             require_complete: bool = False) -> Results:
    """Evaluate every service at once.

    ``bills`` is a sequence of :class:`BillOfMaterials` or a :class:`BillMatrix`. Values come out in each
    criterion's unit (kg CO2 eq, kg Sb eq, CTUe...) for the assessed period. With ``require_complete``,
    a line lacking a factor raises :class:`IncompleteFactorsError` instead of being marked incomplete.
    """
    matrix = bills if isinstance(bills, BillMatrix) else BillMatrix.stack(bills)
    criteria = factors.criteria
    f_values, covered = factors.aligned(matrix.flows, criteria)
    q = matrix.quantities
    used = q > 0
    n_services, n_criteria, n_phases = q.shape[0], len(criteria), f_values.shape[2]
    values = np.zeros((n_services, len(TIER_IDS), n_criteria, n_phases))
    missing = np.zeros((n_services, len(TIER_IDS), n_criteria), dtype=bool)
    found = np.zeros_like(missing)
    tier_of = np.array([TIER_IDS.index(FLOWS[f].tier) for f in matrix.flows])
    for t in range(len(TIER_IDS)):
        cols = np.flatnonzero(tier_of == t)
        if cols.size == 0:
            continue
        values[:, t] = (q[:, cols] @ f_values[cols].reshape(cols.size, -1)).reshape(n_services, n_criteria, n_phases)
        used_t = used[:, cols].astype(np.float32)
        missing[:, t] = used_t @ (~covered[cols]).astype(np.float32) > 0
        found[:, t] = used_t @ covered[cols].astype(np.float32) > 0
    if require_complete and missing.any():
        raise IncompleteFactorsError(_describe_missing(matrix, covered, criteria))
    return Results(
        services=matrix.services, kinds=matrix.kinds, criteria=criteria, values=values, missing=missing,
        found=found, audience=matrix.audience, audience_units=matrix.audience_units,
        provenance=provenance_of(factors),
    )


def _describe_missing(matrix: BillMatrix, covered: np.ndarray, criteria: Sequence[str], limit: int = 20) -> str:
    gaps = np.argwhere((matrix.quantities > 0)[:, :, None] & ~covered[None, :, :])
    shown = [f"{matrix.services[s]}: {matrix.flows[f]} has no {criteria[c]} factor" for s, f, c in gaps[:limit]]
    more = f"\n  ... and {len(gaps) - limit} more" if len(gaps) > limit else ""
    return f"{len(gaps)} line(s) lack a factor:\n  " + "\n  ".join(shown) + more
