"""The benchmark's content generator makes valid, bilingual trees that import and re-import."""

from __future__ import annotations

import sqlalchemy as sa

from bench.make_content import make_tree
from lms.content import load_tree
from lms.content.importer import import_content
from lms.content.models import ContentVersion
from lms.content.store import Change


def test_a_generated_tree_is_valid_and_bilingual(tmp_path):
    out = make_tree(tmp_path, lessons=23, quizzes=5, questions=20, scenarios=4, nodes=15)

    result = load_tree([out])

    assert result.ok, "\n".join(str(error) for error in result.errors[:10])
    tree = result.tree
    assert (len(tree.lessons), len(tree.quizzes), len(tree.scenarios)) == (23, 5, 4)
    assert all(len(quiz.questions) == 20 for quiz in tree.quizzes.values())
    assert all(len(scenario.nodes) == 15 for scenario in tree.scenarios.values())
    assert all(set(lesson.body.values) == {"en", "zh-CN"} for lesson in tree.lessons.values())
    assert len(tree.paths) == 2


def test_the_same_arguments_give_the_same_files(tmp_path):
    first = make_tree(tmp_path / "a", lessons=12, quizzes=2, questions=3, scenarios=2, nodes=9)
    second = make_tree(tmp_path / "b", lessons=12, quizzes=2, questions=3, scenarios=2, nodes=9)
    files = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_a_generated_tree_imports_and_reimports_without_writing(db, tmp_path, queries):
    out = make_tree(tmp_path, lessons=12, quizzes=3, questions=5, scenarios=3, nodes=15)
    report = import_content([out])
    assert report.ok and report.total(Change.ADDED) == len(report.changes)
    db.session.commit()
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(ContentVersion))

    with queries() as statements:
        again = import_content([out])
        db.session.commit()

    assert again.total(Change.UNCHANGED) == len(again.changes) == versions
    assert not [
        s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
