"""The path editor's rules, live on its pages: teach before test (by due day, as the rule over the
shipped paths defines it in tests/test_path_order.py) is advice that never stops publishing; a
due day outside its phase is an error that does. Two trainers on one path draft get a conflict."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from lms.content import store
from lms.content.checking import stored_context
from lms.content.importer import import_content
from lms.onboarding import path_editing
from lms.people.models import Role
from tests.authoring.test_path_editor import draft, rev, save_item
from tests.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]
ADVICE = "This item tests planning before any lesson or course of the path teaches it"


def item_notes(page: str, item_id: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) shown under one item of the editor's page."""
    match = re.search(rf'<li id="item-{item_id}">(.*?)</li>', page, re.S)
    assert match, f"no item {item_id}"
    body = match.group(1)
    shown = re.findall(r'<p class="field__error" id="item-[^"]*-error">(.*?)</p>', body, re.S)
    errors = [message for messages in shown for message in messages.split("<br>")]
    warnings = re.findall(r'<p class="flash flash--warning">(.*?)</p>', body, re.S)
    return [html.unescape(e) for e in errors], [html.unescape(w) for w in warnings]


@pytest.fixture
def path(db, author, content):
    """`rep-path`: phase `first-30` (until day 30) with a lesson due on day 10 that teaches
    planning; phase `next-60` (until day 60), empty."""
    author.post("/author/paths/new", data={"id": "rep-path", "title-en": "Rep path"})
    for phase, until in (("first-30", "30"), ("next-60", "60")):
        author.post(
            "/author/paths/rep-path/phases/new",
            data={"id": phase, "title-en": phase, "until_day": until, "revision": rev(db)},
        )
    save_item(author, db, "first-30", kind="lesson", id="plan", ref="plan-your-day", due_day="10")


def test_a_quiz_due_before_its_lesson_is_a_warning_and_the_path_still_publishes(db, author, path):
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day="5")
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    errors, warnings = item_notes(page, "check")
    assert errors == []
    assert len(warnings) == 1 and warnings[0].startswith(ADVICE)
    assert "give it a due day on or after one that does" in warnings[0]
    assert item_notes(page, "plan") == ([], [])
    assert "The path passes every check." in page

    response = author.post("/author/paths/rep-path/publish")
    assert response.status_code == 303
    assert store.current_version("path", "rep-path").number == 1


@pytest.mark.parametrize(
    ("due", "advised"),
    [("9", True), ("10", False), ("11", False), ("", False)],  # "" = the phase's day 30
)
def test_the_due_days_decide_not_the_place_in_the_list(db, author, path, due, advised):
    """The quiz is listed after the lesson; only a due day before the lesson's day 10 warns."""
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day=due)
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    _errors, warnings = item_notes(page, "check")
    assert bool(warnings) is advised


def test_a_drill_and_a_course_follow_the_same_rule(db, author, content, path):
    # the course (due day 2) teaches planning, by its tags and its lessons, before the quiz
    # (day 3) tests it; the drill lists no skill, so it tests none
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day="3")
    save_item(author, db, "first-30", kind="course", id="alpha", ref="alpha", due_day="2")
    save_item(author, db, "first-30", kind="scenario", id="drill", ref="price-drill", due_day="1")
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert item_notes(page, "check") == ([], [])
    assert item_notes(page, "drill") == ([], [])


def test_a_due_day_outside_its_phase_is_an_error_that_stops_publishing(db, author, path, trainer):
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day="45")
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    errors, warnings = item_notes(page, "check")
    assert errors == ["Choose a day inside the item's phase for due day."]
    assert warnings == []  # due on day 45, the quiz comes after the lesson of day 10
    assert "The path passes every check." not in page
    response = author.post("/author/paths/rep-path/publish")
    assert response.status_code == 400
    assert "Fix the 1 problems marked below before publishing." in html.unescape(
        response.get_data(as_text=True)
    )
    assert store.current_version("path", "rep-path") is None

    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    errors, _warnings = item_notes(page, "check")
    assert errors == ["请为截止日选择该事项所在阶段内的某一天。"]

    # in the next phase, day 45 is inside it
    author.post(
        "/author/paths/rep-path/phases/first-30/items/check/move",
        data={"direction": "down", "revision": rev(db)},
    )
    assert [i["id"] for i in draft(db).document["phases"][1]["items"]] == ["check"]
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert item_notes(page, "check") == ([], [])


def test_the_warning_in_chinese(db, author, path, trainer):
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day="5")
    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    _errors, warnings = item_notes(page, "check")
    assert warnings == [
        "该事项在路径中任何课时或课程讲授 planning 之前就对其进行考查：请把它的截止日设在讲授该技能"
        "的内容当天或之后，或添加一个截止日不晚于它的此类内容。"
    ]


@pytest.mark.parametrize(
    ("due", "is_day"),
    [("9" * 50_000, False), ("١٠", False), ("ten", False), ("2.5", False), ("-3", True)],
)
def test_a_hostile_due_day_is_an_error_not_a_crash(db, author, path, due, is_day):
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day=due)
    stored = draft(db).document["phases"][0]["items"][1]["due_day"]
    assert len(str(stored)) <= 20
    page = author.get("/author/paths/rep-path")
    assert page.status_code == 200
    errors, warnings = item_notes(page.get_data(as_text=True), "check")
    assert len(errors) == 1 and "due day." in errors[0]
    # no order is guessed from a day that is not a whole number; day -3 comes before day 10
    assert bool(warnings) is is_day
    assert author.post("/author/paths/rep-path/publish").status_code == 400


def test_two_trainers_on_one_path_draft_get_a_conflict_not_an_overwrite(
    app, db, author, path, make_user, trainer
):
    start = rev(db)
    other = app.test_client()
    login_as(other, make_user("olga@example.com", name="Olga Other", roles={Role.TRAINER}))
    response = other.post(
        "/author/paths/rep-path", data={"title-en": "Olga's path", "revision": start}
    )
    assert response.status_code == 303
    response = author.post(
        "/author/paths/rep-path/phases/first-30/items/new",
        data={"kind": "quiz", "id": "check", "ref": "alpha-check", "revision": start},
        follow_redirects=True,
    )
    text = html.unescape(response.get_data(as_text=True))
    assert "Olga Other saved this draft while you were editing it. Your change was not saved" in (
        text
    )
    document = draft(db).document
    assert document["title"] == {"en": "Olga's path"}
    assert [i["id"] for i in document["phases"][0]["items"]] == ["plan"]  # no quiz added
    assert draft(db).updated_by.name == "Olga Other"

    # the conflict in the trainer's language
    trainer.locale = "zh_CN"
    db.session.commit()
    response = author.post(
        "/author/paths/rep-path",
        data={"title-en": "Tara's path", "revision": start},
        follow_redirects=True,
    )
    assert "在你编辑期间，Olga Other 保存了这份草稿。你的修改没有保存" in response.get_data(
        as_text=True
    )
    assert draft(db).document["title"] == {"en": "Olga's path"}


def test_the_shipped_paths_get_no_advice_and_agree_with_the_path_order_rule(app, db):
    """The editor's rule and tests/test_path_order.py agree on the shipped paths: no advice on
    either path, and a quiz moved to day 2 is advised against for time-management."""
    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert report.ok, report
    db.session.commit()
    context = stored_context()
    for slug in ("new-sales-rep", "new-sales-manager"):
        document = store.current_version("path", slug).document
        assert path_editing.teach_before_test(document, context) == [], slug
    document = store.current_version("path", "new-sales-rep").document
    for phase in document["phases"]:
        for item in phase["items"]:
            if item["id"] == "time-priorities-check":
                item["due_day"] = 2
    advised = path_editing.teach_before_test(document, context)
    assert advised and {skill for _place, skill in advised} >= {"time-management"}
    assert {place for place, _skill in advised} == {("phases", 0, "items", _index(document))}


def _index(document) -> int:
    items = document["phases"][0]["items"]
    return next(i for i, item in enumerate(items) if item["id"] == "time-priorities-check")


def test_the_item_page_shows_the_rules_as_they_stand_for_the_item(db, author, path):
    save_item(author, db, "first-30", kind="quiz", id="check", ref="alpha-check", due_day="5")
    page = author.get("/author/paths/rep-path/phases/first-30/items/check").get_data(as_text=True)
    assert ADVICE in html.unescape(page)
    assert '<div class="form-errors" role="alert" data-errors-for="__all__" hidden></div>' in page

    save_item(
        author, db, "first-30", "check", kind="quiz", id="check", ref="alpha-check", due_day="31"
    )
    page = html.unescape(
        author.get("/author/paths/rep-path/phases/first-30/items/check").get_data(as_text=True)
    )
    assert "Choose a day inside the item's phase for due day." in page
    assert ADVICE not in page
    assert 'value="31"' in page


def test_a_draft_with_an_item_that_is_not_a_mapping_is_shown_not_a_crash(db, author, path):
    found = draft(db)
    document = dict(found.document)
    document["phases"] = [
        dict(document["phases"][0], items=["plan", *document["phases"][0]["items"]])
    ]
    found.document = document
    db.session.commit()
    assert author.get("/author/paths/rep-path").status_code == 200
    assert author.get("/author/paths/rep-path/phases/first-30/items/plan").status_code == 200
    assert author.get("/author/paths/rep-path/phases/first-30/items/nope").status_code == 404


def test_the_item_form_is_checked_as_typed_without_saving(db, author, path):
    """The live check of the item form: the problems and the advice for the item as typed."""
    before = rev(db)
    typed = {"kind": "quiz", "id": "check", "ref": "alpha-check", "revision": before}
    answer = author.post(
        "/author/paths/rep-path/phases/first-30/check-item", data={**typed, "due_day": "5"}
    ).get_json()
    assert answer["general"] == [] and answer["count"] == 0
    assert len(answer["fields"]["advice"]) == 1
    assert answer["fields"]["advice"][0].startswith(ADVICE)

    answer = author.post(
        "/author/paths/rep-path/phases/first-30/check-item", data={**typed, "due_day": "31"}
    ).get_json()
    assert answer == {
        "fields": {"advice": []},
        "general": ["Choose a day inside the item's phase for due day."],
        "count": 1,
    }
    answer = author.post(
        "/author/paths/rep-path/phases/first-30/check-item", data={**typed, "kind": "juggle"}
    ).get_json()
    assert answer["general"] == ["Choose what the item is."]
    assert rev(db) == before  # nothing was saved
    assert [i["id"] for i in draft(db).document["phases"][0]["items"]] == ["plan"]

    # an existing item is checked in its place, under a new id too
    answer = author.post(
        "/author/paths/rep-path/phases/first-30/items/plan/check",
        data={"kind": "lesson", "id": "renamed", "ref": "plan-your-day", "due_day": "99"},
    ).get_json()
    assert answer["general"] == ["Choose a day inside the item's phase for due day."]
    answer = author.post(
        "/author/paths/rep-path/phases/first-30/items/nope/check", data=typed
    ).get_json()
    assert answer["general"] == ["This item is not in the path any more."]
    assert author.post("/author/paths/rep-path/phases/nope/check-item", data=typed).get_json()[
        "general"
    ] == ["This phase is not in the path any more."]
    page = author.get("/author/paths/rep-path/phases/first-30/items/plan").get_data(as_text=True)
    assert 'data-check-url="/author/paths/rep-path/phases/first-30/items/plan/check"' in page
