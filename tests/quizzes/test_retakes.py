"""A way forward after failing a quiz: the hire sees why and who can help, the manager's pages say
"attempts used up", a manager (their team) or a trainer grants more attempts with a reason
(audited, notified), retake rules, what a failed result points to, and "next best activity"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.content.model import Lesson, Path, PathItem, Phase, Text
from lms.content.store import publish
from lms.courses.services import complete_lesson
from lms.notifications.models import Notification
from lms.onboarding.services import enroll
from lms.people.models import Role
from lms.quizzes.models import AttemptGrant
from lms.quizzes.services import QuizError, start_attempt, submit_attempt
from lms.timeutil import today, utcnow
from tests.helpers import login_as
from tests.quizzes.conftest import make_quiz

PATH = Path(
    id="rep",
    title=Text({"en": "New rep"}),
    phases=(
        Phase(
            id="first-30",
            title=Text({"en": "Days 1-30"}),
            until_day=30,
            items=(PathItem("check", "quiz", ref="basics", due_day=10),),
        ),
    ),
)


@pytest.fixture
def people(db, make_user):
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    return {
        "manager": manager,
        "hire": make_user("hire@example.com", name="Lena Park", manager=manager),
        "other_manager": make_user("other@example.com", name="Other", roles={Role.MANAGER}),
        "trainer": make_user("trainer@example.com", name="Tia Trainer", roles={Role.TRAINER}),
    }


@pytest.fixture
def stuck(db, publish_quiz, people):
    """The hire, 20 days in, has failed the path's quiz on both allowed attempts."""
    publish_quiz(max_attempts=2)
    publish(PATH, actor=None)
    hire = people["hire"]
    enroll(hire, "rep", actor=None, start_date=today() - timedelta(days=19))
    fail(hire, times=2)
    db.session.commit()
    return hire


def fail(hire, *, times=1, now=None):
    for _ in range(times):
        attempt = start_attempt(hire.id, "basics", now=now or utcnow())
        submit_attempt(attempt.id, now=now or utcnow())


def grant_url(hire):
    return f"/quizzes/basics/grants/{hire.id}"


def test_the_hire_sees_why_and_who_can_help(client, stuck):
    login_as(client, stuck)
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "You have used every attempt this quiz allows, without passing yet." in page
    assert "Your manager Morgan Lee or a trainer can grant you more attempts" in page
    response = client.post("/quizzes/basics/start")
    assert response.status_code == 302
    assert "every attempt" in client.get("/quizzes/basics").get_data(as_text=True)
    home = client.get("/learn").get_data(as_text=True)
    next_best = home[home.index('id="next"') :]
    assert next_best.index("Basics check") < next_best.index("</ol>")
    assert "every attempt is used: ask your manager" in next_best


def test_the_managers_pages_say_attempts_used_up(client, stuck, people):
    login_as(client, people["manager"])
    overview = client.get("/team").get_data(as_text=True)
    assert "Attempts used up: “Basics check” is not passed" in overview
    member = client.get(f"/team/{stuck.id}").get_data(as_text=True)
    assert "Attempts used up: “Basics check”" in member
    assert f'href="{grant_url(stuck)}"' in member


@pytest.mark.parametrize("who, status", [("other_manager", 403), ("hire", 403), ("trainer", 200)])
def test_who_may_grant(client, stuck, people, who, status):
    login_as(client, people[who])
    assert client.get(grant_url(stuck)).status_code == status
    response = client.post(grant_url(stuck), data={"extra": "1", "reason": "One more go"})
    assert response.status_code == (302 if status == 200 else 403)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"extra": "0", "reason": "ok then"}, "Grant from 1 to 10 attempts."),
        ({"extra": "11", "reason": "ok then"}, "Grant from 1 to 10 attempts."),
        ({"extra": "x", "reason": "ok then"}, "Grant from 1 to 10 attempts."),
        ({"extra": "9" * 50, "reason": "ok then"}, "Grant from 1 to 10 attempts."),
        ({"extra": "1", "reason": "  "}, "Say why you grant more attempts"),
        ({"extra": "1"}, "Say why you grant more attempts"),
        ({"extra": "1", "reason": "x" * 600}, "500 characters at most"),
    ],
)
def test_bad_grants_are_refused_with_a_message(client, db, stuck, people, data, message):
    login_as(client, people["manager"])
    response = client.post(grant_url(stuck), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AttemptGrant.id))) == 0


@pytest.mark.parametrize(
    ("data", "field"), [({"extra": "0", "reason": "ok then"}, "extra"), ({"extra": "1"}, "reason")]
)
def test_a_refused_grant_marks_its_field(client, db, stuck, people, data, field):
    login_as(client, people["manager"])
    page = client.post(grant_url(stuck), data=data).get_data(as_text=True)
    assert f'aria-describedby="{field}-error" aria-invalid="true"' in page
    assert f'<p class="field__error" id="{field}-error">' in page
    assert f'<li><a href="#{field}">' in page
    other = {"extra": "reason", "reason": "extra"}[field]
    assert f'id="{other}-error"' not in page


def test_a_grant_is_audited_notified_and_lets_the_hire_pass(client, db, stuck, people):
    manager = people["manager"]
    login_as(client, manager)
    response = client.post(grant_url(stuck), data={"extra": "1", "reason": "Read the notes first"})
    assert response.headers["Location"].endswith(f"/team/{stuck.id}")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("quiz.%")))
    assert (event.action, event.actor_id, event.subject_id) == (
        "quiz.attempts_granted",
        manager.id,
        stuck.id,
    )
    assert event.details == {"quiz": "basics", "extra": 1, "reason": "Read the notes first"}
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == stuck.id, Notification.kind == "attempts_granted"
        )
    )
    assert note.link == "/quizzes/basics"

    login_as(client, stuck)
    intro = client.get("/quizzes/basics").get_data(as_text=True)
    assert "1 attempt left" in intro and "including 1 granted" in intro
    assert "Read the notes first" in intro
    attempt = start_attempt(stuck.id, "basics", now=utcnow())
    assert attempt.number == 3
    db.session.commit()

    login_as(client, manager)
    overview = client.get("/team").get_data(as_text=True)
    assert "Attempts used up" not in overview and "“Basics check” is 10 days overdue" in overview
    attempt.layout = [entry for entry in attempt.layout if entry["q"] == "q1"]
    from lms.quizzes.services import save_answers

    save_answers(attempt.id, stuck.id, {"q1": ["1"]}, now=utcnow())
    submit_attempt(attempt.id, now=utcnow())
    db.session.commit()
    assert "Attempts used up" not in client.get("/team").get_data(as_text=True)
    member = client.get(f"/team/{stuck.id}").get_data(as_text=True)
    assert "Nothing is overdue and no target skill is behind." in member


def test_a_trainer_finds_the_stuck_hires_on_the_item_analysis(client, stuck, people):
    login_as(client, people["trainer"])
    page = client.get("/author/quizzes/basics/analysis").get_data(as_text=True)
    assert "Hires who have used every attempt" in page
    assert "Lena Park" in page and f'href="{grant_url(stuck)}"' in page


def test_a_quiz_may_ask_for_a_wait_before_a_retake(client, db, publish_quiz, people):
    publish_quiz(replace(make_quiz(), retake_wait_hours=24))
    hire = people["hire"]
    failed_at = utcnow() - timedelta(hours=2)
    fail(hire, now=failed_at)
    db.session.commit()
    with pytest.raises(QuizError) as refused:
        start_attempt(hire.id, "basics", now=utcnow())
    assert refused.value.code == QuizError.WAIT
    db.session.rollback()
    login_as(client, hire)
    assert client.post("/quizzes/basics/start").status_code == 302
    assert "You can retake this quiz from" in client.get("/quizzes/basics").get_data(as_text=True)
    assert start_attempt(hire.id, "basics", now=failed_at + timedelta(hours=24)).number == 2


def test_a_quiz_may_ask_for_a_lesson_before_a_retake(client, db, publish_quiz, people):
    lesson = Lesson("notes", "basics-course", Text({"en": "Notes"}), Text({"en": "Read **this**."}))
    version = publish(lesson, actor=None).version
    publish_quiz(replace(make_quiz(), retake_lesson="notes"))
    hire = people["hire"]
    fail(hire)
    db.session.commit()
    login_as(client, hire)
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "read the lesson this quiz asks for" in page
    assert 'href="/courses/basics-course/lessons/notes"' in page
    with pytest.raises(QuizError):
        start_attempt(hire.id, "basics", now=utcnow())
    db.session.rollback()
    complete_lesson(hire, version)
    assert start_attempt(hire.id, "basics", now=utcnow()).number == 2


def test_a_failed_result_links_lessons_and_drills_for_its_weakest_skills(
    client, db, publish_quiz, people
):
    publish(
        Lesson(
            "smart-goals",
            "basics-course",
            Text({"en": "Goals that are SMART"}),
            Text({"en": "Body."}),
            ("goal-setting",),
        ),
        actor=None,
    )
    publish(
        Lesson("unrelated", "basics-course", Text({"en": "Cold calls"}), Text({"en": "Body."})),
        actor=None,
    )
    publish_quiz()
    hire = people["hire"]
    attempt = start_attempt(hire.id, "basics", now=utcnow())
    submit_attempt(attempt.id, now=utcnow())
    db.session.commit()
    login_as(client, hire)
    page = client.get(f"/quizzes/basics/attempts/{attempt.id}/result").get_data(as_text=True)
    section = page[page.index('id="review-next"') : page.index("Question by question")]
    assert "What to review before the next try" in section
    assert 'href="/courses/basics-course/lessons/smart-goals"' in section
    assert "Cold calls" not in section


@pytest.mark.parametrize(
    "locale, attempts",
    [
        ("en", "<dd>1 attempt left (of 3)</dd>"),
        ("zh_CN", "<dd>还剩 1 次机会（共 3 次）</dd>"),
    ],
)
def test_the_attempts_left_read_naturally_in_each_language(
    client, db, publish_quiz, people, locale, attempts
):
    publish_quiz(max_attempts=3)
    hire = people["hire"]
    hire.locale = locale
    fail(hire, times=2)
    db.session.commit()
    login_as(client, hire)
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert attempts in page
