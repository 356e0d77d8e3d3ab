from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from lms.people.models import Role, User
from tests.onboarding.paths import publish_path

START = date(2026, 3, 2)


@dataclass
class Team:
    manager: User
    hire: User
    outsider_manager: User
    outsider: User
    admin: User


@pytest.fixture
def path_version(app, db):
    version = publish_path()
    db.session.commit()
    return version


@pytest.fixture
def team(app, db, make_user) -> Team:
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    other = make_user("other-boss@example.com", name="Other Boss", roles={Role.MANAGER})
    return Team(
        manager=manager,
        hire=make_user("hire@example.com", name="Lena Park", manager=manager, start_date=START),
        outsider_manager=other,
        outsider=make_user("outsider@example.com", name="Out Sider", manager=other),
        admin=make_user("root@example.com", name="Alex Admin", roles={Role.ADMIN}),
    )
