"""Where a hire stands on their path: every item's status, every phase's health, the hire's
health, and the reasons for it. The one place these rules live (see docs/onboarding.md).

Days: day 1 is the start date; an item due on day N is due on ``start + N - 1`` and is overdue
from the day after. An item is

- **done** when its activity says so, on or before the day looked at: a course with every item
  done, a quiz or drill whose best score reaches the item's `min_score` (the content's pass
  score when the item has none), a field task signed off (and not undone), a check-in held.
  Done after its due date, it is done *late*, which is shown but does not count against the hire;
- **overdue** when not done and its due date is past;
- **in progress** when started and not yet due;
- **not started** otherwise.

Health (on track < at risk < behind) comes from reasons:

- an item overdue by up to OVERDUE_GRACE_DAYS days: at risk; by more: behind;
- MANY_OVERDUE or more items overdue at once: behind;
- from the middle of the current phase on, a target skill whose mastery is shown and below the
  phase's target: at risk.

A phase's health is the worst of its own reasons, the hire's the worst of all. `evaluate` is a
pure function of the path, the dates, the progress and the mastery; `load_statuses` gathers those
for many hires in a fixed number of queries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms.content.model import Path, PathItem, Phase, Text
from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db
from lms.notifications.kinds import reader_content_locale
from lms.progress import NOT_STARTED, ItemProgress, progress_by_kind
from lms.skills.mastery import NOT_ASSESSED, MasteryState, mastery_by_user
from lms.skills.models import Skill
from lms.skills.rounding import shown, threshold_text
from lms.skills.rounding import text as number_text

OVERDUE_GRACE_DAYS = 7
MANY_OVERDUE = 3
SCORED_KINDS = ("quiz", "scenario")
CONTENT_KINDS = ("course", "lesson", "quiz", "scenario")
OWN_KINDS = ("task", "checkin")


class ItemState(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"


class Health(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"

    @property
    def rank(self) -> int:
        return _HEALTH_RANK[self]


_HEALTH_RANK = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.BEHIND: 2}


class Timing(enum.StrEnum):
    UPCOMING = "upcoming"
    CURRENT = "current"
    PAST = "past"


def worst(healths: Iterable[Health]) -> Health:
    return max(healths, key=lambda health: health.rank, default=Health.ON_TRACK)


# --- days and dates ----------------------------------------------------------------------------


def due_date(start: date, day: int) -> date:
    """The date of day `day` (day 1 is `start`)."""
    return start + timedelta(days=day - 1)


def day_number(start: date, on: date) -> int:
    """Day N on `on` (1 on the start date; 0 or less before it)."""
    return (on - start).days + 1


def item_day(item: PathItem, phase: Phase) -> int:
    """The day an item is due: its `day` (check-ins) or `due_day`, else its phase's last day."""
    return item.day or item.due_day or phase.until_day


def progress_key(path_id: str, item: PathItem) -> tuple[str, str]:
    """(kind, slug) under which the progress registry knows an item: the content id for courses,
    lessons, quizzes and drills; ``<path id>/<item id>`` for field tasks and check-ins."""
    if item.kind in CONTENT_KINDS:
        return item.kind, item.ref or ""
    return item.kind, f"{path_id}/{item.id}"


def path_length(path: Path) -> int:
    return path.phases[-1].until_day if path.phases else 0


# --- results -----------------------------------------------------------------------------------


def _text(value: Text | None) -> str:
    return value.get(reader_content_locale()) if value else ""


@dataclass(frozen=True)
class ItemStatus:
    phase_id: str
    item: PathItem
    title: Text
    key: tuple[str, str]
    due_day: int
    due: date
    state: ItemState
    progress: ItemProgress
    done_at: datetime | None = None
    done_late: bool = False
    days_overdue: int = 0

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def is_done(self) -> bool:
        return self.state is ItemState.DONE

    @property
    def min_score(self) -> float | None:
        return self.item.min_score

    @property
    def title_text(self) -> str:
        return _text(self.title) or self.item.id


@dataclass(frozen=True)
class TargetStatus:
    skill_id: str
    name: Text
    target: float
    mastery: MasteryState

    @property
    def gap(self) -> float | None:
        """target - mastery as shown (lms.skills.rounding)."""
        if self.mastery.value is None:
            return None
        return self.target - shown(self.mastery.value, self.target)

    @property
    def is_below(self) -> bool:
        return self.gap is not None and self.gap > 0

    @property
    def name_text(self) -> str:
        return _text(self.name) or self.skill_id


@dataclass(frozen=True)
class Reason:
    """Why a hire or phase is not on track, in words the page shows."""

    code: str  # attempts_used_up | overdue | many_overdue | below_target
    health: Health
    phase_id: str | None
    item: ItemStatus | None = None
    target: TargetStatus | None = None
    count: int = 0

    @property
    def message(self) -> str:
        if self.code == "overdue" and self.item is not None:
            return ngettext(
                "“%(item)s” is %(num)d day overdue (due %(date)s).",
                "“%(item)s” is %(num)d days overdue (due %(date)s).",
                self.item.days_overdue,
                item=self.item.title_text,
                date=format_date(self.item.due, "medium"),
            )
        if self.code == "attempts_used_up" and self.item is not None:
            return _(
                "Attempts used up: “%(item)s” is not passed and every attempt is taken; "
                "a manager or trainer can grant more.",
                item=self.item.title_text,
            )
        if self.code == "many_overdue":
            return ngettext(
                "%(num)d item is overdue.", "%(num)d items are overdue at once.", self.count
            )
        if self.code == "below_target" and self.target is not None:
            return _(
                "%(skill)s is at %(mastery)s, below the phase's target of %(target)s.",
                skill=self.target.name_text,
                mastery=number_text(self.target.mastery.value or 0, self.target.target),
                target=threshold_text(self.target.target),
            )
        return self.code


@dataclass(frozen=True)
class PhaseStatus:
    phase: Phase
    index: int
    start_day: int
    end_day: int
    start_date: date
    end_date: date
    timing: Timing
    items: tuple[ItemStatus, ...]
    targets: tuple[TargetStatus, ...]
    health: Health
    reasons: tuple[Reason, ...]

    @property
    def id(self) -> str:
        return self.phase.id

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.is_done)

    @property
    def title_text(self) -> str:
        return _text(self.phase.title) or self.phase.id

    @property
    def targets_by_gap(self) -> list[TargetStatus]:
        """Targets with the largest gap first; skills without enough evidence last."""
        return sorted(
            self.targets,
            key=lambda target: (target.gap is None, -(target.gap or 0.0), target.skill_id),
        )


@dataclass(frozen=True)
class HireStatus:
    path: Path
    start_date: date
    on: date
    day: int
    length: int
    phases: tuple[PhaseStatus, ...]
    current: PhaseStatus | None
    health: Health
    reasons: tuple[Reason, ...]
    last_activity_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def items(self) -> list[ItemStatus]:
        return [item for phase in self.phases for item in phase.items]

    @property
    def headline(self) -> Reason | None:
        """The reason to show first in a list: the worst one that names an item or a skill."""
        specific = [reason for reason in self.reasons if reason.code != "many_overdue"]
        return (specific or list(self.reasons) or [None])[0]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.is_done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def overdue(self) -> list[ItemStatus]:
        found = [item for item in self.items if item.state is ItemState.OVERDUE]
        return sorted(found, key=lambda item: item.due)

    def due_within(self, days: int) -> list[ItemStatus]:
        """Open items due from today to `days` days ahead, soonest first."""
        until = self.on + timedelta(days=days)
        found = [item for item in self.items if not item.is_done and self.on <= item.due <= until]
        return sorted(found, key=lambda item: item.due)

    @property
    def next_checkin(self) -> ItemStatus | None:
        open_checkins = [i for i in self.items if i.kind == "checkin" and not i.is_done]
        return min(open_checkins, key=lambda item: item.due, default=None)

    @property
    def is_started(self) -> bool:
        return self.day >= 1

    @property
    def is_finished(self) -> bool:
        return self.day > self.length

    @property
    def shown_day(self) -> int:
        return max(0, min(self.day, self.length))

    @property
    def below_target(self) -> list[TargetStatus]:
        if self.current is None:
            return []
        return [target for target in self.current.targets if target.is_below]

    def item(self, item_id: str) -> ItemStatus | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None


# --- evaluation --------------------------------------------------------------------------------


def _done_at(item: PathItem, progress: ItemProgress) -> tuple[bool, datetime | None]:
    if item.kind in SCORED_KINDS and item.min_score is not None:
        best = progress.best_score
        if best is None or best < float(item.min_score):
            return False, None
        if progress.done and progress.done_at is not None:
            return True, progress.done_at
        return True, progress.last_activity_at or progress.done_at
    if not progress.done:
        return False, None
    return True, progress.done_at or progress.last_activity_at


def item_status(
    item: PathItem,
    phase: Phase,
    path_id: str,
    start: date,
    on: date,
    progress: ItemProgress,
    title: Text | None = None,
) -> ItemStatus:
    """The status of one item on day `on`; activity dated after `on` does not count yet."""
    day = item_day(item, phase)
    due = due_date(start, day)
    done, done_at = _done_at(item, progress)
    if done and done_at is not None and done_at.date() > on:
        done, done_at = False, None
    started = progress.started or progress.attempts > 0 or progress.last_activity_at is not None
    days_overdue = 0
    if done:
        state = ItemState.DONE
    elif on > due:
        state = ItemState.OVERDUE
        days_overdue = (on - due).days
    elif started:
        state = ItemState.IN_PROGRESS
    else:
        state = ItemState.NOT_STARTED
    return ItemStatus(
        phase_id=phase.id,
        item=item,
        title=title or item.title or Text({"en": item.ref or item.id}),
        key=progress_key(path_id, item),
        due_day=day,
        due=due,
        state=state,
        progress=progress,
        done_at=done_at,
        done_late=bool(done and done_at is not None and done_at.date() > due),
        days_overdue=days_overdue,
    )


def is_used_up(item: ItemStatus) -> bool:
    """A scored item not done whose attempts are all used: the hire cannot go on alone."""
    return not item.is_done and item.progress.attempts_left == 0


def _phase_timing(start_date: date, end_date: date, on: date) -> Timing:
    if on < start_date:
        return Timing.UPCOMING
    if on > end_date:
        return Timing.PAST
    return Timing.CURRENT


def evaluate(
    path: Path,
    start: date,
    on: date,
    progress: Mapping[tuple[str, str], ItemProgress],
    mastery: Mapping[str, MasteryState] | None = None,
    *,
    titles: Mapping[tuple[str, str], Text] | None = None,
    skill_names: Mapping[str, Text] | None = None,
) -> HireStatus:
    """The status of a hire who started `path` on `start`, as of the day `on`.

    `progress` maps (kind, slug) (see `progress_key`) to the hire's progress; missing keys are
    not started. `mastery` maps skill ids to the hire's mastery; `titles` gives the titles of
    courses, quizzes and drills by (kind, id); `skill_names` the names of skills."""
    mastery = mastery or {}
    titles = titles or {}
    skill_names = skill_names or {}
    day = day_number(start, on)
    phases: list[PhaseStatus] = []
    all_reasons: list[Reason] = []
    previous_end = 0
    current_index = None
    for index, phase in enumerate(path.phases):
        start_day, end_day = previous_end + 1, phase.until_day
        previous_end = end_day
        first, last = due_date(start, start_day), due_date(start, end_day)
        timing = _phase_timing(first, last, on)
        if timing is Timing.CURRENT:
            current_index = index
        items = tuple(
            item_status(
                item,
                phase,
                path.id,
                start,
                on,
                progress.get(progress_key(path.id, item), NOT_STARTED),
                titles.get((item.kind, item.ref or "")) if item.kind in CONTENT_KINDS else None,
            )
            for item in phase.items
        )
        targets = tuple(
            TargetStatus(
                skill_id=skill_id,
                name=skill_names.get(skill_id) or Text({"en": skill_id}),
                target=float(target),
                mastery=mastery.get(skill_id, NOT_ASSESSED),
            )
            for skill_id, target in phase.targets.items()
        )
        reasons = [
            Reason(
                "attempts_used_up" if is_used_up(item) else "overdue",
                Health.BEHIND if item.days_overdue > OVERDUE_GRACE_DAYS else Health.AT_RISK,
                phase.id,
                item=item,
            )
            for item in items
            if item.state is ItemState.OVERDUE or is_used_up(item)
        ]
        midpoint = due_date(start, start_day + (end_day - start_day) // 2)
        if timing is Timing.CURRENT and on >= midpoint:
            reasons += [
                Reason("below_target", Health.AT_RISK, phase.id, target=target)
                for target in targets
                if target.is_below
            ]
        phases.append(
            PhaseStatus(
                phase=phase,
                index=index,
                start_day=start_day,
                end_day=end_day,
                start_date=first,
                end_date=last,
                timing=timing,
                items=items,
                targets=targets,
                health=worst(reason.health for reason in reasons),
                reasons=tuple(reasons),
            )
        )
        all_reasons += reasons
    overdue_count = sum(
        1 for reason in all_reasons if reason.item and reason.item.state is ItemState.OVERDUE
    )
    if overdue_count >= MANY_OVERDUE:
        all_reasons.append(Reason("many_overdue", Health.BEHIND, None, count=overdue_count))
    all_reasons.sort(
        key=lambda reason: (
            -reason.health.rank,
            reason.code != "many_overdue",
            reason.code != "attempts_used_up",
            -(reason.item.days_overdue if reason.item else 0),
        )
    )
    if current_index is None and phases and day > path_length(path):
        current_index = len(phases) - 1
    activity = [
        value.last_activity_at
        for key, value in progress.items()
        if key[0] in CONTENT_KINDS
        and value.last_activity_at is not None
        and value.last_activity_at.date() <= on
    ]
    return HireStatus(
        path=path,
        start_date=start,
        on=on,
        day=day,
        length=path_length(path),
        phases=tuple(phases),
        current=phases[current_index] if current_index is not None else None,
        health=worst(reason.health for reason in all_reasons),
        reasons=tuple(all_reasons),
        last_activity_at=max(activity, default=None),
    )


def phase_on(path: Path, start: date, on: date) -> Phase | None:
    """The phase a hire is in on `on`: None before the start, the last one after the end."""
    day = day_number(start, on)
    if day < 1 or not path.phases:
        return None
    for phase in path.phases:
        if day <= phase.until_day:
            return phase
    return path.phases[-1]


# --- gathering what evaluation needs, for many hires at once ----------------------------------


def enrollments_query() -> sa.Select:
    """Active enrollments with their pinned path version loaded."""
    from lms.onboarding.models import Enrollment

    return (
        sa.select(Enrollment)
        .where(Enrollment.ended_at.is_(None))
        .options(
            joinedload(Enrollment.path_version).joinedload(ContentVersion.item),
            joinedload(Enrollment.path_item),
        )
    )


def path_of(enrollment) -> Path:
    from lms.content.store import load

    return load(enrollment.path_version)  # type: ignore[return-value]


def content_titles(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Text]:
    """Titles of the current versions of content objects, by (kind, id), in one query that reads
    the title columns, not the documents."""
    from lms.content.store import refs_condition

    condition = refs_condition(refs)
    if condition is None:
        return {}
    rows = db.session.execute(
        sa.select(ContentItem.kind, ContentItem.slug, ContentVersion.title, ContentVersion.language)
        .join(ContentItem, ContentItem.current_version_id == ContentVersion.id)
        .where(condition)
    )
    return {
        (kind, slug): Text.of(title or {}, language or "en") for kind, slug, title, language in rows
    }


def skill_names(skill_ids: Iterable[str] | None = None) -> dict[str, Text]:
    statement = sa.select(Skill.id, Skill.name, Skill.language)
    if skill_ids is not None:
        statement = statement.where(Skill.id.in_(sorted(set(skill_ids))))
    return {
        skill_id: Text.of(name or {}, language or "en")
        for skill_id, name, language in db.session.execute(statement)
    }


def load_statuses(enrollments: Sequence, on: date) -> dict[int, HireStatus]:
    """The status of every enrolled hire on `on`, by user id, in a fixed number of queries
    whatever the number of hires: one per progress kind, one for titles, one for mastery and one
    for skill names. Enrollments must come with their path version loaded
    (`enrollments_query`)."""
    if not enrollments:
        return {}
    paths = {enrollment.id: path_of(enrollment) for enrollment in enrollments}
    user_ids = sorted({enrollment.user_id for enrollment in enrollments})
    keys: set[tuple[str, str]] = set()
    skills: set[str] = set()
    for path in paths.values():
        for phase in path.phases:
            skills.update(phase.targets)
            keys.update(progress_key(path.id, item) for item in phase.items)
    progress = progress_by_kind(user_ids, keys)
    titles = content_titles(key for key in keys if key[0] in CONTENT_KINDS)
    mastery = mastery_by_user(user_ids, skills) if skills else {}
    names = skill_names(skills) if skills else {}
    by_user: dict[int, dict[tuple[str, str], ItemProgress]] = {}
    for kind, by_pair in progress.items():
        for (uid, slug), found in by_pair.items():
            by_user.setdefault(uid, {})[(kind, slug)] = found
    result: dict[int, HireStatus] = {}
    for enrollment in enrollments:
        path = paths[enrollment.id]
        user_id = enrollment.user_id
        own = by_user.get(user_id, {})
        status = evaluate(
            path,
            enrollment.start_date,
            on,
            own,
            mastery.get(user_id, {}),
            titles=titles,
            skill_names=names,
        )
        status.extra["enrollment"] = enrollment
        result[user_id] = status
    return result
