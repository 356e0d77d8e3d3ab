"""Where each role lands after signing in, and the staff header's counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from lms.people.models import Role
from lms.timeutil import today
from tests.helpers import TEST_TOTP_SECRET, login_as, login_with_password
from tests.reports.conftest import add_hire


@pytest.mark.parametrize(
    ("roles", "home"),
    [
        ((), "/learn"),
        ((Role.MANAGER,), "/team"),
        ((Role.TRAINER,), "/author"),
        ((Role.ADMIN,), "/admin"),
        ((Role.MANAGER, Role.TRAINER), "/team"),
    ],
)
def test_landing_page_per_role(app, client, make_user, roles, home):
    user = make_user(roles=set(roles))
    response = login_with_password(client, user.email)
    assert response.status_code == 302
    if Role.ADMIN in roles:  # admins sign in with a second factor first
        assert response.headers["Location"].endswith("/login/code")
        code = pyotp.TOTP(TEST_TOTP_SECRET).now()
        response = client.post("/login/code", data={"code": code})
        assert response.status_code == 302
    assert response.headers["Location"].endswith(home)


def test_a_safe_next_still_wins(app, client, make_user):
    user = make_user(roles={Role.MANAGER})
    response = client.post(
        "/login?next=/skills",
        data={"email": user.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"].endswith("/skills")


def test_an_unsafe_next_falls_back_to_the_home(app, client, make_user):
    user = make_user(roles={Role.TRAINER})
    response = client.post(
        "/login?next=//evil.example",
        data={"email": user.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"].endswith("/author")


def test_signed_in_user_visiting_login_goes_home(app, client, make_user):
    user = make_user(roles={Role.ADMIN})
    login_as(client, user)
    assert client.get("/login").headers["Location"].endswith("/admin")


def test_header_counts_check_ins_due_this_week(app, db, client, make_user, company):
    monday = today() - timedelta(days=today().weekday())
    # the day-30 check-in falls on the start + 29 days: put it on this week's Wednesday
    due_day = monday + timedelta(days=2)
    day = (today() - (due_day - timedelta(days=29))).days + 1
    add_hire(db, make_user, company.manager, "Due Hire", day=day)
    add_hire(db, make_user, company.manager, "Early Hire", day=3)
    login_as(client, company.manager)
    body = client.get("/team").get_data(as_text=True)
    assert "1 check-in this week" in body
    assert "0 replies to review" in body
    assert "My own learning" in body
    login_as(client, company.learner)
    assert "replies to review" not in client.get("/learn").get_data(as_text=True)


def staff_line(body: str) -> list[str]:
    """The texts of the staff line's links; the line holds nothing but one link per item (the
    separators between them are drawn by the stylesheet, so none can stand alone on a line)."""
    found = re.search(r'<ul class="staff-counts">(.*?)</ul>', body, re.S)
    assert found, "no staff line"
    inner = found.group(1)
    assert "·" not in inner
    items = re.findall(r"<li>(.*?)</li>", inner, re.S)
    assert re.sub(r"<li>.*?</li>", "", inner, flags=re.S).strip() == ""
    links = [re.fullmatch(r'<a href="[^"<>]+">([^<>]+)</a>', item) for item in items]
    assert all(links), items
    return [link.group(1) for link in links]


def test_the_staff_line_is_one_list_of_links_in_either_language(app, db, client, company):
    login_as(client, company.manager)
    body = client.get("/team").get_data(as_text=True)
    assert staff_line(body) == ["0 replies to review", "0 check-ins this week", "My learning"]
    company.manager.locale = "zh_CN"
    db.session.commit()
    body = client.get("/team").get_data(as_text=True)
    assert staff_line(body) == ["0 条回答待批阅", "本周 0 次阶段面谈", "我的学习"]


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMIN, Role.MANAGER])
def test_staff_homes_link_to_their_own_learning(app, client, make_user, role):
    user = make_user(roles={role})
    login_as(client, user)
    home = login_with_password(client, user.email).headers["Location"]
    body = client.get(home).get_data(as_text=True)
    assert '<a href="/learn">My learning</a>' in body


def test_a_learner_has_no_staff_line(app, client, make_user):
    login_as(client, make_user())
    assert "My learning</a>" not in client.get("/learn").get_data(as_text=True)
