"""What the player shows: a run (or a preview of a draft) as a transcript, plus what comes next.

`build_conversation` turns a scenario, the answers given so far and the stored HTML of its
Markdown fields into plain values for the templates; it reads nothing from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from lms.content.model import Node, Scenario
from lms.scenarios.kinds import NodeKind, kind_of
from lms.scenarios.ordering import choice_order
from lms.scenarios.scoring import Maxima

Html = Callable[[str], str]  # place -> sanitized HTML in the reader's language


@dataclass(frozen=True)
class Answered:
    """One answer as stored: a step of a run, or one entry of a preview."""

    node_id: str
    choice_index: int | None
    reply: str | None = None
    points: Mapping[str, float] = field(default_factory=dict)
    review: object | None = None  # the OpenReply of an open answer, when there is one


@dataclass(frozen=True)
class RubricVerdict:
    text: str
    skill: str
    met: bool | None
    comment_html: str


@dataclass(frozen=True)
class Turn:
    position: int
    node: Node
    say: str
    answer: str  # what the learner said
    is_written: bool  # an open node's reply
    feedback_html: str
    points: Mapping[str, float]
    review: object | None
    rubric: tuple[RubricVerdict, ...] = ()

    @property
    def tone(self) -> str:
        total = sum(self.points.values())
        if self.is_written:
            return "written"
        return "good" if total > 0 else "poor" if total < 0 else "neutral"


@dataclass(frozen=True)
class Option:
    index: int  # the position shown, which the form posts back (see lms.scenarios.ordering)
    text: str


@dataclass(frozen=True)
class PathEntry:
    node_id: str
    text: str  # the reply given (or the customer's last words at an end)
    points: float | None
    is_end: bool = False
    end: str | None = None


@dataclass
class Conversation:
    scenario: Scenario
    turns: list[Turn]
    current: Node  # the node awaiting an answer, or the end node reached
    current_say: str
    kind: NodeKind
    options: list[Option]
    position: int

    @property
    def is_over(self) -> bool:
        return self.kind.is_end

    @property
    def node_id(self) -> str:
        return self.current.id


def build_conversation(
    scenario: Scenario,
    answers: Sequence[Answered],
    html: Html,
    locale: str,
    seed: int | None = None,
) -> Conversation:
    """`seed` shuffles the replies of the current node (None: the file's order, as in a
    preview)."""
    language = scenario.language
    turns: list[Turn] = []
    node = scenario.nodes[scenario.start]
    for position, answered in enumerate(answers):
        node = scenario.nodes[answered.node_id]
        turns.append(_turn(position, node, answered, html, locale, language))
        node = scenario.nodes[_next_of(node, answered)]
    kind = kind_of(node)
    options = [
        Option(shown, node.choices[index].text.get(locale, language))
        for shown, index in enumerate(choice_order(seed, node))
    ]
    return Conversation(
        scenario=scenario,
        turns=turns,
        current=node,
        current_say=node.say.get(locale, language),
        kind=kind,
        options=options,
        position=len(answers),
    )


def _next_of(node: Node, answered: Answered) -> str:
    for edge in kind_of(node).edges(node):
        if edge.choice == answered.choice_index:
            return edge.next
    raise ValueError(f"no way out of node {node.id!r} for choice {answered.choice_index!r}")


def _turn(
    position: int, node: Node, answered: Answered, html: Html, locale: str, language: str
) -> Turn:
    say = node.say.get(locale, language)
    if answered.choice_index is not None:
        index = answered.choice_index
        choice = node.choices[index]
        place = kind_of(node).feedback_place(node, index)
        return Turn(
            position=position,
            node=node,
            say=say,
            answer=choice.text.get(locale, language),
            is_written=False,
            feedback_html=html(place)
            if (place := kind_of(node).feedback_place(node, index))
            else "",
            points=dict(answered.points or choice.points),
            review=answered.review,
        )
    review = answered.review
    lines = getattr(review, "lines", None) or []
    rubric = tuple(
        RubricVerdict(
            text=line.text.get(locale, language),
            skill=line.skill,
            met=lines[i]["met"] if i < len(lines) else None,
            comment_html=lines[i].get("comment_html", "") if i < len(lines) else "",
        )
        for i, line in enumerate(node.rubric)
    )
    return Turn(
        position=position,
        node=node,
        say=say,
        answer=answered.reply or "",
        is_written=True,
        feedback_html="",
        points={},
        review=review,
        rubric=rubric,
    )


def best_path_entries(
    scenario: Scenario, maxima: Maxima, locale: str, written_label: str
) -> list[PathEntry]:
    """The path with the most points, as the replies that make it up and the ending."""
    return _entries(scenario, maxima.best_path, locale, written_label)


def taken_path_entries(
    scenario: Scenario, answers: Sequence[Answered], end_id: str, locale: str, written_label: str
) -> list[PathEntry]:
    steps = [(a.node_id, a.choice_index) for a in answers] + [(end_id, None)]
    return _entries(scenario, steps, locale, written_label)


def _entries(
    scenario: Scenario,
    steps: Sequence[tuple[str, int | None]],
    locale: str,
    written_label: str,
) -> list[PathEntry]:
    language = scenario.language
    entries = []
    for node_id, choice in steps:
        node = scenario.nodes[node_id]
        kind = kind_of(node)
        if kind.is_end:
            entries.append(PathEntry(node_id, node.say.get(locale, language), None, True, node.end))
        elif choice is None:
            entries.append(PathEntry(node_id, written_label, None))
        else:
            picked = node.choices[choice]
            entries.append(
                PathEntry(
                    node_id,
                    picked.text.get(locale, language),
                    float(sum(picked.points.values())),
                )
            )
    return entries
