"""Versioned content as stored: an item per (kind, content id) with immutable versions.

A version holds the canonical document of the content object (see `documents.to_document`), its
hash, and the Markdown fields rendered and sanitized once, with the renderer version used. The item
points at its current version; retired items stay, with all their versions, out of new work.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class ContentKind(enum.StrEnum):
    FRAMEWORK = "framework"
    COURSE = "course"
    LESSON = "lesson"
    QUIZ = "quiz"
    SCENARIO = "scenario"
    PATH = "path"


KIND_VALUES = tuple(kind.value for kind in ContentKind)


class ContentItem(db.Model):
    __tablename__ = "content_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    slug: Mapped[str] = mapped_column(sa.String(64))
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey(
            "content_versions.id",
            use_alter=True,
            name="fk_content_items_current_version_id_content_versions",
            ondelete="SET NULL",
        )
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    current_version: Mapped[ContentVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    __table_args__ = (
        sa.UniqueConstraint("kind", "slug"),
        sa.CheckConstraint(
            "kind IN ('framework', 'course', 'lesson', 'quiz', 'scenario', 'path')",
            name="known_kind",
        ),
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ContentVersion(db.Model):
    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    document: Mapped[dict] = mapped_column(sa.JSON)
    rendered: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # place -> locale -> HTML
    renderer_version: Mapped[int]
    origin: Mapped[str] = mapped_column(sa.String(16), default="import")  # import | editor
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # What lists show, copied from the document at publish so that no list decodes a document.
    title: Mapped[dict | None] = mapped_column(sa.JSON)  # locale -> text
    language: Mapped[str | None] = mapped_column(sa.String(16))
    course: Mapped[str | None] = mapped_column(sa.String(64))  # a lesson's course

    item: Mapped[ContentItem] = relationship(foreign_keys=[item_id])

    __table_args__ = (
        sa.UniqueConstraint("item_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    def html(self, place: str, locale: str, fallback: str | None = None) -> str:
        """The sanitized HTML of a Markdown field in `locale`, falling back as texts do."""
        by_locale = self.rendered.get(place) or {}
        if locale in by_locale:
            return by_locale[locale]
        language = fallback or self.document.get("language", "en")
        if language in by_locale:
            return by_locale[language]
        return next(iter(by_locale.values()), "")


class ContentSkillTag(db.Model):
    """Which skills the current version of an item works on (weights summed per skill); kept in
    step on every publish so that recommendations never read documents."""

    __tablename__ = "content_skill_tags"

    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[str] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0)
