"""A skill is named the same way on every page and in every export."""

from __future__ import annotations

import pytest

from lms.skills.models import Skill


@pytest.mark.parametrize(
    ("name", "language", "locale", "expected"),
    [
        ({"en": "Planning", "zh-CN": "计划"}, "en", "zh-CN", "计划"),
        ({"en": "Planning", "zh-CN": "计划"}, "en", "zh_CN", "计划"),
        ({"en": "Planning", "zh-CN": "计划"}, "en", "en", "Planning"),
        ({"zh-CN": "计划", "en": "Planning"}, "zh-CN", "fr", "计划"),
        ({"en": "Planning"}, "en", "zh-CN", "Planning"),
        ({}, "en", "en", "planning"),
        (None, "en", "zh-CN", "planning"),
    ],
)
def test_a_skill_is_named_in_the_readers_language_else_its_own(name, language, locale, expected):
    skill = Skill(id="planning", framework="sales", name=name, language=language)
    assert skill.title(locale) == expected
