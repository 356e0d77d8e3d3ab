"""Roster import: every row checked first, all or nothing, idempotent."""

import io

import pytest

from lms.people.models import User
from lms.people.roster import MAX_BYTES, import_roster, parse_roster
from tests.helpers import login_as

HEADER = "email,name,manager_email,start_date,roles\n"
GOOD = (
    HEADER
    + "morgan@example.com,Morgan Lee,,2024-01-08,manager\n"
    + "lena@example.com,Lena Park,morgan@example.com,2026-11-16,\n"
    + "sam@example.com,Sam Ortiz,morgan@example.com,2026-11-20,\n"
    + "tara@example.com,Tara Trainer,,,trainer;admin\n"
)


def problems_of(text: str | bytes, actor=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [str(p) for p in import_roster(data, actor=actor).problems]


def test_a_good_file_adds_everyone_with_managers_and_roles(app, db):
    result = import_roster(GOOD.encode(), actor=None)
    db.session.commit()
    assert (result.added, result.updated, result.unchanged, result.problems) == (4, 0, 0, [])
    lena = db.session.scalars(db.select(User).where(User.email == "lena@example.com")).one()
    assert lena.manager.email == "morgan@example.com"
    assert str(lena.start_date) == "2026-11-16"
    tara = db.session.scalars(db.select(User).where(User.email == "tara@example.com")).one()
    assert tara.roles == {"trainer", "admin"}


def test_reimporting_the_same_file_changes_nothing(app, db):
    import_roster(GOOD.encode(), actor=None)
    db.session.commit()
    again = import_roster(GOOD.encode(), actor=None)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_changed_rows_are_counted_as_updated(app, db, make_user):
    make_user("alex@example.com", roles={"admin"})  # Tara may then lose the admin role
    import_roster(GOOD.encode(), actor=None)
    db.session.commit()
    changed = GOOD.replace("Sam Ortiz", "Samuel Ortiz").replace("trainer;admin", "trainer")
    result = import_roster(changed.encode(), actor=None)
    db.session.commit()
    assert (result.added, result.updated, result.unchanged) == (0, 2, 2)
    assert db.session.scalars(
        db.select(User.name).where(User.email == "sam@example.com")
    ).one() == ("Samuel Ortiz")


def test_excel_bom_and_crlf_are_accepted(app, db):
    data = "\ufeff".encode() + GOOD.replace("\n", "\r\n").encode()
    result = import_roster(data, actor=None)
    assert result.problems == [] and result.added == 4


def test_a_manager_listed_after_their_reports_is_fine(app, db):
    text = (
        HEADER + "lena@example.com,Lena,boss@example.com,,\n" + "boss@example.com,Boss,,,manager\n"
    )
    assert problems_of(text) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("not-an-email,Lena,,,", "line 2, column email: 'not-an-email' is not an e-mail address."),
        ("lena@example.com,,,,", "line 2, column name: A name of 1 to 120 characters is required."),
        ("lena@example.com," + "x" * 121 + ",,,", "line 2, column name"),
        (
            "lena@example.com,Lena,,31/12/2026,",
            "line 2, column start_date: '31/12/2026' is not a date",
        ),
        ("lena@example.com,Lena,,,boss", "line 2, column roles: Unknown role 'boss'"),
        (
            "lena@example.com,Lena,ghost@example.com,,",
            "line 2, column manager_email: No person ghost@example.com",
        ),
        (
            "lena@example.com,Lena,lena@example.com,,",
            "line 2, column manager_email: A person cannot be their own manager.",
        ),
        ("lena@example.com,Lena,,", "line 2: Expected 5 values, found 4."),
        ("=cmd|' /C calc'!A0,Lena,,,", "line 2, column email"),
    ],
)
def test_bad_rows_are_reported_by_line_and_column(app, db, row, expected):
    problems = problems_of(HEADER + row + "\n")
    assert any(p.startswith(expected) for p in problems), problems
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_one_bad_row_means_nothing_is_imported(app, db):
    text = GOOD + "broken,,,,\n"
    result = import_roster(text.encode(), actor=None)
    db.session.commit()
    assert result.added == 0 and len(result.problems) == 2
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_duplicate_emails_in_the_file(app):
    text = HEADER + "lena@example.com,Lena,,,\n" + "LENA@example.com,Lena Again,,,\n"
    assert problems_of(text) == ["line 3, column email: lena@example.com is already on line 2."]


def test_a_management_cycle_is_refused(app, make_user):
    text = (
        HEADER
        + "a@example.com,A,b@example.com,,manager\n"
        + "b@example.com,B,c@example.com,,manager\n"
        + "c@example.com,C,a@example.com,,manager\n"
    )
    problems = problems_of(text)
    assert len(problems) == 3 and all("management loop" in p for p in problems)


def test_a_cycle_through_existing_people_is_refused(app, make_user):
    boss = make_user("boss@example.com")
    make_user("rep@example.com", manager=boss)
    text = HEADER + "boss@example.com,Boss,rep@example.com,,manager\n"
    assert problems_of(text) == [
        "line 2, column manager_email: boss@example.com would be in a management loop."
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "line 1: The file is empty."),
        (b"name,email\nx,y\n", "line 1: The first line must name the columns"),
        (
            HEADER.encode() + "lena@example.com,L\xe9na,,,\n".encode("latin-1"),
            "line 2: The file is not UTF-8",
        ),
        (b"\x00\x01\x02PK", "line 0: This is not a CSV text file."),
        (b"x" * (MAX_BYTES + 1), "line 0: The file is larger than 2 MiB."),
        (HEADER.encode() + b'"unterminated,Lena,,,\n', "line"),
    ],
)
def test_unreadable_files(app, data, expected):
    problems = problems_of(data)
    assert problems and problems[0].startswith(expected), problems


def test_many_rows_are_fine(app, db):
    rows = "".join(f"rep{i}@example.com,Rep {i},,2026-01-01,\n" for i in range(2000))
    rows_parsed, problems = parse_roster((HEADER + rows).encode())
    assert problems == [] and len(rows_parsed) == 2000


def test_an_admin_cannot_remove_their_own_admin_role(app, make_user):
    admin = make_user("me@example.com", roles={"admin"})
    problems = problems_of(HEADER + "me@example.com,Me,,,manager\n", actor=admin)
    assert problems == ["line 2, column roles: You cannot remove your own admin role."]


def _upload(client, text: bytes, action: str):
    return client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(text), "roster.csv"), "action": action},
        content_type="multipart/form-data",
    )


def test_upload_check_then_import(client, db, make_user):
    login_as(client, make_user("admin@example.com", roles={"admin"}))
    checked = _upload(client, GOOD.encode(), "check")
    assert "Importing it would add 4, update 0 and leave 0 unchanged." in checked.get_data(
        as_text=True
    )
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    imported = _upload(client, GOOD.encode(), "import")
    assert imported.status_code == 302
    page = client.get("/admin/roster").get_data(as_text=True)
    assert "Roster imported: 4 added, 0 updated, 0 unchanged." in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 5


def test_upload_with_problems_shows_the_table_and_imports_nothing(client, db, make_user):
    login_as(client, make_user("admin@example.com", roles={"admin"}))
    page = _upload(client, (GOOD + "bad,,,,\n").encode(), "import").get_data(as_text=True)
    assert "2 problems: nothing was imported" in page
    assert "&#39;bad&#39; is not an e-mail address." in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_upload_without_a_file(client, make_user):
    login_as(client, make_user("admin@example.com", roles={"admin"}))
    page = client.post("/admin/roster", data={"action": "import"}).get_data(as_text=True)
    assert "Choose a CSV file." in page


def test_hostile_names_are_escaped(client, db, make_user):
    login_as(client, make_user("admin@example.com", roles={"admin"}))
    text = HEADER + 'x@example.com,"<script>alert(1)</script>",,,\n'
    _upload(client, text.encode(), "import")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
