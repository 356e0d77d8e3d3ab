"""E-mail digests: collecting notifications into one message per person and day, sending
pending digests over SMTP, and retrying the ones the server refused on the next run.

A digest is rendered when it is sent, in the recipient's language at that moment. Sending is
at-least-once: a digest is claimed (``sending``) before the SMTP conversation and marked
``sent`` after the server accepted it; a failure puts it back to ``pending`` with the error, and a
claim older than CLAIM_MINUTES (a run that died mid-send) is taken over by the next run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from lms.extensions import db
from lms.notifications.kinds import day, email_kinds, text
from lms.notifications.models import DigestKind, EmailDigest, Notification
from lms.notifications.services import message_of
from lms.people.models import User
from lms.timeutil import utcnow

log = logging.getLogger("lms.email")

CLAIM_MINUTES = 30
MAX_AGE_DAYS = 14
MAX_LINES = 50
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    ssl: bool
    sender: str

    @classmethod
    def from_config(cls, config) -> SmtpSettings | None:
        host = config.get("SMTP_HOST")
        if not host:
            return None
        return cls(
            host=host,
            port=int(config.get("SMTP_PORT") or 587),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            starttls=bool(config.get("SMTP_STARTTLS", True)),
            ssl=bool(config.get("SMTP_SSL", False)),
            sender=config.get("SMTP_FROM") or "no-reply@localhost",
        )


class SmtpConnection:
    """One SMTP connection and one TLS context for a whole run (loading the system's certificate
    store and a TLS handshake per message cost more than the message). Opened on the first
    message; a connection the server dropped is opened again once; a refused message leaves the
    connection usable for the next."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._context: ssl.SSLContext | None = None
        self._client: smtplib.SMTP | None = None
        self.connections = 0

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS, context=self._tls()
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            client.ehlo()
            if settings.starttls and not settings.ssl:
                client.starttls(context=self._tls())
                client.ehlo()
            if settings.username:
                client.login(settings.username, settings.password or "")
        except BaseException:
            client.close()
            raise
        self.connections += 1
        return client

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises on any failure (refused, unreachable, TLS, login)."""
        for retry in (False, True):
            if self._client is None:
                self._client = self._connect()
            try:
                self._client.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self._drop()
                if retry:
                    raise
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused):
                raise  # this message only; the connection stays
            except smtplib.SMTPResponseException:
                self._reset()
                raise
            except (OSError, smtplib.SMTPException):
                self._drop()
                raise

    def _reset(self) -> None:
        try:
            if self._client is not None:
                self._client.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver one message over a connection of its own."""
    with SmtpConnection(settings) as connection:
        connection.send(message)


# --- collecting ----------------------------------------------------------------------------------


def collect_daily(now: datetime) -> int:
    """Put every not-yet-mailed notification (of a kind that is e-mailed, at most MAX_AGE_DAYS
    old, for an active person) into that person's pending daily digest. A person already sent a
    daily digest today gets the rest tomorrow. Returns the number of digests touched."""
    period = now.date().isoformat()
    since = now - timedelta(days=MAX_AGE_DAYS)
    rows = db.session.execute(
        sa.select(Notification.user_id, sa.func.count(Notification.id))
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.digest_id.is_(None),
            Notification.kind.in_(email_kinds()),
            Notification.created_at >= since,
            Notification.created_at <= now,
            User.active.is_(True),
        )
        .group_by(Notification.user_id)
    ).all()
    touched = 0
    for user_id, _count in rows:
        digest = _open_daily_digest(user_id, period, now)
        if digest is None:
            continue
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.digest_id.is_(None),
                Notification.kind.in_(email_kinds()),
                Notification.created_at >= since,
                Notification.created_at <= now,
            )
            .values(digest_id=digest.id)
        )
        touched += 1
    db.session.flush()
    return touched


def _open_daily_digest(user_id: int, period: str, now: datetime) -> EmailDigest | None:
    pending = db.session.scalar(
        sa.select(EmailDigest)
        .where(
            EmailDigest.user_id == user_id,
            EmailDigest.kind == DigestKind.DAILY,
            EmailDigest.status == "pending",
        )
        .with_for_update()
    )
    today = db.session.scalar(
        sa.select(EmailDigest).where(
            EmailDigest.user_id == user_id,
            EmailDigest.kind == DigestKind.DAILY,
            EmailDigest.period == period,
        )
    )
    if pending is not None:
        if pending.period != period and today is None:
            pending.period = period
        return pending
    if today is not None:
        return None
    return create_digest(user_id, DigestKind.DAILY, period, {}, now)


def create_digest(
    user_id: int, kind: str, period: str, data: dict, now: datetime
) -> EmailDigest | None:
    """A new pending digest, or None when one exists for that person, kind and period."""
    digest = EmailDigest(
        user_id=user_id, kind=kind, period=period, data=data, created_at=now, status="pending"
    )
    try:
        with db.session.begin_nested():
            db.session.add(digest)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None
    return digest


# --- rendering -----------------------------------------------------------------------------------


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or "").rstrip("/")


def _absolute(link: str | None) -> str:
    return f"{_base_url()}{link}" if link else _base_url() + "/"


def _locale_of(user: User) -> str:
    return user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def _footer() -> list[str]:
    return [
        "",
        "-- ",
        _("All your notifications: %(url)s", url=_absolute("/notifications")),
        _("You get this e-mail because you have an account on the sales onboarding platform."),
    ]


def render_daily(user: User, notifications: list[Notification]) -> tuple[str, str]:
    """Subject and plain text of a daily digest, in the recipient's language."""
    count = len(notifications)
    subject = ngettext("Onboarding: %(num)d new update", "Onboarding: %(num)d new updates", count)
    lines = [_("Hello %(name)s,", name=user.name), ""]
    lines.append(
        ngettext(
            "Here is %(num)d new update for you:", "Here are %(num)d new updates for you:", count
        )
    )
    lines.append("")
    for note in notifications[:MAX_LINES]:
        lines.append(f"- {message_of(note)}")
        if note.link:
            lines.append(f"  {_absolute(note.link)}")
    if count > MAX_LINES:
        lines.append(_("…and %(num)d more on the site.", num=count - MAX_LINES))
    lines += _footer()
    return subject, "\n".join(lines) + "\n"


def render_manager_weekly(user: User, data: dict) -> tuple[str, str]:
    """Subject and plain text of a manager's weekly digest (`data` is the snapshot taken when it
    was made: hires with overdue items, hires inactive for some days)."""
    hires = data.get("hires", [])
    overdue = sum(len(hire.get("overdue", [])) for hire in hires)
    inactive = sum(1 for hire in hires if hire.get("inactive_days"))
    subject = _(
        "Your team this week: %(overdue)d overdue, %(inactive)d inactive",
        overdue=overdue,
        inactive=inactive,
    )
    lines = [_("Hello %(name)s,", name=user.name), ""]
    lines.append(_("This is your team's onboarding this week (%(week)s).", week=data.get("week")))
    for hire in hires:
        hire_id = hire.get("id")
        link = _absolute(f"/team/{hire_id}")
        lines += ["", f"{hire.get('name')} ({link})"]
        if hire.get("inactive_days"):
            lines.append(
                "  "
                + ngettext(
                    "No activity for %(num)d day.",
                    "No activity for %(num)d days.",
                    int(hire["inactive_days"]),
                )
            )
        for item in hire.get("overdue", []):
            lines.append(
                "  - "
                + _(
                    "“%(item)s” was due on %(date)s.",
                    item=text(item.get("title")),
                    date=day(item.get("due")),
                )
            )
    lines += _footer()
    return subject, "\n".join(lines) + "\n"


def build_message(digest: EmailDigest, user: User, settings: SmtpSettings) -> EmailMessage:
    with force_locale(_locale_of(user)):
        if digest.kind == DigestKind.MANAGER_WEEKLY:
            subject, body = render_manager_weekly(user, digest.data or {})
        else:
            notifications = list(
                db.session.scalars(
                    sa.select(Notification)
                    .where(Notification.digest_id == digest.id)
                    .order_by(Notification.created_at, Notification.id)
                )
            )
            subject, body = render_daily(user, notifications)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = user.email
    message["Date"] = format_datetime(utcnow().replace(tzinfo=None), usegmt=False)
    message["Message-ID"] = make_msgid(idstring=f"digest-{digest.id}", domain="lms.local")
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "zh-CN" if _locale_of(user).startswith("zh") else "en"
    message.set_content(body, charset="utf-8")
    return message


# --- sending -------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    connections: int = 0


def _claim(digest_id: int, now: datetime) -> bool:
    stale = now - timedelta(minutes=CLAIM_MINUTES)
    result = db.session.execute(
        sa.update(EmailDigest)
        .where(
            EmailDigest.id == digest_id,
            sa.or_(
                EmailDigest.status == "pending",
                sa.and_(EmailDigest.status == "sending", EmailDigest.claimed_at < stale),
            ),
        )
        .values(status="sending", claimed_at=now)
    )
    db.session.commit()
    return bool(result.rowcount)


def sendable_digests(now: datetime) -> list[int]:
    stale = now - timedelta(minutes=CLAIM_MINUTES)
    return list(
        db.session.scalars(
            sa.select(EmailDigest.id)
            .where(
                sa.or_(
                    EmailDigest.status == "pending",
                    sa.and_(EmailDigest.status == "sending", EmailDigest.claimed_at < stale),
                )
            )
            .order_by(EmailDigest.id)
        )
    )


def send_pending(settings: SmtpSettings, now: datetime) -> SendReport:
    """Send every pending digest, one commit each; failures stay pending for the next run."""
    report = SendReport()
    with SmtpConnection(settings) as connection:
        for digest_id in sendable_digests(now):
            _send_one(connection, digest_id, settings, now, report)
        report.connections = connection.connections
    return report


def _send_one(
    connection: SmtpConnection,
    digest_id: int,
    settings: SmtpSettings,
    now: datetime,
    report: SendReport,
) -> None:
    if not _claim(digest_id, now):
        return
    digest = db.session.get(EmailDigest, digest_id)
    user = db.session.get(User, digest.user_id)
    try:
        if user is None or not user.active:
            raise ValueError("the recipient is deactivated")
        connection.send(build_message(digest, user, settings))
    except (OSError, smtplib.SMTPException, ValueError) as error:
        db.session.rollback()
        digest = db.session.get(EmailDigest, digest_id)
        digest.status = "pending"
        digest.attempts += 1
        digest.last_error = f"{type(error).__name__}: {error}"[:500]
        digest.claimed_at = None
        db.session.commit()
        line = f"digest {digest_id} to user {digest.user_id}: {digest.last_error}"
        log.warning("e-mail not sent, will retry on the next run: %s", line)
        report.failed.append(line)
        return
    digest.status = "sent"
    digest.sent_at = now
    digest.attempts += 1
    digest.last_error = None
    db.session.commit()
    report.sent += 1


def pending_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(EmailDigest.id)).where(EmailDigest.status != "sent")
        )
        or 0
    )


def iso_week(on: date) -> str:
    year, week, _weekday = on.isocalendar()
    return f"{year}-W{week:02d}"


def users_by_id(user_ids: Iterable[int]) -> dict[int, User]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
