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
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping

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


def _renderers() -> tuple[markdown.Markdown, bleach.sanitizer.Cleaner]:
    """Per-thread instances: neither Markdown nor Cleaner is thread-safe."""
    pair = getattr(_local, "pair", None)
    if pair is None:
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
        pair = _local.pair = (md, cleaner)
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


def render_markdown(source: str) -> str:
    """Markdown source to sanitized HTML (see the module docstring for the allow-list)."""
    if not source:
        return ""
    md, cleaner = _renderers()
    try:
        html = md.reset().convert(join_cjk_lines(source))
    finally:
        md.reset()
    return cleaner.clean(html).strip()


def render_text_map(text: Mapping[str, str] | None) -> dict[str, str]:
    """Render every locale of a text (a :class:`~lms.content.model.Text` or a mapping)."""
    if text is None:
        return {}
    items = text.items() if hasattr(text, "items") else ()
    return {locale: render_markdown(source) for locale, source in items}
