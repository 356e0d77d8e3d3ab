"""Trainer pages: the content list, the course and lesson editors, the Markdown preview."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.app_setup import render_error
from lms.auth.permissions import Permission, permission_required
from lms.authoring import services
from lms.authoring.form_states import (
    EDIT_LOCALES,
    MAX_BODY_CHARS,
    MAX_FORM_BYTES,
    CourseState,
    LessonState,
    ModuleState,
    course_fields,
    keep_shown,
    lesson_fields,
    locale_label,
    locales_for,
    normalize,
)
from lms.authoring.messages import conflict_message
from lms.authoring.validation import GENERAL, Problems, stored_context
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.forms import markdown_problem
from lms.content.markdown import MarkdownError
from lms.content.model import DEFAULT_LANGUAGE, Course, Lesson
from lms.core.inputs import is_ascii_digits, reports_control_characters
from lms.extensions import db
from lms.i18n import content_locale
from lms.skills.models import Skill

bp = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/author")

FORM_TOO_LARGE = _l(
    "The form is larger than 16 MiB and was not read. Nothing was saved: keep a copy of your "
    "text, shorten it and send it again."
)


@bp.record_once
def _allow_large_forms(state) -> None:
    """Editor forms carry whole lessons: read up to MAX_FORM_BYTES for this blueprint's
    requests, before anything (the CSRF check) parses the form. A larger request is refused
    with our 413 here, whatever the form parser's own limits for its encoding are."""

    def raise_form_limit() -> None:
        if request.blueprint == bp.name:
            if (request.content_length or 0) > MAX_FORM_BYTES:
                abort(413)
            request.max_content_length = MAX_FORM_BYTES
            request.max_form_memory_size = MAX_FORM_BYTES

    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_form_limit)


@bp.errorhandler(413)
def _too_large(error):
    if request.endpoint == "authoring.preview":
        return jsonify(error=str(FORM_TOO_LARGE)), 413
    return render_error(413, FORM_TOO_LARGE)


def _skills(locale: str) -> list[tuple[str, str]]:
    skills = db.session.scalars(
        sa.select(Skill).where(Skill.retired_at.is_(None)).order_by(Skill.position, Skill.id)
    )
    return [(skill.id, skill.title(locale)) for skill in skills]


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    kind = request.args.get("kind", "course")
    if kind not in services.LISTED_KINDS:
        kind = "course"
    return render_template(
        "authoring/index.html",
        kind=kind,
        rows=services.index_rows(kind, content_locale()),
        counts=services.kind_counts(),
    )


@bp.post("/preview")
@permission_required(Permission.AUTHOR_CONTENT)
def preview():
    source = normalize(request.form.get("markdown", ""))
    if len(source) > MAX_BODY_CHARS:
        return jsonify(error=_("The text is too long to preview.")), 413
    try:
        html = services.preview_html(source)
    except MarkdownError as error:
        return jsonify(error=str(markdown_problem(error, _("The text")))), 422
    return jsonify(html=html)


@bp.post("/<kind>/<slug>/discard-draft")
@permission_required(Permission.AUTHOR_CONTENT)
def discard_draft(kind: str, slug: str):
    if kind not in services.EDITABLE_KINDS:
        abort(404)
    if services.discard_draft(kind, slug):
        flash(_("The draft has been discarded."), "info")
    if store.current_version(kind, slug) is not None:
        return redirect(url_for(f"authoring.{kind}_edit", **{f"{kind}_id": slug}))
    return redirect(url_for("authoring.index", kind=kind))


@bp.post("/<kind>/<slug>/duplicate")
@permission_required(Permission.AUTHOR_CONTENT)
def duplicate(kind: str, slug: str):
    """Copy a lesson, drill or quiz into a new draft and open it in its editor."""
    if kind not in services.DUPLICABLE or not ID_RE.match(slug):
        abort(404)
    endpoint, argument = services.DUPLICABLE[kind]
    new_slug = (request.form.get("new_id") or "").strip()
    created, problem = services.duplicate(kind, slug, new_slug, actor=current_user)
    if created is None:
        flash(problem, "error")
        return redirect(url_for(endpoint, **{argument: slug})), 303
    flash(_("The copy is a new draft: change it, then publish it."), "success")
    return redirect(url_for(endpoint, **{argument: new_slug})), 303


@bp.get("/drafts")
@permission_required(Permission.AUTHOR_CONTENT)
def drafts():
    """Every draft, latest first, with who saved it last."""
    rows = [
        (draft, *services.DRAFT_EDITORS.get(draft.kind, (None, None)))
        for draft in services.drafts_of()
    ]
    return render_template("authoring/drafts.html", rows=rows)


# --- saving over someone else's save ----------------------------------------------------------


def _form_number(name: str) -> int | None:
    """A revision or version number the editor page was loaded with (None when not sent)."""
    raw = (request.form.get(name) or "").strip()
    return int(raw) if is_ascii_digits(raw) and len(raw) < 10 else None


def _refused_as_conflict(kind: str, slug: str | None) -> bool:
    """Whether someone else saved the draft or published since this trainer's page was loaded;
    then nothing is written, the trainer is told who and when, and the page shows what they
    typed (with the current revision: saving again keeps their text)."""
    if slug is None:
        return False
    conflict = services.find_conflict(
        kind, slug, revision=_form_number("revision"), version=_form_number("version")
    )
    if conflict is None:
        return False
    flash(conflict_message(conflict.name, conflict.saved_at), "error")
    return True


# --- lessons ------------------------------------------------------------------------------------


def _previews(bodies: dict[str, str], locales: tuple[str, ...]) -> dict[str, str]:
    """The preview of each body; a body the renderer refuses has none (publishing names it)."""
    previews = {}
    for locale in locales:
        if bodies.get(locale, "").strip() and len(bodies[locale]) <= MAX_BODY_CHARS:
            try:
                previews[locale] = services.preview_html(bodies[locale])
            except MarkdownError:
                continue
    return previews


def _render_lesson(
    state: LessonState,
    *,
    is_new: bool,
    editing: services.Editing | None,
    problems: Problems | None = None,
    previews: dict[str, str] | None = None,
    status: int = 200,
):
    language = services.course_language(state.course) or DEFAULT_LANGUAGE
    locales = locales_for(language)
    problems = keep_shown(problems or Problems(), lesson_fields(locales))
    locale = content_locale()
    return (
        render_template(
            "authoring/lesson_form.html",
            state=state,
            is_new=is_new,
            editing=editing,
            problems=problems,
            previews=previews or {},
            locales=locales,
            locale_label=locale_label,
            courses=services.course_choices(locale),
            skills=_skills(locale),
        ),
        status,
    )


def _lesson_state_of(editing: services.Editing) -> LessonState:
    if editing.draft is not None:
        return LessonState.from_document(editing.draft.document)
    lesson = store.load(editing.version)  # type: ignore[arg-type]
    assert isinstance(lesson, Lesson)
    return LessonState.from_lesson(lesson)


def _published_course(editing: services.Editing | None) -> str | None:
    if editing is None or editing.version is None:
        return None
    return editing.version.document.get("course")


def _handle_lesson_post(slug: str | None, editing: services.Editing | None):
    is_new = slug is None
    base = _lesson_state_of(editing) if editing is not None else None
    course = normalize(request.form.get("course")).strip()
    language = services.course_language(course) or DEFAULT_LANGUAGE
    locales = locales_for(language)
    state = LessonState.from_form(request.form, locales, slug=slug, base=base)
    action = request.form.get("action", "")
    if action == "preview":
        return _render_lesson(
            state, is_new=is_new, editing=editing, previews=_previews(state.bodies, locales)
        )
    if action == "save-draft":
        problems = state.limits(locales, is_new=is_new)
        if is_new and not problems and services.id_taken("lesson", state.id):
            problems.add("id", _("A lesson with this id already exists."))
        if problems:
            return _render_lesson(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        if _refused_as_conflict("lesson", slug):
            return _render_lesson(state, is_new=is_new, editing=editing, status=409)
        services.save_draft(
            "lesson",
            state.id,
            state.to_document(language),
            actor=current_user,
            base_version=editing.version if editing is not None else None,
        )
        flash(_("Draft saved. Learners still see the published version."), "success")
        return redirect(url_for("authoring.lesson_edit", lesson_id=state.id))
    if action == "publish":
        lesson, problems = services.check_lesson_state(
            state, is_new=is_new, previous_course=_published_course(editing)
        )
        if lesson is None:
            return _render_lesson(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        if _refused_as_conflict("lesson", slug):
            return _render_lesson(state, is_new=is_new, editing=editing, status=409)
        published = services.publish_lesson(lesson, actor=current_user)
        if published.result is None:  # checked just before; only a render at its time limit
            problems.add(GENERAL, published.problem)
            return _render_lesson(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        _flash_published(published.result)
        return redirect(url_for("authoring.lesson_edit", lesson_id=lesson.id))
    return _render_lesson(state, is_new=is_new, editing=editing)


def _flash_published(result: store.PublishResult) -> None:
    if result.change == store.Change.UNCHANGED:
        flash(
            _(
                "Nothing has changed: version %(number)d stays current.",
                number=result.version.number,
            ),
            "info",
        )
    else:
        flash(
            _(
                "Published as version %(number)d. Learners see it now.",
                number=result.version.number,
            ),
            "success",
        )


@bp.route("/lessons/new", methods=["GET", "POST"])
@reports_control_characters
@permission_required(Permission.AUTHOR_CONTENT)
def lesson_new():
    if request.method == "POST":
        return _handle_lesson_post(None, None)
    state = LessonState(course=normalize(request.args.get("course", "")).strip()[:64])
    return _render_lesson(state, is_new=True, editing=None)


@bp.route("/lessons/<lesson_id>", methods=["GET", "POST"])
@reports_control_characters
@permission_required(Permission.AUTHOR_CONTENT)
def lesson_edit(lesson_id: str):
    editing = services.editing("lesson", lesson_id)
    if not editing.exists:
        abort(404)
    if request.method == "POST":
        return _handle_lesson_post(lesson_id, editing)
    state = _lesson_state_of(editing)
    problems = None
    if editing.draft is not None:
        _lesson, problems = services.check_lesson_state(
            state, is_new=False, previous_course=_published_course(editing)
        )
    return _render_lesson(state, is_new=False, editing=editing, problems=problems)


# --- courses ------------------------------------------------------------------------------------


def _render_course(
    state: CourseState,
    *,
    is_new: bool,
    editing: services.Editing | None,
    problems: Problems | None = None,
    previews: dict[str, str] | None = None,
    status: int = 200,
):
    locale = content_locale()
    context = stored_context()
    problems = keep_shown(problems or Problems(), course_fields(state))
    listed = state.listed()
    choices = [
        choice
        for choice in services.item_choices(state.id, locale, context)
        if tuple(choice.value.split(":", 1)) not in listed
    ]
    lessons = []
    if state.id and not is_new:
        lessons = [
            choice
            for choice in services.item_choices(state.id, locale, context)
            if choice.value.startswith("lesson:")
        ]
    languages = list(EDIT_LOCALES)
    if state.language not in languages:
        languages.append(state.language)
    return (
        render_template(
            "authoring/course_form.html",
            state=state,
            is_new=is_new,
            editing=editing,
            problems=problems,
            previews=previews or {},
            locales=locales_for(state.language),
            locale_label=locale_label,
            languages=languages,
            skills=_skills(locale),
            choices=choices,
            titles=services.item_titles(listed, locale),
            lessons=lessons,
        ),
        status,
    )


def _course_state_of(editing: services.Editing) -> CourseState:
    if editing.draft is not None:
        return CourseState.from_document(editing.draft.document)
    course = store.load(editing.version)  # type: ignore[arg-type]
    assert isinstance(course, Course)
    return CourseState.from_course(course)


def _handle_course_post(slug: str | None, editing: services.Editing | None):
    is_new = slug is None
    base = _course_state_of(editing) if editing is not None else None
    state = CourseState.from_form(request.form, slug=slug, base=base)
    action = request.form.get("action", "")
    if action == "preview":
        locales = locales_for(state.language)
        return _render_course(
            state, is_new=is_new, editing=editing, previews=_previews(state.summaries, locales)
        )
    if action == "save-draft":
        problems = state.limits(is_new=is_new)
        if is_new and not problems and services.id_taken("course", state.id):
            problems.add("id", _("A course with this id already exists."))
        if problems:
            return _render_course(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        if _refused_as_conflict("course", slug):
            return _render_course(state, is_new=is_new, editing=editing, status=409)
        version = editing.version if editing is not None else None
        services.save_draft(
            "course", state.id, state.to_document(), actor=current_user, base_version=version
        )
        flash(_("Draft saved. Learners still see the published version."), "success")
        return redirect(url_for("authoring.course_edit", course_id=state.id))
    if action == "publish":
        course, lessons, problems = services.check_course_state(state, is_new=is_new)
        if course is None:
            return _render_course(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        if _refused_as_conflict("course", slug):
            return _render_course(state, is_new=is_new, editing=editing, status=409)
        published = services.publish_course(course, lessons, actor=current_user)
        if published.result is None:  # checked just before; only a render at its time limit
            problems.add(GENERAL, published.problem)
            return _render_course(
                state, is_new=is_new, editing=editing, problems=problems, status=422
            )
        _flash_published(published.result)
        if lessons:
            flash(
                _(
                    "Published with it: %(lessons)s.",
                    lessons=", ".join(sorted(lessons)),
                ),
                "success",
            )
        return redirect(url_for("authoring.course_edit", course_id=course.id))
    if action and action not in ("refresh",):
        state.apply(action, request.form)
    return _render_course(state, is_new=is_new, editing=editing)


@bp.route("/courses/new", methods=["GET", "POST"])
@reports_control_characters
@permission_required(Permission.AUTHOR_CONTENT)
def course_new():
    if request.method == "POST":
        return _handle_course_post(None, None)
    return _render_course(CourseState(modules=[ModuleState()]), is_new=True, editing=None)


@bp.route("/courses/<course_id>", methods=["GET", "POST"])
@reports_control_characters
@permission_required(Permission.AUTHOR_CONTENT)
def course_edit(course_id: str):
    editing = services.editing("course", course_id)
    if not editing.exists:
        abort(404)
    if request.method == "POST":
        return _handle_course_post(course_id, editing)
    state = _course_state_of(editing)
    problems = None
    if editing.draft is not None:
        _course, _lessons, problems = services.check_course_state(state, is_new=False)
    return _render_course(state, is_new=False, editing=editing, problems=problems)
