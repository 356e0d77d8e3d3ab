"""The quiz editor's retake rules: a wait in hours and a lesson of the quiz's course to read
before a retake. Edited as settings, checked with the importer's rules in the trainer's words
(both languages), kept through `lms export` and re-import, and refused when hostile."""

from __future__ import annotations

import html
import re

import pytest

from lms.content import store
from lms.content.documents import content_hash
from lms.content.loader import load_tree
from tests.authoring.test_quiz_editor import create_quiz, draft, rev, write_questions

# the form's labels as the sentences name them (without their capital)
WAIT = "wait before a retake (hours)"
LESSON = "lesson to read before a retake"


def settings(db, **fields) -> dict:
    data = {
        "title-en": "Call basics",
        "title-zh": "通话基础",
        "pass_score": "80",
        "retake_wait_hours": "",
        "retake_lesson": "",
        "revision": rev(db, "call-basics"),
    }
    data.update(fields)
    return data


def summary(page: str) -> str:
    """The check summary at the top of the editor, as text."""
    match = re.search(r'<div id="check-summary"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no check summary"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


@pytest.fixture
def quiz(db, author, content):
    create_quiz(author)
    write_questions(author, db)


def test_the_retake_rules_are_edited_published_and_exported_unchanged(
    db, author, quiz, runner, tmp_path
):
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    # the lessons of the quiz's course are offered, not those of another course
    assert '<option value="plan-your-day" >plan-your-day</option>' in page
    assert "beta-intro" not in page

    response = author.post(
        "/author/quizzes/call-basics",
        data=settings(db, retake_wait_hours=" 48 ", retake_lesson="plan-your-day"),
    )
    assert response.status_code == 303
    document = draft(db, "call-basics").document
    assert document["retake_wait_hours"] == 48
    assert document["retake_lesson"] == "plan-your-day"
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert 'name="retake_wait_hours" value="48"' in page
    assert '<option value="plan-your-day" selected>plan-your-day</option>' in page
    assert "The draft passes every check" in page

    assert author.post("/author/quizzes/call-basics/publish").status_code == 303
    version = store.current_version("quiz", "call-basics")
    published = store.load(version)
    assert (published.retake_wait_hours, published.retake_lesson) == (48, "plan-your-day")

    out = tmp_path / "export"
    result = runner.invoke(args=["lms", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "courses" / "alpha" / "call-basics.quiz.yaml").read_text("utf-8")
    assert "retake_wait_hours: 48\n" in written
    assert "retake_lesson: plan-your-day\n" in written
    loaded = load_tree([out / "courses", out / "scenarios"])
    assert loaded.ok, [str(e) for e in loaded.errors]
    assert loaded.tree.quizzes["call-basics"].retake_wait_hours == 48
    assert content_hash(loaded.tree.quizzes["call-basics"]) == version.content_hash
    result = runner.invoke(args=["lms", "import", str(out / "courses"), str(out / "scenarios")])
    assert result.exit_code == 0, result.output
    assert "no changes (" in result.output, result.output

    # empty fields remove both rules: the next version has none
    author.post("/author/quizzes/call-basics", data=settings(db))
    document = draft(db, "call-basics").document
    assert "retake_wait_hours" not in document and "retake_lesson" not in document
    assert author.post("/author/quizzes/call-basics/publish").status_code == 303
    published = store.load(store.current_version("quiz", "call-basics"))
    assert (published.retake_wait_hours, published.retake_lesson) == (None, None)


@pytest.mark.parametrize(
    ("fields", "english", "chinese"),
    [
        (
            {"retake_wait_hours": "0"},
            f"Enter a number from 1 to 720 for {WAIT}.",
            "请为重考前的等待时间（小时）输入 1 到 720 之间的数字。",
        ),
        (
            {"retake_wait_hours": "721"},
            f"Enter a number from 1 to 720 for {WAIT}.",
            "请为重考前的等待时间（小时）输入 1 到 720 之间的数字。",
        ),
        (
            {"retake_wait_hours": "1.5"},
            f"Enter a whole number for {WAIT}.",
            "请为重考前的等待时间（小时）输入整数。",
        ),
        (
            {"retake_lesson": "beta-intro"},
            f"Pick a lesson of the same course for {LESSON}.",
            "请为重考前要读的课时选择同一课程中的课时。",
        ),
    ],
)
def test_a_wrong_retake_rule_is_named_in_the_trainers_words(
    db, author, quiz, trainer, fields, english, chinese
):
    assert (
        author.post("/author/quizzes/call-basics", data=settings(db, **fields)).status_code == 303
    )
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert english in summary(page)
    assert "retake_" not in summary(page)  # the file's key is not the trainer's word
    response = author.post("/author/quizzes/call-basics/publish")
    assert response.status_code == 400
    assert store.current_version("quiz", "call-basics") is None

    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert chinese in summary(page)


@pytest.mark.parametrize(
    ("value", "stored", "message"),
    [
        ("9" * 100_000, "9" * 20, f"Enter a whole number for {WAIT}."),
        ("1e3", "1e3", f"Enter a whole number for {WAIT}."),
        ("٣", "٣", f"Enter a whole number for {WAIT}."),  # an Arabic-Indic three
        ("-5", -5, f"Enter a number from 1 to 720 for {WAIT}."),
        ("forty", "forty", f"Enter a whole number for {WAIT}."),
    ],
)
def test_a_hostile_wait_is_kept_short_and_refused(db, author, quiz, value, stored, message):
    response = author.post(
        "/author/quizzes/call-basics", data=settings(db, retake_wait_hours=value)
    )
    assert response.status_code == 303
    assert draft(db, "call-basics").document["retake_wait_hours"] == stored
    page = author.get("/author/quizzes/call-basics")
    assert page.status_code == 200
    assert message in summary(page.get_data(as_text=True))


def test_a_hostile_lesson_is_kept_short_and_refused(db, author, quiz):
    # over the form limit: refused whole, nothing written
    before = draft(db, "call-basics").revision
    response = author.post(
        "/author/quizzes/call-basics", data=settings(db, retake_lesson="x" * 1_000_000)
    )
    assert response.status_code == 413
    assert draft(db, "call-basics").revision == before
    assert "retake_lesson" not in draft(db, "call-basics").document

    author.post("/author/quizzes/call-basics", data=settings(db, retake_lesson="x" * 400_000))
    stored = draft(db, "call-basics").document["retake_lesson"]
    assert stored == "x" * 65  # one past the longest id, so it stays wrong
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert (
        f"Use lowercase letters, digits and '-' for {LESSON} (for example: price-basics)."
        in summary(page)
    )
    # shown back as an option, so that the trainer sees what is wrong and can pick another
    assert f'<option value="{stored}" selected>' in page

    author.post("/author/quizzes/call-basics", data=settings(db, retake_lesson="../../etc"))
    assert draft(db, "call-basics").document["retake_lesson"] == "../../etc"
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert f"for {LESSON} (for example" in html.unescape(page)


def test_retake_rules_of_the_wrong_type_in_a_draft_are_named_not_a_crash(db, author, quiz):
    """A draft document holding other types (as a file could) is checked, not a 500."""
    found = draft(db, "call-basics")
    found.document = {
        **found.document,
        "retake_wait_hours": {"hours": 4},
        "retake_lesson": ["plan-your-day"],
    }
    db.session.commit()
    page = author.get("/author/quizzes/call-basics")
    assert page.status_code == 200
    text = summary(page.get_data(as_text=True))
    assert f"Enter a whole number for {WAIT}." in text
    assert LESSON in text
    assert author.post("/author/quizzes/call-basics/publish").status_code == 400


def test_two_values_for_one_field_take_the_first(db, author, quiz):
    data = settings(db, retake_wait_hours=["12", "700"])
    assert author.post("/author/quizzes/call-basics", data=data).status_code == 303
    assert draft(db, "call-basics").document["retake_wait_hours"] == 12
