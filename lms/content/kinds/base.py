"""The base classes of a question kind and a node kind.

A kind is one object that owns everything about its kind of content: the keys of its document and
how to check them (building the model object), its Markdown places (the names under which the
rendered HTML is stored; built here and nowhere else), the document it exports, how a learner's
answer is read and scored, the template that renders it to the learner and the editor fields a
trainer fills in. The loader, the store, the exporter, the players and the editors ask the
registry (:mod:`lms.content.kinds.registry`) for the kind of an object and call these methods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.core.inputs import InputError, parse_int

from ..checks import FileContext, Refs
from ..errors import Place
from ..model import DEFAULT_LANGUAGE, Node, Question, Text

MAX_RAW_VALUES = 20


def text_doc(text: Text) -> dict[str, str]:
    """A text as it is written in a document: a map of locale to string."""
    return dict(text.values)


def text_of(value: Any) -> Text:
    """A text from a checked document value (a string is in the default language)."""
    if isinstance(value, str):
        return Text({DEFAULT_LANGUAGE: value})
    if not isinstance(value, dict):
        raise ValueError(f"expected a text map, found {type(value).__name__}")
    return Text(dict(value))


def optional_text_of(doc: Mapping[str, Any], key: str) -> Text | None:
    return text_of(doc[key]) if doc.get(key) is not None else None


def put(doc: dict, key: str, value: Any) -> None:
    """Set ``key`` unless ``value`` is None (texts become locale maps)."""
    if value is not None:
        doc[key] = text_doc(value) if isinstance(value, Text) else value


class AnswerError(ValueError):
    """A submitted answer that does not fit the question or node."""


# --- questions ----------------------------------------------------------------------------------


class QuestionKind:
    """One kind of quiz question. Subclass it in one module and register an instance."""

    #: The value of ``kind:`` in a quiz file.
    name = ""
    #: The kind's own keys of the question mapping (besides id, kind, prompt, skills, explanation).
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    #: Said when a key of another kind is used ("it has 'choices'").
    hint = ""
    #: The player's template for the answer input and the editor's template for the kind's fields.
    template = "quizzes/kinds/choices.html"
    editor_template = "quizzes/editor/kinds/choices.html"
    #: The name of the kind in the editor's menu.
    title = _l("Question")
    input_type = "radio"
    label = _l("Choose one answer.")
    #: Whether the learner's answer keeps its order (an ordering) or is a set of picks.
    is_ordered = False

    # --- schema and validation ---

    def build(
        self, ctx: FileContext, place: Place, raw: dict, base: dict, refs: Refs
    ) -> Question | None:
        """Check the kind's keys of ``raw`` (errors go to ``ctx``) and build the question from
        them and ``base`` (id, prompt, skills, explanation); None when unusable."""
        raise NotImplementedError

    # --- documents ---

    def to_doc(self, question: Question) -> dict[str, Any]:
        """The kind's own keys of the question's document."""
        raise NotImplementedError

    def from_doc(self, doc: Mapping[str, Any], base: dict) -> Question:
        """The question from a checked document."""
        raise NotImplementedError

    # --- Markdown places ---

    def prompt_place(self, question: Question) -> str:
        return f"questions.{question.id}.prompt"

    def explanation_place(self, question: Question) -> str:
        return f"questions.{question.id}.explanation"

    def feedback_place(self, question: Question, index: int) -> str | None:
        """The place of the feedback of option ``index``, or None when it has none."""
        return None

    def markdown_places(self, question: Question) -> Iterator[tuple[str, Text]]:
        yield self.prompt_place(question), question.prompt
        if question.explanation:
            yield self.explanation_place(question), question.explanation
        for index, choice in enumerate(question.choices):
            place = self.feedback_place(question, index)
            if place and choice.feedback:
                yield place, choice.feedback

    # --- the learner's options and answer ---

    def option_count(self, question: Question) -> int:
        return len(question.choices)

    def option_text(self, question: Question, index: int) -> Text | str:
        return question.choices[index].text

    def correct_options(self, question: Question) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(question.choices) if choice.correct)

    def shuffles(self) -> bool:
        return True

    def max_picks(self, question: Question) -> int:
        return 1

    def parse(self, question: Question, raw: Sequence[str]) -> list[int]:
        """Validated option indices from form values; an empty list clears the answer."""
        if len(raw) > MAX_RAW_VALUES:
            raise AnswerError("too many values")
        picks: set[int] = set()
        for value in raw:
            index = self._index(question, value)
            picks.add(index)
        if len(picks) > self.max_picks(question):
            raise AnswerError("only one option may be chosen")
        return sorted(picks)

    def _index(self, question: Question, value: str) -> int:
        try:
            return parse_int(value, field="answer", maximum=self.option_count(question) - 1)
        except InputError:
            raise AnswerError(f"{value!r} is not an option") from None

    def score(self, question: Question, selected: Sequence[int]) -> Fraction:
        """The question's score, 0..1, for the learner's answer."""
        picks = set(selected)
        return (
            Fraction(1)
            if len(picks) == 1 and picks <= self.correct_options(question)
            else Fraction(0)
        )

    # --- the editor ---

    def editor_values(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """What the kind's editor template shows, from a (possibly invalid) question document."""
        return {}

    def read_editor(self, form: Any) -> dict[str, Any]:
        """The kind's own document keys from the editor's submitted form (a MultiDict)."""
        return {}

    def editor_field(self, place: tuple) -> str | None:
        """The editor field (its label key) of a problem at ``place`` inside the question, the
        place relative to the question (``("choices", 1, "text", "en")``)."""
        return None


# --- scenario nodes -----------------------------------------------------------------------------


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


class NodeKind:
    """One kind of scenario node, recognised in a file by its ``marker`` key."""

    name = ""
    marker = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    hint = ""
    #: The player's template for the node's input.
    template = ""
    is_end = False
    #: The step kind stored for an answer at a node of this kind.
    step_kind = ""

    def build(
        self,
        ctx: FileContext,
        place: Place,
        node_id: str,
        raw: dict,
        say: Text | None,
        skills: tuple[str, ...],
        refs: Refs,
    ) -> Node | None:
        raise NotImplementedError

    def to_doc(self, node: Node) -> dict[str, Any]:
        """The kind's own keys of the node's document (``say`` is common)."""
        raise NotImplementedError

    def from_doc(self, node_id: str, doc: Mapping[str, Any], say: Text) -> Node:
        raise NotImplementedError

    def feedback_place(self, node: Node, index: int) -> str | None:
        return None

    def markdown_places(self, node: Node) -> Iterator[tuple[str, Text]]:
        for index, choice in enumerate(node.choices):
            place = self.feedback_place(node, index)
            if place and choice.feedback:
                yield place, choice.feedback

    def successors(self, node: Node) -> tuple[str, ...]:
        return tuple(edge.next for edge in self.edges(node))

    def edges(self, node: Node) -> tuple[Edge, ...]:
        return ()

    def read_answer(self, node: Node, form: Mapping[str, str]) -> Answer:
        from flask_babel import gettext as _

        raise AnswerError(_("This part of the conversation takes no answer."))
