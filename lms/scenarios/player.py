"""Template contexts of the player (a run, live or finished) and of the review of a reply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from lms.content.model import Scenario
from lms.extensions import db
from lms.scenarios import services
from lms.scenarios.conversation import (
    Answered,
    best_path_entries,
    build_conversation,
    taken_path_entries,
)
from lms.scenarios.kinds import REPLY_MAX_CHARS, REPLY_MIN_CHARS, AnswerError, kind_of
from lms.scenarios.listing import SkillRef, skill_names
from lms.scenarios.models import OpenReply, ScenarioRun, ScenarioStep
from lms.scenarios.scoring import Maxima, compute_maxima, path_points, score_run


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
        scenario, answers, lambda place: version.html(place, locale), locale, run.seed
    )
    is_owner = viewer.id == run.user_id
    names = skill_names(locale)
    slug = run.item.slug
    context: dict[str, Any] = {
        "run": run,
        "result": run if run.is_finished else None,
        "preview": False,
        "step_url": url_for("scenarios.step", scenario_id=slug, run_id=run.id),
        "draft_url": url_for("scenarios.save_draft", scenario_id=slug, run_id=run.id),
        "hidden_fields": {},
        "slug": slug,
        "scenario": scenario,
        "title": scenario.title.get(locale, scenario.language),
        "conversation": conversation,
        "is_owner": is_owner,
        "can_answer": is_owner and run.is_open and not conversation.is_over,
        "draft": run.draft_text if run.draft_node == conversation.node_id else "",
        "reply_min": REPLY_MIN_CHARS,
        "reply_max": REPLY_MAX_CHARS,
        "pending_reviews": sum(
            1 for reply in replies.values() if not reply.is_reviewed and not reply.is_superseded
        ),
        "replies": list(replies.values()),
        "skill_names": names,
    }
    if run.is_finished:
        context.update(
            _end_context(
                scenario, services.maxima_for(version), answers, run.points or {}, names, locale
            )
        )
        context["review_links"] = [] if run.passed else _review_links(context, slug)
    return context


def _review_links(context: dict[str, Any], slug: str) -> list:
    """For a failed run: lessons and other drills for the skills the run found weakest."""
    from lms.skills.review import review_links, weakest_skills

    evidence = {
        result.skill.id: result.evidence
        for result in context["skill_results"]
        if result.evidence is not None
    }
    return [link for link in review_links(weakest_skills(evidence)) if link.slug != slug]


def _end_context(
    scenario: Scenario,
    maxima: Maxima,
    answers: list[Answered],
    points: dict[str, float],
    names: dict[str, str],
    locale: str,
) -> dict[str, Any]:
    """The end screen: points per skill, the path taken beside the best path."""
    written = _("A written reply")
    end_id = current_node_id(scenario, answers)
    taken = taken_path_entries(scenario, answers, end_id, locale, written)
    best = best_path_entries(scenario, maxima, locale, written)
    return {
        "maxima": maxima,
        "skill_results": skill_results(
            maxima, points, _skills_with_maxima(scenario.skills, maxima), names
        ),
        "taken_path": taken,
        "best_path": best,
        "shared_path": {(e.node_id, e.text) for e in taken} & {(e.node_id, e.text) for e in best},
    }


def current_node_id(scenario: Scenario, answers: list[Answered]) -> str:
    """The node a list of answers has reached (an end node once the conversation is over)."""
    node_id = scenario.start
    for answered in answers:
        node = scenario.nodes[answered.node_id]
        for edge in kind_of(node).edges(node):
            if edge.choice == answered.choice_index:
                node_id = edge.next
    return node_id


@dataclass(frozen=True)
class PreviewResult:
    end_kind: str
    score: float
    passed: bool
    total_points: float


def replay(scenario: Scenario, raw: Any) -> list[Answered]:
    """Answers of a preview as posted back by the page, checked step by step against the
    draft; the first one that does not fit ends the list."""
    answers: list[Answered] = []
    node = scenario.nodes.get(scenario.start)
    for item in raw if isinstance(raw, list) else ():
        if node is None or not isinstance(item, list) or len(item) != 3:
            break
        node_id, choice, reply = item
        if node_id != node.id:
            break
        if choice is not None:
            form = {"choice": str(choice)}
        else:
            form = {"reply": reply if isinstance(reply, str) else ""}
        try:
            answer = kind_of(node).read_answer(node, form)
        except AnswerError:
            break
        answers.append(
            Answered(node.id, answer.edge.choice, answer.reply, dict(answer.edge.points))
        )
        node = scenario.nodes.get(answer.edge.next)
    return answers


def preview_context(
    scenario: Scenario,
    rendered: dict[str, dict[str, str]],
    answers: list[Answered],
    *,
    locale: str,
    step_url: str,
    restart_url: str,
    back_url: str,
) -> dict[str, Any]:
    """A draft played in the editor: the same player, fed from the posted answers; nothing is
    stored and no evidence is written."""

    def html(place: str) -> str:
        by_locale = rendered.get(place) or {}
        return (
            by_locale.get(locale)
            or by_locale.get(scenario.language)
            or next(iter(by_locale.values()), "")
        )

    conversation = build_conversation(scenario, answers, html, locale)
    names = skill_names(locale)
    encoded = json.dumps(
        [[a.node_id, a.choice_index, a.reply] for a in answers], ensure_ascii=False
    )
    context: dict[str, Any] = {
        "run": None,
        "result": None,
        "preview": True,
        "step_url": step_url,
        "draft_url": None,
        "hidden_fields": {"answers": encoded},
        "restart_url": restart_url,
        "back_url": back_url,
        "slug": scenario.id,
        "scenario": scenario,
        "title": scenario.title.get(locale, scenario.language),
        "conversation": conversation,
        "is_owner": True,
        "can_answer": not conversation.is_over,
        "draft": "",
        "reply_min": REPLY_MIN_CHARS,
        "reply_max": REPLY_MAX_CHARS,
        "pending_reviews": 0,
        "replies": [],
        "skill_names": names,
    }
    if conversation.is_over:
        maxima = compute_maxima(scenario)
        points = path_points(a.points for a in answers)
        outcome = score_run(maxima, points, conversation.current.end or "fail", scenario.pass_score)
        context["result"] = PreviewResult(outcome.end, outcome.score, outcome.passed, outcome.total)
        context.update(_end_context(scenario, maxima, answers, points, names, locale))
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
