"""Mastery targets and gaps.

Targets come from elsewhere (the phase of a learner's onboarding path sets them), so this module
is an extension point: a feature registers a source

    @register_target_source
    def phase_targets(user_ids, on): -> {user_id: {skill_id: target (0..100)}}

and every page asks :func:`targets_for`. With no source registered, or for a learner the sources
know nothing about, there are no targets: the learner sees mastery without targets or gaps.

Gap = target - mastery as shown (in points; see lms.skills.rounding). A skill below the minimum
number of evidence values has no gap ("not enough evidence"), never a gap of the full target.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from lms.skills.mastery import MasteryState
from lms.skills.rounding import shown

TargetSource = Callable[[Sequence[int], date], Mapping[int, Mapping[str, float]]]
_SOURCES: list[TargetSource] = []


def register_target_source(source: TargetSource) -> TargetSource:
    """Add a source of targets (idempotent; usable as a decorator)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def unregister_target_source(source: TargetSource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def target_sources() -> tuple[TargetSource, ...]:
    return tuple(_SOURCES)


def targets_for(user_ids: Iterable[int], on: date) -> dict[int, dict[str, float]]:
    """Targets of many learners on a day: ``{user_id: {skill_id: target}}``; users without any
    are left out. Later sources override earlier ones skill by skill."""
    users = sorted(set(user_ids))
    merged: dict[int, dict[str, float]] = {}
    if not users:
        return merged
    for source in _SOURCES:
        for user_id, targets in (source(users, on) or {}).items():
            if user_id not in users or not targets:
                continue
            into = merged.setdefault(user_id, {})
            for skill_id, target in targets.items():
                into[skill_id] = float(target)
    return merged


# --- the skills a learner's path is about ------------------------------------------------------

ScopeSource = Callable[[Sequence[int]], Mapping[int, Iterable[str]]]
_SCOPES: list[ScopeSource] = []


def register_scope_source(source: ScopeSource) -> ScopeSource:
    """Add a source of the skills each learner is trained for (the skills any phase of their
    onboarding path targets); idempotent, usable as a decorator."""
    if source not in _SCOPES:
        _SCOPES.append(source)
    return source


def scope_for(user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The skills each learner's path targets, by user id; learners no source knows about are
    left out (their pages show every skill)."""
    users = sorted(set(user_ids))
    merged: dict[int, set[str]] = {}
    for source in _SCOPES:
        for user_id, skills in (source(users) or {}).items():
            if user_id in users:
                merged.setdefault(user_id, set()).update(skills)
    return {user_id: frozenset(skills) for user_id, skills in merged.items() if skills}


class GapStatus(enum.StrEnum):
    NO_TARGET = "no_target"
    NOT_ENOUGH = "not_enough_evidence"
    MET = "met"
    BELOW = "below"


def gap_of(target: float | None, state: MasteryState) -> float | None:
    """target - mastery as shown (lms.skills.rounding), in points, or None without a target or
    without enough evidence."""
    if target is None or state.value is None:
        return None
    return float(target) - shown(state.value, target)


def gap_status(target: float | None, state: MasteryState) -> GapStatus:
    if target is None:
        return GapStatus.NO_TARGET
    gap = gap_of(target, state)
    if gap is None:
        return GapStatus.NOT_ENOUGH
    return GapStatus.BELOW if gap > 0 else GapStatus.MET
