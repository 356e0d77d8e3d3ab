"""The quiz player end to end through HTTP: intro, answers saved as given, resume, submit once,
result per skill, limits, time limits, versions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.content.store import publish, retire
from lms.quizzes.models import QuizAnswer, QuizAttempt, QuizQuestionResult
from lms.quizzes.services import QuizError, save_answers, start_attempt
from lms.skills.mastery import mastery_of
from lms.skills.models import Evidence
from tests.helpers import login_as
from tests.quizzes.conftest import make_quiz, sample_questions


def count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def start(client, slug="basics"):
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302, response.status_code
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def answer(client, attempt_id, question, values, go="next", position=1, slug="basics", **headers):
    return client.post(
        f"/quizzes/{slug}/attempts/{attempt_id}/answers",
        data={"question": question, "answer": values, "go": go, "position": position},
        headers=headers,
    )


@pytest.fixture
def learner(make_user):
    return make_user(name="Lena Park")


def test_intro_shows_what_the_quiz_is(client, publish_quiz, learner):
    publish_quiz(max_attempts=3, pass_score=80)
    login_as(client, learner)
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Basics check" in page
    assert "80%" in page
    assert "3 attempts left" in page
    assert "Goal setting" in page and "Planning" in page and "Objection handling" in page
    assert "About 4 minutes" in page
    assert 'action="/quizzes/basics/start"' in page
    client.post("/language", data={"locale": "zh_CN"})
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "基础测验" in page


def test_unknown_and_retired_quizzes_are_not_found(client, db, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    assert client.get("/quizzes/nope").status_code == 404
    assert client.post("/quizzes/nope/start").status_code == 404
    assert client.get("/quizzes/" + "x" * 500).status_code == 404
    retire("quiz", "basics")
    db.session.commit()
    assert client.get("/quizzes/basics").status_code == 404
    assert client.post("/quizzes/basics/start").status_code == 404


def test_answers_are_saved_as_given_and_survive_a_reload(client, db, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}").get_data(as_text=True)
    assert "Question 1 of 4" in page
    assert "<strong>SMART</strong>" in page
    response = answer(client, attempt_id, "q1", ["1"], position=1)
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}?q=2")
    response = answer(client, attempt_id, "q2", ["0", "2"], go="stay", position=2)
    assert response.headers["Location"].endswith("?q=2")
    # a fetch from quiz.js, as on a change
    response = answer(client, attempt_id, "q3", ["1"], **{"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.get_json() == {"saved": True}
    # reload: the same attempt, the saved answers checked
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}?q=1").get_data(as_text=True)
    assert re.search(r'value="1"\s+checked', page)
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}?q=2").get_data(as_text=True)
    assert re.search(r'value="0"\s+checked', page) and re.search(r'value="2"\s+checked', page)
    assert not re.search(r'value="1"\s+checked', page)
    assert "3 of 4 answered" in page
    # closing the browser and coming back: start resumes the open attempt
    assert start(client) == attempt_id
    intro = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Resume attempt 1" in intro
    answers = dict(
        db.session.execute(
            sa.select(QuizAnswer.question_id, QuizAnswer.selected).where(
                QuizAnswer.attempt_id == attempt_id
            )
        ).all()
    )
    assert answers == {"q1": [1], "q2": [0, 2], "q3": [1]}
    # changing an answer overwrites it; an empty answer clears it
    answer(client, attempt_id, "q1", ["0"])
    answer(client, attempt_id, "q3", [])
    answers = dict(
        db.session.execute(
            sa.select(QuizAnswer.question_id, QuizAnswer.selected).where(
                QuizAnswer.attempt_id == attempt_id
            )
        ).all()
    )
    assert answers == {"q1": [0], "q2": [0, 2], "q3": []}


def test_a_drawn_and_shuffled_attempt_is_fixed_when_it_starts(client, db, publish_quiz, learner):
    publish_quiz(shuffle=True, draw=3)
    login_as(client, learner)
    attempt_id = start(client)
    attempt = db.session.get(QuizAttempt, attempt_id)
    layout = attempt.layout
    assert len(layout) == 3
    assert len({entry["q"] for entry in layout}) == 3
    for entry in layout:
        expected = 2 if entry["q"] == "q3" else {"q1": 3, "q2": 4, "q4": 2}[entry["q"]]
        assert sorted(entry["o"]) == list(range(expected))
    first = [
        client.get(f"/quizzes/basics/attempts/{attempt_id}?q={n}").get_data(as_text=True)
        for n in (1, 2, 3)
    ]
    again = [
        client.get(f"/quizzes/basics/attempts/{attempt_id}?q={n}").get_data(as_text=True)
        for n in (1, 2, 3)
    ]
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]*"', "", html)  # noqa: E731
    assert [strip(p) for p in first] == [strip(p) for p in again]
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).layout == layout
    missing = {"q1", "q2", "q3", "q4"} - {entry["q"] for entry in layout}
    response = answer(client, attempt_id, missing.pop(), ["0"])
    assert response.status_code == 302
    assert count(db, QuizAnswer) == 0


def test_submit_scores_once_and_shows_the_result_per_skill(client, db, publish_quiz, learner):
    publish_quiz(pass_score=50)
    login_as(client, learner)
    attempt_id = start(client)
    answer(client, attempt_id, "q1", ["1"])
    answer(client, attempt_id, "q2", ["0", "1", "3"])
    answer(client, attempt_id, "q3", ["1"])
    answer(client, attempt_id, "q4", ["1"], go="review", position=4)
    review = client.get(f"/quizzes/basics/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "Submit my answers" in review and "Sign 20 customers by June" in review
    for _ in range(3):  # a double click and a back-and-resubmit
        response = client.post(f"/quizzes/basics/attempts/{attempt_id}/submit")
        assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score == pytest.approx(100 * 7 / 12)
    assert attempt.is_passed is True
    assert count(db, QuizQuestionResult, QuizQuestionResult.attempt_id == attempt_id) == 4
    evidence = dict(db.session.execute(sa.select(Evidence.skill_id, Evidence.value)).all())
    assert evidence == pytest.approx(
        {"goal-setting": 7 / 9, "planning": 1 / 9, "objection-handling": 1.0}
    )
    source = db.session.scalars(sa.select(Evidence)).first()
    assert (source.source_kind, source.source_id, source.source_version_id) == (
        "quiz",
        "basics",
        attempt.version_id,
    )
    assert mastery_of(learner.id)["planning"].count == 1
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "58%" in page and "Passed" in page
    assert "Partly correct: 33%" in page
    assert "Only one has a number and a date." in page  # explanation
    assert "Feedback on Sign 20 customers by June" in page  # feedback of the picked choice
    assert "Result per skill" in page and "77%" in page and "11%" in page and "100%" in page
    # the answer form of a submitted attempt leads to the result, without changing anything
    response = answer(client, attempt_id, "q1", ["0"])
    assert response.headers["Location"].endswith("/result")
    response = answer(client, attempt_id, "q1", ["0"], **{"X-Requested-With": "fetch"})
    assert response.status_code == 409 and response.get_json()["error"] == "closed"
    assert (
        client.get(f"/quizzes/basics/attempts/{attempt_id}").headers["Location"].endswith("/result")
    )
    assert count(db, Evidence) == 3
    assert db.session.scalar(
        sa.select(QuizAnswer.selected).where(QuizAnswer.question_id == "q1")
    ) == [1]


def test_the_result_in_chinese_uses_the_stored_translation(client, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    client.post("/language", data={"locale": "zh_CN"})
    attempt_id = start(client)
    client.post(f"/quizzes/basics/attempts/{attempt_id}/submit")
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "只有一个有数字和日期。" in page
    assert "哪个目标是 <strong>SMART</strong> 的？" in page


def test_someone_elses_attempt_is_not_found(client, make_user, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    other = make_user()
    login_as(client, other)
    for url in ("", "/review", "/result"):
        assert client.get(f"/quizzes/basics/attempts/{attempt_id}{url}").status_code == 404
    assert answer(client, attempt_id, "q1", ["1"]).status_code == 404
    assert client.post(f"/quizzes/basics/attempts/{attempt_id}/submit").status_code == 404
    publish_quiz(make_quiz("other"))
    login_as(client, learner)
    assert client.get(f"/quizzes/other/attempts/{attempt_id}").status_code == 404


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("q1", ["0", "1"]),
        ("q1", ["7"]),
        ("q1", ["x"]),
        ("q1", ["²"]),
        ("q1", ["٣"]),
        ("q1", ["9" * 40]),
        ("q1", ["-0"]),
        ("nope", ["0"]),
        ("q3", ["2"]),
        ("q1", ["1"] * 30),
    ],
)
def test_hostile_answers_are_refused_clearly(client, db, publish_quiz, learner, question, values):
    publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    response = answer(client, attempt_id, question, values)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/attempts/{attempt_id}"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "does not fit the question" in page
    response = answer(client, attempt_id, question, values, **{"X-Requested-With": "fetch"})
    assert response.status_code == 400 and response.get_json()["error"] == "answer"
    assert count(db, QuizAnswer) == 0


def test_odd_positions_and_go_values_stay_inside_the_attempt(client, db, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    for q in ("0", "99", "", " 2 "):
        response = client.get(f"/quizzes/basics/attempts/{attempt_id}", query_string={"q": q})
        assert response.status_code == 200
    for q in ("-1", "abc", "9" * 50, "²", "٣", "１", "+1", "1.0"):
        response = client.get(f"/quizzes/basics/attempts/{attempt_id}", query_string={"q": q})
        assert response.status_code == 400 and "“q” must be a whole number" in response.text, q
    for go, position, expected in [
        ("next", "4", "/review"),
        ("prev", "1", "?q=1"),
        ("3", "1", "?q=3"),
    ]:
        response = answer(client, attempt_id, "q1", ["1"], go=go, position=position)
        assert response.headers["Location"].endswith(expected), (go, response.headers["Location"])
    for go, position in [("http://evil.example", "1"), ("²", "1"), ("0", "1"), ("next", "x")]:
        response = answer(client, attempt_id, "q2", ["1"], go=go, position=position)
        assert response.status_code == 400 and "must be a whole number" in response.text
        assert count(db, QuizAnswer) == 1  # refused before anything is saved


def test_attempt_limits_hold_against_replays(client, db, publish_quiz, learner):
    publish_quiz(max_attempts=2)
    login_as(client, learner)
    first = start(client)
    assert start(client) == first  # a replayed start resumes, it does not add an attempt
    client.post(f"/quizzes/basics/attempts/{first}/submit")
    second = start(client)
    assert second != first
    client.post(f"/quizzes/basics/attempts/{second}/submit")
    client.post(f"/quizzes/basics/attempts/{second}/submit")
    response = client.post("/quizzes/basics/start")
    assert response.headers["Location"].endswith("/quizzes/basics")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "used every attempt" in page
    assert 'action="/quizzes/basics/start"' not in page
    assert count(db, QuizAttempt) == 2
    assert count(db, Evidence) == 6


def test_a_time_limit_is_enforced_on_the_server(client, db, publish_quiz, learner, monkeypatch):
    publish_quiz(time_limit_minutes=10)
    login_as(client, learner)
    attempt_id = start(client)
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-deadline" in page and "10 minutes" in page
    answer(client, attempt_id, "q1", ["1"])
    attempt = db.session.get(QuizAttempt, attempt_id)
    deadline = attempt.deadline_at
    assert deadline - attempt.started_at == timedelta(minutes=10)
    late = deadline + timedelta(minutes=5)
    monkeypatch.setattr("lms.quizzes.views.utcnow", lambda: late)
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}").get_data(as_text=True)
    assert "Time is up" in page
    assert count(db, QuizQuestionResult) == 0  # a GET changes nothing
    response = answer(client, attempt_id, "q2", ["0", "1", "2"])
    assert response.headers["Location"].endswith("/result")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.submitted_at == deadline and attempt.is_expired
    assert attempt.score == 25.0  # only the answer given in time counts
    assert count(db, QuizAnswer, QuizAnswer.question_id == "q2") == 0
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "submitted when the time ran out" in page


def test_a_save_after_the_time_is_refused_but_the_submission_stands(
    client, db, publish_quiz, learner, monkeypatch
):
    """The page's background save gets a 409 (the request rolls back) and the attempt is still
    submitted as of its deadline: the submission is kept on rollback."""
    publish_quiz(time_limit_minutes=10)
    login_as(client, learner)
    attempt_id = start(client)
    answer(client, attempt_id, "q1", ["1"])
    deadline = db.session.get(QuizAttempt, attempt_id).deadline_at
    monkeypatch.setattr("lms.quizzes.views.utcnow", lambda: deadline + timedelta(minutes=5))
    response = answer(client, attempt_id, "q2", ["0", "1", "2"], **{"X-Requested-With": "fetch"})
    assert response.status_code == 409 and response.get_json()["error"] == "expired"
    db.session.remove()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.submitted_at == deadline and attempt.is_expired and attempt.score == 25.0
    assert count(db, QuizAnswer, QuizAnswer.question_id == "q2") == 0


def test_a_save_after_the_time_returns_the_submission_instead_of_raising(db, publish_quiz, learner):
    publish_quiz(time_limit_minutes=10)
    attempt = start_attempt(learner.id, "basics")
    save_answers(attempt.id, learner.id, {"q1": ["1"]}, now=attempt.started_at)
    late = attempt.deadline_at + timedelta(minutes=5)
    saved = save_answers(attempt.id, learner.id, {"q2": ["0"]}, now=late)
    assert saved.is_expired and saved.attempt.id == attempt.id
    assert saved.attempt.submitted_at == attempt.deadline_at and saved.attempt.score == 25.0
    assert count(db, QuizAnswer, QuizAnswer.question_id == "q2") == 0
    with pytest.raises(QuizError) as refused:  # now it is closed: refused before any write
        save_answers(attempt.id, learner.id, {"q2": ["0"]}, now=late)
    assert refused.value.code == QuizError.CLOSED


def test_saves_inside_the_grace_period_count(client, db, publish_quiz, learner, monkeypatch):
    publish_quiz(time_limit_minutes=5)
    login_as(client, learner)
    attempt_id = start(client)
    deadline = db.session.get(QuizAttempt, attempt_id).deadline_at
    monkeypatch.setattr("lms.quizzes.views.utcnow", lambda: deadline + timedelta(seconds=10))
    answer(client, attempt_id, "q1", ["1"])
    client.post(f"/quizzes/basics/attempts/{attempt_id}/submit")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score == 25.0 and not attempt.is_expired


def test_an_old_version_attempt_keeps_its_score_after_the_quiz_changes(
    client, db, publish_quiz, learner
):
    old_version = publish_quiz(pass_score=75)
    login_as(client, learner)
    attempt_id = start(client)
    answer(client, attempt_id, "q1", ["1"])
    answer(client, attempt_id, "q2", ["0", "1", "2"])
    answer(client, attempt_id, "q3", ["0"])
    client.post(f"/quizzes/basics/attempts/{attempt_id}/submit")
    # the quiz changes: q1's right answer moves, a pass mark goes up, a question goes away
    q1, q2, q3, _q4 = sample_questions()
    changed = q1.__class__(
        q1.id,
        q1.kind,
        q1.prompt,
        q1.skills,
        q1.explanation,
        tuple(
            c.__class__(c.text, not c.correct if i < 2 else c.correct, c.feedback)
            for i, c in enumerate(q1.choices)
        ),
    )
    new_version = publish(make_quiz(questions=(changed, q2, q3), pass_score=90), actor=None).version
    db.session.commit()
    assert new_version.id != old_version.id
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.version_id == old_version.id
    assert attempt.score == 75.0 and attempt.is_passed
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "75%" in page and "Passed" in page and "version 1" in page
    assert page.count("quiz-answer ") == 4
    second = start(client)
    assert db.session.get(QuizAttempt, second).version_id == new_version.id
    assert len(db.session.get(QuizAttempt, second).layout) == 3
    progress_page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "75%" in progress_page


def test_an_open_attempt_on_an_old_version_stays_on_it(client, db, publish_quiz, learner):
    old_version = publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    answer(client, attempt_id, "q4", ["1"])
    publish(make_quiz(questions=sample_questions()[:2]), actor=None)
    db.session.commit()
    assert start(client) == attempt_id
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}?q=4").get_data(as_text=True)
    assert "price objection" in page
    client.post(f"/quizzes/basics/attempts/{attempt_id}/submit")
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.version_id == old_version.id and attempt.score == 25.0


def test_the_submit_form_saves_the_answer_it_carries(client, db, publish_quiz, learner):
    publish_quiz()
    login_as(client, learner)
    attempt_id = start(client)
    client.post(
        f"/quizzes/basics/attempts/{attempt_id}/submit", data={"question": "q4", "answer": "1"}
    )
    assert db.session.get(QuizAttempt, attempt_id).score == 25.0


def test_a_shuffled_page_posts_shown_positions_and_hides_the_file_order(
    client, db, publish_quiz, learner
):
    publish_quiz(shuffle=True)
    login_as(client, learner)
    attempt_id = start(client)
    attempt = db.session.get(QuizAttempt, attempt_id)
    position = next(n for n, e in enumerate(attempt.layout, start=1) if e["q"] == "q2")
    order = attempt.layout[position - 1]["o"]
    html = client.get(f"/quizzes/basics/attempts/{attempt_id}?q={position}").get_data(as_text=True)
    assert re.findall(r'name="answer" value="(\d+)"', html) == ["0", "1", "2", "3"]
    labels = [["Steps", "Owners", "Dates", "Hopes"][i] for i in order]
    offsets = [html.index(f"<span>{label}</span>") for label in labels]
    assert offsets == sorted(offsets)
    # The first and last options as shown are stored as their indices in the file.
    answer(client, attempt_id, "q2", ["0", "3"], "stay", position)
    stored = db.session.get(QuizAnswer, (attempt_id, "q2"))
    assert stored.selected == sorted([order[0], order[3]])
    page = client.get(f"/quizzes/basics/attempts/{attempt_id}?q={position}").get_data(as_text=True)
    assert sorted(re.findall(r'value="(\d+)" checked', page)) == ["0", "3"]
