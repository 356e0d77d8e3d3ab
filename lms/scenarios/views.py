"""Drills for learners: the catalogue, the briefing, the conversation player, and the review of
open replies by managers and trainers.

Every step is a plain form POST; `static/js/scenario.js` sends the same forms with fetch and
swaps in the HTML fragment the view answers with (JSON: `html`, `message`, `state`)."""

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
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    can_review_reply,
    can_view_person,
    forbid,
    has_permission,
    permission_required,
    wants_json,
)
from lms.content.checks import ID_RE
from lms.core.inputs import InputError, int_form, page_arg
from lms.core.transaction import discard_changes
from lms.extensions import db
from lms.i18n import content_locale
from lms.scenarios import listing as drills
from lms.scenarios import services
from lms.scenarios.forms import ReviewForm
from lms.scenarios.models import OpenReply, ScenarioRun
from lms.scenarios.player import player_context, review_context
from lms.timeutil import utcnow

bp = Blueprint("scenarios", __name__, template_folder="templates")


@bp.url_value_preprocessor
def _check_scenario_id(endpoint, values) -> None:
    """A content id that cannot exist (e.g. with NUL bytes) is a 404 before any query."""
    if values and "scenario_id" in values and not ID_RE.match(values["scenario_id"]):
        abort(404)


REVIEW_PAGE_SIZE = 50


# --- catalogue and briefing ---------------------------------------------------------------------


@bp.get("/scenarios")
@permission_required(Permission.LEARN)
def catalogue():
    skill = request.args.get("skill", "").strip()[:64]
    recommended = request.args.get("recommended") == "1"
    listing = drills.catalogue_for(current_user, skill=skill or None, recommended=recommended)
    return render_template("scenarios/catalogue.html", listing=listing)


@bp.get("/scenarios/<scenario_id>")
@permission_required(Permission.LEARN)
def briefing(scenario_id: str):
    details = drills.briefing_for(current_user, scenario_id)
    if details is None:
        abort(404)
    return render_template("scenarios/briefing.html", details=details)


@bp.post("/scenarios/<scenario_id>/start")
@permission_required(Permission.LEARN)
def start(scenario_id: str):
    """Resume the learner's open run of this drill, or start a new one on its current version."""
    version = services.live_version(scenario_id)
    if version is None:
        abort(404)
    if request.form.get("restart") == "1":
        open_run = services.open_run_of(current_user.id, version.item_id)
        if open_run is not None:
            services.abandon_run(open_run.id, now=utcnow())
    else:
        open_run = services.open_run_of(current_user.id, version.item_id)
        if open_run is not None:
            return redirect(url_for(".run", scenario_id=scenario_id, run_id=open_run.id))
    run, _created = services.start_run(current_user, version, now=utcnow())
    return redirect(url_for(".run", scenario_id=scenario_id, run_id=run.id))


# --- the player ---------------------------------------------------------------------------------


def _run_or_404(scenario_id: str, run_id: int) -> ScenarioRun:
    run = db.session.get(ScenarioRun, run_id)
    if run is None or run.item.slug != scenario_id:
        abort(404)
    if run.user_id != current_user.id and not can_view_person(current_user, run.user):
        forbid()
    return run


def _own_run_or_404(scenario_id: str, run_id: int) -> ScenarioRun:
    run = _run_or_404(scenario_id, run_id)
    if run.user_id != current_user.id:
        forbid()
    return run


@bp.get("/scenarios/<scenario_id>/runs/<int:run_id>")
@permission_required(Permission.LEARN)
def run(scenario_id: str, run_id: int):
    found = _run_or_404(scenario_id, run_id)
    g.no_store = True
    context = player_context(found, viewer=current_user, locale=content_locale())
    return render_template("scenarios/run.html", **context)


def _answer(found: ScenarioRun, status: int, message: str | None, category: str = "info"):
    """The current state of the run: JSON with the player fragment, or a redirect."""
    db.session.refresh(found)
    if wants_json():
        context = player_context(found, viewer=current_user, locale=content_locale())
        html = render_template("scenarios/_player.html", **context)
        state = {
            "node": found.current_node,
            "step": found.step_count,
            "finished": not found.is_open,
        }
        return jsonify(html=html, message=message, category=category, state=state), status
    if message:
        flash(message, category)
    return redirect(url_for(".run", scenario_id=found.item.slug, run_id=found.id, _anchor="now"))


def _position() -> int | None:
    """The step the page was showing; a missing or malformed counter is None, which matches no
    step, so the answer is the player's own "out of date" refusal with the run's state."""
    try:
        return int_form("step")
    except InputError:
        return None


@bp.post("/scenarios/<scenario_id>/runs/<int:run_id>/steps")
@permission_required(Permission.LEARN)
def step(scenario_id: str, run_id: int):
    found = _own_run_or_404(scenario_id, run_id)
    node_id = request.form.get("node", "")[:64]
    try:
        result = services.take_step(
            found.id,
            node_id=node_id,
            position=_position(),
            form=services.form_in_file_order(found, node_id, request.form),
            now=utcnow(),
        )
    except services.StepRefused as refused:
        discard_changes()
        category = "info" if refused.reason == "replayed" else "warning"
        return _answer(found, 409, refused.message, category)
    except services.StepInvalid as invalid:
        discard_changes()
        if wants_json():
            return jsonify(error="invalid", message=invalid.message, category="error"), 422
        flash(invalid.message, "error")
        return redirect(url_for(".run", scenario_id=scenario_id, run_id=run_id, _anchor="now"))
    message = None
    if result.outcome is not None:
        message = _("The conversation has ended. Here is how you did.")
    return _answer(found, 200, message)


@bp.post("/scenarios/<scenario_id>/runs/<int:run_id>/draft")
@permission_required(Permission.LEARN)
def save_draft(scenario_id: str, run_id: int):
    found = _own_run_or_404(scenario_id, run_id)
    text = request.form.get("reply", "")
    try:
        saved = services.save_reply_draft(
            found.id,
            node_id=request.form.get("node", "")[:64],
            position=_position(),
            text=text,
            now=utcnow(),
        )
    except services.StepRefused as refused:
        discard_changes()
        return _answer(found, 409, refused.message, "warning")
    if wants_json():
        return jsonify(
            saved_at=saved.draft_saved_at.isoformat(), length=len(saved.draft_text or "")
        )
    flash(_("Your draft is saved. Send the reply when it is ready."), "success")
    return redirect(url_for(".run", scenario_id=scenario_id, run_id=run_id, _anchor="now"))


@bp.post("/scenarios/<scenario_id>/runs/<int:run_id>/abandon")
@permission_required(Permission.LEARN)
def abandon(scenario_id: str, run_id: int):
    found = _own_run_or_404(scenario_id, run_id)
    services.abandon_run(found.id, now=utcnow())
    flash(_("You left that conversation. Start again whenever you like."), "info")
    return redirect(url_for(".briefing", scenario_id=scenario_id))


# --- reviews of open replies --------------------------------------------------------------------


@bp.get("/reviews")
@permission_required(Permission.REVIEW_REPLIES)
def reviews():
    team_of = None if has_permission(current_user, Permission.REVIEW_ANY_REPLY) else current_user.id
    statement = services.pending_replies_query(team_of=team_of)
    page = db.paginate(
        statement,
        page=page_arg(REVIEW_PAGE_SIZE),
        per_page=REVIEW_PAGE_SIZE,
        max_per_page=REVIEW_PAGE_SIZE,
        error_out=False,
    )
    titles = drills.titles_of_versions([reply.version_id for reply in page.items])
    return render_template(
        "scenarios/reviews.html", page=page, titles=titles, locale=content_locale()
    )


def _reply_or_404(reply_id: int) -> OpenReply:
    reply = db.session.get(OpenReply, reply_id)
    if reply is None:
        abort(404)
    if not can_review_reply(current_user, reply.user):
        forbid()
    return reply


@bp.route("/reviews/<int:reply_id>", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_REPLIES)
def review(reply_id: int):
    reply = _reply_or_404(reply_id)
    node = services.rubric_of(reply)
    form = ReviewForm.for_rubric(len(node.rubric))
    if request.method == "POST" and reply.is_reviewed:
        flash(_("This reply has been reviewed already; nothing was changed."), "info")
        return redirect(url_for(".review", reply_id=reply.id))
    status = 200
    if form.validate_on_submit():
        try:
            services.review_reply(
                reply.id,
                reviewer=current_user,
                verdicts=form.verdicts(),
                comment=form.comment.data or "",
                now=utcnow(),
                link=url_for(
                    ".run",
                    scenario_id=reply.run.item.slug,
                    run_id=reply.run_id,
                    _anchor=f"reply-{reply.id}",
                ),
            )
        except services.AlreadyReviewed as error:
            discard_changes()
            flash(error.message, "info")
            return redirect(url_for(".review", reply_id=reply.id))
        except services.CommentRefused as error:
            discard_changes()
            field = form.comment if error.line is None else form.lines[error.line].form.comment
            field.errors = [*field.errors, error.message]
            status = 422
        else:
            flash(_("Review saved. %(name)s will be notified.", name=reply.user.name), "success")
            return redirect(url_for(".reviews"))
    context = review_context(reply, locale=content_locale())
    return render_template("scenarios/review.html", form=form, reply=reply, **context), status
