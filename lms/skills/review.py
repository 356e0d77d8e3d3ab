"""What a failed quiz attempt or drill run points to: the lessons and drills tagged with the
skills it found weakest (the two lowest below full marks), in one query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from lms.content.model import Text
from lms.content.models import ContentItem, ContentSkillTag, ContentVersion
from lms.extensions import db

WEAKEST_SKILLS = 2
REVIEW_LINKS = 6


@dataclass(frozen=True)
class ReviewLink:
    kind: str  # lesson | scenario
    slug: str
    course: str | None
    title: Text
    language: str
    skill: str

    def title_in(self, locale: str) -> str:
        return self.title.get(locale, self.language)


def weakest_skills(evidence: Mapping[str, float], limit: int = WEAKEST_SKILLS) -> list[str]:
    """The skills an attempt found weakest: below full marks, lowest first; equal values keep
    the order given (a drill's own skills first)."""
    weak = sorted(
        ((value, skill) for skill, value in evidence.items() if value < 1.0),
        key=lambda pair: pair[0],
    )
    return [skill for _value, skill in weak[:limit]]


def review_links(skills: Sequence[str], limit: int = REVIEW_LINKS) -> list[ReviewLink]:
    """Live lessons and drills tagged with `skills`, the first skill's first, in one query."""
    if not skills:
        return []
    rows = db.session.execute(
        sa.select(
            ContentItem.kind,
            ContentItem.slug,
            ContentSkillTag.skill_id,
            ContentVersion.document["title"],
            ContentVersion.document["course"],
            ContentVersion.document["language"],
        )
        .join(ContentSkillTag, ContentSkillTag.item_id == ContentItem.id)
        .join(ContentVersion, ContentVersion.id == ContentItem.current_version_id)
        .where(
            ContentItem.kind.in_(("lesson", "scenario")),
            ContentItem.retired_at.is_(None),
            ContentSkillTag.skill_id.in_(list(skills)),
        )
    )
    order = {skill: index for index, skill in enumerate(skills)}
    found: dict[tuple[str, str], ReviewLink] = {}
    for kind, slug, skill, title, course, language in sorted(
        rows, key=lambda row: (order.get(row[2], 99), row[0], row[1])
    ):
        if (kind, slug) in found or (kind == "lesson" and not course):
            continue
        found[(kind, slug)] = ReviewLink(
            kind, slug, course, Text.of(title or slug, language or "en"), language or "en", skill
        )
    return list(found.values())[:limit]
