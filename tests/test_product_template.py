"""The "your product" template ships disabled (a dot folder the loader skips, named by no path),
and becomes a valid course once its folder is renamed."""

from __future__ import annotations

import shutil
from pathlib import Path

from lms.content.loader import load_tree

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "courses" / ".your-product"


def test_the_template_is_not_part_of_the_shipped_tree():
    result = load_tree([ROOT / "courses", ROOT / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    tree = result.tree
    assert "your-product" not in tree.courses
    assert not {"your-product-in-one-page", "your-competitors"} & set(tree.lessons)
    assert "your-product-check" not in tree.quizzes
    refs = {item.ref for path in tree.paths.values() for item in path.items}
    assert "your-product" not in refs


def test_the_template_is_valid_once_enabled(tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", courses, ignore=shutil.ignore_patterns(".your-product"))
    shutil.copytree(TEMPLATE, courses / "your-product")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    result = load_tree([courses, tmp_path / "scenarios"])
    assert result.ok, "\n".join(str(error) for error in result.errors)
    course = result.tree.courses["your-product"]
    assert [item.ref for item in course.items] == [
        "your-product-in-one-page",
        "your-competitors",
        "your-product-check",
    ]
    for lesson in result.tree.lessons_of("your-product"):
        assert {"en", "zh-CN"} <= set(lesson.body.values)
        assert (
            "[PRODUCT]" in lesson.title.values["en"]
            or "[COMPETITOR A]" in lesson.title.values["en"]
        )


def test_the_template_explains_how_to_enable_it():
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert "courses/your-product" in readme and "course: your-product" in readme
