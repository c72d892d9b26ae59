"""Reading YAML written by people (or by anyone: files travel between organisations), strictly and within
bounds, remembering where every value was written.

This is the one YAML reader of the library: inventories, scenarios, factor-set metadata and profiles all go
through :func:`read_yaml` (or :func:`read_located`, which raises the inventory's error).

PyYAML's loaders keep the last of two duplicate keys without a word, expand aliases without limit (a few
lines of nested aliases make a "billion laughs" bomb), recurse once per nesting level (5,000 nested
brackets end in a RecursionError) and construct whatever a tag asks for. Here the document is read as a
stream of parser events (libyaml's when available: fast and not recursive) and built by hand with an
explicit stack: duplicate keys, anchors and aliases, merge keys (``<<``), tags other than the plain
scalar types, several documents, numbers YAML 1.1 reads surprisingly (``010`` is 8, ``1:30`` is 90) and
nesting deeper than :data:`MAX_DEPTH` are all refused with their line and column; the file size is bounded
before parsing. Every value's line and column are kept for error messages. Nothing is kept between two
calls: each reads with a fresh parser that is dropped afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InventoryError, Problem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Located",
    "Path_",
    "YamlSyntaxError",
    "format_path",
    "read_located",
    "read_yaml",
]

MAX_BYTES = 20_000_000  # 100,000 services of ~200 bytes; refuse anything larger before parsing
MAX_DEPTH = 20

Path_ = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_PLAIN_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


def format_path(path: Path_) -> str:
    """``("campaigns", 0, "services", 2, "visits")`` → ``campaigns[0].services[2].visits``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlSyntaxError(InventoryError):
    """The text is not YAML this reader accepts; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__([problem])


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


def read_yaml(source: str | Path, *, text: str | None = None, what: str = "an inventory",
              max_bytes: int = MAX_BYTES) -> Located:
    """Read a YAML file (or ``text`` attributed to ``source``) strictly. Raises YamlSyntaxError (an
    InventoryError) located at the problem. ``what`` names the kind of file in messages."""
    name = str(source)
    if text is None:
        text = _read_text(Path(source), name, what, max_bytes)
    elif len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"the text is over {max_bytes / 1e6:g} MB"))
    import yaml

    try:
        data, marks = _Builder(text, name).build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m)
        raise YamlSyntaxError(Problem(name, line, column, "", f"YAML syntax: {message}")) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"YAML: {exc}")) from None
    return Located(data, marks, name)


def read_located(source: str | Path, text: str | None = None, *, what: str = "an inventory") -> Located:
    """Read a YAML file (or ``text``) strictly; any problem raises InventoryError with its location."""
    return read_yaml(source, text=text, what=what)


def _read_text(path: Path, name: str, what: str, max_bytes: int) -> str:
    if path.is_dir():
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"this is a folder; give the path of {what} file (.yaml)"))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlSyntaxError(Problem(name, 0, 0, "", f"the file is {size / 1e6:.1f} MB; {what} must be "
                                                          f"under {max_bytes / 1e6:g} MB"))
        with path.open("rb") as handle:  # read no more than the bound, whatever stat said (a pipe, a growing file)
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"cannot read the file: {exc.strerror or exc}")) from None
    if len(raw) > max_bytes:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"{what} must be under {max_bytes / 1e6:g} MB"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(Problem(name, 0, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None


class _Frame:
    """An open mapping or sequence, and for a mapping the key whose value comes next."""

    __slots__ = ("is_mapping", "key", "path", "value")

    def __init__(self, value: dict[str, Any] | list[Any], path: Path_) -> None:
        self.value: Any = value
        self.path = path
        self.key: str | None = None
        self.is_mapping = isinstance(value, dict)


_MISSING = object()


class _Builder:
    """Builds one document from parser events, with an explicit stack (no recursion, bounded depth).

    A plain scalar (untagged, unquoted: most of a file) is resolved once per distinct text in the document,
    by the loader's own implicit resolvers and constructors, and its value reused for the next occurrences
    of the same text (keys, kinds, repeated numbers); a plain decimal integer or float is read directly, as
    PyYAML's constructors would. Nothing is cached across documents."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        import yaml  # imported on first read: a program that reads no YAML does not pay for it

        self.yaml = yaml
        # libyaml's parser when available (the same events, about 10x faster); a fresh parser (and scalar
        # constructor) per call: no state kept across files
        self.parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.plain: dict[str, Any] = {}  # plain scalar text -> its value, for this document only
        resolvers = self.parser.yaml_implicit_resolvers
        # the loader's implicit resolvers by first character (Resolver.resolve without its path resolvers,
        # which the safe loader does not have)
        self.resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] | None = (
            None if self.parser.yaml_path_resolvers or None in resolvers else resolvers)

    def fail(self, event: Any, path: Path_, message: str) -> YamlSyntaxError:
        mark = event.start_mark
        return YamlSyntaxError(Problem(self.name, mark.line + 1, mark.column + 1, format_path(path), message))

    def build(self) -> tuple[Any, dict[Path_, tuple[int, int]]]:
        try:
            return self._build(), self.marks
        finally:
            self.parser.dispose()

    def _build(self) -> Any:  # one loop over every event of the file (a million at 100,000 services): kept flat
        root: Any = None
        stack: list[_Frame] = []
        top: _Frame | None = None  # stack[-1]
        documents = 0
        yaml = self.yaml
        scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        ignored = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)
        marks = self.marks
        plain = self.plain
        get_event = self.parser.get_event
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is scalar and top is not None and event.anchor is None:  # most events: a key or a value
                if top.is_mapping:
                    key = top.key
                    if key is None:  # a key already read in this document goes straight in (when not a duplicate)
                        key = plain.get(event.value) if event.tag is None and event.implicit[0] else None
                        top.key = key if type(key) is str and key not in top.value else self._key(event, top)
                        continue
                    path: Path_ = (*top.path, key)
                else:
                    path = (*top.path, len(top.value))
                mark = event.start_mark
                marks[path] = (mark.line + 1, mark.column + 1)
                if len(path) > MAX_DEPTH:
                    raise self.fail(event, path, f"nested deeper than {MAX_DEPTH} levels")
                if event.tag is None and event.implicit[0]:
                    value = plain.get(event.value, _MISSING)
                    if value is _MISSING:
                        value = plain[event.value] = self._plain(event, path)
                else:
                    value = self._scalar(event, path)
                if top.is_mapping:
                    top.value[top.key] = value
                    top.key = None
                else:
                    top.value.append(value)
                continue
            if kind in ends:
                stack.pop()
                top = stack[-1] if stack else None
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(event, (), "a second YAML document ('---'): one document per file")
                continue
            if kind in ignored:
                continue
            if kind is yaml.AliasEvent or event.anchor is not None:
                raise self.fail(event, top.path if top else (),
                                "anchors and aliases (&, *) are not accepted: write values out")
            if top is None:
                path = ()
            elif top.is_mapping:
                if top.key is None:
                    top.key = self._key(event, top)  # refused: a collection as a key
                    continue
                path = (*top.path, top.key)
            else:
                path = (*top.path, len(top.value))
            marks[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
            if len(path) > MAX_DEPTH:
                raise self.fail(event, path, f"nested deeper than {MAX_DEPTH} levels")
            if kind is scalar:  # the document's root
                value = self._scalar(event, path)
            elif kind is mapping_start or kind is sequence_start:
                self._check_collection_tag(event, path)
                value = {} if kind is mapping_start else []
            else:  # pragma: no cover - the parser emits no other event
                raise self.fail(event, path, f"unexpected YAML event {kind.__name__}")
            if top is None:
                root = value
            elif top.is_mapping:
                top.value[top.key] = value
                top.key = None
            else:
                top.value.append(value)
            if kind is not scalar:
                top = _Frame(value, path)
                stack.append(top)
        return root

    def _key(self, event: Any, frame: _Frame) -> str:
        if not isinstance(event, self.yaml.ScalarEvent):
            raise self.fail(event, frame.path, "keys must be plain text")
        if event.tag is None and event.implicit[0]:
            key = self.plain.get(event.value, _MISSING)
            if key is _MISSING:
                if self._resolve(event.value, event.implicit) == _TAG + "merge":
                    raise self.fail(event, frame.path, "merge keys (<<) are not accepted: write every key out")
                key = self.plain[event.value] = self._plain(event, frame.path)
        else:
            key = self._scalar(event, frame.path)
        if not isinstance(key, str):
            raise self.fail(event, frame.path, f"keys must be plain text; {event.value!r} is read as "
                                               f"{type(key).__name__}: quote it")
        if key in frame.value:
            first = self.marks[(*frame.path, key)]
            raise self.fail(event, (*frame.path, key), f"duplicate key {key!r} (first written at line {first[0]})")
        return key

    def _resolve(self, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a plain scalar, as the loader's resolver gives it."""
        if self.resolvers is None:
            return self.parser.resolve(self.yaml.ScalarNode, value, implicit)
        for tag, regexp in self.resolvers.get(value[:1], ()):
            if regexp.match(value):
                return tag
        return _STR

    def _plain(self, event: Any, path: Path_) -> Any:
        """The value of a plain (untagged, unquoted) scalar; a decimal integer or a finite float in plain
        notation is read as PyYAML's int and float constructors read it, without building a node."""
        value = event.value
        tag = self._resolve(value, event.implicit)
        if tag == _STR:
            return value
        try:
            if tag == _TAG + "int" and _PLAIN_DECIMAL.fullmatch(value):
                return int(value.replace("_", ""))
            if tag == _TAG + "float" and ":" not in value and "n" not in value.lower():  # not .inf, .nan, base 60
                return float(value.replace("_", ""))
        except ValueError:  # an integer over Python's digit limit: refused below, where it is located
            pass
        return self._scalar(event, path, tag)

    def _scalar(self, event: Any, path: Path_, tag: str | None = None) -> Any:
        if tag is None:
            tag = event.tag
            if tag is None or tag == "!":
                if not event.implicit[0]:  # quoted: text, whatever it looks like
                    return event.value
                tag = self._resolve(event.value, event.implicit)
        if tag == _STR:
            return event.value
        if tag not in _SCALAR_TAGS:
            raise self.fail(event, path, f"the tag {event.tag or tag!r} is not accepted: write plain text or numbers")
        if ((tag == _TAG + "int" and not _PLAIN_DECIMAL.fullmatch(event.value))
                or (tag == _TAG + "float" and ":" in event.value)):  # YAML 1.1 reads 1:30.5 as 90.5 (base 60)
            raise self.fail(event, path, f"{event.value!r} is an ambiguous number in YAML (octal, hexadecimal or "
                                         "base 60): write it in decimal, or quote it if it is text")
        node = self.yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.parser.yaml_constructors[tag](self.parser, node)
        except (ValueError, OverflowError, self.yaml.YAMLError) as exc:
            raise self.fail(event, path, f"{event.value[:40]!r} cannot be read as {tag.removeprefix(_TAG)} "
                                         f"({exc})") from None

    def _check_collection_tag(self, event: Any, path: Path_) -> None:
        if event.tag is not None and event.tag not in (_TAG + "map", _TAG + "seq", "!"):
            raise self.fail(event, path, f"the tag {event.tag!r} is not accepted")
