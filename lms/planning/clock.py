"""The hire's own calendar: every plan day, review deadline and the 10:00 reminder is in the
hire's time zone (their own, else the company default `LMS_DEFAULT_TIMEZONE`). Times are stored
as naive UTC, as everywhere in the app."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app

PLAN_BY = time(10, 0)  # the nudge when no plan is made by then
REVIEW_FROM = time(17, 0)  # the nudge to review today's plan
REVIEW_UNTIL = time(12, 0)  # a day may be reviewed until noon of the next day


def zone_name(user) -> str:
    return getattr(user, "timezone", None) or current_app.config.get("DEFAULT_TIMEZONE") or "UTC"


def zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(zone_name(user))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_choices() -> list[str]:
    return sorted(name for name in available_timezones() if "/" in name and "Etc" not in name)


def local_now(user, now: datetime) -> datetime:
    """`now` (naive UTC) as the hire's wall-clock time (naive)."""
    return now.replace(tzinfo=UTC).astimezone(zone_of(user)).replace(tzinfo=None)


def local_day(user, now: datetime) -> date:
    return local_now(user, now).date()


def to_utc(user, day: date, at: time = time(0, 0)) -> datetime:
    """The naive UTC instant of `at` on `day` in the hire's time zone."""
    local = datetime.combine(day, at).replace(tzinfo=zone_of(user))
    return local.astimezone(UTC).replace(tzinfo=None)


def review_deadline(user, day: date) -> datetime:
    return to_utc(user, day + timedelta(days=1), REVIEW_UNTIL)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_monday(day: date) -> date:
    return week_start(day) + timedelta(days=7)


def working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
