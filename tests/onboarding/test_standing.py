"""Stored statuses: what the writes keep in `hire_summaries` is exactly what a rebuild from the
raw records gives, whatever the sequence of actions; time alone is handled by the nightly run."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms import timeutil
from lms.authoring import drafting
from lms.content import store
from lms.content.importer import import_content
from lms.courses.services import complete_lesson, undo_completion
from lms.onboarding import standing
from lms.onboarding.models import HireSummary, SignOff
from lms.onboarding.services import (
    OnboardingError,
    enroll,
    hold_checkin,
    sign_off,
    undo_sign_off,
)
from lms.onboarding.status import content_titles
from lms.people.models import Role
from lms.quizzes import editing as quiz_editor
from lms.quizzes.retakes import GrantError, grant_attempts
from lms.quizzes.services import QuizError, save_answers, start_attempt, submit_attempt
from lms.scenarios import services as drills
from lms.scenarios.services import scenario_of

FIXTURE = Path(__file__).parents[1] / "content" / "fixtures" / "valid"
START = date(2026, 3, 2)
PATH = "new-sales-rep"
RIGHT = {"q1": ["0"], "q2": ["0", "1"], "q3": ["0"]}


@pytest.fixture
def content(app, db):
    report = import_content([FIXTURE / "courses", FIXTURE / "scenarios"], actor=None)
    assert report.ok, report.errors
    db.session.commit()


class Clock:
    def __init__(self) -> None:
        self.day = START

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12))


@pytest.fixture
def clock(monkeypatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(timeutil, "today", lambda: found.day)
    return found


def _safely(db, action) -> None:
    try:
        action()
        db.session.commit()
    except (OnboardingError, QuizError, GrantError, ValueError, LookupError):
        db.session.rollback()


def _drill(db, hire, choices, now) -> None:
    version = drills.live_version("price-too-high")
    run, _ = drills.start_run(hire, version, now=now)
    scenario = scenario_of(version)
    for choice in choices:
        if run.finished_at is not None:
            break
        node = scenario.nodes[run.current_node]
        form = {"reply": "A reply long enough."} if node.kind == "open" else {"choice": str(choice)}
        drills.take_step(run.id, node_id=node.id, position=run.step_count, form=form, now=now)


def _quiz(hire, right: bool, now) -> None:
    attempt = start_attempt(hire.id, "time-basics", now=now)
    if right:
        save_answers(
            attempt.id,
            hire.id,
            {question: RIGHT[question] for question in attempt.question_ids},
            now=now,
        )
    submit_attempt(attempt.id, now=now, user_id=hire.id)


def _new_quiz_limit(actor, limit: int) -> None:
    """A new version of the quiz with another attempt limit, published as the editor does."""
    state = quiz_editor.editing("time-basics")
    state.document["max_attempts"] = limit
    outcome = drafting.publish(state, quiz_editor.check(state.document, state.slug), actor=actor)
    assert outcome.is_done, outcome.message


def run_action(db, clock, manager, hires, action) -> None:
    kind, index, choice = action
    hire = hires[index % len(hires)]
    now = clock.now()
    if kind == "day":
        clock.day += timedelta(days=choice)
        standing.refresh_day(clock.day)
        return
    if kind == "lesson":
        version = store.current_version("lesson", "plan-your-day")
        _safely(db, lambda: complete_lesson(hire, version))
    elif kind == "unlesson":
        version = store.current_version("lesson", "plan-your-day")
        _safely(db, lambda: undo_completion(hire, version.item))
    elif kind == "quiz":
        _safely(db, lambda: _quiz(hire, choice % 2 == 0, now))
    elif kind == "drill":
        paths = [[0, 0, None, 0], [1], [0, 1], [0, 0, None, 1]]
        _safely(db, lambda: _drill(db, hire, paths[choice % 4], now))
    elif kind == "signoff":
        item = ("shadow-calls", "own-calls")[choice % 2]
        ratings = {"goal-setting": ("below", "meets", "above")[choice % 3]}
        _safely(db, lambda: sign_off(hire, item, actor=manager, ratings=ratings, now=now))
    elif kind == "undo":
        found = db.session.scalar(
            sa.select(SignOff).where(SignOff.user_id == hire.id, SignOff.undone_at.is_(None))
        )
        if found is not None:
            _safely(db, lambda: undo_sign_off(found, actor=manager, reason="Redo", now=now))
    elif kind == "checkin":
        item = ("review-30", "review-60")[choice % 2]
        _safely(db, lambda: hold_checkin(hire, item, actor=manager, notes="Fine", now=now))
    elif kind == "grant":
        _safely(
            db,
            lambda: grant_attempts(
                hire, "time-basics", actor=manager, extra=choice % 3 + 1, reason="Retry", now=now
            ),
        )
    elif kind == "limit":
        _safely(db, lambda: _new_quiz_limit(manager, choice % 4 + 1))
    elif kind == "enroll":
        start = clock.day - timedelta(days=choice * 5)
        _safely(
            db,
            lambda: enroll(hire, PATH, actor=manager, start_date=start, replace=True, now=now),
        )


ACTIONS = st.tuples(
    st.sampled_from(
        [
            "lesson",
            "unlesson",
            "quiz",
            "drill",
            "signoff",
            "undo",
            "checkin",
            "enroll",
            "day",
            "grant",
            "limit",
        ]
    ),
    st.integers(0, 1),
    st.integers(1, 9),
)


def _stored(user_ids) -> dict:
    rows = standing.summary_rows(user_ids)
    return {
        user_id: (
            row.as_of,
            row.health,
            row.done_count,
            row.overdue_count,
            row.below_count,
            row.last_activity_at,
            row.inputs,
            row.summary,
        )
        for user_id, row in rows.items()
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=12))
def test_a_recompute_gives_what_the_writes_gave(db, make_user, content, clock, actions):
    clock.day = START
    manager = make_user(roles={Role.MANAGER})
    hires = [make_user(manager=manager, start_date=START) for _ in range(2)]
    enroll(hires[0], PATH, actor=manager, start_date=START - timedelta(days=3), now=clock.now())
    db.session.commit()
    for action in actions:
        run_action(db, clock, manager, hires, action)
    ids = [hire.id for hire in hires]
    incremental = _stored(ids)
    assert hires[0].id in incremental

    changed = standing.refresh(ids, clock.day)
    rebuilt = _stored(ids)
    db.session.rollback()

    assert changed == 0
    assert rebuilt == incremental


def test_an_item_falls_overdue_with_the_day_and_the_nightly_run_stores_it(
    db, make_user, content, clock, client, monkeypatch
):
    from lms.team import views
    from tests.helpers import login_as

    monkeypatch.setattr(views, "today", lambda: clock.day)

    manager = make_user(roles={Role.MANAGER})
    hire = make_user(manager=manager, start_date=START, name="Dana Day")
    enroll(hire, PATH, actor=manager, start_date=START, now=clock.now())
    db.session.commit()
    row = db.session.get(HireSummary, hire.id)
    assert row.as_of == START and row.overdue_count == 0 and row.health == "on_track"

    clock.day = START + timedelta(days=14)  # "basics" was due on day 14
    login_as(client, manager)
    page = client.get("/team").get_data(as_text=True)
    assert "1 day overdue" in page  # re-evaluated from the stored inputs, before the nightly run
    db.session.expire_all()
    assert db.session.get(HireSummary, hire.id).as_of == START

    assert standing.refresh_day(clock.day) == 1
    db.session.expire_all()
    row = db.session.get(HireSummary, hire.id)
    assert row.as_of == clock.day and row.overdue_count == 1 and row.health == "at_risk"
    assert row.summary["headline"]["item"] == "basics"
    assert standing.refresh([hire.id], clock.day) == 0


def test_recompute_status_rebuilds_lost_rows_and_drops_stale_ones(db, make_user, content, clock):
    manager = make_user(roles={Role.MANAGER})
    hires = [make_user(manager=manager, start_date=START) for _ in range(3)]
    for hire in hires:
        enroll(hire, PATH, actor=manager, start_date=START, now=clock.now())
    db.session.commit()
    kept = _stored([hire.id for hire in hires])
    db.session.execute(sa.delete(HireSummary).where(HireSummary.user_id == hires[0].id))
    db.session.commit()

    result = standing.recompute(clock.day, batch=2)

    assert result.hires >= 3 and result.changed >= 1
    assert _stored([hire.id for hire in hires]) == kept
    assert standing.recompute(clock.day).changed == 0


def test_a_mastery_recompute_refreshes_the_stored_statuses_it_changes(
    db, make_user, content, clock
):
    from lms.skills.mastery import recompute_all
    from lms.skills.models import Mastery

    manager = make_user(roles={Role.MANAGER})
    hire = make_user(manager=manager, start_date=START)
    enroll(hire, PATH, actor=manager, start_date=START, now=clock.now())
    sign_off(hire, "shadow-calls", actor=manager, ratings={"goal-setting": "above"})
    db.session.commit()
    kept = _stored([hire.id])
    db.session.execute(sa.update(Mastery).values(level=0.01, count=9))  # behind the app's back
    db.session.commit()
    assert standing.refresh([hire.id], clock.day) == 1  # the stored row now differs
    db.session.commit()

    result = recompute_all(batch=1)

    assert result.changed >= 1
    assert _stored([hire.id]) == kept


def _headline(user_id: int) -> str | None:
    db_row = standing.summary_rows([user_id])[user_id]
    headline = db_row.summary.get("headline")
    return headline["code"] if headline else None


def test_attempts_used_up_is_stored_and_lifted_by_a_grant_or_a_new_limit(
    db, make_user, content, clock
):
    manager = make_user(roles={Role.MANAGER})
    hire = make_user(manager=manager, start_date=START)
    enroll(hire, PATH, actor=manager, start_date=START, now=clock.now())
    db.session.commit()
    for _ in range(3):  # the quiz allows 3 attempts
        _quiz(hire, False, clock.now())
        db.session.commit()
    assert _headline(hire.id) == "attempts_used_up"
    assert standing.refresh([hire.id], clock.day) == 0  # what the writes stored is a rebuild's

    grant_attempts(hire, "time-basics", actor=manager, extra=1, reason="One more", now=clock.now())
    db.session.commit()
    assert _headline(hire.id) is None
    _quiz(hire, False, clock.now())
    db.session.commit()
    assert _headline(hire.id) == "attempts_used_up"

    _new_quiz_limit(manager, 6)  # the editor raises the limit: 6 + 1 granted, 4 used
    db.session.commit()
    assert _headline(hire.id) is None
    assert standing.refresh([hire.id], clock.day) == 0


def test_content_published_from_the_editor_writes_the_title_columns_like_an_import(
    db, make_user, content
):
    from lms.content.models import ContentVersion

    trainer = make_user(roles={Role.TRAINER})
    imported = store.current_version("quiz", "time-basics")
    state = quiz_editor.editing("time-basics")
    state.document["title"] = {"en": "Time basics, again", "zh-CN": "时间基础"}
    outcome = drafting.publish(state, quiz_editor.check(state.document, state.slug), actor=trainer)
    db.session.commit()

    assert outcome.is_done, outcome.message
    version = db.session.get(ContentVersion, outcome.result.version.id)
    assert version.origin == "editor" and version.id != imported.id
    assert version.title == {"en": "Time basics, again", "zh-CN": "时间基础"}
    assert version.language == imported.language == "en"
    assert store.listed_fields(store.load(version)) == {
        "title": version.title,
        "language": version.language,
        "course": None,
    }
    titles = content_titles([("quiz", "time-basics")])
    assert titles[("quiz", "time-basics")].get("zh-CN") == "时间基础"
