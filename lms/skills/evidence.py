"""The evidence log: the one function every scored activity calls.

    record_evidence(learner_id, {"objection-handling": 0.75, "needs-discovery": 1.0},
                    source_kind="scenario", source_id="price-too-high",
                    source_version_id=version.id, source_ref=f"run:{run.id}")

appends one row per skill and updates the learner's mastery of those skills in the same
transaction (the caller commits). Values are the merged result of one activity for one skill, in
[0, 1]. Unknown or retired skills, values outside [0, 1] and unknown source kinds are refused with
ValueError before anything is written.

Concurrency: the mastery rows of the learner's skills are created if missing (an insert that
ignores conflicts) and then locked (``SELECT ... FOR UPDATE``; on SQLite the write transaction
already holds the database lock) *before* the evidence rows are inserted, so evidence ids follow
the order in which writers got the lock and two concurrent writers both count, one after the other.

Time order: mastery folds values in order of (`at`, id). New evidence whose `at` is not older than
the newest value already folded is one O(1) step. Evidence dated earlier (back-dated history, a
late review) makes the function rebuild that learner's mastery of that skill from the log, so the
stored value always equals what ``lms recompute-mastery`` computes.

`source_ref` names what produced the values (``attempt:12``); with it, recording the same
producer twice for a skill is a no-op that returns the rows already stored.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db
from lms.skills.mastery import apply_in_order, is_in_order, mastery_weight, rebuild_from_log
from lms.skills.models import Evidence, Mastery, Skill
from lms.timeutil import utcnow

SOURCE_KINDS = frozenset({"quiz", "scenario", "review", "signoff"})
MAX_ID_LENGTH = 64


def _validate(
    values: Mapping[str, float], source_kind: str, source_id: str, source_ref: str | None
) -> dict[str, float]:
    if source_kind not in SOURCE_KINDS:
        raise ValueError(
            f"unknown evidence source kind {source_kind!r}; expected one of "
            + ", ".join(sorted(SOURCE_KINDS))
        )
    if not isinstance(source_id, str) or not source_id or len(source_id) > MAX_ID_LENGTH:
        raise ValueError(f"source_id must be a text of 1..{MAX_ID_LENGTH} characters")
    if source_ref is not None and (
        not isinstance(source_ref, str) or not source_ref or len(source_ref) > MAX_ID_LENGTH
    ):
        raise ValueError(f"source_ref must be a text of 1..{MAX_ID_LENGTH} characters")
    checked: dict[str, float] = {}
    for skill_id, value in values.items():
        if not isinstance(skill_id, str):
            raise ValueError(f"skill id {skill_id!r} is not a text")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{skill_id}: evidence value {value!r} is not a number")
        number = float(value)
        if math.isnan(number) or not 0.0 <= number <= 1.0:
            raise ValueError(f"{skill_id}: evidence value {value!r} is not between 0 and 1")
        checked[skill_id] = number
    return checked


def _naive_utc(at: datetime | None) -> datetime:
    if at is None:
        return utcnow()
    if not isinstance(at, datetime):
        raise ValueError(f"at must be a datetime, not {type(at).__name__}")
    if at.tzinfo is not None:
        return at.astimezone(UTC).replace(tzinfo=None)
    return at


def _check_skills(skill_ids: list[str]) -> None:
    found = dict(
        db.session.execute(
            sa.select(Skill.id, Skill.retired_at).where(Skill.id.in_(skill_ids))
        ).all()
    )
    unknown = [skill for skill in skill_ids if skill not in found]
    if unknown:
        raise ValueError("unknown skills: " + ", ".join(unknown))
    retired = [skill for skill in skill_ids if found[skill] is not None]
    if retired:
        raise ValueError("retired skills: " + ", ".join(retired))


def _insert_missing_mastery(learner_id: int, skill_ids: list[str]) -> None:
    rows = [{"user_id": learner_id, "skill_id": skill, "count": 0} for skill in skill_ids]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(Mastery).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Mastery).on_conflict_do_nothing()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    db.session.execute(statement.values(rows))


def _lock_mastery(learner_id: int, skill_ids: list[str]) -> dict[str, Mastery]:
    _insert_missing_mastery(learner_id, skill_ids)
    rows = db.session.scalars(
        sa.select(Mastery)
        .where(Mastery.user_id == learner_id, Mastery.skill_id.in_(skill_ids))
        .order_by(Mastery.skill_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.skill_id: row for row in rows}


def _already_recorded(
    learner_id: int, skill_ids: list[str], source_kind: str, source_ref: str
) -> dict[str, Evidence]:
    rows = db.session.scalars(
        sa.select(Evidence).where(
            Evidence.user_id == learner_id,
            Evidence.skill_id.in_(skill_ids),
            Evidence.source_kind == source_kind,
            Evidence.source_ref == source_ref,
        )
    ).all()
    return {row.skill_id: row for row in rows}


def record_evidence(
    learner_id: int,
    values: Mapping[str, float],
    *,
    source_kind: str,
    source_id: str,
    source_version_id: int | None = None,
    at: datetime | None = None,
    source_ref: str | None = None,
) -> list[Evidence]:
    """Append one evidence row per skill of `values` and update the learner's mastery of those
    skills; return the rows (in skill order). Flushes, never commits."""
    checked = _validate(values, source_kind, source_id, source_ref)
    if not checked:
        return []
    when = _naive_utc(at)
    skill_ids = sorted(checked)
    _check_skills(skill_ids)
    locked = _lock_mastery(learner_id, skill_ids)
    earlier = (
        _already_recorded(learner_id, skill_ids, source_kind, source_ref) if source_ref else {}
    )
    weight = mastery_weight()
    recorded: list[Evidence] = []
    fresh: list[Evidence] = []
    for skill_id in skill_ids:
        if skill_id in earlier:
            recorded.append(earlier[skill_id])
            continue
        evidence = Evidence(
            user_id=learner_id,
            skill_id=skill_id,
            value=checked[skill_id],
            source_kind=source_kind,
            source_id=source_id,
            source_version_id=source_version_id,
            source_ref=source_ref,
            at=when,
        )
        db.session.add(evidence)
        recorded.append(evidence)
        fresh.append(evidence)
    if not fresh:
        return recorded
    db.session.flush()
    for evidence in fresh:
        row = locked[evidence.skill_id]
        if is_in_order(row, evidence.at):
            apply_in_order(row, evidence, weight)
        else:
            rebuild_from_log(row, weight)
    db.session.flush()
    return recorded
