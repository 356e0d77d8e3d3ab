"""Markdown to safe HTML. The only module of the project that imports ``markdown`` or ``bleach``.

Python-Markdown (extensions ``tables``, ``fenced_code``, ``sane_lists``, ``toc``) turns the source
into HTML, then a ``bleach.sanitizer.Cleaner`` keeps only the allow-list below:

- tags for text, lists, tables, code, headings, links and images (:data:`ALLOWED_TAGS`);
- attributes (:data:`ALLOWED_ATTRIBUTES`): ``href``/``title`` on ``a``; ``src``/``alt``/``title``
  on ``img``; ``title`` on ``abbr``; ``id`` on headings (a slug); ``class`` on ``code`` (only
  ``language-*``); ``align`` on table cells (left, center, right); ``start`` on ``ol`` (digits);
- URL protocols ``http``, ``https``, ``mailto`` and relative URLs (:data:`ALLOWED_PROTOCOLS`);
  ``javascript:``, ``vbscript:``, ``data:`` and every other scheme are dropped, also when hidden
  by entities, case, whitespace, control or zero-width characters;
- elements whose content is code or would show as junk (``script``, ``style``, ``iframe``,
  ``svg``, ``math``, ``object``, ``template`` ... :data:`DROPPED_WITH_CONTENT`) are removed with
  everything inside them; other unknown tags are removed and their text kept;
- every link gets ``rel="nofollow noopener"``.

HTML comments are removed. Bump :data:`RENDERER_VERSION` whenever the output for the same source
may change (allow-list, extensions, options), so that stored HTML is re-rendered.

Bounds. Python-Markdown needs quadratic time on some inputs (long runs of ``[`` or ``<http://``,
big tables) and deep nesting exhausts the recursion limit. So :func:`render_markdown` first
refuses a source longer than :data:`MAX_SOURCE_CHARS` or nested deeper than
:data:`MAX_NESTING` (a linear scan, see :func:`check_source`), then renders in a separate worker
process that is killed when the render has used :data:`RENDER_CPU_SECONDS` of processor time
(the bound on the work, whatever the load of the machine) or has lasted
:data:`RENDER_WALL_SECONDS` (the bound on the wait). Every refusal raises
:class:`MarkdownError`. A failed render leaves nothing behind: the worker, or the
in-process renderer of the thread, is replaced.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import bleach
import markdown
from bleach.html5lib_shim import Filter

RENDERER_VERSION = 2

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

ALLOWED_TAGS = frozenset(
    {
        # text
        "p", "br", "hr", "blockquote", "em", "strong", "b", "i", "u", "s", "del", "ins",
        "sub", "sup", "small", "mark", "kbd", "abbr", "span",
        # lists
        "ul", "ol", "li", "dl", "dt", "dd",
        # tables
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        # code
        "pre", "code",
        # headings, links, images
        *HEADINGS, "a", "img",
    }
)  # fmt: skip

DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp", "plaintext",
        "iframe", "frame", "frameset", "object", "embed", "applet", "param", "svg", "math",
        "textarea", "select", "option", "title", "head", "meta", "base", "link", "audio",
        "video", "source", "track", "canvas", "map", "area", "portal", "dialog",
    }
)  # fmt: skip

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_SLUG_RE = re.compile(r"^[\w-]{1,128}$")
_LANGUAGE_CLASS_RE = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")
_ALIGN = frozenset({"left", "center", "right"})


def _heading_attr(tag: str, name: str, value: str) -> bool:
    return name == "id" and bool(_SLUG_RE.match(value))


def _code_attr(tag: str, name: str, value: str) -> bool:
    return name == "class" and bool(_LANGUAGE_CLASS_RE.match(value))


def _cell_attr(tag: str, name: str, value: str) -> bool:
    return name == "align" and value in _ALIGN


def _ol_attr(tag: str, name: str, value: str) -> bool:
    return name == "start" and value.isascii() and value.isdigit() and len(value) <= 9


ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title"],
    "abbr": ["title"],
    "code": _code_attr,
    "th": _cell_attr,
    "td": _cell_attr,
    "ol": _ol_attr,
    **{heading: _heading_attr for heading in HEADINGS},
}

LINK_REL = "nofollow noopener"


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors: NFKC, lower case, letters/digits/``_`` (any script) joined by ``-``."""
    value = unicodedata.normalize("NFKC", value).lower()
    value = re.sub(r"[^\w\s-]", "", value)
    value = re.sub(r"[\s_-]+", separator, value).strip(separator)
    return value[:64].strip(separator) or "section"


_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|<])")
_PLAIN_STEPS = (
    # block markers: headings, quotes, list bullets and numbers
    (re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.M), ""),
    (re.compile(r"<[^<>\n]*>"), ""),  # inline HTML tags
    (re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\[\]\n]*)\](?:\([^()\n]*\)|\[[^\[\]\n]*\])"), r"\1"),  # links
    (re.compile(r"(?<!`)(`+)([^`]+)\1(?!`)"), r"\2"),  # code spans
    (re.compile(r"\*\*([^*]+)\*\*"), r"\1"),
    (re.compile(r"__([^_]+)__"), r"\1"),
    (re.compile(r"\*([^*]+)\*"), r"\1"),
    (re.compile(r"(?<!\w)_([^_]+)_(?!\w)"), r"\1"),
    (re.compile(r"~~([^~]+)~~"), r"\1"),
)


def plain_text(source: object) -> str:
    """A Markdown source as one line of plain text for lists (emphasis, code marks, links,
    images, tags and block markers removed; escaped characters kept). No HTML is produced: the
    result is escaped like any text. Each pattern stops at its own delimiter, so the work stays
    linear in the length of the source whatever it holds."""
    if not isinstance(source, str):
        return ""
    escaped: list[str] = []

    def keep(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = _ESCAPED.sub(keep, source.replace("\ue000", "").replace("\ue001", ""))
    for pattern, replacement in _PLAIN_STEPS:
        text = pattern.sub(replacement, text)
    text = re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], text)
    return " ".join(text.split())


class _DropContentFilter(Filter):
    """Removes each element not on the allow-list together with everything inside it.

    Runs after bleach's sanitizer, which has been told to pass :data:`DROPPED_WITH_CONTENT`
    through as elements (so that their content is parsed as their content, not as text)."""

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            if depth:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth -= 1
                continue
            if kind in ("StartTag", "EmptyTag", "EndTag") and token["name"] not in ALLOWED_TAGS:
                if kind == "StartTag":
                    depth = 1
                continue
            yield token


class _LinkRelFilter(Filter):
    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


_local = threading.local()
_log = logging.getLogger(__name__)


def _build_renderers() -> tuple[markdown.Markdown, bleach.sanitizer.Cleaner]:
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": slugify, "marker": "", "permalink": False},
        },
        output_format="html",
    )
    cleaner = bleach.sanitizer.Cleaner(
        tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_DropContentFilter, _LinkRelFilter],
    )
    return md, cleaner


def _renderers() -> tuple[markdown.Markdown, bleach.sanitizer.Cleaner]:
    """Per-thread instances: neither Markdown nor Cleaner is thread-safe."""
    pair = getattr(_local, "pair", None)
    if pair is None:
        pair = _local.pair = _build_renderers()
    return pair


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])\n(?=[{_CJK}])")
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def join_cjk_lines(source: str) -> str:
    """Join lines of a paragraph that break between two CJK characters.

    Markdown turns a line break inside a paragraph into a space, which is right between English
    words but shows as a stray gap between Chinese characters. Fenced code is left alone."""
    parts = _FENCE.split(source)
    # split() with one group alternates text, fence marker, text ...; code sits between markers.
    in_code = False
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            in_code = not in_code
            out.append(part)
        else:
            out.append(part if in_code else _CJK_LINE_BREAK.sub("", part))
    return "".join(out)


# --- bounds -------------------------------------------------------------------------------------

MAX_SOURCE_CHARS = 200_000
"""Longest Markdown source of one field (the lesson editor's limit for a body)."""

MAX_NESTING = 20
"""Deepest nesting of lists, quotes and indentation (see :func:`nesting_depth`)."""

RENDER_CPU_SECONDS = 1.0
"""Processor time a render may use; its worker process is killed past it (Linux: read from
/proc; elsewhere only the wall-clock limit applies)."""

RENDER_WALL_SECONDS = 3.0
"""Wall-clock time a render may last, however busy the machine is."""

ISOLATED = True
"""Render in worker processes (the time bound). Off only to debug the renderer itself."""

MAX_IDLE_WORKERS = 4


class MarkdownError(ValueError):
    """A Markdown source that is refused: ``reason`` is one of ``TOO_LONG``, ``TOO_DEEP``,
    ``TOO_SLOW`` or ``FAILED``; ``limit`` is the limit passed and ``found`` what was found
    (characters, levels, seconds)."""

    TOO_LONG = "too_long"
    TOO_DEEP = "too_deep"
    TOO_SLOW = "too_slow"
    FAILED = "failed"

    def __init__(self, reason: str, *, limit: float = 0, found: float = 0, line: int = 0):
        self.reason = reason
        self.limit = limit
        self.found = found
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.reason == self.TOO_LONG:
            return (
                f"the Markdown is too long to render: {self.found:,.0f} characters, "
                f"at most {self.limit:,.0f}"
            )
        if self.reason == self.TOO_DEEP:
            where = f" (line {self.line} has {self.found:.0f})" if self.line else ""
            return (
                f"the Markdown is nested too deeply: at most {self.limit:.0f} levels of lists, "
                f"quotes and indentation{where}"
            )
        if self.reason == self.TOO_SLOW:
            return (
                f"the Markdown takes too long to render (more than {self.limit:g} s): shorten "
                "it or split it, and avoid long runs of unclosed brackets or angle brackets"
            )
        return "the Markdown could not be rendered"


_INDENT_OR_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))?")


def nesting_depth(line: str) -> int:
    """How deeply a line nests: one level per quote marker (``>``), per list marker at the start
    of the line (``-``, ``*``, ``+``, ``1.``, ``1)``) and per four columns of indentation (a tab
    counts to the next multiple of four). An upper bound of what Python-Markdown nests."""
    depth = 0
    position = 0
    while position < len(line):
        match = _INDENT_OR_MARKER.match(line, position)
        end = match.end()
        if end == position:
            break
        columns = 0
        for char in match.group():
            if char == " ":
                columns += 1
            elif char == "\t":
                columns += 4 - columns % 4
            else:
                depth += 1
                break
        depth += columns // 4
        position = end
    return depth


def check_source(source: str) -> None:
    """Refuse (:class:`MarkdownError`) a source longer than :data:`MAX_SOURCE_CHARS` or with a
    line nested deeper than :data:`MAX_NESTING` outside fenced code. Linear time."""
    if len(source) > MAX_SOURCE_CHARS:
        raise MarkdownError(MarkdownError.TOO_LONG, limit=MAX_SOURCE_CHARS, found=len(source))
    in_code = False
    for number, line in enumerate(source.split("\n"), start=1):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code or len(line) < MAX_NESTING:
            continue
        depth = nesting_depth(line)
        if depth > MAX_NESTING:
            raise MarkdownError(MarkdownError.TOO_DEEP, limit=MAX_NESTING, found=depth, line=number)


# --- rendering ----------------------------------------------------------------------------------


def _render_here(source: str) -> str:
    """Render in this thread. After any failure the thread's instances are dropped, so the next
    render starts from a fresh parser."""
    md, cleaner = _renderers()
    try:
        html = md.reset().convert(join_cjk_lines(source))
        md.reset()
        return cleaner.clean(html).strip()
    except BaseException:
        _local.pair = None
        raise


def render_markdown(source: str) -> str:
    """Markdown source to sanitized HTML (see the module docstring for the allow-list and the
    bounds). Raises :class:`MarkdownError` for a source that is refused."""
    if not source:
        return ""
    check_source(source)
    if not ISOLATED:
        return _render_in_process(source)
    return _render_isolated(source)


def _render_in_process(source: str) -> str:
    try:
        return _render_here(source)
    except RecursionError:
        raise MarkdownError(MarkdownError.TOO_DEEP, limit=MAX_NESTING) from None


# --- worker processes ---------------------------------------------------------------------------
#
# A worker is `python -P <this file> --serve`, reading requests on stdin and answering on stdout.
# Request: 4-byte big-endian length, UTF-8 source. Answer: one status byte (b"o" HTML, b"d" too
# deeply nested, b"f" failed), 4-byte length, UTF-8 payload. Idle workers are kept in a pool;
# a render takes one (or starts one), so concurrent renders never wait for each other.

_HEADER = struct.Struct(">I")
_POLL_SECONDS = 0.05
_STARTUP_SECONDS = 30.0
_READY = b"r"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_ENCODING = ("utf-8", "surrogatepass")


class _WorkerGone(Exception):
    pass


class _Worker:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            close_fds=True,
        )
        self.ready = False

    def cpu_seconds(self) -> float | None:
        """Processor time the worker has used so far (None where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime

    def wait_ready(self) -> None:
        """Wait for the worker to have imported the renderer (its start-up is not counted in
        a render's time); OSError if it does not get there."""
        if not self.ready:
            try:
                answer = self._read(1, time.monotonic() + _STARTUP_SECONDS, None)
            except (TimeoutError, _WorkerGone):
                answer = b""
            if answer != _READY:
                self.close()
                raise OSError("the worker process did not start")
            self.ready = True

    def render(self, source: str, cpu: float, wall: float) -> tuple[bytes, str]:
        data = source.encode(*_ENCODING)
        deadline = time.monotonic() + wall
        start = self.cpu_seconds()
        budget = None if start is None else start + cpu
        try:
            self.process.stdin.write(_HEADER.pack(len(data)) + data)
        except (BrokenPipeError, OSError, ValueError) as error:
            raise _WorkerGone from error
        header = self._read(1 + _HEADER.size, deadline, budget)
        (length,) = _HEADER.unpack(header[1:])
        return header[:1], self._read(length, deadline, budget).decode(*_ENCODING)

    def _read(self, size: int, deadline: float, budget: float | None) -> bytes:
        chunks: list[bytes] = []
        stream = self.process.stdout
        while size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if not select.select([stream], [], [], min(left, _POLL_SECONDS))[0]:
                used = self.cpu_seconds() if budget is not None else None
                if used is not None and used > budget:
                    raise TimeoutError
                continue
            chunk = os.read(stream.fileno(), min(size, 1 << 20))
            if not chunk:
                raise _WorkerGone
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        process = self.process
        if self.pid == os.getpid() and process.poll() is None:
            process.kill()  # in a forked copy the worker belongs to the parent: only let go
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.pid == os.getpid():
            process.wait()


_pool_lock = threading.Lock()
_idle: list[_Worker] = []


def _take_worker() -> _Worker:
    with _pool_lock:
        while _idle:
            worker = _idle.pop()
            if worker.process.poll() is None:
                return worker
            worker.close()
    worker = _Worker()
    worker.wait_ready()
    return worker


def _give_back(worker: _Worker) -> None:
    with _pool_lock:
        if len(_idle) < MAX_IDLE_WORKERS:
            _idle.append(worker)
            return
    worker.close()


def close_workers() -> None:
    """Stop the idle workers (at exit; the next render starts a new one)."""
    with _pool_lock:
        workers = list(_idle)
        _idle.clear()
    for worker in workers:
        worker.close()


def _forget_workers_after_fork() -> None:
    """In a forked process the pool's workers are the parent's: let go of them."""
    for worker in _idle:
        worker.close()
    _idle.clear()


def _render_isolated(source: str) -> str:
    for attempt in (1, 2):
        try:
            worker = _take_worker()
        except OSError as error:
            # No worker can start (no python executable, no processes left, a server whose
            # sys.executable is not Python): render here, within the length and nesting
            # limits but without the time limit.
            _log.error("Markdown worker process cannot start (%s); rendering in-process", error)
            return _render_in_process(source)
        try:
            status, payload = worker.render(source, RENDER_CPU_SECONDS, RENDER_WALL_SECONDS)
        except TimeoutError:
            worker.close()
            raise MarkdownError(MarkdownError.TOO_SLOW, limit=RENDER_CPU_SECONDS) from None
        except _WorkerGone:
            worker.close()
            if attempt == 2:
                raise MarkdownError(MarkdownError.FAILED) from None
            continue  # an idle worker may have been stopped: one more try with a new one
        except BaseException:
            worker.close()
            raise
        _give_back(worker)
        if status == b"o":
            return payload
        if status == b"d":
            raise MarkdownError(MarkdownError.TOO_DEEP, limit=MAX_NESTING)
        raise MarkdownError(MarkdownError.FAILED)
    raise AssertionError("unreachable")  # pragma: no cover


WORKER_CPU_BACKSTOP_SECONDS = 10
"""A worker ends itself (SIGXCPU) past this much processor time for one render: the web process
kills it long before, unless the web process itself is gone."""


def _cpu_backstop(seconds: int) -> None:
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime) + seconds
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass


def _serve(requests, answers) -> None:
    """The worker's loop: render each request until stdin closes."""

    def read(size: int) -> bytes | None:
        data = requests.read(size)
        return data if data is not None and len(data) == size else None

    answers.write(_READY)
    answers.flush()
    while True:
        header = read(_HEADER.size)
        if header is None:
            return
        body = read(_HEADER.unpack(header)[0])
        if body is None:
            return
        _cpu_backstop(WORKER_CPU_BACKSTOP_SECONDS)
        try:
            status, html = b"o", _render_here(body.decode(*_ENCODING))
        except RecursionError:
            status, html = b"d", ""
        except Exception as error:  # any bug of a dependency: reported, the worker lives on
            status, html = b"f", type(error).__name__
        payload = html.encode(*_ENCODING)
        answers.write(status + _HEADER.pack(len(payload)) + payload)
        answers.flush()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_after_fork)

atexit.register(close_workers)


def render_text_map(text: Mapping[str, str] | None) -> dict[str, str]:
    """Render every locale of a text (a :class:`~lms.content.model.Text` or a mapping)."""
    if text is None:
        return {}
    items = text.items() if hasattr(text, "items") else ()
    return {locale: render_markdown(source) for locale, source in items}


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve(sys.stdin.buffer, sys.stdout.buffer)
