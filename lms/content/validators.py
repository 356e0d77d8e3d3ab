"""Checks of each kind of content document, building model objects.

Every check records its errors in the file's :class:`FileContext` and returns the object (or
``None`` when the document is unusable). References to other files (skills, lessons, quizzes,
scenarios, courses) are collected as :class:`Reference` values and resolved by the loader once
every file has been read.

Course item kinds and path item kinds are small registries here (:data:`COURSE_ITEMS`,
:data:`PATH_ITEMS`); question kinds and node kinds are defined once each in
:mod:`lms.content.kinds` (:data:`QUESTION_KINDS`, :data:`NODE_KINDS`), where a kind is one object
that knows its keys and how to check and build itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import checks as c
from .checks import FileContext, Reference, Refs  # noqa: F401  (Reference: public name)
from .errors import Place, show
from .kinds import NODE_KINDS, QUESTION_KINDS
from .kinds.choices import MAX_CHOICES, MIN_CHOICES  # noqa: F401
from .kinds.nodes import MAX_RUBRIC_LINES, MAX_SCENARIO_CHOICES  # noqa: F401
from .model import (
    DEFAULT_LANGUAGE,
    Course,
    CourseItem,
    Framework,
    Lesson,
    Module,
    Node,
    Path,
    PathItem,
    Persona,
    Phase,
    Question,
    Quiz,
    Scenario,
    Skill,
    Text,
)


def did_you_mean(value: str, candidates) -> str:
    close = difflib.get_close_matches(value, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {show(close[0])}?)" if close else ""


def _language(ctx: FileContext, doc: dict) -> None:
    if "language" in doc:
        ctx.language = c.locale(ctx, ("language",), doc["language"]) or DEFAULT_LANGUAGE
    else:
        ctx.language = DEFAULT_LANGUAGE


def _file_id(ctx: FileContext, doc: dict, expected: str | None, what: str) -> str | None:
    value = c.identifier(ctx, ("id",), doc.get("id")) if "id" in doc else None
    if value is not None and expected is not None and value != expected:
        ctx.error(("id",), f"id {show(value)} does not match the {what} name {show(expected)}")
    return value


_optional_text = c.optional_text


def _skill_refs(refs: Refs, ctx: FileContext, place: Place, skills) -> None:
    for index, skill in enumerate(skills):
        refs.append(Reference(ctx, place + (index,), "skill", skill))


_weight_refs = c.weight_refs


# --- skills.yaml --------------------------------------------------------------------------------


def check_framework(ctx: FileContext, data: Any) -> Framework | None:
    doc = c.mapping(
        ctx, (), data, ("framework", "title", "skills"), ("language",), "a skill framework mapping"
    )
    if doc is None:
        return None
    _language(ctx, doc)
    framework_id = c.identifier(ctx, ("framework",), doc.get("framework"), "framework id")
    title = _optional_text(ctx, doc, (), "title")
    skills: list[Skill] = []
    seen: set[str] = set()
    items = c.list_of(ctx, ("skills",), doc.get("skills"), min_len=1, what="skills")
    for index, raw in enumerate(items or ()):
        place: Place = ("skills", index)
        entry = c.mapping(ctx, place, raw, ("id", "name"), ("group", "description"))
        if entry is None:
            continue
        skill_id = c.identifier(ctx, place + ("id",), entry.get("id"), "skill id")
        if skill_id is not None and skill_id in seen:
            ctx.error(place + ("id",), f"duplicate skill id {show(skill_id)}")
            skill_id = None
        name = _optional_text(ctx, entry, place, "name")
        group = c.string(ctx, place + ("group",), entry["group"]) if "group" in entry else None
        description = _optional_text(ctx, entry, place, "description")
        if skill_id is None or name is None:
            continue
        seen.add(skill_id)
        skills.append(Skill(skill_id, name, group, description))
    if framework_id is None or title is None or items is None:
        return None
    return Framework(framework_id, title, tuple(skills), ctx.language)


def skill_ids_of(data: Any) -> frozenset[str]:
    """The well-formed skill ids of a skills.yaml document, even one with errors."""
    skills = data.get("skills") if isinstance(data, dict) else None
    if not isinstance(skills, list):
        return frozenset()
    return frozenset(
        entry["id"]
        for entry in skills
        if isinstance(entry, dict)
        and isinstance(entry.get("id"), str)
        and c.ID_RE.match(entry["id"])
    )


# --- course.yaml --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseItemKind:
    """An entry of a module's ``items``: ``{lesson: id}``, ``{quiz: id}``, ``{scenario: id}``."""

    name: str
    reference: str  # Reference.kind
    where: str  # for messages


COURSE_ITEMS: dict[str, CourseItemKind] = {
    "lesson": CourseItemKind("lesson", "lesson-file", "a lesson file in this folder"),
    "quiz": CourseItemKind("quiz", "quiz-file", "a quiz file in this folder"),
    "scenario": CourseItemKind("scenario", "scenario", "a scenario in scenarios/"),
}


def check_course(ctx: FileContext, data: Any, folder: str, refs: Refs) -> Course | None:
    doc = c.mapping(
        ctx,
        (),
        data,
        ("id", "title", "modules"),
        ("summary", "language", "skills"),
        "a course mapping",
    )
    if doc is None:
        return None
    _language(ctx, doc)
    course_id = _file_id(ctx, doc, folder, "folder")
    title = _optional_text(ctx, doc, (), "title")
    summary = _optional_text(ctx, doc, (), "summary")
    skills = c.id_list(ctx, ("skills",), doc["skills"]) if "skills" in doc else ()
    _skill_refs(refs, ctx, ("skills",), skills)
    modules: list[Module] = []
    seen: dict[tuple[str, str], Place] = {}
    raw_modules = c.list_of(ctx, ("modules",), doc.get("modules"), min_len=1, what="modules")
    for m_index, raw_module in enumerate(raw_modules or ()):
        m_place: Place = ("modules", m_index)
        module = c.mapping(ctx, m_place, raw_module, ("title", "items"))
        if module is None:
            continue
        m_title = _optional_text(ctx, module, m_place, "title")
        items: list[CourseItem] = []
        raw_items = c.list_of(ctx, m_place + ("items",), module.get("items"), min_len=1)
        for i_index, raw_item in enumerate(raw_items or ()):
            item = _course_item(ctx, m_place + ("items", i_index), raw_item, folder, refs, seen)
            if item is not None:
                items.append(item)
        if m_title is not None:
            modules.append(Module(m_title, tuple(items)))
    if course_id is None or title is None or raw_modules is None:
        return None
    return Course(course_id, title, tuple(modules), summary, ctx.language, skills)


def _course_item(
    ctx: FileContext, place: Place, raw: Any, folder: str, refs: Refs, seen: dict
) -> CourseItem | None:
    if not isinstance(raw, dict):
        ctx.error(place, f"expected a mapping such as {{lesson: id}}, found {c.describe(raw)}")
        return None
    kinds = [key for key in raw if key in COURSE_ITEMS]
    for key in raw:
        if key not in COURSE_ITEMS:
            ctx.error(place + (key,), c.unknown_key_message(key, COURSE_ITEMS))
    if len(kinds) != 1:
        found = ", ".join(show(k) for k in kinds) or "none"
        ctx.error(place, f"an item names exactly one of lesson, quiz, scenario; found {found}")
        return None
    kind = COURSE_ITEMS[kinds[0]]
    ref = c.identifier(ctx, place + (kind.name,), raw[kind.name], f"{kind.name} id")
    if ref is None:
        return None
    if (kind.name, ref) in seen:
        ctx.error(place + (kind.name,), f"{kind.name} {show(ref)} is listed twice in this course")
        return None
    seen[(kind.name, ref)] = place
    refs.append(Reference(ctx, place + (kind.name,), kind.reference, ref, folder))
    return CourseItem(kind.name, ref)


# --- lessons ------------------------------------------------------------------------------------

LESSON_KEYS = ("id", "title")
LESSON_OPTIONAL = ("skills", "minutes")


def check_lesson(
    ctx: FileContext,
    front: Any,
    body: str,
    expected_id: str,
    course_id: str,
    refs: Refs,
) -> Lesson | None:
    doc = c.mapping(ctx, (), front, LESSON_KEYS, LESSON_OPTIONAL, "a front matter mapping")
    if doc is None:
        return None
    lesson_id = _file_id(ctx, doc, expected_id, "file")
    title = _optional_text(ctx, doc, (), "title")
    skills = c.id_list(ctx, ("skills",), doc["skills"]) if "skills" in doc else ()
    _skill_refs(refs, ctx, ("skills",), skills)
    minutes = None
    if "minutes" in doc:
        minutes = c.number(ctx, ("minutes",), doc["minutes"], low=1, integer=True)
    if not body.strip():
        ctx.error(("body",), "the lesson has no body after its front matter")
        return None
    if lesson_id is None or title is None:
        return None
    return Lesson(
        lesson_id,
        course_id,
        title,
        Text({ctx.language: body}),
        skills,
        minutes,  # type: ignore[arg-type]
        ctx.language,
    )


def check_lesson_variant(
    ctx: FileContext, front: Any, body: str, expected_id: str, locale: str
) -> tuple[str | None, str] | None:
    """A ``<lesson-id>.<locale>.md`` file: returns (title or None, body)."""
    if not isinstance(front, dict):
        ctx.error((), f"expected a front matter mapping, found {c.describe(front)}")
        return None
    for key in front:
        if key in LESSON_OPTIONAL:
            ctx.error(
                (key,),
                f"{show(key)} comes from the plain lesson file; "
                "a locale variant sets only 'id' and 'title'",
            )
        elif key not in LESSON_KEYS:
            ctx.error((key,), c.unknown_key_message(key, LESSON_KEYS))
    if "id" not in front:
        ctx.error((), "required key 'id' is missing")
    lesson_id = _file_id(ctx, front, expected_id, "file")
    title = None
    if "title" in front:
        title = c.string(ctx, ("title",), front["title"], f"a plain string in {show(locale)}")
    if not body.strip():
        ctx.error(("body",), "the lesson has no body after its front matter")
        return None
    if lesson_id is None:
        return None
    return title, body


# --- quizzes ------------------------------------------------------------------------------------

QUESTION_COMMON_REQUIRED = ("id", "kind", "prompt", "skills")
QUESTION_COMMON_OPTIONAL = ("explanation",)


def check_quiz(
    ctx: FileContext, data: Any, expected_id: str, course_id: str, refs: Refs
) -> Quiz | None:
    doc = c.mapping(
        ctx,
        (),
        data,
        ("id", "title", "pass_score", "questions"),
        (
            "language",
            "max_attempts",
            "shuffle",
            "draw",
            "time_limit_minutes",
            "retake_wait_hours",
            "retake_lesson",
        ),
        "a quiz mapping",
    )
    if doc is None:
        return None
    _language(ctx, doc)
    quiz_id = _file_id(ctx, doc, expected_id, "file")
    title = _optional_text(ctx, doc, (), "title")
    pass_score = None
    if "pass_score" in doc:
        pass_score = c.number(ctx, ("pass_score",), doc["pass_score"], low=0, high=100)
    max_attempts = 0
    if "max_attempts" in doc and doc["max_attempts"] is not None:
        max_attempts = c.number(ctx, ("max_attempts",), doc["max_attempts"], low=0, integer=True)
    shuffle = False
    if "shuffle" in doc:
        shuffle = c.boolean(ctx, ("shuffle",), doc["shuffle"])
    time_limit = None
    if "time_limit_minutes" in doc:
        time_limit = c.number(
            ctx, ("time_limit_minutes",), doc["time_limit_minutes"], low=1, integer=True
        )
    retake_wait = None
    if "retake_wait_hours" in doc:
        retake_wait = c.number(
            ctx, ("retake_wait_hours",), doc["retake_wait_hours"], low=1, high=720, integer=True
        )
    retake_lesson = None
    if "retake_lesson" in doc:
        retake_lesson = c.identifier(ctx, ("retake_lesson",), doc["retake_lesson"], "lesson id")
        if retake_lesson is not None:
            refs.append(Reference(ctx, ("retake_lesson",), "lesson-file", retake_lesson, course_id))

    questions: list[Question] = []
    seen: set[str] = set()
    raw_questions = c.list_of(
        ctx, ("questions",), doc.get("questions"), min_len=1, what="questions"
    )
    for index, raw in enumerate(raw_questions or ()):
        question = _question(ctx, ("questions", index), raw, refs, seen)
        if question is not None:
            questions.append(question)

    draw = None
    if "draw" in doc:
        high = len(raw_questions) if raw_questions else None
        draw = c.number(ctx, ("draw",), doc["draw"], low=1, high=high, integer=True)
        if draw is not None and high is None:
            draw = None
    if None in (quiz_id, title, pass_score, max_attempts, shuffle, raw_questions) or (
        ("time_limit_minutes" in doc and time_limit is None)
        or ("retake_wait_hours" in doc and retake_wait is None)
        or ("retake_lesson" in doc and retake_lesson is None)
    ):
        return None
    return Quiz(
        quiz_id,  # type: ignore[arg-type]
        course_id,
        title,  # type: ignore[arg-type]
        pass_score,  # type: ignore[arg-type]
        tuple(questions),
        ctx.language,
        max_attempts,  # type: ignore[arg-type]
        shuffle,  # type: ignore[arg-type]
        draw,  # type: ignore[arg-type]
        time_limit,  # type: ignore[arg-type]
        retake_wait,  # type: ignore[arg-type]
        retake_lesson,
    )


def _question(
    ctx: FileContext, place: Place, raw: Any, refs: Refs, seen: set[str]
) -> Question | None:
    if not isinstance(raw, dict):
        ctx.error(place, f"expected a question mapping, found {c.describe(raw)}")
        return None
    kind_name = raw.get("kind")
    kind = QUESTION_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if "kind" not in raw:
        ctx.error(place, "required key 'kind' is missing")
    elif kind is None:
        names = ", ".join(QUESTION_KINDS)
        ctx.error(place + ("kind",), f"unknown question kind {show(kind_name)}; use one of {names}")
    _check_keys(
        ctx,
        place,
        raw,
        QUESTION_COMMON_REQUIRED,
        QUESTION_COMMON_OPTIONAL,
        kind,
        QUESTION_KINDS,
        "question",
    )
    question_id = (
        c.identifier(ctx, place + ("id",), raw["id"], "question id") if "id" in raw else None
    )
    if question_id is not None:
        if question_id in seen:
            ctx.error(place + ("id",), f"duplicate question id {show(question_id)}")
            question_id = None
        else:
            seen.add(question_id)
    prompt = _optional_text(ctx, raw, place, "prompt")
    explanation = _optional_text(ctx, raw, place, "explanation")
    skills: dict[str, int | float] = {}
    if "skills" in raw:
        skills = c.weights(ctx, place + ("skills",), raw["skills"], positive=True, min_len=1)
        _weight_refs(refs, ctx, place + ("skills",), skills)
    if kind is None:
        return None
    built = kind.build(
        ctx,
        place,
        raw,
        {"id": question_id, "prompt": prompt, "skills": skills, "explanation": explanation},
        refs,
    )
    if built is None or question_id is None or prompt is None or not skills:
        return None
    return built


def _check_keys(
    ctx: FileContext,
    place: Place,
    raw: dict,
    common_required: tuple[str, ...],
    common_optional: tuple[str, ...],
    kind,
    registry: dict,
    what: str,
) -> None:
    """Unknown keys of a registry-typed mapping, with a kind-aware message."""
    allowed = set(common_required) | set(common_optional)
    other: set[str] = set()
    for candidate in registry.values():
        keys = set(candidate.required) | set(candidate.optional)
        if candidate is kind:
            allowed |= keys
        else:
            other |= keys
    for key in raw:
        if key in allowed:
            continue
        if kind is not None and key in other:
            ctx.error(
                place + (key,),
                f"{show(key)} does not belong in a {kind.name} {what} ({kind.hint})",
            )
        elif kind is None and key in other:
            continue
        else:
            ctx.error(place + (key,), c.unknown_key_message(key, allowed | other))
    for key in common_required:
        if key not in raw and key != "kind":
            ctx.error(place, f"required key {show(key)} is missing")
    if kind is not None:
        for key in kind.required:
            if key not in raw:
                ctx.error(place, f"required key {show(key)} is missing ({kind.hint})")


# --- scenarios ----------------------------------------------------------------------------------


def check_scenario(ctx: FileContext, data: Any, expected_id: str, refs: Refs) -> Scenario | None:
    doc = c.mapping(
        ctx,
        (),
        data,
        ("id", "title", "pass_score", "start", "nodes", "skills"),
        ("language", "summary", "persona", "difficulty"),
        "a scenario mapping",
    )
    if doc is None:
        return None
    _language(ctx, doc)
    scenario_id = _file_id(ctx, doc, expected_id, "file")
    title = _optional_text(ctx, doc, (), "title")
    summary = _optional_text(ctx, doc, (), "summary")
    pass_score = None
    if "pass_score" in doc:
        pass_score = c.number(ctx, ("pass_score",), doc["pass_score"], low=0, high=100)
    difficulty = None
    if "difficulty" in doc:
        difficulty = c.number(ctx, ("difficulty",), doc["difficulty"], low=1, high=3, integer=True)
    skills = c.id_list(ctx, ("skills",), doc["skills"]) if "skills" in doc else ()
    _skill_refs(refs, ctx, ("skills",), skills)
    persona = _persona(ctx, doc["persona"]) if "persona" in doc else None

    nodes: dict[str, Node] = {}
    raw_nodes = doc.get("nodes")
    if "nodes" in doc:
        if not isinstance(raw_nodes, dict):
            ctx.error(
                ("nodes",), f"expected a mapping of node id to node, found {c.describe(raw_nodes)}"
            )
            raw_nodes = None
        elif not raw_nodes:
            ctx.error(("nodes",), "a scenario has at least one node")
    for node_id, raw in (raw_nodes or {}).items():
        node = _node(ctx, ("nodes", node_id), node_id, raw, skills, refs)
        if node is not None:
            nodes[node_id] = node

    start = None
    if "start" in doc:
        start = c.identifier(ctx, ("start",), doc["start"], "node id")
        if start is not None and isinstance(raw_nodes, dict) and start not in raw_nodes:
            ctx.error(("start",), f"unknown node {show(start)}" + did_you_mean(start, raw_nodes))
            start = None
    if isinstance(raw_nodes, dict):
        _check_graph(ctx, raw_nodes, nodes, start)

    if None in (scenario_id, title, pass_score, start) or not isinstance(raw_nodes, dict):
        return None
    if len(nodes) != len(raw_nodes) or ("difficulty" in doc and difficulty is None):
        return None
    return Scenario(
        scenario_id,  # type: ignore[arg-type]
        title,  # type: ignore[arg-type]
        pass_score,  # type: ignore[arg-type]
        start,  # type: ignore[arg-type]
        nodes,
        ctx.language,
        summary,
        skills,
        persona,
        difficulty,  # type: ignore[arg-type]
    )


def _persona(ctx: FileContext, raw: Any) -> Persona | None:
    entry = c.mapping(ctx, ("persona",), raw, ("name",), ("role", "context", "company", "industry"))
    if entry is None:
        return None
    place: Place = ("persona",)
    name = _optional_text(ctx, entry, place, "name")
    role = _optional_text(ctx, entry, place, "role")
    context = _optional_text(ctx, entry, place, "context")
    company = _optional_text(ctx, entry, place, "company")
    industry = _optional_text(ctx, entry, place, "industry")
    if name is None:
        return None
    return Persona(name, role, context, company, industry)


def _node(
    ctx: FileContext, place: Place, node_id: Any, raw: Any, skills: tuple[str, ...], refs: Refs
) -> Node | None:
    node_id = c.identifier(ctx, place, node_id, "node id")
    if not isinstance(raw, dict):
        ctx.error(place, f"expected a node mapping, found {c.describe(raw)}")
        return None
    kinds = [kind for kind in NODE_KINDS.values() if kind.marker in raw]
    kind = kinds[0] if len(kinds) == 1 else None
    if not kinds:
        ctx.error(
            place,
            "the node does not lead on and does not end: give it 'choices', "
            "'open: true' with a rubric and 'next', or 'end'",
        )
    elif len(kinds) > 1:
        markers = " and ".join(show(k.marker) for k in kinds)
        ctx.error(place, f"a node is one kind only: it has both {markers}")
    _check_keys(ctx, place, raw, ("say",), (), kind, NODE_KINDS, "node")
    say = _optional_text(ctx, raw, place, "say")
    if kind is None or node_id is None:
        return None
    return kind.build(ctx, place, node_id, raw, say, skills, refs)


def _check_graph(
    ctx: FileContext, raw_nodes: dict, nodes: dict[str, Node], start: str | None
) -> None:
    """Every ``next`` names a node, every node is reachable, no cycle, a success end."""
    edges: dict[str, list[str]] = {}
    for node_id, raw in raw_nodes.items():
        targets: list[str] = []
        for place, target in _raw_nexts(raw):
            if not isinstance(target, str) or not c.ID_RE.match(target):
                continue  # reported by the node check
            if target not in raw_nodes:
                ctx.error(
                    ("nodes", node_id) + place,
                    f"unknown node {show(target)}" + did_you_mean(target, raw_nodes),
                )
                continue
            targets.append(target)
        edges[node_id] = targets

    if start is not None:
        reached = {start}
        todo = [start]
        while todo:
            for target in edges.get(todo.pop(), ()):
                if target not in reached:
                    reached.add(target)
                    todo.append(target)
        for node_id in raw_nodes:
            if node_id not in reached:
                ctx.error(
                    ("nodes", node_id),
                    f"node {show(node_id)} is not reachable from start {show(start)}",
                )

    cycle = find_cycle(list(raw_nodes), lambda n: edges.get(n, ()))
    if cycle:
        shown = " -> ".join(cycle + [cycle[0]])
        ctx.error(("nodes", cycle[0]), f"the nodes form a cycle: {shown}")

    ends = [node for node in nodes.values() if node.kind == "end"]
    if raw_nodes and not any(node.end == "success" for node in ends):
        has_success = any(
            isinstance(raw, dict) and raw.get("end") == "success" for raw in raw_nodes.values()
        )
        if not has_success:
            ctx.error(("nodes",), "no end node is 'success'; a scenario has at least one")


def _raw_nexts(raw: Any):
    if not isinstance(raw, dict):
        return
    choices = raw.get("choices")
    if isinstance(choices, list):
        for index, choice in enumerate(choices):
            if isinstance(choice, dict) and "next" in choice:
                yield ("choices", index, "next"), choice["next"]
    if "next" in raw and "choices" not in raw:
        yield ("next",), raw["next"]


def find_cycle(nodes: list[str], successors: Callable[[str], Any]) -> list[str] | None:
    """One cycle of a directed graph as a list of nodes, or None (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(nodes, WHITE)
    for root in nodes:
        if colour[root] != WHITE:
            continue
        stack: list[tuple[str, Any]] = [(root, iter(successors(root)))]
        colour[root] = GREY
        while stack:
            node, children = stack[-1]
            for child in children:
                if colour.get(child, BLACK) == GREY:
                    path = [entry[0] for entry in stack]
                    return path[path.index(child) :]
                if colour.get(child) == WHITE:
                    colour[child] = GREY
                    stack.append((child, iter(successors(child))))
                    break
            else:
                colour[node] = BLACK
                stack.pop()
    return None


# --- paths --------------------------------------------------------------------------------------


class PathItemKind:
    """One kind of onboarding path item, named by its key (``course: id``, ``task: {...}``)."""

    name = ""
    reference: str | None = None  # Reference.kind for an id value
    day_key = "due_day"
    has_min_score = False

    def build(self, ctx: FileContext, place: Place, raw: Any, refs: Refs) -> dict | None:
        """The kind-specific fields of the PathItem, from the value of the kind's key."""
        ref = c.identifier(ctx, place, raw, f"{self.name} id")
        if ref is None:
            return None
        refs.append(Reference(ctx, place, self.reference or self.name, ref))
        return {"ref": ref}


class RefItemKind(PathItemKind):
    def __init__(self, name: str, has_min_score: bool) -> None:
        self.name = name
        self.reference = name
        self.has_min_score = has_min_score


class TaskItemKind(PathItemKind):
    name = "task"

    def build(self, ctx, place, raw, refs):
        entry = c.mapping(
            ctx, place, raw, ("title",), ("description",), "a task mapping {title, description}"
        )
        if entry is None:
            return None
        title = _optional_text(ctx, entry, place, "title")
        description = _optional_text(ctx, entry, place, "description")
        if title is None:
            return None
        return {"title": title, "description": description}


class CheckinItemKind(PathItemKind):
    name = "checkin"
    day_key = "day"

    def build(self, ctx, place, raw, refs):
        entry = c.mapping(ctx, place, raw, ("title",), (), "a check-in mapping {title}")
        if entry is None:
            return None
        title = _optional_text(ctx, entry, place, "title")
        return None if title is None else {"title": title}


PATH_ITEMS: dict[str, PathItemKind] = {
    kind.name: kind
    for kind in (
        RefItemKind("course", has_min_score=False),
        RefItemKind("lesson", has_min_score=False),
        RefItemKind("quiz", has_min_score=True),
        RefItemKind("scenario", has_min_score=True),
        TaskItemKind(),
        CheckinItemKind(),
    )
}


def check_path(ctx: FileContext, data: Any, expected_id: str, refs: Refs) -> Path | None:
    doc = c.mapping(ctx, (), data, ("id", "title", "phases"), ("language",), "a path mapping")
    if doc is None:
        return None
    _language(ctx, doc)
    path_id = _file_id(ctx, doc, expected_id, "file")
    title = _optional_text(ctx, doc, (), "title")
    phases: list[Phase] = []
    phase_ids: set[str] = set()
    item_ids: set[str] = set()
    previous_until = 0
    ok = True
    raw_phases = c.list_of(ctx, ("phases",), doc.get("phases"), min_len=1, what="phases")
    for index, raw in enumerate(raw_phases or ()):
        place: Place = ("phases", index)
        entry = c.mapping(
            ctx, place, raw, ("id", "title", "until_day"), ("goals", "targets", "items")
        )
        if entry is None:
            ok = False
            continue
        phase_id = (
            c.identifier(ctx, place + ("id",), entry["id"], "phase id") if "id" in entry else None
        )
        if phase_id is not None:
            if phase_id in phase_ids:
                ctx.error(place + ("id",), f"duplicate phase id {show(phase_id)}")
                phase_id = None
            else:
                phase_ids.add(phase_id)
        p_title = _optional_text(ctx, entry, place, "title")
        goals = _optional_text(ctx, entry, place, "goals")
        until = None
        if "until_day" in entry:
            until = c.number(ctx, place + ("until_day",), entry["until_day"], low=1, integer=True)
            if until is not None and until <= previous_until:
                ctx.error(
                    place + ("until_day",),
                    f"until_day {show(until)} must be greater than the previous phase's "
                    f"{show(previous_until)} (phases end on strictly increasing days)",
                )
                until = None
        targets: dict[str, int | float] = {}
        if "targets" in entry:
            targets = c.weights(ctx, place + ("targets",), entry["targets"], False, low=0, high=100)
            _weight_refs(refs, ctx, place + ("targets",), targets)
        first_day = previous_until + 1
        items: list[PathItem] = []
        raw_items = c.list_of(ctx, place + ("items",), entry["items"]) if "items" in entry else []
        for i_index, raw_item in enumerate(raw_items or ()):
            item = _path_item(
                ctx,
                place + ("items", i_index),
                raw_item,
                refs,
                item_ids,
                first_day,
                until,
                phase_id,
            )
            if item is None:
                ok = False
            else:
                items.append(item)
        if until is not None:
            previous_until = until
        if phase_id is None or p_title is None or until is None:
            ok = False
            continue
        phases.append(Phase(phase_id, p_title, until, tuple(items), goals, targets))
    if not ok or path_id is None or title is None or raw_phases is None:
        return None
    return Path(path_id, title, tuple(phases), ctx.language)


def _path_item(
    ctx: FileContext,
    place: Place,
    raw: Any,
    refs: Refs,
    item_ids: set[str],
    first_day: int,
    last_day: int | None,
    phase_id: str | None,
) -> PathItem | None:
    if not isinstance(raw, dict):
        ctx.error(place, f"expected a path item mapping, found {c.describe(raw)}")
        return None
    allowed = {"id", "due_day", "min_score", "day", *PATH_ITEMS}
    for key in raw:
        if key not in allowed:
            ctx.error(place + (key,), c.unknown_key_message(key, allowed))
    item_id = c.identifier(ctx, place + ("id",), raw["id"], "item id") if "id" in raw else None
    if "id" not in raw:
        ctx.error(place, "required key 'id' is missing")
    if item_id is not None:
        if item_id in item_ids:
            ctx.error(place + ("id",), f"duplicate item id {show(item_id)} in this path")
            item_id = None
        else:
            item_ids.add(item_id)
    kinds = [key for key in raw if key in PATH_ITEMS]
    if len(kinds) != 1:
        found = ", ".join(show(k) for k in kinds) or "none"
        ctx.error(
            place,
            f"an item is exactly one of {', '.join(PATH_ITEMS)}; found {found}",
        )
        return None
    kind = PATH_ITEMS[kinds[0]]
    fields = kind.build(ctx, place + (kind.name,), raw[kind.name], refs)
    ok = fields is not None
    days: dict[str, int | None] = {"due_day": None, "day": None}
    for key in ("due_day", "day"):
        if key not in raw:
            continue
        if key != kind.day_key:
            ctx.error(
                place + (key,),
                f"a {kind.name} item has {show(kind.day_key)}, not {show(key)}",
            )
            ok = False
            continue
        day = c.number(ctx, place + (key,), raw[key], low=1, integer=True)
        if day is None:
            ok = False
            continue
        if day < first_day or (last_day is not None and day > last_day):
            span = f"days {first_day} to {last_day}" if last_day is not None else "its days"
            name = show(phase_id) if phase_id else "its phase"
            ctx.error(place + (key,), f"{key} {show(day)} is not inside phase {name} ({span})")
            ok = False
            continue
        days[key] = day  # type: ignore[assignment]
    min_score = None
    if "min_score" in raw:
        if not kind.has_min_score:
            ctx.error(
                place + ("min_score",),
                f"a {kind.name} item has no 'min_score' (only quiz and scenario items)",
            )
            ok = False
        else:
            min_score = c.number(ctx, place + ("min_score",), raw["min_score"], low=0, high=100)
            ok = ok and min_score is not None
    if not ok or item_id is None:
        return None
    return PathItem(
        item_id,
        kind.name,
        due_day=days["due_day"],
        day=days["day"],
        min_score=min_score,
        **fields,  # type: ignore[arg-type]
    )
