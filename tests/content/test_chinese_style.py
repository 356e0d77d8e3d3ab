"""The shipped quizzes and drills follow the glossary's fixed choices for Chinese: “……” is the only
quote style, and a rep speaks to a customer as 您."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lms.content import load_tree
from lms.content.model import Text

ROOT = Path(__file__).resolve().parents[2]

# Drills in which the learner talks to a colleague or to their own team, where 你 is right.
INTERNAL_DRILLS = {
    "activity-dropped-one-on-one",
    "everything-is-urgent",
    "urgent-request-wrecks-plan",
    "standup-drifts",
    "incentive-conversation",
    "top-seller-games-the-rules",
    "probation-review",
}


@pytest.fixture(scope="module")
def tree():
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok
    return result.tree


def texts(obj, place: str = "") -> Iterator[tuple[str, Text]]:
    if isinstance(obj, Text):
        yield place, obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from texts(getattr(obj, f.name), f"{place}.{f.name}")
    elif isinstance(obj, tuple | list):
        for index, item in enumerate(obj):
            yield from texts(item, f"{place}[{index}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from texts(item, f"{place}.{key}")


def test_chinese_quiz_and_drill_texts_use_chinese_quotes(tree):
    found = [
        f"{kind}/{object_id}{place}"
        for kind in ("quizzes", "scenarios")
        for object_id, obj in getattr(tree, kind).items()
        for place, text in texts(obj)
        if '"' in text.values.get("zh-CN", "")
    ]
    assert found == []


def test_english_texts_use_straight_quotes(tree):
    found = [
        f"{kind}/{object_id}{place}"
        for kind in ("quizzes", "scenarios", "lessons")
        for object_id, obj in getattr(tree, kind).items()
        for place, text in texts(obj)
        if re.search("[“”]", text.values.get("en", ""))
    ]
    assert found == []


def test_reps_address_customers_as_nin(tree):
    singular_ni = re.compile(r"你(?!们)")
    found = [
        f"{scenario.id}.{node.id}[{index}]"
        for scenario in tree.scenarios.values()
        if scenario.id not in INTERNAL_DRILLS
        for node in scenario.nodes.values()
        for index, choice in enumerate(node.choices)
        if singular_ni.search(choice.text.get("zh-CN"))
    ]
    assert found == []
    assert {"price-too-high", "first-discovery-call"} <= set(tree.scenarios)
