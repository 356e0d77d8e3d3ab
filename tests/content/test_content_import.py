"""`lms import`, `lms export`, `lms rerender`: all or nothing, idempotent, stable round trips."""

from __future__ import annotations

import os
import pathlib
from pathlib import Path

import pytest
import sqlalchemy as sa

import lms
from lms.content import load_tree
from lms.content import markdown as renderer
from lms.content.importer import import_content, stored_counts
from lms.content.models import ContentItem, ContentSkillTag, ContentVersion
from lms.content.store import Change, current_version, load
from lms.skills.models import Skill
from tests.content.conftest import Workspace

REPO = Path(lms.__file__).resolve().parent.parent
SHIPPED = [REPO / "courses", REPO / "scenarios"]
WRITES = ("INSERT", "UPDATE", "DELETE")


def lms_cli(runner, *args):
    result = runner.invoke(args=["lms", *[str(arg) for arg in args]])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def versions_by_item(db) -> dict[tuple[str, str], list[tuple[int, str]]]:
    rows = db.session.execute(
        sa.select(
            ContentItem.kind, ContentItem.slug, ContentVersion.number, ContentVersion.content_hash
        )
        .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .order_by(ContentItem.kind, ContentItem.slug, ContentVersion.number)
    )
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for kind, slug, number, digest in rows:
        found.setdefault((kind, slug), []).append((number, digest))
    return found


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def content(tmp_path) -> Workspace:
    return Workspace(tmp_path / "content")


# --- the shipped curriculum --------------------------------------------------------------------


def test_the_shipped_curriculum_imports(runner, db):
    loaded = load_tree(SHIPPED)
    assert loaded.ok, "\n".join(str(error) for error in loaded.errors)
    tree = loaded.tree

    result = lms_cli(runner, "import", *SHIPPED)

    assert result.exit_code == 0, result.output
    expected = {
        "framework": 1,
        "lesson": len(tree.lessons),
        "quiz": len(tree.quizzes),
        "scenario": len(tree.scenarios),
        "course": len(tree.courses),
        "path": len(tree.paths),
    }
    assert stored_counts() == expected
    for kind, number in expected.items():
        assert f"{kind}: {number} added, 0 changed, 0 unchanged, 0 retired" in result.output
    assert count(db, ContentVersion) == sum(expected.values())
    assert {skill.id for skill in db.session.scalars(sa.select(Skill))} == tree.framework.skill_ids
    assert count(db, ContentSkillTag) > 0


def test_import_defaults_to_courses_and_scenarios_of_the_current_folder(runner, monkeypatch):
    monkeypatch.chdir(REPO)
    result = lms_cli(runner, "import")
    assert result.exit_code == 0, result.output
    assert "imported:" in result.output and stored_counts()["scenario"] > 0


def test_reimport_writes_and_renders_nothing(runner, db, queries, monkeypatch):
    assert lms_cli(runner, "import", *SHIPPED).exit_code == 0
    before = versions_by_item(db)

    def no_rendering(*args, **kwargs):
        raise AssertionError("re-import rendered Markdown")

    monkeypatch.setattr(renderer, "render_markdown", no_rendering)
    with queries() as statements:
        result = lms_cli(runner, "import", *SHIPPED)

    assert result.exit_code == 0, result.output
    assert f"no changes ({len(before)} unchanged)" in result.output
    writes = [s for s in statements if s.lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert len(statements) <= 10, statements  # one state query per kind, whatever the size
    assert versions_by_item(db) == before


def test_round_trip_export_import_export(runner, db, tmp_path):
    assert lms_cli(runner, "import", *SHIPPED).exit_code == 0
    first, second = tmp_path / "first", tmp_path / "second"

    exported = lms_cli(runner, "export", first)
    assert exported.exit_code == 0, exported.output
    before = versions_by_item(db)
    again = lms_cli(runner, "import", first)
    assert again.exit_code == 0, again.output
    assert "no changes" in again.output
    assert versions_by_item(db) == before
    assert lms_cli(runner, "export", second).exit_code == 0

    assert files_of(first) == files_of(second)
    assert set(files_of(first)) >= {"courses/skills.yaml"}
    # the export reads like the files it came from
    assert load_tree([first]).tree == load_tree(SHIPPED).tree


# --- versions ----------------------------------------------------------------------------------


def test_a_changed_quiz_becomes_version_2_and_version_1_is_kept(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    v1 = current_version("quiz", "time-basics")
    v1_id, v1_hash, v1_doc, v1_html = v1.id, v1.content_hash, dict(v1.document), dict(v1.rendered)
    assert v1.number == 1

    content.replace(
        "courses/time-management/time-basics.quiz.yaml", "pass_score: 80", "pass_score: 90"
    )
    content.replace(
        "courses/time-management/time-basics.quiz.yaml",
        "What goes **first** in a sales day?",
        "What comes *first* in a sales day?",
    )
    result = lms_cli(runner, "import", content.root)

    assert result.exit_code == 0, result.output
    assert "changed   quiz      time-basics" in result.output
    assert "quiz: 0 added, 1 changed, 0 unchanged, 0 retired" in result.output
    v2 = current_version("quiz", "time-basics")
    assert (v2.number, v2.item_id) == (2, v1.item_id)
    assert load(v2).pass_score == 90
    assert "<em>first</em>" in v2.html("questions.q1.prompt", "en")
    db.session.expire_all()
    old = db.session.get(ContentVersion, v1_id)
    assert (old.number, old.content_hash, old.document, old.rendered) == (
        1,
        v1_hash,
        v1_doc,
        v1_html,
    )
    assert load(old).pass_score == 80
    # the other objects did not get new versions
    assert all(
        len(numbers) == 1
        for (kind, slug), numbers in versions_by_item(db).items()
        if (kind, slug) != ("quiz", "time-basics")
    )


def test_retired_content_stays_in_history_and_comes_back(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    original = content.read("courses/time-management/time-basics.quiz.yaml")
    content.remove("courses/time-management/time-basics.quiz.yaml")
    content.replace("courses/time-management/course.yaml", "      - quiz: time-basics\n", "")
    path_file = content.read("courses/paths/new-sales-rep.yaml")
    content.replace(
        "courses/paths/new-sales-rep.yaml",
        "      - id: time-check\n        quiz: time-basics\n        min_score: 80\n",
        "",
    )

    result = lms_cli(runner, "import", content.root)

    assert result.exit_code == 0, result.output
    assert "retired   quiz      time-basics" in result.output
    assert current_version("quiz", "time-basics") is None
    kept = current_version("quiz", "time-basics", include_retired=True)
    assert kept is not None and kept.number == 1 and kept.item.is_retired
    item_id = kept.item_id
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(ContentSkillTag.item_id == item_id)) == 0
    )
    assert "no changes" in lms_cli(runner, "import", content.root).output

    content.write("courses/time-management/time-basics.quiz.yaml", original)
    content.write("courses/paths/new-sales-rep.yaml", path_file)
    content.replace(
        "courses/time-management/course.yaml",
        "      - scenario:",
        "      - quiz: time-basics\n      - scenario:",
    )
    back = lms_cli(runner, "import", content.root)

    assert back.exit_code == 0, back.output
    assert "added     quiz      time-basics" in back.output
    version = current_version("quiz", "time-basics")
    assert version is not None and version.number == 1  # the same content: no new version
    assert db.session.scalar(sa.select(sa.func.count()).where(ContentSkillTag.item_id == item_id))


# --- all or nothing ----------------------------------------------------------------------------


def test_one_bad_file_among_good_ones_changes_nothing(runner, db, content):
    content.replace("scenarios/price-too-high.yaml", "next: clarify", "next: clarfy")

    result = lms_cli(runner, "import", content.root)

    assert result.exit_code == 1
    assert "scenarios/price-too-high.yaml:" in result.output
    assert "unknown node 'clarfy'" in result.output
    assert "nothing was imported" in result.output
    assert count(db, ContentItem) == 0 and count(db, Skill) == 0


def test_a_bad_file_in_a_later_import_keeps_the_stored_content(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    before = versions_by_item(db)
    content.replace(
        "courses/time-management/time-basics.quiz.yaml", "pass_score: 80", "pass_score: 85"
    )
    content.remove("scenarios/price-too-high.yaml")
    content.write("courses/time-management/broken.quiz.yaml", "id: broken\nquestions: [\n")

    result = lms_cli(runner, "import", content.root)

    assert result.exit_code == 1
    assert "courses/time-management/broken.quiz.yaml:" in result.output
    assert "unknown scenario 'price-too-high'" in result.output  # every error, not the first
    assert versions_by_item(db) == before
    assert current_version("scenario", "price-too-high") is not None


def test_dry_run_changes_nothing(runner, db, content):
    result = lms_cli(runner, "import", "--dry-run", content.root)
    assert result.exit_code == 0, result.output
    assert "would import: 6 added" in result.output
    assert count(db, ContentItem) == 0


# --- partial imports ---------------------------------------------------------------------------


def test_importing_scenarios_alone_keeps_the_courses(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    content.replace("scenarios/price-too-high.yaml", "pass_score: 70", "pass_score: 75")

    result = lms_cli(runner, "import", content.path("scenarios"))

    assert result.exit_code == 0, result.output
    assert "scenario: 0 added, 1 changed, 0 unchanged, 0 retired" in result.output
    assert "course:" not in result.output and "retired   " not in result.output
    assert current_version("course", "time-management") is not None
    assert current_version("framework", "sales-execution") is not None


def test_importing_courses_alone_keeps_the_scenarios(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    result = lms_cli(runner, "import", content.path("courses"))
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output
    assert current_version("scenario", "price-too-high") is not None


def test_a_partial_import_checks_references_against_stored_content(runner, db, content):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    content.replace(
        "scenarios/price-too-high.yaml",
        "points: {needs-discovery: 2}",
        "points: {needs-discovery: 2, negotation: 1}",
    )
    result = lms_cli(runner, "import", content.path("scenarios"))
    assert result.exit_code == 1
    assert "unknown skill 'negotation'" in result.output

    # removing a scenario that stored courses and paths use is refused, naming them
    content.replace(
        "scenarios/price-too-high.yaml",
        "points: {needs-discovery: 2, negotation: 1}",
        "points: {needs-discovery: 2}",
    )
    content.remove("scenarios/price-too-high.yaml")
    original = (Path(__file__).parent / "fixtures/valid/scenarios/price-too-high.yaml").read_text(
        encoding="utf-8"
    )
    content.write("scenarios/other.yaml", original.replace("id: price-too-high", "id: other"))
    refused = lms_cli(runner, "import", content.path("scenarios"))
    assert refused.exit_code == 1
    assert (
        "courses/time-management/course.yaml (stored): modules[0].items[2].scenario: "
        "unknown scenario 'price-too-high'" in refused.output
    )
    assert current_version("scenario", "price-too-high") is not None
    assert current_version("scenario", "other") is None


def test_scenarios_need_a_stored_framework(runner, db, content):
    result = lms_cli(runner, "import", content.path("scenarios"))
    assert result.exit_code == 1
    assert "skills.yaml" in result.output and "skill framework" in result.output
    assert count(db, ContentItem) == 0


# --- bad input on the command line -------------------------------------------------------------


def test_a_missing_path(runner, db, tmp_path):
    result = lms_cli(runner, "import", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert f"{tmp_path / 'nowhere'}: no such file or folder" in result.output
    assert count(db, ContentItem) == 0


def test_an_unreadable_file(runner, db, content, monkeypatch):
    target = content.path("courses/time-management/time-basics.quiz.yaml")
    if os.geteuid() == 0:  # root reads anything: make this one file fail to open
        real_open = pathlib.Path.open

        def refusing_open(self, *args, **kwargs):
            if self == target:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "open", refusing_open)
    else:
        target.chmod(0)
    result = lms_cli(runner, "import", content.root)
    assert result.exit_code == 1
    assert (
        "courses/time-management/time-basics.quiz.yaml: cannot read the file: Permission denied"
        in result.output
    )
    assert count(db, ContentItem) == 0


@pytest.mark.parametrize(
    "link",
    ["courses/time-management/secret.md", "courses/elsewhere", "scenarios/linked.yaml"],
)
def test_symbolic_links_are_refused_and_never_read(runner, db, content, tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("root-password-hash-line\n", encoding="utf-8")
    target = outside if link.endswith("elsewhere") else secret
    content.path(link).symlink_to(target)

    result = lms_cli(runner, "import", content.root)

    assert result.exit_code == 1
    assert f"{link}: a symbolic link; links are not followed" in result.output
    assert "root-password-hash-line" not in result.output
    assert count(db, ContentItem) == 0


def test_broken_yaml(runner, db, content):
    content.write(
        "courses/time-management/time-basics.quiz.yaml", "id: time-basics\ntitle: [oops\n"
    )
    result = lms_cli(runner, "import", content.root)
    assert result.exit_code == 1
    assert "courses/time-management/time-basics.quiz.yaml:" in result.output
    assert count(db, ContentItem) == 0


def test_a_billion_laughs_file(runner, db, content):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        ref = ",".join([f"*{chr(96 + index)}"] * 9)
        lines.append(f"{chr(97 + index)}: &{chr(97 + index)} [{ref}]")
    content.write("scenarios/laughs.yaml", "\n".join(lines) + "\n")
    result = lms_cli(runner, "import", content.root)
    assert result.exit_code == 1
    assert "scenarios/laughs.yaml" in result.output and "alias" in result.output
    assert count(db, ContentItem) == 0


def test_a_binary_file(runner, db, content):
    content.write("scenarios/image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff")
    result = lms_cli(runner, "import", content.root)
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "scenarios/image.yaml" in line)
    assert "binary" in line or "UTF-8" in line
    assert count(db, ContentItem) == 0


# --- export ------------------------------------------------------------------------------------


def test_export_refuses_a_folder_with_content_unless_told_to_replace(runner, db, content, tmp_path):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    target = tmp_path / "out"
    (target / "courses").mkdir(parents=True)
    (target / "courses" / "stale.md").write_text("old", encoding="utf-8")

    refused = lms_cli(runner, "export", target)
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "--replace" in refused.output

    replaced = lms_cli(runner, "export", "--replace", target)
    assert replaced.exit_code == 0, replaced.output
    assert not (target / "courses" / "stale.md").exists()
    assert "no changes" in lms_cli(runner, "import", target).output


def test_export_leaves_retired_content_out(runner, db, content, tmp_path):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    content.remove("courses/paths/new-sales-rep.yaml")
    assert lms_cli(runner, "import", content.root).exit_code == 0
    assert lms_cli(runner, "export", tmp_path / "out").exit_code == 0
    assert not (tmp_path / "out" / "courses" / "paths" / "new-sales-rep.yaml").exists()


# --- rerender ----------------------------------------------------------------------------------


def test_rerender_after_the_renderer_changes(runner, db, content, monkeypatch):
    assert lms_cli(runner, "import", content.root).exit_code == 0
    total = count(db, ContentVersion)
    assert "re-rendered 0 version(s)" in lms_cli(runner, "rerender").output

    monkeypatch.setattr(renderer, "ISOLATED", False)  # the worker processes are not patched
    monkeypatch.setattr(renderer, "RENDERER_VERSION", renderer.RENDERER_VERSION + 1)
    monkeypatch.setattr(renderer, "LINK_REL", "nofollow noopener noreferrer")
    result = lms_cli(runner, "rerender")

    assert result.exit_code == 0, result.output
    assert f"re-rendered {total} version(s)" in result.output
    lesson = current_version("lesson", "plan-your-day")
    assert lesson.renderer_version == renderer.RENDERER_VERSION
    assert 'rel="nofollow noopener noreferrer"' in lesson.html("body", "en")
    assert lesson.number == 1
    assert "re-rendered 0 version(s)" in lms_cli(runner, "rerender").output
    assert f"re-rendered {total} version(s)" in lms_cli(runner, "rerender", "--force").output


def test_rerender_refreshes_the_stored_skill_descriptions(db, content, monkeypatch):
    content.replace(
        "courses/skills.yaml",
        "  - id: planning\n",
        "  - id: planning\n    description: See [the guide](https://example.com/guide).\n",
    )
    report = import_content([content.root])
    assert report.ok, report.errors
    db.session.commit()
    skill = db.session.get(Skill, "planning")
    assert 'rel="nofollow noopener"' in skill.description_html["en"]

    monkeypatch.setattr(renderer, "ISOLATED", False)  # the worker processes are not patched
    monkeypatch.setattr(renderer, "RENDERER_VERSION", renderer.RENDERER_VERSION + 1)
    monkeypatch.setattr(renderer, "LINK_REL", "nofollow")
    from lms.content.store import rerender

    assert rerender().rendered == count(db, ContentVersion)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Skill, "planning").description_html["en"].count('rel="nofollow"') == 1


# --- the report --------------------------------------------------------------------------------


def test_the_report_lists_every_change_per_kind(db, content):
    report = import_content([content.root])
    assert report.ok and report.applied
    counts = report.counts()
    assert list(counts) == ["framework", "lesson", "quiz", "scenario", "course", "path"]
    assert all(counter[Change.ADDED] == 1 for counter in counts.values())
    assert "added     lesson    plan-your-day" in report.lines()


def test_an_attempt_on_version_1_keeps_its_version_and_score_after_a_reimport(
    runner, db, content, make_user
):
    from lms.quizzes.kinds import kind_of
    from lms.quizzes.models import QuizAttempt
    from lms.quizzes.services import quiz_of_version, save_answers, start_attempt, submit_attempt

    assert lms_cli(runner, "import", content.root).exit_code == 0
    learner = make_user()
    attempt = start_attempt(learner.id, "time-basics")
    quiz = quiz_of_version(attempt.version)
    right = {
        question.id: [str(index) for index in kind_of(question).correct_options(question)]
        for question in quiz.questions
        if question.id in attempt.question_ids
    }
    save_answers(attempt.id, learner.id, right)
    submit_attempt(attempt.id, user_id=learner.id)
    db.session.commit()
    attempt_id, v1_id = attempt.id, attempt.version_id
    assert attempt.score == 100.0

    content.replace(
        "courses/time-management/time-basics.quiz.yaml", "        correct: true\n", ""
    )  # q1's right answer moves to the second choice
    content.replace(
        "courses/time-management/time-basics.quiz.yaml",
        "      - text: Email\n",
        "      - text: Email\n        correct: true\n",
    )
    assert "changed   quiz      time-basics" in lms_cli(runner, "import", content.root).output

    db.session.expire_all()
    kept = db.session.get(QuizAttempt, attempt_id)
    assert (kept.version_id, kept.score) == (v1_id, 100.0)
    assert current_version("quiz", "time-basics").number == 2
    new = start_attempt(learner.id, "time-basics")
    assert new.version_id == current_version("quiz", "time-basics").id != v1_id
