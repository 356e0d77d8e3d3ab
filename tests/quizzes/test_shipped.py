"""Every shipped quiz can be taken in both languages without losing an answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.content.importer import import_content
from lms.content.store import current_versions, load
from lms.quizzes.kinds import kind_of
from lms.quizzes.models import QuizAnswer, QuizAttempt
from tests.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    path.name.removesuffix(".quiz.yaml")
    for path in ROOT.glob("courses/*/*.quiz.yaml")
    if not path.parent.name.startswith(".")  # a hidden folder is not loaded (a template)
)


@pytest.fixture
def shipped(app, db):
    report = import_content([ROOT / "courses", ROOT / "scenarios"])
    assert not report.errors
    db.session.commit()
    return {slug: load(version) for slug, version in current_versions("quiz").items()}


def test_every_quiz_file_is_imported(shipped):
    assert sorted(shipped) == SHIPPED and SHIPPED


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_take_every_shipped_quiz(client, db, make_user, shipped, locale):
    learner = make_user(locale=locale)
    login_as(client, learner)
    for slug, quiz in shipped.items():
        intro = client.get(f"/quizzes/{slug}").get_data(as_text=True)
        title = quiz.title.get("zh-CN" if locale == "zh_CN" else "en", quiz.language)
        assert title in intro
        response = client.post(f"/quizzes/{slug}/start")
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
        attempt = db.session.get(QuizAttempt, attempt_id)
        for position, question_id in enumerate(attempt.question_ids, start=1):
            page = client.get(f"/quizzes/{slug}/attempts/{attempt_id}?q={position}")
            html = page.get_data(as_text=True)
            assert page.status_code == 200
            prompt = re.search(r'quiz-question__prompt">(.*?)</div>', html, re.S).group(1)
            assert prompt.strip(), (slug, question_id)
            question = quiz.question(question_id)
            if locale == "zh_CN" and "zh-CN" in question.prompt:
                assert re.search(r"[\u4e00-\u9fff]", prompt), (slug, question_id)
            kind = kind_of(question)
            order = attempt.layout[position - 1]["o"]
            # The page posts the positions of the options as shown, never their file order.
            values = [str(order.index(i)) for i in sorted(kind.correct_options(question))]
            shown = re.findall(r'name="answer" value="(\d+)"', html)
            assert shown == [str(i) for i in range(kind.option_count(question))]
            response = client.post(
                f"/quizzes/{slug}/attempts/{attempt_id}/answers",
                data={"question": question_id, "answer": values, "position": position},
            )
            assert response.status_code == 302
        saved = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QuizAnswer)
            .where(QuizAnswer.attempt_id == attempt_id)
        )
        assert saved == len(attempt.question_ids)
        client.post(f"/quizzes/{slug}/attempts/{attempt_id}/submit")
        db.session.expire_all()
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.score == 100.0 and attempt.is_passed, slug
        result = client.get(f"/quizzes/{slug}/attempts/{attempt_id}/result").get_data(as_text=True)
        assert "100%" in result
        assert ("各技能结果" if locale == "zh_CN" else "Result per skill") in result
