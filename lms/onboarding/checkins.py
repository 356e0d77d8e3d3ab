"""Holding 30/60/90 check-ins: goals with their windows, agreed actions, outcomes, and the progress
provider of `checkin` items (held), keyed ``<path id>/<item id>``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from lms.audit.services import record
from lms.content.forms import markdown_problem
from lms.content.markdown import MarkdownError, render_markdown
from lms.content.model import Path
from lms.core.forms import Problems
from lms.extensions import db
from lms.notifications.services import notify
from lms.onboarding.enrollments import (
    AFTER_LAST_PHASE_DAYS,
    MAX_ACTIONS,
    MAX_GOALS,
    MAX_NOTES,
    MIN_GOAL_TEXT,
    OnboardingError,
    _done_when,
    _item_of,
    _split_slugs,
    active_enrollment,
    find_item,
)
from lms.onboarding.models import (
    ACTION_OWNERS,
    GOAL_OUTCOMES,
    AgreedAction,
    CheckIn,
    CheckInGoal,
)
from lms.onboarding.status import (
    due_date,
    item_day,
)
from lms.people.models import User
from lms.progress import ItemProgress, changes_progress, provides
from lms.timeutil import utcnow

# --- check-ins ---------------------------------------------------------------------------------


def goal_window(path: Path, start: date, item_id: str) -> tuple[date, date]:
    """The dates a check-in's goals may have as deadline: the next phase, from its first to its
    last day; after the last check-in of the path, the AFTER_LAST_PHASE_DAYS days that follow."""
    found = find_item(path, item_id)
    if found is None:
        raise OnboardingError(_l("There is no such item on this person's path."), "item")
    phase, item = found
    index = path.phases.index(phase)
    if index + 1 < len(path.phases):
        following = path.phases[index + 1]
        return due_date(start, phase.until_day + 1), due_date(start, following.until_day)
    held_day = item_day(item, phase)
    return due_date(start, held_day + 1), due_date(start, held_day + AFTER_LAST_PHASE_DAYS)


@dataclass
class GoalInput:
    text: str = ""
    target: str = ""
    unit: str = ""
    deadline: str | date | None = None

    def is_blank(self) -> bool:
        return not any(
            str(value or "").strip() for value in (self.text, self.target, self.unit, self.deadline)
        )


@dataclass
class ActionInput:
    text: str = ""
    owner: str = "hire"
    due: str | date | None = None

    def is_blank(self) -> bool:
        return not (self.text or "").strip()


@dataclass
class OutcomeInput:
    goal_id: int
    outcome: str = ""
    achieved: str = ""


class CheckInInvalid(OnboardingError):
    def __init__(self, problems: Problems) -> None:
        super().__init__(_l("The check-in could not be saved; see the marked fields."), "goals")
        self.problems = problems


_NUMBER = re.compile(r"^[+]?\d{1,9}([.,]\d{1,4})?$", re.ASCII)


def parse_number(raw: str | float | int | None) -> float | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = str(raw or "").strip().replace(" ", "")
        if not _NUMBER.match(text):
            return None
        value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_date(raw: str | date | None) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def check_goals(
    goals: Sequence[GoalInput], window: tuple[date, date], problems: Problems
) -> list[CheckInGoal]:
    """SMART goals from the form: each needs a specific text, a number and a unit to measure it,
    and a deadline inside `window`. Blank rows are ignored; at least one goal is needed."""
    first, last = window
    cleaned: list[CheckInGoal] = []
    filled = [(index, goal) for index, goal in enumerate(goals) if not goal.is_blank()]
    if not filled:
        problems.add(
            "goals",
            _l("Agree at least one SMART goal for the next phase."),
        )
    if len(filled) > MAX_GOALS:
        problems.add("goals", _l("Agree at most %(num)d goals; focus wins.", num=MAX_GOALS))
    for index, goal in filled:
        place = f"goals[{index}]"
        text = (goal.text or "").strip()
        unit = (goal.unit or "").strip()
        target = parse_number(goal.target)
        deadline = parse_date(goal.deadline)
        if len(text) < MIN_GOAL_TEXT:
            problems.add(
                f"{place}.text",
                _l(
                    "Specific: say what will be done, in a few words "
                    "(e.g. “book first meetings with new clinics”)."
                ),
            )
        elif len(text) > 500:
            problems.add(f"{place}.text", _l("Keep the goal under 500 characters."))
        if target is None or target <= 0:
            problems.add(
                f"{place}.target",
                _l("Measurable: give the number to reach, greater than 0 (e.g. 8)."),
            )
        if not unit:
            problems.add(
                f"{place}.unit",
                _l("Measurable: give the unit of the number (e.g. meetings, calls, %)."),
            )
        elif len(unit) > 40:
            problems.add(f"{place}.unit", _l("Keep the unit under 40 characters."))
        if deadline is None:
            problems.add(f"{place}.deadline", _l("Time-bound: give a deadline (a date)."))
        elif not first <= deadline <= last:
            problems.add(
                f"{place}.deadline",
                _l(
                    "Time-bound: the deadline must fall in the next phase, "
                    "from %(first)s to %(last)s.",
                    first=first.isoformat(),
                    last=last.isoformat(),
                ),
            )
        if target is not None and deadline is not None and text and unit:
            cleaned.append(
                CheckInGoal(
                    position=len(cleaned),
                    text=text[:500],
                    target_value=target,
                    unit=unit[:40],
                    deadline=deadline,
                )
            )
    return cleaned


def check_actions(actions: Sequence[ActionInput], problems: Problems) -> list[AgreedAction]:
    cleaned: list[AgreedAction] = []
    filled = [(index, action) for index, action in enumerate(actions) if not action.is_blank()]
    if len(filled) > MAX_ACTIONS:
        problems.add("actions", _l("Agree at most %(num)d actions.", num=MAX_ACTIONS))
    for index, action in filled:
        place = f"actions[{index}]"
        text = action.text.strip()
        if len(text) > 500:
            problems.add(f"{place}.text", _l("Keep the action under 500 characters."))
        if action.owner not in ACTION_OWNERS:
            problems.add(f"{place}.owner", _l("Choose who does it."))
        due = None
        if action.due:
            due = parse_date(action.due)
            if due is None:
                problems.add(f"{place}.due", _l("Give the date as a date, or leave it empty."))
        cleaned.append(
            AgreedAction(position=len(cleaned), text=text[:500], owner=action.owner, due_date=due)
        )
    return cleaned


def open_goals(user_id: int, path_slug: str) -> list[CheckInGoal]:
    """Goals of earlier check-ins on this path whose outcome is not recorded yet."""
    return list(
        db.session.scalars(
            sa.select(CheckInGoal)
            .join(CheckIn, CheckIn.id == CheckInGoal.checkin_id)
            .where(
                CheckIn.user_id == user_id,
                CheckIn.path_slug == path_slug,
                CheckInGoal.outcome.is_(None),
            )
            .order_by(CheckIn.held_at, CheckInGoal.position)
        )
    )


def checkins_of(user_ids: Iterable[int]) -> dict[int, list[CheckIn]]:
    """Every check-in of the given people with goals and actions, in three queries."""
    ids = sorted(set(user_ids))
    result: dict[int, list[CheckIn]] = {user_id: [] for user_id in ids}
    if not ids:
        return result
    rows = db.session.scalars(
        sa.select(CheckIn)
        .where(CheckIn.user_id.in_(ids))
        .options(
            selectinload(CheckIn.goals),
            selectinload(CheckIn.actions),
            joinedload(CheckIn.held_by).lazyload(User.role_rows),
        )
        .order_by(CheckIn.held_at)
    )
    for checkin in rows:
        result[checkin.user_id].append(checkin)
    return result


def hold_checkin(
    hire: User,
    item_id: str,
    *,
    actor: User,
    went_well: str = "",
    went_badly: str = "",
    notes: str = "",
    goals: Sequence[GoalInput] = (),
    actions: Sequence[ActionInput] = (),
    outcomes: Sequence[OutcomeInput] = (),
    now: datetime | None = None,
) -> CheckIn:
    """Record a check-in as held: notes (Markdown for `notes`), SMART goals for the next phase,
    agreed actions, and the outcome of the goals set at the previous check-in. Raises
    CheckInInvalid with every problem at once when something is missing."""
    now = now or utcnow()
    enrollment = active_enrollment(hire.id)
    path, _phase, item = _item_of(enrollment, item_id, "checkin")
    problems = Problems()
    texts = {"went_well": went_well, "went_badly": went_badly, "notes": notes}
    for name, value in texts.items():
        if len(value or "") > MAX_NOTES:
            problems.add(name, _l("Keep this under %(num)d characters.", num=MAX_NOTES))
    notes = (notes or "").strip()
    notes_html = ""
    if len(notes) <= MAX_NOTES:
        try:
            notes_html = render_markdown(notes)
        except MarkdownError as error:
            problems.add("notes", markdown_problem(error, _l("The notes")))
    window = goal_window(path, enrollment.start_date, item.id)
    new_goals = check_goals(goals, window, problems)
    new_actions = check_actions(actions, problems)
    earlier = {goal.id: goal for goal in open_goals(hire.id, path.id)}
    reviewed: list[tuple[CheckInGoal, str, float | None]] = []
    for outcome in outcomes:
        goal = earlier.get(outcome.goal_id)
        place = f"outcomes[{outcome.goal_id}]"
        if goal is None:
            problems.add(place, _l("This goal is not open on this person's path."))
            continue
        if not outcome.outcome:
            continue
        if outcome.outcome not in GOAL_OUTCOMES:
            problems.add(place, _l("Choose met, partly met or missed."))
            continue
        achieved = None
        if str(outcome.achieved or "").strip():
            achieved = parse_number(outcome.achieved)
            if achieved is None:
                problems.add(f"{place}.achieved", _l("Give the result as a number."))
                continue
        reviewed.append((goal, outcome.outcome, achieved))
    if problems:
        raise CheckInInvalid(problems)
    already = db.session.scalar(
        sa.select(CheckIn.id).where(
            CheckIn.user_id == hire.id, CheckIn.path_slug == path.id, CheckIn.item_id == item.id
        )
    )
    if already is not None:
        raise OnboardingError(_l("This check-in has already been held."), "item")
    checkin = CheckIn(
        user_id=hire.id,
        path_slug=path.id,
        item_id=item.id,
        held_by_id=actor.id,
        held_at=now,
        went_well=(went_well or "").strip(),
        went_badly=(went_badly or "").strip(),
        notes=notes,
        notes_html=notes_html,
    )
    checkin.goals = new_goals
    checkin.actions = new_actions
    try:
        with db.session.begin_nested():
            db.session.add(checkin)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OnboardingError(_l("This check-in has already been held."), "item") from None
    for goal, result, achieved in reviewed:
        goal.outcome = result
        goal.achieved_value = achieved
        goal.reviewed_in_id = checkin.id
    db.session.flush()
    record(
        "onboarding.checkin_held",
        actor=actor,
        subject=hire,
        path=path.id,
        item=item.id,
        checkin=checkin.id,
        goals=len(new_goals),
    )
    notify(
        hire.id,
        "checkin_held",
        link=f"/onboarding#item-{item.id}",
        now=now,
        manager=actor.name,
        title=item.title,
        goals=len(new_goals),
    )
    return checkin


changes_progress(CheckIn)


@provides("checkin")
def checkin_progress_provider(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Check-ins (``<path>/<item>``): done once held."""
    wanted, paths = _split_slugs(slugs)
    rows = db.session.execute(
        sa.select(CheckIn.user_id, CheckIn.path_slug, CheckIn.item_id, CheckIn.held_at).where(
            CheckIn.user_id.in_(list(user_ids)), CheckIn.path_slug.in_(sorted(paths))
        )
    )
    return _done_when(rows, wanted)
