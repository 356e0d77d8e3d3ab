"""The path editor: create a path, add phases and items, move them with buttons, the rules
checked live (due day inside its phase, teach before test), publish, export and re-import with
no change; enrolled hires stay on their pinned version."""

from __future__ import annotations

import sqlalchemy as sa

from lms.authoring.models import ContentDraft
from lms.content import store
from lms.content.documents import content_hash
from lms.content.loader import load_tree
from lms.onboarding import services as onboarding


def draft(db, slug="rep-path"):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ContentDraft).where(ContentDraft.kind == "path", ContentDraft.slug == slug)
    )


def rev(db, slug="rep-path") -> str:
    found = draft(db, slug)
    return str(found.revision if found else 0)


def save_item(client, db, phase: str, item: str = "new", **form) -> None:
    """Post the item form of `item` (or a new item) in `phase` of `rep-path`, with the revision."""
    response = client.post(
        f"/author/paths/rep-path/phases/{phase}/items/{item}", data={**form, "revision": rev(db)}
    )
    assert response.status_code == 303, response.data


def build_path(client, db):
    response = client.post(
        "/author/paths/new", data={"id": "rep-path", "title-en": "Rep path", "title-zh": "代表路径"}
    )
    assert response.status_code == 303
    client.post(
        "/author/paths/rep-path/phases/new",
        data={
            "id": "first-30",
            "title-en": "First 30 days",
            "until_day": "30",
            "goals-en": "Know the **basics**.",
            "targets": "planning: 50",
            "revision": rev(db),
        },
    )
    client.post(
        "/author/paths/rep-path/phases/new",
        data={"id": "next-60", "title-en": "Days 31-60", "until_day": "60", "revision": rev(db)},
    )
    for form in (
        {"kind": "quiz", "id": "check", "ref": "alpha-check", "due_day": "20"},
        {"kind": "course", "id": "alpha", "ref": "alpha", "due_day": "21"},
        {"kind": "task", "id": "shadow", "title-en": "Shadow three calls", "due_day": "25"},
        {"kind": "checkin", "id": "review-30", "title-en": "30-day review", "due_day": "30"},
    ):
        response = client.post(
            "/author/paths/rep-path/phases/first-30/items/new", data={**form, "revision": rev(db)}
        )
        assert response.status_code == 303


def test_a_path_is_built_checked_live_published_and_exported_unchanged(
    db, author, content, runner, tmp_path, make_user
):
    build_path(author, db)
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    # the quiz (day 20) tests planning before the course (day 21) teaches it
    assert "This item tests planning before any lesson or course of the path teaches it" in page
    assert "The path passes every check." in page  # advice, not a refusal

    # moving the quiz below the course in the list does not teach it: the due days decide
    author.post(
        "/author/paths/rep-path/phases/first-30/items/check/move",
        data={"direction": "down", "revision": rev(db)},
    )
    items = draft(db).document["phases"][0]["items"]
    assert [item["id"] for item in items] == ["alpha", "check", "shadow", "review-30"]
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "This item tests planning before any lesson" in page
    # due on the course's day, the quiz comes after its teaching
    save_item(
        author, db, "first-30", "check", kind="quiz", id="check", ref="alpha-check", due_day="21"
    )
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "The path passes every check." in page
    assert "before any lesson or course of the path teaches it" not in page

    # a due day outside its phase, in the trainer's words
    author.post(
        "/author/paths/rep-path/phases/first-30/items/shadow",
        data={
            "kind": "task",
            "id": "shadow",
            "title-en": "Shadow three calls",
            "due_day": "45",
            "revision": rev(db),
        },
    )
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "Choose a day inside the item&#39;s phase for due day." in page
    author.post(
        "/author/paths/rep-path/phases/first-30/items/shadow",
        data={
            "kind": "task",
            "id": "shadow",
            "title-en": "Shadow three calls",
            "due_day": "25",
            "revision": rev(db),
        },
    )
    # the last item moves down into the next phase, and back
    author.post(
        "/author/paths/rep-path/phases/first-30/items/review-30/move",
        data={"direction": "down", "revision": rev(db)},
    )
    phases = draft(db).document["phases"]
    assert [i["id"] for i in phases[1]["items"]] == ["review-30"]
    author.post(
        "/author/paths/rep-path/phases/next-60/items/review-30/move",
        data={"direction": "up", "revision": rev(db)},
    )

    assert author.post("/author/paths/rep-path/publish").status_code == 303
    first = store.current_version("path", "rep-path")
    assert first.number == 1

    hire = make_user("hana@example.com", name="Hana Hire")
    enrollment = onboarding.enroll(hire, "rep-path", actor=None)
    db.session.commit()

    author.post(
        "/author/paths/rep-path/phases/new",
        data={"id": "last-90", "title-en": "Days 61-90", "until_day": "90", "revision": "0"},
    )
    author.post("/author/paths/rep-path/publish")
    second = store.current_version("path", "rep-path")
    assert second.number == 2
    db.session.expire_all()
    assert (
        onboarding.active_enrollment(hire.id).path_version_id
        == first.id
        == enrollment.path_version_id
    )

    out = tmp_path / "export"
    result = runner.invoke(args=["lms", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "courses" / "paths" / "rep-path.yaml").read_text("utf-8")
    assert "last-90" in written and "Shadow three calls" in written
    loaded = load_tree([out / "courses", out / "scenarios"])
    assert loaded.ok, [str(e) for e in loaded.errors]
    assert content_hash(loaded.tree.paths["rep-path"]) == second.content_hash
    result = runner.invoke(args=["lms", "import", str(out / "courses"), str(out / "scenarios")])
    assert result.exit_code == 0, result.output
    assert "no changes (" in result.output, result.output


def test_path_messages_in_chinese(db, author, content, trainer):
    build_path(author, db)
    author.post(
        "/author/paths/rep-path/phases/first-30",
        data={"id": "first-30", "title-en": "", "until_day": "30", "revision": rev(db)},
    )
    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "请填写标题。" in page
    assert "该事项在路径中任何课时或课程讲授 planning 之前就对其进行考查" in page


def test_bad_path_requests(db, author, content):
    build_path(author, db)
    assert author.get("/author/paths/no-such").status_code == 404
    assert author.get("/author/paths/rep-path/phases/first-30/items/nope").status_code == 404
    response = author.post(
        "/author/paths/rep-path/phases/first-30/items/new",
        data={"kind": "juggle", "revision": rev(db)},
    )
    assert response.status_code == 400
    assert "Choose what the item is." in response.get_data(as_text=True)


def test_a_path_item_may_be_one_lesson_and_a_refused_text_is_a_problem_of_its_phase(
    db, author, content
):
    build_path(author, db)
    response = author.post(
        "/author/paths/rep-path/phases/first-30/items/new",
        data={
            "kind": "lesson",
            "id": "plan",
            "ref": "plan-your-day",
            "due_day": "3",
            "revision": rev(db),
        },
    )
    assert response.status_code == 303
    items = draft(db).document["phases"][0]["items"]
    assert {"id": "plan", "lesson": "plan-your-day", "due_day": 3} in items
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "The path passes every check." in page

    author.post(
        "/author/paths/rep-path/phases/first-30",
        data={
            "id": "first-30",
            "title-en": "First 30 days",
            "until_day": "30",
            "goals-en": "> " * 40 + "deep",
            "targets": "planning: 50",
            "revision": rev(db),
        },
    )
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert "the formatting is nested too deeply" in page
    assert "The path passes every check." not in page
    assert author.post("/author/paths/rep-path/publish").status_code == 400
    assert store.current_version("path", "rep-path") is None


def test_path_problems_show_with_the_shared_error_macros(db, author, content):
    """A phase's problems sit under the phase (`phase-<n>-error`), a refused item form answers 400
    with its problem in the live error list and writes nothing, a refused phase form shows the
    shared summary."""
    build_path(author, db)
    author.post(
        "/author/paths/rep-path/phases/next-60",
        data={"id": "next-60", "title-en": "", "until_day": "60", "revision": rev(db)},
    )
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    assert '<p class="field__error" id="phase-1-error">Write title.</p>' in page
    assert 'id="phase-0-error"' not in page

    before = rev(db)
    response = author.post(
        "/author/paths/rep-path/phases/first-30/items/new",
        data={"kind": "juggle", "id": "x", "revision": before},
    )
    assert response.status_code == 400
    assert (
        '<div class="form-errors" role="alert" data-errors-for="__all__">'
        "<ul><li>Choose what the item is.</li></ul></div>"
    ) in response.get_data(as_text=True)
    assert rev(db) == before

    response = author.post(
        "/author/paths/rep-path/phases/gone", data={"id": "gone", "revision": before}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<div class="form-errors" role="alert" id="form-errors">' in page
    assert "<li>This phase is not in the path any more.</li>" in page
    assert rev(db) == before


def test_path_items_show_translated_kinds_and_content_titles(db, author, content, trainer):
    build_path(author, db)
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    for label in ("Quiz", "Course", "Field task", "Check-in"):
        assert f'<span class="badge">{label}</span>' in page
    assert '<option value="course">Course</option>' in page
    assert '<option value="scenario">Drill</option>' in page
    assert '<span class="badge">quiz</span>' not in page
    assert '<option value="course">course</option>' not in page
    # the content's title in the reader's language, the slug small beside it
    assert 'Alpha selling <code class="slug">alpha</code>' in page
    assert 'Alpha check <code class="slug">alpha-check</code>' in page
    item = author.get("/author/paths/rep-path/phases/first-30/items/check").get_data(as_text=True)
    assert '<option value="quiz" selected>Quiz</option>' in item

    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/paths/rep-path").get_data(as_text=True)
    for label in ("测验", "课程", "实战任务", "阶段面谈"):
        assert f'<span class="badge">{label}</span>' in page
    assert '<option value="scenario">演练</option>' in page
    assert '阿尔法销售 <code class="slug">alpha</code>' in page
    # a title with no Chinese falls back to the one it has
    assert 'Alpha check <code class="slug">alpha-check</code>' in page


def test_the_item_form_offers_content_by_title(db, author, content, trainer):
    build_path(author, db)
    item = author.get("/author/paths/rep-path/phases/first-30/items/alpha").get_data(as_text=True)
    assert '<option value="alpha" selected>Alpha selling · alpha</option>' in item
    assert '<option value="beta" >' in item and ">alpha</option>" not in item

    trainer.locale = "zh_CN"
    db.session.commit()
    item = author.get("/author/paths/rep-path/phases/first-30/items/alpha").get_data(as_text=True)
    assert '<option value="alpha" selected>阿尔法销售 · alpha</option>' in item
    quiz = author.get("/author/paths/rep-path/phases/first-30/items/check").get_data(as_text=True)
    # a title with no Chinese falls back to the one it has
    assert '<option value="alpha-check" selected>Alpha check · alpha-check</option>' in quiz
