"""The kinds of scenario node: ``choice`` (the learner picks a reply), ``open`` (the learner writes
a reply, reviewed later against a rubric) and ``end`` (success, partial or fail)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from lms.core.inputs import InputError, parse_int

from .. import checks as c
from ..errors import show
from ..model import END_KINDS, Node, RubricLine, ScenarioChoice, Text
from .base import Answer, AnswerError, Edge, NodeKind, optional_text_of, put, text_doc, text_of
from .registry import register_node_kind

MAX_SCENARIO_CHOICES = 6
MAX_RUBRIC_LINES = 8
REPLY_MIN_CHARS = 10
REPLY_MAX_CHARS = 2000


def listed_skill(ctx: c.FileContext, place, skill: str, skills: tuple[str, ...]) -> None:
    if skill not in skills:
        ctx.error(place, f"skill {show(skill)} is not listed in the scenario's skills")


def clean_reply(value: str | None) -> str:
    """A reply as stored: line ends normalised, control characters dropped, trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or ch >= " ")
    return text.strip()


class ChoiceNodeKind(NodeKind):
    name = "choice"
    marker = "choices"
    required = ("choices",)
    optional = ("fixed_order",)
    hint = "a choice node has 'choices'"
    template = "scenarios/kinds/_choice.html"
    step_kind = "choice"

    def build(self, ctx, place, node_id, raw, say, skills, refs):
        items = c.list_of(
            ctx, place + ("choices",), raw["choices"], 1, MAX_SCENARIO_CHOICES, "choices"
        )
        if items is None:
            return None
        choices: list[ScenarioChoice] = []
        ok = len(items) <= MAX_SCENARIO_CHOICES and len(items) >= 1
        for index, item in enumerate(items):
            ch_place = place + ("choices", index)
            entry = c.mapping(ctx, ch_place, item, ("text", "next"), ("feedback", "points"))
            if entry is None:
                ok = False
                continue
            text = c.optional_text(ctx, entry, ch_place, "text")
            nxt = (
                c.identifier(ctx, ch_place + ("next",), entry["next"], "node id")
                if ("next" in entry)
                else None
            )
            feedback = c.optional_text(ctx, entry, ch_place, "feedback")
            points: dict[str, int | float] = {}
            if "points" in entry:
                points = c.weights(ctx, ch_place + ("points",), entry["points"], positive=False)
                c.weight_refs(refs, ctx, ch_place + ("points",), points)
                for skill in points:
                    listed_skill(ctx, ch_place + ("points", skill), skill, skills)
            if text is None or nxt is None:
                ok = False
                continue
            choices.append(ScenarioChoice(text, nxt, feedback, points))
        fixed_order = False
        if "fixed_order" in raw:
            fixed_order = c.boolean(ctx, place + ("fixed_order",), raw["fixed_order"])
            if fixed_order is None:
                ok = False
        if not ok or say is None:
            return None
        return Node(node_id, self.name, say, choices=tuple(choices), fixed_order=bool(fixed_order))

    def to_doc(self, node: Node) -> dict[str, Any]:
        choices = []
        for choice in node.choices:
            entry: dict[str, Any] = {"text": text_doc(choice.text), "next": choice.next}
            put(entry, "feedback", choice.feedback)
            if choice.points:
                entry["points"] = dict(choice.points)
            choices.append(entry)
        doc: dict[str, Any] = {"choices": choices}
        if node.fixed_order:
            doc["fixed_order"] = True
        return doc

    def from_doc(self, node_id: str, doc: Mapping[str, Any], say: Text) -> Node:
        choices = tuple(
            ScenarioChoice(
                text_of(ch["text"]),
                ch["next"],
                optional_text_of(ch, "feedback"),
                dict(ch.get("points", {})),
            )
            for ch in doc["choices"]
        )
        return Node(
            node_id,
            self.name,
            say,
            choices=choices,
            fixed_order=bool(doc.get("fixed_order", False)),
        )

    def feedback_place(self, node: Node, index: int) -> str | None:
        if node.choices[index].feedback:
            return f"nodes.{node.id}.choices[{index}].feedback"
        return None

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


class OpenNodeKind(NodeKind):
    name = "open"
    marker = "open"
    required = ("open", "rubric", "next")
    hint = "an open node has 'open: true', a 'rubric' and one 'next'"
    template = "scenarios/kinds/_open.html"
    step_kind = "open"

    def build(self, ctx, place, node_id, raw, say, skills, refs):
        ok = True
        if raw.get("open") is not True:
            ctx.error(
                place + ("open",),
                f"expected true, found {c.describe(raw.get('open'))}; omit 'open' unless the "
                "learner writes a reply",
            )
            ok = False
        nxt = None
        if "next" in raw:
            if isinstance(raw["next"], list):
                ctx.error(place + ("next",), "an open node has exactly one 'next' node, not a list")
            else:
                nxt = c.identifier(ctx, place + ("next",), raw["next"], "node id")
        rubric: list[RubricLine] = []
        lines = None
        if "rubric" in raw:
            lines = c.list_of(
                ctx, place + ("rubric",), raw["rubric"], 1, MAX_RUBRIC_LINES, "rubric lines"
            )
            for index, item in enumerate(lines or ()):
                r_place = place + ("rubric", index)
                entry = c.mapping(ctx, r_place, item, ("text", "skill"))
                if entry is None:
                    ok = False
                    continue
                text = c.optional_text(ctx, entry, r_place, "text")
                skill = None
                if "skill" in entry:
                    skill = c.identifier(ctx, r_place + ("skill",), entry["skill"], "skill id")
                if skill is not None:
                    refs.append(c.Reference(ctx, r_place + ("skill",), "skill", skill))
                    listed_skill(ctx, r_place + ("skill",), skill, skills)
                if text is None or skill is None:
                    ok = False
                    continue
                rubric.append(RubricLine(text, skill))
        if not ok or say is None or nxt is None or not lines:
            return None
        if len(lines) > MAX_RUBRIC_LINES:
            return None
        return Node(node_id, self.name, say, rubric=tuple(rubric), next=nxt)

    def to_doc(self, node: Node) -> dict[str, Any]:
        return {
            "open": True,
            "rubric": [{"text": text_doc(line.text), "skill": line.skill} for line in node.rubric],
            "next": node.next,
        }

    def from_doc(self, node_id: str, doc: Mapping[str, Any], say: Text) -> Node:
        rubric = tuple(RubricLine(text_of(r["text"]), r["skill"]) for r in doc["rubric"])
        return Node(node_id, self.name, say, rubric=rubric, next=doc["next"])

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


class EndNodeKind(NodeKind):
    name = "end"
    marker = "end"
    required = ("end",)
    hint = "an end node has 'end' and nothing that leads on"
    template = "scenarios/kinds/_end.html"
    is_end = True

    def build(self, ctx, place, node_id, raw, say, skills, refs):
        end = raw.get("end")
        if end not in END_KINDS:
            kinds = ", ".join(END_KINDS)
            ctx.error(place + ("end",), f"unknown end {show(end)}; use one of {kinds}")
            return None
        if say is None:
            return None
        return Node(node_id, self.name, say, end=end)

    def to_doc(self, node: Node) -> dict[str, Any]:
        return {"end": node.end}

    def from_doc(self, node_id: str, doc: Mapping[str, Any], say: Text) -> Node:
        return Node(node_id, self.name, say, end=doc["end"])


register_node_kind(ChoiceNodeKind())
register_node_kind(OpenNodeKind())
register_node_kind(EndNodeKind())
