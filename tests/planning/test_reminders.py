"""The 10:00 nudge and the review nudge follow each hire's time zone; the daily run refreshes the
rollup and repeats nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.notifications.models import Notification
from lms.onboarding.reminders import run_reminders
from lms.planning import clock
from lms.planning.models import ExecutionDay
from lms.planning.services import PriorityInput, save_plan
from tests.planning.conftest import START, at

TUE = START + timedelta(days=1)


def nudges(db, user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Notification.kind, Notification.dedupe_key)
        .where(
            Notification.user_id == user.id,
            Notification.kind.in_(("plan_missing", "review_due")),
        )
        .order_by(Notification.id)
    )
    return [(kind, key) for kind, key in rows]


def test_the_ten_oclock_nudge_in_two_time_zones(db, enrolled):
    shanghai, new_york = enrolled.hire, enrolled.outsider
    shanghai.timezone = "Asia/Shanghai"  # UTC+8
    new_york.timezone = "America/New_York"  # UTC-5 in March before daylight saving time
    db.session.commit()
    # 01:30 UTC: 09:30 in Shanghai, 20:30 the evening before in New York: nobody yet.
    run_reminders(at(TUE, 1, 30))
    assert nudges(db, shanghai) == [] and nudges(db, new_york) == []
    # 02:00 UTC: 10:00 in Shanghai.
    run_reminders(at(TUE, 2))
    assert nudges(db, shanghai) == [("plan_missing", "plan-missing:2026-03-03")]
    assert nudges(db, new_york) == []
    # 14:59 UTC: 09:59 in New York; 15:00 UTC: 10:00.
    run_reminders(at(TUE, 14, 59))
    assert nudges(db, new_york) == []
    run_reminders(at(TUE, 15))
    assert nudges(db, new_york) == [("plan_missing", "plan-missing:2026-03-03")]
    assert len(nudges(db, shanghai)) == 1  # not repeated


def test_no_nudge_when_planned_and_the_review_nudge_until_noon(db, enrolled):
    hire = enrolled.hire
    save_plan(hire, TUE, [PriorityInput("Call leads")], actor=hire, now=at(TUE, 7))
    db.session.commit()
    run_reminders(at(TUE, 10))
    assert nudges(db, hire) == []
    run_reminders(at(TUE, 17))
    assert nudges(db, hire) == [("review_due", "review-due:2026-03-03")]
    run_reminders(at(TUE + timedelta(days=1), 10))  # Wednesday 10:00: no plan yet
    assert nudges(db, hire)[1:] == [("plan_missing", "plan-missing:2026-03-04")]
    rows = db.session.scalars(
        sa.select(ExecutionDay).where(ExecutionDay.user_id == hire.id).order_by(ExecutionDay.day)
    ).all()
    assert [(row.day, row.is_planned) for row in rows][:2] == [(START, False), (TUE, True)]


def test_plan_days_follow_the_time_zone(app, enrolled):
    hire = enrolled.hire
    moment = datetime(2026, 3, 3, 23, 30)  # Tuesday 23:30 UTC
    assert clock.local_day(hire, moment) == TUE
    hire.timezone = "Asia/Shanghai"
    assert clock.local_day(hire, moment) == TUE + timedelta(days=1)
    assert clock.review_deadline(hire, TUE) == datetime(2026, 3, 4, 4, 0)
    hire.timezone = None
    app.config["DEFAULT_TIMEZONE"] = "America/New_York"
    assert clock.review_deadline(hire, TUE) == datetime(2026, 3, 4, 17, 0)


def test_the_nudges_go_into_the_daily_email_digest(db, enrolled):
    from lms.notifications.email import collect_daily
    from lms.notifications.models import EmailDigest

    run_reminders(at(TUE, 10))
    assert nudges(db, enrolled.hire) == [("plan_missing", "plan-missing:2026-03-03")]
    assert collect_daily(at(TUE, 10)) >= 1
    digest_ids = db.session.scalars(
        sa.select(Notification.digest_id).where(
            Notification.user_id == enrolled.hire.id, Notification.kind == "plan_missing"
        )
    ).all()
    assert digest_ids and db.session.get(EmailDigest, digest_ids[0]) is not None
