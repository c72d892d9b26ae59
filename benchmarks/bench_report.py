"""Reports at scale: ``lca-numerique assess`` on 10,000 and 100,000 websites, step by step, against the floor.

Each size runs in a fresh process (so its peak memory is its own): load the inventory, evaluate, write the
report folder (xlsx, csv, html, json), then ``check`` the results file. The baseline, measured in the same
process on the same results, is the time pandas and pyarrow take merely to write the tidy table of the cube
(``results.to_dataframe()``, already built) to CSV: the floor of the largest file, results.csv. Prints wall
and CPU time (user + system, all threads: less sensitive than wall time to a loaded machine) of each step,
the peak resident memory, and the bytes of each file written.

Run on demand: ``python benchmarks/bench_report.py [--sizes 10000 100000]`` (100,000 services write some
3 GB and take minutes on a loaded machine: not for the test suite).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def inventory_text(n: int) -> str:
    """``n`` websites, the inventory the issue measured."""
    return "organisation: X\nservices:\n" + "".join(
        f"  - {{kind: website, name: site {i}, visits: {1000 + i}, page_weight: 1.5}}\n" for i in range(n))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(label: str, steps: dict[str, tuple[float, float, float]], function: Any, *args: Any,
           **kwargs: Any) -> Any:
    """Run ``function``; record its wall and CPU time (s) and the process's peak resident memory so far (MB)."""
    wall, cpu = time.perf_counter(), _cpu()
    result = function(*args, **kwargs)
    steps[label] = (time.perf_counter() - wall, _cpu() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def child(n: int, folder: Path) -> dict[str, object]:
    """One size, in this process: the steps' (wall, CPU) times, the floors, the files' bytes, the peak RSS."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from lca_numerique.inventory import load_inventory
    from lca_numerique.report import FactorChoice, check_results_file, write_report

    path = folder / "inventory.yaml"
    path.write_text(inventory_text(n), encoding="utf-8")
    steps: dict[str, tuple[float, float, float]] = {}
    inventory = _timed("load", steps, load_inventory, path)
    choice = FactorChoice.of(inventory)
    factors = choice.load()
    results = _timed("evaluate", steps, inventory.evaluate, factors)
    out = folder / "report"
    _timed("write report", steps, write_report, results, inventory, out, choice=choice)
    files = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    _timed("check results.json", steps, check_results_file, out / "results.json")
    table = results.to_dataframe()
    floor = folder / "floor.csv"
    _timed("floor: pandas to_csv", steps, table.to_csv, floor, index=False)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    _timed("floor: pyarrow write_csv", steps, pa_csv.write_csv, arrow, str(floor))
    del table, arrow
    return {"services": n, "steps": steps, "files": files, "rows": int(results.values.size),
            "pandas": pd.__version__, "pyarrow": pa.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        json.dump(child(args.child, args.folder), sys.stdout)
        return
    with open("/proc/loadavg", encoding="ascii") as stream:
        print(f"load average before: {stream.read().split()[:3]}")
    for n in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"bench_report_{n}_"))
        try:
            out = subprocess.run([sys.executable, __file__, "--child", str(n), "--folder", str(folder)],
                                 capture_output=True, text=True, check=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        data = json.loads(out.stdout)
        print(f"\n{n:,} services, {data['rows']:,} rows in results.csv (pandas {data['pandas']}, pyarrow "
              f"{data['pyarrow']}); peak RSS is the process's so far, after each step")
        floor = data["steps"]["floor: pyarrow write_csv"][1]
        for label, (wall, cpu, peak) in data["steps"].items():
            print(f"  {label:26s} wall {wall:8.2f} s  CPU {cpu:8.2f} s  {cpu / floor:6.1f}x the pyarrow floor (CPU)  "
                  f"peak RSS {peak:7,.0f} MB")
        total = sum(data["files"].values())
        print(f"  files ({total / 1e6:,.0f} MB): "
              + ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in data["files"].items()))
    with open("/proc/loadavg", encoding="ascii") as stream:
        print(f"\nload average after: {stream.read().split()[:3]}")


if __name__ == "__main__":
    main()
