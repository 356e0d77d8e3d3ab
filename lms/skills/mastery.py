"""Mastery: the decaying average of a learner's evidence per skill (see docs/mastery.md).

In time order (evidence time, then id), ``m1 = e1`` and ``mk = (1 - w) * m(k-1) + w * ek``, with
``w`` the setting MASTERY_WEIGHT. The stored level is in [0, 1]; pages show it on a 0..100 scale,
and only once a skill has MASTERY_MIN_EVIDENCE values: below that it is "not enough evidence",
and with none at all "not assessed", neither of which is 0.

The ``mastery`` table is updated by :func:`lms.skills.evidence.record_evidence` in the transaction
that appends to the log; :func:`recompute_all` rebuilds it from the log with the same arithmetic,
so both give the same floats.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db
from lms.progress import changes_progress, mark_changed
from lms.skills.models import Evidence, Mastery
from lms.skills.rounding import difference

TREND_FLAT_POINTS = 2.0


def mastery_weight() -> float:
    return float(current_app.config["MASTERY_WEIGHT"])


def min_evidence() -> int:
    return int(current_app.config["MASTERY_MIN_EVIDENCE"])


def decay(previous: float | None, value: float, weight: float) -> float:
    """One step of the decaying average: the first value as is, then ``(1 - w) m + w e``."""
    if previous is None:
        return float(value)
    level = (1.0 - weight) * previous + weight * value
    return min(1.0, max(0.0, level))


def decaying_average(values: Iterable[float], weight: float) -> float | None:
    """The decaying average of `values` in the given (time) order; None for no values."""
    level = None
    for value in values:
        level = decay(level, value, weight)
    return level


class Status(enum.StrEnum):
    NOT_ASSESSED = "not_assessed"
    NOT_ENOUGH = "not_enough_evidence"
    ASSESSED = "assessed"


@dataclass(frozen=True)
class MasteryState:
    """What a page shows of one learner's skill. `value` is 0..100, or None below the minimum
    number of evidence values; `trend` is the change in points caused by the newest value,
    between the numbers shown (lms.skills.rounding)."""

    value: float | None
    count: int
    trend: float | None
    last_at: datetime | None
    level: float | None = None  # the raw decaying average in [0, 1], whatever the count

    @property
    def status(self) -> Status:
        if self.count == 0:
            return Status.NOT_ASSESSED
        if self.value is None:
            return Status.NOT_ENOUGH
        return Status.ASSESSED

    @property
    def is_shown(self) -> bool:
        return self.value is not None

    @property
    def direction(self) -> str | None:
        """``up``, ``down`` or ``flat`` (within TREND_FLAT_POINTS), None without a trend."""
        if self.trend is None:
            return None
        if self.trend > TREND_FLAT_POINTS:
            return "up"
        if self.trend < -TREND_FLAT_POINTS:
            return "down"
        return "flat"


NOT_ASSESSED = MasteryState(value=None, count=0, trend=None, last_at=None)


def state_from(
    level: float | None,
    previous_level: float | None,
    count: int,
    last_at: datetime | None,
    minimum: int,
) -> MasteryState:
    if count == 0 or level is None:
        return NOT_ASSESSED
    shown = count >= max(minimum, 1)
    trend = None
    if shown and previous_level is not None:
        # the change between the numbers shown before and after the newest value
        trend = difference(level * 100.0, previous_level * 100.0)
    return MasteryState(
        value=level * 100.0 if shown else None,
        count=count,
        trend=trend,
        last_at=last_at,
        level=level,
    )


def mastery_by_user(
    user_ids: Iterable[int], skill_ids: Iterable[str] | None = None
) -> dict[int, dict[str, MasteryState]]:
    """Mastery of many learners in one query: ``{user_id: {skill_id: MasteryState}}``.

    Every user asked for has an entry. Without `skill_ids` only skills with evidence appear
    (use ``.get(skill, NOT_ASSESSED)``); with them, every listed skill appears."""
    users = sorted(set(user_ids))
    result: dict[int, dict[str, MasteryState]] = {user: {} for user in users}
    if not users:
        return result
    wanted = None if skill_ids is None else sorted(set(skill_ids))
    minimum = min_evidence()
    statement = sa.select(
        Mastery.user_id,
        Mastery.skill_id,
        Mastery.level,
        Mastery.previous_level,
        Mastery.count,
        Mastery.last_at,
    ).where(Mastery.user_id.in_(users), Mastery.count > 0)
    if wanted is not None:
        if not wanted:
            return result
        statement = statement.where(Mastery.skill_id.in_(wanted))
    for user_id, skill_id, level, previous, count, last_at in db.session.execute(statement):
        result[user_id][skill_id] = state_from(level, previous, count, last_at, minimum)
    if wanted is not None:
        for states in result.values():
            for skill in wanted:
                states.setdefault(skill, NOT_ASSESSED)
    return result


def mastery_of(user_id: int, skill_ids: Iterable[str] | None = None) -> dict[str, MasteryState]:
    """One learner's mastery by skill (see :func:`mastery_by_user`)."""
    return mastery_by_user([user_id], skill_ids)[user_id]


# --- applying evidence -------------------------------------------------------------------------


@dataclass
class _Fold:
    level: float | None = None
    previous_level: float | None = None
    last_value: float | None = None
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    last_evidence_id: int | None = None

    def add(self, evidence_id: int, value: float, at: datetime, weight: float) -> None:
        self.previous_level = self.level
        self.level = decay(self.level, value, weight)
        self.last_value = value
        self.count += 1
        if self.first_at is None:
            self.first_at = at
        self.last_at = at
        self.last_evidence_id = evidence_id

    @classmethod
    def of(cls, row: Mastery) -> _Fold:
        return cls(
            row.level,
            row.previous_level,
            row.last_value,
            row.count,
            row.first_at,
            row.last_at,
            row.last_evidence_id,
        )

    def store(self, row: Mastery) -> None:
        row.level = self.level
        row.previous_level = self.previous_level
        row.last_value = self.last_value
        row.count = self.count
        row.first_at = self.first_at
        row.last_at = self.last_at
        row.last_evidence_id = self.last_evidence_id

    def as_values(self) -> dict:
        return {
            "level": self.level,
            "previous_level": self.previous_level,
            "last_value": self.last_value,
            "count": self.count,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "last_evidence_id": self.last_evidence_id,
        }


def is_in_order(row: Mastery, at: datetime) -> bool:
    """True when evidence at `at` (with an id larger than any before it) comes last in time
    order, so that one step of the average is enough."""
    return row.last_at is None or at >= row.last_at


def apply_in_order(row: Mastery, evidence: Evidence, weight: float) -> None:
    """Fold one new evidence value into a locked mastery row (it comes last in time order)."""
    fold = _Fold.of(row)
    fold.add(evidence.id, evidence.value, evidence.at, weight)
    fold.store(row)


def rebuild_from_log(row: Mastery, weight: float) -> None:
    """Recompute a locked mastery row from every evidence value of its learner and skill."""
    fold = _Fold()
    for evidence_id, value, at in db.session.execute(
        sa.select(Evidence.id, Evidence.value, Evidence.at)
        .where(Evidence.user_id == row.user_id, Evidence.skill_id == row.skill_id)
        .order_by(Evidence.at, Evidence.id)
    ):
        fold.add(evidence_id, value, at, weight)
    fold.store(row)


changes_progress(Mastery)


# --- recompute ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeResult:
    pairs: int
    changed: int
    removed: int


_COLUMNS = (
    Mastery.level,
    Mastery.previous_level,
    Mastery.last_value,
    Mastery.count,
    Mastery.first_at,
    Mastery.last_at,
    Mastery.last_evidence_id,
)


def _learner_ids() -> list[int]:
    """Everyone with evidence or a mastery row (index scans, no evidence row read whole)."""
    ids = set(db.session.scalars(sa.select(Evidence.user_id).distinct()))
    ids.update(db.session.scalars(sa.select(Mastery.user_id).distinct()))
    return sorted(ids)


def recompute_all(
    *, weight: float | None = None, batch: int = 200, commit: bool = True
) -> RecomputeResult:
    """Rebuild every mastery row from the evidence log; rows that differ are rewritten, rows
    without evidence go.

    Learners are done `batch` at a time, each batch in a short transaction of its own (committed
    when `commit`): the batch's mastery rows are created where missing and locked first, as
    `record_evidence` does, so a quiz submit or drill finish of a learner in the batch waits for
    that batch only and counts after it; other learners are never blocked. The evidence log is
    streamed batch by batch, never held in memory."""
    weight = mastery_weight() if weight is None else weight
    pairs = changed = removed = 0
    ids = _learner_ids()
    for start in range(0, len(ids), batch):
        found = _recompute_learners(ids[start : start + batch], weight)
        pairs += found.pairs
        changed += found.changed
        removed += found.removed
        if commit:
            db.session.commit()
    db.session.flush()
    return RecomputeResult(pairs=pairs, changed=changed, removed=removed)


def _lock_learners(learner_ids: Sequence[int]) -> dict[tuple[int, str], tuple]:
    """Create the missing mastery rows of the learners' evidenced skills, then lock every
    mastery row of theirs; their stored values by (user, skill)."""
    from sqlalchemy.dialects import postgresql, sqlite

    pairs = db.session.execute(
        sa.select(Evidence.user_id, Evidence.skill_id)
        .where(Evidence.user_id.in_(learner_ids))
        .distinct()
    ).all()
    if pairs:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [{"user_id": user_id, "skill_id": skill, "count": 0} for user_id, skill in pairs]
        for start in range(0, len(rows), 500):
            db.session.execute(
                insert(Mastery).on_conflict_do_nothing().values(rows[start : start + 500])
            )
    statement = sa.select(Mastery.user_id, Mastery.skill_id, *_COLUMNS).where(
        Mastery.user_id.in_(learner_ids)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return {(row[0], row[1]): tuple(row[2:]) for row in db.session.execute(statement)}


def _recompute_learners(learner_ids: Sequence[int], weight: float) -> RecomputeResult:
    existing = _lock_learners(learner_ids)
    locked = set(existing)
    pairs = changed = 0
    updates: list[dict] = []
    touched: set[int] = set()
    statement = (
        sa.select(Evidence.user_id, Evidence.skill_id, Evidence.id, Evidence.value, Evidence.at)
        .where(Evidence.user_id.in_(learner_ids))
        .order_by(Evidence.user_id, Evidence.skill_id, Evidence.at, Evidence.id)
    )
    for key, fold in _folds(statement, weight):
        if key not in locked:
            continue  # a skill first evidenced after the lock: its writer keeps it current
        pairs += 1
        values = fold.as_values()
        if existing.pop(key) == tuple(values.values()):
            continue
        changed += 1
        touched.add(key[0])
        updates.append({"user_id": key[0], "skill_id": key[1], **values})
        if len(updates) >= 1000:
            db.session.execute(sa.update(Mastery), updates)
            updates.clear()
    if updates:
        db.session.execute(sa.update(Mastery), updates)
    removed = _remove(list(existing))
    touched.update(user_id for user_id, _ in existing)
    if touched:
        mark_changed(touched)
    return RecomputeResult(pairs=pairs, changed=changed, removed=removed)


def _folds(statement: sa.Select, weight: float) -> Iterator[tuple[tuple[int, str], _Fold]]:
    key: tuple[int, str] | None = None
    fold = _Fold()
    for user_id, skill_id, evidence_id, value, at in db.session.execute(
        statement.execution_options(yield_per=5000)
    ):
        if (user_id, skill_id) != key:
            if key is not None:
                yield key, fold
            key, fold = (user_id, skill_id), _Fold()
        fold.add(evidence_id, value, at, weight)
    if key is not None:
        yield key, fold


def _remove(keys: Sequence[tuple[int, str]]) -> int:
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        db.session.execute(
            sa.delete(Mastery).where(sa.tuple_(Mastery.user_id, Mastery.skill_id).in_(chunk))
        )
    return len(keys)
