"""Template contexts of the player (a run, live or finished) and of the review of a reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.extensions import db
from lms.scenarios import services
from lms.scenarios.conversation import (
    Answered,
    best_path_entries,
    build_conversation,
    taken_path_entries,
)
from lms.scenarios.kinds import REPLY_MAX_CHARS, REPLY_MIN_CHARS
from lms.scenarios.listing import SkillRef, skill_names
from lms.scenarios.models import OpenReply, ScenarioRun, ScenarioStep
from lms.scenarios.scoring import Maxima


@dataclass(frozen=True)
class SkillResult:
    skill: SkillRef
    points: float
    maximum: float
    evidence: float | None  # 0..1, None when the skill has nothing to earn in this drill


def answers_of(steps: list[ScenarioStep], replies: dict[int, OpenReply]) -> list[Answered]:
    return [
        Answered(
            step.node_id, step.choice_index, step.reply, step.points or {}, replies.get(step.id)
        )
        for step in steps
    ]


def skill_results(
    maxima: Maxima, points: dict[str, float], skills: list[str], names: dict[str, str]
) -> list[SkillResult]:
    results = []
    for skill in skills:
        maximum = maxima.per_skill.get(skill, 0.0)
        value = float(points.get(skill, 0.0))
        evidence = min(1.0, max(0.0, value / maximum)) if maximum > 0 else None
        results.append(
            SkillResult(SkillRef(skill, names.get(skill, skill)), value, maximum, evidence)
        )
    return results


def player_context(run: ScenarioRun, *, viewer: Any, locale: str) -> dict[str, Any]:
    version = run.version
    scenario = services.scenario_of(version)
    steps = list(
        db.session.scalars(
            sa.select(ScenarioStep)
            .where(ScenarioStep.run_id == run.id)
            .order_by(ScenarioStep.position)
        )
    )
    replies = {
        reply.step_id: reply
        for reply in db.session.scalars(
            sa.select(OpenReply)
            .where(OpenReply.run_id == run.id)
            .options(sa.orm.joinedload(OpenReply.reviewer))
        )
    }
    answers = answers_of(steps, replies)
    conversation = build_conversation(
        scenario, answers, lambda place: version.html(place, locale), locale
    )
    is_owner = viewer.id == run.user_id
    names = skill_names(locale)
    context: dict[str, Any] = {
        "run": run,
        "slug": run.item.slug,
        "scenario": scenario,
        "title": scenario.title.get(locale, scenario.language),
        "conversation": conversation,
        "is_owner": is_owner,
        "can_answer": is_owner and run.is_open and not conversation.is_over,
        "draft": run.draft_text if run.draft_node == conversation.node_id else "",
        "reply_min": REPLY_MIN_CHARS,
        "reply_max": REPLY_MAX_CHARS,
        "pending_reviews": sum(1 for reply in replies.values() if not reply.is_reviewed),
        "replies": list(replies.values()),
        "skill_names": names,
    }
    if run.is_finished:
        maxima = services.maxima_for(version)
        written = _("A written reply")
        taken = taken_path_entries(scenario, answers, conversation.current.id, locale, written)
        best = best_path_entries(scenario, maxima, locale, written)
        context.update(
            maxima=maxima,
            skill_results=skill_results(
                maxima, run.points or {}, _skills_with_maxima(scenario.skills, maxima), names
            ),
            taken_path=taken,
            best_path=best,
            shared_path={(e.node_id, e.text) for e in taken} & {(e.node_id, e.text) for e in best},
        )
    return context


def _skills_with_maxima(skills: tuple[str, ...], maxima: Maxima) -> list[str]:
    ordered = list(skills)
    for skill in maxima.per_skill:
        if skill not in ordered:
            ordered.append(skill)
    return ordered


def review_context(reply: OpenReply, *, locale: str) -> dict[str, Any]:
    """The conversation up to and including the reply under review."""
    run = reply.run
    version = run.version
    scenario = services.scenario_of(version)
    steps = list(
        db.session.scalars(
            sa.select(ScenarioStep)
            .where(ScenarioStep.run_id == run.id, ScenarioStep.position <= reply.step.position)
            .order_by(ScenarioStep.position)
        )
    )
    answers = answers_of(steps, {reply.step_id: reply})
    conversation = build_conversation(
        scenario, answers, lambda place: version.html(place, locale), locale
    )
    node = scenario.nodes[reply.node_id]
    names = skill_names(locale)
    rubric = [
        (
            line.text.get(locale, scenario.language),
            SkillRef(line.skill, names.get(line.skill, line.skill)),
        )
        for line in node.rubric
    ]
    return {
        "scenario": scenario,
        "title": scenario.title.get(locale, scenario.language),
        "conversation": conversation,
        "turns": conversation.turns,
        "rubric": rubric,
        "learner": reply.user,
        "slug": run.item.slug,
        "skill_names": names,
    }
