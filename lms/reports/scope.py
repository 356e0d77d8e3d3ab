"""Whose data a report covers: an admin the whole company, a manager their team (down the
chain), a trainer the whole company in aggregate figures only."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.auth.permissions import Permission, has_permission
from lms.extensions import db
from lms.onboarding.pages import TeamRow, team_view
from lms.onboarding.services import active_enrollments
from lms.onboarding.status import load_statuses
from lms.people.models import User


class Reach(enum.StrEnum):
    COMPANY = "company"
    TEAM = "team"
    AGGREGATE = "aggregate"


def reach_of(user) -> Reach | None:
    """What the user may export; None: nothing."""
    if has_permission(user, Permission.MANAGE_USERS):
        return Reach.COMPANY
    if has_permission(user, Permission.VIEW_TEAM):
        return Reach.TEAM
    if has_permission(user, Permission.VIEW_CONTENT_ANALYTICS):
        return Reach.AGGREGATE
    return None


@dataclass(frozen=True)
class People:
    reach: Reach
    rows: list[TeamRow]


def company_rows(on: date) -> list[TeamRow]:
    """Every active person with their onboarding status, by name; a fixed number of queries."""
    people = list(
        db.session.scalars(
            sa.select(User)
            .options(joinedload(User.manager))
            .where(User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )
    statuses = load_statuses(active_enrollments(person.id for person in people), on)
    return [TeamRow(person, statuses.get(person.id)) for person in people]


def people_for(user, on: date) -> People | None:
    reach = reach_of(user)
    if reach is None:
        return None
    if reach is Reach.TEAM:
        return People(reach, team_view(user.id, on, sort="name").rows)
    return People(reach, company_rows(on))
