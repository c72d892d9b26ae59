"""Coverage of a factor set, rendered for people: which phases of which flows have factors, per criterion.

``python -m lca_numerique.factors.coverage [PROFILE]`` prints the table that ``data/impact_factors/README.md``
documents (``--write`` puts it there, between its coverage markers); a test keeps the two equal, so a gap can
neither appear nor vanish silently.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from ..axes import PHASE_IDS
from ..criteria import MISSION_CRITERIA, get_criterion
from ..flows import BUNDLED_FLOWS
from .model import FactorSet

__all__ = ["LEGEND", "MARKERS", "SYMBOLS", "coverage_markdown", "main", "write_into"]

SYMBOLS = {"factor": "F", "included": "i", "gap": "g", "missing": "·", "n/a": "-"}
LEGEND = ("F: factor · i: included in another phase's row · g: gap declared by a source · "
          "·: no source (an undeclared gap) · -: a phase the flow does not have")


def coverage_markdown(factors: FactorSet, criteria: Sequence[str] = MISSION_CRITERIA) -> str:
    """A markdown table: one row per catalogue flow, one column per criterion, phases as four symbols
    (manufacturing, distribution, use, end of life)."""
    table = factors.coverage_by_phase(criteria, flows=list(BUNDLED_FLOWS))
    codes = [get_criterion(c).code for c in criteria]
    lines = [f"| flow | {' | '.join(f'{c} (M D U E)' for c in codes)} |",
             "|---|" + "---|" * len(codes)]
    for flow, row in table.iterrows():
        cells = [" ".join(SYMBOLS[row[(get_criterion(c).id, p)]] for p in PHASE_IDS) for c in criteria]
        lines.append(f"| {flow} | {' | '.join(cells)} |")
    return "\n".join(lines)


MARKERS = ("<!-- coverage:start -->\n", "\n<!-- coverage:end -->")


def write_into(readme: Path, table: str) -> None:
    """Replace the text between the coverage markers of ``readme`` with ``table``."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(MARKERS[0]) + ".*?" + re.escape(MARKERS[1]), flags=re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme}: no coverage markers {MARKERS[0].strip()} ... {MARKERS[1].strip()}")
    readme.write_text(pattern.sub(lambda _: MARKERS[0] + table + MARKERS[1], text, count=1), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the mission-criteria coverage table of a profile (default: ``default``); with ``--write``, put it
    into the data README instead."""
    from .loader import data_root
    from .profiles import load_factors

    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write" in args
    names = [a for a in args if a != "--write"]
    table = coverage_markdown(load_factors(names[0] if names else None))
    if write:
        write_into(data_root() / "README.md", table)
    else:
        print(table)


if __name__ == "__main__":  # pragma: no cover
    main()
