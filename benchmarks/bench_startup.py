"""Start-up: how long a fresh process takes to its first per-audience table (the README's Python example).

Each run is a new interpreter (``python -X importtime``), so nothing is warm but the operating system's file
cache, as for a command-line call or a web worker starting. Prints the best and median wall time of
``--runs`` processes, the share of ``import lca_numerique``, ``load_factors()`` and the rest, and, as the
baseline measured in the same run, a process that only imports numpy and pandas. Target: first table in
well under 0.4 s. Run on demand: ``python benchmarks/bench_startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

EXAMPLE = """
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
table = results.per_audience()
t3 = time.perf_counter()
import json, sys
json.dump({"import": t1 - t0, "load_factors": t2 - t1, "rest": t3 - t2}, sys.stdout)
"""
BASELINE = "import time; t0 = time.perf_counter(); import numpy, pandas; import json, sys; " \
           "json.dump({'import': time.perf_counter() - t0}, sys.stdout)"


def fresh(code: str) -> tuple[float, dict[str, float]]:
    """Wall time of one new interpreter running ``code`` (s), and the phases it reports, plus its CPU time
    (user + system, s: what the process itself costs, less sensitive than wall time to a loaded machine)."""
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, {**json.loads(out.stdout), "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    fresh(EXAMPLE)  # the first run may fill the compiled-factor cache; it is not counted
    runs = [fresh(EXAMPLE) for _ in range(args.runs)]
    base = [fresh(BASELINE) for _ in range(args.runs)]
    walls = [w for w, _ in runs]
    best = min(range(len(runs)), key=lambda i: walls[i])
    phases = runs[best][1]
    cpu, base_cpu = min(p["cpu"] for _, p in runs), min(p["cpu"] for _, p in base)
    base_wall = min(w for w, _ in base)
    print(f"first per-audience table, fresh process: best {min(walls):.3f} s, median {statistics.median(walls):.3f} s "
          f"({args.runs} runs; target < 0.4 s); CPU time best {cpu:.3f} s")
    print("  in the best run: " + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items()))
    print(f"baseline, a process importing numpy and pandas only: best {base_wall:.3f} s, CPU {base_cpu:.3f} s "
          f"(ratios {min(walls) / base_wall:.1f}x wall, {cpu / base_cpu:.1f}x CPU)")


if __name__ == "__main__":
    main()
