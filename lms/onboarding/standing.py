"""Stored statuses: every enrolled hire's status kept in one row (`HireSummary`), written by the
writes that change it, so that lists read one row per hire instead of recomputing from activity.

What is stored is the status engine's own work (`status.evaluate` is not rewritten here):

- `inputs`: what the engine was given, the hire's progress on each item of their path and their
  mastery of each target skill. The status of any day is `evaluate` of these inputs, so pages of
  one hire re-evaluate them (cheap, no query on activity tables) and always show today's state;
- `summary`: what the engine made of them on `as_of` (item states, counts, the headline reason,
  the phase ...) for lists; features add keys with `summary_field`.

Writes: every table declared with `lms.progress.changes_progress` is watched; a transaction that
flushes rows of them refreshes the stored rows of the learners they name just before it commits
(one status evaluation per learner, in the same transaction). Time: `refresh_day` (run nightly
by `lms remind`) re-evaluates the rows of earlier days from their inputs; a list that meets a row
of an earlier day re-evaluates it in memory. `recompute` rebuilds every row from the raw records
in short batches, and must give exactly what the writes gave (`lms recompute-status`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from lms.content.model import Path, Text
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.onboarding.models import Enrollment, HireSummary
from lms.onboarding.status import (
    CONTENT_KINDS,
    Health,
    HireStatus,
    Reason,
    TargetStatus,
    content_titles,
    day_number,
    evaluate,
    item_status,
    load_statuses,
    skill_names,
)
from lms.progress import (
    CHANGED_KEY,
    ItemProgress,
    mark_changed,
    on_content_published,
    watched_models,
)
from lms.skills.mastery import NOT_ASSESSED, MasteryState
from lms.timeutil import utcnow

BATCH = 200
_DIRTY = CHANGED_KEY  # learners to refresh before the commit (`lms.progress.mark_changed`)


# --- encoding the engine's inputs and outputs as JSON -------------------------------------------


def _when(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _key(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def encode_progress(progress: ItemProgress) -> list:
    return [
        progress.started,
        progress.done,
        progress.best_score,
        progress.attempts,
        _when(progress.done_at),
        _when(progress.last_activity_at),
        progress.last_score,
        progress.attempts_left,
    ]


def decode_progress(raw: Sequence) -> ItemProgress:
    started, done, best, attempts, done_at, last, last_score, left = raw
    return ItemProgress(
        started=started,
        done=done,
        best_score=best,
        attempts=attempts,
        done_at=_datetime(done_at),
        last_activity_at=_datetime(last),
        last_score=last_score,
        attempts_left=left,
    )


def encode_mastery(state: MasteryState) -> list:
    return [state.value, state.count, state.trend, _when(state.last_at), state.level]


def decode_mastery(raw: Sequence) -> MasteryState:
    value, count, trend, last_at, level = raw
    return MasteryState(
        value=value, count=count, trend=trend, last_at=_datetime(last_at), level=level
    )


def inputs_of(status: HireStatus) -> dict:
    """What `evaluate` was given for `status`, as JSON."""
    mastery = {
        target.skill_id: encode_mastery(target.mastery)
        for phase in status.phases
        for target in phase.targets
    }
    return {
        "progress": {_key(*item.key): encode_progress(item.progress) for item in status.items},
        "mastery": mastery,
    }


def decoded_inputs(
    inputs: Mapping,
) -> tuple[dict[tuple[str, str], ItemProgress], dict[str, MasteryState]]:
    progress = {}
    for key, raw in (inputs.get("progress") or {}).items():
        kind, _, slug = key.partition(":")
        progress[(kind, slug)] = decode_progress(raw)
    mastery = {skill: decode_mastery(raw) for skill, raw in (inputs.get("mastery") or {}).items()}
    return progress, mastery


# Extra summary keys: name -> function of the status (JSON-serializable result).
_FIELDS: dict[str, Callable[[HireStatus], Any]] = {}


def summary_field(name: str) -> Callable[[Callable[[HireStatus], Any]], Callable]:
    """Register a key of the stored summary, computed from the status on every refresh."""

    def register(function: Callable[[HireStatus], Any]) -> Callable:
        _FIELDS[name] = function
        return function

    return register


def _reason(reason: Reason | None) -> dict | None:
    """A reason as JSON, with the inputs its wording needs (so lists need no other inputs)."""
    if reason is None:
        return None
    return {
        "code": reason.code,
        "health": reason.health.value,
        "phase": reason.phase_id,
        "item": reason.item.id if reason.item else None,
        "progress": encode_progress(reason.item.progress) if reason.item else None,
        "skill": reason.target.skill_id if reason.target else None,
        "mastery": encode_mastery(reason.target.mastery) if reason.target else None,
        "count": reason.count,
    }


def summarize(status: HireStatus) -> dict:
    """What lists show of a status, as JSON."""
    open_items = [item for item in status.items if not item.is_done]
    next_due = min((item.due for item in open_items if item.due >= status.on), default=None)
    summary = {
        "day": status.day,
        "length": status.length,
        "phase": status.current.id if status.current else None,
        "percent": status.percent,
        "next_due": _when(next_due),
        "reasons": len(status.reasons),
        "headline": _reason(status.headline),
        "below": [target.skill_id for target in status.below_target],
        # The current phase's targets with the mastery against them (the team page's quadrant).
        "targets": [
            [target.skill_id, target.target, encode_mastery(target.mastery)]
            for target in (status.current.targets if status.current else ())
        ],
        "items": {
            item.id: [item.state.value, item.days_overdue, item.done_late] for item in status.items
        },
        # Due dates of the check-ins not held yet (the staff header counts those due this week).
        "open_checkins": sorted(
            item.due.isoformat()
            for item in status.items
            if item.kind == "checkin" and not item.is_done
        ),
    }
    for name, function in _FIELDS.items():
        summary[name] = function(status)
    return summary


def _row_values(status: HireStatus, enrollment: Enrollment) -> dict:
    return {
        "enrollment_id": enrollment.id,
        "path_version_id": enrollment.path_version_id,
        "start_date": enrollment.start_date,
        **_status_values(status),
    }


def _status_values(status: HireStatus) -> dict:
    """The columns of a stored row that the status of its day gives."""
    return {
        "as_of": status.on,
        "health": status.health.value,
        "health_rank": status.health.rank,
        "done_count": status.done_count,
        "total": status.total,
        "overdue_count": len(status.overdue),
        "below_count": len(status.below_target),
        "last_activity_at": status.last_activity_at,
        "inputs": inputs_of(status),
        "summary": summarize(status),
    }


# --- computing from the raw records --------------------------------------------------------------


def _enrollments(user_ids: Sequence[int]) -> list[Enrollment]:
    """Active enrollments without their documents (paths load once per version)."""
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.ended_at.is_(None), Enrollment.user_id.in_(list(user_ids)))
            .options(joinedload(Enrollment.path_item))
            .order_by(Enrollment.user_id)
        )
    )


def compute(user_ids: Iterable[int], on: date) -> dict[int, tuple[Enrollment, HireStatus]]:
    """Statuses from the raw records, by user id. Hires are evaluated in groups of one path
    version each, so that what a hire's status is given never depends on who else is in the
    batch."""
    ids = sorted(set(user_ids))
    result: dict[int, tuple[Enrollment, HireStatus]] = {}
    if not ids:
        return result
    by_version: dict[int, list[Enrollment]] = {}
    for enrollment in _enrollments(ids):
        by_version.setdefault(enrollment.path_version_id, []).append(enrollment)
    for enrollments in by_version.values():
        statuses = load_statuses(enrollments, on)
        for enrollment in enrollments:
            result[enrollment.user_id] = (enrollment, statuses[enrollment.user_id])
    return result


def _values_differ(row: HireSummary, values: Mapping[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def refresh(user_ids: Iterable[int], on: date) -> int:
    """Rewrite the stored rows of `user_ids` from the raw records; rows of people no longer
    enrolled go. Returns how many rows changed."""
    ids = sorted(set(user_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        computed = compute(chunk, on)
        rows = {
            row.user_id: row
            for row in db.session.scalars(
                sa.select(HireSummary).where(HireSummary.user_id.in_(chunk))
            )
        }
        for user_id in chunk:
            row = rows.get(user_id)
            found = computed.get(user_id)
            if found is None:
                if row is not None:
                    db.session.delete(row)
                    changed += 1
                continue
            values = _json_roundtrip(_row_values(found[1], found[0]))
            if row is None:
                db.session.add(HireSummary(user_id=user_id, updated_at=utcnow(), **values))
                changed += 1
            elif _values_differ(row, values):
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_at = utcnow()
                changed += 1
    db.session.flush()
    return changed


def _json_roundtrip(values: dict) -> dict:
    """Values as the database gives them back (JSON columns hold lists, not tuples)."""
    import json

    for name in ("inputs", "summary"):
        values[name] = json.loads(json.dumps(values[name]))
    return values


def enrolled_user_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Enrollment.user_id)
            .where(Enrollment.ended_at.is_(None))
            .order_by(Enrollment.user_id)
        )
    )


@dataclass(frozen=True)
class RecomputeResult:
    hires: int
    changed: int


def recompute(on: date, *, batch: int = BATCH, commit: bool = True) -> RecomputeResult:
    """Rebuild every stored row from the raw records, `batch` hires per short transaction (a
    learner's write waits for one batch at most). Rows of people no longer enrolled go."""
    ids = enrolled_user_ids()
    stale = list(
        db.session.scalars(sa.select(HireSummary.user_id).where(HireSummary.user_id.not_in(ids)))
        if ids
        else db.session.scalars(sa.select(HireSummary.user_id))
    )
    changed = 0
    everyone = sorted(set(ids) | set(stale))
    for start in range(0, len(everyone), batch):
        changed += refresh(everyone[start : start + batch], on)
        if commit:
            db.session.commit()
    return RecomputeResult(hires=len(ids), changed=changed)


def refresh_day(on: date, *, batch: int = BATCH) -> int:
    """What time alone changes: re-evaluate, from their stored inputs, the rows computed on an
    earlier day (an item falls overdue at midnight, a phase's midpoint passes). Short batches,
    committed one by one; returns how many rows changed."""
    changed = 0
    while True:
        rows = list(
            db.session.scalars(
                sa.select(HireSummary)
                .where(HireSummary.as_of < on)
                .order_by(HireSummary.user_id)
                .limit(batch)
            )
        )
        if not rows:
            return changed
        paths = paths_by_version(row.path_version_id for row in rows)
        for row in rows:
            path = paths.get(row.path_version_id)
            if path is None:
                continue
            status = status_from_row(row, path, on)
            values = _json_roundtrip(_status_values(status))
            if _values_differ(row, values):
                changed += 1
                for name, value in values.items():
                    setattr(row, name, value)
            row.as_of = on
        db.session.commit()


# --- reading -------------------------------------------------------------------------------------


def paths_by_version(
    version_ids: Iterable[int], hashes: Mapping[int, str] | None = None
) -> dict[int, Path]:
    """Path objects by version id: one query for the ids and hashes (none when `hashes` gives
    them); a document is read and decoded only for versions not parsed before in this process
    (see `store.load`)."""
    from lms.content import store

    ids = sorted(set(version_ids))
    if not ids:
        return {}
    result: dict[int, Path] = {}
    missing: list[int] = []
    if hashes is not None and all(version_id in hashes for version_id in ids):
        known = [(version_id, hashes[version_id]) for version_id in ids]
    else:
        known = db.session.execute(
            sa.select(ContentVersion.id, ContentVersion.content_hash).where(
                ContentVersion.id.in_(ids)
            )
        ).all()
    for version_id, digest in known:
        cached = store.cached("path", version_id, digest)
        if cached is None:
            missing.append(version_id)
        else:
            result[version_id] = cached  # type: ignore[assignment]
    if missing:
        for version in db.session.scalars(
            sa.select(ContentVersion)
            .where(ContentVersion.id.in_(missing))
            .options(joinedload(ContentVersion.item))
        ):
            result[version.id] = store.load(version)  # type: ignore[assignment]
    return result


def status_from_row(
    row: HireSummary,
    path: Path,
    on: date,
    *,
    titles: Mapping[tuple[str, str], Text] | None = None,
    names: Mapping[str, Text] | None = None,
) -> HireStatus:
    """The engine's status of the stored row's hire on `on`, from the stored inputs."""
    progress, mastery = decoded_inputs(row.inputs)
    return evaluate(path, row.start_date, on, progress, mastery, titles=titles, skill_names=names)


def titles_for(path: Path) -> dict[tuple[str, str], Text]:
    return content_titles(
        (item.kind, item.ref or "")
        for phase in path.phases
        for item in phase.items
        if item.kind in CONTENT_KINDS
    )


@dataclass(frozen=True)
class CurrentPhase:
    """The phase a listed hire is in, with their mastery against its targets."""

    id: str
    title_text: str
    targets: list[TargetStatus]


@dataclass
class Standing:
    """What the team list shows of one hire, from their stored row (no activity read)."""

    start_date: date
    on: date
    length: int
    health: Health
    done_count: int
    total: int
    overdue_count: int
    below_count: int
    below_names: list[str]
    phase_title: str | None
    headline: Reason | None
    reason_count: int
    last_activity_at: datetime | None
    current: CurrentPhase | None = None
    path: Path | None = None

    @property
    def day(self) -> int:
        return day_number(self.start_date, self.on)

    @property
    def is_started(self) -> bool:
        return self.day >= 1

    @property
    def is_finished(self) -> bool:
        return self.day > self.length

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0


def _headline(
    raw: Mapping | None,
    path: Path,
    start: date,
    on: date,
    titles: Mapping[tuple[str, str], Text],
    names: Mapping[str, Text],
) -> Reason | None:
    """The stored headline reason, rebuilt with the engine's own pieces for its wording."""
    if not raw:
        return None
    item = target = None
    phases = {phase.id: phase for phase in path.phases}
    phase = phases.get(raw.get("phase") or "")
    if raw.get("item") and phase is not None:
        for candidate in phase.items:
            if candidate.id == raw["item"]:
                item = item_status(
                    candidate,
                    phase,
                    path.id,
                    start,
                    on,
                    decode_progress(raw["progress"]) if raw.get("progress") else ItemProgress(),
                    titles.get((candidate.kind, candidate.ref or ""))
                    if candidate.kind in CONTENT_KINDS
                    else None,
                )
    if raw.get("skill") and phase is not None:
        skill = raw["skill"]
        target = TargetStatus(
            skill_id=skill,
            name=names.get(skill) or Text({"en": skill}),
            target=float(phase.targets.get(skill, 0)),
            mastery=decode_mastery(raw["mastery"]) if raw.get("mastery") else NOT_ASSESSED,
        )
    return Reason(
        raw["code"],
        Health(raw["health"]),
        raw.get("phase"),
        item=item,
        target=target,
        count=raw.get("count") or 0,
    )


def standings(
    rows: Sequence[HireSummary],
    on: date,
    locale: str,
    hashes: Mapping[int, str] | None = None,
) -> dict[int, Standing]:
    """The team list's view of stored rows, by user id, in at most four queries whatever the
    number of rows (paths, inputs of rows of an earlier day, titles, skill names). Rows come
    without their `inputs` (deferred); a row of an earlier day is re-evaluated from its inputs in
    memory, so the list is right before the nightly refresh has run."""
    paths = paths_by_version((row.path_version_id for row in rows), hashes)
    stale = [row.user_id for row in rows if row.as_of != on]
    inputs: dict[int, dict] = {}
    if stale:
        inputs = dict(
            db.session.execute(
                sa.select(HireSummary.user_id, HireSummary.inputs).where(
                    HireSummary.user_id.in_(stale)
                )
            ).all()
        )
    current: list[tuple[HireSummary, dict, HireStatus | None]] = []
    refs: set[tuple[str, str]] = set()
    skills: set[str] = set()
    for row in rows:
        path = paths.get(row.path_version_id)
        if path is None:
            continue
        status = None
        if row.as_of != on:
            progress, mastery = decoded_inputs(inputs.get(row.user_id) or {})
            status = evaluate(path, row.start_date, on, progress, mastery)
        summary = summarize(status) if status is not None else row.summary
        current.append((row, summary, status))
        headline = summary.get("headline") or {}
        phase = next((p for p in path.phases if p.id == headline.get("phase")), None)
        if headline.get("item") and phase is not None:
            for item in phase.items:
                if item.id == headline["item"] and item.kind in CONTENT_KINDS:
                    refs.add((item.kind, item.ref or ""))
        skills.update(summary.get("below") or [])
        skills.update(raw[0] for raw in summary.get("targets") or [])
        if headline.get("skill"):
            skills.add(headline["skill"])
    titles = content_titles(refs) if refs else {}
    names = skill_names(skills) if skills else {}
    phase_titles: dict[tuple[int, str], str] = {}
    result: dict[int, Standing] = {}
    for row, summary, status in current:
        path = paths[row.path_version_id]
        phase_id = summary.get("phase")
        title_key = (row.path_version_id, phase_id or "")
        if phase_id and title_key not in phase_titles:
            phase = next((p for p in path.phases if p.id == phase_id), None)
            phase_titles[title_key] = (
                ((phase.title.get(locale) if phase.title else "") or phase.id) if phase else ""
            )
        below = summary.get("below") or []
        result[row.user_id] = Standing(
            start_date=row.start_date,
            on=on,
            length=summary.get("length") or 0,
            health=status.health if status is not None else Health(row.health),
            done_count=status.done_count if status is not None else row.done_count,
            total=status.total if status is not None else row.total,
            overdue_count=len(status.overdue) if status is not None else row.overdue_count,
            below_count=len(below),
            below_names=[(names[s].get(locale) if s in names else "") or s for s in below],
            phase_title=phase_titles.get(title_key) or None,
            headline=_headline(
                summary.get("headline"),
                path,
                row.start_date,
                on if status is not None else row.as_of,
                titles,
                names,
            ),
            reason_count=summary.get("reasons") or 0,
            current=CurrentPhase(
                phase_id,
                phase_titles.get(title_key) or phase_id,
                [
                    TargetStatus(
                        skill_id=skill,
                        name=names.get(skill) or Text({"en": skill}),
                        target=float(target),
                        mastery=decode_mastery(mastery),
                    )
                    for skill, target, mastery in summary.get("targets") or []
                ],
            )
            if phase_id
            else None,
            path=path,
            last_activity_at=status.last_activity_at
            if status is not None
            else row.last_activity_at,
        )
    return result


def summary_rows(user_ids: Iterable[int]) -> dict[int, HireSummary]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {
        row.user_id: row
        for row in db.session.scalars(sa.select(HireSummary).where(HireSummary.user_id.in_(ids)))
    }


# --- keeping rows current on writes --------------------------------------------------------------


def _changed_users(session: Session) -> Iterator[int]:
    watched = watched_models()
    for obj in chain(session.new, session.dirty, session.deleted):
        attribute = watched.get(type(obj))
        if attribute is not None:
            user_id = getattr(obj, attribute, None)
            if user_id is not None:
                yield user_id


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    found = set(_changed_users(session))
    if found:
        session.info.setdefault(_DIRTY, set()).update(found)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.info.get(_DIRTY) or not has_app_context():
        return
    if session is not db.session():
        return
    session.flush()
    dirty = session.info.pop(_DIRTY, set())
    if dirty:
        from lms import timeutil

        refresh(dirty, timeutil.today())
        session.info.pop(_DIRTY, None)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)


@on_content_published
def _content_published(kind: str, slug: str) -> None:
    """A new version of content on a path (a quiz's attempt limit, a course's items) can change
    the progress the engine is given: the hires whose path has it are refreshed before the
    commit, like after any other write that changes progress."""
    if kind not in CONTENT_KINDS or not has_app_context():
        return
    version_ids = list(db.session.scalars(sa.select(HireSummary.path_version_id).distinct()))
    hit = [
        version_id
        for version_id, path in paths_by_version(version_ids).items()
        if any(
            item.kind == kind and item.ref == slug for phase in path.phases for item in phase.items
        )
    ]
    if hit:
        mark_changed(
            db.session.scalars(
                sa.select(HireSummary.user_id).where(HireSummary.path_version_id.in_(hit))
            )
        )
