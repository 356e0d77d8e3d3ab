"""The loader never raises: arbitrary documents and mutations of the valid tree give only
ValidationErrors."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content import ValidationError, load_tree
from lms.content.yamlsafe import MarkedSafeLoader, parse_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "valid"
FILES = sorted(
    path.relative_to(FIXTURE).as_posix() for path in FIXTURE.rglob("*") if path.is_file()
)
YAML_FILES = [name for name in FILES if name.endswith(".yaml")]
LESSON_FILES = [name for name in FILES if name.endswith(".md")]

# LMS_FUZZ_EXAMPLES=2000 for a longer local run
FUZZ = settings(
    max_examples=int(os.environ.get("LMS_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        ["single", "true-false", "success", "opening", "lost", "planning", "q1", "zh-CN", "-1", ""]
    ),
)
keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["id", "title", "kind", "choices", "next", "end", "open", "rubric", "skills", "points",
         "say", "answer", "correct", "text", "items", "phases", "until_day", "due_day", "day",
         "course", "quiz", "scenario", "task", "checkin", "modules", "lesson", "nodes", "start"]
    ),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)


def _check(result) -> None:
    for error in result.errors:
        assert isinstance(error, ValidationError)
        assert "internal error" not in error.message, str(error)
        assert isinstance(str(error), str) and error.message


def _load_with(changes: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(FIXTURE, root)
        for rel, data in changes.items():
            (root / rel).write_bytes(data)
        result = load_tree([root])
    _check(result)
    return result


@FUZZ
@given(name=st.sampled_from(FILES), document=values)
def test_arbitrary_yaml_documents(name, document):
    text = yaml.safe_dump(document, allow_unicode=True)
    if name.endswith(".md"):
        text = f"---\n{text}---\nbody\n"
    _load_with({name: text.encode("utf-8")})


@FUZZ
@given(
    name=st.sampled_from(FILES),
    data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
)
def test_arbitrary_bytes(name, data):
    _load_with({name: data})


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, prefix + (index,))


def _replace(doc, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        copy = dict(doc)
    else:
        copy = list(doc)
    copy[head] = _replace(doc[head], rest, value)
    return copy


def _delete(doc, path):
    if len(path) == 1:
        copy = dict(doc) if isinstance(doc, dict) else list(doc)
        del copy[path[0]]
        return copy
    head = path[0]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = _delete(doc[head], path[1:])
    return copy


@FUZZ
@given(data=st.data())
def test_structured_mutations_of_the_valid_tree(data):
    """Replace or delete one value anywhere in one valid document."""
    name = data.draw(st.sampled_from(YAML_FILES + LESSON_FILES))
    text = (FIXTURE / name).read_text(encoding="utf-8")
    body = ""
    if name.endswith(".md"):
        _, front, body = text.split("---\n", 2)
        text = front
    doc = yaml.safe_load(text)
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths))
    if path and data.draw(st.booleans()):
        doc = _delete(doc, path)
    else:
        doc = _replace(doc, path, data.draw(values))
    out = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if name.endswith(".md"):
        out = f"---\n{out}---\n{body}"
    _load_with({name: out.encode("utf-8")})


@FUZZ
@given(data=st.data())
def test_textual_mutations_of_the_valid_tree(data):
    """Delete, duplicate, swap or garble lines and characters of one or two files."""
    changes: dict[str, bytes] = {}
    for _ in range(data.draw(st.integers(1, 2))):
        name = data.draw(st.sampled_from(FILES))
        lines = (FIXTURE / name).read_text(encoding="utf-8").split("\n")
        for _ in range(data.draw(st.integers(1, 3))):
            op = data.draw(
                st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "garble"])
            )
            i = data.draw(st.integers(0, len(lines) - 1))
            if op == "delete" and len(lines) > 1:
                del lines[i]
            elif op == "duplicate":
                lines.insert(i, lines[i])
            elif op == "swap":
                j = data.draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "insert":
                lines.insert(i, data.draw(st.text(max_size=30)))
            elif op == "indent":
                lines[i] = "  " + lines[i]
            else:
                line = lines[i]
                k = data.draw(st.integers(0, len(line)))
                lines[i] = (
                    line[:k]
                    + data.draw(
                        st.sampled_from(["&a ", "*a", "!x ", "[", "{", ":", "'", "- ", "#"])
                    )
                    + line[k:]
                )
        changes[name] = "\n".join(lines).encode("utf-8")
    _load_with(changes)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_parse_yaml_only_raises_content_file_errors(text):
    from lms.content.yamlsafe import ContentFileError

    for loader in (None, MarkedSafeLoader):
        try:
            parse_yaml(text, loader=loader)
        except ContentFileError:
            pass
