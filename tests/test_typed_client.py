"""The public API is typed enough for a client checked with ``mypy --strict`` (tests/typed_client.py), and the
services' typed signatures (``lca_numerique/services/__init__.pyi``) are those their parameter declarations give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lca_numerique.services import Service
from lca_numerique.services.parameters import REQUIRED
from lca_numerique.services.registry import BUNDLED
from lca_numerique.services.signatures import STUB, attribute_type, stub_text

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


@pytest.mark.slow
def test_mypy_rejects_a_wrong_choice_a_missing_parameter_and_a_misspelt_one(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong_services.py"
    wrong.write_text("from lca_numerique.services import Video, Website\n\n\n"
                     "def wrong() -> float:\n"
                     "    video = Video('v', views=10, resolution='8k')\n"
                     "    return video.views + Website('s', visits=3).vists\n", encoding="utf-8")
    done = _mypy(tmp_path / "mypy", wrong)
    assert done.returncode == 1, done.stdout
    assert "\"resolution\" to \"Video\" has incompatible type \"Literal['8k']\"" in done.stdout, done.stdout
    assert 'Missing named argument "duration" for "Video"' in done.stdout, done.stdout
    assert '"Website" has no attribute "vists"' in done.stdout, done.stdout


def test_the_stub_is_what_the_declarations_give() -> None:
    assert STUB.read_text(encoding="utf-8") == stub_text(), "run python -m lca_numerique.services.signatures"


@pytest.mark.parametrize("cls", BUNDLED, ids=lambda c: c.kind)
def test_declared_defaults_have_the_stub_types(cls: type[Service]) -> None:
    # the stub says what a parameter holds at run time; its default must be such a value already
    for spec in cls.parameters:
        default, declared = spec.default, attribute_type(spec)
        if default is REQUIRED or declared == "Any" or (default is None and (spec.default_from or "None" in declared)):
            continue
        if spec.kind == "choice":
            assert default in spec.choices, spec
        elif spec.kind == "mix":
            assert isinstance(default, dict) and set(default) <= set(spec.keys), spec
        else:
            python_type = {"float": (int, float), "float | None": (int, float), "bool": bool}[declared]
            assert isinstance(default, python_type), spec


def test_typed_client_runs() -> None:
    done = subprocess.run([sys.executable, str(CLIENT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "city site" in done.stdout
