"""The quiz editor (/author/quizzes): settings, questions of every kind, the pool, a learner's
preview, drafts and publishing. Every change is saved to the draft; learners see a quiz only
once it is published as a new version."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.authoring import services as drafts
from lms.authoring.services import DraftConflict
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.kinds import QUESTION_KINDS
from lms.content.kinds.editing import read_text
from lms.content.markdown import render_text_map
from lms.core.inputs import is_ascii_digits
from lms.i18n import content_locale
from lms.quizzes import editing
from lms.quizzes.scoring import score_attempt

bp = Blueprint("quiz_editor", __name__, template_folder="templates", url_prefix="/author/quizzes")


@bp.url_value_preprocessor
def _check_ids(endpoint, values) -> None:
    for key in ("quiz_id", "question_id"):
        if values and key in values and not ID_RE.match(values[key]):
            abort(404)


def _state_or_404(quiz_id: str) -> editing.Editing:
    state = editing.editing(quiz_id)
    if state is None:
        abort(404)
    return state


def _revision() -> int:
    raw = (request.form.get("revision") or "").strip()
    return int(raw) if is_ascii_digits(raw) and len(raw) < 10 else -1


def _conflict_message(error: DraftConflict) -> str:
    editor = error.draft.updated_by.name if error.draft.updated_by else _("another trainer")
    return _(
        "%(name)s saved this draft while you were editing it. Your change was not saved: "
        "reload the page to see their version, then make your change again.",
        name=editor,
    )


def _save(state: editing.Editing, document: dict[str, Any]) -> bool:
    """Save the draft; on a conflict flash it and roll back; returns whether it was saved."""
    try:
        editing.save(state, document, actor=current_user, revision=_revision())
    except DraftConflict as error:
        flash(_conflict_message(error), "error")
        return False
    return True


# --- the list --------------------------------------------------------------------------------


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    locale = content_locale()
    live = store.current_versions("quiz")
    draft_rows = drafts.drafts_of("quiz")
    rows = []
    for slug in sorted(set(live) | {d.slug for d in draft_rows}):
        version = live.get(slug)
        draft = next((d for d in draft_rows if d.slug == slug), None)
        document = draft.document if draft else version.document
        title = document.get("title") if isinstance(document.get("title"), dict) else {}
        rows.append(
            {
                "slug": slug,
                "title": title.get(locale) or next(iter(title.values()), slug),
                "version": version,
                "draft": draft,
            }
        )
    courses = sorted(store.current_versions("course"))
    return render_template("quizzes/editor/index.html", rows=rows, courses=courses, problems={})


@bp.post("/new")
@permission_required(Permission.AUTHOR_CONTENT)
def create():
    slug = (request.form.get("id") or "").strip()
    course_id = (request.form.get("course") or "").strip()
    state, problems = editing.create(
        slug, course_id, read_text(request.form, "title"), actor=current_user
    )
    if state is None:
        for message in problems.values():
            flash(message, "error")
        return redirect(url_for(".index")), 303
    flash(_("The quiz draft is created. Add its questions, then publish it."), "success")
    return redirect(url_for(".edit", quiz_id=slug)), 303


# --- settings and the question list ----------------------------------------------------------


def _edit_page(state: editing.Editing, status: int = 200):
    check = editing.check(state.document, state.slug)
    return (
        render_template(
            "quizzes/editor/edit.html",
            state=state,
            doc=state.document,
            check=check,
            pool=editing.pool(state.document),
            kinds=QUESTION_KINDS,
            locale=content_locale(),
        ),
        status,
    )


@bp.route("/<quiz_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def edit(quiz_id: str):
    state = _state_or_404(quiz_id)
    if request.method == "POST":
        document = editing.apply_settings(state.document, request.form)
        if not _save(state, document):
            return redirect(url_for(".edit", quiz_id=quiz_id)), 303
        flash(_("Settings saved in the draft."), "success")
        return redirect(url_for(".edit", quiz_id=quiz_id)), 303
    return _edit_page(state)


def _question_page(state, values: dict, question_id: str | None, problems: list[str], status=200):
    kind = QUESTION_KINDS.get(values.get("kind"))
    return (
        render_template(
            "quizzes/editor/question.html",
            state=state,
            values=values,
            kind=kind,
            kinds=QUESTION_KINDS,
            question_id=question_id,
            problems=problems,
        ),
        status,
    )


@bp.route("/<quiz_id>/questions/new", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def new_question(quiz_id: str):
    state = _state_or_404(quiz_id)
    if request.method == "POST":
        return _post_question(state, None)
    kind = request.args.get("kind") if request.args.get("kind") in QUESTION_KINDS else "single"
    values = editing.question_values({"id": editing.next_question_id(state.document), "kind": kind})
    return _question_page(state, values, None, [])


@bp.route("/<quiz_id>/questions/<question_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def question(quiz_id: str, question_id: str):
    state = _state_or_404(quiz_id)
    raw = state.question(question_id)
    if raw is None:
        abort(404)
    if request.method == "POST":
        return _post_question(state, question_id)
    problems = editing.check(state.document, state.slug).questions.get(question_id, [])
    return _question_page(state, editing.question_values(raw), question_id, problems)


def _post_question(state: editing.Editing, question_id: str | None):
    try:
        document = editing.apply_question(state.document, question_id, request.form)
    except editing.EditorError as error:
        values = {"kind": request.form.get("kind"), "id": request.form.get("id", "")}
        return _question_page(state, values, question_id, [str(error)], 400)
    new_id = (request.form.get("id") or "").strip()
    if not _save(state, document):
        return redirect(url_for(".edit", quiz_id=state.slug)), 303
    problems = editing.check(state.document, state.slug).questions.get(new_id, [])
    if problems:
        flash(
            _("Question saved in the draft. Some fields need fixing before you publish."), "warning"
        )
        if ID_RE.match(new_id) and state.question(new_id) is not None:
            return redirect(url_for(".question", quiz_id=state.slug, question_id=new_id)), 303
    else:
        flash(_("Question saved in the draft."), "success")
    return redirect(url_for(".edit", quiz_id=state.slug)), 303


@bp.post("/<quiz_id>/questions/<question_id>/move")
@permission_required(Permission.AUTHOR_CONTENT)
def move_question(quiz_id: str, question_id: str):
    state = _state_or_404(quiz_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    _save(state, editing.move_question(state.document, question_id, delta))
    return redirect(url_for(".edit", quiz_id=quiz_id) + "#questions"), 303


@bp.post("/<quiz_id>/questions/<question_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_question(quiz_id: str, question_id: str):
    state = _state_or_404(quiz_id)
    if _save(state, editing.delete_question(state.document, question_id)):
        flash(_("Question removed from the draft."), "success")
    return redirect(url_for(".edit", quiz_id=quiz_id) + "#questions"), 303


# --- preview, publish, duplicate, discard ----------------------------------------------------


@bp.route("/<quiz_id>/preview", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def preview(quiz_id: str):
    state = _state_or_404(quiz_id)
    check = editing.check(state.document, state.slug)
    quiz = check.quiz
    locale = content_locale()
    questions = []
    score = None
    if quiz is not None:
        answers: dict[str, list[int]] = {}
        if request.method == "POST":
            for q in quiz.questions:
                kind = QUESTION_KINDS[q.kind]
                try:
                    answers[q.id] = kind.parse(q, request.form.getlist(f"answer-{q.id}"))
                except ValueError:
                    answers[q.id] = []
            score = score_attempt(quiz, [q.id for q in quiz.questions], answers)
        for q in quiz.questions:
            kind = QUESTION_KINDS[q.kind]
            picked = answers.get(q.id, [])
            options = []
            for index in range(kind.option_count(q)):
                label = kind.option_text(q, index)
                label = label.get(locale, quiz.language) if hasattr(label, "get") else label
                options.append({"value": index, "label": str(label), "is_checked": index in picked})
            questions.append(
                {
                    "id": q.id,
                    "kind": kind,
                    "prompt_html": render_text_map(q.prompt.values).get(locale)
                    or next(iter(render_text_map(q.prompt.values).values())),
                    "options": options,
                    "picked": picked,
                    "score": float(score.questions[q.id]) if score else None,
                }
            )
    return render_template(
        "quizzes/editor/preview.html", state=state, check=check, questions=questions, score=score
    )


@bp.post("/<quiz_id>/publish")
@permission_required(Permission.AUTHOR_CONTENT)
def publish(quiz_id: str):
    state = _state_or_404(quiz_id)
    try:
        result = editing.publish(state, actor=current_user)
    except editing.EditorError as error:
        flash(str(error), "error")
        return _edit_page(state, 400)
    flash(
        _("Published as version %(number)d. New attempts use it.", number=result.version.number),
        "success",
    )
    return redirect(url_for(".edit", quiz_id=quiz_id)), 303


@bp.post("/<quiz_id>/discard")
@permission_required(Permission.AUTHOR_CONTENT)
def discard(quiz_id: str):
    _state_or_404(quiz_id)
    drafts.discard_draft(editing.KIND, quiz_id)
    flash(_("The draft is discarded."), "success")
    if store.current_version(editing.KIND, quiz_id) is None:
        return redirect(url_for(".index")), 303
    return redirect(url_for(".edit", quiz_id=quiz_id)), 303
