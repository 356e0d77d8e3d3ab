"""The planning pages through the test client: what they show, who may see what, bad input,
and query counts that do not grow with the days of history or the size of the team."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from lms.onboarding.services import enroll
from lms.people.models import Role
from lms.planning.measures import refresh_days
from lms.planning.models import DayPlan, PlanPriority
from lms.planning.services import OutcomeInput, PriorityInput, save_plan, save_review
from lms.timeutil import utcnow
from tests.helpers import login_as
from tests.onboarding.paths import publish_path


@pytest.fixture
def now_team(db, make_user):
    """A manager with two hires started ten days ago, enrolled, and one hire of another team."""
    publish_path()
    today = utcnow().date()
    manager = make_user("boss@example.com", name="Morgan Lee", roles={Role.MANAGER})
    other = make_user("other@example.com", name="Other Boss", roles={Role.MANAGER})
    start = today - timedelta(days=9)
    hires = [
        make_user(f"h{n}@example.com", name=f"Hire {n}", manager=manager, start_date=start)
        for n in range(2)
    ]
    stranger = make_user("s@example.com", name="Stranger", manager=other, start_date=start)
    for person in [*hires, stranger]:
        enroll(person, "rep", actor=manager, now=datetime.combine(start, time(8)))
    from lms.planning.services import ensure_default_kinds

    ensure_default_kinds()
    db.session.commit()
    return manager, hires, stranger, other


def history(db, hire, days: int) -> None:
    """`days` working days of reviewed plans before today, written through the services."""
    today = utcnow().date()
    day = today - timedelta(days=days)
    while day < today:
        moment = datetime.combine(day, time(8))
        plan = save_plan(
            hire, day, [PriorityInput("A"), PriorityInput("B")], actor=hire, now=moment
        )
        save_review(
            hire,
            day,
            [
                OutcomeInput(plan.priorities[0].id, "done"),
                OutcomeInput(
                    plan.priorities[1].id,
                    "moved",
                    moved_to=(day + timedelta(days=1)).isoformat(),
                    reason="waiting",
                ),
            ],
            actor=hire,
            now=datetime.combine(day, time(18)),
        )
        day += timedelta(days=1)
    db.session.commit()


def test_plan_review_and_measures_without_javascript(client, db, now_team):
    manager, (hire, _other), _stranger, _ = now_team
    login_as(client, hire)
    page = client.get("/plan")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "<h1>Today's plan</h1>" in body
        and 'name="p-4-text"' in body
        and "Shadow three calls" in body
    )
    assert 'src="/static/js/plan.js"' in body and "<script>" not in body
    response = client.post(
        "/plan",
        data={
            "p-0-text": "Call ten leads",
            "p-0-start": "09:00",
            "p-0-duration": "60",
            "p-1-item": "rep/shadow",
            "p-1-customer": "ACME",
            "planned-1": "10",
        },
    )
    assert response.status_code == 302
    plan = db.session.query(DayPlan).filter_by(user_id=hire.id).one()
    assert [p.text for p in plan.priorities] == ["Call ten leads", "Shadow three calls"]
    review = client.get("/plan/review")
    assert review.status_code == 200
    first, second = plan.priorities
    response = client.post(
        "/plan/review",
        data={
            f"o-{first.id}": "done",
            f"o-{second.id}": "partly",
            f"o-{second.id}-reason": "underestimated",
            "actual-1": "8",
            "learned": "Mornings work",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/plan/history")
    history_page = client.get("/plan/history").get_data(as_text=True)
    assert "75%" in history_page  # (1 + 0.5) / 2
    assert "<svg" in history_page and "plan-chart__bar--reviewed" in history_page
    learn = client.get("/learn").get_data(as_text=True)
    assert "2 priorities planned" in learn and "1 working day reviewed in a row" in learn
    login_as(client, manager)
    team = client.get("/team").get_data(as_text=True)
    assert "Plans kept (7 days)" in team and "75%" in team
    assert "no reviewed plan" in team  # the other hire, who has not planned
    member = client.get(f"/team/{hire.id}").get_data(as_text=True)
    assert "Daily plans and execution" in member and "Took longer than planned" in member


def test_saving_as_you_go_answers_json(client, db, now_team):
    _manager, (hire, _), _s, _o = now_team
    login_as(client, hire)
    headers = {"Accept": "application/json"}
    answer = client.post("/plan", data={"p-0-text": "One", "p-2-text": "Two"}, headers=headers)
    assert answer.status_code == 200
    ids = answer.get_json()["ids"]
    assert sorted(ids) == ["0", "2"]
    again = client.post(
        "/plan",
        data={"p-0-text": "One!", "p-0-id": ids["0"], "p-2-text": "Two", "p-2-id": ids["2"]},
        headers=headers,
    )
    assert again.get_json()["ids"] == ids
    assert db.session.query(PlanPriority).count() == 2
    bad = client.post("/plan", data={"p-0-start": "99:99", "p-0-text": "x"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "p-0-start"


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/plan?day=yesterday", None),
        ("get", "/plan?day=1999-01-01", None),
        ("get", "/plan/review?day=2999-01-01", None),
        ("post", "/plan", {"p-0-text": "x" * 5000}),
        ("post", "/plan", {"p-0-text": "a", "p-0-id": "999999"}),
        ("post", "/plan/carry", {"priority": "abc"}),
        ("post", "/plan/week", {"next-0": "a", "next-1": "b", "next-2": "c", "day": "2020-01-06"}),
        ("post", "/plan/timezone", {"timezone": "Mars/Olympus"}),
    ],
)
def test_bad_input_gets_a_clear_answer(client, now_team, method, url, data):
    login_as(client, now_team[1][0])
    response = getattr(client, method)(url, data=data)
    assert response.status_code in (302, 303, 400, 404)
    if response.status_code in (302, 303):
        landing = client.get(response.location)
        assert landing.status_code == 200
        assert "flash--error" in landing.get_data(as_text=True)
    elif method == "post":  # the form again (400), with the problem in its summary
        assert '<div class="form-errors" role="alert" id="form-errors">' in response.get_data(
            as_text=True
        )


def test_who_sees_what(client, db, now_team):
    manager, (hire, _), stranger, other = now_team
    history(db, stranger, 3)
    # A hire sees only their own plan: there is no address for another's.
    login_as(client, hire)
    assert "A</" not in client.get("/plan").get_data(as_text=True)
    assert client.get(f"/team/{stranger.id}").status_code == 403
    stranger_priority = db.session.query(PlanPriority).first()
    client.post("/plan", data={"p-0-text": "mine", "p-0-id": stranger_priority.id})
    db.session.refresh(stranger_priority)
    assert stranger_priority.text == "A"
    assert client.get("/plan/activities").status_code == 403
    # A manager sees their team's, not another team's.
    login_as(client, manager)
    assert client.get(f"/team/{hire.id}").status_code == 200
    assert client.get(f"/team/{stranger.id}").status_code == 403
    login_as(client, other)
    assert "Waiting for someone else" in client.get(f"/team/{stranger.id}").get_data(as_text=True)


def test_admin_edits_the_activity_kinds(client, db, make_user, now_team):
    admin = make_user("admin@example.com", roles={Role.ADMIN})
    login_as(client, admin)
    assert "CRM updates" in client.get("/plan/activities").get_data(as_text=True)
    client.post(
        "/plan/activities",
        data={"slug": "demos", "name_en": "Demos", "weekly_goal": "4", "active": "1"},
    )
    login_as(client, now_team[1][0])
    assert "Demos" in client.get("/plan").get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "bad_slug", "bad_goal", "summary"),
    [
        (
            "en",
            "Use 1 to 40 lower-case letters, digits or dashes.",
            "Enter a whole number from 0 to 999.",
            "The kind of activity is not saved yet.",
        ),
        (
            "zh_CN",
            "请使用 1 到 40 个小写字母、数字或连字符。",
            "请输入 0 到 999 之间的整数。",
            "活动类型尚未保存。",
        ),
    ],
)
def test_activity_kind_errors_sit_at_their_field(
    client, db, make_user, now_team, locale, bad_slug, bad_goal, summary
):
    from lms.planning.models import ActivityKind

    admin = make_user("admin@example.com", roles={Role.ADMIN})
    admin.locale = locale
    db.session.commit()
    login_as(client, admin)
    before = db.session.query(ActivityKind).count()
    response = client.post(
        "/plan/activities",
        data={"slug": "Bad Slug!", "name_en": "Demos", "weekly_goal": "4", "active": "1"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<p class="field__error" id="knew-slug-error">{bad_slug}</p>' in page
    assert 'value="Bad Slug!" aria-describedby="knew-slug-error" aria-invalid="true">' in page
    assert f'<a href="#knew-slug">{bad_slug}</a>' in page and f"<p>{summary}</p>" in page
    assert 'id="knew-name_en" name="name_en" maxlength="80" required value="Demos">' in page

    kind = db.session.query(ActivityKind).first()
    response = client.post(
        "/plan/activities",
        data={"kind_id": kind.id, "slug": kind.slug, "name_en": "X", "weekly_goal": "many"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<p class="field__error" id="k{kind.id}-weekly_goal-error">{bad_goal}</p>' in page
    db.session.refresh(kind)
    assert kind.name_en != "X"
    assert db.session.query(ActivityKind).count() == before


def test_hostile_activity_kind_input_writes_nothing(client, db, make_user, now_team):
    from lms.planning.models import ActivityKind

    login_as(client, make_user("admin@example.com", roles={Role.ADMIN}))
    before = db.session.query(ActivityKind).count()
    for data in (
        {"slug": "x" * 100_000, "name_en": "Big"},
        {"slug": "ok", "name_en": "y" * 100_000},
        {"slug": "ok", "name_en": "Fine", "weekly_goal": "9" * 5000},
        {"slug": "ok", "name_en": "Fine", "kind_id": "99999"},
        {"slug": "ok", "name_en": "Fine", "kind_id": "-1", "weekly_goal": "-4"},
        {"slug": ["ok", "x y"], "name_en": ["", "Fine"]},
        {"slug": "ok\x00", "name_en": "Fine"},
    ):
        response = client.post("/plan/activities", data=data)
        assert 400 <= response.status_code < 500, data
        response.close()
    assert db.session.query(ActivityKind).count() == before


def test_time_zone_is_saved(client, db, now_team):
    hire = now_team[1][0]
    login_as(client, hire)
    client.post("/plan/timezone", data={"timezone": "Asia/Shanghai"})
    db.session.refresh(hire)
    assert hire.timezone == "Asia/Shanghai"
    assert "Asia/Shanghai" in client.get("/plan").get_data(as_text=True)


def count(client, queries, url: str) -> int:
    with queries() as statements:
        response = client.get(url)
        response.close()
    assert response.status_code == 200, url
    return len(statements)


def test_queries_do_not_grow_with_days_or_hires(client, db, queries, make_user, now_team):
    manager, hires, _stranger, _other = now_team
    history(db, hires[0], 2)
    login_as(client, hires[0])
    client.get("/plan").close()
    few_days = {url: count(client, queries, url) for url in ("/plan", "/plan/history", "/learn")}
    few_hires = count_team(client, queries, manager)
    history(db, hires[1], 25)
    more = [
        make_user(f"m{n}@example.com", manager=manager, start_date=hires[0].start_date)
        for n in range(8)
    ]
    for person in more:
        enroll(person, "rep", actor=manager, now=datetime.combine(person.start_date, time(8)))
        history(db, person, 4)
    login_as(client, hires[1])
    many_days = {url: count(client, queries, url) for url in ("/plan", "/plan/history", "/learn")}
    assert many_days == few_days
    assert count_team(client, queries, manager) == few_hires


def count_team(client, queries, manager) -> int:
    login_as(client, manager)
    client.get("/team").close()
    return count(client, queries, "/team")


def test_the_rollup_is_what_pages_read(db, now_team):
    hire = now_team[1][0]
    history(db, hire, 3)
    today = utcnow().date()
    assert refresh_days({hire.id: {today - timedelta(days=1)}}, utcnow()) == 1


PLAN_ERRORS = {
    "en": {
        "long": "Keep a priority to 200 characters.",
        "outcome": "Choose done, partly, moved or dropped.",
        "notes": "Keep the notes to 1000 characters.",
    },
    "zh_CN": {
        "long": "每项重点最多 200 个字符。",
        "outcome": "请选择完成、部分完成、改期或放弃。",
        "notes": "备注最多 1000 个字符。",
    },
}


def assert_at_field(page: str, name: str, message: str) -> None:
    """`message` under the input `name`, tied to it, and linked from the summary."""
    assert f'<p class="field__error" id="{name}-error">{message}</p>' in page, name
    assert f'aria-describedby="{name}-error" aria-invalid="true"' in page, name
    assert f'<a href="#{name}">{message}</a>' in page, name


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_plan_review_and_week_errors_sit_at_their_field(client, db, now_team, locale):
    _manager, (hire, _), _s, _o = now_team
    hire.locale = locale
    db.session.commit()
    login_as(client, hire)
    messages = PLAN_ERRORS[locale]

    response = client.post("/plan", data={"p-0-text": "Kept", "p-1-text": "y" * 300})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_at_field(page, "p-1-text", messages["long"])
    assert 'name="p-0-text" type="text" maxlength="200"' in page and 'value="Kept"' in page
    assert db.session.query(PlanPriority).count() == 0

    answer = client.post(
        "/plan", data={"p-1-text": "y" * 300}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.get_json()["problems"] == {
        "fields": {"p-1-text": [messages["long"]]},
        "general": [],
        "count": 1,
    }

    client.post("/plan", data={"p-0-text": "Call ten leads"})
    priority = db.session.query(PlanPriority).one()
    response = client.post("/plan/review", data={f"o-{priority.id}": "never", "learned": "Typed"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_at_field(page, f"o-{priority.id}", messages["outcome"])
    assert 'value="Typed"' in page
    db.session.refresh(priority)
    assert priority.outcome is None

    answer = client.post(
        "/plan/review",
        data={f"o-{priority.id}": "never"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["problems"]["fields"] == {f"o-{priority.id}": [messages["outcome"]]}

    response = client.post("/plan/week", data={"next-0": "Typed next", "notes": "n" * 1200})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_at_field(page, "notes", messages["notes"])
    assert 'value="Typed next"' in page
    response = client.post("/plan/week", data={"next-0": "z" * 300})
    assert_at_field(response.get_data(as_text=True), "next-0", messages["long"])


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/plan", {"p-0-text": "x" * 100_000}),
        ("/plan", {"p-0-text": "a", "p-0-duration": "9" * 5000}),
        ("/plan", {"p-0-text": ["a", "b" * 5000], "p-0-start": ["25:61", "09:00"]}),
        ("/plan", {"p-0-text": "a", "planned-1": "-3"}),
        ("/plan", {"p-0-text": "nul \x00"}),
        ("/plan/week", {"next-0": "x" * 100_000}),
        ("/plan/week", {"notes": ["n" * 5000, "short"]}),
        ("/plan/week", {"next-0": "nul \x00"}),
        ("/plan/review", {"learned": "x" * 100_000}),
    ],
)
def test_hostile_plan_input_writes_nothing(client, db, now_team, url, data):
    from lms.planning.models import WeeklyReview

    login_as(client, now_team[1][0])
    response = client.post(url, data=data)
    assert 400 <= response.status_code < 500, response.status_code
    assert db.session.query(PlanPriority).count() == 0
    assert db.session.query(DayPlan).count() == 0
    assert db.session.query(WeeklyReview).count() == 0


def test_a_refused_carry_over_shows_the_plan_as_saved(client, db, now_team):
    _manager, (hire, _), _s, _o = now_team
    login_as(client, hire)
    client.post("/plan", data={"p-0-text": "Saved priority"})
    response = client.post("/plan/carry", data={"priority": "abc"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<li>Choose at least one priority to carry over.</li>" in page
    assert 'value="Saved priority"' in page
    assert [p.text for p in db.session.query(PlanPriority)] == ["Saved priority"]


@pytest.mark.parametrize(
    "locale, overdue, ahead",
    [
        ("en", "Overdue: Shadow three calls (", "Log calls the same day ("),
        ("zh_CN", "已逾期：陪同三次拜访 (", "Log calls the same day ("),
    ],
)
def test_overdue_items_are_named_in_the_readers_language(
    client, db, make_user, now_team, locale, overdue, ahead
):
    manager = now_team[0]
    start = utcnow().date() - timedelta(days=15)
    late = make_user("late@example.com", manager=manager, start_date=start, locale=locale)
    enroll(late, "rep", actor=manager, now=datetime.combine(start, time(8)))
    db.session.commit()
    login_as(client, late)
    page = client.get("/plan").get_data(as_text=True)
    assert overdue in page and ahead in page
    assert "逾期: " not in page


def test_the_start_time_is_drawn_like_every_other_field(client, db, now_team):
    """The plan's start input is type=time; the shared form-field rule must cover it."""
    login_as(client, now_team[1][0])
    assert 'name="p-0-start" type="time"' in client.get("/plan").get_data(as_text=True)
    response = client.get("/static/css/app.css")
    css = response.get_data(as_text=True)
    response.close()
    rule = css[css.index('input[type="text"], input[type="email"]') :]
    selectors = rule[: rule.index("{")]
    assert 'input[type="time"]' in selectors and 'input[type="number"]' in selectors
