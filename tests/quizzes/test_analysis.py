"""Item analysis by hand, the quiz progress provider, and bounded queries."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from fractions import Fraction as F

import pytest

from lms import progress
from lms.people.models import Role
from lms.quizzes.analysis import Flag, analyse_version, point_biserial
from lms.quizzes.services import save_answers, start_attempt, submit_attempt
from tests.helpers import login_as

T0 = datetime(2026, 2, 2, 9, 0)

# Five learners on q1 (single), q2 (multiple: 0, 1, 2 correct), q3 (true-false, true), q4.
ANSWERS = {
    "A": {"q1": ["1"], "q2": ["0", "1", "2"], "q3": ["1"], "q4": ["1"]},  # 1, 1, 0, 1
    "B": {"q1": ["1"], "q2": ["0", "1"], "q3": ["1"], "q4": ["1"]},  # 1, 2/3, 0, 1
    "C": {"q1": ["0"], "q2": ["0"], "q3": ["0"], "q4": ["1"]},  # 0, 1/3, 1, 1
    "D": {"q1": ["1"], "q2": [], "q3": ["1"], "q4": ["1"]},  # 1, 0, 0, 1
    "E": {"q1": ["2"], "q2": ["3"], "q3": ["0"], "q4": ["1"]},  # 0, 0, 1, 1
}
SCORES = {
    "A": (1, 1, 0, 1),
    "B": (1, F(2, 3), 0, 1),
    "C": (0, F(1, 3), 1, 1),
    "D": (1, 0, 0, 1),
    "E": (0, 0, 1, 1),
}


def take(user, slug, answers, at):
    attempt = start_attempt(user.id, slug, now=at)
    save_answers(attempt.id, user.id, answers, now=at + timedelta(minutes=1))
    return submit_attempt(attempt.id, now=at + timedelta(minutes=2))


@pytest.fixture
def five(db, publish_quiz, make_user):
    version = publish_quiz(pass_score=75)
    users = {}
    for n, (name, answers) in enumerate(ANSWERS.items()):
        users[name] = make_user(name=f"Learner {name}")
        take(users[name], "basics", answers, T0 + timedelta(hours=n))
    db.session.commit()
    return version, users


def test_item_analysis_by_hand(app, five):
    version, _ = five
    report = analyse_version(version, "en")
    assert report.attempts == 5 and report.learners == 5
    assert report.mean_score == pytest.approx((75 + 200 / 3 + 175 / 3 + 50 + 50) / 5)
    assert report.pass_rate == pytest.approx(0.2)
    stats = {q.id: q for q in report.questions}
    assert stats["q1"].difficulty == pytest.approx(0.6)
    assert stats["q2"].difficulty == pytest.approx(0.4)
    assert stats["q3"].difficulty == pytest.approx(0.4)
    assert stats["q4"].difficulty == pytest.approx(1.0)
    assert [o.count for o in stats["q1"].options] == [1, 3, 1]
    assert [o.count for o in stats["q2"].options] == [3, 2, 1, 1]
    assert stats["q2"].unanswered == 1
    assert [o.count for o in stats["q3"].options] == [2, 3]
    assert [o.is_correct for o in stats["q3"].options] == [True, False]
    assert [o.share for o in stats["q1"].options] == pytest.approx([0.2, 0.6, 0.2])
    for index, question in enumerate(("q1", "q3")):
        items = [float(SCORES[name][index * 2]) for name in "ABCDE"]
        rest = [float((sum(SCORES[name]) - SCORES[name][index * 2]) / 3) for name in "ABCDE"]
        assert stats[question].discrimination == pytest.approx(statistics.correlation(items, rest))
    # the rest of every attempt is 2/3 for q2: nothing to correlate with
    assert stats["q2"].discrimination is None
    assert stats["q3"].discrimination < 0  # the strong learners got it wrong
    assert stats["q4"].discrimination is None  # everyone right: nothing to correlate
    assert stats["q1"].discrimination < 0  # C and E, right on q3, pull it down
    assert stats["q2"].flags == []
    assert stats["q3"].flags == [Flag.NEGATIVE]
    assert stats["q4"].flags == [Flag.TOO_EASY]
    skills = {s.id: s for s in report.skills}
    assert skills["goal-setting"].mean == pytest.approx(800 / 15)
    assert skills["planning"].mean == pytest.approx(40.0)
    assert skills["objection-handling"].mean == pytest.approx(100.0)
    assert skills["planning"].values == 5 and skills["planning"].learners == 5


def test_too_hard_needs_enough_answers(app, db, publish_quiz, make_user):
    version = publish_quiz()
    for n in range(4):
        take(make_user(), "basics", {"q1": ["0"]}, T0 + timedelta(hours=n))
    db.session.commit()
    assert analyse_version(version, "en").questions[0].flags == []
    take(make_user(), "basics", {"q1": ["0"]}, T0 + timedelta(hours=5))
    db.session.commit()
    assert analyse_version(version, "en").questions[0].flags == [Flag.TOO_HARD]


def test_point_biserial_edges():
    assert point_biserial([], []) is None
    assert point_biserial([1], [1]) is None
    assert point_biserial([1, 1], [0, 1]) is None
    assert point_biserial([0, 1], [0, 1]) == pytest.approx(1.0)
    assert point_biserial([0, 1], [1, 0]) == pytest.approx(-1.0)


def test_the_analysis_pages(client, db, five, make_user):
    trainer = make_user(roles={Role.TRAINER})
    login_as(client, trainer)
    index = client.get("/author/quiz-analysis").get_data(as_text=True)
    assert "Basics check" in index and 'href="/author/quizzes/basics/analysis"' in index
    page = client.get("/author/quizzes/basics/analysis").get_data(as_text=True)
    assert "Negative discrimination" in page and "Too easy" in page
    assert "-0." in page
    assert client.get("/author/quizzes/basics/analysis?version=1").status_code == 200
    assert client.get("/author/quizzes/basics/analysis?version=7").status_code == 404
    for bad in ("abc", "²", "0", "9" * 30):
        response = client.get("/author/quizzes/basics/analysis", query_string={"version": bad})
        assert response.status_code == 400 and "“version” must be a whole number" in response.text
    assert client.get("/author/quizzes/nope/analysis").status_code == 404
    client.post("/language", data={"locale": "zh_CN"})
    assert "区分度为负" in client.get("/author/quizzes/basics/analysis").get_data(as_text=True)


def test_analysis_queries_do_not_grow_with_attempts(client, db, publish_quiz, make_user, queries):
    publish_quiz()
    trainer = make_user(roles={Role.TRAINER})
    counts = []
    learner = make_user()
    for total in (1, 70):  # 70 attempts x 3 skills: over 200 evidence values
        while (
            db.session.scalar(
                db.select(db.func.count()).select_from(db.metadata.tables["quiz_attempts"])
            )
            < total
        ):
            take(learner, "basics", ANSWERS["B"], T0)
        db.session.commit()
        login_as(client, trainer)
        client.get("/author/quizzes/basics/analysis")
        with queries() as statements:
            response = client.get("/author/quizzes/basics/analysis")
        assert response.status_code == 200
        counts.append(len(statements))
        with queries() as statements:
            assert client.get("/author/quiz-analysis").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert counts[0] <= 10 and counts[1] <= 6


def test_quiz_progress_for_many_learners_in_one_query(app, db, publish_quiz, make_user, queries):
    from lms.content.store import publish
    from tests.quizzes.conftest import make_quiz

    publish_quiz(pass_score=75)
    publish_quiz(make_quiz("other"))
    first, second, idle = make_user(), make_user(), make_user()
    take(first, "basics", ANSWERS["D"], T0)  # 50: not passed
    take(first, "basics", ANSWERS["A"], T0 + timedelta(days=1))  # 75: passed
    take(first, "basics", ANSWERS["E"], T0 + timedelta(days=2))  # 50
    take(second, "basics", ANSWERS["A"], T0)  # 75 on version 1
    # the pass mark rises; second's passed attempt stays passed, first's new attempt fails at 75
    publish(make_quiz(pass_score=90), actor=None)
    take(second, "basics", ANSWERS["B"], T0 + timedelta(days=3))
    open_attempt = start_attempt(idle.id, "other", now=T0 + timedelta(days=4))
    db.session.commit()
    ids = [first.id, second.id, idle.id]
    with queries() as statements:
        found = progress.progress_of("quiz", ids, ["basics", "other"])
    assert len(statements) == 1
    a = found[(first.id, "basics")]
    assert (a.started, a.done, a.best_score, a.attempts) == (True, True, 75.0, 3)
    assert a.done_at == T0 + timedelta(days=1, minutes=2)
    assert a.last_activity_at == T0 + timedelta(days=2, minutes=2)
    b = found[(second.id, "basics")]
    assert (b.done, b.best_score, b.attempts) == (True, 75.0, 2)
    c = found[(idle.id, "other")]
    assert (c.started, c.done, c.best_score, c.attempts) == (True, False, None, 0)
    assert c.last_activity_at == open_attempt.started_at
    assert found[(idle.id, "basics")] == progress.NOT_STARTED
