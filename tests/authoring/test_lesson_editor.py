"""The lesson editor: drafts, publishing, validation next to the fields, bad and hostile input."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from werkzeug.test import encode_multipart

from lms.authoring.models import ContentDraft
from lms.content import store
from tests.authoring.pages import field_error, general_errors, input_value, lesson_form, textarea
from tests.courses import factory

EDIT = "/author/lessons/plan-your-day"
READ = "/courses/alpha/lessons/plan-your-day"


def drafts(db):
    return db.session.scalars(sa.select(ContentDraft)).all()


def version(kind="lesson", slug="plan-your-day"):
    return store.current_version(kind, slug)


# --- permissions --------------------------------------------------------------------------------


AUTHORING_REQUESTS = [
    ("GET", "/author"),
    ("GET", "/author/lessons/new"),
    ("POST", "/author/lessons/new"),
    ("GET", EDIT),
    ("POST", EDIT),
    ("GET", "/author/courses/new"),
    ("POST", "/author/courses/new"),
    ("GET", "/author/courses/alpha"),
    ("POST", "/author/courses/alpha"),
    ("POST", "/author/preview"),
    ("POST", "/author/lesson/plan-your-day/discard-draft"),
]


@pytest.mark.parametrize(("method", "url"), AUTHORING_REQUESTS)
def test_a_learner_cannot_author(learner_client, content, method, url):
    data = lesson_form(body_en="Hacked.\n") if method == "POST" else None
    response = learner_client.open(url, method=method, data=data)
    assert response.status_code == 403
    assert version().number == 1


def test_a_learner_cannot_publish_or_draft(learner_client, db, content):
    learner_client.post(EDIT, data=lesson_form(body_en="Hacked.\n", action="save-draft"))
    assert drafts(db) == []
    assert "Hacked" not in json.dumps(version().document)


def test_anonymous_is_sent_to_log_in(client, content):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_a_trainer_opens_the_editor_with_the_published_text(author, content):
    page = author.get(EDIT).get_data(as_text=True)
    assert input_value(page, "title-en") == "Plan your day"
    assert textarea(page, "body-en") == "Write the plan the evening before.\n"
    assert input_value(page, "title-zh-CN") == "计划你的一天"
    assert textarea(page, "body-zh-CN") == "前一天晚上写好计划。\n"
    assert 'value="planning" checked' in page
    assert "Published version 1" in page


def test_unknown_lesson_is_404(author, content):
    assert author.get("/author/lessons/nope").status_code == 404
    assert author.post("/author/lessons/nope", data=lesson_form()).status_code == 404


# --- drafts and publishing ----------------------------------------------------------------------


def test_a_draft_does_not_change_what_learners_see(author, learner_client, db, content, trainer):
    response = author.post(EDIT, data=lesson_form(body_en="A draft text.\n", action="save-draft"))
    assert response.status_code == 302
    (draft,) = drafts(db)
    assert draft.kind == "lesson" and draft.slug == "plan-your-day"
    assert draft.document["body"]["en"] == "A draft text.\n"
    assert draft.updated_by_id == trainer.id
    assert draft.base_version_id == version().id

    assert version().number == 1
    learner_page = learner_client.get(READ).get_data(as_text=True)
    assert "Write the plan the evening before." in learner_page
    assert "A draft text." not in learner_page

    editor = author.get(EDIT).get_data(as_text=True)
    assert textarea(editor, "body-en") == "A draft text.\n"
    assert "You are editing a draft saved by Tara Trainer" in editor

    index = author.get("/author?kind=lesson").get_data(as_text=True)
    assert "Draft by Tara Trainer" in index


def test_publishing_makes_version_n_plus_one(author, learner_client, db, content, trainer):
    author.post(EDIT, data=lesson_form(body_en="A draft text.\n", action="save-draft"))
    response = author.post(EDIT, data=lesson_form(body_en="The **new** text.\n"))
    assert response.status_code == 302
    current = version()
    assert current.number == 2
    assert current.origin == "editor"
    assert current.created_by_id == trainer.id
    assert current.document["body"]["en"] == "The **new** text.\n"
    assert current.document["body"]["zh-CN"] == "前一天晚上写好计划。\n"
    assert drafts(db) == []

    page = learner_client.get(READ).get_data(as_text=True)
    assert "The <strong>new</strong> text." in page
    assert "Published as version 2" in author.get(EDIT).get_data(as_text=True)

    author.post(EDIT, data=lesson_form(body_en="Third.\n"))
    assert version().number == 3


def test_publishing_unchanged_text_makes_no_version(author, content):
    author.post(EDIT, data=lesson_form())
    assert version().number == 1
    assert "Nothing has changed: version 1 stays current" in author.get(EDIT).get_data(as_text=True)


def test_windows_line_breaks_are_stored_as_newlines(author, content):
    author.post(EDIT, data=lesson_form(body_en="Line one.\r\nLine two.\r\n"))
    assert version().document["body"]["en"] == "Line one.\nLine two.\n"
    author.post(EDIT, data=lesson_form(body_en="Line one.\r\nLine two.\r\n"))
    assert version().number == 2


def test_a_stale_draft_says_so(author, db, content):
    author.post(EDIT, data=lesson_form(body_en="Draft.\n", action="save-draft"))
    factory.publish(factory.lesson("plan-your-day", "alpha", body="Imported meanwhile.\n"))
    db.session.commit()
    page = author.get(EDIT).get_data(as_text=True)
    assert "A newer version was published after this draft was started" in page


def test_discarding_a_draft(author, db, content):
    author.post(EDIT, data=lesson_form(body_en="Draft.\n", action="save-draft"))
    response = author.post("/author/lesson/plan-your-day/discard-draft")
    assert response.status_code == 302 and response.headers["Location"].endswith(EDIT)
    assert drafts(db) == []
    assert textarea(author.get(EDIT).get_data(as_text=True), "body-en") == (
        "Write the plan the evening before.\n"
    )
    assert author.post("/author/quiz/alpha-check/discard-draft").status_code == 404


def test_translation_is_published_and_read_in_chinese(author, app, make_user, content):
    from tests.helpers import login_as

    author.post(EDIT, data=lesson_form(title_zh="新的标题", body_zh="新的**中文**正文。\n"))
    reader = app.test_client()
    login_as(reader, make_user(locale="zh_CN"))
    page = reader.get(READ).get_data(as_text=True)
    assert "新的标题" in page and "新的<strong>中文</strong>正文。" in page


def test_a_translated_title_without_a_body_is_kept(author, app, make_user, content):
    from tests.helpers import login_as

    author.post(EDIT, data=lesson_form(title_zh="只有标题", body_zh=""))
    document = version().document
    assert document["title"]["zh-CN"] == "只有标题"
    assert "zh-CN" not in document["body"]
    reader = app.test_client()
    login_as(reader, make_user(locale="zh_CN"))
    page = reader.get(READ).get_data(as_text=True)
    assert "只有标题" in page and "Write the plan the evening before." in page


def test_languages_the_editor_does_not_show_are_kept(author, content):
    factory.publish(factory.lesson("plan-your-day", "alpha", body="English.\n", zh_body="中文。\n"))
    lesson = store.load(version())
    with_german = type(lesson)(
        lesson.id,
        lesson.course_id,
        type(lesson.title)({**lesson.title.values, "de": "Planen"}),
        type(lesson.body)({**lesson.body.values, "de": "Deutsch.\n"}),
        lesson.skills,
        lesson.minutes,
        lesson.language,
    )
    store.publish(with_german, actor=None)
    author.post(EDIT, data=lesson_form(body_en="Changed.\n"))
    document = version().document
    assert document["body"] == {
        "en": "Changed.\n",
        "zh-CN": "前一天晚上写好计划。\n",
        "de": "Deutsch.\n",
    }
    assert document["title"]["de"] == "Planen"


# --- new lessons --------------------------------------------------------------------------------


def new_lesson(**fields):
    values = {
        "id": "handle-silence",
        "title_en": "Handle silence",
        "body_en": "Wait three seconds.\n",
        "title_zh": "",
        "body_zh": "",
    }
    values.update(fields)
    return lesson_form(**values)


def test_a_new_lesson_is_published_into_its_course(author, learner_client, content):
    response = author.post("/author/lessons/new", data=new_lesson())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/author/lessons/handle-silence")
    current = version(slug="handle-silence")
    assert current.number == 1 and current.document["course"] == "alpha"
    page = learner_client.get("/courses/alpha/lessons/handle-silence").get_data(as_text=True)
    assert "Wait three seconds." in page


def test_a_new_lesson_can_start_as_a_draft(author, db, content):
    response = author.post("/author/lessons/new", data=new_lesson(action="save-draft"))
    assert response.status_code == 302
    assert version(slug="handle-silence") is None
    assert [d.slug for d in drafts(db)] == ["handle-silence"]
    assert "handle-silence" in author.get("/author?kind=lesson").get_data(as_text=True)
    assert author.post("/author/lessons/handle-silence", data=new_lesson()).status_code == 302
    assert version(slug="handle-silence").number == 1


def test_the_new_lesson_form_preselects_the_course(author, content):
    page = author.get("/author/lessons/new?course=beta").get_data(as_text=True)
    assert '<option value="beta" selected>' in page


# --- validation next to the field ---------------------------------------------------------------


def assert_kept(page: str, form: dict) -> None:
    """Everything the trainer typed is in the re-rendered form."""
    for name in ("title-en", "title-zh-CN"):
        assert input_value(page, name) == form[name].strip()
    for name in ("body-en", "body-zh-CN"):
        assert textarea(page, name) == form[name].replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"title_en": ""}, "title-en", "Write title (English)."),
        ({"title_en": "   "}, "title-en", "Write title (English)."),
        ({"body_en": ""}, "body-en", "Write text (Markdown) (English)."),
        ({"body_en": " \n\n "}, "body-en", "Write text (Markdown) (English)."),
        ({"minutes": "abc"}, "minutes", "Enter a whole number for minutes to read."),
        ({"minutes": "0"}, "minutes", "Enter 1 or more for minutes to read."),
        ({"minutes": "-3"}, "minutes", "Enter 1 or more for minutes to read."),
        ({"minutes": "2.5"}, "minutes", "Enter a whole number for minutes to read."),
        ({"minutes": "1" * 20}, "minutes", "Enter a whole number of minutes"),
        ({"skills": ["no-such-skill"]}, "skills", "Pick a skill of the framework for skills."),
        ({"skills": ["Bad Skill!"]}, "skills", "Use lowercase letters, digits and '-' for skills"),
        ({"course": ""}, "course", "Choose the course this lesson belongs to."),
        ({"course": "nope"}, "course", "There is no course nope."),
        ({"course": "beta"}, "course", "The course alpha lists this lesson."),
    ],
)
def test_errors_are_shown_next_to_the_field_and_nothing_is_lost(
    author, content, fields, name, message
):
    form = lesson_form(**{"body_en": "My careful\r\nedit.\n", **fields})
    response = author.post(EDIT, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(page, name), page[:0] or field_error(page, name)
    assert f'id="f-{name}"' in page
    assert "Please correct" in general_errors(page)
    form.setdefault("title-en", "")
    assert_kept(page, {**form, "body-en": form["body-en"]})
    assert version().number == 1


def test_a_translation_body_without_a_title_is_fine_but_an_empty_one_is_not_a_variant(
    author, content
):
    author.post(EDIT, data=lesson_form(title_zh="", body_zh="只有正文。\n"))
    document = version().document
    assert document["body"]["zh-CN"] == "只有正文。\n"
    assert "zh-CN" not in document["title"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "Bad Id!"}, "Use lowercase letters, digits and '-'"),
        ({"id": ""}, "Use lowercase letters, digits and '-'"),
        ({"id": "x" * 65}, "Use lowercase letters, digits and '-'"),
        ({"id": "follow-up"}, "Id is used already: choose another one."),
        ({"id": "beta-intro"}, "Id is used already: choose another one."),
    ],
)
def test_new_lesson_id_errors(author, content, fields, message):
    response = author.post("/author/lessons/new", data=new_lesson(**fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(page, "id")
    assert textarea(page, "body-en") == "Wait three seconds.\n"


def test_a_new_lesson_cannot_take_a_retired_id(author, content):
    store.retire("lesson", "follow-up")
    response = author.post("/author/lessons/new", data=new_lesson(id="follow-up"))
    assert "Id is used already: choose another one." in field_error(
        response.get_data(as_text=True), "id"
    )
    draft = author.post("/author/lessons/new", data=new_lesson(id="follow-up", action="save-draft"))
    assert "already exists" in field_error(draft.get_data(as_text=True), "id")


def test_a_draft_keeps_incomplete_work(author, db, content):
    response = author.post(EDIT, data=lesson_form(title_en="", minutes="soon", action="save-draft"))
    assert response.status_code == 302
    page = author.get(EDIT).get_data(as_text=True)
    assert input_value(page, "title-en") == ""
    assert "Write title (English)." in field_error(page, "title-en")
    assert "Enter a whole number for minutes to read." in field_error(page, "minutes")
    assert version().number == 1


# --- huge and hostile input ---------------------------------------------------------------------


def test_a_5_mb_body_gets_an_error_and_the_text_comes_back(author, db, content):
    huge = ("All work and no play. " * 238_500)[:5_000_000] + "THE-END"
    for action in ("publish", "save-draft", "preview"):
        response = author.post(EDIT, data=lesson_form(body_en=huge, action=action))
        page = response.get_data(as_text=True)
        if action == "preview":
            assert response.status_code == 200
            assert (
                'id="p-body-en"' in page and "THE-END" not in page.split('id="p-body-en"')[1][:200]
            )
        else:
            assert response.status_code == 422
            assert "is 5,000,007 characters long; the limit is 200,000" in field_error(
                page, "body-en"
            )
        assert textarea(page, "body-en") == huge
    assert version().number == 1
    assert drafts(db) == []


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_a_form_larger_than_16_mib_is_refused_clearly(author, content, multipart):
    """Our 413 and our message, whichever encoding and whatever the form parser's own limits."""
    form = lesson_form(body_en="x" * (17 * 1024 * 1024))
    if multipart:
        boundary, body = encode_multipart(form)
        response = author.post(
            EDIT, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
    else:
        response = author.post(EDIT, data=form)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The form is larger than 16 MiB and was not read. Nothing was saved" in page
    assert version().number == 1


def test_a_preview_larger_than_16_mib_gets_our_json_answer(author, content):
    response = author.post("/author/preview", data={"markdown": "x" * (17 * 1024 * 1024)})
    assert response.status_code == 413
    assert response.get_json()["error"].startswith("The form is larger than 16 MiB")


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_control_characters_are_refused(author, content, character):
    response = author.post(EDIT, data=lesson_form(body_en=f"Bad{character}text.\n"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"U+{ord(character):04X}" in field_error(page, "body-en")
    assert version().number == 1


def test_a_huge_title_is_refused(author, content):
    response = author.post(EDIT, data=lesson_form(title_en="T" * 201))
    assert "the limit is 200" in field_error(response.get_data(as_text=True), "title-en")


HOSTILE = (
    "# Hi\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) "
    "[x](JaVaScRiPt&#58;alert(3)) <a href='vbscript:msgbox(4)'>v</a> "
    "![i](data:text/html;base64,PHNjcmlwdD4=) <img src=x onerror=alert(5)>\n\n"
    "<iframe src='https://evil.example'></iframe><svg onload=alert(6)></svg>\n\n"
    "[ref][r]\n\n[r]: javascript:alert(7)\n\n[ok](https://example.com) **bold**\n"
)


def test_hostile_markdown_is_stored_sanitized(author, learner_client, content):
    response = author.post(
        EDIT, data=lesson_form(title_en='<script>alert("t")</script>', body_en=HOSTILE)
    )
    assert response.status_code == 302
    current = version()
    assert current.document["body"]["en"] == HOSTILE
    stored = current.rendered["body"]["en"]
    lowered = stored.lower()
    for bad in (
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "onerror",
        "onload",
        "<iframe",
        "<svg",
    ):
        assert bad not in lowered, bad
    assert '<a href="https://example.com" rel="nofollow noopener">ok</a>' in stored
    assert "<strong>bold</strong>" in stored

    page = learner_client.get(READ).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page
    assert "<script>alert" not in page

    editor = author.get(EDIT).get_data(as_text=True)
    assert textarea(editor, "body-en") == HOSTILE
    assert "<script>alert(1)</script>" not in editor
    assert input_value(editor, "title-en") == '<script>alert("t")</script>'


def test_hostile_form_values_get_errors_not_crashes(author, content):
    for data in (
        {"action": "publish"},
        {"action": "publish", "course": ["alpha", "beta"], "skills": ["x" * 5000]},
        {"action": "no-such-action", "title-en": "x"},
        {"action": "save-draft", "course": "<script>", "title-en": "x"},
    ):
        response = author.post(EDIT, data=data)
        assert response.status_code in (200, 302, 422)
        assert "Traceback" not in response.get_data(as_text=True)
    assert version().number == 1


# --- preview ------------------------------------------------------------------------------------


def test_preview_endpoint_renders_with_the_sanitizer(author, content):
    response = author.post("/author/preview", data={"markdown": HOSTILE})
    assert response.status_code == 200
    rendered = response.get_json()["html"]
    assert '<h1 id="hi">Hi</h1>' in rendered
    assert "<script" not in rendered and "javascript:" not in rendered.lower()
    from lms.content.markdown import render_markdown

    assert rendered == render_markdown(HOSTILE)


def test_preview_endpoint_refuses_huge_text(author, content):
    response = author.post("/author/preview", data={"markdown": "x" * 200_001})
    assert response.status_code == 413
    assert "too long" in response.get_json()["error"]


def test_the_preview_button_works_without_javascript(author, db, content):
    response = author.post(EDIT, data=lesson_form(body_en="## Seen\n\n*here*\n", action="preview"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = page.split('id="p-body-en"', 1)[1].split("</section>", 1)[0]
    assert '<h2 id="seen">Seen</h2>' in preview and "<em>here</em>" in preview
    assert textarea(page, "body-en") == "## Seen\n\n*here*\n"
    assert version().number == 1 and drafts(db) == []


def test_a_body_the_renderer_refuses_is_a_form_error(author, db, content):
    deep = "".join("\t" * level + "- x\n" for level in range(250))
    response = author.post(EDIT, data=lesson_form(body_en=deep))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "body-en") == (
        "The body (English): the formatting is nested too deeply (at most 20 levels of lists, "
        "quotes and indentation)."
    )
    assert version().number == 1


def test_the_preview_endpoint_answers_a_refused_text_with_a_message(author, content):
    slow = author.post("/author/preview", data={"markdown": "![" * 15000})
    assert slow.status_code == 422
    assert slow.get_json()["error"].startswith("The text: the text takes too long to format.")
    deep = author.post("/author/preview", data={"markdown": "> " * 100 + "x"})
    assert deep.status_code == 422
    assert "nested too deeply" in deep.get_json()["error"]
    assert author.post("/author/preview", data={"markdown": "*ok*"}).get_json() == {
        "html": "<p><em>ok</em></p>"
    }
