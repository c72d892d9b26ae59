"""The ``lca-numerique`` command.

``demo`` assesses the bundled example and writes a report folder; ``factors`` lists the bundled factor
sets and their coverage. Errors go to stderr without a traceback (``--debug`` shows it); exit codes:
0 success, 1 incomplete results with ``--strict``, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._version import __version__
from .errors import LcaError

EXIT_OK, EXIT_INCOMPLETE, EXIT_BAD_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lca-numerique`` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except (LcaError, OSError) as exc:
        if args.debug:
            raise
        print(f"lca-numerique: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lca-numerique", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"lca_numerique {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="assess the bundled example and write a report folder")
    demo.add_argument("--out", type=Path, default=Path("lca-numerique-report"), help="report folder")
    demo.add_argument("--profile", default=None, help="factor set id or folder (default: impactco2)")
    demo.add_argument("--strict", action="store_true", help="exit with 1 when some result is incomplete")
    demo.set_defaults(run=_demo)
    factors = sub.add_parser("factors", help="list the bundled factor sets and their coverage")
    factors.add_argument("name", nargs="?", help="show the coverage of this set")
    factors.set_defaults(run=_factors)
    return parser


def _demo(args: argparse.Namespace) -> int:
    import pandas as pd

    from .engine import evaluate
    from .examples import example_bills
    from .factors import load_factors

    factors = load_factors(args.profile)
    results = evaluate(example_bills(), factors)
    args.out.mkdir(parents=True, exist_ok=True)
    results.to_dataframe().to_csv(args.out / "results.csv", index=False)
    per_audience = results.per_audience()
    per_audience.to_csv(args.out / "per_audience.csv", index=False)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(f"Example (illustrative numbers, not any city's results) — factors: {factors.label}\n")
        print("Impact per unit of audience:")
        print(per_audience[["service", "criterion", "value", "unit", "per", "coverage"]].to_string(index=False))
    print(f"\nReport written to {args.out}/ (results.csv, per_audience.csv)")
    if not results.is_complete:
        print("Some totals are partial or not covered: the factor set lacks factors for some lines "
              "(see the 'coverage' column). They are never counted as zero.")
    return EXIT_INCOMPLETE if args.strict and not results.is_complete else EXIT_OK


def _factors(args: argparse.Namespace) -> int:
    from .factors import available_factor_sets, available_profiles, load_factor_set, load_factors

    if args.name is None:
        print("Profiles (lca.load_factors(name)):")
        for name in available_profiles():
            fs = load_factors(name)
            print(f"  {name:16s} {fs.title}\n  {'':16s} {fs!r}")
        print("Factor sets (one source each):")
        for name in available_factor_sets():
            fs = load_factor_set(name)
            print(f"  {name:24s} {fs.licence:12.12s} {fs.title}")
        return EXIT_OK
    coverage = load_factors(args.name).coverage()
    print(coverage.pivot(index="flow", columns="criterion", values="status").to_string())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
