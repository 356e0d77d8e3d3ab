"""`lms remind`: the daily run that turns due dates into reminders and reminders into e-mail.

Cadence, per open item of an active enrollment (see docs/operations.md):

- **due soon**: once, on the first run from 3 days before the due date to the day before;
- **overdue**: on the first run after the due date, then again every 7 days while it stays open;
- check-ins go to the hire and to the hire's manager, who holds them; other items to the hire;
- **manager digest**: once per ISO week (the first run of the week), to each manager whose
  direct reports have overdue items or have been inactive for REMIND_INACTIVE_DAYS days.

Every reminder carries a key unique per person (`Notification.dedupe_key`), and every digest is
unique per person, kind and period, so running twice on a day sends nothing new. Then the new
notifications are gathered into one daily e-mail per person and pending e-mails are sent; one
the SMTP server refuses stays pending and is sent by the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from lms.extensions import db
from lms.notifications.email import (
    SendReport,
    SmtpSettings,
    collect_daily,
    create_digest,
    iso_week,
    send_pending,
)
from lms.notifications.models import DigestKind, Notification
from lms.notifications.services import notify_once
from lms.onboarding.models import Enrollment
from lms.onboarding.standing import refresh_day
from lms.onboarding.status import HireStatus, ItemStatus, enrollments_query, load_statuses
from lms.people.models import User

log = logging.getLogger("lms.remind")

SOON_DAYS = 3
REPEAT_DAYS = 7
BATCH = 500


@dataclass
class RemindReport:
    reminders: int = 0
    manager_digests: int = 0
    daily_digests: int = 0
    execution_days: int = 0  # rollup rows of the execution measures refreshed
    snapshots: int = 0  # weekly report snapshots written
    statuses: int = 0  # stored statuses that changed with the day
    email: SendReport | None = None
    lines: list[str] = field(default_factory=list)


def _link(status: HireStatus, item: ItemStatus) -> str:
    return f"/onboarding#item-{item.id}"


@dataclass(frozen=True)
class Reminder:
    user_id: int
    kind: str
    key: str
    link: str
    params: dict


def reminders_for(hire: User, status: HireStatus, item: ItemStatus, on: date) -> list[Reminder]:
    """The reminders an open item calls for on `on` (see the cadence above)."""
    days_left = (item.due - on).days
    base = f"{status.path.id}/{item.id}@{item.due.isoformat()}"
    recipients: list[tuple[int, dict, str]] = [(hire.id, {}, _link(status, item))]
    if item.kind == "checkin" and hire.manager_id:
        recipients.append((hire.manager_id, {"hire": hire.name}, f"/team/{hire.id}"))
    if 1 <= days_left <= SOON_DAYS:
        kind = "checkin_due" if item.kind == "checkin" else "item_due_soon"
        title = {"title": item.title} if item.kind == "checkin" else {"item": item.title}
        key = f"soon:{hire.id}:{base}"
        return [
            Reminder(user_id, kind, key, link, {"due": item.due, **title, **extra})
            for user_id, extra, link in recipients
        ]
    if days_left < 0:
        key = f"overdue:{hire.id}:{base}:{((on - item.due).days - 1) // REPEAT_DAYS}"
        return [
            Reminder(
                user_id, "item_overdue", key, link, {"item": item.title, "due": item.due, **extra}
            )
            for user_id, extra, link in recipients
        ]
    return []


def _existing_keys(reminders: Sequence[Reminder]) -> set[tuple[int, str]]:
    keys = sorted({reminder.key for reminder in reminders})
    users = sorted({reminder.user_id for reminder in reminders})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), BATCH):
        rows = db.session.execute(
            sa.select(Notification.user_id, Notification.dedupe_key).where(
                Notification.user_id.in_(users),
                Notification.dedupe_key.in_(keys[start : start + BATCH]),
            )
        )
        found.update((user_id, key) for user_id, key in rows)
    return found


def active_batches() -> list[list[int]]:
    ids = list(
        db.session.scalars(
            sa.select(Enrollment.id)
            .join(User, User.id == Enrollment.user_id)
            .where(Enrollment.ended_at.is_(None), User.active.is_(True))
            .order_by(Enrollment.id)
        )
    )
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def _statuses(enrollment_ids: Sequence[int], on: date) -> tuple[dict[int, HireStatus], dict]:
    enrollments = list(
        db.session.scalars(enrollments_query().where(Enrollment.id.in_(enrollment_ids))).unique()
    )
    people = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User).where(User.id.in_([e.user_id for e in enrollments]))
        )
    }
    return load_statuses(enrollments, on), people


def create_reminders(on: date, now: datetime) -> int:
    """Due-soon and overdue notifications for every open item of every active hire; the keys
    already sent are read once per batch, so a second run on a day costs a few queries."""
    made = 0
    for batch in active_batches():
        statuses, people = _statuses(batch, on)
        due: list[Reminder] = []
        for user_id, status in statuses.items():
            if not status.is_started and (status.start_date - on).days > SOON_DAYS:
                continue
            for item in status.items:
                if not item.is_done:
                    due += reminders_for(people[user_id], status, item, on)
        sent = _existing_keys(due)
        for reminder in due:
            if (reminder.user_id, reminder.key) in sent:
                continue
            made += bool(
                notify_once(
                    reminder.user_id,
                    reminder.kind,
                    reminder.key,
                    link=reminder.link,
                    now=now,
                    **reminder.params,
                )
            )
        db.session.commit()
    return made


def _last_seen(status: HireStatus, person: User) -> datetime | None:
    enrollment = status.extra.get("enrollment")
    values = [status.last_activity_at, person.last_login_at]
    if enrollment is not None:
        values.append(enrollment.created_at)
    present = [value for value in values if value is not None]
    return max(present, default=None)


def create_manager_digests(on: date, now: datetime) -> int:
    """Once per ISO week, a digest for each manager of the hires (direct reports) with overdue
    items or no activity for REMIND_INACTIVE_DAYS days; a snapshot, so a retry sends the same."""
    inactive_after = int(current_app.config.get("REMIND_INACTIVE_DAYS", 5))
    week = iso_week(on)
    by_manager: dict[int, list[dict]] = {}
    for batch in active_batches():
        statuses, people = _statuses(batch, on)
        for user_id, status in sorted(statuses.items(), key=lambda pair: people[pair[0]].name):
            person = people[user_id]
            if person.manager_id is None or not status.is_started or status.is_finished:
                continue
            overdue = [
                {"title": dict(item.title.values), "due": item.due.isoformat()}
                for item in status.overdue
            ]
            seen = _last_seen(status, person)
            idle = (on - seen.date()).days if seen else status.day
            entry = {"id": person.id, "name": person.name, "overdue": overdue}
            if idle >= inactive_after:
                entry["inactive_days"] = idle
            if overdue or entry.get("inactive_days"):
                by_manager.setdefault(person.manager_id, []).append(entry)
    made = 0
    managers = {
        user.id: user
        for user in db.session.scalars(sa.select(User).where(User.id.in_(sorted(by_manager))))
    }
    for manager_id, hires in sorted(by_manager.items()):
        manager = managers.get(manager_id)
        if manager is None or not manager.active:
            continue
        data = {"week": week, "hires": hires}
        if create_digest(manager_id, DigestKind.MANAGER_WEEKLY, week, data, now) is not None:
            made += 1
    db.session.commit()
    return made


def run_reminders(now: datetime) -> RemindReport:
    """The whole daily run; commits as it goes, so a crash loses nothing already done."""
    on = now.date()
    report = RemindReport()
    report.statuses = refresh_day(on)
    report.reminders = create_reminders(on, now)
    from lms.planning.reminders import run_planning

    planning = run_planning(now)
    report.reminders += planning.nudges
    report.execution_days = planning.refreshed
    from lms.reports.snapshots import snapshot_current

    report.snapshots = snapshot_current(now)
    db.session.commit()
    settings = SmtpSettings.from_config(current_app.config)
    if settings is None:
        report.lines.append("e-mail is off: LMS_SMTP_HOST is not set (in-app notifications only)")
        return report
    report.manager_digests = create_manager_digests(on, now)
    report.daily_digests = collect_daily(now)
    db.session.commit()
    report.email = send_pending(settings, now)
    return report
