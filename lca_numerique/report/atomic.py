"""Outputs that appear whole or not at all, and never through a planted symbolic link.

A report folder is built in a fresh sibling folder and moved into place once every file is written: a crash
while drawing figures leaves the previous report untouched, never new spreadsheets beside an old results
file. An existing report is replaced only when asked (``force``), and only if it holds nothing but report
files, so a mistyped ``--out ~`` cannot empty a home folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..errors import OutputError

__all__ = ["open_atomic", "staged_folder", "write_text_atomic"]


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; refusing to write through it (remove it or choose "
                          "another path)")


def _sibling(path: Path, suffix: str) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix}"


@contextmanager
def staged_folder(out: str | Path, *, produces: Collection[str], force: bool = False) -> Iterator[Path]:
    """Yield an empty folder beside ``out`` to write into; on success it replaces ``out`` whole.

    ``out`` may be absent or empty. A folder holding files is replaced only with ``force`` and only if every
    entry is a regular file whose name is in ``produces``. On an exception the staging folder is removed and
    ``out`` is left as it was.
    """
    out = Path(out).absolute()
    _refuse_link(out)
    existing: list[Path] = []
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out}: exists and is not a folder")
        existing = list(out.iterdir())
        if existing and not force:
            raise OutputError(f"{out}: a folder with files already exists there; pass --force (force=True) to "
                              "replace a previous report")
        foreign = sorted(e.name for e in existing if e.name not in produces or e.is_symlink() or not e.is_file())
        if foreign:
            raise OutputError(f"{out}: holds entries that are not report files ({', '.join(foreign[:5])}); "
                              "choose another folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(out, ".tmp")
    staging.mkdir()  # fails rather than follows if anything, a link included, took the name
    try:
        yield staging
        if out.exists():
            aside = _sibling(out, ".old")
            os.replace(out, aside)
            try:
                os.replace(staging, out)
            except OSError:
                os.replace(aside, out)
                raise
            shutil.rmtree(aside)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


@contextmanager
def open_atomic(path: str | Path) -> Iterator[TextIO]:
    """A text stream (UTF-8) to a sibling temporary file, renamed over ``path`` once closed without error:
    readers never see half a file, and a symbolic link at ``path`` is refused rather than followed."""
    path = Path(path)
    _refuse_link(path)
    temporary = _sibling(path, ".tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as :func:`open_atomic` does."""
    with open_atomic(path) as stream:
        stream.write(text)
    return Path(path)
