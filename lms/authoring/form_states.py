"""The editor's forms: what a trainer typed, kept exactly as typed, and turned into documents.

The course and lesson forms carry repeated, reorderable parts (modules and their items), so they
are read from the request by hand into plain states instead of WTForms classes; the CSRF token is
checked for every POST by CSRFProtect. A state re-renders the form with everything the trainer
typed, whatever is wrong with it.

Limits of the editor (larger input gets an error next to its field, and the text is kept):
titles 200 characters, a lesson body 200,000 characters per language, a course summary 20,000
characters, 50 modules of at most 100 items, 64 skills. The whole form may be at most 16 MiB;
a larger request is refused with 413. Control characters other than tab and line breaks are
refused; line breaks are stored as ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.authoring.validation import GENERAL, LessonFiles, Problems
from lms.content.checks import ID_RE
from lms.content.model import DEFAULT_LANGUAGE, Course, Lesson
from lms.core.inputs import InputError, optional_int, parse_int

EDIT_LOCALES = ("en", "zh-CN")
LOCALE_LABELS = {"en": "English", "zh-CN": "简体中文"}

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 200_000
MAX_SUMMARY_CHARS = 20_000
MAX_MODULES = 50
MAX_ITEMS_PER_MODULE = 100
MAX_SKILLS = 64
MAX_ID_CHARS = 64
MAX_ACTION_INDEX = 999
MAX_FORM_BYTES = 16 * 1024 * 1024

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MINUTES_RE = re.compile(r"^\s*[+-]?[0-9]{1,6}\s*$")


def normalize(value: Any) -> str:
    """Text from a form: a string with `\\n` line breaks."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def locales_for(language: str) -> tuple[str, ...]:
    """The languages the editor shows: the course's language first, then English and Chinese."""
    return (language, *(locale for locale in EDIT_LOCALES if locale != language))


def locale_label(locale: str) -> str:
    return LOCALE_LABELS.get(locale, locale)


def _text_values(value: Any, language: str) -> dict[str, str]:
    if isinstance(value, str):
        return {language: value} if value else {}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    return {}


def check_text(problems: Problems, name: str, value: str, limit: int, label: str) -> None:
    """The editor's limits on one text field: its length and no control characters."""
    if len(value) > limit:
        problems.add(
            name,
            _(
                "%(label)s is %(count)s characters long; the limit is %(limit)s.",
                label=label,
                count=format_decimal(len(value)),
                limit=format_decimal(limit),
            ),
        )
    match = _CONTROL_RE.search(value)
    if match:
        code = format(ord(match.group()), "04X")
        problems.add(
            name,
            _(
                "%(label)s contains a control character (U+%(code)s); remove it.",
                label=label,
                code=code,
            ),
        )


def check_title(problems: Problems, locale: str, titles: Mapping[str, str]) -> None:
    """The editor's limits on the title in one language."""
    check_text(
        problems,
        f"title-{locale}",
        titles.get(locale, ""),
        MAX_TITLE_CHARS,
        _("The title (%(language)s)", language=locale_label(locale)),
    )


def check_new_id(problems: Problems, value: str) -> None:
    if not ID_RE.match(value):
        problems.add(
            "id",
            _(
                "Use lowercase letters, digits and '-', starting with a letter or digit, "
                "at most 64 characters (for example: handle-price-objections)."
            ),
        )


def _minutes_value(raw: str) -> Any:
    text = raw.strip()
    if _MINUTES_RE.match(text):
        return int(text)
    if not text.isascii():  # float() also reads other scripts' digits; the importer does not
        return text
    try:
        return float(text)
    except ValueError:
        return text


# --- lessons ------------------------------------------------------------------------------------


@dataclass
class LessonState:
    """The lesson form: id, course, title and body per language, skills, minutes."""

    id: str = ""
    course: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    skills: list[str] = field(default_factory=list)
    minutes: str = ""

    @classmethod
    def from_lesson(cls, lesson: Lesson) -> LessonState:
        return cls(
            id=lesson.id,
            course=lesson.course_id,
            titles=dict(lesson.title.values),
            bodies=dict(lesson.body.values),
            skills=list(lesson.skills),
            minutes="" if lesson.minutes is None else str(lesson.minutes),
        )

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> LessonState:
        language = doc.get("language") if isinstance(doc.get("language"), str) else "en"
        minutes = doc.get("minutes")
        return cls(
            id=str(doc.get("id") or ""),
            course=str(doc.get("course") or ""),
            titles=_text_values(doc.get("title"), language),
            bodies=_text_values(doc.get("body"), language),
            skills=[s for s in doc.get("skills") or () if isinstance(s, str)],
            minutes="" if minutes is None else str(minutes),
        )

    @classmethod
    def from_form(
        cls,
        form: Mapping[str, Any],
        locales: tuple[str, ...],
        *,
        slug: str | None,
        base: LessonState | None,
    ) -> LessonState:
        """Read the form; languages the editor does not show are kept from `base`."""
        titles = {k: v for k, v in (base.titles if base else {}).items() if k not in locales}
        bodies = {k: v for k, v in (base.bodies if base else {}).items() if k not in locales}
        for locale in locales:
            title = normalize(form.get(f"title-{locale}")).strip()
            body = normalize(form.get(f"body-{locale}"))
            if title:
                titles[locale] = title
            if body:
                bodies[locale] = body
        skills = list(dict.fromkeys(normalize(s) for s in form.getlist("skills")))
        return cls(
            id=slug if slug is not None else normalize(form.get("id")).strip(),
            course=normalize(form.get("course")).strip(),
            titles=titles,
            bodies=bodies,
            skills=skills,
            minutes=normalize(form.get("minutes")).strip(),
        )

    def to_document(self, language: str) -> dict[str, Any]:
        """The draft document: the lesson's storage document, fields as typed."""
        return {
            "id": self.id,
            "course": self.course,
            "language": language,
            "title": dict(self.titles),
            "body": dict(self.bodies),
            "skills": list(self.skills),
            "minutes": self.minutes or None,
        }

    def files(self, language: str) -> LessonFiles:
        """The lesson as files: the plain file in `language` and one file per translation
        that has a body (a translated title without a body stays in the plain file)."""
        front: dict[str, Any] = {"id": self.id}
        main_title = self.titles.get(language, "")
        extra_titles = {
            locale: title
            for locale, title in self.titles.items()
            if locale != language and not self.bodies.get(locale, "").strip()
        }
        front["title"] = {language: main_title, **extra_titles} if extra_titles else main_title
        if self.skills:
            front["skills"] = list(self.skills)
        if self.minutes:
            front["minutes"] = _minutes_value(self.minutes)
        variants: dict[str, tuple[dict[str, Any], str]] = {}
        for locale, body in self.bodies.items():
            if locale == language or not body.strip():
                continue
            variant_front: dict[str, Any] = {"id": self.id}
            if self.titles.get(locale):
                variant_front["title"] = self.titles[locale]
            variants[locale] = (variant_front, body)
        return LessonFiles(front, self.bodies.get(language, ""), language, variants)

    def limits(self, locales: tuple[str, ...], *, is_new: bool) -> Problems:
        """The editor's own limits (see the module docstring)."""
        problems = Problems()
        if is_new:
            check_new_id(problems, self.id)
        for locale in locales:
            check_title(problems, locale, self.titles)
            check_text(
                problems,
                f"body-{locale}",
                self.bodies.get(locale, ""),
                MAX_BODY_CHARS,
                _("The body (%(language)s)", language=locale_label(locale)),
            )
        if len(self.skills) > MAX_SKILLS:
            problems.add("skills", _("Choose at most %(count)d skills.", count=MAX_SKILLS))
        if len(self.minutes) > 6:
            problems.add("minutes", _("Enter a whole number of minutes, such as 8."))
        return problems


# --- courses ------------------------------------------------------------------------------------


@dataclass
class ModuleState:
    titles: dict[str, str] = field(default_factory=dict)
    items: list[tuple[str, str]] = field(default_factory=list)  # (kind, id) as posted


@dataclass
class CourseState:
    """The course form: id, language, title and summary per language, skills, modules."""

    id: str = ""
    language: str = DEFAULT_LANGUAGE
    titles: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    skills: list[str] = field(default_factory=list)
    modules: list[ModuleState] = field(default_factory=list)

    @classmethod
    def from_course(cls, course: Course) -> CourseState:
        return cls(
            id=course.id,
            language=course.language,
            titles=dict(course.title.values),
            summaries=dict(course.summary.values) if course.summary else {},
            skills=list(course.skills),
            modules=[
                ModuleState(
                    dict(module.title.values), [(item.kind, item.ref) for item in module.items]
                )
                for module in course.modules
            ],
        )

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> CourseState:
        language = doc.get("language") if isinstance(doc.get("language"), str) else "en"
        modules = []
        for module in doc.get("modules") or ():
            if not isinstance(module, Mapping):
                continue
            items = []
            for item in module.get("items") or ():
                if isinstance(item, Mapping) and len(item) == 1:
                    ((kind, ref),) = item.items()
                    items.append((str(kind), str(ref)))
            modules.append(ModuleState(_text_values(module.get("title"), language), items))
        return cls(
            id=str(doc.get("id") or ""),
            language=language,
            titles=_text_values(doc.get("title"), language),
            summaries=_text_values(doc.get("summary"), language),
            skills=[s for s in doc.get("skills") or () if isinstance(s, str)],
            modules=modules,
        )

    @classmethod
    def from_form(
        cls, form: Mapping[str, Any], *, slug: str | None, base: CourseState | None
    ) -> CourseState:
        """Read the form; languages the editor does not show are kept from `base`."""
        language = normalize(form.get("language")).strip() or DEFAULT_LANGUAGE
        locales = locales_for(language)
        titles = {k: v for k, v in (base.titles if base else {}).items() if k not in locales}
        summaries = {k: v for k, v in (base.summaries if base else {}).items() if k not in locales}
        for locale in locales:
            title = normalize(form.get(f"title-{locale}")).strip()
            summary = normalize(form.get(f"summary-{locale}"))
            if title:
                titles[locale] = title
            if summary.strip():
                summaries[locale] = summary
        count = min(optional_int(form.get("modules"), field="modules") or 0, MAX_MODULES)
        modules = []
        for index in range(count):
            base_titles = {}
            if base and index < len(base.modules):
                base_titles = {
                    k: v for k, v in base.modules[index].titles.items() if k not in locales
                }
            module_titles = dict(base_titles)
            for locale in locales:
                title = normalize(form.get(f"module-{index}-title-{locale}")).strip()
                if title:
                    module_titles[locale] = title
            items = []
            for raw in form.getlist(f"module-{index}-item")[:MAX_ITEMS_PER_MODULE]:
                kind, _sep, ref = normalize(raw).partition(":")
                items.append((kind.strip(), ref.strip()))
            modules.append(ModuleState(module_titles, items))
        return cls(
            id=slug if slug is not None else normalize(form.get("id")).strip(),
            language=language,
            titles=titles,
            summaries=summaries,
            skills=list(dict.fromkeys(normalize(s) for s in form.getlist("skills"))),
            modules=modules,
        )

    def to_document(self) -> dict[str, Any]:
        """The course.yaml mapping (also the draft document)."""
        doc: dict[str, Any] = {
            "id": self.id,
            "language": self.language,
            "title": self._text(self.titles),
            "skills": list(self.skills),
            "modules": [
                {
                    "title": self._text(module.titles),
                    "items": [{kind: ref} for kind, ref in module.items],
                }
                for module in self.modules
            ],
        }
        if any(value.strip() for value in self.summaries.values()):
            doc["summary"] = {k: v for k, v in self.summaries.items() if v.strip()}
        return doc

    def _text(self, values: dict[str, str]) -> Any:
        present = {k: v for k, v in values.items() if v.strip()}
        return present or ""

    def limits(self, *, is_new: bool) -> Problems:
        problems = Problems()
        if is_new:
            check_new_id(problems, self.id)
        for locale in locales_for(self.language):
            label = locale_label(locale)
            check_title(problems, locale, self.titles)
            check_text(
                problems,
                f"summary-{locale}",
                self.summaries.get(locale, ""),
                MAX_SUMMARY_CHARS,
                _("The summary (%(language)s)", language=label),
            )
            for index, module in enumerate(self.modules):
                check_text(
                    problems,
                    f"module-{index}-title-{locale}",
                    module.titles.get(locale, ""),
                    MAX_TITLE_CHARS,
                    _("The module title (%(language)s)", language=label),
                )
        if len(self.skills) > MAX_SKILLS:
            problems.add("skills", _("Choose at most %(count)d skills.", count=MAX_SKILLS))
        if len(self.language) > 35:
            problems.add("language", _("Choose a language."))
        return problems

    # --- structure changes (the editor's buttons; each works without JavaScript) ---------------

    def apply(self, action: str, form: Mapping[str, Any]) -> bool:
        """Apply a structure action (`add-module`, `module-up:1`, `item-down:0:2`, ...);
        returns False for an unknown or out-of-range action."""
        name, *numbers = action.split(":")
        try:
            indexes = [parse_int(n, field="action", maximum=MAX_ACTION_INDEX) for n in numbers]
        except InputError:
            return False
        handler = _ACTIONS.get((name, len(indexes)))
        if handler is None:
            return False
        return handler(self, form, *indexes)

    def _module(self, index: int) -> ModuleState | None:
        return self.modules[index] if 0 <= index < len(self.modules) else None

    def add_module(self, form) -> bool:
        if len(self.modules) >= MAX_MODULES:
            return False
        self.modules.append(ModuleState())
        return True

    def remove_module(self, form, index: int) -> bool:
        if self._module(index) is None:
            return False
        del self.modules[index]
        return True

    def move_module(self, index: int, step: int) -> bool:
        target = index + step
        if self._module(index) is None or self._module(target) is None:
            return False
        self.modules[index], self.modules[target] = self.modules[target], self.modules[index]
        return True

    def add_item(self, form, index: int) -> bool:
        module = self._module(index)
        choice = normalize(form.get(f"module-{index}-new-item")).strip()
        if module is None or ":" not in choice or len(module.items) >= MAX_ITEMS_PER_MODULE:
            return False
        kind, _sep, ref = choice.partition(":")
        module.items.append((kind, ref))
        return True

    def remove_item(self, form, index: int, position: int) -> bool:
        module = self._module(index)
        if module is None or not 0 <= position < len(module.items):
            return False
        del module.items[position]
        return True

    def move_item(self, index: int, position: int, step: int) -> bool:
        """Move an item within its module; past either end it moves to the next module."""
        module = self._module(index)
        if module is None or not 0 <= position < len(module.items):
            return False
        target = position + step
        if 0 <= target < len(module.items):
            items = module.items
            items[position], items[target] = items[target], items[position]
            return True
        neighbour = self._module(index + step)
        if neighbour is None or len(neighbour.items) >= MAX_ITEMS_PER_MODULE:
            return False
        item = module.items.pop(position)
        if step < 0:
            neighbour.items.append(item)
        else:
            neighbour.items.insert(0, item)
        return True

    def listed(self) -> set[tuple[str, str]]:
        return {item for module in self.modules for item in module.items}


_ACTIONS = {
    ("add-module", 0): CourseState.add_module,
    ("remove-module", 1): CourseState.remove_module,
    ("module-up", 1): lambda state, form, i: state.move_module(i, -1),
    ("module-down", 1): lambda state, form, i: state.move_module(i, 1),
    ("add-item", 1): CourseState.add_item,
    ("remove-item", 2): CourseState.remove_item,
    ("item-up", 2): lambda state, form, i, j: state.move_item(i, j, -1),
    ("item-down", 2): lambda state, form, i, j: state.move_item(i, j, 1),
}


def course_fields(state: CourseState) -> set[str]:
    """Every field name the course form shows (errors elsewhere are shown at the top)."""
    names = {"id", "language", "skills", "modules", GENERAL}
    locales = locales_for(state.language)
    for locale in locales:
        names |= {f"title-{locale}", f"summary-{locale}"}
    for index, module in enumerate(state.modules):
        names |= {f"module-{index}", f"module-{index}-items"}
        names |= {f"module-{index}-title-{locale}" for locale in locales}
        names |= {f"module-{index}-item-{position}" for position in range(len(module.items))}
    return names


def lesson_fields(locales: tuple[str, ...]) -> set[str]:
    names = {"id", "course", "skills", "minutes", GENERAL}
    for locale in locales:
        names |= {f"title-{locale}", f"body-{locale}"}
    return names


def keep_shown(problems: Problems, shown: set[str]) -> Problems:
    """Move errors of fields the form does not show to the general errors."""
    result = Problems()
    for name, messages in problems.by_field.items():
        for message in messages:
            result.add(name if name in shown else GENERAL, message)
    return result


def merge(*all_problems: Problems) -> Problems:
    result = Problems()
    for problems in all_problems:
        for name, messages in problems.by_field.items():
            for message in messages:
                result.add(name, message)
    return result
