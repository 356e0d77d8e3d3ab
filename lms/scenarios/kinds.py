"""The kinds of scenario node as the player sees them: a small registry, one object per kind.

A kind knows the edges that leave a node of its kind (for scoring and analytics), how to read the
learner's answer from a submitted form, and which template renders its input. Nothing else in the
package asks a node what kind it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.content.model import Node
from lms.core.inputs import InputError, parse_int

REPLY_MIN_CHARS = 10
REPLY_MAX_CHARS = 2000


@dataclass(frozen=True)
class Edge:
    """A way out of a node: the choice index (None for an open node), the next node, points."""

    choice: int | None
    next: str
    points: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What the learner gave at a node: the edge taken and, for an open node, the reply."""

    edge: Edge
    reply: str | None = None


class AnswerError(ValueError):
    """The submitted form does not hold a usable answer (no choice picked, reply too short)."""


class NodeKind:
    name = ""
    template = ""
    is_end = False
    #: The step kind stored for an answer at a node of this kind.
    step_kind = ""

    def edges(self, node: Node) -> tuple[Edge, ...]:
        return ()

    def read_answer(self, node: Node, form: Mapping[str, str]) -> Answer:
        raise AnswerError(_("This part of the conversation takes no answer."))


class ChoiceKind(NodeKind):
    name = "choice"
    template = "scenarios/kinds/_choice.html"
    step_kind = "choice"

    def edges(self, node: Node) -> tuple[Edge, ...]:
        return tuple(
            Edge(index, choice.next, dict(choice.points))
            for index, choice in enumerate(node.choices)
        )

    def read_answer(self, node: Node, form: Mapping[str, str]) -> Answer:
        edges = self.edges(node)
        try:
            index = parse_int(form.get("choice") or "", field="choice", maximum=len(edges) - 1)
        except InputError:
            raise AnswerError(_("Pick one of the replies.")) from None
        return Answer(edges[index])


class OpenKind(NodeKind):
    name = "open"
    template = "scenarios/kinds/_open.html"
    step_kind = "open"

    def edges(self, node: Node) -> tuple[Edge, ...]:
        return (Edge(None, node.next),) if node.next else ()

    def read_answer(self, node: Node, form: Mapping[str, str]) -> Answer:
        reply = clean_reply(form.get("reply"))
        if len(reply) < REPLY_MIN_CHARS:
            raise AnswerError(_("Write at least %(count)d characters.", count=REPLY_MIN_CHARS))
        if len(reply) > REPLY_MAX_CHARS:
            raise AnswerError(
                _(
                    "Keep your reply to %(count)d characters at most (it has %(length)d).",
                    count=REPLY_MAX_CHARS,
                    length=len(reply),
                )
            )
        return Answer(self.edges(node)[0], reply)


class EndKind(NodeKind):
    name = "end"
    template = "scenarios/kinds/_end.html"
    is_end = True


KINDS: dict[str, NodeKind] = {kind.name: kind for kind in (ChoiceKind(), OpenKind(), EndKind())}


def kind_of(node: Node) -> NodeKind:
    return KINDS[node.kind]


def clean_reply(value: str | None) -> str:
    """A reply as stored: line ends normalised, control characters dropped, trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or ch >= " ")
    return text.strip()
