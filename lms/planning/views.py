"""/plan (today's plan), the end-of-day review, the weekly review, the history of the measures,
the hire's time zone, and the company's list of activity kinds (admin)."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required, wants_json
from lms.core.forms import Problems
from lms.core.inputs import is_ascii_digits
from lms.core.transaction import discard_changes
from lms.notifications.kinds import reader_content_locale
from lms.planning import clock
from lms.planning import reminders as _reminders  # noqa: F401  (registers the nudge kinds)
from lms.planning.charts import HEIGHT, WIDTH, target_y
from lms.planning.pages import history, today_card
from lms.planning.services import (
    MAX_PRIORITIES,
    OUTCOME_LABELS,
    REASONS,
    WEEK_PRIORITIES,
    OutcomeInput,
    PlanningError,
    PriorityInput,
    activity_kinds,
    carry_over,
    carry_over_candidates,
    due_item_choices,
    plan_for,
    review_window,
    save_activity_kind,
    save_plan,
    save_review,
    save_weekly_review,
    week_summary,
    weekly_review_of,
)
from lms.timeutil import utcnow

bp = Blueprint("planning", __name__, template_folder="templates")

#: What of a typed value is shown again after a refusal (the services accept far less).
MAX_TYPED = 5000


def _day_arg(default: date) -> date:
    raw = request.values.get("day", "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400)


def _int(raw) -> int | None:
    return int(raw) if raw and is_ascii_digits(str(raw)) and len(str(raw)) < 10 else None


@dataclass(frozen=True)
class FormState:
    """A planning form as typed when the service refused it (`values`), with the problem under
    the field it names; without values the form shows what is saved."""

    values: Mapping[str, str] | None = None
    problems: Problems = field(default_factory=Problems)

    def value(self, name: str, saved: Any) -> Any:
        return saved if self.values is None else self.values.get(name, "")


def _refused(error: PlanningError, names: Container[str], page: Callable[[FormState], Any]):
    """The answer to a refused form: nothing it wrote is kept; JSON (the autosave) carries the
    problem by field, a page shows the form again as typed with the problem at its field."""
    discard_changes()
    problems = Problems.refusal(str(error), error.field, names)
    if wants_json():
        body = {"ok": False, "field": error.field, "message": str(error)}
        return jsonify({**body, "problems": problems.as_json()}), 400
    typed = {name: value[:MAX_TYPED] for name, value in request.form.items()}
    return page(FormState(typed, problems)), 400


@bp.get("/plan")
@permission_required(Permission.LEARN)
def today():
    now = utcnow()
    local_today = clock.local_day(current_user, now)
    day = _day_arg(local_today)
    if not local_today <= day <= local_today + timedelta(days=7):
        abort(404)
    return _plan_page(day, now)


def _plan_names(kinds) -> set[str]:
    parts = ("text", "item", "start", "duration", "customer")
    rows = {f"p-{i}-{part}" for i in range(MAX_PRIORITIES) for part in parts}
    return rows | {f"planned-{kind.id}" for kind in kinds}


def _plan_page(day: date, now: datetime, form: FormState | None = None):
    local_today = clock.local_day(current_user, now)
    plan = plan_for(current_user.id, day)
    rows = list(plan.priorities) if plan else []
    planned = {count.kind_id: count.planned for count in plan.counts} if plan else {}
    return render_template(
        "planning/plan.html",
        day=day,
        today=local_today,
        plan=plan,
        rows=rows + [None] * (MAX_PRIORITIES - len(rows)),
        choices=due_item_choices(current_user, day),
        kinds=activity_kinds(),
        planned=planned,
        candidates=carry_over_candidates(current_user, day),
        card=today_card(current_user, now),
        locale=reader_content_locale(),
        zone=clock.zone_name(current_user),
        is_week_end=day.weekday() >= 4,
        form=form or FormState(),
    )


@bp.post("/plan")
@permission_required(Permission.LEARN)
def save():
    now = utcnow()
    day = _day_arg(clock.local_day(current_user, now))
    form = request.form
    rows = [
        PriorityInput(
            text=form.get(f"p-{i}-text", "")[:1000],
            item=form.get(f"p-{i}-item", "")[:200],
            start=form.get(f"p-{i}-start", "")[:10],
            duration=form.get(f"p-{i}-duration", "")[:10],
            customer=form.get(f"p-{i}-customer", "")[:1000],
            id=_int(form.get(f"p-{i}-id")),
        )
        for i in range(MAX_PRIORITIES + 1)
    ]
    counts = {
        int(key[8:]): value[:10]
        for key, value in form.items()
        if key.startswith("planned-") and is_ascii_digits(key[8:]) and len(key) < 20
    }
    try:
        plan = save_plan(current_user, day, rows, counts, actor=current_user, now=now)
    except PlanningError as error:
        return _refused(
            error, _plan_names(activity_kinds()), lambda form: _plan_page(day, now, form)
        )
    if wants_json():
        ids, position = {}, 0
        for index, row in enumerate(rows):
            if not row.is_blank:
                ids[str(index)] = plan.priorities[position].id
                position += 1
        return jsonify(ok=True, ids=ids, message=_("Saved."))
    flash(_("Your plan is saved."), "success")
    return redirect(url_for("planning.today", day=day.isoformat() if day else None))


@bp.post("/plan/carry")
@permission_required(Permission.LEARN)
def carry():
    now = utcnow()
    day = _day_arg(clock.local_day(current_user, now))
    ids = [value for value in (_int(raw) for raw in request.form.getlist("priority")) if value]
    try:
        carry_over(current_user, day, ids, actor=current_user, now=now)
    except PlanningError as error:
        # the plan's form below shows what is saved, not the carry-over form's fields
        return _refused(
            error, (), lambda form: _plan_page(day, now, FormState(None, form.problems))
        )
    flash(_("Carried over to today's plan."), "success")
    return redirect(url_for("planning.today", day=day.isoformat()))


@bp.route("/plan/review", methods=["GET", "POST"])
@permission_required(Permission.LEARN)
def review():
    now = utcnow()
    local_today = clock.local_day(current_user, now)
    day = _day_arg(local_today)
    if day > local_today or day < local_today - timedelta(days=14):
        abort(404)
    plan = plan_for(current_user.id, day)
    if request.method == "POST":
        form = request.form
        outcomes = [
            OutcomeInput(
                priority_id=priority.id,
                outcome=form.get(f"o-{priority.id}", "")[:16],
                moved_to=form.get(f"o-{priority.id}-moved", "")[:10],
                reason=form.get(f"o-{priority.id}-reason", "")[:32],
                note=form.get(f"o-{priority.id}-note", "")[:1000],
            )
            for priority in (plan.priorities if plan else [])
        ]
        actuals = {
            int(key[7:]): value[:10]
            for key, value in form.items()
            if key.startswith("actual-") and is_ascii_digits(key[7:]) and len(key) < 20
        }
        try:
            plan = save_review(
                current_user,
                day,
                outcomes,
                actuals,
                form.get("learned", "")[:2000],
                actor=current_user,
                now=now,
            )
        except PlanningError as error:
            names = {
                f"o-{priority.id}{part}"
                for priority in (plan.priorities if plan else [])
                for part in ("", "-moved", "-reason", "-note")
            }
            names |= {f"actual-{kind.id}" for kind in activity_kinds()} | {"learned"}
            return _refused(error, names, lambda form: _review_page(day, now, form))
        if wants_json():
            return jsonify(ok=True, reviewed=plan.reviewed_at is not None, message=_("Saved."))
        if plan.reviewed_at is None:
            flash(_("Saved. Give every priority an outcome to finish the review."), "info")
        elif plan.is_review_late:
            flash(
                _(
                    "Review saved. It came after noon of the next day, so the day counts as "
                    "not reviewed."
                ),
                "info",
            )
        else:
            flash(_("Review done. See how your measures moved."), "success")
            return redirect(url_for("planning.history_page"))
        return redirect(url_for("planning.review", day=day.isoformat()))
    if plan is None or plan.planned_at is None:
        flash(_("There is no plan for that day to review."), "info")
        return redirect(url_for("planning.today"))
    return _review_page(day, now, plan=plan)


def _review_page(day: date, now: datetime, form: FormState | None = None, plan=None):
    """The review page; `plan` when the caller has it (a refusal rolled back, so it reads anew)."""
    plan = plan or plan_for(current_user.id, day)
    if plan is None:  # refused before any plan of the day was saved: the plan's form, as saved
        return _plan_page(day, now, FormState(None, form.problems) if form else None)
    return render_template(
        "planning/review.html",
        day=day,
        plan=plan,
        window=review_window(current_user, day, now),
        deadline=datetime.combine(day + timedelta(days=1), clock.REVIEW_UNTIL),
        kinds=activity_kinds(),
        counts={count.kind_id: count for count in plan.counts},
        reasons=REASONS,
        outcomes=OUTCOME_LABELS,
        locale=reader_content_locale(),
        next_day=day + timedelta(days=3 if day.weekday() == 4 else 1),
        form=form or FormState(),
    )


@bp.route("/plan/week", methods=["GET", "POST"])
@permission_required(Permission.LEARN)
def week():
    now = utcnow()
    local_today = clock.local_day(current_user, now)
    first = clock.week_start(_day_arg(local_today))
    if request.method == "POST":
        try:
            save_weekly_review(
                current_user,
                first,
                request.form.get("notes", "")[:5000],
                [request.form.get(f"next-{i}", "")[:1000] for i in range(WEEK_PRIORITIES)],
                actor=current_user,
                now=now,
            )
        except PlanningError as error:
            names = {f"next-{i}" for i in range(WEEK_PRIORITIES)} | {"notes"}
            return _refused(error, names, lambda form: _week_page(first, form))
        flash(
            _("Weekly review saved. Next Monday's plan starts with your three priorities."),
            "success",
        )
        return redirect(url_for("planning.week", day=first.isoformat()))
    if first > local_today or first < clock.week_start(local_today) - timedelta(days=7):
        abort(404)
    return _week_page(first)


def _week_page(first: date, form: FormState | None = None):
    review = weekly_review_of(current_user.id, first)
    return render_template(
        "planning/week.html",
        first=first,
        summary=week_summary(current_user, first),
        review=review,
        next_priorities=(review.next_priorities if review else []) + [""] * WEEK_PRIORITIES,
        reasons=REASONS,
        locale=reader_content_locale(),
        week_count=WEEK_PRIORITIES,
        form=form or FormState(),
    )


@bp.get("/plan/history")
@permission_required(Permission.LEARN)
def history_page():
    return render_template(
        "planning/history.html",
        view=history(current_user, utcnow()),
        chart_width=WIDTH,
        chart_height=HEIGHT,
        target_line=target_y(0.95),
        zone=clock.zone_name(current_user),
        zones=clock.zone_choices(),
    )


@bp.post("/plan/timezone")
@permission_required(Permission.LEARN)
def set_timezone():
    name = request.form.get("timezone", "")[:64].strip()
    if name and not clock.is_known_zone(name):
        flash(_("Choose a time zone from the list."), "error")
        return redirect(url_for("planning.history_page")), 303
    current_user.timezone = name or None
    flash(_("Your time zone is saved."), "success")
    return redirect(url_for("planning.history_page"))


@dataclass(frozen=True)
class ActivityKindState:
    """The activity-kind form as typed (`kind_id` None: the form that adds one) and what the
    service refused in it; its inputs have the id `<prefix><name>`."""

    kind_id: int | None
    values: dict[str, str]
    problems: Problems

    @property
    def prefix(self) -> str:
        return f"k{self.kind_id or 'new'}-"


ACTIVITY_FIELDS = ("slug", "name_en", "name_zh", "weekly_goal")


@bp.route("/plan/activities", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def activities():
    failed = None
    if request.method == "POST":
        form = request.form
        values = {
            "slug": form.get("slug", "")[:100],
            "name_en": form.get("name_en", "")[:200],
            "name_zh": form.get("name_zh", "")[:200],
            "weekly_goal": form.get("weekly_goal", "0")[:10],
            "active": "1" if form.get("active") == "1" else "",
        }
        kind_id = _int(form.get("kind_id"))
        try:
            save_activity_kind(
                kind_id=kind_id,
                slug=values["slug"],
                name_en=values["name_en"],
                name_zh=values["name_zh"],
                weekly_goal=values["weekly_goal"],
                active=bool(values["active"]),
            )
        except PlanningError as error:
            discard_changes()
            problems = Problems.refusal(str(error), error.field, ACTIVITY_FIELDS)
            failed = ActivityKindState(kind_id, values, problems)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("planning.activities"))
    kinds = activity_kinds(include_retired=True)
    return render_template("planning/activities.html", kinds=kinds, failed=failed), (
        400 if failed else 200
    )
