"""The course and lesson editors speak in the trainer's words, in the interface language: every
problem names the field as the form labels it and says what to do. The sentences are those of
our catalogues, in English and Simplified Chinese."""

from __future__ import annotations

import pytest

from tests.authoring.pages import course_form, field_error, general_errors, lesson_form

COURSE_CASES = [  # (form change, field, English, Chinese)
    (
        {"title-en": "", "title-zh-CN": ""},
        "title-en",
        "Write title (English).",
        "请填写标题（English）。",
    ),
    (
        {"module-0-title-en": "", "module-0-title-zh-CN": ""},
        "module-0-title-en",
        "Write module 1: Title (English).",
        "请填写模块 1：标题（English）。",
    ),
    (
        {"module-0-item": ["lesson:nope"]},
        "module-0-item-0",
        "Pick a lesson of the same course for module 1, item 1.",
        "请为模块 1 第 1 项选择同一课程中的课时。",
    ),
    (
        {"module-1-item": ["quiz:alpha-check", "quiz:alpha-check"]},
        "module-1-item-1",
        "Module 2, item 2 is listed twice: remove one of them.",
        "模块 2 第 2 项列出了两次：请删去其中一项。",
    ),
    (
        {"language": "xx_YY!"},
        "language",
        "Choose a language for main language.",
        "请为主要语言选择一种语言。",
    ),
]

LESSON_CASES = [
    (
        {"body_en": ""},
        "body-en",
        "Write text (Markdown) (English).",
        "请填写正文（Markdown）（English）。",
    ),
    (
        {"minutes": "0"},
        "minutes",
        "Enter 1 or more for minutes to read.",
        "请为阅读时长（分钟）输入不小于 1 的数字。",
    ),
    (
        {"minutes": "abc"},
        "minutes",
        "Enter a whole number for minutes to read.",
        "请为阅读时长（分钟）输入整数。",
    ),
    (
        {"skills": ["no-such-skill"]},
        "skills",
        "Pick a skill of the framework for skills.",
        "请为技能选择技能框架中的技能。",
    ),
]


def _in_chinese(db, trainer) -> None:
    trainer.locale = "zh_CN"
    db.session.commit()


@pytest.mark.parametrize(("change", "name", "english", "chinese"), COURSE_CASES)
def test_course_problems_in_english_and_chinese(
    author, db, trainer, content, change, name, english, chinese
):
    response = author.post("/author/courses/alpha", data=course_form(**change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    shown = field_error(page, name)
    assert english in shown.split("<br>"), (shown, general_errors(page))
    assert "expected" not in page and "unknown" not in shown and "'" not in shown

    _in_chinese(db, trainer)
    page = author.post("/author/courses/alpha", data=course_form(**change)).get_data(as_text=True)
    assert chinese in field_error(page, name).split("<br>"), field_error(page, name)


@pytest.mark.parametrize(("change", "name", "english", "chinese"), LESSON_CASES)
def test_lesson_problems_in_english_and_chinese(
    author, db, trainer, content, change, name, english, chinese
):
    form = lesson_form(**change)
    response = author.post("/author/lessons/plan-your-day", data=form)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), name) == english

    _in_chinese(db, trainer)
    page = author.post("/author/lessons/plan-your-day", data=form).get_data(as_text=True)
    assert field_error(page, name) == chinese
