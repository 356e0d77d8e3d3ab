"""An ordering question in the player: the learner gives each position a step, the answer keeps
its order, and the result scores pairs in order and shows both orders."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.content.model import Choice, Question, Quiz, Text


def ordering_quiz(skill: str) -> Quiz:
    steps = tuple(Choice(Text({"en": name})) for name in ("Greet", "Ask", "Listen", "Propose"))
    question = Question(
        "order", "ordering", Text({"en": "Put the call in order."}), {skill: 1}, None, steps
    )
    return Quiz("call-order", "basics", Text({"en": "Call order"}), 50, (question,))


def test_a_learner_orders_the_steps_and_gets_partial_credit(client, db, publish_quiz, make_user):
    from lms.skills.models import Skill
    from tests.helpers import login_as

    skill = db.session.scalars(sa.select(Skill.id)).first()
    publish_quiz(ordering_quiz(skill))
    login_as(client, make_user(name="Lena Park"))
    response = client.post("/quizzes/call-order/start")
    attempt_id = int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))
    page = client.get(f"/quizzes/call-order/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count('<select name="answer">') == 4 and "Position 4" in page
    bad = client.post(
        f"/quizzes/call-order/attempts/{attempt_id}/answers",
        data={"question": "order", "answer": ["0", "0", "1", "2"], "go": "review", "position": 1},
    )
    assert bad.status_code == 302
    assert "does not fit the question" in client.get(bad.headers["Location"]).get_data(as_text=True)
    # Ask before Greet: one pair of six out of order
    client.post(
        f"/quizzes/call-order/attempts/{attempt_id}/answers",
        data={"question": "order", "answer": ["1", "0", "2", "3"], "go": "review", "position": 1},
    )
    page = client.get(f"/quizzes/call-order/attempts/{attempt_id}").get_data(as_text=True)
    assert '<option value="1" selected>Ask</option>' in page
    client.post(f"/quizzes/call-order/attempts/{attempt_id}/submit")
    result = client.get(f"/quizzes/call-order/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Partly correct: 83%" in result
    assert "Your order" in result and "The right order" in result
    assert result.index("<li>Ask</li>") < result.index("<li>Greet</li>")
