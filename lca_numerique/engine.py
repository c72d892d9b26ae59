"""The engine: bills of materials × factor set → results R[service, tier, criterion, phase].

The engine aligns the factors on the bills' flows and computes coverage (a total is incomplete when some
line with a non-zero quantity uses a flow lacking a factor for that criterion), as array algebra: one
matrix product against a tier-block matrix (see :mod:`lca_numerique.algebra`), never a loop over services or flows. The
products Q @ F themselves are computed by :class:`~lca_numerique.results.Results` for the view asked for
(summing phases or services before multiplying when the view does not keep them), so a 100,000-service
evaluation holds Q and F, not a 4-D cube, until the cube is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .algebra import contract_by_group
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
    f_values, covered, complete = factors.aligned(matrix.flows, criteria)
    tier_of = np.array([TIER_IDS.index(FLOWS[f].tier) for f in matrix.flows], dtype=np.intp)
    # Count the used lines of each tier that lack a complete factor / have some factor: one product
    # [service, tier, lack|have, pattern]. Criteria often share a coverage pattern (a source covers several
    # at once), so only distinct patterns are counted.
    flags = np.stack([~complete, covered], axis=1)  # [flow, lack|have, criterion]
    patterns, criterion_pattern = np.unique(flags.reshape(len(matrix.flows) * 2, -1), axis=1, return_inverse=True)
    used = (matrix.quantities > 0).astype(np.float32)
    lack_have = patterns.reshape(len(matrix.flows), 2, -1).astype(np.float32)
    counts = contract_by_group(used, lack_have, tier_of, len(TIER_IDS))[..., criterion_pattern.ravel()]
    missing, found = counts[:, :, 0] > 0, counts[:, :, 1] > 0
    if require_complete and missing.any():
        raise IncompleteFactorsError(_describe_missing(matrix, complete, criteria))
    return Results(
        services=matrix.services, kinds=matrix.kinds, campaigns=matrix.campaigns, criteria=criteria, flows=matrix.flows,
        quantities=matrix.quantities, factor_values=f_values, tier_of=tier_of, missing=missing, found=found,
        audience=matrix.audience, audience_units=matrix.audience_units, provenance=provenance_of(factors),
        selection={(f, c): factors.selection[(f, c)] for f in matrix.flows for c in criteria
                   if (f, c) in factors.selection},
        stages=matrix.stages, column_flags=flags,
    )


def _describe_missing(matrix: BillMatrix, complete: np.ndarray, criteria: Sequence[str], limit: int = 20) -> str:
    gaps = np.argwhere((matrix.quantities > 0)[:, :, None] & ~complete[None, :, :])
    shown = [f"{matrix.services[s]}: {matrix.flows[f]} has no complete {criteria[c]} factor"
             for s, f, c in gaps[:limit]]
    more = f"\n  ... and {len(gaps) - limit} more" if len(gaps) > limit else ""
    return f"{len(gaps)} line(s) lack a factor:\n  " + "\n  ".join(shown) + more
