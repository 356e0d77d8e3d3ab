"""The four measures on a table of designed days: the worked example of
docs/execution-measures.md, reproduced number for number."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.planning.measures import measures_of, recent_completion_by_user, rollups, willingness
from lms.planning.models import ExecutionDay
from lms.planning.pages import member_planning
from lms.planning.services import OutcomeInput, PriorityInput, save_plan, save_review
from lms.quizzes.models import QuizAttempt
from tests.planning.conftest import START, at

MON, TUE, WED, THU, FRI = (START + timedelta(days=n) for n in range(5))
NEXT_MON = START + timedelta(days=7)
NEXT_THU = START + timedelta(days=10)


def plan(hire, day, *texts, items=(), hour=9):
    rows = [PriorityInput(text=text) for text in texts] + [PriorityInput(item=i) for i in items]
    return save_plan(hire, day, rows, actor=hire, now=at(day, hour))


def review(hire, the_plan, outcomes, when, **extra):
    rows = [
        OutcomeInput(p.id, outcome, **extra.get(outcome, {}))
        for p, outcome in zip(the_plan.priorities, outcomes, strict=True)
    ]
    return save_review(hire, the_plan.day, rows, actor=hire, now=when)


def quiz_attempt(db, hire, slug: str, number: int, passed: bool, when) -> None:
    """A submitted attempt on a stand-in quiz: the rollup reads who, when, which try, passed."""
    from lms.content.models import ContentItem, ContentVersion

    item = db.session.scalar(sa.select(ContentItem).where(ContentItem.slug == slug))
    if item is None:
        item = ContentItem(kind="quiz", slug=slug)
        db.session.add(item)
        db.session.flush()
        db.session.add(
            ContentVersion(
                item_id=item.id, number=1, content_hash="x", document={}, renderer_version=1
            )
        )
        db.session.flush()
    version = db.session.scalar(sa.select(ContentVersion).where(ContentVersion.item_id == item.id))
    db.session.add(
        QuizAttempt(
            user_id=hire.id,
            item_id=item.id,
            version_id=version.id,
            number=number,
            layout=[],
            started_at=when,
            last_activity_at=when,
            submitted_at=when,
            score=90.0 if passed else 40.0,
            is_passed=passed,
        )
    )
    db.session.flush()


@pytest.fixture
def designed(db, enrolled):
    """The worked example: a hire in the company's default time zone (UTC)."""
    hire = enrolled.hire
    # Monday: three first attempts (two passed) and a second try that does not count.
    quiz_attempt(db, hire, "q1", 1, True, at(MON, 14))
    quiz_attempt(db, hire, "q2", 1, True, at(MON, 14))
    quiz_attempt(db, hire, "q3", 1, False, at(MON, 14))
    quiz_attempt(db, hire, "q3", 2, True, at(MON, 15))

    moved = {"moved": {"moved_to": THU.isoformat(), "reason": "underestimated"}}
    # Monday: four priorities (one is the path item "shadow", planned the day its phase opens),
    # all done, reviewed at 17:30.
    monday = plan(hire, MON, "Call 10 leads", "Update CRM", "Prepare demo", items=["rep/shadow"])
    review(hire, monday, ["done"] * 4, at(MON, 17, 30))
    # Tuesday: four priorities, two done and two partly.
    tuesday = plan(hire, TUE, "A", "B", "C", "D")
    review(hire, tuesday, ["done", "done", "partly", "partly"], at(TUE, 18))
    # Wednesday: three priorities, one done, two moved to Thursday.
    wednesday = plan(hire, WED, "E", "F", "G")
    review(hire, wednesday, ["done", "moved", "moved"], at(WED, 18), **moved)
    # Thursday: planned (with the two moved ones), never reviewed.
    plan(hire, THU, "F", "G", "H")
    # Friday: two priorities, both done, but reviewed on Saturday at 13:00, after the noon deadline.
    friday = plan(hire, FRI, "I", "J")
    review(hire, friday, ["done", "done"], at(FRI + timedelta(days=1), 13))
    # Next Monday: the path item "crm" is planned a week after its phase opened.
    plan(hire, NEXT_MON, "K", items=["rep/crm"])
    # Next Thursday: "shadow", due on day 10 (Wednesday) and not done, is planned the morning
    # after it went overdue.
    plan(hire, NEXT_THU, items=["rep/shadow"], hour=8)
    db.session.commit()
    return hire


def test_each_designed_day(designed):
    rows = {row.day: row for row in rollups([designed.id], MON, NEXT_THU)[designed.id]}
    table = {
        day: (
            row.is_planned,
            row.is_reviewed,
            row.is_review_late,
            row.priorities,
            row.done_points,
            row.first_tries,
            row.first_passes,
            row.timeliness_hours,
            row.resolution_hours,
        )
        for day, row in rows.items()
    }
    assert table == {
        MON: (True, True, False, 4, 4.0, 3, 2, [9.0], []),
        TUE: (True, True, False, 4, 3.0, 0, 0, [], []),
        WED: (True, True, False, 3, 1.0, 0, 0, [], []),
        THU: (True, False, False, 3, 0.0, 0, 0, [], []),
        FRI: (True, False, True, 2, 2.0, 0, 0, [], []),
        NEXT_MON: (True, False, False, 2, 0.0, 0, 0, [177.0], []),
        NEXT_THU: (True, False, False, 1, 0.0, 0, 0, [], [8.0]),
    }


def test_the_week_and_the_fortnight(designed):
    week = measures_of(rollups([designed.id], MON, MON + timedelta(days=6))[designed.id], 7)
    assert (week.planned_days, week.reviewed_days) == (5, 3)
    assert week.completion == pytest.approx(8 / 11)  # (4 + 3 + 1) / (4 + 4 + 3)
    assert week.timeliness == 9.0
    assert week.quality == pytest.approx(2 / 3)
    assert week.resolution is None
    assert [week.meets(name) for name in ("completion", "timeliness", "quality")] == [
        False,
        True,
        False,
    ]
    both = measures_of(rollups([designed.id], MON, NEXT_THU)[designed.id])
    assert both.timeliness == 93.0  # median of 9 h and 177 h
    assert both.resolution == 8.0
    assert both.meets("resolution") is False


def test_the_willingness_score(designed):
    score = willingness(designed, at(NEXT_THU + timedelta(days=1), 12))
    assert score is not None
    assert score.working_days == 9
    assert score.parts["completion"] == pytest.approx((8 / 11) / 0.95)
    assert score.parts["reviews"] == pytest.approx(3 / 9)
    assert score.parts["timeliness"] == pytest.approx(24 / 93)
    assert score.parts["resolution"] == pytest.approx(2 / 8)
    assert score.score == 45


def test_not_enough_evidence_in_the_first_days(db, enrolled):
    assert willingness(enrolled.hire, at(START + timedelta(days=3), 12)) is None
    # A hire who plans nothing gets a low score once there are enough days, not "no evidence".
    low = willingness(enrolled.hire, at(START + timedelta(days=9), 12))
    assert low is not None and low.score == 0


def _reviewed_day(db, hire, day, done: float) -> None:
    db.session.add(
        ExecutionDay(
            user_id=hire.id,
            day=day,
            is_planned=True,
            is_reviewed=True,
            priorities=4,
            done_points=done,
            updated_at=datetime(2026, 3, 1),
        )
    )


def test_team_column_and_member_page_agree_for_a_hire_ahead_of_the_company_clock(app, db, team):
    """/team's plan-completion column and the week on /team/<id> are one number: both over the
    hire's own last 7 days. A hire at UTC+14 is a day ahead of the company (UTC) in the evening;
    the column once took the company's window and showed 0% where the member page showed 100%."""
    ahead, local = team.hire, team.outsider
    ahead.timezone = "Pacific/Kiritimati"
    now = at(START + timedelta(days=8), 20)  # Tuesday 10 March 20:00 UTC = Wednesday 11 at UTC+14
    for hire in (ahead, local):
        _reviewed_day(db, hire, START + timedelta(days=2), 0.0)  # Wed 4 March: nothing done
        _reviewed_day(db, hire, START + timedelta(days=9), 4.0)  # Wed 11 March: all done
    db.session.commit()

    column = recent_completion_by_user([ahead, local], now)
    assert column[ahead.id] == 1.0  # 5-11 March: only the 11th
    assert column[local.id] == 0.0  # 4-10 March: only the 4th
    for hire in (ahead, local):
        assert member_planning(hire, now).week.completion == column[hire.id]
    assert recent_completion_by_user([], now) == {}
