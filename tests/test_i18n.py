from datetime import date

import pytest
from babel.messages.catalog import Message
from flask_babel import force_locale, format_date, format_decimal

from lms import i18n_tools
from lms.i18n_tools import catalogue_problems, placeholder_problems, printf_placeholders
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


# --- placeholders: a translation takes the same variables as its source --------------------------

TEMPLATE = [("lms/x/templates/x/page.html", 3)]
CODE = [("lms/x/views.py", 7)]


def problems_of(source, translation, locations=TEMPLATE, num_plurals=1):
    return placeholder_problems(Message(source, translation, locations=locations), num_plurals)


def test_printf_placeholders():
    assert printf_placeholders("%(low)d–%(high)d%%: %(count)d") == ["low:d", "high:d", "count:d"]
    assert printf_placeholders("%s of %5.1f, 100%%") == [":s", ":f"]
    with pytest.raises(ValueError, match="bare %"):
        printf_placeholders("每档 10%")


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("Hello %(name)s", "你好，%(name)s"),
        ("%(count)d of %(total)d", "共 %(total)d 个中的 %(count)d 个"),  # named: any order
        ("%s of %s", "%s / %s"),
        ("Done: 100%%", "完成：100%%"),
        ("in steps of 10 percent", "每档 10 个百分点"),
        ("Hi {name}", "你好 {name}"),
    ],
)
def test_sound_translations(source, translation):
    assert problems_of(source, translation) == []


@pytest.mark.parametrize(
    ("source", "translation", "problem"),
    [
        ("in steps of 10 percent", "每档 10%", "a bare %"),  # the drill analytics 500
        ("%(low)d%%", "%(low)d%", "a bare %"),
        ("Hello %(name)s", "你好", "placeholders none"),
        ("Hello %(name)s", "你好 %(nam)s", "placeholders nam:s"),
        ("Hello %(name)s", "你好 %(name)s %(extra)s", "extra:s"),
        ("%(num)d left", "还剩 %(num)s 个", "num:s"),
        ("%s of %s", "%s", "placeholders :s in"),
        ("Hi {name}", "你好 {nom}", "{fields} differ"),
    ],
)
def test_unsound_translations_are_named(source, translation, problem):
    problems = problems_of(source, translation)
    assert len(problems) == 1 and problem in problems[0], problems


def test_a_bare_percent_in_a_template_source_is_named():
    assert "the source has a bare %" in problems_of("Save 10%", "节省 10%")[0]


def test_code_without_variables_is_not_formatted():
    """`_("... calls, %).")` in Python code is shown as it is: a `%` there is no placeholder."""
    assert problems_of("(e.g. calls, %)", "（例如 电话、%）", CODE) == []
    assert problems_of("(e.g. calls, %)", "（例如 %(x)s）", CODE) != []
    assert "a bare %" in problems_of("%(n)d calls", "%(n)d 个 %", CODE)[0]


def test_plural_forms_match_their_source():
    message = Message(
        ("%(num)d problem", "%(num)d problems"), ("%(num)d 个问题",), locations=TEMPLATE
    )
    assert placeholder_problems(message, 1) == []
    message.string = ("%(num)d 个问题 %",)
    assert "a bare %" in placeholder_problems(message, 1)[0]
    english = Message(("One result", "%(num)d results"), ("One result", "%(num)d results"))
    english.locations = TEMPLATE
    assert placeholder_problems(english, 2) == []


def test_the_check_reports_a_broken_catalogue(tmp_path):
    broken = tmp_path / "messages.po"
    broken.write_text('msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', encoding="utf-8")
    assert "does not compile" in i18n_tools._compile_problem(broken, "zh_CN")
    sound = tmp_path / "sound.po"
    sound.write_text('msgid "a"\nmsgstr "b"\n', encoding="utf-8")
    assert i18n_tools._compile_problem(sound, "zh_CN") is None


def test_the_cli_check_names_the_problem(runner, monkeypatch):
    monkeypatch.setattr(i18n_tools, "catalogue_problems", lambda: ["x.po: a bare % in 'y'"])
    result = runner.invoke(args=["lms", "i18n", "check"])
    assert result.exit_code == 1 and "x.po: a bare % in 'y'" in result.output
