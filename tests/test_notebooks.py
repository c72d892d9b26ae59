"""The notebooks in notebooks/ are committed without outputs, and each runs to the end without error.

Each notebook is executed with nbclient in a Python kernel of the current environment, from the ``notebooks/``
folder, with the matplotlib backend Agg in the kernel's environment (the notebooks switch to the headless
inline backend so that figures show in Jupyter).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
EXPECTED = {
    "01_quickstart", "02_department_portfolio", "03_digital_vs_print", "04_uncertainty_and_scenarios",
    "05_reproducing_published_figures", "06_web_methods",
}
KERNEL = "lca-numerique-notebooks"
CELL_TIMEOUT = 300  # seconds per cell
NOTEBOOK_BUDGET = 60  # seconds per notebook, kernel start included: the notebooks are meant to run in seconds


def test_the_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs or execution counts; strip them before committing"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory):
    """A kernel spec running this interpreter (so the kernel sees this environment), with MPLBACKEND=Agg."""
    kernelspec = pytest.importorskip("jupyter_client.kernelspec")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("kernels")
    (folder / KERNEL).mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "lca_numerique tests", "language": "python", "env": {"MPLBACKEND": "Agg"}}
    (folder / KERNEL / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return kernelspec.KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, kernel_specs):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from jupyter_client.manager import KernelManager

    notebook = nbformat.read(path, as_version=4)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = nbclient.NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT,
                                     resources={"metadata": {"path": str(FOLDER)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the failing cell and its traceback, on any error
    elapsed = time.perf_counter() - start
    assert elapsed < NOTEBOOK_BUDGET, f"{path.name} took {elapsed:.0f} s; keep sample counts small"
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "error"]
    assert not errors
