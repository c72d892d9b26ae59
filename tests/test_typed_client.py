"""The public API is typed enough for a client checked with ``mypy --strict`` (tests/typed_client.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLIENT = Path(__file__).with_name("typed_client.py")


def _mypy(cache: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # follow-imports=silent: the library's signatures are used, only the client's own errors are reported
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--cache-dir",
                           str(cache), *map(str, files)], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_typed_client_passes_mypy_strict(tmp_path: Path) -> None:
    done = _mypy(tmp_path / "mypy", CLIENT)
    assert done.returncode == 0, done.stdout + done.stderr
    # the check sees the library's types: a client misusing them fails
    wrong = tmp_path / "wrong_client.py"
    wrong.write_text("import lca_numerique as lca\n\n\ndef wrong() -> int:\n    return lca.load_factors()\n",
                     encoding="utf-8")
    done = _mypy(tmp_path / "mypy", wrong)
    assert done.returncode == 1 and 'got "FactorSet", expected "int"' in done.stdout, done.stdout


def test_typed_client_runs() -> None:
    done = subprocess.run([sys.executable, str(CLIENT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "city site" in done.stdout
