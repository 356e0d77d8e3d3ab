"""The authorization matrix: every endpoint of the app, for every kind of user, against one table.

An endpoint missing from EXPECTED fails the test, so every new route is covered by construction.
Expectations are five letters, for anonymous, learner, manager, trainer, admin:
  A  allowed (any answer but 401, 403 or a redirect to the login page)
  F  forbidden (403)
  L  sent to the login page to log in first (`/login?next=...`)
URLs may name objects of the `world` fixture in braces, e.g. `/team/{hire}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lms.people.models import Role
from tests.helpers import login_as

ROLES = ("anonymous", "learner", "manager", "trainer", "admin")

PUBLIC, LEARNERS, MANAGERS, TRAINERS, ADMINS = "AAAAA", "LAAAA", "LFAFF", "LFFAF", "LFFFA"

# endpoint: (method, url, expectation)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "static": ("GET", "/static/css/app.css", PUBLIC),
    "core.healthz": ("GET", "/healthz", PUBLIC),
    "core.index": ("GET", "/", "AAAAA"),
    "core.set_language": ("POST", "/language", PUBLIC),
    "core.learn": ("GET", "/learn", LEARNERS),
    "auth.login": ("GET", "/login", PUBLIC),
    "auth.logout": ("POST", "/logout", LEARNERS),
    "auth.change_password": ("GET", "/account/password", LEARNERS),
    "auth.second_factor": ("GET", "/login/code", PUBLIC),
    "auth.security": ("GET", "/account/security", LEARNERS),
    "auth.enrol_start": ("POST", "/account/security/enrol/start", LEARNERS),
    "auth.enrol": ("GET", "/account/security/enrol", LEARNERS),
    "auth.enrol_confirm": ("POST", "/account/security/enrol", LEARNERS),
    "auth.recovery_codes": ("POST", "/account/security/recovery-codes", LEARNERS),
    "auth.disable": ("POST", "/account/security/disable", LEARNERS),
    "people.admin_home": ("GET", "/admin", ADMINS),
    "people.user_list": ("GET", "/admin/users", ADMINS),
    "people.user_new": ("GET", "/admin/users/new", ADMINS),
    "people.user_edit": ("GET", "/admin/users/{target}", ADMINS),
    "people.user_set_active": ("POST", "/admin/users/{target}/active", ADMINS),
    "people.user_set_password": ("POST", "/admin/users/{target}/password", ADMINS),
    "people.user_reset_two_factor": ("POST", "/admin/users/{target}/two-factor/reset", ADMINS),
    "people.roster": ("GET", "/admin/roster", ADMINS),
    "people.audit_log": ("GET", "/admin/audit", ADMINS),
    "content.import_form": ("GET", "/author/import", "LFFAA"),
    "content.import_check": ("POST", "/author/import", "LFFAA"),
    "content.import_apply": ("POST", "/author/import/" + "t" * 43, "LFFAA"),
    "content.import_discard": ("POST", "/author/import/" + "t" * 43 + "/discard", "LFFAA"),
    "team.overview": ("GET", "/team", MANAGERS),
    "team.member": ("GET", "/team/{hire}", MANAGERS),
    "notifications.index": ("GET", "/notifications", LEARNERS),
    "notifications.read": ("POST", "/notifications/999999/read", LEARNERS),
    "notifications.read_all": ("POST", "/notifications/read-all", LEARNERS),
    "onboarding.my_path": ("GET", "/onboarding", LEARNERS),
    "onboarding.enroll": ("POST", "/onboarding/enroll", "LFAFA"),
    "onboarding.upgrade": ("POST", "/onboarding/enrollments/999999/upgrade", "LFAFA"),
    "onboarding.calendar_settings": ("GET", "/onboarding/calendar", LEARNERS),
    "onboarding.calendar_new": ("POST", "/onboarding/calendar", LEARNERS),
    "onboarding.calendar_revoke": ("POST", "/onboarding/calendar/revoke", LEARNERS),
    "onboarding.calendar_feed": ("GET", "/calendar/not-a-token.ics", PUBLIC),
    "planning.today": ("GET", "/plan", LEARNERS),
    "planning.save": ("POST", "/plan", LEARNERS),
    "planning.carry": ("POST", "/plan/carry", LEARNERS),
    "planning.review": ("GET", "/plan/review", LEARNERS),
    "planning.week": ("GET", "/plan/week", LEARNERS),
    "planning.history_page": ("GET", "/plan/history", LEARNERS),
    "planning.set_timezone": ("POST", "/plan/timezone", LEARNERS),
    "planning.activities": ("GET", "/plan/activities", ADMINS),
    "team.sign_off_task": ("POST", "/team/{hire}/signoffs", MANAGERS),
    "team.undo_sign_off_task": ("POST", "/team/{hire}/signoffs/999999/undo", MANAGERS),
    "team.checkin": ("GET", "/team/{hire}/checkins/review-30", MANAGERS),
    "reports.skills_heatmap": ("GET", "/team/skills", MANAGERS),
    "reports.team_progress": ("GET", "/team/progress", MANAGERS),
    "reports.team_cohorts": ("GET", "/team/cohorts", MANAGERS),
    "reports.member_progress": ("GET", "/team/{hire}/progress", MANAGERS),
    "reports.export": ("GET", "/reports/export/team.csv", "LFAAA"),
    "reports.trainer_analytics": ("GET", "/reports/analytics", TRAINERS),
    "reports.export_analytics": ("GET", "/reports/analytics/courses.csv", TRAINERS),
    "quizzes.intro": ("GET", "/quizzes/{quiz}", LEARNERS),
    "quizzes.start": ("POST", "/quizzes/{quiz}/start", LEARNERS),
    "quizzes.attempt": ("GET", "/quizzes/{quiz}/attempts/{attempt}", LEARNERS),
    "quizzes.save_answer": ("POST", "/quizzes/{quiz}/attempts/{attempt}/answers", LEARNERS),
    "quizzes.review": ("GET", "/quizzes/{quiz}/attempts/{attempt}/review", LEARNERS),
    "quizzes.submit": ("POST", "/quizzes/{quiz}/attempts/{attempt}/submit", LEARNERS),
    "quizzes.result": ("GET", "/quizzes/{quiz}/attempts/{attempt}/result", LEARNERS),
    "quizzes.grant": ("GET", "/quizzes/{quiz}/grants/{hire}", "LFAAF"),
    "quizzes.analysis_index": ("GET", "/author/quiz-analysis", TRAINERS),
    "quizzes.analysis_page": ("GET", "/author/quizzes/{quiz}/analysis", TRAINERS),
    "skills.my_skills": ("GET", "/skills", LEARNERS),
    "skills.person_skills": ("GET", "/skills/{hire}", "LAAFA"),
    "courses.catalogue": ("GET", "/courses", LEARNERS),
    "courses.detail": ("GET", "/courses/{course}", LEARNERS),
    "courses.lesson": ("GET", "/courses/{course}/lessons/{lesson}", LEARNERS),
    "courses.lesson_by_id": ("GET", "/lessons/{lesson}", LEARNERS),
    "courses.mark_done": ("POST", "/courses/{course}/lessons/{lesson}/done", LEARNERS),
    "courses.undo_done": ("POST", "/courses/{course}/lessons/{lesson}/undo", LEARNERS),
    "authoring.index": ("GET", "/author", TRAINERS),
    "authoring.preview": ("POST", "/author/preview", TRAINERS),
    "authoring.discard_draft": ("POST", "/author/lesson/{lesson}/discard-draft", TRAINERS),
    "authoring.lesson_new": ("GET", "/author/lessons/new", TRAINERS),
    "authoring.lesson_edit": ("GET", "/author/lessons/{lesson}", TRAINERS),
    "authoring.course_new": ("GET", "/author/courses/new", TRAINERS),
    "authoring.course_edit": ("GET", "/author/courses/{course}", TRAINERS),
    "scenarios.catalogue": ("GET", "/scenarios", LEARNERS),
    "scenarios.briefing": ("GET", "/scenarios/{drill}", LEARNERS),
    "scenarios.start": ("POST", "/scenarios/{drill}/start", LEARNERS),
    "scenarios.run": ("GET", "/scenarios/{drill}/runs/{run}", "LAAFA"),
    "scenarios.step": ("POST", "/scenarios/{drill}/runs/{run}/steps", "LAFFF"),
    "scenarios.save_draft": ("POST", "/scenarios/{drill}/runs/{run}/draft", "LAFFF"),
    "scenarios.abandon": ("POST", "/scenarios/{drill}/runs/{run}/abandon", "LAFFF"),
    "scenarios.reviews": ("GET", "/reviews", "LFAAF"),
    "scenarios.review": ("GET", "/reviews/{reply}", "LFAAF"),
    "scenario_editor.index": ("GET", "/author/scenarios", TRAINERS),
    "scenario_editor.create": ("POST", "/author/scenarios/new", TRAINERS),
    "scenario_editor.edit": ("GET", "/author/scenarios/{drill}", TRAINERS),
    "scenario_editor.check_settings": ("POST", "/author/scenarios/{drill}/check", TRAINERS),
    "scenario_editor.add_node": ("POST", "/author/scenarios/{drill}/nodes", TRAINERS),
    "scenario_editor.node": ("GET", "/author/scenarios/{drill}/nodes/pick", TRAINERS),
    "scenario_editor.check_node": ("POST", "/author/scenarios/{drill}/nodes/pick/check", TRAINERS),
    "scenario_editor.move_node": ("POST", "/author/scenarios/{drill}/nodes/pick/move", TRAINERS),
    "scenario_editor.delete_node": ("POST", "/author/scenarios/{drill}/nodes/x/delete", TRAINERS),
    "scenario_editor.preview": ("GET", "/author/scenarios/{drill}/preview", TRAINERS),
    "scenario_editor.publish": ("POST", "/author/scenarios/{drill}/publish", TRAINERS),
    "scenario_editor.discard": ("POST", "/author/scenarios/{drill}/discard", TRAINERS),
    "scenario_editor.drill_analytics": ("GET", "/author/scenarios/{drill}/analytics", TRAINERS),
    "quiz_editor.index": ("GET", "/author/quizzes", TRAINERS),
    "quiz_editor.create": ("POST", "/author/quizzes/new", TRAINERS),
    "quiz_editor.edit": ("GET", "/author/quizzes/{quiz}", TRAINERS),
    "quiz_editor.new_question": ("GET", "/author/quizzes/{quiz}/questions/new", TRAINERS),
    "quiz_editor.question": ("GET", "/author/quizzes/{quiz}/questions/q1", TRAINERS),
    "quiz_editor.move_question": ("POST", "/author/quizzes/{quiz}/questions/q1/move", TRAINERS),
    "quiz_editor.delete_question": ("POST", "/author/quizzes/{quiz}/questions/x/delete", TRAINERS),
    "quiz_editor.preview": ("GET", "/author/quizzes/{quiz}/preview", TRAINERS),
    "quiz_editor.publish": ("POST", "/author/quizzes/{quiz}/publish", TRAINERS),
    "quiz_editor.discard": ("POST", "/author/quizzes/{quiz}/discard", TRAINERS),
    "path_editor.index": ("GET", "/author/paths", TRAINERS),
    "path_editor.create": ("POST", "/author/paths/new", TRAINERS),
    "path_editor.edit": ("GET", "/author/paths/p", TRAINERS),
    "path_editor.phase": ("GET", "/author/paths/p/phases/new", TRAINERS),
    "path_editor.delete_phase": ("POST", "/author/paths/p/phases/x/delete", TRAINERS),
    "path_editor.item": ("GET", "/author/paths/p/phases/x/items/new", TRAINERS),
    "path_editor.move_item": ("POST", "/author/paths/p/phases/x/items/y/move", TRAINERS),
    "path_editor.delete_item": ("POST", "/author/paths/p/phases/x/items/y/delete", TRAINERS),
    "path_editor.check_item": ("POST", "/author/paths/p/phases/x/check-item", TRAINERS),
    "path_editor.publish": ("POST", "/author/paths/p/publish", TRAINERS),
    "path_editor.discard": ("POST", "/author/paths/p/discard", TRAINERS),
    "authoring.drafts": ("GET", "/author/drafts", TRAINERS),
    "authoring.duplicate": ("POST", "/author/quiz/{quiz}/duplicate", TRAINERS),
}


@dataclass
class World:
    users: dict[str, object]
    ids: dict[str, object]


@pytest.fixture
def world(app, make_user) -> World:
    """One user per role, a hire in the manager's team and a target for admin actions.
    Features whose URLs need content add it here."""
    manager = make_user("manager@example.com", roles={Role.MANAGER})
    users = {
        "learner": make_user("learner@example.com", manager=manager),
        "manager": manager,
        "trainer": make_user("trainer@example.com", roles={Role.TRAINER}),
        "admin": make_user("admin@example.com", roles={Role.ADMIN}),
    }
    target = make_user("target@example.com")
    ids = {"hire": users["learner"].id, "target": target.id}
    from tests.scenarios.helpers import drill_world

    ids.update(drill_world(users["learner"]))
    from tests.courses.factory import world_course

    ids.update(world_course())
    from tests.quizzes.helpers import quiz_world

    ids.update(quiz_world(users["learner"]))
    return World(users=users, ids=ids)


def _outcome(response) -> str:
    if response.status_code in (401, 403):
        return "F"
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return "L"
    return "A"


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - endpoints)
    assert not stale, f"EXPECTED names endpoints that do not exist: {stale}"


def test_authorization_matrix(app, db, world):
    failures = []
    for method, template, expectation in EXPECTED.values():
        url = template.format(**world.ids)
        for role, expected in zip(ROLES, expectation, strict=True):
            client = app.test_client()
            if role != "anonymous":
                user = world.users[role]
                db.session.refresh(user)
                login_as(client, user)
            response = client.open(url, method=method, data={})
            got = _outcome(response)
            response.close()
            if got != expected:
                failures.append(
                    f"{method} {url} as {role}: expected {expected}, got {got} "
                    f"({response.status_code})"
                )
    assert not failures, "\n".join(failures)


def test_a_manager_cannot_open_someone_outside_their_team(client, make_user):
    manager = make_user(roles={Role.MANAGER})
    other_manager = make_user(roles={Role.MANAGER})
    outsider = make_user(manager=other_manager)
    login_as(client, manager)
    assert client.get(f"/team/{outsider.id}").status_code == 403


def test_a_manager_sees_reports_down_the_chain(client, make_user):
    director = make_user(roles={Role.MANAGER})
    lead = make_user(roles={Role.MANAGER}, manager=director)
    rep = make_user(manager=lead)
    login_as(client, director)
    assert client.get(f"/team/{rep.id}").status_code == 200
    page = client.get("/team").get_data(as_text=True)
    assert rep.name in page and lead.name in page


def test_forbidden_json_requests_get_json(client, make_user):
    login_as(client, make_user())
    response = client.get("/admin", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden"}
