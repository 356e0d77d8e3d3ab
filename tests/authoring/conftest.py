"""Fixtures of the authoring tests: a trainer's client, stored content, form helpers."""

from __future__ import annotations

import pytest

from lms.people.models import Role
from tests.courses import factory
from tests.helpers import login_as


@pytest.fixture
def trainer(make_user):
    return make_user("tara@example.com", name="Tara Trainer", roles={Role.TRAINER})


@pytest.fixture
def author(client, trainer):
    """The test client, logged in as a trainer."""
    login_as(client, trainer)
    return client


@pytest.fixture
def learner_client(app, make_user):
    client = app.test_client()
    login_as(client, make_user("lena@example.com", name="Lena Learner"))
    return client


@pytest.fixture
def content(db):
    """Course `alpha` (lessons `plan-your-day` and `follow-up`, quiz `alpha-check`, drill
    `price-drill`) and course `beta` (lesson `beta-intro`), all published."""
    factory.publish(
        factory.lesson(
            "plan-your-day",
            "alpha",
            title="Plan your day",
            body="Write the plan the evening before.\n",
            zh_title="计划你的一天",
            zh_body="前一天晚上写好计划。\n",
            skills=("planning",),
            minutes=8,
        ),
        factory.lesson("follow-up", "alpha", title="Follow up", body="Call back.\n"),
        factory.quiz("alpha-check", "alpha", title="Alpha check"),
        factory.scenario("price-drill", title="Price drill"),
        factory.lesson("beta-intro", "beta", title="Beta intro"),
    )
    factory.publish(
        factory.course(
            "alpha",
            [
                [("lesson", "plan-your-day"), ("lesson", "follow-up")],
                [("quiz", "alpha-check"), ("scenario", "price-drill")],
            ],
            title="Alpha selling",
            zh_title="阿尔法销售",
            skills=("planning",),
        ),
        factory.course("beta", [[("lesson", "beta-intro")]], title="Beta habits"),
    )
    db.session.commit()
