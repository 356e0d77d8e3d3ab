"""Path items that name a single lesson: accepted, resolved by id anywhere, checked like the other
kinds, and written back out by the exporter exactly as read."""

from __future__ import annotations

from lms.content import load_tree
from lms.content.documents import from_document, to_document
from lms.content.exporter import write_tree

PATH = "courses/paths/new-sales-rep.yaml"
BEFORE = "      - id: basics\n        course: time-management\n"
LESSON_ITEM = "      - id: plan-first\n        lesson: plan-your-day\n        due_day: 5\n"


def test_a_path_item_may_name_a_lesson(ws):
    ws.replace(PATH, BEFORE, LESSON_ITEM + BEFORE)
    result = ws.load()
    assert result.ok, [str(error) for error in result.errors]
    item = result.tree.paths["new-sales-rep"].phases[0].items[0]
    assert (item.id, item.kind, item.ref, item.due_day) == (
        "plan-first",
        "lesson",
        "plan-your-day",
        5,
    )


def test_an_unknown_lesson_is_named_with_its_line(ws, expect):
    line = ws.replace(PATH, BEFORE, LESSON_ITEM.replace("plan-your-day", "plan-your-dya") + BEFORE)
    expect(
        ws.load(),
        PATH,
        "phases[0].items[0].lesson",
        "unknown lesson 'plan-your-dya'",
        "did you mean 'plan-your-day'",
        line=line + 1,
    )


def test_a_lesson_item_has_no_min_score_and_no_day(ws, expect):
    item = LESSON_ITEM + "        min_score: 80\n        day: 6\n"
    line = ws.replace(PATH, BEFORE, item + BEFORE)
    result = ws.load()
    expect(
        result,
        PATH,
        "phases[0].items[0].min_score",
        "a lesson item has no 'min_score'",
        line=line + 3,
    )
    expect(
        result,
        PATH,
        "phases[0].items[0].day",
        "a lesson item has 'due_day', not 'day'",
        line=line + 4,
    )


def test_a_lesson_item_and_a_course_item_are_not_one_item(ws, expect):
    both = "      - id: both\n        lesson: plan-your-day\n        course: time-management\n"
    line = ws.replace(PATH, BEFORE, both + BEFORE)
    result = ws.load()
    expect(result, PATH, "phases[0].items[0]", "an item is exactly one of", "'lesson'", line=line)


def test_a_lesson_item_round_trips_through_documents_and_export(ws, tmp_path):
    ws.replace(PATH, BEFORE, LESSON_ITEM + BEFORE)
    tree = ws.load().tree
    path = tree.paths["new-sales-rep"]
    document = to_document(path)
    assert document["phases"][0]["items"][0] == {
        "id": "plan-first",
        "lesson": "plan-your-day",
        "due_day": 5,
    }
    assert from_document("path", document) == path
    first = write_tree(tree, tmp_path / "first")
    again = load_tree([first]).tree
    assert again.paths["new-sales-rep"] == path
    second = write_tree(again, tmp_path / "second")
    assert (first / PATH).read_bytes() == (second / PATH).read_bytes()
