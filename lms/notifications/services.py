"""Creating, reading and marking notifications. `notify` is the one way in for every feature."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale

from lms.content.model import Text
from lms.extensions import db
from lms.notifications.kinds import render
from lms.notifications.models import Notification
from lms.timeutil import utcnow

MAX_LINK_LENGTH = 500


def _json_value(value: Any) -> Any:
    if isinstance(value, Text):
        return dict(value.values)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _safe_link(link: str | None) -> str | None:
    """Only a path on this site: a notification never sends anyone elsewhere."""
    if not link:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        raise ValueError(f"a notification link must be a path on this site: {link!r}")
    if len(link) > MAX_LINK_LENGTH:
        raise ValueError("a notification link is too long")
    return link


def notify(
    user_id: int, kind: str, *, link: str | None = None, now: datetime | None = None, **params: Any
) -> Notification:
    """Tell `user_id` something: `kind` names the message (see `lms.notifications.kinds`),
    `params` fill it in (a `Text` becomes a locale map, dates become ISO strings), `link` is a
    path on this site. `now` back-dates it. Flushes and returns the notification."""
    notification = Notification(
        user_id=user_id,
        kind=kind,
        params=_json_value(params),
        link=_safe_link(link),
        created_at=now or utcnow(),
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def notify_once(
    user_id: int,
    kind: str,
    key: str,
    *,
    link: str | None = None,
    now: datetime | None = None,
    **params: Any,
) -> Notification | None:
    """Like `notify`, once per (user, key): None when a notification with that key exists.
    The unique constraint decides, so two concurrent runs cannot both create it."""
    values = {
        "user_id": user_id,
        "kind": kind,
        "params": _json_value(params),
        "link": _safe_link(link),
        "created_at": now or utcnow(),
        "dedupe_key": key[:200],
    }
    try:
        with db.session.begin_nested():
            notification = Notification(**values)
            db.session.add(notification)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None
    return notification


def message_of(notification: Notification, locale: str | None = None) -> str:
    """The text of a notification, in `locale` (a UI locale) or the current one."""
    if locale is None:
        return render(notification.kind, notification.params or {})
    with force_locale(locale):
        return render(notification.kind, notification.params or {})


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_query(user_id: int, kinds: tuple[str, ...] | None = None) -> sa.Select:
    statement = (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if kinds is not None:
        statement = statement.where(Notification.kind.in_(kinds))
    return statement


def recent(user_id: int, *, kinds: tuple[str, ...] | None = None, limit: int = 5) -> list:
    """The newest notifications of a person (of some kinds only, when given)."""
    return list(db.session.scalars(notifications_query(user_id, kinds).limit(limit)))


def mark_read(notification: Notification, *, now: datetime | None = None) -> Notification:
    """Mark one notification read (reading it twice keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


def mark_all_read(user_id: int, *, now: datetime | None = None) -> int:
    """Mark every unread notification of a person read; return how many changed."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return result.rowcount or 0
