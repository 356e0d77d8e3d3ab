from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from lms.content.model import Text
from lms.notifications.models import Notification
from lms.notifications.services import (
    mark_all_read,
    message_of,
    notify,
    notify_once,
    unread_count,
)
from tests.helpers import login_as


def test_notify_stores_params_and_renders_in_each_language(app, db, make_user):
    hire = make_user(locale="zh_CN")
    title = Text({"en": "Shadow three calls", "zh-CN": "陪同三次拜访"})
    note = notify(hire.id, "task_signed_off", link="/onboarding", manager="Morgan Lee", item=title)
    db.session.commit()
    assert note.params == {
        "manager": "Morgan Lee",
        "item": {"en": "Shadow three calls", "zh-CN": "陪同三次拜访"},
    }
    assert message_of(note, "en") == "Morgan Lee signed off “Shadow three calls”."
    assert message_of(note, "zh_CN") == "Morgan Lee 已确认“陪同三次拜访”。"


def test_dates_are_shown_in_the_readers_format(app, db, make_user):
    hire = make_user()
    note = notify(hire.id, "item_due_soon", item="Quiz", due=date(2026, 3, 5))
    assert note.params["due"] == "2026-03-05"
    assert message_of(note, "en") == "“Quiz” is due on Mar 5, 2026."
    assert "2026年3月5日" in message_of(note, "zh_CN")


def test_unknown_kinds_and_broken_params_still_show_a_text(app, db, make_user):
    hire = make_user()
    assert message_of(notify(hire.id, "no-such-kind"), "en") == "You have a new notification."
    broken = notify(hire.id, "checkin_held", goals="many")
    assert message_of(broken, "en") == "You have a new notification."


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/a\\b", "/" * 501]
)
def test_links_must_stay_on_the_site(app, make_user, link):
    hire = make_user()
    with pytest.raises(ValueError):
        notify(hire.id, "enrolled", link=link)


def test_notify_once_is_idempotent_per_key(app, db, make_user):
    hire = make_user()
    first = notify_once(hire.id, "item_overdue", "overdue:1:x:0", item="X", due="2026-01-01")
    second = notify_once(hire.id, "item_overdue", "overdue:1:x:0", item="X", due="2026-01-01")
    other = notify_once(hire.id, "item_overdue", "overdue:1:x:1", item="X", due="2026-01-01")
    db.session.commit()
    assert first is not None and second is None and other is not None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


def test_back_dated_notifications(app, db, make_user):
    hire = make_user()
    note = notify(hire.id, "enrolled", now=datetime(2026, 1, 2, 9, 0), path="P", start="2026-01-05")
    assert note.created_at == datetime(2026, 1, 2, 9, 0)


def test_the_page_lists_marks_read_and_opens_links(client, db, make_user):
    hire = make_user()
    first = notify(hire.id, "enrolled", link="/onboarding", path="New rep", start="2026-01-05")
    notify(hire.id, "reply_reviewed", reviewer="Tara", scenario={"en": "Price too high"})
    db.session.commit()
    login_as(client, hire)
    page = client.get("/notifications").get_data(as_text=True)
    assert "You are enrolled on “New rep”" in page
    assert "Tara reviewed your reply in “Price too high”." in page
    assert 'class="bell__count">2<' in page

    response = client.post(f"/notifications/{first.id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/onboarding"
    assert unread_count(hire.id) == 1
    response = client.post("/notifications/read-all")
    assert response.status_code == 302
    assert unread_count(hire.id) == 0
    assert "bell__count" not in client.get("/notifications").get_data(as_text=True)


def test_someone_elses_notification_is_not_found(client, db, make_user):
    hire, other = make_user(), make_user()
    note = notify(other.id, "enrolled", path="P", start="2026-01-05")
    db.session.commit()
    login_as(client, hire)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.post("/notifications/abc/read").status_code == 404
    assert client.get(f"/notifications/{note.id}/read").status_code == 405
    db.session.refresh(note)
    assert note.read_at is None


def test_mark_all_read_touches_only_the_owner(app, db, make_user):
    hire, other = make_user(), make_user()
    notify(hire.id, "enrolled", path="P", start="2026-01-05")
    notify(other.id, "enrolled", path="P", start="2026-01-05")
    assert mark_all_read(hire.id) == 1
    assert unread_count(other.id) == 1


def test_the_header_count_costs_one_query(client, db, make_user, queries):
    hire = make_user()
    login_as(client, hire)
    client.get("/notifications").close()
    with queries() as few:
        client.get("/account/password").close()
    for _ in range(40):
        notify(hire.id, "enrolled", path="P", start="2026-01-05")
    db.session.commit()
    with queries() as many:
        page = client.get("/account/password")
    assert "40" in page.get_data(as_text=True)
    page.close()
    assert len(many) == len(few)
    counting = [s for s in many if "notifications" in s]
    assert len(counting) == 1


def test_the_page_is_paginated_and_refuses_a_bad_page_number(client, db, make_user):
    hire = make_user()
    for _ in range(35):
        notify(hire.id, "enrolled", path="P", start="2026-01-05")
    db.session.commit()
    login_as(client, hire)
    assert client.get("/notifications?page=2").status_code == 200
    assert client.get("/notifications?page=999").status_code == 200
    for bad in ("-1", "0", "²", "9" * 30):
        response = client.get("/notifications", query_string={"page": bad})
        assert response.status_code == 400 and "“page” must be a whole number" in response.text
