"""Whose data a report covers: an admin the whole company, a manager their team (down the
chain), a trainer the whole company in aggregate figures only."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from lms.auth.permissions import Permission, has_permission, team_member_ids_query
from lms.onboarding.pages import FILTERS, TeamRow, stored_rows, team_view
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
    """Every active person with their onboarding status, by name, from the stored statuses; a
    fixed number of queries."""
    return stored_rows(
        sa.select(User)
        .options(joinedload(User.manager).lazyload(User.role_rows), lazyload(User.role_rows))
        .where(User.active.is_(True))
        .order_by(User.name, User.id),
        on,
    )


def team_rows(manager_id: int, on: date, *, status_filter: str = "all") -> list[TeamRow]:
    """The manager's active team (down the chain) with their statuses, by name: what the
    reports need of the team view, read from the stored statuses, without the roles and
    managers the status page shows (fewer queries)."""
    rows = stored_rows(
        sa.select(User)
        .options(lazyload(User.role_rows))
        .where(User.id.in_(team_member_ids_query(manager_id)), User.active.is_(True))
        .order_by(User.name, User.id),
        on,
    )
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
        return People(reach, team_view(user.id, on, sort="name", page_size=None).rows)
    return People(reach, company_rows(on))
