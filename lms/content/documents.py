"""Canonical documents of content objects: for versioned storage (JSON) and ``lms export``.

``to_document(obj)`` gives the file-format dict of a framework, course, lesson, quiz, scenario or
path, with every text as a locale map and optional fields left out when unset. Two storage-only
keys make a document self-contained: ``course`` (the folder) in quizzes and lessons, and
``language`` and ``body`` (a locale map) in lessons; :func:`write_tree` leaves them out of the
files. ``from_document(kind, doc)`` is the inverse. ``content_hash`` is the SHA-256 of the
canonical JSON, so equal content has equal hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

import yaml

from .kinds import NODE_KINDS, node_kind, question_kind
from .kinds.base import optional_text_of, put, text_doc, text_of
from .model import (
    DEFAULT_LANGUAGE,
    ContentTree,
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
)

KINDS = ("framework", "course", "lesson", "quiz", "scenario", "path")


_text = text_doc
_put = put


# --- to documents -------------------------------------------------------------------------------


def _framework_doc(framework: Framework) -> dict:
    skills = []
    for skill in framework.skills:
        entry: dict[str, Any] = {"id": skill.id, "name": _text(skill.name)}
        _put(entry, "group", skill.group)
        _put(entry, "description", skill.description)
        skills.append(entry)
    return {
        "framework": framework.id,
        "title": _text(framework.title),
        "language": framework.language,
        "skills": skills,
    }


def _course_doc(course: Course) -> dict:
    doc: dict[str, Any] = {
        "id": course.id,
        "title": _text(course.title),
        "language": course.language,
        "skills": list(course.skills),
        "modules": [
            {
                "title": _text(module.title),
                "items": [{item.kind: item.ref} for item in module.items],
            }
            for module in course.modules
        ],
    }
    _put(doc, "summary", course.summary)
    return doc


def _lesson_doc(lesson: Lesson) -> dict:
    doc: dict[str, Any] = {
        "id": lesson.id,
        "course": lesson.course_id,
        "language": lesson.language,
        "title": _text(lesson.title),
        "body": _text(lesson.body),
        "skills": list(lesson.skills),
    }
    _put(doc, "minutes", lesson.minutes)
    return doc


def _question_doc(question: Question) -> dict:
    doc: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "prompt": _text(question.prompt),
        "skills": dict(question.skills),
    }
    _put(doc, "explanation", question.explanation)
    doc.update(question_kind(question).to_doc(question))
    return doc


def _quiz_doc(quiz: Quiz) -> dict:
    doc: dict[str, Any] = {
        "id": quiz.id,
        "course": quiz.course_id,
        "title": _text(quiz.title),
        "language": quiz.language,
        "pass_score": quiz.pass_score,
        "max_attempts": quiz.max_attempts,
        "shuffle": quiz.shuffle,
        "questions": [_question_doc(question) for question in quiz.questions],
    }
    _put(doc, "draw", quiz.draw)
    _put(doc, "time_limit_minutes", quiz.time_limit_minutes)
    _put(doc, "retake_wait_hours", quiz.retake_wait_hours)
    _put(doc, "retake_lesson", quiz.retake_lesson)
    return doc


def _node_doc(node: Node) -> dict:
    doc: dict[str, Any] = {"say": _text(node.say)}
    doc.update(node_kind(node).to_doc(node))
    return doc


def _scenario_doc(scenario: Scenario) -> dict:
    doc: dict[str, Any] = {
        "id": scenario.id,
        "title": _text(scenario.title),
        "language": scenario.language,
        "skills": list(scenario.skills),
        "pass_score": scenario.pass_score,
        "start": scenario.start,
        "nodes": {node_id: _node_doc(node) for node_id, node in scenario.nodes.items()},
    }
    _put(doc, "summary", scenario.summary)
    _put(doc, "difficulty", scenario.difficulty)
    if scenario.persona is not None:
        persona: dict[str, Any] = {"name": _text(scenario.persona.name)}
        for key in ("role", "context", "company", "industry"):
            _put(persona, key, getattr(scenario.persona, key))
        doc["persona"] = persona
    return doc


def _path_item_doc(item: PathItem) -> dict:
    doc: dict[str, Any] = {"id": item.id}
    if item.kind == "task":
        task: dict[str, Any] = {"title": _text(item.title)}  # type: ignore[arg-type]
        _put(task, "description", item.description)
        doc["task"] = task
    elif item.kind == "checkin":
        doc["checkin"] = {"title": _text(item.title)}  # type: ignore[arg-type]
    else:
        doc[item.kind] = item.ref
    _put(doc, "due_day", item.due_day)
    _put(doc, "day", item.day)
    _put(doc, "min_score", item.min_score)
    return doc


def _path_doc(path: Path) -> dict:
    phases = []
    for phase in path.phases:
        entry: dict[str, Any] = {
            "id": phase.id,
            "title": _text(phase.title),
            "until_day": phase.until_day,
            "items": [_path_item_doc(item) for item in phase.items],
        }
        _put(entry, "goals", phase.goals)
        if phase.targets:
            entry["targets"] = dict(phase.targets)
        phases.append(entry)
    return {"id": path.id, "title": _text(path.title), "language": path.language, "phases": phases}


_TO_DOC: dict[type, tuple[str, Callable[[Any], dict]]] = {
    Framework: ("framework", _framework_doc),
    Course: ("course", _course_doc),
    Lesson: ("lesson", _lesson_doc),
    Quiz: ("quiz", _quiz_doc),
    Scenario: ("scenario", _scenario_doc),
    Path: ("path", _path_doc),
}


def kind_of(obj: object) -> str:
    """``framework``, ``course``, ``lesson``, ``quiz``, ``scenario`` or ``path``."""
    try:
        return _TO_DOC[type(obj)][0]
    except KeyError:
        raise TypeError(f"not a content object: {type(obj).__name__}") from None


def to_document(obj: Framework | Course | Lesson | Quiz | Scenario | Path) -> dict:
    """The canonical document (plain dicts, lists, strings, numbers, booleans) of ``obj``."""
    try:
        return _TO_DOC[type(obj)][1](obj)
    except KeyError:
        raise TypeError(f"not a content object: {type(obj).__name__}") from None


# --- from documents -----------------------------------------------------------------------------


_t = text_of
_opt_t = optional_text_of


def _framework(doc: dict) -> Framework:
    skills = tuple(
        Skill(s["id"], _t(s["name"]), s.get("group"), _opt_t(s, "description"))
        for s in doc["skills"]
    )
    return Framework(
        doc["framework"], _t(doc["title"]), skills, doc.get("language", DEFAULT_LANGUAGE)
    )


def _course(doc: dict) -> Course:
    modules = []
    for module in doc["modules"]:
        items = []
        for item in module["items"]:
            ((kind, ref),) = item.items()
            items.append(CourseItem(kind, ref))
        modules.append(Module(_t(module["title"]), tuple(items)))
    return Course(
        doc["id"],
        _t(doc["title"]),
        tuple(modules),
        _opt_t(doc, "summary"),
        doc.get("language", DEFAULT_LANGUAGE),
        tuple(doc.get("skills", ())),
    )


def _lesson(doc: dict) -> Lesson:
    return Lesson(
        doc["id"],
        doc["course"],
        _t(doc["title"]),
        _t(doc["body"]),
        tuple(doc.get("skills", ())),
        doc.get("minutes"),
        doc.get("language", DEFAULT_LANGUAGE),
    )


def _question(doc: dict) -> Question:
    base = {
        "id": doc["id"],
        "prompt": _t(doc["prompt"]),
        "skills": dict(doc["skills"]),
        "explanation": _opt_t(doc, "explanation"),
    }
    return question_kind(doc["kind"]).from_doc(doc, base)


def _quiz(doc: dict) -> Quiz:
    return Quiz(
        doc["id"],
        doc["course"],
        _t(doc["title"]),
        doc["pass_score"],
        tuple(_question(q) for q in doc["questions"]),
        doc.get("language", DEFAULT_LANGUAGE),
        doc.get("max_attempts") or 0,
        bool(doc.get("shuffle", False)),
        doc.get("draw"),
        doc.get("time_limit_minutes"),
        doc.get("retake_wait_hours"),
        doc.get("retake_lesson"),
    )


def _node(node_id: str, doc: dict) -> Node:
    kinds = [kind for kind in NODE_KINDS.values() if kind.marker in doc]
    return kinds[0].from_doc(node_id, doc, _t(doc["say"]))


def _scenario(doc: dict) -> Scenario:
    persona = None
    if doc.get("persona") is not None:
        p = doc["persona"]
        persona = Persona(
            _t(p["name"]),
            _opt_t(p, "role"),
            _opt_t(p, "context"),
            _opt_t(p, "company"),
            _opt_t(p, "industry"),
        )
    return Scenario(
        doc["id"],
        _t(doc["title"]),
        doc["pass_score"],
        doc["start"],
        {node_id: _node(node_id, node) for node_id, node in doc["nodes"].items()},
        doc.get("language", DEFAULT_LANGUAGE),
        _opt_t(doc, "summary"),
        tuple(doc.get("skills", ())),
        persona,
        doc.get("difficulty"),
    )


def _path_item(doc: dict) -> PathItem:
    common = {
        "due_day": doc.get("due_day"),
        "day": doc.get("day"),
        "min_score": doc.get("min_score"),
    }
    if "task" in doc:
        task = doc["task"]
        return PathItem(
            doc["id"],
            "task",
            title=_t(task["title"]),
            description=_opt_t(task, "description"),
            **common,
        )
    if "checkin" in doc:
        return PathItem(doc["id"], "checkin", title=_t(doc["checkin"]["title"]), **common)
    for kind in ("course", "lesson", "quiz", "scenario"):
        if kind in doc:
            return PathItem(doc["id"], kind, ref=doc[kind], **common)
    raise ValueError(f"path item {doc.get('id')!r} has no kind")


def _path(doc: dict) -> Path:
    phases = tuple(
        Phase(
            ph["id"],
            _t(ph["title"]),
            ph["until_day"],
            tuple(_path_item(item) for item in ph.get("items", ())),
            _opt_t(ph, "goals"),
            dict(ph.get("targets", {})),
        )
        for ph in doc["phases"]
    )
    return Path(doc["id"], _t(doc["title"]), phases, doc.get("language", DEFAULT_LANGUAGE))


_FROM_DOC: dict[str, Callable[[dict], Any]] = {
    "framework": _framework,
    "course": _course,
    "lesson": _lesson,
    "quiz": _quiz,
    "scenario": _scenario,
    "path": _path,
}


def from_document(kind: str, doc: dict) -> Framework | Course | Lesson | Quiz | Scenario | Path:
    """The object of a document made by :func:`to_document`. Raises ValueError if malformed."""
    if kind not in _FROM_DOC:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    try:
        return _FROM_DOC[kind](doc)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"malformed {kind} document: {type(exc).__name__}: {exc}") from None


# --- hashing and YAML ---------------------------------------------------------------------------


def canonical_json(doc: Any) -> str:
    """Sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def content_hash(obj: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a content object or of a document."""
    doc = obj if isinstance(obj, dict) else to_document(obj)
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Safe dumper writing multi-line strings as literal blocks and indenting lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(doc: dict) -> str:
    """YAML text of a document: safe, keys sorted, Unicode as is, block style; stable."""
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )


# --- files --------------------------------------------------------------------------------------


def _variant_locales(lesson: Lesson) -> list[str]:
    return sorted(locale for locale in lesson.body.values if locale != lesson.language)


def dump_lesson(lesson: Lesson, locale: str | None = None) -> str:
    """A lesson file: front matter and body. ``locale`` (default: the lesson's language) picks
    the plain file or a ``<lesson-id>.<locale>.md`` variant."""
    locale = locale or lesson.language
    if locale == lesson.language:
        variants = set(_variant_locales(lesson))
        titles = {k: v for k, v in lesson.title.values.items() if k not in variants}
        front: dict[str, Any] = {
            "id": lesson.id,
            "title": titles or _text(lesson.title),
            "skills": list(lesson.skills),
        }
        _put(front, "minutes", lesson.minutes)
    else:
        front = {"id": lesson.id}
        if locale in lesson.title.values:
            front["title"] = lesson.title.values[locale]
    if locale not in lesson.body.values:
        raise ValueError(f"lesson {lesson.id!r} has no body in {locale!r}")
    return "---\n" + dump_yaml(front) + "---\n" + lesson.body.values[locale]


def _write(path: FsPath, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_tree(tree: ContentTree, directory: str | FsPath) -> FsPath:
    """Write ``tree`` as ``directory/courses/...`` and ``directory/scenarios/...``; returns
    ``directory`` (give it to ``load_tree``). Existing files are overwritten, others left."""
    root = FsPath(directory)
    courses = root / "courses"
    scenarios = root / "scenarios"
    courses.mkdir(parents=True, exist_ok=True)
    scenarios.mkdir(parents=True, exist_ok=True)
    if tree.framework is not None:
        _write(courses / "skills.yaml", dump_yaml(to_document(tree.framework)))
    for course in tree.courses.values():
        _write(courses / course.id / "course.yaml", dump_yaml(to_document(course)))
    for lesson in tree.lessons.values():
        folder = courses / lesson.course_id
        _write(folder / f"{lesson.id}.md", dump_lesson(lesson))
        for locale in _variant_locales(lesson):
            _write(folder / f"{lesson.id}.{locale}.md", dump_lesson(lesson, locale))
    for quiz in tree.quizzes.values():
        doc = to_document(quiz)
        del doc["course"]
        _write(courses / quiz.course_id / f"{quiz.id}.quiz.yaml", dump_yaml(doc))
    for path in tree.paths.values():
        _write(courses / "paths" / f"{path.id}.yaml", dump_yaml(to_document(path)))
    for scenario in tree.scenarios.values():
        _write(scenarios / f"{scenario.id}.yaml", dump_yaml(to_document(scenario)))
    return root
