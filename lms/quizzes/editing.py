"""The quiz editor's services: a quiz as a draft document, edited field by field, checked with the
importer's rules, previewed as a learner and published as a new version.

The draft holds the quiz document exactly as a ``<quiz-id>.quiz.yaml`` file would (plus the
``course`` it belongs to), valid or not. Each question kind edits its own keys
(:meth:`QuestionKind.read_editor`); the editor never asks what kind a question is.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from lms.authoring import drafting
from lms.authoring.drafting import EditorError, read_number, split_place
from lms.authoring.messages import trainer_message
from lms.content import store
from lms.content.checking import StoredContext, check_document, stored_context
from lms.content.forms import markdown_problem
from lms.content.kinds import QUESTION_KINDS
from lms.content.kinds.editing import EDITOR_LOCALES, read_text, text_values
from lms.content.model import Quiz
from lms.core.forms import GENERAL, Problems
from lms.people.models import User

KIND = "quiz"
SETTINGS = ("pass_score", "max_attempts", "time_limit_minutes", "draw", "retake_wait_hours")
RETAKE_SETTINGS = ("retake_wait_hours", "retake_lesson")
MAX_QUESTIONS = 200


class Editing(drafting.Editing):
    """A quiz as the editor shows it."""

    @property
    def file(self) -> str:
        return f"courses/{self.course_id}/{self.slug}.quiz.yaml"

    @property
    def course_id(self) -> str:
        value = self.document.get("course")
        return value if isinstance(value, str) else ""

    def question(self, question_id: str) -> dict[str, Any] | None:
        for raw in self.document.get("questions") or ():
            if isinstance(raw, dict) and raw.get("id") == question_id:
                return raw
        return None


def editing(slug: str) -> Editing | None:
    """The quiz as the editor starts from it: its draft, else its live version; None if neither."""
    return drafting.load(KIND, slug, Editing)


# --- creating ------------------------------------------------------------------------------------


def create(
    slug: str, course_id: str, titles: dict[str, str], *, actor: User
) -> tuple[Editing | None, dict[str, str]]:
    """A new quiz draft with the given id, course and title; or the problems by field."""
    problems: dict[str, str] = {}
    id_problem = drafting.id_problem(KIND, slug, _("Quiz id"))
    if id_problem:
        problems["id"] = id_problem
    if store.current_version("course", course_id) is None:
        problems["course"] = trainer_message("unknown course ", _("Course"))
    if not titles:
        problems["title"] = trainer_message("must not be empty", _("Title"))
    if problems:
        return None, problems
    document = {
        "id": slug,
        "course": course_id,
        "title": titles,
        "language": "en",
        "pass_score": 80,
        "max_attempts": 0,
        "shuffle": False,
        "questions": [],
    }
    return drafting.start(KIND, document, Editing, actor=actor), {}


# --- editing fields -------------------------------------------------------------------------------


def apply_settings(document: dict[str, Any], form: Any) -> dict[str, Any]:
    """The document with the settings of the form: titles, pass score, attempts, time limit,
    draw, the retake rules and shuffle. An empty field removes an optional setting; a retake rule
    the form does not send at all (a page from before the field existed) is kept."""
    doc = copy.deepcopy(document)
    doc["title"] = read_text(form, "title")
    for key in SETTINGS:
        if key in RETAKE_SETTINGS and key not in form:
            continue
        value = read_number(form.get(key), decimals=True)
        if value is None and key != "pass_score":
            doc.pop(key, None)
        else:
            doc[key] = value if value is not None else ""
    if "retake_lesson" in form:
        lesson = form.get("retake_lesson")
        lesson = lesson.strip() if isinstance(lesson, str) else ""
        if lesson:
            # cut past the longest id: a huge value is kept only as far as it shows it is wrong
            doc["retake_lesson"] = lesson[: drafting.MAX_ID_CHARS + 1]
        else:
            doc.pop("retake_lesson", None)
    doc["shuffle"] = form.get("shuffle") == "on"
    return doc


def retake_lessons(state: Editing, context: StoredContext | None = None) -> list[str]:
    """The lessons a retake may ask for: the live lessons of the quiz's course (and the one the
    document names, even when it is not one of them, so that the form shows it)."""
    context = context or stored_context()
    lessons = sorted(s for s, c in context.lesson_courses.items() if c == state.course_id)
    named = state.document.get("retake_lesson")
    if isinstance(named, str) and named and named not in lessons:
        lessons.append(named)
    return lessons


def parse_weights(raw: str) -> dict[str, Any]:
    """``skill: weight`` lines (or ``skill`` alone for weight 1) as a mapping."""
    weights: dict[str, Any] = {}
    for line in (raw or "").replace(",", "\n").splitlines():
        if not line.strip():
            continue
        name, _sep, weight = line.partition(":")
        weights[name.strip()] = read_number(weight, decimals=True) if weight.strip() else 1
    return weights


def weights_text(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return "\n".join(f"{skill}: {weight}" for skill, weight in value.items())


def question_values(raw: dict[str, Any]) -> dict[str, Any]:
    """What the question form shows for a (possibly invalid) question document."""
    kind = QUESTION_KINDS.get(raw.get("kind"))
    values = {
        "id": raw.get("id", ""),
        "kind": raw.get("kind", ""),
        "prompt": text_values(raw.get("prompt")),
        "explanation": text_values(raw.get("explanation")),
        "skills": weights_text(raw.get("skills")),
    }
    if kind is not None:
        values.update(kind.editor_values(raw))
    return values


def apply_question(document: dict[str, Any], question_id: str | None, form: Any) -> dict:
    """The document with one question added (``question_id`` None) or replaced from the form."""
    kind_name = (form.get("kind") or "").strip()
    kind = QUESTION_KINDS.get(kind_name)
    if kind is None:
        raise EditorError(_("Choose a kind of question."))
    new_id = (form.get("id") or "").strip()
    raw: dict[str, Any] = {
        "id": new_id,
        "kind": kind_name,
        "prompt": read_text(form, "prompt"),
        "skills": parse_weights(form.get("skills") or ""),
    }
    explanation = read_text(form, "explanation")
    if explanation:
        raw["explanation"] = explanation
    raw.update(kind.read_editor(form))
    doc = copy.deepcopy(document)
    questions = [q for q in doc.get("questions") or () if isinstance(q, dict)]
    if question_id is None:
        if len(questions) >= MAX_QUESTIONS:
            raise EditorError(_("A quiz has at most %(count)d questions.", count=MAX_QUESTIONS))
        questions.append(raw)
    else:
        index = next((i for i, q in enumerate(questions) if q.get("id") == question_id), None)
        if index is None:
            raise EditorError(_("This question is not in the quiz any more."))
        questions[index] = raw
    doc["questions"] = questions
    return doc


def delete_question(document: dict[str, Any], question_id: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    doc["questions"] = [
        q
        for q in doc.get("questions") or ()
        if not (isinstance(q, dict) and q.get("id") == question_id)
    ]
    return doc


def move_question(document: dict[str, Any], question_id: str, delta: int) -> dict[str, Any]:
    """The document with the question moved up (-1) or down (+1)."""
    doc = copy.deepcopy(document)
    questions = list(doc.get("questions") or ())
    index = next(
        (i for i, q in enumerate(questions) if isinstance(q, dict) and q.get("id") == question_id),
        None,
    )
    if index is not None and 0 <= index + delta < len(questions):
        questions[index], questions[index + delta] = questions[index + delta], questions[index]
    doc["questions"] = questions
    return doc


def next_question_id(document: dict[str, Any]) -> str:
    taken = {q.get("id") for q in document.get("questions") or () if isinstance(q, dict)}
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


# --- checking -------------------------------------------------------------------------------------

SETTING_LABELS = {
    "id": lambda: _("Quiz id"),
    "title": lambda: _("Title"),
    "pass_score": lambda: _("Pass score (0–100)"),
    "max_attempts": lambda: _("Attempts allowed"),
    "time_limit_minutes": lambda: _("Time limit (minutes)"),
    "draw": lambda: _("Questions drawn per attempt"),
    "shuffle": lambda: _("Shuffle questions and answers"),
    "retake_wait_hours": lambda: _("Wait before a retake (hours)"),
    "retake_lesson": lambda: _("Lesson to read before a retake"),
    "questions": lambda: _("Questions"),
}

QUESTION_LABELS = {
    "id": lambda: _("Question id"),
    "kind": lambda: _("Kind of question"),
    "prompt": lambda: _("Question text"),
    "explanation": lambda: _("Explanation"),
    "skills": lambda: _("Skills and weights"),
    "choices": lambda: _("Answer choices"),
    "steps": lambda: _("Steps"),
    "answer": lambda: _("Correct answer"),
}


def _label(parts: tuple, question: dict | None) -> tuple[str, str]:
    """(field name, label) of a place inside the quiz document."""
    suffix = drafting.locale_suffix(parts)
    if parts[:1] == ("questions",) and len(parts) >= 2 and isinstance(parts[1], int):
        rest = parts[2:]
        kind = QUESTION_KINDS.get((question or {}).get("kind"))
        name = kind.editor_field(rest) if kind is not None and rest else None
        position = parts[1] + 1
        if name is None:
            key = rest[0] if rest else "questions"
            name = str(key)
            label = QUESTION_LABELS.get(str(key), SETTING_LABELS["questions"])()
        elif len(rest) >= 2 and isinstance(rest[1], int):
            what = QUESTION_LABELS.get(str(rest[0]), SETTING_LABELS["questions"])()
            item = str(rest[2]) if len(rest) >= 3 and isinstance(rest[2], str) else ""
            detail = {"text": _("text"), "feedback": _("feedback"), "correct": _("correct")}.get(
                item, ""
            )
            label = f"{what} {rest[1] + 1}" + (f" {detail}" if detail else "")
        else:
            label = QUESTION_LABELS.get(str(rest[0]), SETTING_LABELS["questions"])()
        return name, _("Question %(number)d: %(field)s", number=position, field=label + suffix)
    key = str(parts[0]) if parts else "questions"
    label = SETTING_LABELS.get(key, SETTING_LABELS["questions"])()
    return key, label + suffix


def question_name(question_id: str) -> str:
    """The name the problems of a question are collected under."""
    return f"questions[{question_id}]"


@dataclass
class Check:
    """The problems of a quiz draft in the trainer's words: those of the settings (`GENERAL`)
    and those of each question (`question_name`)."""

    quiz: Quiz | None
    problems: Problems = field(default_factory=Problems)
    #: The HTML of the Markdown fields, once the draft passed every other check.
    rendered: dict[str, dict[str, str]] | None = None

    @property
    def obj(self) -> Quiz | None:
        return self.quiz

    @property
    def ok(self) -> bool:
        return self.quiz is not None and not self.problems

    @property
    def count(self) -> int:
        return sum(len(messages) for messages in self.problems.by_field.values())

    @property
    def settings(self) -> list[str]:
        return self.problems.general

    def question(self, question_id: str) -> list[str]:
        return self.problems.get(question_name(question_id))

    @property
    def questions(self) -> list[tuple[str, list[str]]]:
        """(question id, its problems) of each question that has one."""
        prefix = question_name("")[:-1]
        return [
            (name[len(prefix) : -1], messages)
            for name, messages in self.problems.by_field.items()
            if name.startswith(prefix)
        ]


def check(document: dict[str, Any], slug: str) -> Check:
    """Check the draft as ``lms import`` would check its file, with messages for the editor."""
    doc = copy.deepcopy(document)
    course_id = doc.pop("course", "") if isinstance(doc.get("course"), str) else ""
    checked = check_document(KIND, doc, stored_context(), slug=slug, course_id=course_id)
    result = Check(checked.obj)
    questions = [q if isinstance(q, dict) else {} for q in doc.get("questions") or ()]
    if not questions:
        result.problems.add(GENERAL, _("Add at least one question."))
    for error in checked.errors:
        parts = split_place(error.place, error.message)
        question = None
        if parts[:1] == ("questions",) and len(parts) >= 2 and isinstance(parts[1], int):
            if parts[1] < len(questions):
                question = questions[parts[1]]
        _name, label = _label(parts, question)
        message = trainer_message(error.message, label)
        if question is not None:
            result.problems.add(question_name(str(question.get("id") or parts[1])), message)
        elif not (parts == ("questions",) and not questions):
            result.problems.add(GENERAL, message)
    if result.ok:
        _render(result, questions)
    if not result.ok:
        result.quiz = None
    return result


def _render(result: Check, questions: list[dict[str, Any]]) -> None:
    """Render the Markdown fields as publishing would; each field the renderer refuses is a
    problem of its question."""
    rendered, refused = store.try_render_places(result.quiz)
    positions = {q.get("id"): index for index, q in enumerate(questions)}
    for problem in refused:
        parts = split_place(problem.place)
        question_id = parts[1] if len(parts) >= 2 else None
        if parts[:1] != ("questions",) or question_id not in positions:
            result.problems.add(GENERAL, str(markdown_problem(problem.error, _("This text"))))
            continue
        index = positions[question_id]
        located = ("questions", index, *parts[2:], problem.locale)
        _name, label = _label(located, questions[index])
        message = str(markdown_problem(problem.error, label))
        result.problems.add(question_name(str(question_id)), message)
    result.rendered = None if refused else rendered


# --- the pool ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    size: int
    draw: int | None
    per_skill: list[tuple[str, int]]
    per_kind: list[tuple[str, int]]


def pool(document: dict[str, Any]) -> Pool:
    """How many questions work on each skill and of each kind, and how many an attempt draws."""
    questions = [q for q in document.get("questions") or () if isinstance(q, dict)]
    skills: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for question in questions:
        if isinstance(question.get("skills"), dict):
            skills.update(question["skills"].keys())
        kinds[str(question.get("kind"))] += 1
    draw = document.get("draw") if isinstance(document.get("draw"), int) else None
    return Pool(len(questions), draw, sorted(skills.items()), sorted(kinds.items()))


def locales() -> tuple[tuple[str, str], ...]:
    return EDITOR_LOCALES
