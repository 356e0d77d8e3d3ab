"""Markdown rendering: nothing executable survives; ordinary Markdown does."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lms.content.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    RENDERER_VERSION,
    render_markdown,
    render_text_map,
)
from lms.content.model import Text

SAFE_SCHEMES = {"http", "https", "mailto"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def _scheme(url: str) -> str | None:
    # the parser has decoded the attribute once, as a browser does
    value = re.sub(r"[\x00-\x20\x7f-\xa0\s`]+", "", url)
    value = re.sub(r"[^\x00-\x7f]", "", value).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", value)
    return match.group(1) if match else None


def assert_safe(output: str) -> None:
    collector = _Collector()
    collector.feed(output)
    collector.close()
    for tag, attrs in collector.elements:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived in {output!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, [])
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} in {output!r}"
            if tag == "a" and name == "rel":
                assert value == "nofollow noopener"
                continue
            assert callable(allowed) or name in allowed, f"{tag}[{name}] in {output!r}"
            if name in ("href", "src"):
                scheme = _scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, f"{name}={value!r} in {output!r}"
    lowered = output.lower()
    for needle in (
        "<script",
        "<style",
        "<iframe",
        "<svg",
        "<math",
        "<object",
        "<embed",
        "<form",
        "<meta",
        "<base",
        "<link",
        "<button",
        "formaction",
        "srcdoc",
        "xlink",
    ):
        assert needle not in lowered, f"{needle} in {output!r}"


HOSTILE = [
    # raw script and style: neither the tags nor their content survive
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    # event handlers
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<h2 id="x" onfocus="alert(1)" tabindex=1>h</h2>',
    # javascript:, vbscript:, data: in every link form
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](java&#8203;script:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](vbscript:msgbox(alert))",
    "[x](VBScript:alert)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    '[x](javascript:alert(1) "title")',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <vbscript:alert(1)>",
    "[ref]\n\n[ref]: data:text/html,alert(1)",
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "![i](javascript:alert(1))",
    "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![i][img]\n\n[img]: data:image/png;base64,AAAA",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#14;javascript:alert(1)">x</a>',
    '<a href="javas&#99;ript:alert(1)">x</a>',
    '<a href="java&#0000115;cript:alert(1)">x</a>',
    '<a href="javascript&#x3A;alert(1)">x</a>',
    '<img src="jav\u200bascript:alert(1)">',
    '<img src="vbscript:alert(1)">',
    '<img srcset="javascript:alert(1) 1x">',
    '[x](https://ok.example"onmouseover="alert(1))',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgb25sb2FkPSdhbGVydCgxKSc+"/></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="data:x,<script>alert(1)</script>">y</mi></math>',
    # frames, objects, forms, meta, base
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    '<input type="image" formaction="javascript:alert(1)" src=x>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    '<video><source onerror="alert(1)"></video>',
    "<marquee onstart=alert(1)>x</marquee>",
    # comments and conditional comments
    "<!--<script>alert(1)</script>-->",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    # Markdown inside HTML and HTML inside Markdown
    "*<script>alert(1)</script>*",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "> <img src=x onerror=alert(1)>",
    "- [x](javascript:alert(1))\n- ![y](vbscript:alert(1))",
    "# <script>alert(1)</script> heading",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable_survives(source):
    assert_safe(render_markdown(source))


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe srcdoc=x>alert(1)</iframe>",
        "<textarea><script>alert(1)</script></textarea>",
        "<noscript>alert(1)</noscript>",
        "*<script>alert(1)</script>*",
        "| a |\n|---|\n| <script>alert(1)</script> |",
    ],
)
def test_dangerous_element_content_is_removed(source):
    assert "alert" not in render_markdown(source)


def test_script_and_style_content_does_not_leak_as_text():
    out = render_markdown(
        "before <script>var secret = 1;</script><style>.x{color:red}</style> after"
    )
    assert "secret" not in out and "color" not in out
    assert "before" in out and "after" in out


def test_unknown_harmless_tags_keep_their_text():
    out = render_markdown("<div><font color=red>kept text</font></div>")
    assert "kept text" in out and "<div" not in out and "<font" not in out


def test_links_survive_with_rel():
    out = render_markdown('[Docs](https://example.com/docs "The docs")')
    assert (
        '<a href="https://example.com/docs" title="The docs" rel="nofollow noopener">Docs</a>'
        in out
    )


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[a](/courses/time-management)", "/courses/time-management"),
        ("[a](#plan-your-day)", "#plan-your-day"),
        ("[a](other-lesson)", "other-lesson"),
        ("[a](http://example.com/?q=1&x=2)", "http://example.com/?q=1&amp;x=2"),
        ("[a](mailto:coach@example.com)", "mailto:coach@example.com"),
    ],
)
def test_relative_and_safe_urls_survive(source, href):
    assert f'href="{href}"' in render_markdown(source)


def test_autolink_survives():
    out = render_markdown("<https://example.com>")
    assert '<a href="https://example.com" rel="nofollow noopener">https://example.com</a>' in out


def test_images_survive():
    out = render_markdown('![A chart](https://example.com/chart.png "Sales")')
    assert '<img alt="A chart" src="https://example.com/chart.png" title="Sales">' in out or (
        'src="https://example.com/chart.png"' in out
        and 'alt="A chart"' in out
        and 'title="Sales"' in out
    )


def test_emphasis_code_and_quotes():
    out = render_markdown("*em* **strong** `code <b>` ~~x~~\n\n> quoted")
    assert "<em>em</em>" in out and "<strong>strong</strong>" in out
    assert "<code>code &lt;b&gt;</code>" in out
    assert "<blockquote>" in out


def test_fenced_code_keeps_its_language_class():
    out = render_markdown("```python\nprint('<hi>')\n```")
    assert "<pre><code class=\"language-python\">print('&lt;hi&gt;')" in out


def test_tables_with_alignment():
    out = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert (
        "<table>" in out and '<th align="left">a</th>' in out and '<td align="right">2</td>' in out
    )


def test_lists():
    out = render_markdown("3. three\n4. four\n\n- a\n- b")
    assert '<ol start="3">' in out and "<ul>" in out and "<li>a</li>" in out


def test_heading_anchors():
    out = render_markdown("# Plan your day!\n\n## Plan your day!\n\n## 计划 你的一天")
    assert '<h1 id="plan-your-day">Plan your day!</h1>' in out
    assert '<h2 id="plan-your-day_1">' in out
    assert '<h2 id="计划-你的一天">' in out


def test_raw_heading_ids_must_be_slugs():
    out = render_markdown('<h2 id="a b" class="x">t</h2><h3 id="ok-id">u</h3>')
    assert "<h2>t</h2>" in out and '<h3 id="ok-id">u</h3>' in out


def test_text_is_escaped():
    assert render_markdown("a < b & c") == "<p>a &lt; b &amp; c</p>"


def test_empty_source():
    assert render_markdown("") == ""


def test_renderer_version_and_text_maps():
    assert isinstance(RENDERER_VERSION, int) and RENDERER_VERSION >= 1
    rendered = render_text_map(Text({"en": "*hi*", "zh-CN": "**你好**"}))
    assert rendered == {"en": "<p><em>hi</em></p>", "zh-CN": "<p><strong>你好</strong></p>"}
    assert render_text_map(None) == {}


def test_only_this_module_imports_markdown_or_bleach():
    package = Path(__file__).resolve().parents[2] / "lms"
    pattern = re.compile(r"^\s*(import|from)\s+(markdown|bleach)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if path.name != "markdown.py" or path.parent.name != "content"
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_line_breaks_between_chinese_characters_are_joined():
    from lms.content.markdown import render_markdown

    source = "执行力靠的是闭环管理，\n同样如此。\nPlan the\nday.\n\n```\n代码\n代码\n```"
    html = render_markdown(source)
    assert "<p>执行力靠的是闭环管理，同样如此。\nPlan the\nday.</p>" in html
    assert "<code>代码\n代码\n</code>" in html
