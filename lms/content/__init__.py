"""The curriculum as files: model, loading and validation, documents, Markdown rendering.

Nothing here needs Flask or the database. ``lms.content.markdown`` is imported on demand (it is
the only module that imports ``markdown`` and ``bleach``).
"""

from .documents import (
    content_hash,
    dump_lesson,
    dump_yaml,
    from_document,
    kind_of,
    to_document,
    write_tree,
)
from .errors import ValidationError
from .loader import LoadResult, load_tree
from .model import (
    Choice,
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
    RubricLine,
    Scenario,
    ScenarioChoice,
    Skill,
    Text,
)
from .yamlsafe import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Choice",
    "ContentTree",
    "Course",
    "CourseItem",
    "Framework",
    "Lesson",
    "LoadResult",
    "Module",
    "Node",
    "Path",
    "PathItem",
    "Persona",
    "Phase",
    "Question",
    "Quiz",
    "RubricLine",
    "Scenario",
    "ScenarioChoice",
    "Skill",
    "Text",
    "ValidationError",
    "content_hash",
    "dump_lesson",
    "dump_yaml",
    "from_document",
    "kind_of",
    "load_tree",
    "to_document",
    "write_tree",
]
