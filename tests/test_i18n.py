from datetime import date

from flask_babel import force_locale, format_date, format_decimal

from lms.i18n_tools import catalogue_problems
from tests.helpers import login_as


def test_every_catalogue_is_complete_and_compiled():
    problems = catalogue_problems()
    assert not problems, "\n".join(problems[:40])


def test_language_from_accept_language(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html
    assert "Log in" in client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(
        as_text=True
    )


def test_switcher_works_for_anonymous_users_and_returns_to_the_page(client):
    response = client.post("/language", data={"locale": "zh_CN", "next": "/login?next=/team"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/team"
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_switcher_refuses_unknown_languages_and_offsite_next(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_user_preference_wins_and_the_switcher_saves_it(client, db, make_user):
    user = make_user(locale="zh_CN")
    login_as(client, user)
    assert "首页" in client.get("/learn", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/learn"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_dates_and_numbers_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert format_date(date(2026, 3, 9), "medium") == "Mar 9, 2026"
            assert format_decimal(12345.5) == "12,345.5"
        with force_locale("zh_CN"):
            assert format_date(date(2026, 3, 9), "medium") == "2026年3月9日"


def test_error_pages_in_both_languages(client):
    assert "Page not found" in client.get("/nope").get_data(as_text=True)
    page = client.get("/nope", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)
