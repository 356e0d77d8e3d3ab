"""Demo step: the demo hires' drill history, played through the same services as the player, with
back-dated times, so that the catalogue, /skills, the review queue and drill analytics have
something to show on first start.

It follows the onboarding demo plan (`lms.onboarding.demo.demo_plan`), so that paths, courses
and drills tell one story: a drill the plan marks done is passed just before that moment (weaker
hires lose the customer once the day before); a drill that is due and not done gets a failed or
an abandoned run from the weaker hires. Written replies older than five days were reviewed by
the hire's manager the next day; newer ones wait for review. Every hire of the demo manager
(manager@example.com) also has a conversation in progress with a written reply waiting for
review, so that the manager's queue is never empty.

The way a hire answers is their own (SKILL: the chance of picking the strongest reply); every
random choice is seeded by the hire's e-mail, so every demo tells the same story."""

from __future__ import annotations

import random
import zlib
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from lms.content.model import Scenario
from lms.content.models import ContentVersion
from lms.content.store import current_versions
from lms.demo import DEMO_PEOPLE, DemoContext
from lms.extensions import db
from lms.people.models import User
from lms.scenarios import services
from lms.scenarios.kinds import kind_of
from lms.scenarios.models import OpenReply, ReplyStatus
from lms.scenarios.scoring import compute_maxima, path_points, score_run

DEMO_MANAGER = "manager@example.com"
SKILL = {
    "learner@example.com": 0.55,
    "sam.ortiz@example.com": 0.45,
    "priya.nair@example.com": 0.8,
    "tom.becker@example.com": 0.7,
    "ana.silva@example.com": 0.85,
    "li.na@example.com": 0.6,
    "zhang.wei@example.com": 0.75,
    "chen.jie@example.com": 0.6,
    "omar.haddad@example.com": 0.5,
}
REVIEWED_AFTER_DAYS = 5

REPLIES = {
    "en": (
        "I hear you, and I would rather be straight with you than push. Before we talk about the "
        "number, can I check what the problem costs you today? If it costs more than this, we "
        "have a case; if not, I will tell you so.",
        "Fair question. In two sentences: you lose about a day a week to this, and our option "
        "gives that day back within the first month. Could we take fifteen minutes with your "
        "boss this week so you do not have to carry it alone?",
        "Let me make sure I understood: the worry is less the price than being blamed if it does "
        "not work. What would you need to see in the first thirty days to feel safe?",
    ),
    "zh": (
        "我理解您的顾虑，我宁可跟您实话实说也不想硬推。谈价格之前，我能先确认一下这个问题现在每个月让您损失多少吗？"
        "如果损失比这个价高，我们再谈；如果没有，我也会直说。",
        "好问题，我用两句话说：这件事每周大概耗掉您一天时间，我们的方案第一个月就能把这一天还给您。"
        "这周能不能约您老板一起聊十五分钟，这样您不用一个人去说服他？",
        "我确认一下我理解得对不对：您担心的其实不是价格，而是万一效果不好要担责任。"
        "头三十天您需要看到什么，才会觉得放心？",
    ),
}
COMMENTS = {
    "en": ("Clear and calm.", "Good question at the end.", "Put a number on it next time."),
    "zh": ("清楚、沉稳。", "最后的提问很好。", "下次把数字说出来。"),
}


def _language(user: User) -> str:
    return "zh" if (user.locale or "").startswith("zh") else "en"


def choose_path(
    scenario: Scenario, skill: float, rng: random.Random, *, passing: bool | None
) -> list[tuple[str, int | None]]:
    """A path through the drill as a hire of `skill` would take it; with `passing`, one whose
    outcome passes (or fails), found by trying a few walks."""
    maxima = compute_maxima(scenario)
    last: list[tuple[str, int | None]] = []
    for attempt in range(40):
        drift = 0.0 if passing is None else (0.03 if passing else -0.03) * attempt
        chance = skill + drift
        last = _walk(scenario, min(max(chance, 0.0), 1.0), rng)
        if passing is None:
            return last
        outcome = _outcome(scenario, maxima, last)
        if outcome.passed == passing:
            return last
    if passing:
        return list(maxima.best_path[:-1])  # the last step is the end node
    return last


def _walk(scenario: Scenario, chance: float, rng: random.Random) -> list[tuple[str, int | None]]:
    path: list[tuple[str, int | None]] = []
    node = scenario.nodes[scenario.start]
    while not kind_of(node).is_end:
        edges = list(kind_of(node).edges(node))
        if rng.random() < chance:
            edge = max(edges, key=lambda e: sum(e.points.values()))
        else:
            edge = rng.choice(edges)
        path.append((node.id, edge.choice))
        node = scenario.nodes[edge.next]
    return path


def _outcome(scenario: Scenario, maxima, path: list[tuple[str, int | None]]):
    points = path_points(
        scenario.nodes[node_id].choices[choice].points
        for node_id, choice in path
        if choice is not None
    )
    end = scenario.nodes[_end_of(scenario, path)].end or "fail"
    return score_run(maxima, points, end, scenario.pass_score)


def _end_of(scenario: Scenario, path: list[tuple[str, int | None]]) -> str:
    node_id = scenario.start
    for step_node, choice in path:
        node = scenario.nodes[step_node]
        for edge in kind_of(node).edges(node):
            if edge.choice == choice:
                node_id = edge.next
    return node_id


def play(
    user: User,
    version: ContentVersion,
    path: list[tuple[str, int | None]],
    when: datetime,
    rng: random.Random,
    *,
    stop_after: int | None = None,
    abandon: bool = False,
) -> int:
    """Play `path` from `when` on, a minute or two per reply; returns the run id. `stop_after`
    leaves the run open after that many answers; `abandon` then gives it up."""
    run, _ = services.start_run(user, version, now=when)
    moment = when
    language = _language(user)
    for position, (node_id, choice) in enumerate(path):
        if stop_after is not None and position >= stop_after:
            break
        moment += timedelta(seconds=rng.randint(40, 150))
        if choice is None:
            form = {"reply": rng.choice(REPLIES[language])}
            moment += timedelta(minutes=rng.randint(2, 6))
        else:
            form = {"choice": str(choice)}
        services.take_step(run.id, node_id=node_id, position=position, form=form, now=moment)
    if abandon:
        services.abandon_run(run.id, now=moment + timedelta(minutes=1))
    return run.id


def drill_history(context: DemoContext) -> None:
    """Drill runs of every demo hire up to today (see the module docstring)."""
    versions = current_versions(services.KIND)
    if not versions:
        context.log.append("drills: none stored, no drill history")
        return
    services.prefetch_items(list(versions.values()))
    rngs: dict[int, random.Random] = {}
    runs = 0
    for entry in sorted(_plan(context), key=lambda p: (p.user.id, p.due_day)):
        version = versions.get(entry.item.ref or "")
        if version is None:
            continue
        user = entry.user
        rng = rngs.setdefault(user.id, random.Random(zlib.crc32(user.email.encode())))
        runs += _planned_runs(user, version, entry, SKILL.get(user.email, 0.7), rng, context)
    reviews = _review_older_replies(context)
    runs += _replies_waiting(context, versions, rngs)
    context.log.append(f"{runs} drill runs by the hires, {reviews} written replies reviewed")


def _plan(context: DemoContext) -> list:
    try:
        from lms.onboarding.demo import demo_plan
    except ImportError:  # pragma: no cover - the onboarding package ships with the app
        return []
    return demo_plan(context, kinds=("scenario",))


def _planned_runs(user, version, entry, skill: float, rng: random.Random, context) -> int:
    scenario = services.scenario_of(version)
    count = 0
    if entry.done:
        passes_at = entry.when - timedelta(minutes=rng.randint(30, 120))
        first_try = passes_at - timedelta(days=1)
        if rng.random() > skill and first_try.date() >= user.start_date:
            play(user, version, choose_path(scenario, skill, rng, passing=False), first_try, rng)
            count += 1
        path = choose_path(scenario, min(0.95, skill + 0.25), rng, passing=True)
        play(user, version, path, passes_at, rng)
        return count + 1
    due = datetime.combine(entry.due, time(10))
    yesterday = datetime.combine(context.today - timedelta(days=1), time(16))
    if skill < 0.7 and due - timedelta(days=3) <= yesterday:
        when = min(due - timedelta(days=1), yesterday)
        if when.date() >= user.start_date:
            path = choose_path(scenario, skill - 0.1, rng, passing=False)
            if rng.random() < 0.5:
                play(
                    user, version, path, when, rng, stop_after=max(1, len(path) // 2), abandon=True
                )
            else:
                play(user, version, path, when, rng)
            count += 1
    return count


def _replies_waiting(
    context: DemoContext, versions: dict[str, ContentVersion], rngs: dict[int, random.Random]
) -> int:
    """A conversation in progress with a written reply for each hire of the demo manager who
    has none waiting: the path stops right after the written reply."""
    with_open_node = [
        slug
        for slug, version in sorted(versions.items())
        if any(node.kind == "open" for node in services.scenario_of(version).nodes.values())
    ]
    if not with_open_node:
        return 0
    count = 0
    for person in DEMO_PEOPLE:
        user = context.people.get(person.email)
        if user is None or person.manager != DEMO_MANAGER or user.start_date is None:
            continue
        pending = db.session.scalar(
            sa.select(OpenReply.id).where(
                OpenReply.user_id == user.id, OpenReply.status == ReplyStatus.PENDING
            )
        )
        if pending is not None:
            continue
        rng = rngs.setdefault(user.id, random.Random(zlib.crc32(user.email.encode())))
        for slug in rng.sample(with_open_node, len(with_open_node)):
            version = versions[slug]
            if services.open_run_of(user.id, version.item_id) is not None:
                continue
            scenario = services.scenario_of(version)
            path = choose_path(scenario, SKILL.get(user.email, 0.7), rng, passing=None)
            written = next((i for i, (_, choice) in enumerate(path) if choice is None), None)
            if written is None:
                path = _path_through_open_node(scenario)
                written = next(i for i, (_, choice) in enumerate(path) if choice is None)
            when = datetime.combine(context.today - timedelta(days=rng.randint(1, 3)), time(14))
            if when.date() < user.start_date:
                when = datetime.combine(context.today, time(8))
            play(user, version, path, when, rng, stop_after=written + 1)
            count += 1
            break
    return count


def _path_through_open_node(scenario: Scenario) -> list[tuple[str, int | None]]:
    """The first path (depth first) that reaches an open node and goes on to an end."""
    stack: list[tuple[str, list[tuple[str, int | None]], bool]] = [(scenario.start, [], False)]
    while stack:
        node_id, path, seen_open = stack.pop()
        node = scenario.nodes[node_id]
        kind = kind_of(node)
        if kind.is_end:
            if seen_open:
                return path
            continue
        for edge in reversed(kind.edges(node)):
            stack.append(
                (edge.next, path + [(node_id, edge.choice)], seen_open or edge.choice is None)
            )
    raise ValueError(f"drill {scenario.id!r} has no open node on a path")


def _review_older_replies(context: DemoContext) -> int:
    """Replies older than REVIEWED_AFTER_DAYS, reviewed by the hire's manager the day after."""
    cutoff = datetime.combine(context.today - timedelta(days=REVIEWED_AFTER_DAYS), time(0))
    replies = (
        db.session.scalars(
            services.pending_replies_query(team_of=None).where(OpenReply.submitted_at < cutoff)
        )
        .unique()
        .all()
    )
    count = 0
    for reply in replies:
        user = reply.user
        manager = user.manager
        if manager is None:
            continue
        rng = random.Random(zlib.crc32(f"{user.email}:{reply.id}".encode()))
        skill = SKILL.get(user.email, 0.7)
        node = services.rubric_of(reply)
        language = _language(manager)
        verdicts = [
            services.Verdict(
                rng.random() < skill + 0.15,
                rng.choice(COMMENTS[language]) if rng.random() < 0.4 else "",
            )
            for _ in node.rubric
        ]
        with current_app.test_request_context():
            link = url_for(
                "scenarios.run",
                scenario_id=reply.run.item.slug,
                run_id=reply.run_id,
                _anchor=f"reply-{reply.id}",
            )
        services.review_reply(
            reply.id,
            reviewer=manager,
            verdicts=verdicts,
            comment="",
            now=reply.submitted_at + timedelta(days=1, hours=2),
            link=link,
        )
        count += 1
    return count
