"""Status over time: item, phase and hire status on given days for given activity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from lms.onboarding.status import (
    Health,
    ItemState,
    due_date,
    evaluate,
    phase_on,
    progress_key,
)
from lms.progress import ItemProgress
from lms.skills.mastery import MasteryState
from tests.onboarding.paths import RULES_PATH

START = date(2026, 3, 2)
NS, IP, DONE, OVER = (
    ItemState.NOT_STARTED,
    ItemState.IN_PROGRESS,
    ItemState.DONE,
    ItemState.OVERDUE,
)
OK, RISK, BEHIND = Health.ON_TRACK, Health.AT_RISK, Health.BEHIND


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(due_date(START, day), time(hour))


def done(day: int, score: float | None = None) -> ItemProgress:
    return ItemProgress(
        started=True, done=True, best_score=score, done_at=at(day), last_activity_at=at(day)
    )


def tried(day: int, score: float) -> ItemProgress:
    return ItemProgress(started=True, best_score=score, attempts=1, last_activity_at=at(day))


def key(item_id: str) -> tuple[str, str]:
    for phase in RULES_PATH.phases:
        for item in phase.items:
            if item.id == item_id:
                return progress_key(RULES_PATH.id, item)
    raise KeyError(item_id)


def mastery(value: float | None) -> dict:
    count = 3 if value is not None else 1
    return {"goal-setting": MasteryState(value=value, count=count, trend=None, last_at=None)}


# (day, activity, mastery, expected item states, expected phase-1 health, expected hire health)
CASES = [
    ("day 1, nothing yet", 1, {}, None, {"basics": NS, "check": NS}, OK, OK),
    ("due today is not overdue", 7, {}, None, {"basics": NS}, OK, OK),
    ("started, not due", 5, {"basics": ItemProgress(started=True)}, None, {"basics": IP}, OK, OK),
    ("one day overdue: at risk", 8, {}, None, {"basics": OVER}, RISK, RISK),
    ("done on the due day is on time", 8, {"basics": done(7)}, None, {"basics": DONE}, OK, OK),
    ("done late is done", 9, {"basics": done(9)}, None, {"basics": DONE}, OK, OK),
    (
        "activity after the day looked at does not count yet",
        8,
        {"basics": done(9)},
        None,
        {"basics": OVER},
        RISK,
        RISK,
    ),
    (
        "quiz below its min_score is in progress before the due day",
        10,
        {"basics": done(6), "check": tried(9, 70)},
        None,
        {"check": IP},
        OK,
        OK,
    ),
    (
        "quiz below its min_score after the due day is overdue",
        11,
        {"basics": done(6), "check": tried(9, 70)},
        None,
        {"check": OVER},
        RISK,
        RISK,
    ),
    (
        "quiz passed after its due day: done, late",
        12,
        {"basics": done(6), "check": done(12, 85)},
        None,
        {"check": DONE},
        OK,
        OK,
    ),
    (
        "passed at the content's pass score but below the item's min_score",
        12,
        {"basics": done(6), "check": done(9, 75)},
        None,
        {"check": OVER},
        RISK,
        RISK,
    ),
    (
        "eight days overdue: behind",
        15,
        {"check": done(9, 90)},
        None,
        {"basics": OVER},
        BEHIND,
        BEHIND,
    ),
    (
        "three overdue at once: behind",
        15,
        {},
        None,
        {"basics": OVER, "check": OVER, "drill": OVER},
        BEHIND,
        BEHIND,
    ),
    (
        "a sign-off undone leaves the task open (no sign-off in force)",
        22,
        {"basics": done(6), "check": done(9, 90), "drill": done(12)},
        mastery(60),
        {"shadow": OVER},
        RISK,
        RISK,
    ),
    (
        "skill below target before the phase's middle: on track",
        10,
        {"basics": done(6), "check": done(9, 90)},
        mastery(30),
        {},
        OK,
        OK,
    ),
    (
        "skill below target from the phase's middle: at risk",
        16,
        {"basics": done(6), "check": done(9, 90), "drill": done(12)},
        mastery(30),
        {},
        RISK,
        RISK,
    ),
    (
        "not enough evidence is no reason",
        16,
        {"basics": done(6), "check": done(9, 90), "drill": done(12)},
        mastery(None),
        {},
        OK,
        OK,
    ),
    (
        "skill at target: on track",
        16,
        {"basics": done(6), "check": done(9, 90), "drill": done(12)},
        mastery(50),
        {},
        OK,
        OK,
    ),
    (
        "check-in due on day 30 is not overdue on day 30",
        30,
        {"basics": done(6), "check": done(9, 90), "drill": done(12), "shadow": done(20)},
        mastery(70),
        {"review-30": NS},
        OK,
        OK,
    ),
    (
        "a missed check-in is overdue the next day (phase 1 past, hire at risk)",
        31,
        {"basics": done(6), "check": done(9, 90), "drill": done(12), "shadow": done(20)},
        mastery(70),
        {"review-30": OVER, "pitch": NS},
        RISK,
        RISK,
    ),
]


@pytest.mark.parametrize(
    ("day", "activity", "skills", "items", "phase_health", "hire_health"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_status_over_time(app, day, activity, skills, items, phase_health, hire_health):
    on = due_date(START, day)
    progress = {key(item_id): value for item_id, value in activity.items()}
    status = evaluate(RULES_PATH, START, on, progress, skills or {})
    states = {item.id: item.state for item in status.items}
    for item_id, expected in items.items():
        assert states[item_id] == expected, item_id
    assert status.phases[0].health == phase_health
    assert status.health == hire_health
    assert (status.health == OK) == (not status.reasons)
    assert status.day == day


def test_done_late_and_on_time(app):
    progress = {key("basics"): done(7), key("check"): done(12, 85)}
    status = evaluate(RULES_PATH, START, due_date(START, 12), progress)
    assert status.item("basics").done_late is False
    assert status.item("check").done_late is True
    assert status.item("check").done_at == at(12)


def test_reasons_say_why(app):
    progress = {key("check"): done(9, 90)}
    status = evaluate(RULES_PATH, START, due_date(START, 16), progress, mastery(30))
    messages = [reason.message for reason in status.reasons]
    assert messages == [
        "“basics” is 9 days overdue (due Mar 8, 2026).",
        "“drill” is 2 days overdue (due Mar 15, 2026).",
        "goal-setting is at 30, below the phase's target of 50.",
    ]
    assert [reason.health for reason in status.reasons] == [BEHIND, RISK, RISK]


def test_many_overdue_comes_first(app):
    status = evaluate(RULES_PATH, START, due_date(START, 22), {})
    assert status.reasons[0].code == "many_overdue"
    assert status.reasons[0].message == "4 items are overdue at once."


def test_phases_and_days(app):
    status = evaluate(RULES_PATH, START, due_date(START, 31), {})
    first, second = status.phases
    assert (first.start_day, first.end_day, second.start_day, second.end_day) == (1, 30, 31, 60)
    assert first.end_date == date(2026, 3, 31) and second.start_date == date(2026, 4, 1)
    assert status.current is second
    assert [p.timing for p in status.phases] == ["past", "current"]
    assert status.item("pitch").due == START + timedelta(days=44)
    assert status.item("review-60").due == due_date(START, 60)
    before = evaluate(RULES_PATH, START, START - timedelta(days=3), {})
    assert before.current is None and not before.is_started and before.health == OK
    after = evaluate(RULES_PATH, START, due_date(START, 75), {})
    assert after.is_finished and after.current.id == "days-31-60" and after.shown_day == 60


def test_due_within_and_next_checkin(app):
    status = evaluate(RULES_PATH, START, due_date(START, 8), {key("basics"): done(5)})
    assert [item.id for item in status.due_within(7)] == ["check", "drill"]
    assert status.next_checkin.id == "review-30"
    assert status.last_activity_at == at(5)


def test_phase_on(app):
    assert phase_on(RULES_PATH, START, START - timedelta(days=1)) is None
    assert phase_on(RULES_PATH, START, START).id == "first-30"
    assert phase_on(RULES_PATH, START, due_date(START, 30)).id == "first-30"
    assert phase_on(RULES_PATH, START, due_date(START, 31)).id == "days-31-60"
    assert phase_on(RULES_PATH, START, due_date(START, 400)).id == "days-31-60"
