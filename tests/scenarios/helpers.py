"""Small builders shared by the drill tests and the authorization matrix."""

from __future__ import annotations

import sqlalchemy as sa

from lms.authoring.models import ContentDraft
from lms.authoring.services import save_draft
from lms.content import store
from lms.content.documents import from_document
from lms.content.model import Framework, Skill, Text
from lms.extensions import db
from lms.timeutil import utcnow

SKILLS = ("objection-handling", "needs-discovery", "closing", "presenting")

TINY_DRILL = {
    "id": "tiny",
    "title": "Tiny drill",
    "skills": ["objection-handling"],
    "pass_score": 50,
    "start": "ask",
    "nodes": {
        "ask": {
            "say": "Why should I care?",
            "open": True,
            "rubric": [{"text": "Names a benefit", "skill": "objection-handling"}],
            "next": "pick",
        },
        "pick": {
            "say": "And the price?",
            "choices": [
                {"text": "Explain", "next": "done", "points": {"objection-handling": 1}},
                {"text": "Shrug", "next": "done"},
            ],
        },
        "done": {"say": "Thanks.", "end": "success"},
    },
}


def tiny_framework() -> Framework:
    return Framework(
        "sales-execution",
        Text({"en": "Skills"}),
        tuple(Skill(skill, Text({"en": skill.replace("-", " ").capitalize()})) for skill in SKILLS),
    )


def drill_world(learner) -> dict[str, object]:
    """A published drill, the learner's open run on it with a written reply waiting for review;
    the ids the authorization matrix's URLs name."""
    from lms.scenarios import services
    from lms.scenarios.models import OpenReply

    store.publish(tiny_framework(), actor=None)
    version = store.publish(from_document("scenario", TINY_DRILL), actor=None).version
    run, _ = services.start_run(learner, version, now=utcnow())
    services.take_step(
        run.id,
        node_id="ask",
        position=0,
        form={"reply": "It saves you an hour a day."},
        now=utcnow(),
    )
    reply = db.session.query(OpenReply).filter_by(run_id=run.id).one()
    db.session.commit()
    return {"drill": "tiny", "run": run.id, "reply": reply.id}


def draft_of(db, slug):
    """The stored draft of drill `slug`, read afresh."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ContentDraft).where(ContentDraft.kind == "scenario", ContentDraft.slug == slug)
    )


def seed_draft(db, trainer, document):
    save_draft("scenario", document["id"], document, actor=trainer, base_version=None)
    db.session.commit()


def node_form(**fields):
    """The node form's fields (`say_en` for `say-en`), saving."""
    data = {"action": "save"}
    data.update({key.replace("_", "-"): value for key, value in fields.items()})
    return data
