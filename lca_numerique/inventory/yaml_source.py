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

# The common shape of the YAML people and programs write, read line by line without the parser (see _Lines).
# Characters: YAML's printable ones, without the line breaks YAML 1.1 adds (NEL, LS, PS) and the BOM.
_OTHER = r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_FIRST = r"0-9A-Za-z$()+./;<=^_~\\" + _OTHER  # what a plain scalar may start with (no indicator)
_INNER = _FIRST + r"""\-?!&*%@|>'"`"""  # and continue with: never ':' nor '#'
_PLAIN = rf"(?:[{_FIRST}]|[-?][{_INNER}])[{_INNER}]*(?: +[{_INNER}]+)*"  # no ',[]{{}}': the same in flows
_BLOCK_PLAIN = rf"(?:[{_FIRST}]|[-?][{_INNER}])[{_INNER},\[\]{{}}]*(?: +[{_INNER},\[\]{{}}]+)*"
_QUOTED = rf"""'(?:[ -&(-~{_OTHER}]|'')*'|"[ !#-\[\]-~{_OTHER}]*\""""  # on one line; double: without escapes
_LINE = re.compile(rf"(?P<indent> *)(?P<dash>- +)?(?:(?P<key>{_PLAIN}):(?: +(?P<value>.+))?|(?P<item>.+))")
_BLANK = re.compile(" *(?:#.*)?")
_SCALAR = re.compile(f"{_QUOTED}|{_BLOCK_PLAIN}")
_PAIR = rf"(?P<key>{_PLAIN}): (?P<value>{_QUOTED}|{_PLAIN})"
_FLAT_MAPPING = re.compile(rf"\{{ *(?:{_PAIR.replace('?P<key>', '').replace('?P<value>', '')}"
                           rf"(?: *, *{_PAIR.replace('?P<key>', '').replace('?P<value>', '')})*)? *\}}")
_PAIRS = re.compile(_PAIR)  # of a flat flow mapping: one line's service, in the most common shape
_FLOW_TOKEN = re.compile(rf" *(?:(?P<open>[{{\[])|(?P<close>[}}\]])|(?P<comma>,)|(?P<key>{_PLAIN}): "
                         rf"|(?P<scalar>{_QUOTED}|{_PLAIN}))")


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
        self.text = text
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
            read = _Lines(self).read(self.text)
            if read is not None:
                return read
            self.marks = {}
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


class _Scalar:
    """A plain scalar found by :class:`_Lines`, in the shape of the parser's scalar event."""

    __slots__ = ("column", "line", "value")
    tag = anchor = end_mark = style = None
    implicit = (True, False)

    def __init__(self, value: str, line: int, column: int) -> None:
        self.value, self.line, self.column = value, line, column

    @property
    def start_mark(self) -> Any:
        return self  # line and column, 0-based, as a parser's mark


class _Decline(Exception):
    """The text is outside what :class:`_Lines` reads: the parser reads it."""


class _Lines:
    """Reads, without the parser, the shape most files have: a mapping of block mappings and sequences, one
    entry per line, each value a plain or quoted scalar or a flow mapping or sequence on the same line (the
    shape of the inventories people write and programs generate), with blank and comment lines. The result
    (data and marks) is the parser's; anything else (a multi-line scalar, an empty value, a tag, an anchor, a
    duplicate key, a number to refuse, an escape...) is declined, and the parser reads the file and says
    what is wrong, where. Scalars are resolved by the builder's own rules and cache."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.plain = builder.plain
        self.marks: dict[Path_, tuple[int, int]] = {}

    def read(self, text: str) -> tuple[Any, dict[Path_, tuple[int, int]]] | None:
        """(data, marks), or None when the parser must read the text."""
        try:
            return self._read(text), self.marks
        except (_Decline, YamlSyntaxError, IndexError):  # IndexError: a flow collection left open
            return None

    def _read(self, text: str) -> Any:  # one pass over the lines, kept flat: a few per service
        marks = self.marks
        root: dict[str, Any] | None = None
        stack: list[tuple[int, Any, Path_]] = []  # open block collections: indentation, container, path
        pending: tuple[dict[str, Any], str, Path_, int] | None = None  # after "key:": its mapping, key, indent
        for number, line in enumerate(text.split("\n")):
            match = _LINE.fullmatch(line.removesuffix("\r"))
            if match is None or (match["dash"] is None and match["key"] is None):
                if _BLANK.fullmatch(line):
                    continue
                raise _Decline
            indent = match.end("indent")
            dash = match["dash"]
            if root is None:
                if dash is not None or indent:
                    raise _Decline
                root = {}
                marks[()] = (number + 1, 1)
                stack.append((0, root, ()))
            elif pending is not None:
                mapping, key, path, parent = pending
                pending = None
                if dash is not None and indent >= parent:
                    child: Any = []
                elif dash is None and indent > parent:
                    child = {}
                else:
                    raise _Decline  # an empty value
                mapping[key] = child
                marks[path] = (number + 1, indent + 1)
                stack.append((indent, child, path))
            else:
                while True:
                    if not stack:
                        raise _Decline
                    top, container, path = stack[-1]
                    if indent == top and (dash is None) == (type(container) is dict):
                        break
                    if indent > top or (indent == top and dash is not None):
                        raise _Decline  # a continuation line, or a sequence not under its key
                    stack.pop()  # less indented, or a key after the sequence that is its parent's value
            top, container, path = stack[-1]
            if dash is not None:
                column = indent + len(dash)
                item: Path_ = (*path, len(container))
                if match["key"] is None:
                    container.append(self._value(match["item"], item, number, column))
                    continue
                mapping = {}
                container.append(mapping)
                marks[item] = (number + 1, column + 1)
                stack.append((column, mapping, item))
                path, container, top = item, mapping, column
            if len(path) >= MAX_DEPTH:
                raise _Decline
            key = self._plain(match["key"], number, match.start("key"))
            if type(key) is not str or key in container:
                raise _Decline
            if match["value"] is None:
                pending = (container, key, (*path, key), top)
            else:
                container[key] = self._value(match["value"], (*path, key), number, match.start("value"))
        if pending is not None or root is None:
            raise _Decline
        return root

    def _plain(self, text: str, line: int, column: int) -> Any:
        value = self.plain.get(text, _MISSING)
        if value is _MISSING:
            value = self.plain[text] = self.builder._plain(_Scalar(text, line, column), ())
        return value

    def _scalar(self, text: str, line: int, column: int) -> Any:
        if text[0] == "'":
            return text[1:-1].replace("''", "'")
        if text[0] == '"':
            return text[1:-1]
        return self._plain(text, line, column)

    def _value(self, text: str, path: Path_, line: int, column: int) -> Any:
        """The value written ``text`` (from ``column`` of ``line`` to the end of the line), marked at ``path``."""
        if len(path) > MAX_DEPTH:
            raise _Decline
        if text[0] not in "[{":
            if not _SCALAR.fullmatch(text):
                raise _Decline
            self.marks[path] = (line + 1, column + 1)
            return self._scalar(text, line, column)
        if _FLAT_MAPPING.fullmatch(text):
            return self._flat_mapping(text, path, line, column)
        tokens = []
        while (end := tokens[-1].end() if tokens else 0) < len(text):
            token = _FLOW_TOKEN.match(text, end)
            if token is None:
                raise _Decline
            tokens.append(token)
        value, end = self._flow(tokens, 0, path, line, column)
        if end != len(tokens):
            raise _Decline
        return value

    def _flat_mapping(self, text: str, path: Path_, line: int, column: int) -> dict[str, Any]:
        """A flow mapping of scalars (``{kind: website, name: site, visits: 1000}``)."""
        marks, plain, number = self.marks, self.plain, line + 1
        if len(path) >= MAX_DEPTH:
            raise _Decline
        marks[path] = (number, column + 1)
        mapping: dict[str, Any] = {}
        for pair in _PAIRS.finditer(text):
            key = plain.get(pair["key"], _MISSING)
            if type(key) is not str:
                key = self._plain(pair["key"], line, column + pair.start("key"))
                if type(key) is not str:
                    raise _Decline
            if key in mapping:
                raise _Decline
            start = pair.start("value")
            marks[(*path, key)] = (number, column + start + 1)
            written = pair["value"]
            value = plain.get(written, _MISSING)
            mapping[key] = self._scalar(written, line, column + start) if value is _MISSING else value
        return mapping

    def _flow(self, tokens: list[re.Match[str]], i: int, path: Path_, line: int, column: int) -> tuple[Any, int]:
        """The flow value starting at ``tokens[i]`` and the index of the token after it."""
        token = tokens[i]
        kind = token.lastgroup
        start = token.start(kind)
        self.marks[path] = (line + 1, column + start + 1)
        if len(path) > MAX_DEPTH:
            raise _Decline
        if kind == "scalar":
            return self._scalar(token[kind], line, column + start), i + 1
        if kind != "open":
            raise _Decline
        mapping = token[kind] == "{"
        value: Any = {} if mapping else []
        i += 1
        while tokens[i].lastgroup != "close":
            if value:
                if tokens[i].lastgroup != "comma":
                    raise _Decline
                i += 1
            if mapping:
                if tokens[i].lastgroup != "key":
                    raise _Decline
                key = self._plain(tokens[i]["key"], line, column + tokens[i].start("key"))
                if type(key) is not str or key in value:
                    raise _Decline
                value[key], i = self._flow(tokens, i + 1, (*path, key), line, column)
            else:
                item, i = self._flow(tokens, i, (*path, len(value)), line, column)
                value.append(item)
        if (tokens[i]["close"] == "}") != mapping:
            raise _Decline
        return value, i + 1
