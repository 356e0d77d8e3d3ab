"""The drill catalogue and briefing as plain values, read in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.content import store
from lms.content.model import Scenario, Text
from lms.content.models import ContentVersion
from lms.extensions import db
from lms.i18n import content_locale
from lms.people.models import User
from lms.scenarios import services
from lms.scenarios.models import ScenarioRun
from lms.skills.models import Skill
from lms.timeutil import today


@dataclass(frozen=True)
class SkillRef:
    id: str
    name: str


@dataclass
class DrillCard:
    slug: str
    title: str
    summary_html: str
    skills: list[SkillRef]
    difficulty: int | None
    pass_score: float
    standing: services.DrillStanding | None
    gap_skills: list[SkillRef] = field(default_factory=list)
    gap_rank: tuple = ()


@dataclass
class Listing:
    cards: list[DrillCard]
    skills: list[SkillRef]  # every skill some drill practises, for the filter
    skill: str | None
    recommended: bool
    has_targets: bool
    total: int


def skill_names(locale: str) -> dict[str, str]:
    rows = db.session.execute(sa.select(Skill.id, Skill.name).order_by(Skill.position, Skill.id))
    return {skill_id: Text.of(name or {}).get(locale) or skill_id for skill_id, name in rows}


def _gaps(user: User) -> tuple[bool, dict[str, float]]:
    """(has targets, skill -> how far below target). A targeted skill without enough evidence
    counts too, just behind every measured gap: practising it is how it gets assessed."""
    from lms.skills.mastery import mastery_of
    from lms.skills.targets import gap_of, targets_for

    targets = targets_for([user.id], today()).get(user.id, {})
    if not targets:
        return False, {}
    mastery = mastery_of(user.id, list(targets))
    gaps: dict[str, float] = {}
    for skill, target in targets.items():
        gap = gap_of(target, mastery[skill])
        if gap is None:
            gaps[skill] = 0.0
        elif gap > 0:
            gaps[skill] = gap
    return True, gaps


def catalogue_for(user: User, *, skill: str | None, recommended: bool) -> Listing:
    locale = content_locale()
    versions = store.current_versions(services.KIND)
    services.prefetch_items(list(versions.values()))
    names = skill_names(locale)
    standings = services.standings([user.id], list(versions))
    has_targets, gaps = _gaps(user) if recommended else (False, {})
    cards: list[DrillCard] = []
    practised: set[str] = set()
    for slug, version in versions.items():
        scenario = services.scenario_of(version)
        practised.update(scenario.skills)
        card = _card(slug, version, scenario, names, locale, standings.get((user.id, slug)))
        if skill and skill not in scenario.skills:
            continue
        if recommended:
            matching = [s for s in scenario.skills if s in gaps]
            if not matching:
                continue
            card.gap_skills = [SkillRef(s, names.get(s, s)) for s in matching]
            card.gap_rank = (
                -max(gaps[s] for s in matching),
                -len(matching),
                card.title.lower(),
            )
        cards.append(card)
    if recommended:
        cards.sort(key=lambda c: c.gap_rank)
    else:
        cards.sort(key=lambda c: (c.difficulty or 0, c.title.lower()))
    skills = [SkillRef(s, name) for s, name in names.items() if s in practised]
    return Listing(
        cards=cards,
        skills=skills,
        skill=skill if skill in names else None,
        recommended=recommended,
        has_targets=has_targets,
        total=len(versions),
    )


def _card(
    slug: str,
    version: ContentVersion,
    scenario: Scenario,
    names: dict[str, str],
    locale: str,
    standing: services.DrillStanding | None,
) -> DrillCard:
    return DrillCard(
        slug=slug,
        title=scenario.title.get(locale, scenario.language),
        summary_html=version.html("summary", locale) if scenario.summary else "",
        skills=[SkillRef(s, names.get(s, s)) for s in scenario.skills],
        difficulty=scenario.difficulty,
        pass_score=float(scenario.pass_score),
        standing=standing,
    )


@dataclass
class Briefing:
    slug: str
    version: ContentVersion
    scenario: Scenario
    title: str
    summary_html: str
    context_html: str
    persona: dict[str, str]
    skills: list[SkillRef]
    standing: services.DrillStanding | None
    open_run: ScenarioRun | None
    longest: int  # exchanges on the best path
    path_count: int


def briefing_for(user: User, slug: str) -> Briefing | None:
    version = services.live_version(slug)
    if version is None:
        return None
    locale = content_locale()
    scenario = services.scenario_of(version)
    names = skill_names(locale)
    persona: dict[str, str] = {}
    if scenario.persona is not None:
        for key in ("name", "role", "company", "industry"):
            value = getattr(scenario.persona, key)
            if value:
                persona[key] = value.get(locale, scenario.language)
    maxima = services.maxima_for(version)
    return Briefing(
        slug=slug,
        version=version,
        scenario=scenario,
        title=scenario.title.get(locale, scenario.language),
        summary_html=version.html("summary", locale) if scenario.summary else "",
        context_html=version.html("persona.context", locale)
        if scenario.persona and scenario.persona.context
        else "",
        persona=persona,
        skills=[SkillRef(s, names.get(s, s)) for s in scenario.skills],
        standing=services.standings([user.id], [slug]).get((user.id, slug)),
        open_run=services.open_run_of(user.id, version.item_id),
        longest=max(len(maxima.best_path) - 1, 1),
        path_count=maxima.path_count,
    )


def titles_of_versions(version_ids: Iterable[int]) -> dict[int, str]:
    """Titles of scenario versions in the reader's language, in one query."""
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    locale = content_locale()
    rows = db.session.scalars(
        sa.select(ContentVersion)
        .where(ContentVersion.id.in_(ids))
        .options(sa.orm.joinedload(ContentVersion.item))
    ).all()
    titles = {}
    for version in rows:
        if version.item.kind != services.KIND:
            continue
        scenario = services.scenario_of(version)
        titles[version.id] = scenario.title.get(locale, scenario.language)
    return titles
