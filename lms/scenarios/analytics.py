"""Drill analytics for trainers, per scenario version, in a fixed number of aggregate queries:
runs, completion, pass rate, the score distribution, at each node how many took each choice,
where people stop, and flags for choices nobody or everybody takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from lms.content.model import Scenario
from lms.content.models import ContentItem, ContentVersion
from lms.extensions import db
from lms.scenarios import services
from lms.scenarios.graph import Graph, layout
from lms.scenarios.kinds import kind_of
from lms.scenarios.models import RunStatus, ScenarioRun, ScenarioStep

#: A choice is flagged (taken by nobody, or by everybody) once its node has this many answers.
MIN_ANSWERS_FOR_FLAGS = 5
BUCKETS = 10  # score distribution: 0-9, 10-19, ... 90-100


@dataclass
class ChoiceStat:
    index: int
    text: str
    next: str
    points: float
    taken: int
    share: float | None  # of the node's answers
    flag: str | None = None  # "nobody" | "everybody"


@dataclass
class NodeStat:
    id: str
    kind: str
    end: str | None
    say: str
    reached: int  # runs that got to this node
    answered: int
    stopped: int  # runs abandoned here
    waiting: int  # runs open here
    choices: list[ChoiceStat] = field(default_factory=list)

    @property
    def drop_share(self) -> float | None:
        return self.stopped / self.reached if self.reached else None


@dataclass
class Report:
    slug: str
    title: str
    version: ContentVersion
    versions: list[ContentVersion]
    runs: int
    finished: int
    passed: int
    abandoned: int
    open: int
    average_score: float | None
    buckets: list[int]
    ends: dict[str, int]
    nodes: list[NodeStat]
    graph: Graph
    flags: int

    @property
    def completion(self) -> float | None:
        return self.finished / self.runs if self.runs else None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.finished if self.finished else None

    @property
    def bucket_max(self) -> int:
        return max(self.buckets) if self.buckets else 0


def report_for(slug: str, number: int | None, locale: str) -> Report | None:
    """The report of version `number` of a drill (default: the current one)."""
    item = db.session.scalar(
        sa.select(ContentItem).where(ContentItem.kind == services.KIND, ContentItem.slug == slug)
    )
    if item is None:
        return None
    versions = list(
        db.session.scalars(
            sa.select(ContentVersion)
            .where(ContentVersion.item_id == item.id)
            .order_by(ContentVersion.number.desc())
        )
    )
    if not versions:
        return None
    chosen = next((v for v in versions if v.number == number), None)
    if chosen is None:
        chosen = next((v for v in versions if v.id == item.current_version_id), versions[0])
    scenario = services.scenario_of(chosen)
    return _report(slug, scenario, chosen, versions, locale)


def _report(
    slug: str,
    scenario: Scenario,
    version: ContentVersion,
    versions: list[ContentVersion],
    locale: str,
) -> Report:
    of_version = ScenarioRun.version_id == version.id
    is_finished = ScenarioRun.status == RunStatus.FINISHED
    runs, finished, passed, abandoned, average = db.session.execute(
        sa.select(
            sa.func.count(ScenarioRun.id),
            sa.func.sum(sa.case((is_finished, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(is_finished, ScenarioRun.passed.is_(True)), 1), else_=0)),
            sa.func.sum(sa.case((ScenarioRun.status == RunStatus.ABANDONED, 1), else_=0)),
            sa.func.avg(sa.case((is_finished, ScenarioRun.score))),
        ).where(of_version)
    ).one()
    runs, finished, passed, abandoned = (int(x or 0) for x in (runs, finished, passed, abandoned))

    buckets = [0] * BUCKETS
    bucket = sa.cast(ScenarioRun.score / (100 / BUCKETS), sa.Integer)
    for index, count in db.session.execute(
        sa.select(bucket, sa.func.count()).where(of_version, is_finished).group_by(bucket)
    ):
        buckets[min(max(int(index or 0), 0), BUCKETS - 1)] += count

    taken: dict[tuple[str, int | None], int] = {}
    for node_id, choice, count in db.session.execute(
        sa.select(ScenarioStep.node_id, ScenarioStep.choice_index, sa.func.count())
        .join(ScenarioRun, ScenarioRun.id == ScenarioStep.run_id)
        .where(of_version)
        .group_by(ScenarioStep.node_id, ScenarioStep.choice_index)
    ):
        taken[(node_id, choice)] = count

    standing: dict[tuple[str, str], int] = {}
    for status, node_id, count in db.session.execute(
        sa.select(ScenarioRun.status, ScenarioRun.current_node, sa.func.count())
        .where(of_version)
        .group_by(ScenarioRun.status, ScenarioRun.current_node)
    ):
        standing[(status, node_id)] = count

    nodes, flags = _node_stats(scenario, taken, standing, locale)
    ends = {
        kind: sum(n.reached for n in nodes if n.kind == "end" and n.end == kind)
        for kind in ("success", "partial", "fail")
    }
    by_id = {node.id: node for node in nodes}
    by_choice = {(n.id, c.index): c for n in nodes for c in n.choices}

    def edge_label(source: str, choice: int | None, points: Mapping):
        count = taken.get((source, choice), 0)
        stat = by_choice.get((source, choice)) if choice is not None else None
        tone = "poor" if stat and stat.flag else "neutral" if count == 0 else "good"
        answered = by_id[source].answered if source in by_id else 0
        weight = 1 + 5 * (count / answered) if answered else 1
        return str(count), "", tone, weight

    def node_note(node_id: str) -> str:
        stat = by_id.get(node_id)
        return f"{stat.reached}" if stat else ""

    graph = layout(
        version.document,
        locale=locale,
        edge_label=edge_label,
        node_note=node_note,
        href=lambda node_id: (
            url_for("scenario_editor.drill_analytics", scenario_id=slug, version=version.number)
            + f"#node-{node_id}"
        ),
    )
    return Report(
        slug=slug,
        title=scenario.title.get(locale, scenario.language),
        version=version,
        versions=versions,
        runs=runs,
        finished=finished,
        passed=passed,
        abandoned=abandoned,
        open=runs - finished - abandoned,
        average_score=float(average) if average is not None else None,
        buckets=buckets,
        ends=ends,
        nodes=nodes,
        graph=graph,
        flags=flags,
    )


def _node_stats(
    scenario: Scenario,
    taken: dict[tuple[str, int | None], int],
    standing: dict[tuple[str, str], int],
    locale: str,
) -> tuple[list[NodeStat], int]:
    flags = 0
    stats = []
    for node in scenario.nodes.values():
        kind = kind_of(node)
        answered = sum(count for (node_id, _), count in taken.items() if node_id == node.id)
        stopped = standing.get((RunStatus.ABANDONED, node.id), 0)
        waiting = standing.get((RunStatus.OPEN, node.id), 0)
        finished_here = standing.get((RunStatus.FINISHED, node.id), 0)
        stat = NodeStat(
            id=node.id,
            kind=node.kind,
            end=node.end,
            say=node.say.get(locale, scenario.language),
            reached=answered + stopped + waiting + finished_here,
            answered=answered,
            stopped=stopped,
            waiting=waiting,
        )
        for edge in kind.edges(node):
            if edge.choice is None:
                continue
            count = taken.get((node.id, edge.choice), 0)
            choice = ChoiceStat(
                index=edge.choice,
                text=node.choices[edge.choice].text.get(locale, scenario.language),
                next=edge.next,
                points=float(sum(edge.points.values())),
                taken=count,
                share=count / answered if answered else None,
            )
            if answered >= MIN_ANSWERS_FOR_FLAGS and len(node.choices) > 1:
                if count == 0:
                    choice.flag = "nobody"
                elif count == answered:
                    choice.flag = "everybody"
            flags += choice.flag is not None
            stat.choices.append(choice)
        stats.append(stat)
    return stats, flags
