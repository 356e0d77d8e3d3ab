"""The course editor: modules and items reordered without JavaScript, drafts, publishing,
validation next to the field, and new courses with their first lessons."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.authoring.models import ContentDraft
from lms.content import store
from tests.authoring.pages import (
    course_form,
    field_error,
    general_errors,
    input_value,
    items_of,
    lesson_form,
)

EDIT = "/author/courses/alpha"


def course_items(slug="alpha"):
    course = store.load(store.current_version("course", slug))
    return [[f"{item.kind}:{item.ref}" for item in module.items] for module in course.modules]


def test_the_editor_shows_the_published_course(author, content):
    page = author.get(EDIT).get_data(as_text=True)
    assert input_value(page, "title-en") == "Alpha selling"
    assert input_value(page, "title-zh-CN") == "阿尔法销售"
    assert items_of(page, 0) == ["lesson:plan-your-day", "lesson:follow-up"]
    assert items_of(page, 1) == ["quiz:alpha-check", "scenario:price-drill"]
    assert "Plan your day" in page and "Price drill" in page
    assert '<input type="hidden" name="modules" value="2">' in page


@pytest.mark.parametrize(
    ("action", "module_0", "module_1"),
    [
        ("item-down:0:0", ["lesson:follow-up", "lesson:plan-your-day"], None),
        ("item-up:0:1", ["lesson:follow-up", "lesson:plan-your-day"], None),
        (
            "item-down:0:1",
            ["lesson:plan-your-day"],
            ["lesson:follow-up", "quiz:alpha-check", "scenario:price-drill"],
        ),
        (
            "item-up:1:0",
            ["lesson:plan-your-day", "lesson:follow-up", "quiz:alpha-check"],
            ["scenario:price-drill"],
        ),
        ("remove-item:1:1", None, ["quiz:alpha-check"]),
        ("item-up:0:0", ["lesson:plan-your-day", "lesson:follow-up"], None),
        ("item-down:1:1", None, ["quiz:alpha-check", "scenario:price-drill"]),
        ("remove-item:5:5", ["lesson:plan-your-day", "lesson:follow-up"], None),
        ("item-up:x:y", ["lesson:plan-your-day", "lesson:follow-up"], None),
    ],
)
def test_items_move_without_javascript(author, content, action, module_0, module_1):
    response = author.post(EDIT, data=course_form(action=action))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if module_0 is not None:
        assert items_of(page, 0) == module_0
    if module_1 is not None:
        assert items_of(page, 1) == module_1
    assert store.current_version("course", "alpha").number == 1


def test_modules_move_are_added_and_removed(author, content):
    page = author.post(EDIT, data=course_form(action="module-down:0")).get_data(as_text=True)
    assert items_of(page, 0) == ["quiz:alpha-check", "scenario:price-drill"]
    assert input_value(page, "module-0-title-en") == "Module 2"
    assert input_value(page, "module-1-title-en") == "Module 1"

    page = author.post(EDIT, data=course_form(action="module-up:1")).get_data(as_text=True)
    assert items_of(page, 0) == ["quiz:alpha-check", "scenario:price-drill"]

    page = author.post(EDIT, data=course_form(action="add-module")).get_data(as_text=True)
    assert '<input type="hidden" name="modules" value="3">' in page
    assert input_value(page, "module-2-title-en") == ""

    page = author.post(EDIT, data=course_form(action="remove-module:0")).get_data(as_text=True)
    assert '<input type="hidden" name="modules" value="1">' in page
    assert items_of(page, 0) == ["quiz:alpha-check", "scenario:price-drill"]


def test_adding_an_item_offers_only_what_the_course_can_list(author, content):
    page = author.post(EDIT, data=course_form(action="remove-item:0:1")).get_data(as_text=True)
    choices = re.findall(r'<option value="((?:lesson|quiz|scenario):[^"]+)"', page)
    assert "lesson:follow-up" in choices
    assert "lesson:beta-intro" not in choices
    assert "lesson:plan-your-day" not in choices

    form = course_form(action="add-item:1", **{"module-1-new-item": "lesson:follow-up"})
    form["module-0-item"] = ["lesson:plan-your-day"]
    page = author.post(EDIT, data=form).get_data(as_text=True)
    assert items_of(page, 1) == ["quiz:alpha-check", "scenario:price-drill", "lesson:follow-up"]


def test_a_reordered_course_is_published_as_a_new_version(author, learner_client, content):
    form = course_form()
    form["module-0-item"] = ["lesson:follow-up", "lesson:plan-your-day"]
    form["module-1-item"] = ["scenario:price-drill", "quiz:alpha-check"]
    response = author.post(EDIT, data=form)
    assert response.status_code == 302
    current = store.current_version("course", "alpha")
    assert current.number == 2 and current.origin == "editor"
    assert course_items() == [
        ["lesson:follow-up", "lesson:plan-your-day"],
        ["scenario:price-drill", "quiz:alpha-check"],
    ]
    page = learner_client.get("/courses/alpha").get_data(as_text=True)
    assert page.index("Follow up") < page.index("Plan your day")
    assert page.index("Price drill") < page.index("Alpha check")

    lesson = learner_client.get("/courses/alpha/lessons/follow-up").get_data(as_text=True)
    assert 'rel="next" href="/courses/alpha/lessons/plan-your-day"' in lesson


def test_a_course_draft_leaves_learners_alone(author, learner_client, db, content):
    form = course_form(action="save-draft", **{"title-en": "Renamed in a draft"})
    assert author.post(EDIT, data=form).status_code == 302
    assert db.session.scalar(sa.select(ContentDraft.slug)) == "alpha"
    assert store.current_version("course", "alpha").number == 1
    assert "Renamed in a draft" not in learner_client.get("/courses").get_data(as_text=True)
    page = author.get(EDIT).get_data(as_text=True)
    assert input_value(page, "title-en") == "Renamed in a draft"
    assert "You are editing a draft" in page


@pytest.mark.parametrize(
    ("change", "name", "message"),
    [
        ({"title-en": "", "title-zh-CN": ""}, "title-en", "Write title (English)."),
        (
            {"module-0-title-en": "", "module-0-title-zh-CN": ""},
            "module-0-title-en",
            "Write module 1: Title (English).",
        ),
        ({"module-0-item": []}, "module-0-items", "Module 1 has 0; give 1+."),
        (
            {"module-0-item": ["lesson:nope"]},
            "module-0-item-0",
            "Pick a lesson of the same course for module 1, item 1.",
        ),
        (
            {"module-0-item": ["lesson:plan-your-day", "lesson:beta-intro"]},
            "module-0-item-1",
            "Pick a lesson of the same course for module 1, item 2.",
        ),
        (
            {"module-1-item": ["quiz:nope"]},
            "module-1-item-0",
            "Pick published content for module 2, item 1.",
        ),
        (
            {"module-1-item": ["scenario:nope"]},
            "module-1-item-0",
            "Pick published content for module 2, item 1.",
        ),
        (
            {"module-1-item": ["evil:thing"]},
            "module-1-item-0",
            "Remove module 2, item 1: it is not something this form knows.",
        ),
        (
            {"module-1-item": ["quiz:Bad Id"]},
            "module-1-item-0",
            "Use lowercase letters, digits and '-' for module 2, item 1",
        ),
        (
            {"module-1-item": ["quiz:alpha-check", "quiz:alpha-check"]},
            "module-1-item-1",
            "Module 2, item 2 is listed twice: remove one of them.",
        ),
        ({"modules": "0"}, "modules", "Modules has 0; give 1+."),
        ({"skills": ["nope"]}, "skills", "Pick a skill of the framework for skills."),
        ({"language": "xx_YY!"}, "language", "Choose a language for main language."),
        ({"language": "zh-CN"}, "language", "The lessons of this course are written in en"),
        ({"summary-en": "S" * 20_001}, "summary-en", "the limit is 20,000"),
        ({"title-zh-CN": "bad\x00"}, "title-zh-CN", "control character (U+0000)"),
    ],
)
def test_course_errors_are_shown_next_to_the_field(author, content, change, name, message):
    form = course_form(**change)
    response = author.post(EDIT, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = field_error(page, name)
    assert message in shown, (shown, general_errors(page))
    assert store.current_version("course", "alpha").number == 1
    if "module-0-item" in change:
        assert items_of(page, 0) == [f"{v}" for v in change["module-0-item"]]


def test_the_typed_fields_come_back_after_an_error(author, content):
    form = course_form(**{"module-0-item": [], "summary-en": "My *summary*.", "title-en": "New"})
    page = author.post(EDIT, data=form).get_data(as_text=True)
    assert input_value(page, "title-en") == "New"
    assert "My *summary*." in page
    assert items_of(page, 1) == ["quiz:alpha-check", "scenario:price-drill"]


def test_a_new_course_with_its_first_lesson(author, learner_client, db, content):
    form = course_form(
        id="gamma",
        action="save-draft",
        **{"title-en": "Gamma", "title-zh-CN": "", "modules": "1", "module-0-item": []},
    )
    assert author.post("/author/courses/new", data=form).status_code == 302
    assert store.current_version("course", "gamma") is None

    lesson = lesson_form(
        id="gamma-intro",
        course="gamma",
        title_en="Gamma intro",
        body_en="Welcome to gamma.\n",
        title_zh="",
        body_zh="",
    )
    response = author.post("/author/lessons/new", data=lesson)
    assert response.status_code == 422
    assert "The course gamma is not published yet" in field_error(
        response.get_data(as_text=True), "course"
    )
    lesson["action"] = "save-draft"
    assert author.post("/author/lessons/new", data=lesson).status_code == 302

    page = author.post(
        "/author/courses/gamma",
        data={**form, "action": "add-item:0", "module-0-new-item": "lesson:gamma-intro"},
    ).get_data(as_text=True)
    assert items_of(page, 0) == ["lesson:gamma-intro"]

    publish = {**form, "action": "publish", "module-0-item": ["lesson:gamma-intro"]}
    response = author.post("/author/courses/gamma", data=publish)
    assert response.status_code == 302
    assert store.current_version("course", "gamma").number == 1
    assert store.current_version("lesson", "gamma-intro").number == 1
    assert db.session.scalars(sa.select(ContentDraft)).all() == []
    page = learner_client.get("/courses/gamma/lessons/gamma-intro").get_data(as_text=True)
    assert "Welcome to gamma." in page


def test_a_course_does_not_publish_a_broken_draft_lesson(author, db, content):
    form = course_form(id="gamma", action="save-draft", **{"modules": "1", "module-0-item": []})
    author.post("/author/courses/new", data=form)
    lesson = lesson_form(
        id="gamma-intro", course="gamma", title_en="", body_en="Text.\n", action="save-draft"
    )
    assert author.post("/author/lessons/new", data=lesson).status_code == 302
    publish = {**form, "action": "publish", "module-0-item": ["lesson:gamma-intro"]}
    response = author.post("/author/courses/gamma", data=publish)
    assert response.status_code == 422
    assert "This lesson is a draft with problems" in field_error(
        response.get_data(as_text=True), "module-0-item-0"
    )
    assert store.current_version("lesson", "gamma-intro") is None


@pytest.mark.parametrize(
    ("new_id", "message"),
    [
        ("alpha", "Id is used already: choose another one."),
        ("Not OK", "Use lowercase letters"),
        ("", "Use lowercase letters"),
    ],
)
def test_new_course_id_errors(author, content, new_id, message):
    form = course_form(id=new_id)
    response = author.post("/author/courses/new", data=form)
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "id")


def test_new_course_form_starts_with_one_module(author, content):
    page = author.get("/author/courses/new").get_data(as_text=True)
    assert '<input type="hidden" name="modules" value="1">' in page
    assert 'name="id"' in page


def test_hostile_course_forms_do_not_crash(author, content):
    for data in (
        {"action": "publish"},
        {"action": "publish", "modules": "999999"},
        {"action": "publish", "modules": "-5"},
        {"action": "publish", "modules": "many"},
        {"action": "item-up:999:999"},
        {"action": "add-item:0", "modules": "1", "module-0-new-item": "<script>:x"},
        course_form(**{"module-0-item": ["<script>alert(1)</script>:x"]}),
    ):
        response = author.post(EDIT, data=data)
        page = response.get_data(as_text=True)
        if data.get("modules") in ("-5", "many"):  # a hidden count, only changed by hand
            assert response.status_code == 400 and "“modules” must be a whole number" in page
        else:
            assert response.status_code in (200, 302, 422)
        assert "<script>alert(1)</script>" not in page
    assert store.current_version("course", "alpha").number == 1
