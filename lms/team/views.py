"""The manager's team: every hire's status at a glance, one hire's path with the manager's
actions (sign off a field task, withdraw a sign-off, hold a check-in), and enrolling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC

from babel import dates
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    can_coach_person,
    can_enroll_person,
    get_person_or_404,
    has_permission,
    permission_required,
)
from lms.core.forms import Problems
from lms.core.inputs import is_ascii_digits
from lms.core.transaction import discard_changes
from lms.extensions import db
from lms.notifications.kinds import reader_content_locale
from lms.onboarding.models import SignOff
from lms.onboarding.pages import FILTERS, SORTS, hire_page, team_view
from lms.onboarding.services import (
    MAX_ACTIONS,
    MAX_GOALS,
    ActionInput,
    CheckInInvalid,
    GoalInput,
    OnboardingError,
    OutcomeInput,
    active_enrollment,
    find_item,
    goal_window,
    hold_checkin,
    open_goals,
    sign_off,
    undo_sign_off,
)
from lms.onboarding.status import path_of
from lms.planning.team import member_context, plan_completion_column
from lms.reports.views import member_report_context, team_overview_context
from lms.team.replies import assessed_skills, open_replies_of
from lms.timeutil import today

bp = Blueprint("team", __name__, template_folder="templates")

GOAL_ROWS = 3
ACTION_ROWS = 3
#: What of a typed comment or reason is kept to show again (the services refuse far less).
MAX_TYPED = 10_000


@bp.get("/team")
@permission_required(Permission.VIEW_TEAM)
def overview():
    sort = request.args.get("sort", "status")
    sort = sort if sort in SORTS else "status"
    status_filter = request.args.get("status", "all")
    status_filter = status_filter if status_filter in FILTERS else "all"
    reverse = request.args.get("reverse") == "1"
    query = request.args.get("q", "")[:100]
    page = _small_int(request.args.get("page")) or 1
    team = _small_int(request.args.get("team"))
    view = team_view(
        current_user.id,
        today(),
        sort=sort,
        reverse=reverse,
        status_filter=status_filter,
        query=query,
        page=page,
        team=team,
    )
    return render_template(
        "team/overview.html",
        view=view,
        sort=sort,
        reverse=reverse,
        status_filter=status_filter,
        q=query,
        team=team,
        today=today(),
        may_enroll=has_permission(current_user, Permission.SIGN_OFF),
        plan_completion=plan_completion_column([row.person for row in view.rows]),
        **team_overview_context(view.rows),
        member_url=url_for("team.member", user_id=0)[:-1],
        skills_url=url_for("skills.person_skills", user_id=0)[:-1],
        short_date=_formatter(dates.format_date, "short"),
        short_datetime=_formatter(dates.format_datetime, "short", rebase=True),
        # translated once per page, filled in per row
        labels={
            "select": _("Select %(name)s"),
            "day": _("Day %(day)d of %(length)d"),
        },
    )


def _small_int(raw: str | None) -> int | None:
    return int(raw) if raw and is_ascii_digits(raw) and len(raw) < 10 else None


def _formatter(function, fmt: str, *, rebase: bool = False):
    """A Babel date formatter with the reader's locale and time zone looked up once per page,
    not once per cell."""
    locale = get_locale()
    zone = get_timezone()

    def format_value(value) -> str:
        if not value:
            return ""
        if rebase:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
            return function(value, fmt, tzinfo=zone, locale=locale)
        return function(value, fmt, locale=locale)

    return format_value
@dataclass(frozen=True)
class SignOffState:
    """A sign-off or withdrawal form as typed, and what the service refused in it: shown again
    on the member page, at its field (ids `<prefix><name>`) and in the summary at the top."""

    prefix: str
    problems: Problems
    item_id: str = ""
    signoff_id: int | None = None
    comment: str = ""
    ratings: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@bp.get("/team/<int:user_id>")
@permission_required(Permission.VIEW_TEAM)
def member(user_id: int):
    return _member_page(get_person_or_404(user_id))


def _member_page(person, signoff_state: SignOffState | None = None):
    page = hire_page(person, today())
    return render_template(
        "team/member.html",
        signoff_state=signoff_state,
        person=person,
        page=page,
        skills=None if page else assessed_skills(person.id, today()),
        manage=can_coach_person(current_user, person),
        may_enroll=can_enroll_person(current_user, person),
        replies=open_replies_of(current_user, person),
        locale=reader_content_locale(),
        today=today(),
        **member_context(person),
        **member_report_context(person, page),
    ), (400 if signoff_state else 200)


def _coached_person(user_id: int):
    return get_person_or_404(user_id, check=can_coach_person)


@bp.post("/team/<int:user_id>/signoffs")
@permission_required(Permission.SIGN_OFF)
def sign_off_task(user_id: int):
    person = _coached_person(user_id)
    item_id = request.form.get("item_id", "")[:64]
    comment = request.form.get("comment", "")[:MAX_TYPED]
    ratings = {
        key.removeprefix("rating-")[:64]: value[:16]
        for key, value in request.form.items()
        if key.startswith("rating-") and value
    }
    try:
        sign_off(person, item_id, actor=current_user, comment=comment, ratings=ratings)
    except (OnboardingError, ValueError) as error:
        discard_changes()
        problems = Problems.refusal(
            str(error), getattr(error, "field", None), ("comment", "ratings")
        )
        return _member_page(
            person,
            SignOffState(f"signoff-{item_id}-", problems, item_id, None, comment, ratings),
        )
    flash(_("Signed off. %(name)s has been told.", name=person.name), "success")
    return redirect(url_for("team.member", user_id=person.id, _anchor=f"item-{item_id}"))


@bp.post("/team/<int:user_id>/signoffs/<int:signoff_id>/undo")
@permission_required(Permission.SIGN_OFF)
def undo_sign_off_task(user_id: int, signoff_id: int):
    person = _coached_person(user_id)
    signoff = db.session.get(SignOff, signoff_id)
    if signoff is None or signoff.user_id != person.id:
        abort(404)
    reason = request.form.get("reason", "")[:MAX_TYPED]
    try:
        undo_sign_off(signoff, actor=current_user, reason=reason)
    except OnboardingError as error:
        discard_changes()
        problems = Problems.refusal(str(error), error.field, ("reason",))
        return _member_page(
            person,
            SignOffState(f"undo-{signoff_id}-", problems, signoff_id=signoff_id, reason=reason),
        )
    flash(_("The sign-off is withdrawn and the task is open again."), "success")
    return redirect(url_for("team.member", user_id=person.id, _anchor=f"item-{signoff.item_id}"))


def _goal_inputs(form) -> list[GoalInput]:
    return [
        GoalInput(
            text=form.get(f"goal-{index}-text", ""),
            target=form.get(f"goal-{index}-target", ""),
            unit=form.get(f"goal-{index}-unit", ""),
            deadline=form.get(f"goal-{index}-deadline", ""),
        )
        for index in range(MAX_GOALS)
    ]


def _action_inputs(form) -> list[ActionInput]:
    return [
        ActionInput(
            text=form.get(f"action-{index}-text", ""),
            owner=form.get(f"action-{index}-owner", "hire"),
            due=form.get(f"action-{index}-due", ""),
        )
        for index in range(MAX_ACTIONS)
    ]


def _outcome_inputs(form, goals) -> list[OutcomeInput]:
    return [
        OutcomeInput(
            goal_id=goal.id,
            outcome=form.get(f"outcome-{goal.id}", ""),
            achieved=form.get(f"achieved-{goal.id}", ""),
        )
        for goal in goals
    ]


@bp.route("/team/<int:user_id>/checkins/<item_id>", methods=["GET", "POST"])
@permission_required(Permission.SIGN_OFF)
def checkin(user_id: int, item_id: str):
    """The check-in form: notes, the outcome of the last goals, SMART goals for the next phase,
    agreed actions."""
    person = _coached_person(user_id)
    page = hire_page(person, today())
    enrollment = active_enrollment(person.id)
    if page is None or enrollment is None:
        abort(404)
    path = path_of(enrollment)
    found = find_item(path, item_id)
    if found is None or found[1].kind != "checkin":
        abort(404)
    item_status = page.status.item(item_id)
    if page.checkin(item_id) is not None:
        flash(_("This check-in has already been held."), "info")
        return redirect(url_for("team.member", user_id=person.id, _anchor=f"item-{item_id}"))
    window = goal_window(path, enrollment.start_date, item_id)
    earlier_goals = open_goals(person.id, path.id)
    problems = Problems()
    form = request.form
    if request.method == "POST":
        try:
            hold_checkin(
                person,
                item_id,
                actor=current_user,
                went_well=form.get("went_well", ""),
                went_badly=form.get("went_badly", ""),
                notes=form.get("notes", ""),
                goals=_goal_inputs(form),
                actions=_action_inputs(form),
                outcomes=_outcome_inputs(form, earlier_goals),
            )
        except CheckInInvalid as error:
            discard_changes()
            problems = error.problems.renamed(checkin_field)
        except OnboardingError as error:
            discard_changes()
            flash(str(error), "error")
            return redirect(url_for("team.member", user_id=person.id))
        else:
            flash(
                _("Check-in saved. %(name)s sees the goals and actions.", name=person.name),
                "success",
            )
            return redirect(url_for("team.member", user_id=person.id, _anchor=f"item-{item_id}"))
    goal_rows = max(GOAL_ROWS, _filled_rows(form, "goal", MAX_GOALS))
    action_rows = max(ACTION_ROWS, _filled_rows(form, "action", MAX_ACTIONS))
    return render_template(
        "team/checkin.html",
        person=person,
        page=page,
        item=item_status,
        window=window,
        earlier_goals=earlier_goals,
        problems=problems,
        form=form,
        goal_rows=goal_rows,
        action_rows=action_rows,
    ), (400 if problems else 200)


_ROW_PLACE = re.compile(r"^(goal|action)s\[(\d+)\]\.(\w+)$")
_OUTCOME_PLACE = re.compile(r"^outcomes\[(\d+)\](\.achieved)?$")


def checkin_field(place: str) -> str:
    """The form field of a check-in problem's place: ``goals[0].target`` is ``goal-0-target``,
    ``outcomes[7]`` is ``outcome-7`` and ``outcomes[7].achieved`` is ``achieved-7``."""
    if row := _ROW_PLACE.match(place):
        return f"{row[1]}-{row[2]}-{row[3]}"
    if outcome := _OUTCOME_PLACE.match(place):
        return f"{'achieved' if outcome[2] else 'outcome'}-{outcome[1]}"
    return place


def _filled_rows(form, prefix: str, limit: int) -> int:
    filled = 0
    for index in range(limit):
        if any(
            form.get(f"{prefix}-{index}-{part}", "").strip()
            for part in ("text", "target", "unit", "deadline", "due")
        ):
            filled = index + 1
    return filled
