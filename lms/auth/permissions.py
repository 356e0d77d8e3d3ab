"""Named permissions, the roles that grant them, and every object-level access check.

Views ask for a permission (``@permission_required(Permission.VIEW_TEAM)``), never for a role name.
Object checks (may this user see that person?) live here and nowhere else; every loader that fetches
an object by id calls one of them.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, jsonify, request
from flask_login import current_user, login_required

from lms.extensions import db
from lms.people.models import Role, User


class Permission(enum.StrEnum):
    LEARN = "learn"
    VIEW_TEAM = "view_team"
    SIGN_OFF = "sign_off"
    REVIEW_REPLIES = "review_replies"
    REVIEW_ANY_REPLY = "review_any_reply"
    AUTHOR_CONTENT = "author_content"
    IMPORT_CONTENT = "import_content"
    VIEW_CONTENT_ANALYTICS = "view_content_analytics"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_LOG = "view_audit_log"
    ENROLL_ANYONE = "enroll_anyone"


LEARNER_PERMISSIONS = frozenset({Permission.LEARN})

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.TRAINER: frozenset(
        {
            Permission.AUTHOR_CONTENT,
            Permission.IMPORT_CONTENT,
            Permission.VIEW_CONTENT_ANALYTICS,
            Permission.REVIEW_REPLIES,
            Permission.REVIEW_ANY_REPLY,
        }
    ),
    Role.MANAGER: frozenset({Permission.VIEW_TEAM, Permission.SIGN_OFF, Permission.REVIEW_REPLIES}),
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.VIEW_AUDIT_LOG,
            Permission.IMPORT_CONTENT,
            Permission.ENROLL_ANYONE,
        }
    ),
}


def permissions_of(user: Any) -> frozenset[Permission]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    granted = set(LEARNER_PERMISSIONS)
    for role in user.roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def has_permission(user: Any, permission: Permission) -> bool:
    return permission in permissions_of(user)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.is_json


def forbid() -> None:
    """Answer 403: JSON for API clients, the error page otherwise."""
    if wants_json():
        response = jsonify(error="forbidden")
        response.status_code = 403
        abort(response)
    abort(403)


def permission_required(*needed: Permission) -> Callable:
    """Require login and every permission in `needed`; anonymous users go to the login page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            granted = permissions_of(current_user)
            if not all(permission in granted for permission in needed):
                forbid()
            return view(*args, **kwargs)

        wrapped.required_permissions = needed  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- the management chain -------------------------------------------------------------------


def team_member_ids_query(manager_id: int) -> sa.Select:
    """A select of the ids of everyone reporting to `manager_id`, directly or down the chain."""
    chain = (
        sa.select(User.id.label("id"))
        .where(User.manager_id == manager_id)
        .cte("team_chain", recursive=True)
    )
    reports = sa.orm.aliased(User)
    chain = chain.union(sa.select(reports.id).where(reports.manager_id == chain.c.id))
    return sa.select(chain.c.id)


def manager_chain_ids(user_id: int) -> list[int]:
    """Ids of the user's manager, their manager, and so on up the chain (nearest first)."""
    chain = (
        sa.select(User.manager_id.label("id"), sa.literal(1).label("depth"))
        .where(User.id == user_id, User.manager_id.is_not(None))
        .cte("manager_chain", recursive=True)
    )
    upper = sa.orm.aliased(User)
    chain = chain.union_all(
        sa.select(upper.manager_id, chain.c.depth + 1).where(
            upper.id == chain.c.id, upper.manager_id.is_not(None), chain.c.depth < 100
        )
    )
    return list(db.session.scalars(sa.select(chain.c.id).order_by(chain.c.depth)))


def is_in_team_of(manager: User, user: User) -> bool:
    """Whether `user` reports to `manager`; the chain is read once per request and person for
    the permission checks of a page (which ask several times)."""
    from flask import g, has_app_context

    if not has_app_context():
        return manager.id in manager_chain_ids(user.id)
    chains = g.setdefault("manager_chains", {})
    if user.id not in chains:
        chains[user.id] = manager_chain_ids(user.id)
    return manager.id in chains[user.id]


def can_view_person(actor: Any, person: User) -> bool:
    """A learner sees themself; a manager their team; an admin everyone."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.id == person.id or has_permission(actor, Permission.MANAGE_USERS):
        return True
    return has_permission(actor, Permission.VIEW_TEAM) and is_in_team_of(actor, person)


def can_coach_person(actor: Any, person: User) -> bool:
    """Sign-offs, check-ins and reviews of a hire: their managers up the chain only."""
    if not getattr(actor, "is_authenticated", False) or actor.id == person.id:
        return False
    return has_permission(actor, Permission.SIGN_OFF) and is_in_team_of(actor, person)


def can_review_reply(actor: Any, person: User) -> bool:
    """Open drill replies: a trainer reviews anyone's, a manager their team's; nobody their own."""
    if not getattr(actor, "is_authenticated", False) or actor.id == person.id:
        return False
    if has_permission(actor, Permission.REVIEW_ANY_REPLY):
        return True
    return has_permission(actor, Permission.REVIEW_REPLIES) and can_coach_person(actor, person)


def can_enroll_person(actor: Any, person: User) -> bool:
    """Enroll someone on an onboarding path: an admin anyone, a manager their team."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if has_permission(actor, Permission.ENROLL_ANYONE):
        return True
    return can_coach_person(actor, person)


def get_person_or_404(
    user_id: int, *, check: Callable[[Any, User], bool] = can_view_person
) -> User:
    """Load a user by id for the current user, answering 404 if unknown and 403 if not allowed."""
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not check(current_user, person):
        forbid()
    return person
