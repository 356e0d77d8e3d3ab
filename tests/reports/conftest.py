"""A small company for the reports tests: the framework, a path with phase targets (goal-setting
50 and planning 40 in days 1-30), a manager's team, an outsider, a trainer and an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from lms.onboarding.services import enroll
from lms.people.models import Role, User
from lms.skills.models import Mastery
from lms.timeutil import today
from tests.onboarding.paths import publish_path


@dataclass
class Company:
    manager: User
    outsider: User
    trainer: User
    admin: User
    learner: User


def set_mastery(db, user: User, skill: str, value: float | None, count: int = 3) -> None:
    """Mastery as if `count` evidence values had been recorded (value on 0..100)."""
    level = None if value is None else value / 100
    db.session.add(Mastery(user_id=user.id, skill_id=skill, level=level, count=count))


def add_hire(db, make_user, manager: User, name: str, *, day: int = 10, email=None) -> User:
    """A hire `day` days into onboarding (day 1 = the start date), enrolled on the path."""
    hire = make_user(
        email, name=name, manager=manager, start_date=today() - timedelta(days=day - 1)
    )
    enroll(hire, "rep", actor=None)
    db.session.commit()
    return hire


@pytest.fixture
def company(app, db, make_user) -> Company:
    publish_path()
    db.session.commit()
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    other = make_user("other@example.com", name="Other Boss", roles={Role.MANAGER})
    outsider = add_hire(db, make_user, other, "Out Sider", email="outsider@example.com")
    return Company(
        manager=manager,
        outsider=outsider,
        trainer=make_user("trainer@example.com", name="Tina Trainer", roles={Role.TRAINER}),
        admin=make_user("admin@example.com", name="Alex Admin", roles={Role.ADMIN}),
        learner=make_user("learner@example.com", name="Lee Learner", start_date=date(2026, 1, 5)),
    )
