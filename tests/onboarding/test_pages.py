"""The hire's and the manager's pages, and who may do what on them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.onboarding.models import CheckIn, Enrollment, SignOff
from lms.onboarding.services import enroll, sign_off
from lms.onboarding.status import due_date
from lms.people.models import Role
from lms.team.views import checkin_field
from lms.timeutil import today
from tests.helpers import login_as


@pytest.fixture
def enrolled(db, team, path_version):
    """The hire enrolled 12 days ago: the field task `shadow` (due day 10) is overdue."""
    start = today() - timedelta(days=11)
    team.hire.start_date = start
    enroll(team.hire, "rep", actor=team.manager, now=datetime.combine(start, time(9)))
    db.session.commit()
    return team


def status_of(response) -> int:
    response.close()
    return response.status_code


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return body


def test_the_hire_sees_the_timeline_and_why(client, enrolled):
    login_as(client, enrolled.hire)
    page = text_of(client.get("/onboarding"))
    assert "New rep" in page and "Day 12 of 60" in page
    assert "Shadow three calls" in page and "Sit in on <strong>three</strong> calls." in page
    assert "Overdue by 2 days" in page
    assert "“Shadow three calls” is 2 days overdue" in page
    assert "Goal setting" in page and "Not assessed" in page
    assert "Sign off this task" not in page


def test_the_hire_page_in_chinese(client, db, enrolled):
    enrolled.hire.locale = "zh_CN"
    db.session.commit()
    login_as(client, enrolled.hire)
    page = text_of(client.get("/onboarding"))
    assert "陪同三次拜访" in page and "目标设定" in page


def test_not_enrolled_pages(client, team):
    login_as(client, team.hire)
    assert "not enrolled" in text_of(client.get("/onboarding"))
    assert "not enrolled" in text_of(client.get("/learn"))


def test_the_learner_home(client, db, enrolled):
    sign_off(enrolled.hire, "crm", actor=enrolled.manager)
    db.session.commit()
    login_as(client, enrolled.hire)
    page = text_of(client.get("/learn"))
    assert "Overdue" in page and "Shadow three calls" in page
    assert "Morgan Lee signed off “Log calls the same day”." in page
    assert "Day-30 check-in" in page


def test_the_team_table(client, db, make_user, enrolled, path_version):
    waiting = make_user("new@example.com", name="Nia New", manager=enrolled.manager)
    fine = make_user("fine@example.com", name="Ada Fine", manager=enrolled.manager)
    enroll(fine, "rep", actor=enrolled.manager, start_date=today())
    db.session.commit()
    login_as(client, enrolled.manager)
    page = text_of(client.get("/team"))
    assert page.index("Lena Park") < page.index("Ada Fine") < page.index("Nia New")
    assert "At risk" in page and "“Shadow three calls” is 2 days overdue" in page
    assert "Day 12 of 60" in page and "Day 1 of 60" in page
    assert "Out Sider" not in page
    by_name = text_of(client.get("/team?sort=name"))
    assert by_name.index("Ada Fine") < by_name.index("Lena Park") < by_name.index("Nia New")
    reversed_ = text_of(client.get("/team?sort=name&reverse=1"))
    assert reversed_.index("Nia New") < reversed_.index("Lena Park")
    only_risk = text_of(client.get("/team?status=at_risk"))
    assert "Lena Park" in only_risk and "Ada Fine" not in only_risk
    assert "Nia New" in text_of(client.get("/team?status=not_enrolled"))
    assert "Ada Fine" not in text_of(client.get("/team?q=lena"))
    for hostile in ("sort=drop", "status=<script>", "q=" + "x" * 500, "reverse=yes"):
        response = client.get(f"/team?{hostile}")
        assert response.status_code == 200
        assert "<script>" not in text_of(response)
    assert waiting.id


def test_the_member_page_signs_off_and_undoes(client, db, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    page = text_of(client.get(f"/team/{hire.id}"))
    assert "Why Lena Park is not on track" in page and "Sign off this task" in page
    response = client.post(
        f"/team/{hire.id}/signoffs",
        data={"item_id": "shadow", "comment": "Sharp *questions*", "rating-goal-setting": "meets"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/team/{hire.id}#item-shadow")
    signoff = db.session.scalar(sa.select(SignOff))
    assert signoff.skills == {"goal-setting": 0.8}
    page = text_of(client.get(f"/team/{hire.id}"))
    assert "Signed off by Morgan Lee" in page and "<em>questions</em>" in page
    response = client.post(f"/team/{hire.id}/signoffs/{signoff.id}/undo", data={"reason": ""})
    assert response.status_code == 400
    db.session.refresh(signoff)
    assert signoff.undone_at is None
    client.post(f"/team/{hire.id}/signoffs/{signoff.id}/undo", data={"reason": "Wrong hire"})
    db.session.refresh(signoff)
    assert signoff.undone_at is not None
    page = text_of(client.get(f"/team/{hire.id}"))
    assert "was withdrawn by Morgan Lee: Wrong hire" in page


def test_bad_sign_off_input_is_a_message_not_an_error(client, db, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    for data in (
        {},
        {"item_id": "review-30"},
        {"item_id": "x" * 5000},
        {"item_id": "shadow", "comment": "x" * 50_000},
        {"item_id": "shadow", "rating-goal-setting": "excellent"},
        {"item_id": "shadow", "rating-" + "y" * 300: "meets"},
        {"item_id": "shadow", "rating-goal-setting": ["x" * 999, "meets"]},
    ):
        response = client.post(f"/team/{hire.id}/signoffs", data=data)
        assert response.status_code == 400, data
        assert 'class="form-errors" role="alert"' in response.get_data(as_text=True), data
        response.close()
    for data in ({"item_id": "shadow", "comment": "nul \x00 byte"}, {"item_id": "shad\x00ow"}):
        assert client.post(f"/team/{hire.id}/signoffs", data=data).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0
    assert (
        client.post(f"/team/{hire.id}/signoffs/12345/undo", data={"reason": "x"}).status_code == 404
    )


def test_the_check_in_errors_are_tied_to_their_fields(client, db, enrolled):
    """The shared form-state macros: each error names its input (aria-describedby, aria-invalid)
    and the summary at the top links to the field."""
    login_as(client, enrolled.manager)
    url = f"/team/{enrolled.hire.id}/checkins/review-30"
    bad = client.post(url, data={"goal-0-text": "Calls", "goal-0-target": "lots"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert re.search(
        r'id="goal-0-target" name="goal-0-target" aria-describedby="goal-0-target-error" '
        r'aria-invalid="true"',
        page,
    )
    assert re.search(r'<p class="field__error" id="goal-0-target-error">Measurable: give', page)
    assert re.search(r'<li><a href="#goal-0-target">Measurable: give the number', page)
    assert re.search(r'<li><a href="#goal-0-deadline">Time-bound: give a deadline', page)
    assert 'id="goal-1-text" name="goal-1-text" value=""' in page  # an empty row is not marked
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 0


@pytest.mark.parametrize(
    ("place", "name"),
    [
        ("goals[0].target", "goal-0-target"),
        ("actions[12].due", "action-12-due"),
        ("outcomes[7]", "outcome-7"),
        ("outcomes[7].achieved", "achieved-7"),
        ("went_well", "went_well"),
        ("goals", "goals"),
        ("goals[x].text", "goals[x].text"),
    ],
)
def test_check_in_places_name_the_fields_of_the_form(place, name):
    assert checkin_field(place) == name


def test_holding_a_check_in_through_the_form(client, db, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    url = f"/team/{hire.id}/checkins/review-30"
    form = text_of(client.get(url))
    assert "SMART goals for the next phase" in form
    start = hire.start_date
    bad = client.post(url, data={"goal-0-text": "Calls", "goal-0-target": "lots"})
    assert bad.status_code == 400
    body = text_of(bad)
    assert "Specific: say what will be done" in body
    assert "Measurable: give the number to reach" in body
    assert "Measurable: give the unit" in body
    assert "Time-bound: give a deadline" in body
    assert 'value="lots"' in body
    deadline = due_date(start, 45).isoformat()
    response = client.post(
        url,
        data={
            "went_well": "Logged every call",
            "went_badly": "Plans made late",
            "notes": "Focus on **discovery**",
            "goal-0-text": "Book first meetings with clinics",
            "goal-0-target": "8",
            "goal-0-unit": "meetings",
            "goal-0-deadline": deadline,
            "goal-1-text": "Send follow-ups within a day",
            "goal-1-target": "95",
            "goal-1-unit": "%",
            "goal-1-deadline": deadline,
            "action-0-text": "Shadow Sam on two demos",
            "action-0-owner": "hire",
            "action-1-text": "Book the pipeline review",
            "action-1-owner": "manager",
            "action-1-due": deadline,
        },
    )
    assert response.status_code == 302
    checkin = db.session.scalar(sa.select(CheckIn))
    assert len(checkin.goals) == 2 and len(checkin.actions) == 2
    assert client.get(url).status_code == 302
    login_as(client, hire)
    page = text_of(client.get("/onboarding"))
    assert "Book first meetings with clinics" in page and "Target: 8 meetings" in page
    assert "Your goals for this phase" in page and "Book the pipeline review" in page
    assert "Focus on <strong>discovery</strong>" in page


def test_check_in_urls_that_do_not_exist(client, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    assert client.get(f"/team/{hire.id}/checkins/shadow").status_code == 404
    assert client.get(f"/team/{hire.id}/checkins/nope").status_code == 404
    assert client.get("/team/999999/checkins/review-30").status_code == 404


# --- permissions -------------------------------------------------------------------------------


def test_a_manager_cannot_see_sign_off_or_check_in_outside_their_team(client, db, enrolled):
    enroll(enrolled.outsider, "rep", actor=enrolled.admin)
    db.session.commit()
    login_as(client, enrolled.manager)
    outsider = enrolled.outsider
    assert client.get(f"/team/{outsider.id}").status_code == 403
    assert (
        client.post(f"/team/{outsider.id}/signoffs", data={"item_id": "shadow"}).status_code == 403
    )
    assert client.get(f"/team/{outsider.id}/checkins/review-30").status_code == 403
    assert client.post(f"/team/{outsider.id}/checkins/review-30", data={}).status_code == 403
    signoff = sign_off(outsider, "shadow", actor=enrolled.outsider_manager)
    db.session.commit()
    undo = client.post(f"/team/{outsider.id}/signoffs/{signoff.id}/undo", data={"reason": "x"})
    assert undo.status_code == 403
    assert "Out Sider" not in text_of(client.get("/team"))
    response = client.post("/onboarding/enroll", data={"user_ids": [outsider.id], "path": "rep"})
    assert response.status_code == 403
    db.session.refresh(signoff)
    assert signoff.undone_at is None


def test_a_hire_cannot_sign_off(client, db, enrolled):
    login_as(client, enrolled.hire)
    hire = enrolled.hire
    assert client.post(f"/team/{hire.id}/signoffs", data={"item_id": "shadow"}).status_code == 403
    assert client.get(f"/team/{hire.id}/checkins/review-30").status_code == 403
    assert (
        client.post("/onboarding/enroll", data={"user_ids": [hire.id], "path": "rep"}).status_code
        == 403
    )
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0


def test_a_manager_up_the_chain_can_coach(client, db, make_user, enrolled):
    director = make_user(roles={Role.MANAGER})
    enrolled.manager.manager_id = director.id
    db.session.commit()
    login_as(client, director)
    hire = enrolled.hire
    client.post(f"/team/{hire.id}/signoffs", data={"item_id": "shadow"})
    assert db.session.scalar(sa.select(SignOff.signed_by_id)) == director.id


def test_a_manager_holding_a_hire_role_only_cannot_coach_themself(
    client, db, make_user, team, path_version
):
    lead = make_user(roles={Role.MANAGER}, manager=team.manager, start_date=date(2026, 1, 5))
    enroll(lead, "rep", actor=team.manager)
    db.session.commit()
    login_as(client, lead)
    assert client.post(f"/team/{lead.id}/signoffs", data={"item_id": "shadow"}).status_code == 403


# --- enrolling through the pages ---------------------------------------------------------------


def test_a_manager_enrolls_from_the_team_page(client, db, make_user, team, path_version):
    one = make_user(name="One", manager=team.manager, start_date=date(2026, 4, 1))
    two = make_user(name="Two", manager=team.manager)
    login_as(client, team.manager)
    assert 'form="team-enroll"' in text_of(client.get("/team"))
    response = client.post(
        "/onboarding/enroll",
        data={"user_ids": [one.id, two.id], "path": "rep", "next": "/team?sort=name"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/team?sort=name"
    starts = dict(db.session.execute(sa.select(Enrollment.user_id, Enrollment.start_date)).all())
    assert starts == {one.id: date(2026, 4, 1), two.id: today()}
    again = client.post("/onboarding/enroll", data={"user_ids": [one.id], "path": "rep"})
    assert again.status_code == 302
    assert "already enrolled" in text_of(client.get("/team"))


def test_an_admin_enrolls_from_the_people_list(client, db, make_user, team, path_version):
    people = [make_user(name=f"Bulk {n}") for n in range(3)]
    login_as(client, team.admin)
    listing = text_of(client.get("/admin/users"))
    assert 'form="bulk-enroll"' in listing and "Enroll the selected people" in listing
    response = client.post(
        "/onboarding/enroll",
        data={
            "user_ids": [str(person.id) for person in people],
            "path": "rep",
            "start_date": "2026-05-04",
            "next": "/admin/users",
        },
    )
    assert response.headers["Location"] == "/admin/users"
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 3
    assert "3 people enrolled." in text_of(client.get("/admin/users"))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"user_ids": ["abc"], "path": "rep"},
        {"user_ids": ["1" * 40], "path": "rep"},
        {"path": "rep"},
        {"user_ids": ["{hire}"], "path": "no-such-path"},
        {"user_ids": ["{hire}"], "path": "rep", "start_date": "31/12/2026"},
    ],
)
def test_hostile_enrollment_input(client, db, team, path_version, data):
    data = {
        key: [v.replace("{hire}", str(team.hire.id)) for v in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }
    login_as(client, team.manager)
    response = client.post("/onboarding/enroll", data=data)
    assert response.status_code == 302
    assert not response.headers["Location"].startswith("https://evil")
    response.close()
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0


def test_enrolling_never_redirects_off_the_site(client, db, team, path_version):
    login_as(client, team.manager)
    data = {"user_ids": [team.hire.id], "path": "rep", "next": "https://evil.example/"}
    response = client.post("/onboarding/enroll", data=data)
    assert response.headers["Location"] == "/team"
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1


def test_unknown_people_are_not_found(client, team, path_version):
    login_as(client, team.manager)
    response = client.post("/onboarding/enroll", data={"user_ids": ["999999"], "path": "rep"})
    assert response.status_code == 404


def test_too_many_at_once(client, team, path_version):
    login_as(client, team.admin)
    ids = [str(n) for n in range(1, 503)]
    response = client.post("/onboarding/enroll", data={"user_ids": ids, "path": "rep"})
    assert response.status_code == 302


def test_open_replies_to_review_on_the_member_page(client, db, team):
    from tests.scenarios.helpers import drill_world

    ids = drill_world(team.hire)
    login_as(client, team.manager)
    page = text_of(client.get(f"/team/{team.hire.id}"))
    assert "Review the reply in “Tiny drill”" in page
    assert f"/reviews/{ids['reply']}" in page
    login_as(client, team.outsider_manager)
    assert status_of(client.get(f"/team/{team.hire.id}")) == 403


def test_check_in_notes_the_renderer_refuses_are_a_form_error(client, db, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    url = f"/team/{hire.id}/checkins/review-30"
    form = {
        "goal-0-text": "Book first meetings with clinics",
        "goal-0-target": "8",
        "goal-0-unit": "meetings",
        "goal-0-deadline": due_date(hire.start_date, 45).isoformat(),
    }
    for notes, message in (
        ("- " * 100 + "deep", "The notes: the formatting is nested too deeply (at most 20 levels"),
        ("![" * 3000, "The notes: the text takes too long to format."),
    ):
        response = client.post(url, data={**form, "notes": notes})
        assert response.status_code == 400
        assert message in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 0
    response = client.post(url, data={**form, "notes": "Now **fine**"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(CheckIn)).notes_html == "<p>Now <strong>fine</strong></p>"


def test_a_sign_off_comment_the_renderer_refuses_is_a_message(client, db, enrolled):
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    response = client.post(
        f"/team/{hire.id}/signoffs", data={"item_id": "shadow", "comment": "> " * 50 + "deep"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "The comment: the formatting is nested too deeply (at most 20 levels" in page
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0
    client.post(f"/team/{hire.id}/signoffs", data={"item_id": "shadow", "comment": "*ok*"})
    assert db.session.scalar(sa.select(SignOff)).comment_html == "<p><em>ok</em></p>"


def test_rerender_check_finds_damaged_comment_html_and_force_repairs_it(runner, db, enrolled):
    signoff = sign_off(enrolled.hire, "shadow", actor=enrolled.manager, comment="*Sharp*")
    db.session.commit()
    assert signoff.comment_html == "<p><em>Sharp</em></p>"
    assert runner.invoke(args=["lms", "rerender", "--check"]).exit_code == 0

    signoff.comment_html = "*Sharp*"  # what a broken parser used to store
    db.session.commit()
    checked = runner.invoke(args=["lms", "rerender", "--check"])
    assert checked.exit_code == 1
    assert f"differs: sign-off comment {signoff.id}" in checked.output
    db.session.refresh(signoff)
    assert signoff.comment_html == "*Sharp*"

    repaired = runner.invoke(args=["lms", "rerender", "--force"])
    assert repaired.exit_code == 0, repaired.output
    assert "repaired 1 comment(s) and note(s)" in repaired.output
    db.session.refresh(signoff)
    assert signoff.comment_html == "<p><em>Sharp</em></p>"
    assert runner.invoke(args=["lms", "rerender", "--check"]).exit_code == 0


@pytest.mark.parametrize(
    ("locale", "too_long", "no_reason", "summary"),
    [
        (
            "en",
            "Keep the comment under 4000 characters.",
            "Say why the sign-off is withdrawn.",
            "The task is not signed off yet.",
        ),
        (
            "zh_CN",
            "评语请控制在 4000 个字符以内。",
            "请说明撤销确认的原因。",
            "该任务尚未确认完成。",
        ),
    ],
)
def test_sign_off_errors_sit_at_their_field_in_both_languages(
    client, db, enrolled, locale, too_long, no_reason, summary
):
    """A refused sign-off shows the member page again (400, nothing written) with the typed
    comment, the message under the field it concerns and a link to it in the summary."""
    enrolled.manager.locale = locale
    db.session.commit()
    login_as(client, enrolled.manager)
    hire = enrolled.hire
    response = client.post(
        f"/team/{hire.id}/signoffs",
        data={
            "item_id": "shadow",
            "comment": "typed " + "x" * 4000,
            "rating-goal-setting": "meets",
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    field = "signoff-shadow-comment"
    assert f'<p class="field__error" id="{field}-error">{too_long}</p>' in page
    assert f'aria-describedby="{field}-error" aria-invalid="true">typed xxx' in page
    assert f'<a href="#{field}">{too_long}</a>' in page
    assert f"<p>{summary}</p>" in page
    assert '<option value="meets" selected>' in page
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0

    signoff = sign_off(hire, "shadow", actor=enrolled.manager)
    db.session.commit()
    response = client.post(f"/team/{hire.id}/signoffs/{signoff.id}/undo", data={"reason": "  "})
    assert response.status_code == 400
    page = text_of(response)
    field = f"undo-{signoff.id}-reason"
    assert f'<p class="field__error" id="{field}-error">{no_reason}</p>' in page
    assert f'id="{field}" name="reason" required maxlength="1000" rows="2"' in page
    assert f'<a href="#{field}">{no_reason}</a>' in page
    db.session.refresh(signoff)
    assert signoff.undone_at is None
