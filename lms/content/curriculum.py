"""Plain data classes for the curriculum (see docs/content-format-extras.md and content-format.md).

Everything here is immutable and knows nothing about files, YAML or the database. Sequences are
tuples; mappings are plain dicts (do not mutate them). Texts are :class:`Text` values: a mapping of
locale to string.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_LANGUAGE = "en"

END_KINDS = ("success", "partial", "fail")
COURSE_ITEM_KINDS = ("lesson", "quiz", "scenario")
PATH_ITEM_KINDS = ("course", "lesson", "quiz", "scenario", "task", "checkin")

Number = int | float


def _primary(locale: str) -> str:
    """The language of a tag, in either spelling: content's ``zh-CN`` or Babel's ``zh_CN``."""
    return locale.replace("_", "-").split("-", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class Text:
    """A text in one or more locales: ``{"en": "...", "zh-CN": "..."}``."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, value: str | Mapping[str, str], language: str = DEFAULT_LANGUAGE) -> Text:
        """A text from a plain string (in ``language``) or a locale map."""
        if isinstance(value, str):
            return cls({language: value})
        return cls(dict(value))

    def get(self, locale: str | None = None, fallback_language: str | None = None) -> str:
        """The text for ``locale``; else the same language in another region (``zh`` for
        ``zh-CN``); else ``fallback_language`` (the file's language); else any; else ``""``."""
        values = self.values
        if locale:
            if locale in values:
                return values[locale]
            lowered = locale.lower()
            for key, value in values.items():
                if key.lower() == lowered:
                    return value
            primary = _primary(locale)
            for key, value in values.items():
                if _primary(key) == primary:
                    return value
        if fallback_language and fallback_language in values:
            return values[fallback_language]
        for value in values.values():
            return value
        return ""

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.values)

    def __getitem__(self, locale: str) -> str:
        return self.values[locale]

    def __contains__(self, locale: object) -> bool:
        return locale in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)

    def items(self):
        return self.values.items()

    def as_mapping(self) -> Mapping[str, str]:
        return MappingProxyType(self.values)


# --- skills -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: Text
    group: str | None = None
    description: Text | None = None  # Markdown


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: Text
    skills: tuple[Skill, ...]
    language: str = DEFAULT_LANGUAGE

    @property
    def skill_ids(self) -> frozenset[str]:
        return frozenset(skill.id for skill in self.skills)

    def skill(self, skill_id: str) -> Skill | None:
        for skill in self.skills:
            if skill.id == skill_id:
                return skill
        return None


# --- courses, lessons -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseItem:
    kind: str  # one of COURSE_ITEM_KINDS
    ref: str


@dataclass(frozen=True, slots=True)
class Module:
    title: Text
    items: tuple[CourseItem, ...]


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    title: Text
    modules: tuple[Module, ...]
    summary: Text | None = None  # Markdown
    language: str = DEFAULT_LANGUAGE
    skills: tuple[str, ...] = ()

    @property
    def items(self) -> tuple[CourseItem, ...]:
        return tuple(item for module in self.modules for item in module.items)


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str
    course_id: str
    title: Text
    body: Text  # Markdown source per locale
    skills: tuple[str, ...] = ()
    minutes: int | None = None
    language: str = DEFAULT_LANGUAGE


# --- quizzes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    text: Text
    correct: bool = False
    feedback: Text | None = None  # Markdown


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    kind: str  # a registered question kind (lms.content.kinds)
    prompt: Text  # Markdown
    skills: dict[str, Number]  # skill id -> weight (> 0)
    explanation: Text | None = None  # Markdown
    choices: tuple[Choice, ...] = ()  # single, multiple; the steps of ordering, in order
    answer: bool | None = None  # true-false


@dataclass(frozen=True, slots=True)
class Quiz:
    id: str
    course_id: str
    title: Text
    pass_score: Number
    questions: tuple[Question, ...]
    language: str = DEFAULT_LANGUAGE
    max_attempts: int = 0  # 0 = unlimited
    shuffle: bool = False
    draw: int | None = None
    time_limit_minutes: int | None = None  # project extra
    retake_wait_hours: int | None = None  # project extra: wait after a failed attempt
    retake_lesson: str | None = None  # project extra: a lesson of the course to read first

    def question(self, question_id: str) -> Question | None:
        for question in self.questions:
            if question.id == question_id:
                return question
        return None


# --- scenarios ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Persona:
    name: Text
    role: Text | None = None
    context: Text | None = None  # Markdown
    company: Text | None = None  # project extra
    industry: Text | None = None  # project extra


@dataclass(frozen=True, slots=True)
class ScenarioChoice:
    text: Text
    next: str
    feedback: Text | None = None  # Markdown
    points: dict[str, Number] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RubricLine:
    text: Text
    skill: str


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # a registered node kind (lms.content.kinds)
    say: Text
    choices: tuple[ScenarioChoice, ...] = ()  # choice nodes
    rubric: tuple[RubricLine, ...] = ()  # open nodes
    next: str | None = None  # open nodes
    end: str | None = None  # end nodes: one of END_KINDS
    fixed_order: bool = False  # project extra: choice nodes show their replies in file order

    @property
    def successors(self) -> tuple[str, ...]:
        from .kinds import node_kind

        return node_kind(self).successors(self)


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: Text
    pass_score: Number
    start: str
    nodes: dict[str, Node]  # in file order
    language: str = DEFAULT_LANGUAGE
    summary: Text | None = None  # Markdown
    skills: tuple[str, ...] = ()
    persona: Persona | None = None
    difficulty: int | None = None  # project extra: 1..3


# --- onboarding paths ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathItem:
    id: str
    kind: str  # one of PATH_ITEM_KINDS
    ref: str | None = None  # course, lesson, quiz, scenario id
    due_day: int | None = None  # course, lesson, quiz, scenario, task
    min_score: Number | None = None  # quiz, scenario
    title: Text | None = None  # task, checkin
    description: Text | None = None  # task (Markdown)
    day: int | None = None  # checkin


@dataclass(frozen=True, slots=True)
class Phase:
    id: str
    title: Text
    until_day: int
    items: tuple[PathItem, ...] = ()
    goals: Text | None = None  # Markdown
    targets: dict[str, Number] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Path:
    id: str
    title: Text
    phases: tuple[Phase, ...]
    language: str = DEFAULT_LANGUAGE

    @property
    def items(self) -> tuple[PathItem, ...]:
        return tuple(item for phase in self.phases for item in phase.items)


# --- the whole tree -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentTree:
    framework: Framework | None = None
    courses: dict[str, Course] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def lessons_of(self, course_id: str) -> list[Lesson]:
        return [lesson for lesson in self.lessons.values() if lesson.course_id == course_id]

    def quizzes_of(self, course_id: str) -> list[Quiz]:
        return [quiz for quiz in self.quizzes.values() if quiz.course_id == course_id]
