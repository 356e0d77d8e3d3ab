"""Builders shared by the quiz tests and the authorization matrix."""

from __future__ import annotations

from lms.content.model import Choice, Framework, Question, Quiz, Skill, Text
from lms.content.store import publish
from lms.extensions import db
from lms.skills.models import Skill as SkillRow
from lms.timeutil import utcnow


def tiny_quiz(slug: str = "tiny-quiz") -> Quiz:
    question = Question(
        "q1",
        "single",
        Text({"en": "First step with a price objection?"}),
        {"objection-handling": 1},
        None,
        (Choice(Text({"en": "Discount"})), Choice(Text({"en": "Acknowledge"}), True)),
    )
    return Quiz(slug, "tiny-course", Text({"en": "Tiny quiz"}), 50, (question,))


def quiz_world(learner) -> dict[str, object]:
    """A published quiz and the learner's open attempt on it: the ids the authorization
    matrix's URLs name. Uses the skill `objection-handling`, adding a framework if none has it."""
    from lms.quizzes.services import start_attempt

    if db.session.get(SkillRow, "objection-handling") is None:
        publish(
            Framework(
                "sales-execution",
                Text({"en": "Skills"}),
                (Skill("objection-handling", Text({"en": "Objection handling"})),),
            ),
            actor=None,
        )
    publish(tiny_quiz(), actor=None)
    attempt = start_attempt(learner.id, "tiny-quiz", now=utcnow())
    db.session.commit()
    return {"quiz": "tiny-quiz", "attempt": attempt.id}
