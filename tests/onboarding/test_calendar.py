"""Calendar feeds: RFC 5545 by hand (CRLF, folding at 75 octets, escaping), private and
revocable addresses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from lms.onboarding.calendar import (
    Event,
    escape_text,
    fold,
    new_feed,
    render_calendar,
    token_of,
    user_for_token,
)
from lms.onboarding.services import enroll, sign_off
from lms.timeutil import today
from tests.helpers import login_as

NOW = datetime(2026, 3, 2, 9, 30, 5)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_escaping():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


@pytest.mark.parametrize(
    "line",
    [
        "SUMMARY:" + "x" * 200,
        "SUMMARY:" + "陪同三次拜访" * 30,
        "DESCRIPTION:" + "é" * 100 + "x",
        "SUMMARY:short",
        "SUMMARY:" + "a" * 67,
    ],
)
def test_folding_keeps_lines_within_75_octets_and_characters_whole(line):
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert folded.replace("\r\n ", "") == line


def test_a_calendar_file():
    events = [
        Event(
            "1-rep-shadow-1@lms.example.com",
            date(2026, 3, 11),
            "Shadow three calls, then; write it up",
            "Day 10",
            "https://lms.example.com/onboarding#item-shadow",
        ),
        Event("1-rep-review-30-1@lms.example.com", date(2026, 3, 31), "第30天阶段面谈" * 8),
    ]
    text = render_calendar("Onboarding: Lena", events, now=NOW)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sales Onboarding//Onboarding calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Onboarding: Lena",
    ]
    assert lines.count("BEGIN:VEVENT") == 2 == lines.count("END:VEVENT")
    assert "DTSTART;VALUE=DATE:20260311" in lines and "DTEND;VALUE=DATE:20260312" in lines
    assert "DTSTAMP:20260302T093005Z" in lines
    assert "SUMMARY:Shadow three calls\\, then\\; write it up" in lines
    assert "SUMMARY:" + "第30天阶段面谈" * 8 in lines
    assert lines[-2:] == ["END:VCALENDAR", ""]


def test_tokens_are_private_and_revocable(client, db, make_user):
    user = make_user()
    feed = new_feed(user)
    db.session.commit()
    token = token_of(feed)
    assert user_for_token(token).id == user.id
    nonce, signature = token.split(".")
    assert user_for_token(f"{nonce}.{'0' * len(signature)}") is None
    assert user_for_token(nonce) is None
    assert user_for_token("") is None and user_for_token("." * 500) is None
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    response.close()
    login_as(client, user)
    client.post("/onboarding/calendar").close()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    db.session.refresh(feed)
    new_token = token_of(feed)
    page = client.get("/onboarding/calendar").get_data(as_text=True)
    assert f"/calendar/{new_token}.ics" in page
    client.post("/onboarding/calendar/revoke").close()
    assert client.get(f"/calendar/{new_token}.ics").status_code == 404
    assert "You have no calendar address." in client.get("/onboarding/calendar").get_data(
        as_text=True
    )


def test_a_deactivated_owner_has_no_feed(client, db, make_user):
    user = make_user()
    token = token_of(new_feed(user))
    user.active = False
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_hire_and_manager_feeds(client, db, team, path_version):
    hire, manager = team.hire, team.manager
    start = today() - timedelta(days=4)
    hire.locale = "zh_CN"
    enroll(hire, "rep", actor=manager, start_date=start, now=datetime.combine(start, time(9)))
    sign_off(hire, "crm", actor=manager)
    hire_token = token_of(new_feed(hire))
    manager_token = token_of(new_feed(manager))
    db.session.commit()
    hire_feed = unfold(client.get(f"/calendar/{hire_token}.ics").get_data(as_text=True))
    summaries = [line for line in hire_feed if line.startswith("SUMMARY:")]
    assert summaries == [
        "SUMMARY:陪同三次拜访",
        "SUMMARY:第30天阶段面谈",
        "SUMMARY:Give the pitch",
        "SUMMARY:Day-60 check-in",
    ]
    due = (start + timedelta(days=9)).strftime("%Y%m%d")
    assert f"DTSTART;VALUE=DATE:{due}" in hire_feed
    assert "X-WR-CALNAME:入职培养：Lena Park" in hire_feed
    manager_feed = unfold(client.get(f"/calendar/{manager_token}.ics").get_data(as_text=True))
    summaries = [line for line in manager_feed if line.startswith("SUMMARY:")]
    assert summaries == [
        "SUMMARY:Sign off for Lena Park: Shadow three calls",
        "SUMMARY:Day-30 check-in with Lena Park",
        "SUMMARY:Sign off for Lena Park: Give the pitch",
        "SUMMARY:Day-60 check-in with Lena Park",
    ]
    assert all("Out Sider" not in line for line in manager_feed)
    uids = [line for line in manager_feed if line.startswith("UID:")]
    assert len(uids) == len(set(uids)) == 4
