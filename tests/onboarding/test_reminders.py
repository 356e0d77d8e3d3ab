"""`lms remind`: cadence, idempotence, the language of each recipient, SMTP failures retried."""

from __future__ import annotations

import smtplib
import socket
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.notifications.models import EmailDigest, Notification
from lms.notifications.services import notify
from lms.onboarding.reminders import create_reminders, run_reminders
from lms.onboarding.services import enroll, sign_off
from lms.onboarding.status import due_date
from tests.onboarding.conftest import START


class Inbox:
    """An SMTP server's handler that keeps every message, or refuses them while `refuse`."""

    def __init__(self) -> None:
        self.messages = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for rcpt, message in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()


@pytest.fixture
def app_config():
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": PORT,
        "SMTP_STARTTLS": False,
        "SMTP_FROM": "Onboarding <onboarding@example.com>",
        "BASE_URL": "https://lms.example.com",
        "REMIND_INACTIVE_DAYS": 5,
    }


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def enrolled(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager, now=at(1, 8))
    db.session.commit()
    return team


def at(day: int, hour: int = 6) -> datetime:
    return datetime.combine(due_date(START, day), time(hour))


def reminders_of(user) -> list[tuple[str, str]]:
    from lms.extensions import db

    rows = db.session.execute(
        sa.select(Notification.kind, Notification.dedupe_key)
        .where(Notification.user_id == user.id, Notification.dedupe_key.is_not(None))
        .order_by(Notification.id)
    )
    return [(kind, key) for kind, key in rows]


def body(message) -> str:
    return message.get_content()


def test_cadence_three_days_before_the_day_after_then_weekly(db, enrolled):
    hire, manager = enrolled.hire, enrolled.manager
    made = {day: create_reminders(due_date(START, day), at(day)) for day in range(1, 36)}
    keys = reminders_of(hire)
    shadow = [key for kind, key in keys if "/shadow@" in key]
    # `shadow` is due on day 10: reminded on day 7, overdue from day 11, again on days 18, 25...
    assert shadow == [
        f"soon:{hire.id}:rep/shadow@2026-03-11",
        f"overdue:{hire.id}:rep/shadow@2026-03-11:0",
        f"overdue:{hire.id}:rep/shadow@2026-03-11:1",
        f"overdue:{hire.id}:rep/shadow@2026-03-11:2",
        f"overdue:{hire.id}:rep/shadow@2026-03-11:3",
    ]
    days = sorted(day for day, count in made.items() if count)
    assert days == [7, 11, 17, 18, 21, 25, 27, 28, 31, 32, 35]
    # the check-in is the manager's too
    manager_keys = reminders_of(manager)
    assert [kind for kind, _ in manager_keys] == ["checkin_due", "item_overdue"]
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == manager.id, Notification.kind == "checkin_due"
        )
    )
    assert note.params["hire"] == "Lena Park" and note.link == f"/team/{hire.id}"
    assert note.created_at == at(27)


def test_done_items_are_not_reminded(db, enrolled):
    sign_off(enrolled.hire, "shadow", actor=enrolled.manager, now=at(5))
    db.session.commit()
    for day in range(1, 20):
        create_reminders(due_date(START, day), at(day))
    assert not [key for _, key in reminders_of(enrolled.hire) if "/shadow@" in key]


def test_a_missed_run_still_reminds_once(db, enrolled):
    create_reminders(due_date(START, 9), at(9))
    create_reminders(due_date(START, 14), at(14))
    create_reminders(due_date(START, 15), at(15))
    shadow = [key for _, key in reminders_of(enrolled.hire) if "/shadow@" in key]
    assert shadow == [
        f"soon:{enrolled.hire.id}:rep/shadow@2026-03-11",
        f"overdue:{enrolled.hire.id}:rep/shadow@2026-03-11:0",
    ]


def test_the_daily_run_sends_one_digest_and_nothing_more_the_same_day(db, enrolled, inbox):
    hire = enrolled.hire
    report = run_reminders(at(7))
    assert report.email.sent == 2  # the hire's daily digest and the manager's weekly one
    mails = inbox.to("hire@example.com")
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Onboarding: 2 new updates"
    assert mail["From"] == "Onboarding <onboarding@example.com>"
    text = body(mail)
    assert "Hello Lena Park," in text
    assert "“Shadow three calls” is due on Mar 11, 2026." in text
    assert "https://lms.example.com/onboarding#item-shadow" in text
    again = run_reminders(at(7, 18))
    assert again.reminders == 0 and again.email.sent == 0
    assert len(inbox.to("hire@example.com")) == 1
    notify(hire.id, "task_signed_off", manager="Morgan Lee", item="Shadow", now=at(7, 19))
    db.session.commit()
    later = run_reminders(at(7, 20))
    assert later.email.sent == 0, "a second digest waits for the next day"
    run_reminders(at(8))
    assert len(inbox.to("hire@example.com")) == 2
    assert "Morgan Lee signed off “Shadow”." in body(inbox.to("hire@example.com")[-1])


def test_each_recipient_reads_their_own_language(db, enrolled, inbox):
    enrolled.hire.locale = "zh_CN"
    db.session.commit()
    run_reminders(at(27))
    chinese = inbox.to("hire@example.com")[-1]
    assert chinese["Subject"] == "入职培养：3 条新动态"
    assert "你好，Lena Park：" in body(chinese)
    assert "第30天阶段面谈" in body(chinese)
    english = inbox.to("boss@example.com")[-1]
    assert "The Day-30 check-in with Lena Park is due on Mar 31, 2026." in body(english)


def test_a_refused_message_is_retried_on_the_next_run(db, enrolled, inbox):
    inbox.refuse = True
    report = run_reminders(at(7))
    assert report.email.sent == 0 and len(report.email.failed) == 2
    digest = db.session.scalar(
        sa.select(EmailDigest).where(EmailDigest.user_id == enrolled.hire.id)
    )
    assert digest.status == "pending" and digest.attempts == 1
    assert "451" in digest.last_error
    inbox.refuse = False
    notify(enrolled.hire.id, "reply_reviewed", reviewer="Tara", scenario="Price", now=at(8, 5))
    db.session.commit()
    retry = run_reminders(at(8))
    assert not retry.email.failed
    assert len(inbox.to("hire@example.com")) == 1
    mail = inbox.to("hire@example.com")[0]
    assert mail["Subject"] == "Onboarding: 3 new updates"
    assert "Tara reviewed your reply in “Price”." in body(mail)
    db.session.refresh(digest)
    assert digest.status == "sent" and digest.attempts == 2 and digest.last_error is None
    assert run_reminders(at(8, 12)).email.sent == 0
    assert len(inbox.to("hire@example.com")) == 1


def test_an_unreachable_server_loses_nothing(db, app, enrolled):
    app.config["SMTP_PORT"] = free_port()
    report = run_reminders(at(7))
    assert report.email.sent == 0 and report.email.failed
    pending = db.session.scalar(
        sa.select(sa.func.count(EmailDigest.id)).where(EmailDigest.status == "pending")
    )
    assert pending == 2


def test_a_claim_left_by_a_dead_run_is_taken_over(db, enrolled, inbox):
    run_reminders(at(7))
    digest = db.session.scalar(
        sa.select(EmailDigest).where(EmailDigest.user_id == enrolled.hire.id)
    )
    digest.status, digest.claimed_at = "sending", at(9, 7) - timedelta(minutes=10)
    digest.period = "2026-03-09"
    db.session.commit()
    before = len(inbox.to("hire@example.com"))
    run_reminders(at(9, 7))
    assert len(inbox.to("hire@example.com")) == before
    run_reminders(at(9, 8))
    assert len(inbox.to("hire@example.com")) == before + 1
    db.session.refresh(digest)
    assert digest.status == "sent"


def test_the_manager_gets_a_weekly_digest(db, enrolled, inbox, make_user):
    quiet = make_user("quiet@example.com", name="Quinn Quiet", manager=enrolled.manager)
    enroll(quiet, "rep", actor=enrolled.manager, start_date=START, now=at(1, 8))
    sign_off(quiet, "shadow", actor=enrolled.manager, now=at(9))
    db.session.commit()
    monday = START + timedelta(days=14)  # 2026-03-16, a Monday: day 15
    first = run_reminders(datetime.combine(monday, time(6)))
    assert first.manager_digests == 1
    weekly = [m for m in inbox.to("boss@example.com") if "this week" in m["Subject"]]
    assert len(weekly) == 1
    text = body(weekly[0])
    assert "Lena Park (https://lms.example.com/team/" in text
    assert "“Shadow three calls” was due on Mar 11, 2026." in text
    assert "No activity for 14 days." in text
    assert "Quinn Quiet" in text
    assert weekly[0]["Subject"] == "Your team this week: 1 overdue, 2 inactive"
    for offset in range(1, 7):
        report = run_reminders(datetime.combine(monday + timedelta(days=offset), time(6)))
        assert report.manager_digests == 0
    next_week = run_reminders(datetime.combine(monday + timedelta(days=7), time(6)))
    assert next_week.manager_digests == 1


def test_without_smtp_only_in_app_notifications(db, app, enrolled):
    app.config["SMTP_HOST"] = None
    report = run_reminders(at(7))
    assert report.reminders == 1 and report.email is None
    assert report.lines == ["e-mail is off: LMS_SMTP_HOST is not set (in-app notifications only)"]
    assert db.session.scalar(sa.select(sa.func.count(EmailDigest.id))) == 0


def test_deactivated_people_get_no_mail(db, enrolled, inbox):
    enrolled.hire.active = False
    db.session.commit()
    run_reminders(at(7))
    assert inbox.to("hire@example.com") == []


def test_the_command(db, runner, enrolled, inbox):
    result = runner.invoke(args=["lms", "remind", "--date", due_date(START, 7).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 reminders" in result.output and "2 e-mails sent" in result.output
    bad = runner.invoke(args=["lms", "remind", "--date", "tomorrow"])
    assert bad.exit_code == 1 and "--date" in bad.output
    inbox.refuse = True
    notify(enrolled.hire.id, "reply_reviewed", reviewer="T", scenario="P")
    db.session.commit()
    failed = runner.invoke(args=["lms", "remind", "--date", due_date(START, 40).isoformat()])
    assert failed.exit_code == 1
    assert "not sent, retried on the next run" in failed.output


def test_a_second_run_costs_a_few_queries(db, make_user, team, path_version, queries):
    for _number in range(30):
        hire = make_user(manager=team.manager, start_date=START)
        enroll(hire, "rep", actor=team.manager, now=at(1, 8))
    db.session.commit()
    assert create_reminders(due_date(START, 31), at(31)) == 30 * (3 + 1)
    with queries() as statements:
        assert create_reminders(due_date(START, 31), at(31, 12)) == 0
    assert len(statements) <= 15


class CountingInbox(Inbox):
    """Counts the SMTP sessions (EHLO) besides keeping the messages."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses


def test_digests_share_one_connection_and_one_tls_context(db, app, make_user, monkeypatch):
    import ssl

    from lms.notifications.email import SmtpSettings, send_pending

    handler = CountingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    contexts = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: contexts.append(1) or real())
    try:
        people = [make_user(f"rep{number}@example.com") for number in range(12)]
        for person in people:
            notify(person.id, "item_due_soon", item="Shadow calls", due="2026-03-05", link="/learn")
        db.session.commit()
        from lms.notifications.email import collect_daily
        from lms.timeutil import utcnow

        now = utcnow() + timedelta(minutes=1)

        assert collect_daily(now) == 12
        db.session.commit()
        settings = SmtpSettings.from_config(app.config)
        report = send_pending(settings, now)
    finally:
        controller.stop()
    assert report.sent == 12 and not report.failed
    assert len(handler.messages) == 12
    assert handler.sessions == 1 and report.connections == 1
    assert len(contexts) <= 1


def test_a_refused_message_does_not_close_the_connection_for_the_next(db, app, make_user):
    from lms.notifications.email import SmtpConnection, SmtpSettings

    class PickyInbox(CountingInbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refused"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    handler = PickyInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        from email.message import EmailMessage

        def message(to: str) -> EmailMessage:
            found = EmailMessage()
            found["From"], found["To"], found["Subject"] = "a@example.com", to, "Hi"
            found.set_content("Hello")
            return found

        with SmtpConnection(SmtpSettings.from_config(app.config)) as connection:
            connection.send(message("one@example.com"))
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                connection.send(message("refused@example.com"))
            connection.send(message("two@example.com"))
            assert connection.connections == 1
    finally:
        controller.stop()
    assert [rcpt for rcpt, _ in handler.messages] == [["one@example.com"], ["two@example.com"]]
