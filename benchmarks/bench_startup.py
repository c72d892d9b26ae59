"""Start-up: how long a fresh process takes to its first per-audience table (the README's Python example).

Two paths, each against a baseline measured in the same run:

- **table** (a tool: web calculator, dashboard, worker): ``results.per_audience(as_frame=False)``, the pandas-free
  table; baseline: a process that only imports numpy (the library's one compiled dependency on this path).
- **frame** (a notebook): ``results.per_audience()``, a pandas DataFrame; baseline: a process that imports numpy
  and pandas. This path cannot be faster than pandas' own import (pyarrow, when installed, is imported by it).

Each run is a new interpreter (``python -X importtime``), so nothing is warm but the operating system's file cache
and the compiled-factor cache (filled by an uncounted first run), as for a command-line call or a web worker
starting. The package is byte-compiled first, as ``pip install`` does (``PYTHONDONTWRITEBYTECODE`` would otherwise
make every run compile the library from source). Prints, per path, the best and median wall time of ``--runs``
processes, the best CPU time (user + system: what the process itself costs, less sensitive to a loaded machine),
the phases of the best run (``import lca_numerique`` and the services, ``load_factors()``, the rest), the
ratios to the baseline, and the ``-X importtime`` breakdown by top-level package (self time summed over its
modules, in the best run). Target: the first table in under 0.4 s. Run on demand:
``python benchmarks/bench_startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_TIMED = """
import time
t0 = time.perf_counter()
import lca_numerique as lca
from lca_numerique.services import Video, Website
t1 = time.perf_counter()
factors = lca.load_factors()
t2 = time.perf_counter()
video = Video("event video", views=8000, duration="3 min", resolution="720p")
site = Website("city site", visits=120_000, page_weight="1.8 MB")
results = lca.evaluate([video.bill_of_materials(), site.bill_of_materials()], factors)
table = results.per_audience({arguments})
t3 = time.perf_counter()
import json, sys
json.dump({{"import": t1 - t0, "load_factors": t2 - t1, "rest": t3 - t2, "pandas": "pandas" in sys.modules}},
          sys.stdout)
"""
#: The README's Python example as a tool runs it: the pandas-free table.
EXAMPLE_TABLE = _TIMED.format(arguments="as_frame=False")
#: The README's Python example as a notebook runs it: a pandas DataFrame.
EXAMPLE = _TIMED.format(arguments="")
_BASELINE = ("import time; t0 = time.perf_counter(); import {modules}; import json, sys; "
             "json.dump({{'import': time.perf_counter() - t0, 'pandas': 'pandas' in sys.modules}}, sys.stdout)")
PATHS = {  # name: (example, baseline, what the baseline imports)
    "table": (EXAMPLE_TABLE, _BASELINE.format(modules="numpy"), "numpy"),
    "frame": (EXAMPLE, _BASELINE.format(modules="numpy, pandas"), "numpy and pandas"),
}


def fresh(code: str) -> tuple[float, dict[str, float], str]:
    """Wall time of one new interpreter running ``code`` (s), the phases it reports plus its CPU time (user +
    system, s), and its ``-X importtime`` report."""
    import resource
    import time

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, {**json.loads(out.stdout), "cpu": cpu}, out.stderr


def by_package(report: str) -> dict[str, float]:
    """``-X importtime`` self times (s) summed by top-level package (``lca_numerique``, ``numpy``...)."""
    totals: dict[str, float] = {}
    for line in report.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        if not self_us.strip().isdigit():
            continue  # the header
        root = name.strip().split(".")[0]
        totals[root] = totals.get(root, 0.0) + int(self_us) / 1e6
    return totals


def measure(example: str, baseline: str, runs: int) -> dict[str, object]:
    """Best and median wall, best CPU, the best run's phases and import breakdown, for the example and baseline."""
    out: dict[str, object] = {}
    for name, code in (("example", example), ("baseline", baseline)):
        done = [fresh(code) for _ in range(runs)]
        walls = [w for w, _, _ in done]
        best = min(range(runs), key=lambda i: walls[i])
        out[name] = {"best": walls[best], "median": statistics.median(walls),
                     "cpu": min(p["cpu"] for _, p, _ in done), "phases": done[best][1],
                     "imports": by_package(done[best][2])}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=8, help="packages shown in the import breakdown")
    parser.add_argument("--paths", default=",".join(PATHS), help="which paths to time: table, frame or both")
    args = parser.parse_args()
    import lca_numerique  # the copy the child processes import (PYTHONPATH may point at another checkout)

    compileall.compile_dir(Path(lca_numerique.__file__).parent, quiet=1)
    fresh(EXAMPLE)  # the first run may fill the compiled-factor cache; it is not counted
    for path in args.paths.split(","):
        example, baseline, imports = PATHS[path]
        m = measure(example, baseline, args.runs)
        ex, base = m["example"], m["baseline"]
        assert isinstance(ex, dict) and isinstance(base, dict)
        verdict = "under" if ex["best"] < 0.4 else "OVER"
        print(f"{path}: first per-audience table, fresh process: best {ex['best']:.3f} s, median {ex['median']:.3f} s, "
              f"CPU {ex['cpu']:.3f} s ({args.runs} runs; {verdict} the 0.4 s target); pandas imported: "
              f"{'yes' if ex['phases']['pandas'] else 'no'}")
        phases = ", ".join(f"{k} {v:.3f} s" for k, v in ex["phases"].items() if k in ("import", "load_factors", "rest"))
        print(f"  phases of the best run: {phases}")
        print(f"  baseline, a process importing {imports} only: best {base['best']:.3f} s, median {base['median']:.3f} "
              f"s, CPU {base['cpu']:.3f} s")
        print(f"  ratio to the baseline: {ex['best'] / base['best']:.2f}x wall, {ex['cpu'] / base['cpu']:.2f}x CPU; "
              f"the library's own cost: {ex['best'] - base['best']:+.3f} s wall, {ex['cpu'] - base['cpu']:+.3f} s CPU")
        top = sorted(ex["imports"].items(), key=lambda kv: -kv[1])[: args.top]
        print("  -X importtime, self time by package (best run): "
              + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in top))


if __name__ == "__main__":
    main()
