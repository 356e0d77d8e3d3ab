"""The quiz editor (/author/quizzes): settings, questions of every kind, the pool, a learner's
preview, drafts and publishing. Every change is saved to the draft; learners see a quiz only
once it is published as a new version."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.authoring import drafting
from lms.authoring.drafting_views import DraftEditorViews
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.kinds import QUESTION_KINDS
from lms.content.kinds.editing import read_text
from lms.content.markdown import plain_text, render_text_map
from lms.core.forms import GENERAL, Problems
from lms.i18n import content_locale
from lms.quizzes import editing
from lms.quizzes.pages import skill_names
from lms.quizzes.scoring import score_attempt

bp = Blueprint("quiz_editor", __name__, template_folder="templates", url_prefix="/author/quizzes")


def _edit_context(state) -> dict:
    pool = editing.pool(state.document)
    return {
        "doc": state.document,
        "pool": pool,
        "skill_names": skill_names([skill for skill, _count in pool.per_skill], content_locale()),
        "kinds": QUESTION_KINDS,
        "plain_text": plain_text,
        "retake_lessons": editing.retake_lessons(state),
    }


views = DraftEditorViews(
    bp,
    id_arg="quiz_id",
    ids=("quiz_id", "question_id"),
    load=editing.editing,
    check=editing.check,
    edit_template="quizzes/editor/edit.html",
    edit_context=_edit_context,
    published=lambda number: _(
        "Published as version %(number)d. New attempts use it.", number=number
    ),
)


# --- the list --------------------------------------------------------------------------------


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    rows = drafting.listing(editing.KIND, content_locale())
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
    done = _("The quiz draft is created. Add its questions, then publish it.")
    return views.created(state, problems.values(), done)


# --- settings and the question list ----------------------------------------------------------


@bp.route("/<quiz_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def edit(quiz_id: str):
    state = views.state_or_404(quiz_id)
    if request.method == "POST":
        document = editing.apply_settings(state.document, request.form)
        views.save(state, document, _("Settings saved in the draft."))
        return views.back_to_edit(quiz_id)
    return views.edit_page(state)


def _question_page(state, values: dict, question_id: str | None, messages=(), status=200):
    """The question form with `messages`, the problems of the question (of no single field)."""
    problems = Problems()
    for message in messages:
        problems.add(GENERAL, message)
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
    state = views.state_or_404(quiz_id)
    if request.method == "POST":
        return _post_question(state, None)
    kind = request.args.get("kind") if request.args.get("kind") in QUESTION_KINDS else "single"
    values = editing.question_values({"id": editing.next_question_id(state.document), "kind": kind})
    return _question_page(state, values, None)


@bp.route("/<quiz_id>/questions/<question_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def question(quiz_id: str, question_id: str):
    state = views.state_or_404(quiz_id)
    raw = state.question(question_id)
    if raw is None:
        abort(404)
    if request.method == "POST":
        return _post_question(state, question_id)
    problems = views.check(state).question(question_id)
    return _question_page(state, editing.question_values(raw), question_id, problems)


def _post_question(state: editing.Editing, question_id: str | None):
    try:
        document = editing.apply_question(state.document, question_id, request.form)
    except drafting.EditorError as error:
        values = {"kind": request.form.get("kind"), "id": request.form.get("id", "")}
        return _question_page(state, values, question_id, [str(error)], 400)
    new_id = (request.form.get("id") or "").strip()
    if not views.save(state, document):
        return views.back_to_edit(state.slug)
    if views.check(state).question(new_id):
        flash(
            _("Question saved in the draft. Some fields need fixing before you publish."), "warning"
        )
        if ID_RE.match(new_id) and state.question(new_id) is not None:
            return redirect(url_for(".question", quiz_id=state.slug, question_id=new_id)), 303
    else:
        flash(_("Question saved in the draft."), "success")
    return views.back_to_edit(state.slug)


@bp.post("/<quiz_id>/questions/<question_id>/move")
@permission_required(Permission.AUTHOR_CONTENT)
def move_question(quiz_id: str, question_id: str):
    state = views.state_or_404(quiz_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    views.save(state, editing.move_question(state.document, question_id, delta))
    return views.back_to_edit(quiz_id, "questions")


@bp.post("/<quiz_id>/questions/<question_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_question(quiz_id: str, question_id: str):
    state = views.state_or_404(quiz_id)
    document = editing.delete_question(state.document, question_id)
    views.save(state, document, _("Question removed from the draft."))
    return views.back_to_edit(quiz_id, "questions")


# --- preview (publishing and discarding are the shared views) -------------------------------


@bp.route("/<quiz_id>/preview", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def preview(quiz_id: str):
    state = views.state_or_404(quiz_id)
    check = views.check(state)
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
