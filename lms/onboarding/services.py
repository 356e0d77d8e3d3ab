"""Onboarding services: enrolling hires, signing off field tasks, holding check-ins, and the
progress providers and target source that make them count. Services take explicit arguments
(including `now`, so history can be back-dated), flush, audit what managers do, and return the
object; the caller commits.

Registers the progress providers of `task` (a sign-off in force) and `checkin` (held), keyed
``<path id>/<item id>``, and the skill-target source (the targets of the phase a hire is in).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from lms.audit.services import record
from lms.content.markdown import render_markdown
from lms.content.model import Path, PathItem, Phase, Text
from lms.content.models import ContentItem, ContentVersion
from lms.content.store import current_version, current_versions, load
from lms.extensions import db
from lms.notifications.services import notify
from lms.onboarding.models import (
    ACTION_OWNERS,
    GOAL_OUTCOMES,
    AgreedAction,
    CheckIn,
    CheckInGoal,
    Enrollment,
    SignOff,
)
from lms.onboarding.status import (
    due_date,
    enrollments_query,
    item_day,
    path_of,
    phase_on,
)
from lms.people.models import User
from lms.progress import ItemProgress, changes_progress, provides
from lms.skills.targets import register_target_source
from lms.timeutil import utcnow

MAX_COMMENT = 4000
MAX_REASON = 1000
MAX_NOTES = 8000
MAX_GOALS = 5
MAX_ACTIONS = 8
MIN_GOAL_TEXT = 10
AFTER_LAST_PHASE_DAYS = 90
SIGNOFF_RATINGS = {"below": 0.5, "meets": 0.8, "above": 1.0}


class OnboardingError(ValueError):
    """A change the onboarding rules refuse; `field` names the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


# --- enrollments -------------------------------------------------------------------------------


def active_enrollment(user_id: int, *, lock: bool = False) -> Enrollment | None:
    statement = enrollments_query().where(Enrollment.user_id == user_id)
    if lock:
        statement = statement.with_for_update(of=Enrollment)
    return db.session.scalar(statement)


def active_enrollments(user_ids: Iterable[int]) -> list[Enrollment]:
    """Active enrollments of the given people, with their path versions, in one query."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    return list(db.session.scalars(enrollments_query().where(Enrollment.user_id.in_(ids))).unique())


def live_paths() -> dict[str, Path]:
    """Every live path by id (for the enrollment forms)."""
    return {slug: load(version) for slug, version in current_versions("path").items()}  # type: ignore[misc]


def live_path_titles() -> list[tuple[str, Text, str]]:
    """(id, title, language) of every live path, from the title columns (no document read)."""
    rows = db.session.execute(
        sa.select(ContentItem.slug, ContentVersion.title, ContentVersion.language)
        .join(ContentItem, ContentItem.current_version_id == ContentVersion.id)
        .where(ContentItem.kind == "path", ContentItem.retired_at.is_(None))
        .order_by(ContentItem.slug)
    )
    return [
        (slug, Text.of(title or {}, language or "en"), language or "en")
        for slug, title, language in rows
    ]


def _path_version(path_slug: str):
    version = current_version("path", path_slug)
    if version is None:
        raise OnboardingError(_l("There is no onboarding path “%(path)s”.", path=path_slug), "path")
    return version


def enroll(
    user: User,
    path_slug: str,
    *,
    actor: User | None,
    start_date: date | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> Enrollment:
    """Enroll `user` on the current version of a path, pinned, starting on `start_date` (default:
    the person's start date, else today). An active enrollment on another path is ended only when
    `replace` is true; one on the same path is an error."""
    now = now or utcnow()
    version = _path_version(path_slug)
    if not user.active:
        raise OnboardingError(_l("%(name)s is deactivated.", name=user.name), "user")
    start = start_date or user.start_date or now.date()
    existing = active_enrollment(user.id, lock=True)
    if existing is not None:
        if existing.path_item_id == version.item_id:
            raise OnboardingError(
                _l("%(name)s is already enrolled on this path.", name=user.name), "path"
            )
        if not replace:
            raise OnboardingError(
                _l(
                    "%(name)s is enrolled on another path; choose to replace it.",
                    name=user.name,
                ),
                "replace",
            )
        existing.ended_at = now
        db.session.flush()
    enrollment = Enrollment(
        user_id=user.id,
        path_item_id=version.item_id,
        path_version_id=version.id,
        start_date=start,
        enrolled_by_id=actor.id if actor else None,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OnboardingError(
            _l("%(name)s was enrolled by someone else just now.", name=user.name), "path"
        ) from None
    path = load(version)
    record(
        "onboarding.enrolled",
        actor=actor,
        subject=user,
        path=path_slug,
        version=version.number,
        start=start.isoformat(),
        replaced=existing.id if existing is not None else None,
    )
    notify(user.id, "enrolled", link="/onboarding", now=now, path=path.title, start=start)
    return enrollment


@dataclass
class EnrollResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def enroll_many(
    users: Sequence[User],
    path_slug: str,
    *,
    actor: User | None,
    start_date: date | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> EnrollResult:
    """Enroll several people at once; those who cannot be enrolled are listed with the reason,
    the others are enrolled."""
    _path_version(path_slug)
    result = EnrollResult()
    for user in users:
        try:
            with db.session.begin_nested():
                result.enrolled.append(
                    enroll(
                        user,
                        path_slug,
                        actor=actor,
                        start_date=start_date,
                        replace=replace,
                        now=now,
                    )
                )
        except OnboardingError as error:
            result.skipped.append((user, f"{user.name}: {error}"))
    return result


def upgrade_enrollment(
    enrollment: Enrollment, *, actor: User | None, now: datetime | None = None
) -> Enrollment:
    """Move an enrollment to the newest version of its path. Sign-offs, check-ins and content
    progress belong to the hire and the item ids, so everything done stays done."""
    version = _path_version(enrollment.path_item.slug)
    if version.id == enrollment.path_version_id:
        raise OnboardingError(_l("This enrollment is already on the newest version."), "path")
    old = enrollment.path_version
    enrollment.path_version_id = version.id
    enrollment.path_version = version
    db.session.flush()
    record(
        "onboarding.upgraded",
        actor=actor,
        subject=enrollment.user,
        path=enrollment.path_item.slug,
        from_version=old.number if old else None,
        to_version=version.number,
    )
    notify(
        enrollment.user_id, "path_upgraded", link="/onboarding", now=now, path=load(version).title
    )
    return enrollment


def newer_version_number(enrollment: Enrollment) -> int | None:
    """The number of a newer current version of the enrollment's path, if there is one."""
    item = enrollment.path_item
    if item.current_version_id in (None, enrollment.path_version_id) or item.retired_at:
        return None
    return item.current_version.number if item.current_version else None


# --- finding items -----------------------------------------------------------------------------


def find_item(path: Path, item_id: str) -> tuple[Phase, PathItem] | None:
    for phase in path.phases:
        for item in phase.items:
            if item.id == item_id:
                return phase, item
    return None


def _item_of(
    enrollment: Enrollment | None, item_id: str, kind: str
) -> tuple[Path, Phase, PathItem]:
    if enrollment is None:
        raise OnboardingError(_l("This person is not enrolled on an onboarding path."), "item")
    path = path_of(enrollment)
    found = find_item(path, item_id)
    if found is None or found[1].kind != kind:
        raise OnboardingError(_l("There is no such item on this person's path."), "item")
    return path, found[0], found[1]


# --- sign-offs ---------------------------------------------------------------------------------


def signoff_in_force(user_id: int, path_slug: str, item_id: str) -> SignOff | None:
    return db.session.scalar(
        sa.select(SignOff).where(
            SignOff.user_id == user_id,
            SignOff.path_slug == path_slug,
            SignOff.item_id == item_id,
            SignOff.undone_at.is_(None),
        )
    )


def sign_off(
    hire: User,
    item_id: str,
    *,
    actor: User,
    comment: str = "",
    ratings: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> SignOff:
    """Confirm that `hire` did the field task `item_id` of their path. The comment is Markdown
    (rendered and sanitized now); `ratings` (skill id -> below | meets | above) become skill
    evidence. Audited; the hire is notified."""
    now = now or utcnow()
    enrollment = active_enrollment(hire.id)
    path, phase, item = _item_of(enrollment, item_id, "task")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise OnboardingError(
            _l("Keep the comment under %(num)d characters.", num=MAX_COMMENT), "comment"
        )
    values: dict[str, float] = {}
    for skill_id, rating in (ratings or {}).items():
        if not rating:
            continue
        if rating not in SIGNOFF_RATINGS or skill_id not in phase.targets:
            raise OnboardingError(_l("Choose a rating from the list."), "ratings")
        values[skill_id] = SIGNOFF_RATINGS[rating]
    if signoff_in_force(hire.id, path.id, item.id) is not None:
        raise OnboardingError(_l("This task is already signed off."), "item")
    signoff = SignOff(
        user_id=hire.id,
        path_slug=path.id,
        item_id=item.id,
        signed_by_id=actor.id,
        signed_at=now,
        comment=comment,
        comment_html=render_markdown(comment),
        skills=values,
    )
    try:
        with db.session.begin_nested():
            db.session.add(signoff)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OnboardingError(_l("This task is already signed off."), "item") from None
    if values:
        from lms.skills.evidence import record_evidence

        record_evidence(
            hire.id,
            values,
            source_kind="signoff",
            source_id=f"{path.id}/{item.id}"[:64],
            source_version_id=enrollment.path_version_id,
            source_ref=f"signoff:{signoff.id}",
            at=now,
        )
    record(
        "onboarding.signed_off",
        actor=actor,
        subject=hire,
        path=path.id,
        item=item.id,
        signoff=signoff.id,
        skills=values or None,
    )
    notify(
        hire.id,
        "task_signed_off",
        link=f"/onboarding#item-{item.id}",
        now=now,
        manager=actor.name,
        item=item.title,
    )
    return signoff


def undo_sign_off(
    signoff: SignOff, *, actor: User, reason: str, now: datetime | None = None
) -> SignOff:
    """Withdraw a sign-off, with a reason; the task is open again. The row stays (who signed,
    who undid, when and why). Skill evidence already recorded stays in the append-only log."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise OnboardingError(_l("Say why the sign-off is withdrawn."), "reason")
    if len(reason) > MAX_REASON:
        raise OnboardingError(
            _l("Keep the reason under %(num)d characters.", num=MAX_REASON), "reason"
        )
    locked = db.session.scalar(sa.select(SignOff).where(SignOff.id == signoff.id).with_for_update())
    if locked is None or locked.undone_at is not None:
        raise OnboardingError(_l("This sign-off has already been withdrawn."), "reason")
    locked.undone_at = now
    locked.undone_by_id = actor.id
    locked.undo_reason = reason
    db.session.flush()
    hire = db.session.get(User, locked.user_id)
    record(
        "onboarding.signoff_undone",
        actor=actor,
        subject=hire,
        path=locked.path_slug,
        item=locked.item_id,
        signoff=locked.id,
        reason=reason,
    )
    enrollment = active_enrollment(locked.user_id)
    title = None
    if enrollment is not None:
        found = find_item(path_of(enrollment), locked.item_id)
        title = found[1].title if found else None
    notify(
        locked.user_id,
        "signoff_undone",
        link=f"/onboarding#item-{locked.item_id}",
        now=now,
        manager=actor.name,
        item=title or locked.item_id,
        reason=reason,
    )
    return locked


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


@dataclass
class CheckInProblems:
    """What is missing or wrong, by place: ``goals[0].target`` -> message."""

    errors: dict[str, object] = field(default_factory=dict)

    def add(self, place: str, message) -> None:
        self.errors.setdefault(place, message)

    def __bool__(self) -> bool:
        return bool(self.errors)


class CheckInInvalid(OnboardingError):
    def __init__(self, problems: CheckInProblems) -> None:
        super().__init__(_l("The check-in could not be saved; see the marked fields."), "goals")
        self.problems = problems


_NUMBER = re.compile(r"^[+]?\d{1,9}([.,]\d{1,4})?$")


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
    goals: Sequence[GoalInput], window: tuple[date, date], problems: CheckInProblems
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


def check_actions(actions: Sequence[ActionInput], problems: CheckInProblems) -> list[AgreedAction]:
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
    problems = CheckInProblems()
    texts = {"went_well": went_well, "went_badly": went_badly, "notes": notes}
    for name, value in texts.items():
        if len(value or "") > MAX_NOTES:
            problems.add(name, _l("Keep this under %(num)d characters.", num=MAX_NOTES))
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
        notes=(notes or "").strip(),
        notes_html=render_markdown((notes or "").strip()),
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


# --- progress providers and targets ------------------------------------------------------------


def _split_slugs(slugs: Sequence[str]) -> tuple[set[str], set[str]]:
    wanted = set(slugs)
    paths = {slug.partition("/")[0] for slug in wanted}
    return wanted, paths


def _done_when(rows, wanted: set[str]) -> dict[tuple[int, str], ItemProgress]:
    """Progress of (user, `<path>/<item>`) from rows of (user id, path, item, done at)."""
    found = {}
    for user_id, path_slug, item_id, done_at in rows:
        slug = f"{path_slug}/{item_id}"
        if slug in wanted:
            found[(user_id, slug)] = ItemProgress(
                started=True, done=True, done_at=done_at, last_activity_at=done_at
            )
    return found


for _model in (Enrollment, SignOff, CheckIn):
    changes_progress(_model)


@provides("task")
def task_progress_provider(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Field tasks (``<path>/<item>``): done while a sign-off is in force."""
    wanted, paths = _split_slugs(slugs)
    rows = db.session.execute(
        sa.select(SignOff.user_id, SignOff.path_slug, SignOff.item_id, SignOff.signed_at).where(
            SignOff.user_id.in_(list(user_ids)),
            SignOff.path_slug.in_(sorted(paths)),
            SignOff.undone_at.is_(None),
        )
    )
    return _done_when(rows, wanted)


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


@register_target_source
def phase_targets(user_ids: Sequence[int], on: date) -> dict[int, dict[str, float]]:
    """The skill targets of the phase each enrolled hire is in on `on` (the last phase's after
    the path ends; none before the start)."""
    result: dict[int, dict[str, float]] = {}
    for enrollment in active_enrollments(user_ids):
        phase = phase_on(path_of(enrollment), enrollment.start_date, on)
        if phase is not None and phase.targets:
            result[enrollment.user_id] = {skill: float(v) for skill, v in phase.targets.items()}
    return result
