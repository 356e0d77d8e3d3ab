"""The quiz editor: create a quiz, edit settings and questions of every kind, preview it as a
learner, publish it, and get it out of `lms export` into a file that imports unchanged; the
trainer's messages in both languages; two trainers on one draft."""

from __future__ import annotations

import sqlalchemy as sa

from lms.authoring.models import ContentDraft
from lms.content import store
from lms.content.documents import content_hash
from lms.content.loader import load_tree
from lms.people.models import Role
from tests.helpers import login_as


def draft(db, slug):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ContentDraft).where(ContentDraft.kind == "quiz", ContentDraft.slug == slug)
    )


def rev(db, slug) -> str:
    found = draft(db, slug)
    return str(found.revision if found else 0)


def create_quiz(client, slug="call-basics"):
    response = client.post(
        "/author/quizzes/new",
        data={"id": slug, "course": "alpha", "title-en": "Call basics", "title-zh": "通话基础"},
    )
    assert response.status_code == 303, response.data
    return response


QUESTIONS = [
    {
        "kind": "single",
        "id": "q1",
        "prompt-en": "What comes first on a call?",
        "prompt-zh": "通话中首先做什么？",
        "skills": "planning: 1",
        "choice-0-text-en": "The agenda",
        "choice-0-correct": "on",
        "choice-0-feedback-en": "Yes: **agree** the agenda.",
        "choice-1-text-en": "The price",
        "explanation-en": "An agenda sets the frame.",
    },
    {
        "kind": "multiple",
        "id": "q2",
        "prompt-en": "Which are questions?",
        "skills": "planning: 1\nclosing: 0.5",
        "choice-0-text-en": "What matters most?",
        "choice-0-correct": "on",
        "choice-1-text-en": "Who else decides?",
        "choice-1-correct": "on",
        "choice-2-text-en": "We are the best.",
    },
    {
        "kind": "true-false",
        "id": "q3",
        "prompt-en": "Plans need dates.",
        "skills": "planning",
        "answer": "true",
    },
    {
        "kind": "ordering",
        "id": "q4",
        "prompt-en": "Order the call.",
        "skills": "closing: 1",
        "step-0-en": "Agenda",
        "step-1-en": "Questions",
        "step-2-en": "Summary",
        "step-3-en": "Next step",
    },
    {
        "kind": "true-false",
        "id": "q5",
        "prompt-en": "Price comes first.",
        "skills": "closing",
        "answer": "false",
    },
]


def write_questions(client, db, slug="call-basics"):
    for form in QUESTIONS:
        response = client.post(
            f"/author/quizzes/{slug}/questions/new", data={**form, "revision": rev(db, slug)}
        )
        assert response.status_code == 303


def test_a_quiz_is_created_edited_previewed_published_and_exported_unchanged(
    db, author, content, runner, tmp_path
):
    create_quiz(author)
    write_questions(author, db)
    response = author.post(
        "/author/quizzes/call-basics",
        data={
            "title-en": "Call basics",
            "title-zh": "通话基础",
            "pass_score": "75",
            "max_attempts": "3",
            "time_limit_minutes": "20",
            "draw": "4",
            "shuffle": "on",
            "revision": rev(db, "call-basics"),
        },
    )
    assert response.status_code == 303
    # reorder: q5 up one place
    author.post(
        "/author/quizzes/call-basics/questions/q5/move",
        data={"direction": "up", "revision": rev(db, "call-basics")},
    )
    document = draft(db, "call-basics").document
    assert [q["id"] for q in document["questions"]] == ["q1", "q2", "q3", "q5", "q4"]
    assert document["draw"] == 4 and document["shuffle"] is True

    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert "The draft passes every check" in page
    assert "Each attempt draws 4 of the 5 questions." in page

    preview = author.post(
        "/author/quizzes/call-basics/preview",
        data={
            "answer-q1": "0",
            "answer-q2": ["0", "1"],
            "answer-q3": "0",
            "answer-q5": "1",
            "answer-q4": ["1", "0", "2", "3"],
        },
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    # four right, the ordering 5/6: (4 + 5/6) / 5 = 96.7 %
    assert "96.7" in text
    assert store.current_version("quiz", "call-basics") is None  # a preview records nothing

    response = author.post("/author/quizzes/call-basics/publish")
    assert response.status_code == 303
    version = store.current_version("quiz", "call-basics")
    assert version is not None and version.number == 1
    assert draft(db, "call-basics") is None
    assert "/author/quizzes/call-basics/analysis" in author.get(
        "/author/quizzes/call-basics"
    ).get_data(as_text=True)

    # an edit after publishing is a draft, then version 2
    author.post(
        "/author/quizzes/call-basics/questions/q3",
        data={**QUESTIONS[2], "prompt-en": "Plans need a date.", "revision": "0"},
    )
    assert store.current_version("quiz", "call-basics").number == 1
    author.post("/author/quizzes/call-basics/publish")
    version = store.current_version("quiz", "call-basics")
    assert version.number == 2

    out = tmp_path / "export"
    result = runner.invoke(args=["lms", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "courses" / "alpha" / "call-basics.quiz.yaml").read_text("utf-8")
    assert "Plans need a date." in written and "kind: ordering" in written
    loaded = load_tree([out / "courses", out / "scenarios"])
    assert loaded.ok, [str(e) for e in loaded.errors]
    assert content_hash(loaded.tree.quizzes["call-basics"]) == version.content_hash
    result = runner.invoke(args=["lms", "import", str(out / "courses"), str(out / "scenarios")])
    assert result.exit_code == 0, result.output
    assert "no changes (" in result.output, result.output


def test_the_messages_name_the_field_in_the_interface_language(db, author, content, trainer):
    create_quiz(author)
    author.post(
        "/author/quizzes/call-basics/questions/new",
        data={
            "kind": "single",
            "id": "q1",
            "skills": "juggling: 1",
            "choice-0-text-en": "A",
            "choice-1-text-en": "B",
            "revision": rev(db, "call-basics"),
        },
    )
    author.post(
        "/author/quizzes/call-basics",
        data={"title-en": "Call basics", "pass_score": "150", "revision": rev(db, "call-basics")},
    )
    english = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert "Write question 1: Question text." in english
    assert "Mark exactly one answer as correct in question 1: Answer choices." in english
    assert "Pick a skill of the framework for question 1: Skills and weights." in english
    assert "Enter a number from 0 to 100 for pass score (0–100)." in english
    assert "expected a text" not in english and "required key" not in english

    trainer.locale = "zh_CN"
    db.session.commit()
    chinese = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert "请填写第 1 题：题目内容。" in chinese
    assert "请在第 1 题：答案选项中把恰好一个答案标为正确。" in chinese
    assert "请为及格分（0–100）输入 0 到 100 之间的数字。" in chinese


def test_two_trainers_on_one_draft_get_a_conflict_not_an_overwrite(
    app, db, author, content, make_user
):
    create_quiz(author)
    start = rev(db, "call-basics")
    other = app.test_client()
    login_as(other, make_user("olga@example.com", name="Olga Other", roles={Role.TRAINER}))
    response = other.post(
        "/author/quizzes/call-basics",
        data={"title-en": "Olga's title", "pass_score": "80", "revision": start},
    )
    assert response.status_code == 303
    response = author.post(
        "/author/quizzes/call-basics",
        data={"title-en": "Tara's title", "pass_score": "80", "revision": start},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Olga Other saved this draft while you were editing it" in text
    assert draft(db, "call-basics").document["title"] == {"en": "Olga's title"}
    assert draft(db, "call-basics").updated_by.name == "Olga Other"


def test_a_quiz_is_duplicated_as_a_draft_and_listed_with_its_editor(db, author, content):
    create_quiz(author)
    write_questions(author, db)
    author.post("/author/quizzes/call-basics/publish")
    response = author.post("/author/quiz/call-basics/duplicate", data={"new_id": "call-2"})
    assert response.status_code == 303
    copy = draft(db, "call-2")
    assert copy is not None and len(copy.document["questions"]) == 5
    index = author.get("/author/quizzes").get_data(as_text=True)
    assert "call-2" in index and "Tara Trainer" in index
    bad = author.post("/author/quiz/call-basics/duplicate", data={"new_id": "call-2"})
    assert bad.status_code == 303
    assert draft(db, "call-2").document["id"] == "call-2"
    drafts = author.get("/author/drafts").get_data(as_text=True)
    assert "call-2" in drafts and "Tara Trainer" in drafts


def test_a_lesson_and_a_drill_are_duplicated(db, author, content):
    response = author.post("/author/lesson/plan-your-day/duplicate", data={"new_id": "plan-2"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/author/lessons/plan-2")
    copy = draft(db, "plan-2") or db.session.scalar(
        sa.select(ContentDraft).where(ContentDraft.slug == "plan-2")
    )
    assert copy.kind == "lesson" and copy.document["title"]["en"] == "Plan your day"
    response = author.post("/author/scenario/price-drill/duplicate", data={"new_id": "price-2"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/author/scenarios/price-2")
    assert author.get("/author/scenarios/price-2").status_code == 200
    assert author.get("/author/lessons/plan-2").status_code == 200
    assert author.post("/author/course/alpha/duplicate", data={"new_id": "x"}).status_code == 404


def test_bad_input_gets_a_clear_answer(db, author, content):
    create_quiz(author)
    assert author.get("/author/quizzes/NOPE").status_code == 404
    assert author.get("/author/quizzes/call-basics/questions/q9").status_code == 404
    response = author.post(
        "/author/quizzes/call-basics/questions/new",
        data={"kind": "essay", "revision": rev(db, "call-basics")},
    )
    assert response.status_code == 400
    assert (
        '<div class="form-errors" role="alert"><ul><li>Choose a kind of question.</li></ul></div>'
        in response.get_data(as_text=True)
    )
    response = author.post("/author/quizzes/call-basics/publish")
    assert response.status_code == 400
    assert "Add at least one question." in response.get_data(as_text=True)


def test_a_text_the_renderer_refuses_is_a_problem_of_its_question(db, author, content):
    create_quiz(author)
    write_questions(author, db)
    author.post(
        "/author/quizzes/call-basics/questions/q3",
        data={**QUESTIONS[2], "prompt-en": "> " * 40 + "deep", "revision": rev(db, "call-basics")},
    )
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert "Question 3: Question text (English): the formatting is nested too deeply" in page
    assert "The draft passes every check" not in page
    question = author.get("/author/quizzes/call-basics/questions/q3").get_data(as_text=True)
    assert (
        '<div class="form-errors" role="alert"><ul><li>Question 3: Question text (English): '
        "the formatting is nested too deeply"
    ) in question
    response = author.post("/author/quizzes/call-basics/publish")
    assert response.status_code == 400
    assert store.current_version("quiz", "call-basics") is None
    assert draft(db, "call-basics") is not None


def test_saving_the_settings_keeps_the_retake_rules_of_the_file(db, author, content):
    create_quiz(author)
    write_questions(author, db)
    found = draft(db, "call-basics")
    found.document = {**found.document, "retake_wait_hours": 24}
    db.session.commit()
    author.post(
        "/author/quizzes/call-basics",
        data={"title-en": "Call basics", "pass_score": "70", "revision": rev(db, "call-basics")},
    )
    document = draft(db, "call-basics").document
    assert document["pass_score"] == 70 and document["retake_wait_hours"] == 24
    assert author.post("/author/quizzes/call-basics/publish").status_code == 303
    assert store.current_version("quiz", "call-basics").document["retake_wait_hours"] == 24


def test_the_question_list_shows_prompts_as_plain_text(db, author, content, trainer):
    create_quiz(author)
    form = {
        **QUESTIONS[2],
        "prompt-en": "*True or false:* a goal is **SMART** when it has a `date`.",
        "prompt-zh": "*判断：* 目标要有**日期**。<b>x</b>",
        "revision": rev(db, "call-basics"),
    }
    response = author.post("/author/quizzes/call-basics/questions/new", data=form)
    assert response.status_code == 303, response.data
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert ">True or false: a goal is SMART when it has a date.</a>" in page
    assert "*True or false:*" not in page

    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert ">判断： 目标要有日期。x</a>" in page
    assert "<b>x</b>" not in page


def test_the_pool_names_skills_in_the_readers_language(db, author, content, trainer):
    create_quiz(author)
    write_questions(author, db)
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert '<td>Planning<br><code class="muted">planning</code></td><td>3</td>' in page
    assert '<td>Closing<br><code class="muted">closing</code></td><td>3</td>' in page

    trainer.locale = "zh_CN"
    db.session.commit()
    page = author.get("/author/quizzes/call-basics").get_data(as_text=True)
    assert '<td>计划制定<br><code class="muted">planning</code></td><td>3</td>' in page
    assert '<td>促成签约<br><code class="muted">closing</code></td><td>3</td>' in page
