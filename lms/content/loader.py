"""Loading and validating a content tree (``courses/`` and ``scenarios/``).

``load_tree(roots)`` never raises on any input: every problem of every file becomes a
:class:`ValidationError`, and the tree holds the objects that were readable. Import only when
``result.ok``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import validators as v
from .checks import ID_RE, ID_RULE, LOCALE_RE, FileContext
from .errors import ValidationError, show
from .model import DEFAULT_LANGUAGE, ContentTree, Lesson, Text
from .yamlsafe import (
    MAX_FILE_BYTES,
    ContentFileError,
    parse_yaml,
    read_text,
    split_front_matter,
)

__all__ = ["LoadResult", "ValidationError", "load_tree", "MAX_FILE_BYTES"]

SKILLS_FILE = "skills.yaml"
COURSE_FILE = "course.yaml"
PATHS_DIR = "paths"
QUIZ_SUFFIX = ".quiz.yaml"
YAML_SUFFIX = ".yaml"
LESSON_SUFFIX = ".md"


@dataclass
class LoadResult:
    tree: ContentTree
    errors: list[ValidationError] = field(default_factory=list)
    # the file of each object, by (kind, id), for messages about objects found later
    files: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


RootArg = str | os.PathLike | Iterable[str | os.PathLike]


def load_tree(roots: RootArg) -> LoadResult:
    """Load every content file under ``roots``.

    A root is a folder holding ``courses/`` and/or ``scenarios/``, or such a folder itself.
    Files are named relative to the folder holding ``courses/`` and ``scenarios/``.
    """
    if isinstance(roots, str | os.PathLike):
        roots = [roots]
    loader = _TreeLoader()
    try:
        loader.run([Path(root) for root in roots])
    except Exception as exc:  # pragma: no cover - a bug; still never raise on input
        loader.errors.append(
            ValidationError(
                "", None, "", f"internal error while loading: {type(exc).__name__}: {exc}"
            )
        )
    loader.errors.sort(key=lambda error: error.sort_key)
    files = dict(loader.owners)
    if loader.framework is not None and loader.framework_file is not None:
        files[("framework", loader.framework.id)] = loader.framework_file
    return LoadResult(loader.tree(), loader.errors, files)


def _is_ignored(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name.lower().startswith("readme")


@dataclass
class _Located:
    """A directory and the base its files are shown relative to."""

    path: Path
    base: Path

    def show(self, file: Path) -> str:
        try:
            return file.relative_to(self.base).as_posix()
        except ValueError:  # pragma: no cover - files are found under the base
            return file.as_posix()


@dataclass
class _Variant:
    ctx: FileContext
    file: Path
    locale: str
    title: str | None
    body: str


class _TreeLoader:
    def __init__(self) -> None:
        self.errors: list[ValidationError] = []
        self.refs: v.Refs = []
        self.framework = None
        self.framework_file: str | None = None
        self.skill_ids: frozenset[str] | None = None
        self.file_start = 0
        self.courses: dict = {}
        self.lessons: dict = {}
        self.quizzes: dict = {}
        self.scenarios: dict = {}
        self.paths: dict = {}
        # ids known from file names, for references (even when the file itself has errors)
        self.course_ids: set[str] = set()
        self.quiz_ids: set[str] = set()
        self.scenario_ids: set[str] = set()
        self.lesson_files: set[tuple[str, str]] = set()  # (course folder, lesson id)
        self.quiz_files: set[tuple[str, str]] = set()
        # first file of each id, per kind, for duplicate messages
        self.owners: dict[tuple[str, str], str] = {}

    def tree(self) -> ContentTree:
        return ContentTree(
            self.framework, self.courses, self.lessons, self.quizzes, self.scenarios, self.paths
        )

    # --- discovery ---------------------------------------------------------------------------

    def run(self, roots: list[Path]) -> None:
        courses_dirs, scenario_dirs = self.discover(roots)
        for located in (*courses_dirs, *scenario_dirs):
            self.refuse_links(located)
        skills_files = [d for d in courses_dirs if (d.path / SKILLS_FILE).is_file()]
        if not skills_files:
            where = (
                courses_dirs[0].show(courses_dirs[0].path / SKILLS_FILE)
                if courses_dirs
                else ("courses/" + SKILLS_FILE)
            )
            self.errors.append(
                ValidationError(
                    where, None, "", "missing: the skill framework (exactly one skills.yaml)"
                )
            )
        for index, located in enumerate(skills_files):
            file = located.path / SKILLS_FILE
            if index == 0:
                self.load_framework(located, file)
            else:
                self.errors.append(
                    ValidationError(
                        located.show(file),
                        None,
                        "",
                        f"a second skill framework; there is exactly one skills.yaml "
                        f"(the first is {self.framework_file})",
                    )
                )
        for located in courses_dirs:
            self.load_courses_dir(located)
        for located in scenario_dirs:
            self.load_scenarios_dir(located)
        self.resolve_references()

    def discover(self, roots: list[Path]) -> tuple[list[_Located], list[_Located]]:
        courses: list[_Located] = []
        scenarios: list[_Located] = []
        seen: set[Path] = set()

        def add(target: list[_Located], path: Path, base: Path) -> None:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                target.append(_Located(path, base))

        for root in roots:
            if not root.exists():
                self.errors.append(ValidationError(str(root), None, "", "no such file or folder"))
                continue
            if not root.is_dir():
                self.errors.append(
                    ValidationError(
                        str(root), None, "", "expected a folder holding courses/ or scenarios/"
                    )
                )
                continue
            base = root.resolve().parent
            if root.resolve().name == "courses":
                add(courses, root, base)
            elif root.resolve().name == "scenarios":
                add(scenarios, root, base)
            elif (root / "courses").is_dir() or (root / "scenarios").is_dir():
                if (root / "courses").is_dir():
                    add(courses, root / "courses", root.resolve())
                if (root / "scenarios").is_dir():
                    add(scenarios, root / "scenarios", root.resolve())
            elif (root / SKILLS_FILE).is_file() or any(
                (child / COURSE_FILE).is_file() for child in _subdirs(root)
            ):
                add(courses, root, base)
            elif any(child.suffix == YAML_SUFFIX for child in _files(root)):
                add(scenarios, root, base)
            else:
                self.errors.append(
                    ValidationError(
                        str(root), None, "", "found neither courses/ nor scenarios/ here"
                    )
                )
        return courses, scenarios

    def refuse_links(self, located: _Located) -> None:
        """Symbolic links inside a content tree are never followed (a link could point at any
        file of the machine); each one is an error, as in an uploaded zip."""
        for folder, dirs, files in os.walk(located.path, followlinks=False):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                if path.is_symlink():
                    self.errors.append(
                        ValidationError(
                            located.show(path),
                            None,
                            "",
                            "a symbolic link; links are not followed, copy the file instead",
                        )
                    )

    # --- files ----------------------------------------------------------------------------------

    def context(self, located: _Located, file: Path) -> FileContext:
        """A new file: its errors start here."""
        self.file_start = len(self.errors)
        return FileContext(located.show(file), self.errors)

    def read_yaml(self, ctx: FileContext, file: Path) -> tuple[bool, Any]:
        try:
            document = parse_yaml(read_text(file))
        except ContentFileError as exc:
            ctx.file_error(exc.message, exc.line)
            return False, None
        ctx.marks = document.marks
        for problem in document.problems:
            ctx.error(problem.place, problem.message, problem.line)
        return True, document.data

    def claim(self, kind: str, ident: str | None, ctx: FileContext) -> bool:
        """Record the first file of an id; a second one is an error."""
        if ident is None:
            return False
        owner = self.owners.get((kind, ident))
        if owner is not None:
            ctx.error(("id",), f"duplicate {kind} id {show(ident)}: also used by {owner}")
            return False
        self.owners[(kind, ident)] = ctx.file
        return True

    def safely(self, ctx: FileContext, check, *args):
        """Run a check. A file with any error gives no object (the tree holds only valid files);
        a bug in a check becomes an error of this file, never an exception."""
        try:
            result = check(ctx, *args)
        except Exception as exc:  # pragma: no cover - only on a bug
            ctx.file_error(f"internal error while checking this file: {type(exc).__name__}: {exc}")
            return None
        return result if len(self.errors) == self.file_start else None

    def unexpected(self, located: _Located, file: Path, hint: str) -> None:
        self.errors.append(
            ValidationError(located.show(file), None, "", f"unexpected file: {hint}")
        )

    # --- courses/ -------------------------------------------------------------------------------

    def load_framework(self, located: _Located, file: Path) -> None:
        ctx = self.context(located, file)
        self.framework_file = ctx.file
        ok, data = self.read_yaml(ctx, file)
        if not ok:
            return
        # the skills of a framework with errors still resolve references, for fewer false alarms
        self.skill_ids = v.skill_ids_of(data)
        self.framework = self.safely(ctx, v.check_framework, data)

    def load_courses_dir(self, located: _Located) -> None:
        for child in _files(located.path):
            if _is_ignored(child) or child.name == SKILLS_FILE:
                continue
            if child.suffix in (YAML_SUFFIX, ".yml", LESSON_SUFFIX):
                self.unexpected(
                    located,
                    child,
                    "courses/ holds skills.yaml, paths/ and one folder per course",
                )
        for folder in _subdirs(located.path):
            if _is_ignored(folder):
                continue
            if folder.name == PATHS_DIR:
                self.load_paths_dir(located, folder)
            else:
                self.load_course(located, folder)

    def load_paths_dir(self, located: _Located, folder: Path) -> None:
        for file in _files(folder):
            if _is_ignored(file):
                continue
            if file.suffix != YAML_SUFFIX:
                if file.suffix in (".yml", LESSON_SUFFIX):
                    self.unexpected(located, file, "paths/ holds <path-id>.yaml files")
                continue
            ctx = self.context(located, file)
            ok, data = self.read_yaml(ctx, file)
            if not ok:
                continue
            path = self.safely(ctx, v.check_path, data, file.name[: -len(YAML_SUFFIX)], self.refs)
            if path is not None and self.claim("path", path.id, ctx):
                self.paths[path.id] = path

    def load_course(self, located: _Located, folder: Path) -> None:
        folder_id = folder.name
        course_file = folder / COURSE_FILE
        language = DEFAULT_LANGUAGE
        folder_ok = ID_RE.match(folder_id) is not None
        if not folder_ok:
            self.errors.append(
                ValidationError(
                    located.show(folder) + "/",
                    None,
                    "",
                    f"invalid course folder name {show(folder_id)}: {ID_RULE}",
                )
            )
        if course_file.is_file():
            ctx = self.context(located, course_file)
            ok, data = self.read_yaml(ctx, course_file)
            if folder_ok:
                self.course_ids.add(folder_id)
            if ok:
                course = self.safely(ctx, v.check_course, data, folder_id, self.refs)
                language = ctx.language
                if course is not None and self.claim("course", course.id, ctx):
                    self.courses[course.id] = course
        else:
            self.errors.append(
                ValidationError(
                    located.show(course_file),
                    None,
                    "",
                    "missing: every course folder has a course.yaml",
                )
            )

        plain: dict[str, tuple[FileContext, Lesson | None]] = {}
        variants: list[tuple[str, _Variant]] = []
        for file in _files(folder):
            name = file.name
            if _is_ignored(file) or name == COURSE_FILE:
                continue
            if name.endswith(QUIZ_SUFFIX):
                self.load_quiz(located, file, folder_id, name[: -len(QUIZ_SUFFIX)])
            elif name.endswith(LESSON_SUFFIX):
                parts = name[: -len(LESSON_SUFFIX)].split(".")
                if len(parts) == 1:
                    plain[parts[0]] = self.load_lesson(located, file, folder_id, parts[0], language)
                elif len(parts) == 2:
                    variant = self.load_variant(located, file, parts[0], parts[1], language)
                    if variant is not None:
                        variants.append((parts[0], variant))
                else:
                    self.unexpected(
                        located, file, "lessons are <lesson-id>.md or <lesson-id>.<locale>.md"
                    )
            elif file.suffix in (YAML_SUFFIX, ".yml"):
                self.unexpected(
                    located,
                    file,
                    "a course folder holds course.yaml, <lesson-id>.md, "
                    "<lesson-id>.<locale>.md and <quiz-id>.quiz.yaml",
                )
        for lesson_id, variant in variants:
            self.merge_variant(lesson_id, variant, plain)
        for lesson_id, (ctx, lesson) in plain.items():
            if lesson is not None and self.claim("lesson", lesson.id, ctx):
                self.lessons[lesson_id] = lesson

    def load_lesson(
        self, located: _Located, file: Path, course_id: str, lesson_id: str, language: str
    ) -> tuple[FileContext, Lesson | None]:
        ctx = self.context(located, file)
        ctx.language = language
        self.lesson_files.add((course_id, lesson_id))
        front = self.read_front_matter(ctx, file)
        if front is None:
            return ctx, None
        data, body = front
        return ctx, self.safely(ctx, v.check_lesson, data, body, lesson_id, course_id, self.refs)

    def read_front_matter(self, ctx: FileContext, file: Path) -> tuple[Any, str] | None:
        try:
            parts = split_front_matter(read_text(file))
            document = parse_yaml(parts.yaml_text, parts.line_offset)
        except ContentFileError as exc:
            ctx.file_error(exc.message, exc.line)
            return None
        ctx.marks = document.marks
        for problem in document.problems:
            ctx.error(problem.place, problem.message, problem.line)
        return document.data, parts.body

    def load_variant(
        self, located: _Located, file: Path, lesson_id: str, locale: str, language: str
    ) -> _Variant | None:
        ctx = self.context(located, file)
        if not LOCALE_RE.match(locale):
            ctx.file_error(
                f"invalid language tag {show(locale)} in the file name: "
                "use <lesson-id>.<locale>.md with a BCP 47 tag such as zh-CN"
            )
            return None
        if locale == language:
            ctx.file_error(
                f"{show(locale)} is the course's language: its text belongs in {lesson_id}.md"
            )
            return None
        ctx.language = locale
        front = self.read_front_matter(ctx, file)
        if front is None:
            return None
        data, body = front
        checked = self.safely(ctx, v.check_lesson_variant, data, body, lesson_id, locale)
        if checked is None:
            return None
        title, body = checked
        return _Variant(ctx, file, locale, title, body)

    def merge_variant(self, lesson_id: str, variant: _Variant, plain: dict) -> None:
        if lesson_id not in plain:
            variant.ctx.file_error(
                f"locale variant without its lesson: {lesson_id}.md is missing in this folder"
            )
            return
        ctx, lesson = plain[lesson_id]
        if lesson is None:
            return
        titles = dict(lesson.title.values)
        if variant.title is not None:
            titles[variant.locale] = variant.title
        bodies = dict(lesson.body.values)
        bodies[variant.locale] = variant.body
        plain[lesson_id] = (
            ctx,
            Lesson(
                lesson.id,
                lesson.course_id,
                Text(titles),
                Text(bodies),
                lesson.skills,
                lesson.minutes,
                lesson.language,
            ),
        )

    def load_quiz(self, located: _Located, file: Path, course_id: str, quiz_id: str) -> None:
        ctx = self.context(located, file)
        self.quiz_files.add((course_id, quiz_id))
        self.quiz_ids.add(quiz_id)
        ok, data = self.read_yaml(ctx, file)
        if not ok:
            return
        quiz = self.safely(ctx, v.check_quiz, data, quiz_id, course_id, self.refs)
        if quiz is not None and self.claim("quiz", quiz.id, ctx):
            self.quizzes[quiz.id] = quiz

    # --- scenarios/ -----------------------------------------------------------------------------

    def load_scenarios_dir(self, located: _Located) -> None:
        for file in _files(located.path):
            if _is_ignored(file):
                continue
            if file.suffix != YAML_SUFFIX:
                if file.suffix in (".yml", LESSON_SUFFIX):
                    self.unexpected(located, file, "scenarios/ holds <scenario-id>.yaml files")
                continue
            scenario_id = file.name[: -len(YAML_SUFFIX)]
            self.scenario_ids.add(scenario_id)
            ctx = self.context(located, file)
            ok, data = self.read_yaml(ctx, file)
            if not ok:
                continue
            scenario = self.safely(ctx, v.check_scenario, data, scenario_id, self.refs)
            if scenario is not None and self.claim("scenario", scenario.id, ctx):
                self.scenarios[scenario.id] = scenario

    # --- references -----------------------------------------------------------------------------

    def resolve_references(self) -> None:
        skills = self.skill_ids
        for ref in self.refs:
            if ref.kind == "skill":
                if skills is not None and ref.ref not in skills:
                    ref.ctx.error(
                        ref.place,
                        f"unknown skill {show(ref.ref)}: not in skills.yaml"
                        + v.did_you_mean(ref.ref, skills),
                    )
            elif ref.kind == "lesson-file":
                if (ref.folder, ref.ref) not in self.lesson_files:
                    known = [lesson for folder, lesson in self.lesson_files if folder == ref.folder]
                    ref.ctx.error(
                        ref.place,
                        f"unknown lesson {show(ref.ref)}: no file {ref.ref}.md in this folder"
                        + v.did_you_mean(ref.ref, known),
                    )
            elif ref.kind == "quiz-file":
                if (ref.folder, ref.ref) not in self.quiz_files:
                    known = [quiz for folder, quiz in self.quiz_files if folder == ref.folder]
                    ref.ctx.error(
                        ref.place,
                        f"unknown quiz {show(ref.ref)}: "
                        f"no file {ref.ref}{QUIZ_SUFFIX} in this folder"
                        + v.did_you_mean(ref.ref, known),
                    )
            else:
                known_ids = {
                    "course": self.course_ids,
                    "lesson": {lesson for _, lesson in self.lesson_files},
                    "quiz": self.quiz_ids,
                    "scenario": self.scenario_ids,
                }[ref.kind]
                if ref.ref not in known_ids:
                    ref.ctx.error(
                        ref.place,
                        f"unknown {ref.kind} {show(ref.ref)}" + v.did_you_mean(ref.ref, known_ids),
                    )


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(
            child for child in folder.iterdir() if child.is_file() and not child.is_symlink()
        )
    except OSError:
        return []


def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(
            child for child in folder.iterdir() if child.is_dir() and not child.is_symlink()
        )
    except OSError:
        return []
