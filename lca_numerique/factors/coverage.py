"""Coverage of a factor set, rendered for people: which phases of which flows have factors, per criterion.

``python -m lca_numerique.factors.coverage [PROFILE]`` prints the table that ``data/impact_factors/README.md``
documents; a test keeps the two equal, so a gap can neither appear nor vanish silently.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..axes import PHASE_IDS
from ..criteria import MISSION_CRITERIA, get_criterion
from ..flows import FLOWS
from .model import FactorSet

SYMBOLS = {"factor": "F", "included": "i", "gap": "g", "missing": "·", "n/a": "-"}
LEGEND = ("F: factor · i: included in another phase's row · g: gap declared by a source · "
          "·: no source (an undeclared gap) · -: a phase the flow does not have")


def coverage_markdown(factors: FactorSet, criteria: Sequence[str] = MISSION_CRITERIA) -> str:
    """A markdown table: one row per catalogue flow, one column per criterion, phases as four symbols
    (manufacturing, distribution, use, end of life)."""
    table = factors.coverage_by_phase(criteria, flows=list(FLOWS))
    codes = [get_criterion(c).code for c in criteria]
    lines = [f"| flow | {' | '.join(f'{c} (M D U E)' for c in codes)} |",
             "|---|" + "---|" * len(codes)]
    for flow, row in table.iterrows():
        cells = [" ".join(SYMBOLS[row[(get_criterion(c).id, p)]] for p in PHASE_IDS) for c in criteria]
        lines.append(f"| {flow} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the mission-criteria coverage table of a profile (default: ``default``)."""
    from .profiles import load_factors

    args = list(sys.argv[1:] if argv is None else argv)
    print(coverage_markdown(load_factors(args[0] if args else None)))


if __name__ == "__main__":  # pragma: no cover
    main()
