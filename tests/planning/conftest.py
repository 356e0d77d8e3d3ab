from __future__ import annotations

from datetime import date, datetime, time

import pytest

from lms.onboarding.services import enroll
from lms.people.models import Role
from lms.planning.services import ensure_default_kinds
from tests.onboarding.conftest import Team
from tests.onboarding.paths import publish_path

START = date(2026, 3, 2)  # a Monday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


@pytest.fixture
def team(app, db, make_user) -> Team:
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    other = make_user("other-boss@example.com", name="Other Boss", roles={Role.MANAGER})
    return Team(
        manager=manager,
        hire=make_user("hire@example.com", name="Lena Park", manager=manager, start_date=START),
        outsider_manager=other,
        outsider=make_user(
            "outsider@example.com", name="Out Sider", manager=other, start_date=START
        ),
        admin=make_user("root@example.com", name="Alex Admin", roles={Role.ADMIN}),
    )


@pytest.fixture
def enrolled(db, team):
    publish_path()
    enroll(team.hire, "rep", actor=team.manager, now=at(START, 8))
    enroll(team.outsider, "rep", actor=team.outsider_manager, now=at(START, 8))
    ensure_default_kinds()
    db.session.commit()
    return team
