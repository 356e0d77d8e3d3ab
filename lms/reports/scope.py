"""Whose data a report covers: an admin the whole company, a manager their team (down the
chain), a trainer the whole company in aggregate figures only."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from lms.auth.permissions import Permission, has_permission, team_member_ids_query
from lms.extensions import db
from lms.onboarding.pages import FILTERS, TeamRow, team_view
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


def team_rows(manager_id: int, on: date, *, status_filter: str = "all") -> list[TeamRow]:
    """The manager's active team (down the chain) with their statuses, by name: what the
    reports need of the team view, read through `load_statuses`, without the roles and
    managers the status page shows (fewer queries)."""
    members = list(
        db.session.scalars(
            sa.select(User)
            .options(lazyload(User.role_rows))
            .where(User.id.in_(team_member_ids_query(manager_id)), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )
    statuses = load_statuses(active_enrollments(member.id for member in members), on)
    rows = [TeamRow(member, statuses.get(member.id)) for member in members]
    if status_filter in FILTERS and status_filter != "all":
        rows = [row for row in rows if health_key(row) == status_filter]
    return rows


def health_key(row: TeamRow) -> str:
    return row.health.value if row.health is not None else "not_enrolled"


def people_for(user, on: date) -> People | None:
    reach = reach_of(user)
    if reach is None:
        return None
    if reach is Reach.TEAM:
        return People(reach, team_view(user.id, on, sort="name").rows)
    return People(reach, company_rows(on))
