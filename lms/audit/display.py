"""The audit log for people: each action and detail in the reader's language.

Events store codes (`user.roles_changed`, `{"before": ["manager"], "after": []}`) so that they
stay comparable across releases and languages; this module turns them into sentences and values
for the admin pages. Every action that a service records and every detail key it passes has a
label here (a test reads the `record(...)` calls to make sure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.audit.models import AuditEvent
from lms.extensions import db

ACTIONS = {
    "login.succeeded": _l("Signed in"),
    "login.failed": _l("Sign-in refused"),
    "login.locked": _l("Account locked after failed sign-ins"),
    "logout": _l("Signed out"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account details changed"),
    "user.manager_changed": _l("Manager changed"),
    "user.roles_changed": _l("Roles changed"),
    "user.password_changed": _l("Password changed"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "roster.imported": _l("Roster imported"),
    "content.import": _l("Content imported"),
    "onboarding.enrolled": _l("Enrolled on an onboarding path"),
    "onboarding.upgraded": _l("Moved to the newest version of the path"),
    "onboarding.signed_off": _l("Field task signed off"),
    "onboarding.signoff_undone": _l("Sign-off withdrawn"),
    "onboarding.checkin_held": _l("Check-in held"),
    "quiz.attempts_granted": _l("More quiz attempts granted"),
    "two_factor.enabled": _l("Two-factor sign-in turned on"),
    "two_factor.disabled": _l("Two-factor sign-in turned off"),
    "two_factor.reset": _l("Two-factor sign-in reset by an admin"),
    "two_factor.recovery_codes_renewed": _l("New recovery codes made"),
    "two_factor.recovery_code_used": _l("Recovery code used to sign in"),
}

DETAILS = {
    "email": _l("E-mail"),
    "reason": _l("Reason"),
    "until": _l("Locked until"),
    "roles": _l("Roles"),
    "manager": _l("Manager"),
    "before": _l("Before"),
    "after": _l("After"),
    "changes": _l("Changes"),
    "added": _l("Added"),
    "updated": _l("Updated"),
    "changed": _l("Changed"),
    "unchanged": _l("Unchanged"),
    "retired": _l("Retired"),
    "folders": _l("Folders"),
    "path": _l("Path"),
    "version": _l("Version"),
    "start": _l("Start date"),
    "replaced": _l("Replaces enrollment record"),
    "from_version": _l("From version"),
    "to_version": _l("To version"),
    "item": _l("Item"),
    "signoff": _l("Sign-off record"),
    "skills": _l("Skill ratings"),
    "checkin": _l("Check-in record"),
    "goals": _l("Goals set"),
    "ip": _l("IP address"),
    "method": _l("Signed in with"),
    "left": _l("Recovery codes left"),
    "address": _l("From address"),
    "quiz": _l("Quiz"),
    "extra": _l("Extra attempts"),
    "failures": _l("Failed attempts"),
}

# Why a sign-in was refused (`login.failed`, detail `reason`).
REASONS = {
    "unknown": _l("no account with this e-mail address"),
    "password": _l("wrong password"),
    "locked": _l("the account was locked"),
    "inactive": _l("the account is deactivated"),
    "paused": _l("sign-ins from this address were paused after failed attempts"),
    "second_factor": _l("wrong two-factor code"),
}

# How a sign-in was completed (`login.succeeded`, detail `method`).
METHODS = {
    "password": _l("password"),
    "totp": _l("password and authenticator code"),
    "recovery_code": _l("password and recovery code"),
}

# The account fields of `user.updated` (detail `changes`: field -> [before, after]).
FIELDS = {
    "email": _l("E-mail"),
    "name": _l("Name"),
    "start_date": _l("Start date"),
    "locale": _l("Language"),
}

# Keys whose values are roles, dates or date-times.
ROLE_KEYS = {"roles", "before", "after"}
DATE_KEYS = {"start"}
DATETIME_KEYS = {"until"}


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit table shows it."""

    event: AuditEvent
    action: str
    details: list[tuple[str, str]]


def action_label(action: str) -> str:
    """The action in the reader's language (a code no release knows is shown as it is)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    """(code, label) for the filter, in the order of the labels."""
    return sorted(((code, action_label(code)) for code in actions), key=lambda pair: pair[1])


@dataclass
class _Names:
    """Content titles for the events of one page, looked up once."""

    skills: dict[str, str]
    paths: dict[str, Any]
    locale: str

    def path(self, slug: Any) -> str:
        path = self.paths.get(slug)
        return path.title.get(self.locale, path.language) if path is not None else _plain(slug)

    def item(self, slug: Any, item_id: Any) -> str:
        from lms.onboarding.services import find_item

        path = self.paths.get(slug)
        found = find_item(path, item_id) if path is not None else None
        if found is None or found[1].title is None:
            return _plain(item_id)
        return found[1].title.get(self.locale, path.language)


def audit_rows(events: Sequence[AuditEvent]) -> list[AuditRow]:
    """The events with their actions and details worded for people; skill and path names are
    looked up once for the whole page."""
    from lms.i18n import content_locale

    names = _Names(_skill_names(events), _paths(events), content_locale())
    return [
        AuditRow(
            event=event,
            action=action_label(event.action),
            details=_details(event, names),
        )
        for event in events
    ]


def _details(event: AuditEvent, names: _Names) -> list[tuple[str, str]]:
    rows = []
    details = event.details or {}
    for key, value in details.items():
        if value is None or value == "":
            continue
        label = DETAILS.get(key)
        if key == "path":
            shown = names.path(value)
        elif key == "item" and "path" in details:
            shown = names.item(details["path"], value)
        else:
            shown = _value(event.action, key, value, names.skills)
        rows.append((str(label) if label is not None else key.replace("_", " "), shown))
    if event.ip_address:
        rows.append((str(DETAILS["ip"]), event.ip_address))
    return rows


def _value(action: str, key: str, value: Any, skill_names: dict[str, str]) -> str:
    if action == "login.failed" and key == "reason":
        return _word(REASONS, value)
    if key == "method":
        return _word(METHODS, value)
    if action == "user.updated" and key == "changes" and isinstance(value, dict):
        return _list(_change(field, change) for field, change in value.items())
    if key == "skills" and isinstance(value, dict):
        return _list(
            f"{skill_names.get(skill, skill)} {_number(share, percent=True)}"
            for skill, share in value.items()
        )
    if key in ROLE_KEYS and action.startswith("user.") and isinstance(value, list):
        return _roles(value)
    if key in DATE_KEYS:
        return _date(value)
    if key in DATETIME_KEYS:
        return _datetime(value)
    return _plain(value)


def _change(field: str, change: Any) -> str:
    name = _word(FIELDS, field)
    if isinstance(change, list | tuple) and len(change) == 2:
        before, after = (_field_value(field, part) for part in change)
        return _("%(field)s: %(before)s → %(after)s", field=name, before=before, after=after)
    return f"{name}: {_plain(change)}"


def _field_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "start_date":
        return _date(value)
    if field == "locale":
        from lms.i18n import LANGUAGE_NAMES

        return str(LANGUAGE_NAMES.get(value, value))
    return _plain(value)


def _roles(roles: list) -> str:
    from lms.people.forms import ROLE_LABELS

    if not roles:
        return _("learner only")
    return _list(str(ROLE_LABELS.get(role, role)) for role in roles)


def _word(labels: dict, code: Any) -> str:
    label = labels.get(code)
    return str(label) if label is not None else _plain(code)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list | tuple):
        return _list(_plain(part) for part in value)
    if isinstance(value, dict):
        return _list(f"{_plain(key)}: {_plain(part)}" for key, part in value.items())
    return str(value)


def _number(value: Any, *, percent: bool = False) -> str:
    if not isinstance(value, int | float):
        return str(value)
    return format_percent(value) if percent else format_decimal(value)


def _list(parts: Iterable[str]) -> str:
    items = [part for part in parts if part]
    if not items:
        return "—"
    return format_list(items, locale=get_locale() or "en")


def _date(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def _datetime(value: Any) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "short")
    except ValueError:
        return str(value)


def _paths(events: Sequence[AuditEvent]) -> dict[str, Any]:
    if not any("path" in (event.details or {}) for event in events):
        return {}
    from lms.onboarding.services import live_paths

    return live_paths()


def _skill_names(events: Sequence[AuditEvent]) -> dict[str, str]:
    wanted = {
        skill
        for event in events
        if isinstance((event.details or {}).get("skills"), dict)
        for skill in event.details["skills"]
    }
    if not wanted:
        return {}
    from lms.i18n import content_locale
    from lms.skills.models import Skill

    locale = content_locale()
    skills = db.session.scalars(sa.select(Skill).where(Skill.id.in_(sorted(wanted))))
    return {skill.id: skill.title(locale) for skill in skills}
