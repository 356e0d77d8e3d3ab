"""Reading files safely: tags, aliases, size, encoding, broken YAML."""

from __future__ import annotations

import time

import pytest

from lms.content import MAX_ALIASES, MAX_FILE_BYTES
from lms.content.yamlsafe import (
    DEFAULT_LOADER,
    MAX_DEPTH,
    ContentFileError,
    MarkedSafeLoader,
    parse_yaml,
)

SCENARIO = "scenarios/price-too-high.yaml"
QUIZ = "courses/time-management/time-basics.quiz.yaml"
LESSON = "courses/time-management/plan-your-day.md"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_python_tag_is_an_error(ws, expect):
    line = ws.replace(
        SCENARIO,
        "title: {en: The price is too high, zh-CN: 价格太高}",
        'title: !!python/object/apply:os.system ["touch /tmp/pwned"]',
    )
    result = ws.load()
    expect(
        result,
        SCENARIO,
        "title",
        "YAML tags are not allowed",
        "!!python/object/apply:os.system",
        line=line,
    )


def test_custom_tag_is_an_error(ws, expect):
    line = ws.replace(SCENARIO, "say: Goodbye.", "say: !shout Goodbye.")
    expect(ws.load(), SCENARIO, "nodes.lost.say", "YAML tags are not allowed: '!shout'", line=line)


def test_tag_on_a_mapping_is_an_error(ws, expect):
    line = ws.replace(SCENARIO, "persona:\n", "persona: !!python/object:builtins.dict\n")
    expect(ws.load(), SCENARIO, "persona", "'!!python/object:builtins.dict'", line=line)


def test_billion_laughs_fails_fast(ws, expect):
    ws.write(SCENARIO, BILLION_LAUGHS)
    started = time.perf_counter()
    result = ws.load()
    assert time.perf_counter() - started < 2
    error = expect(result, SCENARIO, "", "too many nodes", "billion laughs")
    assert error.line is not None


def test_too_many_aliases(ws, expect):
    aliases = ", ".join(["*x"] * (MAX_ALIASES + 1))
    ws.write(SCENARIO, f"a: &x 1\nb: [{aliases}]\n")
    expect(ws.load(), SCENARIO, "", f"too many aliases (limit {MAX_ALIASES})", line=2)


def test_a_few_aliases_are_fine(ws):
    text = ws.read(SCENARIO)
    text = text.replace(
        "        points: {objection-handling: -1}",
        "        points: &minus {objection-handling: -1}",
    )
    text = text.replace(
        "      - text: Then buy from them.\n        next: lost\n",
        "      - text: Then buy from them.\n        next: lost\n        points: *minus\n",
    )
    ws.write(SCENARIO, text)
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]
    choice = result.tree.scenarios["price-too-high"].nodes["clarify"].choices[1]
    assert choice.points == {"objection-handling": -1}


def test_recursive_alias_is_an_error(ws, expect):
    ws.write(SCENARIO, "a: &a [1, *a]\n")
    expect(ws.load(), SCENARIO, "", "unknown alias '*a'", line=1)


def test_merge_keys_are_refused(ws, expect):
    ws.write(SCENARIO, "base: &b {x: 1}\nother:\n  <<: *b\n")
    expect(ws.load(), SCENARIO, "other['<<']", "merge keys", line=3)


def test_file_size_limit(ws, expect):
    ws.write(SCENARIO, "summary: " + "x" * MAX_FILE_BYTES + "\n")
    expect(ws.load(), SCENARIO, "", "file is too large", str(MAX_FILE_BYTES))


def test_one_mebibyte_yaml_is_accepted(ws):
    text = ws.read(QUIZ)
    filler = "Revenue activity first. " * (1024 * 1024 // 24)
    text = text.replace("explanation: Revenue activity first.", f"explanation: {filler}")
    ws.write(QUIZ, text)
    assert ws.path(QUIZ).stat().st_size > 1024 * 1024
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.tree.quizzes["time-basics"].questions[0].explanation.get("en")) > 1024 * 1000


def test_one_mebibyte_lesson_is_accepted(ws):
    ws.write(LESSON, ws.read(LESSON) + ("Block time for calls.\n" * (1024 * 1024 // 22)))
    assert ws.path(LESSON).stat().st_size > 1024 * 1024
    assert ws.load().ok


def test_dense_one_mebibyte_yaml_is_accepted():
    text = "x: [" + ",".join(["1"] * (1024 * 1024 // 2)) + "]\n"
    assert len(text) > 1024 * 1024
    assert len(parse_yaml(text).data["x"]) == 1024 * 1024 // 2


def test_non_utf8_is_refused(ws, expect):
    ws.write(SCENARIO, "id: price-too-high\ntitle: caf\xe9\n".encode("latin-1"))
    expect(ws.load(), SCENARIO, "", "not valid UTF-8", "0xe9", line=2)


def test_binary_is_refused(ws, expect):
    ws.write(SCENARIO, b"id: x\n\x00\x01\x02binary")
    expect(ws.load(), SCENARIO, "", "binary file", "NUL", line=2)


def test_binary_lesson_is_refused(ws, expect):
    ws.write(LESSON, b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    expect(ws.load(), LESSON, "", "binary file")


def test_bom_is_accepted(ws):
    for rel in (SCENARIO, QUIZ, LESSON):
        ws.write(rel, b"\xef\xbb\xbf" + ws.path(rel).read_bytes())
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]


def test_crlf_line_ends_are_accepted(ws, expect):
    for rel in (SCENARIO, LESSON):
        ws.write(rel, ws.path(rel).read_bytes().replace(b"\n", b"\r\n"))
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]
    assert "\r" not in result.tree.lessons["plan-your-day"].body.get("en")


def test_broken_yaml_names_the_line(ws, expect):
    line = ws.replace(SCENARIO, "start: opening", "start: [opening")
    error = expect(ws.load(), SCENARIO, "", "invalid YAML")
    assert error.line is not None and error.line >= line


def test_control_characters_are_refused(ws, expect):
    line = ws.replace(SCENARIO, "say: Goodbye.", "say: Good\x07bye.")
    expect(ws.load(), SCENARIO, "", "invalid YAML", line=line)


def test_two_documents_are_refused(ws, expect):
    ws.write(SCENARIO, ws.read(SCENARIO) + "---\nid: other\n")
    expect(ws.load(), SCENARIO, "", "more than one YAML document")


DEEPLY_NESTED = f"the document is nested too deeply (limit {MAX_DEPTH})"


def test_deep_nesting_is_refused(ws, expect):
    ws.write(SCENARIO, "x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    expect(ws.load(), SCENARIO, "", DEEPLY_NESTED, line=1)


def _block_nesting(depth: int) -> str:
    return "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "v\n"


@pytest.mark.parametrize("loader", [None, MarkedSafeLoader, DEFAULT_LOADER])
@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "x: " + "[" * 1_100 + "]" * 1_100,  # deeper than libyaml's own limit (1,000)
        "x: " + "{a: " * 5_000 + "}" * 5_000,
        _block_nesting(MAX_DEPTH + 1),
        _block_nesting(1_100),
    ],
    ids=["flow-65", "flow-1100", "mappings-5000", "block-65", "block-1100"],
)
def test_nesting_is_refused_in_our_words_whatever_the_parser(loader, text):
    """The parser's own limits (and their wording) never reach the author."""
    with pytest.raises(ContentFileError) as caught:
        parse_yaml(text, loader=loader)
    assert caught.value.message == DEEPLY_NESTED


def test_nesting_up_to_the_limit_is_read():
    lists = MAX_DEPTH - 1  # inside the top-level mapping
    data = parse_yaml("x: " + "[" * lists + "1" + "]" * lists).data["x"]
    for _ in range(lists - 1):
        data = data[0]
    assert data == [1]


def test_empty_file(ws, expect):
    ws.write(SCENARIO, "")
    expect(ws.load(), SCENARIO, "", "expected a scenario mapping, found nothing")


def test_document_must_be_a_mapping(ws, expect):
    ws.write(SCENARIO, "- id: price-too-high\n")
    expect(ws.load(), SCENARIO, "", "expected a scenario mapping, found a list", line=1)


def test_complex_keys_are_refused(ws, expect):
    ws.write(SCENARIO, "? [a, b]\n: c\n")
    expect(ws.load(), SCENARIO, "", "mapping keys must be plain strings", line=1)


def test_huge_integer(ws, expect):
    line = ws.replace(SCENARIO, "pass_score: 70", "pass_score: " + "9" * 5000)
    expect(ws.load(), SCENARIO, "pass_score", "cannot read the value", line=line)


def test_not_a_number(ws, expect):
    line = ws.replace(SCENARIO, "pass_score: 70", "pass_score: .nan")
    expect(ws.load(), SCENARIO, "pass_score", "not a finite number", line=line)


def test_keys_are_always_strings(ws, expect):
    line = ws.replace(SCENARIO, "  later:\n", "  on:\n")
    ws.replace(SCENARIO, "next: later", "next: 'on'")
    result = ws.load()
    assert result.ok, [str(e) for e in result.errors]
    assert "on" in result.tree.scenarios["price-too-high"].nodes
    assert line > 1


def test_date_where_text_is_expected(ws, expect):
    line = ws.replace(SCENARIO, "say: Goodbye.", "say: 2024-01-31")
    expect(ws.load(), SCENARIO, "nodes.lost.say", "expected a text", "2024-01-31", line=line)


@pytest.mark.parametrize("loader", [MarkedSafeLoader, DEFAULT_LOADER])
def test_both_loaders_agree(loader):
    text = (
        "a: 1\nb: [x, 'y', {c: 2.5}]\nd: |\n  block\n  text\non: yes\nn: ~\n"
        "e: &e hi\nf: *e\ng: 2024-01-02\n"
    )
    document = parse_yaml(text, line_offset=1, loader=loader)
    data = document.data
    assert data["a"] == 1 and data["b"] == ["x", "y", {"c": 2.5}]
    assert data["d"] == "block\ntext\n" and data["on"] is True and data["n"] is None
    assert data["f"] == "hi" and str(data["g"]) == "2024-01-02"
    assert document.marks.line(("b", 2, "c")) == 3
    assert document.marks.line(("d",)) == 4
    assert document.marks.line(("f",)) == 10


@pytest.mark.parametrize("loader", [MarkedSafeLoader, DEFAULT_LOADER])
def test_both_loaders_refuse_bombs_and_tags(loader):
    with pytest.raises(ContentFileError, match="too many nodes"):
        parse_yaml(BILLION_LAUGHS, loader=loader)
    document = parse_yaml("x: !!python/name:os.system\n", loader=loader)
    assert document.data == {"x": None}
    assert "!!python/name:os.system" in document.problems[0].message
