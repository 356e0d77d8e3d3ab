"""Reading numbers, JSON and text out of requests (lms.core.inputs) and how the app answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import flash, request, session

from lms.core.inputs import (
    DB_INT_MAX,
    DB_INT_MIN,
    INT_MAX,
    InputError,
    int_list,
    json_depth_exceeds,
    page_arg,
    parse_int,
    parse_json,
)
from lms.extensions import db
from lms.people.models import Role, User
from tests.helpers import login_as


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("7", 7), (" 42 ", 42), ("007", 7), (str(INT_MAX), INT_MAX), (5, 5)],
)
def test_ascii_digits_within_the_range_are_read(app, raw, expected):
    assert parse_int(raw, field="n") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "²",
        "٣",
        "１２",
        "৪",
        "1²",
        "1_000",
        "1.0",
        "1e3",
        "0x10",
        "+1",
        "-1",
        "1\n2",
        "12\x00",
        "abc",
        None,
        True,
        1.0,
        [1],
        {"a": 1},
    ],
)
def test_anything_but_ascii_digits_is_refused(app, raw):
    with pytest.raises(InputError) as caught:
        parse_int(raw, field="n")
    assert caught.value.field == "n"
    assert str(caught.value) == "“n” must be a whole number written with the digits 0-9."


@pytest.mark.parametrize(
    "raw", [str(INT_MAX + 1), str(DB_INT_MAX + 1), "9" * 400, INT_MAX + 1, -1, "0" * 30 + "1" * 20]
)
def test_numbers_beyond_the_database_range_are_refused(app, raw):
    with pytest.raises(InputError) as caught:
        parse_int(raw, field="id")
    assert str(caught.value) == f"“id” must be a whole number from 0 to {INT_MAX}."


def test_a_wider_domain_reaches_bigint_and_no_further(app):
    assert parse_int(str(DB_INT_MAX), field="n", maximum=DB_INT_MAX) == DB_INT_MAX
    with pytest.raises(InputError):
        parse_int(str(DB_INT_MAX + 1), field="n", maximum=2**100)
    with pytest.raises(InputError):
        parse_int("9" * 4000, field="n", maximum=2**100)


def test_leading_zeros_do_not_count_against_the_length(app):
    assert parse_int("0" * 30 + "12", field="n") == 12


def test_a_sign_is_read_only_where_the_domain_has_negatives(app):
    assert parse_int("-5", field="delta", minimum=-10, maximum=10) == -5
    assert parse_int("+5", field="delta", minimum=-10, maximum=10) == 5
    assert parse_int(str(DB_INT_MIN), field="delta", minimum=DB_INT_MIN) == DB_INT_MIN
    with pytest.raises(InputError):
        parse_int(str(DB_INT_MIN - 1), field="delta", minimum=DB_INT_MIN)
    with pytest.raises(InputError):
        parse_int("-²", field="delta", minimum=-10)


def test_the_callers_domain_is_kept(app):
    assert parse_int("3", field="q", minimum=1, maximum=3) == 3
    for raw in ("0", "4"):
        with pytest.raises(InputError) as caught:
            parse_int(raw, field="q", minimum=1, maximum=3)
        assert str(caught.value) == "“q” must be a whole number from 1 to 3."


def test_lists_of_ids_are_sorted_without_repeats_and_bounded(app):
    assert int_list(["3", "1", "3"], field="ids", limit=5) == [1, 3]
    with pytest.raises(InputError, match="at most 2"):
        int_list(["1", "2", "3"], field="ids", limit=2)
    with pytest.raises(InputError):
        int_list(["1", "²"], field="ids", limit=5)


def test_the_page_of_a_list_cannot_point_beyond_the_database(app):
    with app.test_request_context("/?page=3"):
        assert page_arg(50) == 3
    with app.test_request_context("/"):
        assert page_arg(50) == 1
    for bad in ("0", str(INT_MAX + 1), "٣"):
        with app.test_request_context("/", query_string={"page": bad}):
            assert request.args["page"] == bad
            with pytest.raises(InputError):
                page_arg(50)


def test_json_depth_is_counted_without_parsing():
    assert not json_depth_exceeds("[[1]]", 2)
    assert json_depth_exceeds("[[[1]]]", 2)
    assert not json_depth_exceeds('["[[[[", "\\"[[["]', 2)
    assert json_depth_exceeds('{"a": {"b": [1]}}', 2)
    assert not json_depth_exceeds("[" * 100_000, 100_000)


def test_json_documents_are_bounded(app):
    assert parse_json('{"a": [1, 2, {"b": null}]}', field="doc") == {"a": [1, 2, {"b": None}]}
    assert parse_json(b"[1]", field="doc") == [1]
    cases = [
        ("[" * 40 + "]" * 40, "“doc” is nested too deeply (at most 32 levels)."),
        ("[" * 100_000, "“doc” is nested too deeply (at most 32 levels)."),
        ('"' + "x" * 200_001 + '"', "“doc” is too large (at most 200000 characters)."),
        ("[1,", "“doc” is not a valid JSON document."),
        (b"\xff", "“doc” is not a valid JSON document."),
    ]
    for text, message in cases:
        with pytest.raises(InputError) as caught:
            parse_json(text, field="doc")
        assert str(caught.value) == message


def test_request_json_bodies_are_bounded_too(app):
    deep = "[" * 10_000 + "]" * 10_000
    with app.test_request_context("/", method="POST", data=deep, content_type="application/json"):
        with pytest.raises(InputError, match="nested too deeply"):
            request.get_json()


@pytest.mark.parametrize(
    "url",
    [
        f"/team/{INT_MAX + 1}",
        f"/team/{DB_INT_MAX}",
        f"/admin/users/{DB_INT_MAX + 1}",
        f"/team/{2**64}",
        "/team/" + "9" * 400,
        "/team/٣",
        "/team/²",
        "/admin/users/-1",
        f"/quizzes/basics/attempts/{INT_MAX + 1}",
        f"/scenarios/lab/runs/{INT_MAX + 1}",
        f"/reviews/{INT_MAX + 1}",
        f"/notifications/{INT_MAX + 1}/read",
    ],
)
def test_ids_outside_the_database_range_are_pages_that_do_not_exist(client, make_user, url):
    login_as(client, make_user(roles={Role.ADMIN, Role.MANAGER, Role.TRAINER}))
    method = "POST" if url.endswith("/read") else "GET"
    assert client.open(url, method=method).status_code == 404


def test_the_largest_id_is_still_routed(client, make_user):
    login_as(client, make_user(roles={Role.ADMIN}))
    assert client.get(f"/admin/users/{INT_MAX}").status_code == 404  # routed, not found
    with client.application.test_request_context():
        adapter = client.application.url_map.bind("localhost")
        endpoint, args = adapter.match(f"/admin/users/{INT_MAX}")
    assert endpoint == "people.user_edit" and args == {"user_id": INT_MAX}


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/admin/users?q=a%00b", None),
        ("GET", "/admin/users?a%00=1", None),
        ("GET", "/quizzes/a%00b", None),
        ("POST", "/admin/users/new", {"name": "A\x00", "email": "a@example.com"}),
    ],
)
def test_nul_characters_are_refused_with_a_message(client, make_user, method, url, data):
    login_as(client, make_user(roles={Role.ADMIN}))
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400
    assert "contains a NUL character" in response.text


@pytest.mark.parametrize("body", ['"text"', "[1, 2]", "7", "null"])
def test_a_json_body_that_is_not_an_object_is_refused_before_any_form_reads_it(
    client, make_user, body
):
    login_as(client, make_user(roles={Role.ADMIN}))
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = client.post(
        "/admin/users/new",
        data=body,
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == "The request's JSON must be an object of named fields."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users


def test_bad_numbers_answer_json_to_json_clients(client, make_user):
    login_as(client, make_user(roles={Role.ADMIN}))
    response = client.get("/admin/users?page=²", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert (
        response.get_json()["message"]
        == "“page” must be a whole number written with the digits 0-9."
    )


def test_the_json_provider_keeps_flasks_other_uses_working(app):
    assert app.json.loads('{"a": [1]}', object_hook=lambda d: sorted(d)) == ["a"]
    with app.test_request_context():
        flash("Saved.", "success")
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        restored = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert restored["_flashes"] == [("success", "Saved.")]
