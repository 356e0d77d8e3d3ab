"""Documents: canonical dicts, hashes, YAML dumps and whole-tree export round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lms.content import (
    content_hash,
    dump_lesson,
    dump_yaml,
    from_document,
    kind_of,
    load_tree,
    to_document,
    write_tree,
)
from lms.content.documents import canonical_json

FIXTURE = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture(scope="module")
def tree():
    result = load_tree([FIXTURE])
    assert result.ok, [str(e) for e in result.errors]
    return result.tree


def _objects(tree):
    yield tree.framework
    for kind in ("courses", "lessons", "quizzes", "scenarios", "paths"):
        yield from getattr(tree, kind).values()


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_every_object_round_trips_through_its_document(tree):
    for obj in _objects(tree):
        doc = to_document(obj)
        assert from_document(kind_of(obj), doc) == obj
        # and through JSON, as stored in the database
        assert from_document(kind_of(obj), json.loads(canonical_json(doc))) == obj


def test_texts_are_always_locale_maps(tree):
    lost = to_document(tree.scenarios["price-too-high"])["nodes"]["lost"]
    assert lost["say"] == {"en": "Goodbye."}
    skill = to_document(tree.framework)["skills"][3]
    assert skill["name"] == {"en": "Objection handling"}
    lesson = to_document(tree.lessons["plan-your-day"])
    assert set(lesson["body"]) == {"en", "zh-CN"} and lesson["course"] == "time-management"


def test_kinds(tree):
    assert [kind_of(obj) for obj in _objects(tree)] == [
        "framework",
        "course",
        "lesson",
        "quiz",
        "scenario",
        "path",
    ]
    with pytest.raises(TypeError):
        to_document(object())
    with pytest.raises(ValueError, match="unknown document kind"):
        from_document("video", {})
    with pytest.raises(ValueError, match="malformed quiz"):
        from_document("quiz", {"id": "x"})


def test_content_hash_is_stable_and_content_sensitive(tree):
    quiz = tree.quizzes["time-basics"]
    first = content_hash(quiz)
    assert len(first) == 64 and first == content_hash(from_document("quiz", to_document(quiz)))
    assert first == content_hash(to_document(quiz))
    changed = to_document(quiz)
    changed["pass_score"] = 81
    assert content_hash(changed) != first
    reordered = dict(reversed(list(to_document(quiz).items())))
    assert content_hash(reordered) == first


def test_dump_yaml_is_sorted_safe_and_stable(tree):
    doc = to_document(tree.scenarios["price-too-high"])
    text = dump_yaml(doc)
    assert text == dump_yaml(json.loads(json.dumps(doc)))
    assert yaml.safe_load(text) == doc
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == sorted(keys)
    assert "价格太高" in text and "!!" not in text


def test_dump_yaml_writes_multiline_text_as_blocks():
    text = dump_yaml({"summary": {"en": "line one\nline two\n"}})
    assert "|" in text and yaml.safe_load(text) == {"summary": {"en": "line one\nline two\n"}}


def test_dump_lesson_plain_and_variant(tree):
    lesson = tree.lessons["plan-your-day"]
    plain = dump_lesson(lesson)
    assert plain.startswith("---\n") and "\n---\n# Plan your day" in plain
    assert "计划你的一天" not in plain.split("---\n")[1]  # the zh-CN title lives in the variant
    variant = dump_lesson(lesson, "zh-CN")
    assert variant.startswith("---\nid: plan-your-day\ntitle: 计划你的一天\n---\n# 计划你的一天")
    with pytest.raises(ValueError):
        dump_lesson(lesson, "fr")


def test_write_tree_round_trips(tree, tmp_path):
    out = write_tree(tree, tmp_path / "export")
    result = load_tree(out)
    assert result.ok, [str(e) for e in result.errors]
    assert result.tree == tree
    assert (out / "courses" / "time-management" / "plan-your-day.zh-CN.md").is_file()
    assert (out / "courses" / "time-management" / "time-basics.quiz.yaml").is_file()
    assert "course:" not in (out / "courses/time-management/time-basics.quiz.yaml").read_text()


def test_write_tree_twice_gives_the_same_bytes(tree, tmp_path):
    first = write_tree(tree, tmp_path / "one")
    second = write_tree(load_tree(first).tree, tmp_path / "two")
    write_tree(tree, tmp_path / "one")  # again over itself
    assert _files(first) == _files(second)
    assert len(_files(first)) == 7


def test_write_tree_keeps_title_only_translations(tree, tmp_path):
    lesson = tree.lessons["plan-your-day"]
    doc = to_document(lesson)
    doc["title"]["fr"] = "Planifiez votre journée"
    changed = from_document("lesson", doc)
    new_tree = type(tree)(
        tree.framework, tree.courses, {lesson.id: changed}, tree.quizzes, tree.scenarios, tree.paths
    )
    out = write_tree(new_tree, tmp_path / "export")
    reloaded = load_tree(out)
    assert reloaded.ok and reloaded.tree.lessons["plan-your-day"] == changed
