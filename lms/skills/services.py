"""What a learner's skills look like and what to do next.

`skill_overview` gives every live skill of the framework with its mastery, target and gap (the
/skills page, a manager's view of a hire). `recommend_next` picks the live lessons not yet read,
quizzes not yet passed and drills not yet passed that are tagged with the skills most in need,
ordered by how much they would help (see docs/mastery.md, "What next"):

    need(skill)  = target - mastery                 when the skill has a target and is assessed
                 = target x NOT_ENOUGH_SHARE        when it has a target but too little evidence
                 = 100 - mastery (raw level)        when the learner has no target for it
                   (x UNTARGETED_SHARE if the learner has targets for other skills)
    help(item)   = sum over its skills of  weight(skill) / total weight(item) x need(skill)

Both read a bounded number of queries, whatever the amount of evidence.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms import progress
from lms.content.model import Text
from lms.content.models import ContentItem, ContentSkillTag, ContentVersion
from lms.extensions import db
from lms.skills.mastery import NOT_ASSESSED, MasteryState, Status, mastery_by_user
from lms.skills.models import Skill
from lms.skills.rounding import text as number_text
from lms.skills.rounding import threshold_text
from lms.skills.targets import GapStatus, gap_of, gap_status, scope_for, targets_for
from lms.timeutil import today

NOT_ENOUGH_SHARE = 0.5
UNTARGETED_SHARE = 0.1
RECOMMENDED_KINDS = ("lesson", "quiz", "scenario")


@dataclass(frozen=True)
class SkillRow:
    id: str
    name: Text
    language: str
    group: str | None
    state: MasteryState
    target: float | None
    gap: float | None
    gap_status: GapStatus
    in_scope: bool = True  # targeted by the learner's path (or the learner has no path)

    @property
    def is_hidden_by_default(self) -> bool:
        """A skill the learner's path does not target and that has no evidence."""
        return not self.in_scope and self.state.count == 0

    def title(self, locale: str) -> str:
        return self.name.get(locale, self.language)


def live_skills() -> list[Skill]:
    return list(
        db.session.scalars(
            sa.select(Skill).where(Skill.retired_at.is_(None)).order_by(Skill.position, Skill.id)
        )
    )


def skill_overview(
    user_id: int, on: date | None = None, *, skills: Sequence[Skill] | None = None
) -> list[SkillRow]:
    """Every live skill with the learner's mastery, target and gap, in framework order."""
    on = on or today()
    skills = live_skills() if skills is None else skills
    states = mastery_by_user([user_id])[user_id]
    targets = targets_for([user_id], on).get(user_id, {})
    scope = scope_for([user_id]).get(user_id)
    rows = []
    for skill in skills:
        state = states.get(skill.id, NOT_ASSESSED)
        target = targets.get(skill.id)
        rows.append(
            SkillRow(
                id=skill.id,
                name=Text(dict(skill.name or {})),
                language=skill.language,
                group=skill.group,
                state=state,
                target=target,
                gap=gap_of(target, state),
                gap_status=gap_status(target, state),
                in_scope=scope is None or skill.id in scope or target is not None,
            )
        )
    return rows


def shown_rows(rows: Sequence[SkillRow], *, show_all: bool = False) -> list[SkillRow]:
    """The rows a skills page lists: without the skills the learner's path does not target and
    that have no evidence ("not assessed"), unless `show_all`."""
    return [row for row in rows if show_all or not row.is_hidden_by_default]


# Names of the framework's groups (skills.yaml names groups by id only).
GROUP_LABELS = {
    "foundations": _l("Foundations"),
    "sales-process": _l("Sales process"),
    "follow-through": _l("Follow-through"),
    "mindset-and-teamwork": _l("Mindset and teamwork"),
    "leadership": _l("Leadership"),
}


def group_label(group: str | None) -> str:
    """The display name of a skill group: a known one translated, else the id made readable."""
    if group is None:
        return _("Other skills")
    label = GROUP_LABELS.get(group)
    return str(label) if label is not None else group.replace("-", " ").capitalize()


def grouped(rows: Sequence[SkillRow]) -> list[tuple[str | None, list[SkillRow]]]:
    """Rows by framework group, groups in the order they first appear."""
    groups: dict[str | None, list[SkillRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())


# --- recommendations ---------------------------------------------------------------------------


class Reason(enum.StrEnum):
    BELOW_TARGET = "below_target"
    NOT_ENOUGH = "not_enough_evidence"
    NOT_ASSESSED = "not_assessed"
    LOW_MASTERY = "low_mastery"


@dataclass(frozen=True)
class Need:
    skill: SkillRow
    amount: float
    reason: Reason


def needs_of(rows: Sequence[SkillRow]) -> list[Need]:
    """How much each skill needs work, largest first (skills at or above target left out)."""
    has_targets = any(row.target is not None for row in rows)
    needs = []
    for row in rows:
        state = row.state
        if row.target is not None:
            if row.gap is None:
                amount = row.target * NOT_ENOUGH_SHARE
                reason = Reason.NOT_ASSESSED if state.count == 0 else Reason.NOT_ENOUGH
            else:
                amount = row.gap
                reason = Reason.BELOW_TARGET
        else:
            level = state.level if state.level is not None else 0.0
            amount = 100.0 - level * 100.0
            if state.status is Status.NOT_ASSESSED:
                reason = Reason.NOT_ASSESSED
            elif state.status is Status.NOT_ENOUGH:
                reason = Reason.NOT_ENOUGH
            else:
                reason = Reason.LOW_MASTERY
            if has_targets:
                amount *= UNTARGETED_SHARE
        if amount > 0:
            needs.append(Need(row, amount, reason))
    needs.sort(key=lambda need: (-need.amount, need.skill.id))
    return needs


@dataclass(frozen=True)
class Recommendation:
    kind: str  # lesson | quiz | scenario
    slug: str
    title: Text
    language: str
    course: str | None  # the lesson's course
    skill: SkillRow  # the skill it helps most
    need: Need
    score: float  # how much it would help, in need points

    @property
    def url(self) -> str:
        return _url(self.kind, self.slug, self.course)

    def title_in(self, locale: str) -> str:
        return self.title.get(locale, self.language)

    def reason(self, locale: str) -> str:
        skill = self.skill.title(locale)
        state = self.skill.state
        if self.need.reason is Reason.BELOW_TARGET:
            return _(
                "%(skill)s is at %(mastery)s against a target of %(target)s.",
                skill=skill,
                mastery=number_text(state.value or 0, self.skill.target),
                target=threshold_text(self.skill.target or 0),
            )
        if self.need.reason is Reason.NOT_ENOUGH:
            return _("%(skill)s needs more evidence before its mastery shows.", skill=skill)
        if self.need.reason is Reason.NOT_ASSESSED:
            return _("%(skill)s has not been assessed yet.", skill=skill)
        return _(
            "%(skill)s is one of your lowest skills (%(mastery)s).",
            skill=skill,
            mastery=number_text(state.value or 0),
        )


def _url(kind: str, slug: str, course: str | None) -> str:
    from flask import url_for

    if kind == "quiz":
        return url_for("quizzes.intro", quiz_id=slug)
    root = url_for("core.index").rstrip("/")
    if kind == "lesson":
        return f"{root}/courses/{course}/lessons/{slug}"
    return f"{root}/scenarios/{slug}"


def _tagged_items(skill_ids: Sequence[str]) -> list[tuple]:
    statement = (
        sa.select(
            ContentItem.kind,
            ContentItem.slug,
            ContentSkillTag.skill_id,
            ContentSkillTag.weight,
            ContentVersion.title,
            ContentVersion.course,
            ContentVersion.language,
        )
        .join(ContentSkillTag, ContentSkillTag.item_id == ContentItem.id)
        .join(ContentVersion, ContentVersion.id == ContentItem.current_version_id)
        .where(
            ContentItem.kind.in_(RECOMMENDED_KINDS),
            ContentItem.retired_at.is_(None),
            ContentSkillTag.skill_id.in_(list(skill_ids)),
        )
    )
    return list(db.session.execute(statement))


def _total_weights(item_keys: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    if not item_keys:
        return {}
    slugs = sorted({slug for _, slug in item_keys})
    rows = db.session.execute(
        sa.select(ContentItem.kind, ContentItem.slug, sa.func.sum(ContentSkillTag.weight))
        .join(ContentSkillTag, ContentSkillTag.item_id == ContentItem.id)
        .where(ContentItem.kind.in_(RECOMMENDED_KINDS), ContentItem.slug.in_(slugs))
        .group_by(ContentItem.kind, ContentItem.slug)
    )
    return {(kind, slug): float(total) for kind, slug, total in rows}


def _done(user_id: int, items: set[tuple[str, str]]) -> set[tuple[str, str]]:
    wanted = {(kind, slug) for kind, slug in items if kind in RECOMMENDED_KINDS}
    return {
        (kind, slug)
        for kind, states in progress.progress_by_kind([user_id], wanted).items()
        for (_user, slug), state in states.items()
        if state.done
    }


def recommend_next(
    user_id: int,
    limit: int = 5,
    *,
    on: date | None = None,
    rows: Sequence[SkillRow] | None = None,
    show_all: bool = False,
) -> list[Recommendation]:
    """Next steps for the learner: unread lessons, quizzes and drills not yet passed, tagged with
    the skills that need work most, best first; each says which skill it helps and why. Only
    the skills the learner's path targets count, unless `show_all` (or the learner has no
    path)."""
    rows = skill_overview(user_id, on) if rows is None else rows
    considered = [row for row in rows if show_all or row.in_scope]
    needs = {need.skill.id: need for need in needs_of(considered)}
    if not needs or limit <= 0:
        return []
    tagged = _tagged_items(list(needs))
    items = {(kind, slug) for kind, slug, *_ in tagged}
    totals = _total_weights(items)
    done = _done(user_id, items)
    scores: dict[tuple[str, str], float] = {}
    best: dict[tuple[str, str], tuple[float, Need]] = {}
    meta: dict[tuple[str, str], tuple] = {}
    for kind, slug, skill_id, weight, title, course, language in tagged:
        key = (kind, slug)
        if key in done:
            continue
        need = needs[skill_id]
        share = float(weight) / (totals.get(key) or float(weight) or 1.0)
        gain = share * need.amount
        scores[key] = scores.get(key, 0.0) + gain
        if key not in best or gain > best[key][0]:
            best[key] = (gain, need)
        meta[key] = (title, course, language)
    ranked = sorted(scores, key=lambda key: (-scores[key], RECOMMENDED_KINDS.index(key[0]), key))
    result = []
    for key in ranked:
        kind, slug = key
        title, course, language = meta[key]
        if kind == "lesson" and not course:
            continue
        need = best[key][1]
        result.append(
            Recommendation(
                kind=kind,
                slug=slug,
                title=Text.of(title or slug, language or "en"),
                language=language or "en",
                course=course,
                skill=need.skill,
                need=need,
                score=scores[key],
            )
        )
        if len(result) >= limit:
            break
    return result
