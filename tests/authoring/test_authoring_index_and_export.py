"""The content list for trainers, and what was edited in the browser coming out of `lms export`."""

from __future__ import annotations

import re

from lms.content import store
from lms.content.loader import load_tree
from tests.authoring.pages import lesson_form
from tests.courses import factory


def test_the_index_lists_versions_drafts_and_last_editors(author, content):
    author.post("/author/lessons/plan-your-day", data=lesson_form(body_en="Edited.\n"))
    author.post(
        "/author/lessons/follow-up",
        data=lesson_form(title_en="Follow up", body_en="Draft.\n", action="save-draft"),
    )
    store.retire("lesson", "beta-intro")

    page = author.get("/author?kind=lesson").get_data(as_text=True)
    rows = {
        slug: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for slug in re.findall(r'<code class="muted">([a-z0-9-]+)</code>', row)
    }
    assert set(rows) == {"plan-your-day", "follow-up", "beta-intro"}
    assert "v2" in rows["plan-your-day"] and "v2 by Tara Trainer" in rows["plan-your-day"]
    assert "Published" in rows["plan-your-day"]
    assert 'href="/author/lessons/plan-your-day"' in rows["plan-your-day"]
    assert "Draft by Tara Trainer" in rows["follow-up"] and "v1 by import" in rows["follow-up"]
    assert "Retired" in rows["beta-intro"]
    assert 'href="/author/lessons/beta-intro"' not in rows["beta-intro"]

    courses = author.get("/author").get_data(as_text=True)
    assert "Alpha selling" in courses and 'href="/author/courses/alpha"' in courses
    quizzes = author.get("/author?kind=quiz").get_data(as_text=True)
    assert "Alpha check" in quizzes and 'href="/quizzes/alpha-check"' in quizzes
    drills = author.get("/author?kind=scenario").get_data(as_text=True)
    assert "Price drill" in drills
    assert author.get("/author?kind=<script>").status_code == 200


def test_the_index_costs_the_same_for_few_and_many_items(author, db, queries, content):
    def count():
        with queries() as statements:
            response = author.get("/author?kind=lesson")
            assert response.status_code == 200
        return len(statements)

    few = count()
    for number in range(30):
        factory.publish(factory.lesson(f"extra-{number}", "alpha"))
    author.post(
        "/author/lessons/extra-1",
        data=lesson_form(course="alpha", title_en="X", body_en="Y\n", action="save-draft"),
    )
    db.session.commit()
    assert count() == few


def test_a_lesson_published_in_the_browser_comes_out_of_lms_export(
    author, runner, content, tmp_path
):
    form = lesson_form(
        body_en="Edited in the **browser**.\n", body_zh="在浏览器里编辑的正文。\n", minutes="12"
    )
    assert author.post("/author/lessons/plan-your-day", data=form).status_code == 302
    new_lesson = lesson_form(
        id="browser-born", title_en="Born here", body_en="New.\n", title_zh="", body_zh=""
    )
    assert author.post("/author/lessons/new", data=new_lesson).status_code == 302
    course_form = {
        "language": "en",
        "title-en": "Alpha selling",
        "modules": "1",
        "module-0-title-en": "Everything",
        "module-0-item": ["lesson:browser-born", "lesson:plan-your-day", "quiz:alpha-check"],
        "skills": ["planning"],
        "action": "publish",
    }
    assert author.post("/author/courses/alpha", data=course_form).status_code == 302

    result = runner.invoke(args=["lms", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output

    folder = tmp_path / "out" / "courses" / "alpha"
    plain = (folder / "plan-your-day.md").read_text(encoding="utf-8")
    assert plain.endswith("---\nEdited in the **browser**.\n")
    assert "minutes: 12" in plain
    variant = (folder / "plan-your-day.zh-CN.md").read_text(encoding="utf-8")
    assert "在浏览器里编辑的正文。" in variant
    assert "New.\n" in (folder / "browser-born.md").read_text(encoding="utf-8")
    manifest = (folder / "course.yaml").read_text(encoding="utf-8")
    assert manifest.index("browser-born") < manifest.index("plan-your-day")

    loaded = load_tree(tmp_path / "out")
    assert loaded.ok, [str(error) for error in loaded.errors]
    assert loaded.tree.lessons["plan-your-day"].body.values["en"] == "Edited in the **browser**.\n"
    reimport = runner.invoke(args=["lms", "import", str(tmp_path / "out")])
    assert reimport.exit_code == 0, reimport.output
    assert store.current_version("lesson", "plan-your-day").number == 2
    assert store.current_version("course", "alpha").number == 2
