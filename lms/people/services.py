"""Account services: create, edit, deactivate, set roles and manager. They take explicit arguments,
flush, record who acted in the audit log and return the user; the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.audit.services import record
from lms.auth.passwords import hash_password, password_problems, verify_password
from lms.auth.permissions import manager_chain_ids
from lms.auth.throttle import clear_failures
from lms.extensions import db
from lms.people.models import LOCALES, ROLE_VALUES, Role, User, UserRole

EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")


class PeopleError(ValueError):
    """A change to an account that the rules refuse; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def would_create_cycle(user: User, manager: User | None) -> bool:
    """True if making `manager` the manager of `user` would close a loop in the chain."""
    if manager is None or user.id is None:
        return False
    return manager.id == user.id or user.id in manager_chain_ids(manager.id)


@dataclass
class AccountData:
    email: str
    name: str
    roles: frozenset[str] = frozenset()
    manager: User | None = None
    start_date: date | None = None
    locale: str | None = None


def _check(data: AccountData) -> None:
    if not data.name.strip():
        raise PeopleError(_l("Enter a name."), "name")
    if not EMAIL_RE.match(normalize_email(data.email)) or len(data.email) > 254:
        raise PeopleError(_l("Enter a valid e-mail address."), "email")
    unknown = set(data.roles) - set(ROLE_VALUES)
    if unknown:
        raise PeopleError(_l("Unknown role: %(role)s.", role=sorted(unknown)[0]), "roles")
    if data.locale is not None and data.locale not in LOCALES:
        raise PeopleError(_l("Unknown language: %(locale)s.", locale=data.locale), "locale")


def create_user(data: AccountData, *, actor: User | None, password: str | None = None) -> User:
    """Create an account; without a password the person cannot log in until one is set."""
    _check(data)
    email = normalize_email(data.email)
    if find_user_by_email(email) is not None:
        raise PeopleError(_l("%(email)s already has an account.", email=email), "email")
    user = User(
        email=email,
        name=data.name.strip(),
        manager_id=data.manager.id if data.manager else None,
        start_date=data.start_date,
        locale=data.locale,
    )
    user.set_roles(set(data.roles))
    if password is not None:
        problems = password_problems(password, email=email, name=user.name)
        if problems:
            raise PeopleError(str(problems[0]), "password")
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        "user.created",
        actor=actor,
        subject=user,
        roles=sorted(user.roles),
        manager=data.manager.email if data.manager else None,
    )
    return user


def update_user(user: User, data: AccountData, *, actor: User | None) -> User:
    """Apply changed fields; role and manager changes are audited separately."""
    _check(data)
    email = normalize_email(data.email)
    if email != user.email:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise PeopleError(_l("%(email)s already has an account.", email=email), "email")
    if would_create_cycle(user, data.manager):
        raise PeopleError(
            _l(
                "%(manager)s reports to %(user)s: that would make a management loop.",
                manager=data.manager.email,
                user=user.email,
            ),
            "manager",
        )
    changes: dict[str, list] = {}
    new_values = {
        "email": email,
        "name": data.name.strip(),
        "start_date": data.start_date,
        "locale": data.locale,
    }
    for field, value in new_values.items():
        if getattr(user, field) != value:
            changes[field] = [_plain(getattr(user, field)), _plain(value)]
            setattr(user, field, value)
    new_manager_id = data.manager.id if data.manager else None
    if user.manager_id != new_manager_id:
        record(
            "user.manager_changed",
            actor=actor,
            subject=user,
            before=user.manager.email if user.manager else None,
            after=data.manager.email if data.manager else None,
        )
        user.manager_id = new_manager_id
        user.manager = data.manager
    if user.roles != frozenset(data.roles):
        if user.active and Role.ADMIN in user.roles and Role.ADMIN not in data.roles:
            ensure_another_admin(user)
        record(
            "user.roles_changed",
            actor=actor,
            subject=user,
            before=sorted(user.roles),
            after=sorted(data.roles),
        )
        user.set_roles(set(data.roles))
    if changes:
        record("user.updated", actor=actor, subject=user, changes=changes)
    db.session.flush()
    return user


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def set_password(user: User, password: str, *, actor: User | None) -> User:
    """Set a new password and end every session of the user."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise PeopleError(str(problems[0]), "password")
    if user.password_hash and verify_password(user.password_hash, password):
        raise PeopleError(_l("The new password must differ from the current one."), "password")
    user.password_hash = hash_password(password)
    clear_failures(user)
    end_all_sessions(user)
    record("user.password_changed", actor=actor, subject=user)
    db.session.flush()
    return user


def set_active(user: User, active: bool, *, actor: User | None) -> User:
    """Deactivate (ending every session) or reactivate an account."""
    if user.active == active:
        return user
    if actor is not None and actor.id == user.id and not active:
        raise PeopleError(_l("You cannot deactivate your own account."), "active")
    if not active and Role.ADMIN in user.roles:
        ensure_another_admin(user)
    user.active = active
    if not active:
        end_all_sessions(user)
    record("user.deactivated" if not active else "user.reactivated", actor=actor, subject=user)
    db.session.flush()
    return user


def ensure_another_admin(user: User) -> None:
    """Refuse a change that would leave the company without an active admin: `user` is about to
    lose the admin role or be deactivated. The rows of every active admin (and their role rows)
    are locked first, so two concurrent requests that each remove one of the last two admins
    are serialized and the second one is refused (on SQLite every write transaction already
    holds the database's write lock from its first statement)."""
    admins = db.session.scalars(
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
        .with_for_update()
    ).all()
    if not set(admins) - {user.id}:
        raise PeopleError(
            _l(
                "%(email)s is the last active admin: make someone else an admin first.",
                email=user.email,
            ),
            "roles",
        )


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user (atomic on every database)."""
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_version"])
