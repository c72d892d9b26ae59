"""Reading YAML written by people, strictly, and remembering where every value was written.

PyYAML's loaders keep the last of two duplicate keys without a word and expand aliases without limit (a
few lines of nested aliases make a "billion laughs" bomb). Here the document is composed into nodes with
the safe loader, then converted by hand: duplicate keys are errors, anchors and aliases are refused, the
file size and nesting depth are bounded, and every value's line and column are kept for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 5_000_000  # an inventory is a few hundred lines; refuse anything far larger before parsing
MAX_DEPTH = 20

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what is wrong."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # field path such as services[2].page_weight
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


def format_path(path: Path_) -> str:
    """``("campaigns", 0, "services", 2, "visits")`` → ``campaigns[0].services[2].visits``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlSyntaxError(Exception):
    """The text is not YAML this reader accepts; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


@dataclass
class Located:
    """A plain Python document and the (line, column) of every path in it."""

    data: Any
    marks: dict[Path_, tuple[int, int]]
    file: str
    files: dict[Path_, str] = field(default_factory=dict)  # parts of the data read from elsewhere (a sheet)

    def where(self, path: Path_) -> tuple[int, int]:
        """The line and column of ``path`` or of its closest written ancestor."""
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (0, 0))

    def problem(self, path: Path_, message: str) -> Problem:
        """A Problem located at ``path``."""
        line, column = self.where(path)
        prefix = path
        while prefix and prefix not in self.files:
            prefix = prefix[:-1]
        return Problem(self.files.get(prefix, self.file), line, column, format_path(path), message)


def read_yaml(source: str | Path, *, text: str | None = None) -> Located:
    """Read a YAML file (or ``text`` attributed to ``source``) strictly. Raises YamlSyntaxError."""
    name = str(source)
    if text is None:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise YamlSyntaxError(Problem(name, 0, 0, "", f"cannot read the file: {exc.strerror}")) from None
        if size > MAX_BYTES:
            raise YamlSyntaxError(Problem(name, 0, 0, "", f"the file is {size / 1e6:.1f} MB; an inventory must be "
                                                          f"under {MAX_BYTES / 1e6:.0f} MB"))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise YamlSyntaxError(Problem(name, 0, 0, "", f"not UTF-8 text ({exc.reason})")) from None
    elif len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"the text is over {MAX_BYTES / 1e6:.0f} MB"))
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m)
        raise YamlSyntaxError(Problem(name, line, column, "", f"YAML syntax: {message}")) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"YAML: {exc}")) from None
    marks: dict[Path_, tuple[int, int]] = {}
    data = None if node is None else _convert(node, (), marks, name)
    return Located(data, marks, name)


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases (they make bombs and nobody needs them here)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&, *) are not accepted in an inventory: write values out",
                event.start_mark)
        return super().compose_node(parent, index)


_SCALARS = yaml.SafeLoader("")  # constructs scalars only (numbers, booleans, null, text, dates)


def _convert(node: Any, path: Path_, marks: dict[Path_, tuple[int, int]], name: str) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if len(path) > MAX_DEPTH:
        raise YamlSyntaxError(Problem(name, *marks[path], format_path(path), f"nested deeper than {MAX_DEPTH} levels"))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _SCALARS.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or not isinstance(key, str):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise YamlSyntaxError(Problem(name, line, column, format_path(path), "keys must be plain text"))
            if key in result:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                first = marks[(*path, key)]
                raise YamlSyntaxError(Problem(name, line, column, format_path((*path, key)),
                                              f"duplicate key {key!r} (first written at line {first[0]})"))
            result[key] = _convert(value_node, (*path, key), marks, name)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), marks, name) for i, child in enumerate(node.value)]
    if _unusual_number(node):
        return node.value  # left as text for the quantity reader, which reads it right or refuses it
    return _SCALARS.construct_object(node, deep=True)


def _unusual_number(node: Any) -> bool:
    """YAML 1.1 reads ``1:30`` as 90 (base 60), ``010`` as 8 (octal), ``0x10`` as 16: numbers no one means."""
    if node.tag == "tag:yaml.org,2002:int":
        return re.fullmatch(r"[-+]?(?:0|[1-9][0-9_]*)", node.value) is None
    return node.tag == "tag:yaml.org,2002:float" and ":" in node.value
