"""The quiz player (intro, one question per page, review, submit, result) and item analysis."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    can_view_person,
    get_person_or_404,
    has_permission,
    permission_required,
)
from lms.core.forms import GENERAL, Problems
from lms.core.inputs import int_arg, int_form, parse_int
from lms.core.transaction import discard_changes
from lms.i18n import content_locale
from lms.quizzes import analysis, pages, retakes
from lms.quizzes.services import (
    QuizError,
    attempts_of,
    from_shown,
    get_attempt,
    get_quiz,
    is_overdue,
    save_answers,
    start_attempt,
    submit_attempt,
)
from lms.skills import review as skill_review
from lms.timeutil import utcnow

bp = Blueprint("quizzes", __name__, template_folder="templates")

BAD_ANSWER = _l("That answer does not fit the question; choose one of the options.")


def _is_fetch() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _quiz_or_404(quiz_id: str):
    ref = get_quiz(quiz_id)
    if ref is None:
        abort(404)
    return ref


def _attempt_or_404(quiz_id: str, attempt_id: int):
    """The current user's attempt at this quiz; anyone else's is unknown (404)."""
    attempt = get_attempt(attempt_id, user_id=current_user.id)
    if attempt is None or attempt.item.slug != quiz_id or attempt.item.kind != "quiz":
        abort(404)
    return attempt


@bp.get("/quizzes/<quiz_id>")
@permission_required(Permission.LEARN)
def intro(quiz_id: str):
    ref = _quiz_or_404(quiz_id)
    attempts = attempts_of(current_user.id, ref.item.id)
    now = utcnow()
    standing = retakes.standing(ref.quiz, current_user.id, ref.item.id)
    return render_template(
        "quizzes/intro.html",
        page=pages.intro_page(ref, attempts, content_locale()),
        attempts=attempts,
        left=standing.left,
        standing=standing,
        block=retakes.retake_block(ref.quiz, current_user.id, ref.item.id, now),
        helpers=retakes.helpers_of(current_user),
        grants=retakes.grants_of(current_user.id, ref.item.id),
        now=now,
        is_overdue=is_overdue,
    )


@bp.post("/quizzes/<quiz_id>/start")
@permission_required(Permission.LEARN)
def start(quiz_id: str):
    _quiz_or_404(quiz_id)
    try:
        attempt = start_attempt(current_user.id, quiz_id, now=utcnow())
    except QuizError as error:
        discard_changes()
        if error.code == QuizError.LIMIT:
            flash(_("You have used every attempt this quiz allows."), "error")
            return redirect(url_for("quizzes.intro", quiz_id=quiz_id))
        if error.code == QuizError.WAIT:
            flash(_("This quiz asks for a step before you retake it; see below."), "warning")
            return redirect(url_for("quizzes.intro", quiz_id=quiz_id))
        abort(404)
    return redirect(url_for("quizzes.attempt", quiz_id=quiz_id, attempt_id=attempt.id))


# Question positions travel in links and buttons; any count a quiz can have fits below this.
MAX_POSITION = 9999


def _position(count: int) -> int:
    number = int_arg("q", 1, maximum=MAX_POSITION)
    return min(max(number, 1), max(count, 1))


@bp.get("/quizzes/<quiz_id>/attempts/<int:attempt_id>")
@permission_required(Permission.LEARN)
def attempt(quiz_id: str, attempt_id: int):
    attempt = _attempt_or_404(quiz_id, attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quizzes.result", quiz_id=quiz_id, attempt_id=attempt.id))
    g.no_store = True
    if is_overdue(attempt, utcnow()):
        return render_template("quizzes/time_up.html", attempt=attempt, quiz_id=quiz_id)
    position = _position(len(attempt.layout))
    return render_template(
        "quizzes/question.html",
        page=pages.question_page(attempt, position, content_locale()),
        attempt=attempt,
        quiz_id=quiz_id,
        now=utcnow(),
    )


def _closed_response(quiz_id: str, attempt_id: int, code: str):
    result_url = url_for("quizzes.result", quiz_id=quiz_id, attempt_id=attempt_id)
    if _is_fetch():
        return jsonify(error=code, result_url=result_url), 409
    if code == QuizError.EXPIRED:
        flash(_("Time is up: your attempt was submitted with the answers you had given."), "info")
    else:
        flash(_("This attempt is already submitted; here is its result."), "info")
    return redirect(result_url)


def _form_answers() -> dict[str, list[str]]:
    question_id = request.form.get("question", "")
    if not question_id:
        return {}
    return {question_id: request.form.getlist("answer")}


def _next_url(quiz_id: str, attempt_id: int, count: int) -> str:
    """Where the buttons of a question page lead; a bad `go` or `position` is an InputError,
    raised before anything is saved."""
    go = request.form.get("go", "next")
    current = int_form("position", 1, maximum=MAX_POSITION)
    if go == "review":
        return url_for("quizzes.review", quiz_id=quiz_id, attempt_id=attempt_id)
    target = {"next": current + 1, "prev": current - 1, "stay": current}.get(go)
    if target is None:
        target = parse_int(go, field="go", minimum=1, maximum=MAX_POSITION)
    if target > count:
        return url_for("quizzes.review", quiz_id=quiz_id, attempt_id=attempt_id)
    return url_for("quizzes.attempt", quiz_id=quiz_id, attempt_id=attempt_id, q=max(target, 1))


@bp.post("/quizzes/<quiz_id>/attempts/<int:attempt_id>/answers")
@permission_required(Permission.LEARN)
def save_answer(quiz_id: str, attempt_id: int):
    attempt = _attempt_or_404(quiz_id, attempt_id)
    next_url = _next_url(quiz_id, attempt_id, len(attempt.layout))
    try:
        saved = save_answers(
            attempt.id, current_user.id, from_shown(attempt, _form_answers()), now=utcnow()
        )
    except QuizError as error:
        if error.code == QuizError.CLOSED:
            return _closed_response(quiz_id, attempt.id, error.code)
        discard_changes()
        if _is_fetch():
            return jsonify(error=error.code, message=str(BAD_ANSWER)), 400
        flash(str(BAD_ANSWER), "error")
        return redirect(url_for("quizzes.attempt", quiz_id=quiz_id, attempt_id=attempt_id))
    if saved.is_expired:  # submitted as of its deadline; the submission stands (a 409 or not)
        return _closed_response(quiz_id, attempt.id, QuizError.EXPIRED)
    if _is_fetch():
        return jsonify(saved=True)
    return redirect(next_url)


@bp.get("/quizzes/<quiz_id>/attempts/<int:attempt_id>/review")
@permission_required(Permission.LEARN)
def review(quiz_id: str, attempt_id: int):
    attempt = _attempt_or_404(quiz_id, attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quizzes.result", quiz_id=quiz_id, attempt_id=attempt.id))
    g.no_store = True
    if is_overdue(attempt, utcnow()):
        return render_template("quizzes/time_up.html", attempt=attempt, quiz_id=quiz_id)
    return render_template(
        "quizzes/review.html",
        page=pages.review_page(attempt, content_locale()),
        attempt=attempt,
        quiz_id=quiz_id,
        now=utcnow(),
    )


@bp.post("/quizzes/<quiz_id>/attempts/<int:attempt_id>/submit")
@permission_required(Permission.LEARN)
def submit(quiz_id: str, attempt_id: int):
    attempt = _attempt_or_404(quiz_id, attempt_id)
    now = utcnow()
    answers = from_shown(attempt, _form_answers())
    if answers and attempt.is_open:
        try:
            save_answers(attempt.id, current_user.id, answers, now=now)
        except QuizError as error:
            if error.code != QuizError.CLOSED:
                discard_changes()
                flash(str(BAD_ANSWER), "error")
                return redirect(url_for("quizzes.review", quiz_id=quiz_id, attempt_id=attempt_id))
    submit_attempt(attempt.id, now=now, user_id=current_user.id)
    return redirect(url_for("quizzes.result", quiz_id=quiz_id, attempt_id=attempt.id))


@bp.get("/quizzes/<quiz_id>/attempts/<int:attempt_id>/result")
@permission_required(Permission.LEARN)
def result(quiz_id: str, attempt_id: int):
    attempt = _attempt_or_404(quiz_id, attempt_id)
    if attempt.is_open:
        return redirect(url_for("quizzes.attempt", quiz_id=quiz_id, attempt_id=attempt.id))
    page = pages.result_page(attempt, content_locale())
    weakest = []
    if not page.is_passed:
        weakest = skill_review.weakest_skills(pages.evidence_of_attempt(attempt))
    return render_template(
        "quizzes/result.html",
        page=page,
        attempt=attempt,
        quiz_id=quiz_id,
        weakest=[pages.skill_names(weakest, content_locale()).get(s, s) for s in weakest],
        review_links=skill_review.review_links(weakest),
        locale=content_locale(),
    )


# --- more attempts after failing ---------------------------------------------------------------


@bp.route("/quizzes/<quiz_id>/grants/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.LEARN)
def grant(quiz_id: str, user_id: int):
    """A manager (for their team) or a trainer grants a hire more attempts, with a reason."""
    ref = _quiz_or_404(quiz_id)
    person = get_person_or_404(user_id, check=retakes.can_grant)
    if not ref.quiz.max_attempts:
        abort(404)
    problems = Problems()
    if request.method == "POST":
        try:
            retakes.grant_attempts(
                person,
                quiz_id,
                actor=current_user,
                extra=request.form.get("extra", "")[:8],
                reason=request.form.get("reason", "")[: retakes.REASON_MAX_CHARS * 2],
                now=utcnow(),
                link=url_for("quizzes.intro", quiz_id=quiz_id),
            )
        except retakes.GrantError as refused:
            discard_changes()
            problems.add(refused.field or GENERAL, str(refused))
        else:
            flash(
                _("%(name)s can take the quiz again and has been told.", name=person.name),
                "success",
            )
            if has_permission(current_user, Permission.VIEW_TEAM) and can_view_person(
                current_user, person
            ):
                return redirect(url_for("team.member", user_id=person.id))
            return redirect(url_for("quizzes.grant", quiz_id=quiz_id, user_id=person.id))
    return render_template(
        "quizzes/grant.html",
        person=person,
        title=ref.quiz.title.get(content_locale(), ref.quiz.language),
        quiz_id=quiz_id,
        standing=retakes.standing(ref.quiz, person.id, ref.item.id),
        grants=retakes.grants_of(person.id, ref.item.id),
        problems=problems,
        form=request.form,
        max_extra=retakes.MAX_EXTRA,
    ), (400 if problems else 200)


# --- item analysis -------------------------------------------------------------------------


@bp.get("/author/quiz-analysis")
@permission_required(Permission.VIEW_CONTENT_ANALYTICS)
def analysis_index():
    return render_template(
        "quizzes/analysis_index.html", rows=analysis.quiz_overview(), locale=content_locale()
    )


@bp.get("/author/quizzes/<quiz_id>/analysis")
@permission_required(Permission.VIEW_CONTENT_ANALYTICS)
def analysis_page(quiz_id: str):
    versions = analysis.versions_of(quiz_id)
    if not versions:
        abort(404)
    number = int_arg("version", minimum=1)
    chosen = versions[-1]
    if number is not None:
        chosen = next((v for v in versions if v.number == number), None)
        if chosen is None:
            abort(404)
    report = analysis.analyse_version(chosen, content_locale())
    ref = get_quiz(quiz_id)
    stuck = retakes.used_up_learners(ref.quiz, ref.item.id) if ref is not None else []
    return render_template(
        "quizzes/analysis.html",
        stuck=stuck,
        report=report,
        versions=versions,
        chosen=chosen,
        quiz_id=quiz_id,
    )
