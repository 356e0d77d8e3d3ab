"""Two trainers on one course or lesson: the second save is refused with who saved and when, and
their text comes back to them; publishing is all or nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import format_datetime

from lms.authoring import services
from lms.authoring.models import ContentDraft
from lms.content import store
from lms.content.markdown import MarkdownError
from lms.content.model import Course
from lms.content.models import ContentVersion
from lms.people.models import Role
from tests.authoring.pages import course_form, lesson_form, textarea
from tests.helpers import login_as

LESSON = "/author/lessons/plan-your-day"
COURSE = "/author/courses/alpha"


@pytest.fixture
def olga(app, make_user):
    """A second trainer's client."""
    client = app.test_client()
    login_as(client, make_user("olga@example.com", name="Olga Other", roles={Role.TRAINER}))
    return client


def loaded_with(page: str) -> dict[str, str]:
    """The draft revision and live version number the editor page was loaded with."""
    return dict(re.findall(r'<input type="hidden" name="(revision|version)" value="(\d+)">', page))


def draft(db, kind: str, slug: str) -> ContentDraft | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.slug == slug)
    )


def saved_at_text(app, when) -> str:
    with app.test_request_context():
        return format_datetime(when, "short")


def test_a_lesson_draft_saved_in_between_is_not_overwritten(app, db, author, olga, content):
    mine = loaded_with(author.get(LESSON).get_data(as_text=True))
    assert mine == {"revision": "0", "version": "1"}
    theirs = loaded_with(olga.get(LESSON).get_data(as_text=True))
    olga_form = lesson_form(body_en="Olga's plan.\n", action="save-draft", **theirs)
    assert olga.post(LESSON, data=olga_form).status_code == 302

    form = lesson_form(body_en="Tara's careful plan.\n", action="save-draft", **mine)
    response = author.post(LESSON, data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    saved = draft(db, "lesson", "plan-your-day")
    assert f"Olga Other saved this at {saved_at_text(app, saved.updated_at)}" in page
    assert textarea(page, "body-en") == "Tara's careful plan.\n"
    assert saved.document["body"]["en"] == "Olga's plan.\n" and saved.revision == 1

    # The page now carries Olga's revision: saving again keeps Tara's text, knowingly.
    again = loaded_with(page)
    assert again == {"revision": "1", "version": "1"}
    assert author.post(LESSON, data={**form, **again}).status_code == 302
    assert draft(db, "lesson", "plan-your-day").document["body"]["en"] == "Tara's careful plan.\n"


def test_publishing_over_a_newer_version_is_refused(app, db, author, olga, content):
    mine = loaded_with(author.get(LESSON).get_data(as_text=True))
    assert olga.post(LESSON, data=lesson_form(body_en="Olga's version.\n")).status_code == 302
    assert store.current_version("lesson", "plan-your-day").number == 2

    response = author.post(LESSON, data=lesson_form(body_en="Tara's version.\n", **mine))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Olga Other saved this at" in page
    assert textarea(page, "body-en") == "Tara's version.\n"
    live = store.current_version("lesson", "plan-your-day")
    assert live.number == 2 and live.document["body"]["en"] == "Olga's version.\n"


def test_a_course_draft_saved_in_between_is_not_overwritten(db, author, olga, content):
    mine = loaded_with(author.get(COURSE).get_data(as_text=True))
    olga_form = course_form(action="save-draft", **{"title-en": "Olga's title"}, **mine)
    assert olga.post(COURSE, data=olga_form).status_code == 302
    form = course_form(action="save-draft", **{"title-en": "Tara's title"}, **mine)
    response = author.post(COURSE, data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Olga Other saved this at" in page and 'value="Tara&#39;s title"' in page
    assert draft(db, "course", "alpha").document["title"]["en"] == "Olga's title"


def test_a_page_without_the_revision_saves_as_before(db, author, olga, content):
    """Forms of pages loaded before the check was added carry no revision: they save."""
    olga.post(LESSON, data=lesson_form(body_en="Olga's plan.\n", action="save-draft"))
    form = lesson_form(body_en="Tara's plan.\n", action="save-draft")
    assert author.post(LESSON, data=form).status_code == 302


@pytest.mark.parametrize("revision", ["-1", "abc", "9" * 30, "١"])
def test_a_strange_revision_is_ignored_not_a_crash(db, author, content, revision):
    form = lesson_form(body_en="Tara's plan.\n", action="save-draft", revision=revision)
    assert author.post(LESSON, data=form).status_code == 302


# --- publishing is all or nothing -------------------------------------------------------------


def _course_with_a_draft_lesson(author) -> dict:
    form = course_form(id="gamma", action="save-draft", **{"modules": "1", "module-0-item": []})
    assert author.post("/author/courses/new", data=form).status_code == 302
    lesson = lesson_form(
        id="gamma-intro",
        course="gamma",
        title_en="Gamma intro",
        body_en="Welcome.\n",
        title_zh="",
        body_zh="",
        action="save-draft",
    )
    assert author.post("/author/lessons/new", data=lesson).status_code == 302
    return {**form, "action": "publish", "module-0-item": ["lesson:gamma-intro"]}


def _refuse_courses(monkeypatch) -> None:
    """The renderer refuses the course at publishing (its time limit), after its lesson was
    written."""
    publish = store.publish

    def refusing(obj, **kwargs):
        if isinstance(obj, Course):
            raise MarkdownError(MarkdownError.TOO_SLOW, limit=1, found=2)
        return publish(obj, **kwargs)

    monkeypatch.setattr(store, "publish", refusing)


def test_a_failing_course_publication_leaves_no_partial_write(db, author, content, monkeypatch):
    publish_form = _course_with_a_draft_lesson(author)
    versions = db.session.scalar(sa.select(sa.func.count(ContentVersion.id)))
    _refuse_courses(monkeypatch)
    response = author.post("/author/courses/gamma", data=publish_form)
    assert response.status_code == 422
    assert "the text takes too long to format" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ContentVersion.id))) == versions
    assert store.current_version("lesson", "gamma-intro") is None
    assert draft(db, "lesson", "gamma-intro") is not None
    assert draft(db, "course", "gamma") is not None


def test_the_publishing_service_returns_the_refusal_and_undoes_its_writes(
    db, trainer, author, content, monkeypatch
):
    _course_with_a_draft_lesson(author)
    state = services.CourseState.from_document(draft(db, "course", "gamma").document)
    state.modules[0].items.append(("lesson", "gamma-intro"))
    course, lessons, problems = services.check_course_state(state, is_new=False)
    assert course is not None and list(lessons) == ["gamma-intro"], problems.by_field
    _refuse_courses(monkeypatch)
    with author.application.test_request_context():
        outcome = services.publish_course(course, lessons, actor=trainer)
    assert outcome.result is None and "too long to format" in outcome.problem
    assert store.current_version("lesson", "gamma-intro") is None
    assert draft(db, "lesson", "gamma-intro") is not None
