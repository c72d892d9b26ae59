"""The wheel carries the factor data: build it, install it in a fresh environment, evaluate from outside the tree."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_evaluates_outside_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("lca_numerique-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies come from this environment, appended *after* the fresh site-packages so the wheel wins.
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        text=True).strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    script = textwrap.dedent("""
        import lca_numerique as lca
        from lca_numerique.factors import data_root
        print(lca.__file__)
        print(data_root())
        bill = lca.BillOfMaterials.build("transfer", "1 user", {"network.fixed@FR": "1 GB"})
        print(lca.evaluate([bill], lca.load_factors()).total().set_index("criterion").loc["climate_change", "value"])
    """)
    out = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    package, data, value = out.stdout.split()
    assert package.startswith(str(venv))
    assert data.startswith(str(venv)) and data.endswith("lca_numerique/_data/impact_factors")
    assert float(value) == pytest.approx(9.26934695867389e-3)  # 1 GB x 9.269 g/GB, ADEME fixed network FR
    # the README's first command: the demo runs from the installed wheel alone (bundled inventory and data)
    demo = subprocess.run([str(python), "-m", "lca_numerique.cli", "demo", "--out", str(tmp_path / "report"),
                           "--format", "csv,json,html", "--lang", "fr"], cwd=tmp_path, capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "report" / "results.json").is_file()
    # the gettext catalogues and the equivalents' data travel in the wheel: the report is in French
    assert "Unités fonctionnelles" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    # the registry of reproduced cases travels in the wheel and runs from it
    reproduce = subprocess.run([str(python), "-m", "lca_numerique.cli", "reproduce", "impactco2-defaults"],
                               cwd=tmp_path, capture_output=True, text=True)
    assert reproduce.returncode == 0 and "within tolerance" in reproduce.stdout, reproduce.stderr
