"""Reading content files safely: size, encoding, YAML with line marks, front matter.

YAML is read with :class:`MarkedSafeLoader`, a ``yaml.SafeLoader`` subclass (or its libyaml twin
:class:`MarkedCSafeLoader` when PyYAML was built with libyaml) used as an event source only.
Documents are built from the events by :meth:`MarkedMixin.build_document`, without recursion,
which gives us:

- the line of every place in the document (keys and values);
- explicit tags (``!!python/object``, ``!custom``, even ``!!str``) reported as errors, never
  constructed;
- duplicate keys reported as errors (YAML would silently keep the last one);
- mapping keys always read as strings (``on:``, ``no:`` or ``1:`` are the keys "on", "no", "1");
- bounded alias expansion: at most :data:`MAX_ALIASES` alias uses and :data:`MAX_NODES` nodes
  after expansion, counted in O(1) per alias, so a "billion laughs" file fails fast;
- bounded nesting (:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from .errors import Place, show

#: Largest content file read, in bytes (2 MiB). Larger files are refused unread.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Most alias uses (``*name``) in one YAML document.
MAX_ALIASES = 1_000
#: Most nodes in one YAML document after alias expansion.
MAX_NODES = 1_000_000
#: Deepest nesting of mappings and lists in one YAML document.
MAX_DEPTH = 64

_BOM = b"\xef\xbb\xbf"
_TAG = "tag:yaml.org,2002:"


class ContentFileError(Exception):
    """A file or a document that cannot be read at all."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        #: True when the YAML parser refused the text (not one of our own checks).
        self.from_parser = False


def read_text(path: Path) -> str:
    """The text of a content file: at most MAX_FILE_BYTES, UTF-8 (a BOM is dropped), no NUL
    bytes; line ends normalised to ``\\n``. Raises :class:`ContentFileError`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentFileError(_too_large(size))
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ContentFileError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentFileError(_too_large(len(data)))
    return decode_text(data)


def _too_large(size: int) -> str:
    return f"file is too large ({size} bytes; the limit is {MAX_FILE_BYTES} bytes, 2 MiB)"


def decode_text(data: bytes) -> str:
    """Bytes of a content file to text (see :func:`read_text`)."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ContentFileError(
            "binary file: contains a NUL byte; content files are UTF-8 text", line
        )
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise ContentFileError(
            f"not valid UTF-8 text (byte 0x{bad} at offset {exc.start}); save the file as UTF-8",
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- YAML ---------------------------------------------------------------------------------------


@dataclass
class Marks:
    """Lines (1-based) of the places of a document."""

    values: dict[Place, int] = field(default_factory=dict)
    keys: dict[Place, int] = field(default_factory=dict)

    def line(self, place: Place) -> int | None:
        """The line of the key naming ``place``, else of its value, else of the nearest
        enclosing place that has one."""
        while True:
            if place in self.keys:
                return self.keys[place]
            if place in self.values:
                return self.values[place]
            if not place:
                return None
            place = place[:-1]


@dataclass
class YamlProblem:
    place: Place
    line: int | None
    message: str


@dataclass
class YamlDocument:
    data: Any
    marks: Marks
    problems: list[YamlProblem]


class _Frame:
    __slots__ = ("container", "place", "anchor", "size", "key", "skip", "is_map")

    def __init__(self, container: dict | list, place: Place, anchor: str | None) -> None:
        self.container = container
        self.place = place
        self.anchor = anchor
        self.size = 1
        self.key: str | None = None
        self.skip = False
        self.is_map = isinstance(container, dict)


def _tag_message(tag: str) -> str:
    short = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return f"YAML tags are not allowed: {show(short)}"


class MarkedMixin:
    """Builds one document from parser events; see the module docstring."""

    def build_document(self, line_offset: int = 0) -> YamlDocument:
        marks = Marks()
        problems: list[YamlProblem] = []
        anchors: dict[str, tuple[Any, int]] = {}
        stack: list[_Frame] = []
        nodes = 0
        aliases = 0
        result: Any = None

        def line_of(event: Any) -> int | None:
            mark = event.start_mark
            return None if mark is None else mark.line + 1 + line_offset

        def fatal(message: str, event: Any) -> ContentFileError:
            return ContentFileError(message, line_of(event))

        self.get_event()  # StreamStartEvent
        if self.check_event(StreamEndEvent):
            return YamlDocument(None, marks, problems)
        self.get_event()  # DocumentStartEvent

        while True:
            event = self.get_event()
            if isinstance(event, DocumentEndEvent):
                break
            if isinstance(event, MappingEndEvent | SequenceEndEvent):
                frame = stack.pop()
                value, size = frame.container, frame.size
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, size)
                if stack:
                    self._attach(stack[-1], value, size)
                else:
                    result = value
                continue

            parent = stack[-1] if stack else None
            line = line_of(event)

            if parent is not None and parent.is_map and parent.key is None:
                # a key
                if isinstance(event, AliasEvent):
                    entry = anchors.get(event.anchor or "")
                    if entry is None or not isinstance(entry[0], str):
                        raise fatal("mapping keys must be plain strings", event)
                    key = entry[0]
                elif isinstance(event, ScalarEvent):
                    key = event.value
                    if event.tag is not None:
                        problems.append(
                            YamlProblem(
                                parent.place + (key,),
                                line,
                                _tag_message(event.tag),
                            )
                        )
                    elif event.implicit[0] and key == "<<":
                        problems.append(
                            YamlProblem(
                                parent.place + (key,), line, "merge keys ('<<') are not supported"
                            )
                        )
                    if event.anchor is not None:
                        anchors[event.anchor] = (key, 1)
                else:
                    raise fatal("mapping keys must be plain strings, not lists or mappings", event)
                place = parent.place + (key,)
                if key in parent.container:
                    problems.append(YamlProblem(place, line, f"duplicate key {show(key)}"))
                    parent.skip = True
                else:
                    marks.keys[place] = line  # type: ignore[assignment]
                    parent.skip = False
                parent.key = key
                nodes += 1
                continue

            if parent is None:
                place: Place = ()
            elif parent.is_map:
                place = parent.place + (parent.key,)  # type: ignore[operator]
            else:
                place = parent.place + (len(parent.container),)

            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                if event.tag is not None:
                    problems.append(YamlProblem(place, line, _tag_message(event.tag)))
                if len(stack) >= MAX_DEPTH:
                    raise fatal(f"the document is nested too deeply (limit {MAX_DEPTH})", event)
                nodes += 1
                if nodes > MAX_NODES:
                    raise fatal(f"the document has too many nodes (limit {MAX_NODES})", event)
                if line is not None and (parent is None or not parent.skip):
                    marks.values.setdefault(place, line)
                container: dict | list = {} if isinstance(event, MappingStartEvent) else []
                stack.append(_Frame(container, place, event.anchor))
                continue

            if isinstance(event, AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise fatal(f"too many aliases (limit {MAX_ALIASES})", event)
                entry = anchors.get(event.anchor or "")
                if entry is None:
                    raise fatal(f"unknown alias {show('*' + (event.anchor or ''))}", event)
                value, size = entry
                nodes += size
                if nodes > MAX_NODES:
                    raise fatal(
                        f"aliases expand to too many nodes (limit {MAX_NODES}); "
                        "is this a 'billion laughs' file?",
                        event,
                    )
            elif isinstance(event, ScalarEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise fatal(f"the document has too many nodes (limit {MAX_NODES})", event)
                size = 1
                value = self._scalar(event, place, line, problems)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            else:  # pragma: no cover - the parser emits nothing else here
                raise fatal(f"unexpected YAML event {type(event).__name__}", event)

            if line is not None and (parent is None or not parent.skip):
                marks.values.setdefault(place, line)
            if parent is None:
                result = value
            else:
                self._attach(parent, value, size)

        if not self.check_event(StreamEndEvent):
            event = self.peek_event()
            if isinstance(event, DocumentStartEvent):
                raise fatal("the file holds more than one YAML document ('---')", event)
        return YamlDocument(result, marks, problems)

    @staticmethod
    def _attach(frame: _Frame, value: Any, size: int) -> None:
        frame.size += size
        if frame.is_map:
            if not frame.skip:
                frame.container[frame.key] = value  # type: ignore[index]
            frame.key = None
            frame.skip = False
        else:
            frame.container.append(value)  # type: ignore[union-attr]

    def _scalar(self, event: ScalarEvent, place: Place, line: int | None, problems: list) -> Any:
        if event.tag is not None:
            problems.append(YamlProblem(place, line, _tag_message(event.tag)))
            return None
        value = event.value
        if not event.implicit[0]:
            return value  # quoted or block scalar: always a string
        # fast paths for the common plain scalars (same results as the resolver)
        resolvers = self.yaml_implicit_resolvers
        if value and value[0] not in resolvers and None not in resolvers:
            return value
        if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            if len(value) < 4000:
                return int(value)
        tag = self.resolve(ScalarNode, value, (True, False))
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            if tag == _TAG + "null":
                return None
            if tag == _TAG + "bool":
                return self.construct_yaml_bool(node)
            if tag == _TAG + "int":
                return self.construct_yaml_int(node)
            if tag == _TAG + "float":
                value = self.construct_yaml_float(node)
                if not math.isfinite(value):
                    problems.append(
                        YamlProblem(place, line, f"not a finite number: {show(event.value)}")
                    )
                    return None
                return value
            if tag == _TAG + "timestamp":
                return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError, TypeError):
            problems.append(YamlProblem(place, line, f"cannot read the value {show(event.value)}"))
            return None
        return event.value


class MarkedSafeLoader(MarkedMixin, yaml.SafeLoader):
    """Pure-Python safe loader building marked documents."""


if getattr(yaml, "__with_libyaml__", False):

    class MarkedCSafeLoader(MarkedMixin, yaml.CSafeLoader):  # type: ignore[misc]
        """The same on libyaml's parser (several times faster)."""

    DEFAULT_LOADER: type = MarkedCSafeLoader
else:  # pragma: no cover - depends on how PyYAML was built
    DEFAULT_LOADER = MarkedSafeLoader


def parse_yaml(text: str, line_offset: int = 0, loader: type | None = None) -> YamlDocument:
    """Parse one YAML document. Never raises anything but :class:`ContentFileError`.

    The limits and their messages are ours, whatever the parser's own limits are: libyaml may
    refuse a document before our checks see it (it scans up to 1,024 characters ahead, and newer
    releases stop at their own nesting depth, in their own words), so a document that libyaml
    refuses is read again with the pure-Python parser, which reaches our checks first."""
    cls = loader or DEFAULT_LOADER
    try:
        return _parse_yaml(text, line_offset, cls)
    except ContentFileError as error:
        if cls is MarkedSafeLoader or not error.from_parser:
            raise
    return _parse_yaml(text, line_offset, MarkedSafeLoader)


def _parse_yaml(text: str, line_offset: int, cls: type) -> YamlDocument:
    try:
        instance = cls(text)
    except Exception as exc:  # pragma: no cover - defensive
        raise ContentFileError(f"cannot read YAML: {exc}") from None
    try:
        return instance.build_document(line_offset)
    except ContentFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1 + line_offset
        parts = [part for part in (exc.context, exc.problem) if part]
        error = ContentFileError("invalid YAML: " + ", ".join(parts), line)
        error.from_parser = True
        raise error from None
    except yaml.reader.ReaderError as exc:
        # the position is in characters (Python reader) or bytes (libyaml): find the character
        line = None
        character = getattr(exc, "character", None)
        index = text.find(chr(character)) if isinstance(character, int) else -1
        if index >= 0:
            line = text.count("\n", 0, index) + 1 + line_offset
        raise ContentFileError(f"invalid YAML: {exc.reason}", line) from None
    except yaml.YAMLError as exc:
        raise ContentFileError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ContentFileError("invalid YAML: nested too deeply") from None
    except Exception as exc:  # the parsers' own failures on odd input
        raise ContentFileError(f"invalid YAML ({type(exc).__name__})") from None
    finally:
        try:
            instance.dispose()
        except Exception:  # pragma: no cover - defensive
            pass


# --- front matter -------------------------------------------------------------------------------


@dataclass
class FrontMatter:
    yaml_text: str
    body: str
    line_offset: int  # lines before the YAML text (the opening '---')


def split_front_matter(text: str) -> FrontMatter:
    """Split ``---\\n<yaml>\\n---\\n<body>``. Raises :class:`ContentFileError`."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentFileError(
            "a lesson starts with a YAML front matter block: "
            "a line '---', the fields, a line '---'",
            1,
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return FrontMatter(yaml_text, body, 1)
    raise ContentFileError("the front matter block is not closed by a line '---'", 1)
