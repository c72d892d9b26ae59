"""The ``lca-numerique`` command.

  demo       assess the bundled (illustrative) example and write a report folder
  assess     assess an inventory file and write the report (xlsx, csv, html, json)
  check      validate an inventory, or re-run a results file and report any difference
  factors    list the factor profiles and sets, or show one's coverage
  explain    show how one service's bill is built, line by line
  compare    compare a scenario file, or another inventory, with an inventory, criterion by criterion
  template   write the data-collection workbook a department sends to each service
  uncertainty  Monte Carlo and sensitivity of an inventory's results
  levers     apply scenarios (default: the bundled levers that fit) and rank what each changes
  reproduce  run a published case of the registry against its published figures (without a case: list them)

Exit codes:
  0  success
  1  differences found: check found a difference, reproduce a figure outside its tolerance, or --strict
     found incomplete totals
  2  bad input: a file, argument or option the library refuses (the message says where); also a report
     folder that exists without --force
  3  internal error: a bug in lca_numerique, not in your input; a short message names the file holding
     the traceback (--debug shows it instead)

Messages never show a traceback for any input, and control characters (terminal escape sequences) in names
are shown as "?".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ._version import __version__
from .errors import ArgumentError, LcaError, OutputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .factors import Factor
    from .inventory import Inventory
    from .montecarlo import MonteCarloResults

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DIFFERENCES",
    "EXIT_INCOMPLETE",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "MAX_SAMPLES",
    "example_path",
    "main",
    "printable",
]

EXIT_OK, EXIT_DIFFERENCES, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INCOMPLETE = EXIT_DIFFERENCES
#: Most Monte Carlo samples the command accepts (memory grows with samples x services x criteria).
MAX_SAMPLES = 100_000
# Terminal escape sequences (CSI, OSC, two-character ESC), then any other control or bidirectional-override
# character: a name in a file must not drive the terminal it is printed on.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep: str = "\n\t") -> str:
    """``text`` without terminal escape sequences; other control characters (but ``keep``) shown as ``?``."""
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else "?", text)


class _Printable(io.TextIOBase):
    """A text stream that writes only printable text to ``stream`` (``keep``: control characters let through)."""

    def __init__(self, stream: TextIO, keep: str) -> None:
        self.stream, self.keep = stream, keep

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep=self.keep))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()


def example_path() -> Path:
    """The bundled illustrative inventory."""
    return Path(str(resources.files("lca_numerique") / "examples" / "metropole.yaml"))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lca-numerique`` console script; returns the exit code (see the module docstring)."""
    with contextlib.redirect_stdout(_Printable(sys.stdout, "\n\t")), \
            contextlib.redirect_stderr(_Printable(sys.stderr, "\n\t\r")):  # \r: progress bars
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) or a malformed command line (2)
        return EXIT_OK if exc.code in (0, None) else EXIT_BAD_INPUT
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except (LcaError, OSError) as exc:  # the input, an argument or a path is refused: the message says where
        if args.debug:
            raise
        print(f"lca-numerique: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if args.debug:
            raise
        saved = _save_traceback()
        print(f"lca-numerique: internal error ({type(exc).__name__}: {_short(str(exc))}). This is a bug in "
              f"lca_numerique, not in your input; the traceback is saved in {saved}. Please report it with that "
              "file.", file=sys.stderr)
        return EXIT_INTERNAL


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _save_traceback() -> str:
    """Write the current exception's traceback to a new file in the temporary folder; return its path."""
    with tempfile.NamedTemporaryFile("w", prefix="lca-numerique-crash-", suffix=".txt", delete=False,
                                     encoding="utf-8") as stream:
        stream.write(f"lca_numerique {__version__}\n{' '.join(map(repr, sys.argv))}\n\n{traceback.format_exc()}")
    return stream.name


def _sample_count(text: str) -> int:
    """A Monte Carlo sample count: an integer from 1 to :data:`MAX_SAMPLES`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"{value} is outside 1..{MAX_SAMPLES}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lca-numerique", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--version", action="version", version=f"lca_numerique {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command")

    def lang_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("en", "fr"), default="en", help="language of the output")

    def report_options(p: argparse.ArgumentParser, out: str) -> None:
        p.add_argument("--out", type=Path, default=Path(out), help=f"report folder (default: {out})")
        p.add_argument("--force", action="store_true", help="replace an existing report folder")
        p.add_argument("--format", default="xlsx,csv,html,json", help="comma-separated: xlsx,csv,html,json")
        p.add_argument("--profile", default=None, help="factor profile or set (default: the inventory's; its "
                                                       "parameter overrides and licences still apply)")
        lang_option(p)
        p.add_argument("--strict", action="store_true", help="exit with 1 when some total is incomplete")

    demo = sub.add_parser("demo", help="assess the bundled example and write a report folder")
    report_options(demo, "lca-numerique-report")
    demo.set_defaults(run=_demo)
    assess = sub.add_parser("assess", help="assess an inventory file")
    assess.add_argument("inventory", type=Path)
    report_options(assess, "lca-numerique-report")
    assess.set_defaults(run=_assess)
    check = sub.add_parser("check", help="validate an inventory, or re-run a results file")
    check.add_argument("path", type=Path)
    check.add_argument("--allow-version-change", action="store_true",
                       help="compare a results file written by another library version (the output says so)")
    lang_option(check)
    check.set_defaults(run=_check)
    factors = sub.add_parser("factors", help="list factor profiles and sets, or show one's coverage")
    factors.add_argument("name", nargs="?", help="show the coverage of this profile or set")
    factors.set_defaults(run=_factors)
    explain = sub.add_parser("explain", help="show how one service's bill is built")
    explain.add_argument("inventory", type=Path)
    explain.add_argument("service")
    lang_option(explain)
    explain.set_defaults(run=_explain)
    compare = sub.add_parser("compare", help="compare B (a scenario file or another inventory) with inventory A")
    compare.add_argument("a", type=Path, help="the baseline inventory")
    compare.add_argument("b", type=Path, help="a scenario file (applied to A) or another inventory")
    compare.add_argument("--by", default="", help="comma-separated: service, kind, campaign, tier, phase "
                                                  "(default: the portfolio total)")
    compare.add_argument("--samples", type=int, default=0, help="Monte Carlo samples for the delta's interval")
    lang_option(compare)
    compare.set_defaults(run=_compare)
    template = sub.add_parser("template", help="write the data-collection workbook")
    template.add_argument("--out", type=Path, default=Path("lca-numerique-template.xlsx"),
                          help="an .xlsx file, or a folder for CSV files")
    lang_option(template)
    template.set_defaults(run=_template)
    uncertainty = sub.add_parser("uncertainty", help="Monte Carlo and sensitivity of an inventory's results")
    uncertainty.add_argument("inventory", type=Path)
    uncertainty.add_argument("--samples", type=_sample_count, default=1000, help=f"1 to {MAX_SAMPLES}")
    uncertainty.add_argument("--seed", type=int, default=0)
    uncertainty.add_argument("--out", type=Path, default=None, help="folder for the CSV and figures")
    uncertainty.add_argument("--force", action="store_true", help="replace an existing output folder")
    lang_option(uncertainty)
    uncertainty.set_defaults(run=_uncertainty)
    levers = sub.add_parser("levers", help="rank scenarios by what they remove from the portfolio")
    levers.add_argument("inventory", type=Path)
    levers.add_argument("scenarios", type=Path, nargs="*", help="scenario files (default: the bundled levers)")
    levers.add_argument("--out", type=Path, default=None, help="folder for the CSV and the levers figure")
    levers.add_argument("--force", action="store_true", help="replace an existing output folder")
    lang_option(levers)
    levers.set_defaults(run=_levers)
    reproduce = sub.add_parser("reproduce", help="run a published case against its figures; no case: list them")
    reproduce.add_argument("case", nargs="?", help="a case id of `lca-numerique reproduce`, or a case folder")
    reproduce.add_argument("--all", action="store_true", help="run every case of the registry")
    lang_option(reproduce)
    reproduce.set_defaults(run=_reproduce)
    return parser


def _assess_path(path: Path, args: argparse.Namespace, banner: str = "") -> int:

    from .inventory import load_inventory
    from .report import FactorChoice, write_report
    from .report.console import console_summary

    inventory = load_inventory(path)
    choice = FactorChoice.of(inventory, profile=args.profile)
    factors = choice.load()
    results = inventory.evaluate(factors)
    written = write_report(results, inventory, args.out, [f.strip() for f in args.format.split(",") if f.strip()],
                           lang=args.lang, force=args.force, choice=choice)
    if banner:
        print(banner)
    print(console_summary(results, inventory, factors.label, written, lang=args.lang))
    return EXIT_INCOMPLETE if args.strict and not results.is_complete else EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from .i18n import gettext_for

    return _assess_path(example_path(), args, banner=gettext_for(
        args.lang, "Demo on the bundled ILLUSTRATIVE inventory (made-up numbers, not any city's results)."))


def _assess(args: argparse.Namespace) -> int:
    return _assess_path(args.inventory, args)


def _check(args: argparse.Namespace) -> int:
    from .i18n import format_count, format_percent, quoted, translator
    from .inventory import load_inventory
    from .report import check_results_file, is_results_file

    _ = translator(args.lang).gettext
    if is_results_file(args.path):
        report = check_results_file(args.path, allow_version_change=args.allow_version_change)
        for note in report.notes:
            print(_("note: {note}").format(note=note))
        if report.ok:
            print(_("{path}: re-run matches every stored number").format(path=args.path))
            return EXIT_OK
        print(_("{path}: {n} difference(s) with a re-run:").format(path=args.path, n=len(report.differences)),
              file=sys.stderr)
        for difference in report.differences:
            print(f"  {difference}", file=sys.stderr)
        return EXIT_DIFFERENCES
    inventory = load_inventory(args.path)
    bills = inventory.portfolio.stacked_bills()
    print(_("{path}: valid — {n} services, {lines} bill lines").format(
        path=args.path, n=format_count(len(bills.matrix.services), args.lang),
        lines=format_count(bills.lines, args.lang)))
    for name, share in inventory.unattributed_hosting().items():
        print(_("warning: {share} of hosting {name} is attributed to no service").format(
            share=format_percent(share, args.lang), name=quoted(name, args.lang)))
    return EXIT_OK


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
            print(f"  {name:26s} {fs.licence[:40]:40s} {fs.title}")
        return EXIT_OK
    coverage = load_factors(args.name).coverage()
    print(coverage.pivot(index="flow", columns="criterion", values="status").to_string())
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from .inventory import load_inventory

    inventory = load_inventory(args.inventory)
    try:
        service = inventory.service(args.service)
    except KeyError as exc:
        raise ArgumentError("service", exc.args[0]) from None
    from .i18n import readable_table, translator

    _ = translator(args.lang).gettext
    print(service.explain(args.lang))
    if inventory.basis.get(service.name):
        print(_("  basis: {basis}").format(basis=inventory.basis[service.name]))
    factors = inventory.load_factors()
    results = inventory.evaluate(factors)
    print("\n" + _("Factors behind each line (climate change; `lca-numerique factors` for the others):"))
    for flow in dict.fromkeys(line.flow for line in service.bill_of_materials().lines):
        found = [f for (fl, c, _p), f in factors.factors.items() if fl == flow and c == "climate_change"]
        if not found:
            print("  " + _("{flow}: no climate-change factor (not covered)").format(flow=flow))
        for factor in found:
            print("  " + _factor_trace(factor, args.lang).replace("\n", "\n  "))
    table = results.total(("service", "tier")).query("service == @service.name")
    table = table[(table["value"] != 0) | (table["coverage"] != "complete")]  # tiers the service uses
    table = readable_table(table[["tier", "criterion", "value", "unit", "coverage"]], args.lang)
    print("\n" + table.to_string(index=False))
    return EXIT_OK


def _factor_trace(factor: Factor, lang: str) -> str:
    """:meth:`Factor.explain` for a reader of ``lang``: in French, the criterion and phase in words, numbers with
    a decimal comma, units and confidence in French; citations as published."""
    if lang == "en":
        return factor.explain()
    from .axes import PHASES
    from .criteria import get_criterion
    from .i18n import BillTrace, label, translator

    say, _ = BillTrace(lang), translator(lang)

    def value(number: float, unit: str) -> str:
        return " ".join(filter(None, (say.number(number), say.unit(unit))))

    p = factor.provenance
    phase = label(next(x for x in PHASES if x.id == factor.phase), lang)
    criterion = label(get_criterion(factor.criterion), lang)
    head = f"{factor.flow} / {criterion} / {phase} = {value(factor.value, factor.unit)}"
    if factor.credit:
        head += " " + _.gettext("(credit: avoided impact)")
    confidence = _.gettext("confidence {level}").format(level=_.pgettext("confidence", p.confidence))
    lines = [f"{head}  [{p.cite()}, {p.geography}, {p.licence} ; {p.set_id} ; {confidence}]"]
    if factor.formula:
        lines.append(f"  = {factor.formula.replace(' * ', ' × ')}")
        lines += [f"    {i.name} = {value(i.value, i.unit)}  [{i.provenance.cite()} ; {i.provenance.set_id}]"
                  for i in factor.inputs]
    return "\n".join(lines)


def _percent(frame: pd.DataFrame, column: str, lang: str) -> pd.DataFrame:
    """``frame`` with its ``column`` of shares written as percentages for a reader of ``lang`` (English tables
    keep the fraction, which tools parse); files written from the frame keep the number."""
    from .i18n import format_percent

    return frame if lang == "en" else frame.assign(**{column: frame[column].map(lambda v: format_percent(v, lang))})


def _compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from .i18n import factors_label, lever_name, quoted, readable_table, translator
    from .inventory import load_inventory
    from .inventory.model import read_located
    from .scenarios import compare, scenario_from_data

    a = load_inventory(args.a)
    located = read_located(args.b)
    is_scenario = isinstance(located.data, dict) and "scenario" in located.data
    b = scenario_from_data(located) if is_scenario else load_inventory(args.b)
    by = tuple(x.strip() for x in args.by.split(",") if x.strip())
    table = compare(a, [b], by=by, samples=args.samples)
    _ = translator(args.lang).gettext
    def named(label: str) -> str:  # "<set id> <version>" in the reader's words
        set_id, _sep, version = label.rpartition(" ")
        return factors_label({"factor_set": set_id, "factor_set_version": version}, args.lang)

    print(_("A: {path} — factors: {factors}").format(path=args.a, factors=named(a.load_factors().label)))
    what = _("scenario {name} applied to A").format(name=quoted(lever_name(b.name, args.lang), args.lang)) \
        if is_scenario else str(args.b)
    choice = _("A’s, with the scenario’s changes") if is_scenario else _("its own choice")
    print(_("B: {what} — factors: {factors} ({choice})").format(what=what, factors=named(table["factors"].iloc[0]),
                                                                choice=choice) + "\n")
    table = table.rename(columns={"baseline": "A", "scenario_value": "B", "delta": "B - A"})
    columns = [*by, "criterion", "A", "B", "unit", "B - A", "relative", "coverage",
               *[c for c in table.columns if c.startswith(("portfolio_delta", "P("))]]
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(readable_table(_percent(table[columns], "relative", args.lang), args.lang, 4).to_string(index=False))
    if (table["coverage"] == "not comparable").any():
        print("\n" + _("'not comparable': a side lacks factors for lines the change touches; the difference is "
                       "unknown, not zero."))
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from .i18n import gettext_for
    from .inventory.template import write_template

    if args.out.is_symlink():
        raise OutputError(f"{args.out}: is a symbolic link; refusing to write through it")
    path = write_template(args.out, lang=args.lang)
    print(gettext_for(args.lang, "Data-collection template written to {path}").format(path=path))
    return EXIT_OK


def _uncertainty(args: argparse.Namespace) -> int:
    import pandas as pd
    from tqdm import tqdm

    from .criteria import MISSION_CRITERIA
    from .i18n import format_count, readable_table, tornado_input, translator
    from .inventory import load_inventory
    from .montecarlo import monte_carlo
    from .sensitivity import tornado

    inventory = load_inventory(args.inventory)
    factors = inventory.load_factors()
    with tqdm(total=len(inventory.services), desc="Monte Carlo", unit="service", disable=None) as bar:
        mc = monte_carlo(inventory, factors, samples=args.samples, seed=args.seed,  # campaigns: their budgets
                         progress=lambda done, total: bar.update(done - bar.n))
    summary = mc.summary(MISSION_CRITERIA)
    _ = translator(args.lang).gettext
    with pd.option_context("display.width", 200, "display.max_columns", 12, "display.float_format", "{:.3g}".format):
        print(_("{samples} samples, seed {seed}. The mean exceeds the deterministic value where factors are "
                "lognormal (skewed): expected, not a bug.").format(samples=format_count(args.samples, args.lang),
                                                                   seed=args.seed) + "\n")
        portfolio = summary[summary["service"] == "portfolio"]
        print(readable_table(portfolio if args.lang == "en" else portfolio.drop(columns="service"), args.lang)
              .to_string(index=False))
        per_unit = _per_declared_unit(mc, inventory, args.lang)
        for label, part in per_unit:
            print("\n" + _("All services, {per}:").format(per=label))
            print(readable_table(part.drop(columns=["amount", "per"]), args.lang).to_string(index=False))
        table = tornado(inventory.services, factors)
        print("\n" + _("What drives climate change (one at a time, 95 % bounds):"))
        top = table.head(10)
        if args.lang != "en":
            top = top.assign(input=[tornado_input(i, k, args.lang) for i, k in zip(top["input"], top["kind"],
                                                                                   strict=True)])
        print(readable_table(top[["input", "low", "high", "total at low", "total at high"]], args.lang)
              .to_string(index=False))
    if args.out:
        from .plotting import plot_distribution, plot_tornado
        from .report import staged_folder, write_csv

        files = ("monte_carlo.csv", "tornado.csv", "distributions.png", "tornado.png",
                 *(["monte_carlo_per_unit.csv"] if per_unit else []))
        with staged_folder(args.out, produces=files, force=args.force) as folder:
            write_csv(summary, folder / "monte_carlo.csv")
            if per_unit:
                write_csv(pd.concat([part for _label, part in per_unit], ignore_index=True),
                          folder / "monte_carlo_per_unit.csv")
            write_csv(table, folder / "tornado.csv")
            if mc.samples is not None:
                plot_distribution(mc, lang=args.lang).savefig(folder / "distributions.png", dpi=110)
            plot_tornado(table, lang=args.lang).savefig(folder / "tornado.png", dpi=110)
        print("\n" + _("Written to {path}").format(path=f"{args.out}/"))
    return EXIT_OK


def _per_declared_unit(mc: MonteCarloResults, inventory: Inventory, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """(label, the portfolio's Monte Carlo statistics per that unit) for each unit the inventory declares."""
    from .criteria import MISSION_CRITERIA, get_criterion
    from .functional_units import EURO, INHABITANT, declared_units
    from .i18n import translator

    translation = translator(lang)
    ids = {get_criterion(c).id for c in MISSION_CRITERIA}
    out = []
    for name, unit in declared_units(inventory).items():
        table = mc.per_unit(unit, by=())
        label = translation.pgettext("per audience unit", unit.label) if name in (INHABITANT, EURO) else \
            translation.gettext("per {name}").format(name=name)
        out.append((label, table[table["criterion"].isin(ids)].reset_index(drop=True)))
    return out


def _levers(args: argparse.Namespace) -> int:
    import pandas as pd

    from .i18n import kind_label, lever_name, localise_table, quoted, readable_table, translator
    from .inventory import load_inventory
    from .scenarios import SELECTS_NOTHING, applicable, bundled_scenarios, load_scenario, rank_levers

    _ = translator(args.lang).gettext
    inventory = load_inventory(args.inventory)
    if args.scenarios:  # the user's own scenarios must fit: one that selects nothing is an error
        scenarios = [load_scenario(p) for p in args.scenarios]
        for scenario in scenarios:
            scenario.apply(inventory)
    else:
        scenarios, skipped = applicable(inventory, bundled_scenarios().values())
        kinds = ", ".join(kind_label(k, args.lang) for k in sorted({s.kind for s in inventory.services}))
        for name, why in skipped.items():  # a bundled lever's reason in the user's language when it is known
            reason = _("it selects none of its services (kinds present: {kinds})").format(kinds=kinds) \
                if SELECTS_NOTHING in why else why
            print(_("note: bundled lever {name} does not apply to this inventory: {why}").format(
                name=quoted(lever_name(name, args.lang), args.lang), why=reason))
        if not scenarios:
            print(_("No bundled lever applies to this inventory."))
            return EXIT_OK
    ranking = rank_levers(inventory, scenarios)
    shown = ranking.drop(columns=["factors"])
    if args.lang != "en":
        pgettext = translator(args.lang).pgettext
        shown = shown.assign(scenario=shown["scenario"].map(lambda n: lever_name(n, args.lang)),
                             direction=shown["direction"].map(lambda d: pgettext("direction", d)))
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.float_format", "{:.3g}".format):
        print(readable_table(_percent(shown, "share of total", args.lang), args.lang).to_string(index=False))
    print("\n" + _("Each lever is applied alone. change < 0 is a reduction, > 0 an increase; 'not comparable': "
                   "lines without factors change, the difference is unknown."))
    if args.out:
        from .plotting import plot_waterfall
        from .report import staged_folder, write_csv

        # Same rules as reports: the folder appears whole, is not replaced without --force, and cells are
        # formula-safe (lever names come from scenario files).
        with staged_folder(args.out, produces=("levers.csv", "levers.png"), force=args.force) as folder:
            write_csv(ranking if args.lang == "en" else localise_table(shown, args.lang), folder / "levers.csv")
            plot_waterfall(ranking, lang=args.lang).savefig(folder / "levers.png", dpi=110)
        print("\n" + _("Written to {path}").format(path=f"{args.out}/"))
    return EXIT_OK


def _reproduce(args: argparse.Namespace) -> int:
    import pandas as pd

    from .reproduce import cases_table, format_reproduction, list_cases, reproduce

    if args.case is not None and args.all:
        raise ArgumentError("--all", "give a case or --all, not both")
    if args.case is None and not args.all:
        with pd.option_context("display.width", 200, "display.max_colwidth", 80):
            print(cases_table().to_string(index=False))
        print("\nlca-numerique reproduce CASE runs one; --all runs every case.")
        return EXIT_OK
    outcomes = []
    for case in list_cases() if args.all else [args.case]:
        try:
            reproduction = reproduce(case)
        except LcaError as exc:
            if not args.all:
                raise
            print(f"{case}: not run: {exc}\n", file=sys.stderr)  # the other cases still run
            outcomes.append(EXIT_BAD_INPUT)
            continue
        print(format_reproduction(reproduction, args.lang) + "\n")
        outcomes.append(EXIT_OK if reproduction.within else EXIT_DIFFERENCES)
    return EXIT_BAD_INPUT if EXIT_BAD_INPUT in outcomes else max(outcomes, default=EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
