"""The skill framework as stored: one row per skill, kept in step with `courses/skills.yaml`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class Skill(db.Model):
    __tablename__ = "skills"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    framework: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    group: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[dict] = mapped_column(sa.JSON)  # locale -> plain text
    description_html: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # locale -> HTML
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
