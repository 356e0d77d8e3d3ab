"""Calendar feeds: each hire's due dates and check-ins, and for a manager the check-ins and field
tasks of their team, as an iCalendar file (RFC 5545) at a private, revocable address.

The file is written by hand: CRLF line ends, lines folded at 75 octets without splitting a UTF-8
character, and TEXT values escaped (backslash, semicolon, comma, newline)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.auth.permissions import Permission, has_permission
from lms.extensions import db
from lms.onboarding.models import CalendarFeed
from lms.onboarding.pages import team_members
from lms.onboarding.services import active_enrollments
from lms.onboarding.status import load_statuses
from lms.people.models import User
from lms.timeutil import utcnow

LINE_OCTETS = 75
PRODID = "-//Sales Onboarding//Onboarding calendar//EN"


# --- the format --------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (RFC 5545 3.1); continuation lines
    start with one space, which counts towards their 75."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line
    pieces: list[str] = []
    start = 0
    limit = LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start = end
        limit = LINE_OCTETS - 1
    return "\r\n ".join(pieces)


@dataclass(frozen=True)
class Event:
    uid: str
    day: date
    summary: str
    description: str = ""
    url: str | None = None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def render_calendar(name: str, events: Iterable[Event], *, now: datetime) -> str:
    """The iCalendar text of all-day `events`."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART;VALUE=DATE:{event.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(event.day + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# --- private addresses -------------------------------------------------------------------------


def _signature(nonce: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, f"calendar:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def token_of(feed: CalendarFeed) -> str:
    return f"{feed.nonce}.{_signature(feed.nonce)}"


def feed_of(user_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user_id))


def new_feed(user: User, *, now: datetime | None = None) -> CalendarFeed:
    """Give `user` a new private calendar address; an earlier one stops working."""
    feed = feed_of(user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.nonce = secrets.token_urlsafe(16)
    feed.created_at = now or utcnow()
    db.session.flush()
    return feed


def revoke_feed(user: User) -> bool:
    """Stop the user's calendar address from working; True if there was one."""
    result = db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return bool(result.rowcount)


def user_for_token(token: str) -> User | None:
    """The active owner of a calendar token, or None for anything unknown, revoked or forged."""
    if not token or len(token) > 100 or token.count(".") != 1:
        return None
    nonce, signature = token.split(".")
    if not hmac.compare_digest(signature.encode(), _signature(nonce).encode()):
        return None
    feed = feed_of_nonce(nonce)
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


def feed_of_nonce(nonce: str) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.nonce == nonce))


# --- what a feed holds -------------------------------------------------------------------------


def _host() -> str:
    base = str(current_app.config.get("BASE_URL") or "http://localhost")
    return base.split("://", 1)[-1].split("/", 1)[0] or "localhost"


def events_for(user: User, on: date) -> list[Event]:
    """The user's own open items and check-ins, and for a manager their team's open check-ins
    and field tasks. Done items stay out; an overdue item stays on its due date."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    host = _host()
    people = {user.id: user}
    if has_permission(user, Permission.VIEW_TEAM):
        people.update({member.id: member for member in team_members(user.id)})
    statuses = load_statuses(active_enrollments(people), on)
    events: list[Event] = []
    for user_id, status in sorted(statuses.items()):
        person = people[user_id]
        own = user_id == user.id
        for item in status.items:
            if item.is_done or (not own and item.kind not in ("task", "checkin")):
                continue
            title = item.title_text
            if own:
                summary = title
                link = f"{base}/onboarding#item-{item.id}"
            elif item.kind == "checkin":
                summary = _("%(title)s with %(name)s", title=title, name=person.name)
                link = f"{base}/team/{person.id}"
            else:
                summary = _("Sign off for %(name)s: %(title)s", name=person.name, title=title)
                link = f"{base}/team/{person.id}"
            events.append(
                Event(
                    uid=f"{user_id}-{status.path.id}-{item.id}-{user.id}@{host}",
                    day=item.due,
                    summary=summary,
                    description=_("Day %(day)d of your onboarding", day=item.due_day)
                    if own
                    else _(
                        "Day %(day)d of the onboarding of %(name)s",
                        day=item.due_day,
                        name=person.name,
                    ),
                    url=link,
                )
            )
    events.sort(key=lambda event: (event.day, event.uid))
    return events


def calendar_for(user: User, on: date, *, now: datetime | None = None) -> str:
    """The feed of `user`, in their language."""
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        events = events_for(user, on)
        name = _("Onboarding: %(name)s", name=user.name)
        return render_calendar(name, events, now=now or utcnow())
