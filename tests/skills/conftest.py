"""Fixtures of the skills tests: a small framework published through the content store."""

from __future__ import annotations

import pytest

from lms.content.model import Framework, Skill, Text
from lms.content.store import publish

SKILL_IDS = ("goal-setting", "planning", "objection-handling")


def small_framework(skill_ids=SKILL_IDS) -> Framework:
    return Framework(
        "sales-execution",
        Text({"en": "Sales execution", "zh-CN": "销售执行力"}),
        tuple(
            Skill(
                skill_id,
                Text({"en": skill_id.replace("-", " ").capitalize(), "zh-CN": skill_id}),
                "foundations" if index < 2 else "conversations",
            )
            for index, skill_id in enumerate(skill_ids)
        ),
    )


@pytest.fixture
def framework(db):
    publish(small_framework(), actor=None)
    db.session.commit()
    return SKILL_IDS
