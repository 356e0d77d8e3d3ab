"""The path editor's services: an onboarding path as a draft document (phases with their days,
goals and targets; items with their due days), checked live with the importer's rules plus
"teach before test", and published as a new version. Enrolled hires keep the version they are
pinned to until someone moves them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from lms.authoring import drafting
from lms.authoring.drafting import EditorError, read_number, split_place
from lms.authoring.messages import trainer_message
from lms.content import store
from lms.content.checking import StoredContext, check_document, stored_context
from lms.content.forms import markdown_problem
from lms.content.kinds.editing import read_text, text_values
from lms.content.model import Path, Text
from lms.content.validators import PATH_ITEMS
from lms.core.forms import GENERAL, Problems
from lms.onboarding.status import content_titles
from lms.people.models import User

KIND = "path"
#: The items a trainer can add, by the key that names them in a path file.
REF_KINDS = tuple(name for name in ("lesson", "course", "quiz", "scenario") if name in PATH_ITEMS)
TEACHING = ("lesson", "course")
TESTING = ("quiz", "scenario")
MAX_PHASES = 12
MAX_ITEMS = 60


class Editing(drafting.Editing):
    """A path as the editor shows it."""

    @property
    def file(self) -> str:
        return f"courses/paths/{self.slug}.yaml"

    @property
    def phases(self) -> list[dict[str, Any]]:
        return [p for p in self.document.get("phases") or () if isinstance(p, dict)]


def editing(slug: str) -> Editing | None:
    """The path as the editor starts from it: its draft, else its live version; None if neither."""
    return drafting.load(KIND, slug, Editing)


def _weights(raw: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for line in (raw or "").replace(",", "\n").splitlines():
        name, _sep, value = line.partition(":")
        if name.strip():
            out[name.strip()] = read_number(value)
    return out


def phase_index(document: dict[str, Any], phase_id: str) -> int:
    for index, phase in enumerate(document.get("phases") or ()):
        if isinstance(phase, dict) and phase.get("id") == phase_id:
            return index
    raise EditorError(_("This phase is not in the path any more."))


def create(slug: str, titles: dict[str, str], *, actor: User) -> tuple[Editing | None, str]:
    """A new path draft (no phase yet); or a problem for the id or the title."""
    problem = drafting.id_problem(KIND, slug, _("Path id"))
    if problem:
        return None, problem
    if not titles:
        return None, trainer_message("must not be empty", _("Title"))
    document = {"id": slug, "title": titles, "language": "en", "phases": []}
    return drafting.start(KIND, document, Editing, actor=actor), ""


# --- phases ---------------------------------------------------------------------------------------


def phase_values(phase: dict[str, Any]) -> dict[str, Any]:
    targets = phase.get("targets") if isinstance(phase.get("targets"), dict) else {}
    return {
        "id": phase.get("id", ""),
        "title": text_values(phase.get("title")),
        "until_day": phase.get("until_day", ""),
        "goals": text_values(phase.get("goals")),
        "targets": "\n".join(f"{skill}: {value}" for skill, value in targets.items()),
    }


def apply_phase(document: dict[str, Any], phase_id: str | None, form: Any) -> dict[str, Any]:
    """The document with a phase added (``phase_id`` None) or its fields replaced."""
    doc = copy.deepcopy(document)
    phases = list(doc.get("phases") or ())
    fields: dict[str, Any] = {
        "id": (form.get("id") or "").strip(),
        "title": read_text(form, "title"),
        "until_day": read_number(form.get("until_day")),
    }
    goals = read_text(form, "goals")
    if goals:
        fields["goals"] = goals
    targets = _weights(form.get("targets") or "")
    if targets:
        fields["targets"] = targets
    if phase_id is None:
        if len(phases) >= MAX_PHASES:
            raise EditorError(_("A path has at most %(count)d phases.", count=MAX_PHASES))
        phases.append({**fields, "items": []})
    else:
        index = phase_index(doc, phase_id)
        fields["items"] = phases[index].get("items") or []
        phases[index] = fields
    doc["phases"] = phases
    return doc


def delete_phase(document: dict[str, Any], phase_id: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    index = phase_index(doc, phase_id)
    del doc["phases"][index]
    return doc


# --- items ----------------------------------------------------------------------------------------


def item_kind(raw: dict[str, Any]) -> str:
    for name in PATH_ITEMS:
        if name in raw:
            return name
    return ""


def ref_titles(document: dict[str, Any]) -> dict[tuple[str, str], Text]:
    """The titles of the content the path's items point to, by (kind, slug), in one query."""
    refs = set()
    for phase in document.get("phases") or []:
        for raw in (phase.get("items") or []) if isinstance(phase, dict) else []:
            kind = item_kind(raw) if isinstance(raw, dict) else ""
            if kind in REF_KINDS and isinstance(raw[kind], str):
                refs.add((kind, raw[kind]))
    return content_titles(refs)


def item_values(raw: dict[str, Any]) -> dict[str, Any]:
    kind = item_kind(raw)
    value = raw.get(kind)
    values: dict[str, Any] = {
        "id": raw.get("id", ""),
        "kind": kind,
        "ref": value if isinstance(value, str) else "",
        "due_day": raw.get("due_day", raw.get("day", "")),
        "min_score": raw.get("min_score", ""),
        "title": {},
        "description": {},
    }
    if isinstance(value, dict):
        values["title"] = text_values(value.get("title"))
        values["description"] = text_values(value.get("description"))
    return values


def read_item(form: Any) -> dict[str, Any]:
    """A path item document from the item form (the kind decides its keys)."""
    kind = (form.get("kind") or "").strip()
    if kind not in PATH_ITEMS:
        raise EditorError(_("Choose what the item is."))
    raw: dict[str, Any] = {"id": (form.get("id") or "").strip()}
    if kind in ("task", "checkin"):
        body: dict[str, Any] = {"title": read_text(form, "title")}
        description = read_text(form, "description")
        if kind == "task" and description:
            body["description"] = description
        raw[kind] = body
    else:
        raw[kind] = (form.get("ref") or "").strip()
    day = read_number(form.get("due_day"))
    if day is not None:
        raw["day" if kind == "checkin" else "due_day"] = day
    min_score = read_number(form.get("min_score"))
    if min_score is not None and kind in ("quiz", "scenario"):
        raw["min_score"] = min_score
    return raw


def item_index(items: list[Any], item_id: str) -> int:
    """The position of the item `item_id` in a phase's items."""
    for index, raw in enumerate(items):
        if isinstance(raw, dict) and raw.get("id") == item_id:
            return index
    raise EditorError(_("This item is not in the path any more."))


def apply_item(
    document: dict[str, Any], phase_id: str, item_id: str | None, form: Any
) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    phase = doc["phases"][phase_index(doc, phase_id)]
    items = list(phase.get("items") or ())
    raw = read_item(form)
    if item_id is None:
        if sum(len(p.get("items") or ()) for p in doc["phases"] if isinstance(p, dict)) >= (
            MAX_ITEMS
        ):
            raise EditorError(_("A path has at most %(count)d items.", count=MAX_ITEMS))
        items.append(raw)
    else:
        items[item_index(items, item_id)] = raw
    phase["items"] = items
    return doc


def move_item(document: dict[str, Any], phase_id: str, item_id: str, delta: int) -> dict:
    """The item moved up (-1) or down (+1) in its phase; past the phase's edge it moves to the
    end of the previous phase or the start of the next one."""
    doc = copy.deepcopy(document)
    phases = doc["phases"]
    p = phase_index(doc, phase_id)
    items = phases[p].setdefault("items", [])
    index = item_index(items, item_id)
    target = index + delta
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    elif target < 0 and p > 0:
        phases[p - 1].setdefault("items", []).append(items.pop(index))
    elif target >= len(items) and p + 1 < len(phases):
        phases[p + 1].setdefault("items", []).insert(0, items.pop(index))
    return doc


def delete_item(document: dict[str, Any], phase_id: str, item_id: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    phase = doc["phases"][phase_index(doc, phase_id)]
    phase["items"] = [
        it
        for it in phase.get("items") or ()
        if not (isinstance(it, dict) and it.get("id") == item_id)
    ]
    return doc


# --- checking -------------------------------------------------------------------------------------

_LABELS = {
    "id": lambda: _("Id"),
    "title": lambda: _("Title"),
    "until_day": lambda: _("Ends on day"),
    "goals": lambda: _("Goals"),
    "targets": lambda: _("Skill targets"),
    "items": lambda: _("Items"),
    "due_day": lambda: _("Due day"),
    "day": lambda: _("Due day"),
    "min_score": lambda: _("Minimum score"),
    "description": lambda: _("Description"),
    "phases": lambda: _("Phases"),
}


def _label(parts: tuple) -> str:
    fields = [p for p in parts if isinstance(p, str) and p not in ("phases", "items")]
    fields = [f for f in fields if f not in drafting.LOCALE_LABELS]
    key = fields[-1] if fields else (parts[-2] if len(parts) >= 2 else "phases")
    if key in PATH_ITEMS:
        label = _("What the item is")
    else:
        label = _LABELS.get(str(key), _LABELS["phases"])()
    return label + drafting.locale_suffix(parts)


def phase_name(p: int) -> str:
    """The name a phase's problems are collected under (by its place in the draft)."""
    return f"phases[{p}]"


def item_name(p: int, i: int) -> str:
    """The name an item's problems and advice are collected under."""
    return f"phases[{p}].items[{i}]"


def _name(parts: tuple) -> str:
    if len(parts) >= 4 and parts[0] == "phases" and parts[2] == "items":
        return item_name(parts[1], parts[3])
    if len(parts) >= 2 and parts[0] == "phases" and isinstance(parts[1], int):
        return phase_name(parts[1])
    return GENERAL


@dataclass
class Check:
    """The problems of a path draft in the trainer's words, by phase and item
    (`phase_name`, `item_name`) or of the whole path (`GENERAL`)."""

    path: Path | None
    problems: Problems = field(default_factory=Problems)
    #: Advice that does not stop publishing (teach before test), by item.
    warnings: Problems = field(default_factory=Problems)
    #: The HTML of the Markdown fields, once the draft passed every other check.
    rendered: dict[str, dict[str, str]] | None = None

    @property
    def obj(self) -> Path | None:
        return self.path

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.problems

    @property
    def count(self) -> int:
        return sum(len(messages) for messages in self.problems.by_field.values())

    def add(self, parts: tuple, message: str) -> None:
        self.problems.add(_name(parts), message)


def due_day(raw: dict[str, Any], phase: dict[str, Any]) -> int | None:
    """The day an item is due: its ``day`` or ``due_day``, else its phase's last day; None when
    that is not a whole number (the importer's checks say so)."""
    day = raw.get("day", raw.get("due_day", phase.get("until_day")))
    return day if isinstance(day, int) and not isinstance(day, bool) else None


def teach_before_test(document: dict[str, Any], context: StoredContext) -> list[tuple[tuple, str]]:
    """(place, skill) of each skill a quiz or drill item tests that no lesson or course item of
    the path due no later than it teaches.

    A quiz tests the skills of every question of its pool, a drill the skills it lists; a lesson
    teaches the skills it is tagged with, a course those it is tagged with and those of its
    lessons. Items are compared by due day, not by their place in the list, as the rule over the
    shipped paths does (``tests/test_path_order.py``)."""
    lessons_of: dict[str, list[str]] = {}
    for lesson, course in context.lesson_courses.items():
        lessons_of.setdefault(course, []).append(lesson)
    dated: list[tuple[int, tuple, str, frozenset[str]]] = []
    for p, phase in enumerate(document.get("phases") or ()):
        if not isinstance(phase, dict):
            continue
        for i, raw in enumerate(phase.get("items") or ()):
            if not isinstance(raw, dict):
                continue
            kind = item_kind(raw)
            ref, day = raw.get(kind), due_day(raw, phase)
            if kind not in TEACHING + TESTING or not isinstance(ref, str) or day is None:
                continue
            skills = set(context.skills_of.get((kind, ref), ()))
            for lesson in lessons_of.get(ref, ()) if kind == "course" else ():
                skills |= context.skills_of.get(("lesson", lesson), frozenset())
            dated.append((day, ("phases", p, "items", i), kind, frozenset(skills)))
    problems: list[tuple[tuple, str]] = []
    for day, place, kind, skills in dated:
        if kind not in TESTING:
            continue
        taught = set().union(*(s for d, _p, k, s in dated if k in TEACHING and d <= day))
        problems.extend((place, skill) for skill in sorted(skills - taught))
    return problems


def check(document: dict[str, Any], slug: str) -> Check:
    """The importer's checks of the path file in the trainer's words (they stop publishing: a due
    day outside its phase is one), and teach before test as warnings, by item: advice shown on
    every page of the editor that never stops publishing."""
    context = stored_context()
    checked = check_document(KIND, document, context, slug=slug)
    result = Check(checked.obj)
    for error in checked.errors:
        parts = split_place(error.place, error.message)
        result.add(parts, trainer_message(error.message, _label(parts)))
    for place, skill in teach_before_test(document, context):
        result.warnings.add(
            item_name(place[1], place[3]),
            _(
                "This item tests %(skill)s before any lesson or course of the path teaches it: "
                "give it a due day on or after one that does, or add one due no later than it.",
                skill=skill,
            ),
        )
    if result.ok:
        _render(result, document)
    if not result.ok:
        result.path = None
    return result


def _render(result: Check, document: dict[str, Any]) -> None:
    """Render the Markdown fields (phase goals, task descriptions) as publishing would; each
    field the renderer refuses is a problem of its phase or item."""
    rendered, refused = store.try_render_places(result.path)
    phases = {}
    for p, phase in enumerate(document.get("phases") or ()):
        if isinstance(phase, dict):
            items = {
                raw.get("id"): i
                for i, raw in enumerate(phase.get("items") or ())
                if isinstance(raw, dict)
            }
            phases[phase.get("id")] = (p, items)
    for problem in refused:
        tokens = problem.place.split(".")  # phases.<id>.goals, phases.<id>.items.<id>.description
        p, items = phases.get(tokens[1], (None, {})) if len(tokens) >= 3 else (None, {})
        if p is None:
            parts: tuple = ()
        elif len(tokens) >= 5 and tokens[3] in items:
            parts = ("phases", p, "items", items[tokens[3]], tokens[-1], problem.locale)
        else:
            parts = ("phases", p, tokens[-1], problem.locale)
        label = _label(parts) if parts else _("This text")
        result.add(parts, str(markdown_problem(problem.error, label)))
    result.rendered = None if refused else rendered
