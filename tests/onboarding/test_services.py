from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.content.model import Text
from lms.content.store import publish
from lms.notifications.models import Notification
from lms.onboarding.models import CheckIn, CheckInGoal, Enrollment, SignOff
from lms.onboarding.services import (
    ActionInput,
    CheckInInvalid,
    GoalInput,
    OnboardingError,
    OutcomeInput,
    active_enrollment,
    enroll,
    enroll_many,
    goal_window,
    hold_checkin,
    phase_targets,
    sign_off,
    undo_sign_off,
    upgrade_enrollment,
)
from lms.onboarding.status import Health, ItemState, due_date, load_statuses, path_of
from lms.progress import progress_of
from lms.skills.mastery import mastery_of
from lms.skills.targets import targets_for
from tests.onboarding.conftest import START
from tests.onboarding.paths import TASK_PATH


def on_day(day: int, hour: int = 10) -> datetime:
    return datetime.combine(due_date(START, day), time(hour))


def status_of(hire, day: int):
    return load_statuses([active_enrollment(hire.id)], due_date(START, day))[hire.id]


def audit_actions() -> list[str]:
    return list(db_scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def db_scalars(statement):
    from lms.extensions import db

    return db.session.scalars(statement)


# --- enrollment --------------------------------------------------------------------------------


def test_enroll_pins_the_version_and_defaults_to_the_start_date(db, team, path_version):
    enrollment = enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    db.session.commit()
    assert enrollment.path_version_id == path_version.id
    assert enrollment.start_date == START
    assert enrollment.enrolled_by_id == team.manager.id
    assert "onboarding.enrolled" in audit_actions()
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "enrolled"))
    assert note.user_id == team.hire.id and note.link == "/onboarding"
    assert note.params["start"] == START.isoformat()


def test_enroll_with_an_explicit_start_date_or_today(db, make_user, team, path_version):
    no_start = make_user(manager=team.manager)
    enrollment = enroll(no_start, "rep", actor=team.manager, now=datetime(2026, 5, 4, 9))
    assert enrollment.start_date == date(2026, 5, 4)
    other = make_user(manager=team.manager)
    assert enroll(other, "rep", actor=None, start_date=date(2026, 6, 1)).start_date == date(
        2026, 6, 1
    )


def test_one_active_enrollment_per_person(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager)
    with pytest.raises(OnboardingError, match="already enrolled"):
        enroll(team.hire, "rep", actor=team.manager)
    db.session.commit()
    duplicate = Enrollment(
        user_id=team.hire.id,
        path_item_id=path_version.item_id,
        path_version_id=path_version.id,
        start_date=START,
    )
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_another_path_needs_replace(db, team, path_version):
    first = enroll(team.hire, "rep", actor=team.manager)
    other = publish(
        TASK_PATH.__class__(id="manager", title=Text({"en": "Manager"}), phases=TASK_PATH.phases),
        actor=None,
    ).version
    with pytest.raises(OnboardingError, match="another path"):
        enroll(team.hire, "manager", actor=team.manager)
    second = enroll(team.hire, "manager", actor=team.manager, replace=True)
    db.session.commit()
    assert first.ended_at is not None and second.is_active
    assert active_enrollment(team.hire.id).path_version_id == other.id


def test_unknown_path_and_deactivated_people(db, make_user, team, path_version):
    with pytest.raises(OnboardingError, match="no onboarding path"):
        enroll(team.hire, "nope", actor=team.manager)
    gone = make_user(active=False)
    with pytest.raises(OnboardingError, match="deactivated"):
        enroll(gone, "rep", actor=team.manager)


def test_enroll_many_reports_who_was_skipped(db, make_user, team, path_version):
    enroll(team.hire, "rep", actor=team.manager)
    newcomers = [make_user(name=f"New {n}", manager=team.manager) for n in range(3)]
    result = enroll_many([team.hire, *newcomers], "rep", actor=team.manager)
    db.session.commit()
    assert len(result.enrolled) == 3
    assert [(user.id, reason) for user, reason in result.skipped] == [
        (team.hire.id, "Lena Park: Lena Park is already enrolled on this path.")
    ]
    count = db.session.scalar(sa.select(sa.func.count(Enrollment.id)))
    assert count == 4


def test_upgrading_keeps_what_is_done(db, team, path_version):
    enrollment = enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    sign_off(team.hire, "shadow", actor=team.manager, now=on_day(5))
    with pytest.raises(OnboardingError, match="newest"):
        upgrade_enrollment(enrollment, actor=team.manager)
    changed = TASK_PATH.__class__(
        id="rep", title=Text({"en": "New rep, revised"}), phases=TASK_PATH.phases
    )
    newer = publish(changed, actor=None).version
    db.session.commit()
    assert status_of(team.hire, 6).path.title.get("en") == "New rep"
    upgrade_enrollment(enrollment, actor=team.manager)
    db.session.commit()
    assert enrollment.path_version_id == newer.id
    status = status_of(team.hire, 6)
    assert status.path.title.get("en") == "New rep, revised"
    assert status.item("shadow").state == ItemState.DONE
    assert "onboarding.upgraded" in audit_actions()


# --- sign-offs ---------------------------------------------------------------------------------


def test_sign_off_is_audited_notified_and_counts(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    signoff = sign_off(
        team.hire,
        "shadow",
        actor=team.manager,
        comment="Good **questions**. <script>alert(1)</script>",
        now=on_day(9),
    )
    db.session.commit()
    assert "<strong>questions</strong>" in signoff.comment_html
    assert "<script" not in signoff.comment_html
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "onboarding.signed_off")
    )
    assert event.actor_id == team.manager.id and event.subject_id == team.hire.id
    assert event.details["item"] == "shadow"
    progress = progress_of("task", [team.hire.id], ["rep/shadow"])[(team.hire.id, "rep/shadow")]
    assert progress.done and progress.done_at == on_day(9)
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "task_signed_off"))
    assert note.params["manager"] == "Morgan Lee" and note.link == "/onboarding#item-shadow"


def test_sign_off_refusals(db, team, path_version):
    with pytest.raises(OnboardingError, match="not enrolled"):
        sign_off(team.hire, "shadow", actor=team.manager)
    enroll(team.hire, "rep", actor=team.manager)
    for item_id in ("review-30", "nope", ""):
        with pytest.raises(OnboardingError, match="no such item"):
            sign_off(team.hire, item_id, actor=team.manager)
    with pytest.raises(OnboardingError, match="under 4000"):
        sign_off(team.hire, "shadow", actor=team.manager, comment="x" * 4001)
    with pytest.raises(OnboardingError, match="rating"):
        sign_off(team.hire, "shadow", actor=team.manager, ratings={"goal-setting": "superb"})
    with pytest.raises(OnboardingError, match="rating"):
        sign_off(team.hire, "shadow", actor=team.manager, ratings={"closing": "meets"})
    sign_off(team.hire, "shadow", actor=team.manager)
    with pytest.raises(OnboardingError, match="already signed off"):
        sign_off(team.hire, "shadow", actor=team.manager)


def test_ratings_become_skill_evidence(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    sign_off(
        team.hire,
        "shadow",
        actor=team.manager,
        ratings={"goal-setting": "above", "planning": "meets", "": ""},
        now=on_day(9),
    )
    sign_off(
        team.hire, "crm", actor=team.manager, ratings={"goal-setting": "below"}, now=on_day(15)
    )
    db.session.commit()
    mastery = mastery_of(team.hire.id)
    assert mastery["goal-setting"].count == 2
    assert mastery["goal-setting"].value == pytest.approx(100 * (0.7 * 1.0 + 0.3 * 0.5))
    assert mastery["planning"].count == 1 and mastery["planning"].value is None


def test_undo_needs_a_reason_and_reopens_the_task(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    signoff = sign_off(team.hire, "shadow", actor=team.manager, now=on_day(9))
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(OnboardingError):
            undo_sign_off(signoff, actor=team.manager, reason=reason)
    undo_sign_off(signoff, actor=team.manager, reason="Only two calls.", now=on_day(12))
    db.session.commit()
    assert signoff.undone_at == on_day(12) and signoff.undo_reason == "Only two calls."
    with pytest.raises(OnboardingError, match="already been withdrawn"):
        undo_sign_off(signoff, actor=team.manager, reason="again")
    assert status_of(team.hire, 12).item("shadow").state == ItemState.OVERDUE
    assert audit_actions()[-1] == "onboarding.signoff_undone"
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "signoff_undone"))
    assert note.params["reason"] == "Only two calls."
    again = sign_off(team.hire, "shadow", actor=team.manager, now=on_day(13))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 2
    assert status_of(team.hire, 13).item("shadow").done_at == again.signed_at


def test_status_over_time_with_real_sign_offs_and_check_ins(db, team, path_version):
    """Day by day: due today, overdue, signed off late, undone, signed again, check-in held."""
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    db.session.commit()
    timeline = []

    def look(day):
        status = status_of(team.hire, day)
        timeline.append((day, status.item("shadow").state, status.phases[0].health, status.health))
        return status

    look(10)  # due today
    look(11)  # one day overdue
    signoff = sign_off(team.hire, "shadow", actor=team.manager, now=on_day(12))
    late = look(12)
    assert late.item("shadow").done_late
    undo_sign_off(signoff, actor=team.manager, reason="Missing notes", now=on_day(13))
    look(13)
    look(19)  # nine days overdue
    sign_off(team.hire, "shadow", actor=team.manager, now=on_day(19, 15))
    sign_off(team.hire, "crm", actor=team.manager, now=on_day(19, 16))
    look(19)
    look(31)  # the day-30 check-in missed
    hold_checkin(
        team.hire,
        "review-30",
        actor=team.manager,
        goals=[GoalInput("Book first meetings with clinics", "8", "meetings", due_date(START, 50))],
        now=on_day(31),
    )
    look(31)
    assert timeline == [
        (10, ItemState.NOT_STARTED, Health.ON_TRACK, Health.ON_TRACK),
        (11, ItemState.OVERDUE, Health.AT_RISK, Health.AT_RISK),
        (12, ItemState.DONE, Health.ON_TRACK, Health.ON_TRACK),
        (13, ItemState.OVERDUE, Health.AT_RISK, Health.AT_RISK),
        (19, ItemState.OVERDUE, Health.BEHIND, Health.BEHIND),
        (19, ItemState.DONE, Health.ON_TRACK, Health.ON_TRACK),
        (31, ItemState.DONE, Health.AT_RISK, Health.AT_RISK),
        (31, ItemState.DONE, Health.ON_TRACK, Health.ON_TRACK),
    ]


# --- check-ins ---------------------------------------------------------------------------------


def test_goal_window_is_the_next_phase(app, team, path_version):
    path = TASK_PATH
    assert goal_window(path, START, "review-30") == (due_date(START, 31), due_date(START, 60))
    assert goal_window(path, START, "review-60") == (due_date(START, 61), due_date(START, 150))


def test_the_check_in_form_explains_what_is_missing(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager)
    with pytest.raises(CheckInInvalid) as caught:
        hold_checkin(
            team.hire,
            "review-30",
            actor=team.manager,
            goals=[
                GoalInput("Calls", "", "", ""),
                GoalInput("Book first meetings", "-3", "x" * 41, "2026-03-10"),
                GoalInput("Book first meetings", "many", "meetings", "not a date"),
                GoalInput(),
            ],
            actions=[ActionInput("Weekly review", "boss", "soon")],
        )
    errors = {
        place: str(caught.value.problems.first(place)) for place in caught.value.problems.by_field
    }
    assert errors["goals[0].text"].startswith("Specific:")
    assert errors["goals[0].target"].startswith("Measurable: give the number")
    assert errors["goals[0].unit"].startswith("Measurable: give the unit")
    assert errors["goals[0].deadline"] == "Time-bound: give a deadline (a date)."
    assert errors["goals[1].target"].startswith("Measurable")
    assert errors["goals[1].unit"] == "Keep the unit under 40 characters."
    assert errors["goals[1].deadline"] == (
        "Time-bound: the deadline must fall in the next phase, from 2026-04-01 to 2026-04-30."
    )
    assert errors["goals[2].target"].startswith("Measurable")
    assert "goals[3].text" not in errors
    assert errors["actions[0].owner"] == "Choose who does it."
    assert errors["actions[0].due"].startswith("Give the date")
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 0


def test_a_check_in_needs_a_goal(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager)
    with pytest.raises(CheckInInvalid) as caught:
        hold_checkin(team.hire, "review-30", actor=team.manager, goals=[GoalInput()] * 3)
    assert list(caught.value.problems.by_field) == ["goals"]
    with pytest.raises(CheckInInvalid):
        hold_checkin(
            team.hire,
            "review-30",
            actor=team.manager,
            goals=[GoalInput("Book first meetings", "8", "meetings", date(2026, 4, 10))] * 6,
        )


def test_goals_come_back_at_the_next_check_in_with_their_outcome(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager, now=on_day(1))
    first = hold_checkin(
        team.hire,
        "review-30",
        actor=team.manager,
        went_well="Calls *logged*",
        went_badly="Late plans",
        notes="Keep **going**",
        goals=[
            GoalInput("Book first meetings with clinics", "8", "meetings", "2026-04-20"),
            GoalInput("Send follow-ups within 24 hours", "90,5", "%", date(2026, 4, 30)),
        ],
        actions=[ActionInput("Join the Tuesday pipeline review", "hire", "2026-04-07")],
        now=on_day(30),
    )
    db.session.commit()
    assert [goal.target_value for goal in first.goals] == [8.0, 90.5]
    assert first.notes_html == "<p>Keep <strong>going</strong></p>"
    assert first.went_well == "Calls *logged*"
    assert first.actions[0].owner == "hire" and first.actions[0].due_date == date(2026, 4, 7)
    with pytest.raises(OnboardingError, match="already been held"):
        hold_checkin(
            team.hire,
            "review-30",
            actor=team.manager,
            goals=[GoalInput("Book first meetings", "8", "meetings", date(2026, 4, 10))],
        )
    goals = first.goals
    with pytest.raises(CheckInInvalid) as caught:
        hold_checkin(
            team.hire,
            "review-60",
            actor=team.manager,
            goals=[GoalInput("Close first deals this quarter", "2", "deals", due_date(START, 70))],
            outcomes=[OutcomeInput(goals[0].id, "great"), OutcomeInput(999, "met")],
            now=on_day(60),
        )
    assert set(caught.value.problems.by_field) == {f"outcomes[{goals[0].id}]", "outcomes[999]"}
    second = hold_checkin(
        team.hire,
        "review-60",
        actor=team.manager,
        goals=[GoalInput("Close first deals this quarter", "2", "deals", due_date(START, 70))],
        outcomes=[OutcomeInput(goals[0].id, "met", "9"), OutcomeInput(goals[1].id, "partly")],
        now=on_day(60),
    )
    db.session.commit()
    reviewed = db.session.scalars(
        sa.select(CheckInGoal).where(CheckInGoal.reviewed_in_id == second.id)
    ).all()
    assert {(goal.outcome, goal.achieved_value) for goal in reviewed} == {
        ("met", 9.0),
        ("partly", None),
    }
    status = status_of(team.hire, 60)
    assert status.item("review-30").state == ItemState.DONE
    assert status.item("review-60").state == ItemState.DONE


def test_targets_follow_the_phase(db, team, path_version):
    enroll(team.hire, "rep", actor=team.manager)
    db.session.commit()
    assert phase_targets([team.hire.id], START - timedelta(days=1)) == {}
    assert targets_for([team.hire.id], START)[team.hire.id] == {
        "goal-setting": 50.0,
        "planning": 40.0,
    }
    assert targets_for([team.hire.id], due_date(START, 31))[team.hire.id]["planning"] == 55.0
    assert targets_for([team.hire.id], due_date(START, 365))[team.hire.id]["planning"] == 55.0
    assert path_of(active_enrollment(team.hire.id)).id == "rep"
