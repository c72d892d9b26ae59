"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README should show a usage example"
    namespace: dict = {}  # the blocks read as one session: later examples reuse earlier names
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "per view" in out


def test_readme_opens_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    head = "\n".join(lines[:6])
    assert "lca-numerique demo" in head
    assert 'pip install -e ".[test]"' in head and "pytest" in head
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line.split("#")[0].strip() for line in lines[:6] if "pytest" in line)
    assert test_command in ci
