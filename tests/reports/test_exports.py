"""CSV exports: the byte-order mark, Chinese names, formula injection neutralised for each
dangerous first character, and what each role may export."""

from __future__ import annotations

import csv
import io

import pytest

from lms.people.models import Role
from lms.reports.exports import BOM, csv_text, neutralise
from tests.helpers import login_as
from tests.reports.conftest import add_hire, set_mastery


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_each_dangerous_first_character_is_neutralised(first):
    assert neutralise(f'{first}HYPERLINK("http://x")') == f'\'{first}HYPERLINK("http://x")'


def test_harmless_cells_are_left_alone():
    assert neutralise("Ann") == "Ann"
    assert neutralise("a=b") == "a=b"
    assert neutralise(None) == ""
    assert neutralise(42) == "42"
    assert neutralise(0.125) == "0.12"
    assert neutralise(-3) == "-3"  # a number is a number, not a formula


def test_csv_text_has_a_bom_and_crlf():
    text = csv_text(["Name"], [["王建国"], ["=1+1"]])
    assert text.startswith(BOM)
    assert text == BOM + "Name\r\n王建国\r\n'=1+1\r\n"


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with BOM: EF BB BF
    assert raw[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def team(db, make_user, company):
    hires = [
        add_hire(db, make_user, company.manager, name)
        for name in ("王小明", "=SUM(A1:A9)", "+cmd", "-2+3", "@attack", "\tTab", "\rReturn")
    ]
    set_mastery(db, hires[0], "goal-setting", 60.0)
    db.session.commit()
    return hires


@pytest.mark.parametrize("name", ["team", "skills", "measures", "roster"])
def test_manager_exports_their_team(app, db, client, make_user, company, name):
    team(db, make_user, company)
    login_as(client, company.manager)
    response = client.get(f"/reports/export/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert "Out Sider" not in body  # another manager's hire


def test_team_csv_names_and_injection(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.manager)
    rows = read_csv(client.get("/reports/export/team.csv"))
    assert rows[0][:3] == ["Name", "E-mail", "Manager"]
    names = {row[0] for row in rows[1:]}
    assert "王小明" in names
    for dangerous in ("'=SUM(A1:A9)", "'+cmd", "'-2+3", "'@attack", "'\tTab", "'\rReturn"):
        assert dangerous in names
    assert not any(
        name.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for name in row
    )


def test_heatmap_csv_has_the_median_row(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.manager)
    rows = read_csv(client.get("/reports/export/skills.csv"))
    assert rows[0][3:7] == ["Goal setting", "Goal setting target", "Planning", "Planning target"]
    chinese = next(row for row in rows if row[0] == "王小明")
    assert chinese[3:5] == ["60.0", "50.0"]
    assert rows[-1][0] == "Median" and rows[-1][3] == "60.0"


def test_admin_exports_the_whole_company(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.admin)
    body = client.get("/reports/export/roster.csv").get_data(as_text=True)
    assert "Out Sider" in body and "王小明" in body and "Tina Trainer" in body


def test_trainer_gets_aggregate_figures_only(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.trainer)
    for name in ("team", "skills", "measures", "roster"):
        response = client.get(f"/reports/export/{name}.csv")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "王小明" not in body and "Out Sider" not in body and "@example.com" not in body
    rows = read_csv(client.get("/reports/export/team.csv"))
    assert rows[0] == ["Quadrant", "Hires"]
    assert sum(int(row[1]) for row in rows[1:]) == 8  # every enrolled hire of the company


def test_learner_may_not_export(app, db, client, make_user, company):
    login_as(client, company.learner)
    assert client.get("/reports/export/team.csv").status_code == 403


def test_unknown_export_is_404(app, db, client, make_user, company):
    login_as(client, company.manager)
    assert client.get("/reports/export/passwords.csv").status_code == 404


def test_anonymous_goes_to_login(app, client):
    response = client.get("/reports/export/team.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_manager_and_admin_roles_together_export_the_company(app, db, client, make_user, company):
    team(db, make_user, company)
    both = make_user("both@example.com", name="Both Roles", roles={Role.MANAGER, Role.ADMIN})
    login_as(client, both)
    assert "Out Sider" in client.get("/reports/export/team.csv").get_data(as_text=True)


def xlsx_parts(response) -> tuple[str, str]:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    strings = archive.read("xl/sharedStrings.xml").decode("utf-8")
    sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return strings, sheet


def test_xlsx_export_writes_text_as_text(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.manager)
    response = client.get("/reports/export/team.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    strings, sheet = xlsx_parts(response)
    assert "王小明" in strings and "=SUM(A1:A9)" in strings  # a string, never a formula
    assert "<f>" not in sheet
    assert "Out Sider" not in strings


def test_xlsx_for_a_trainer_is_aggregate(app, db, client, make_user, company):
    team(db, make_user, company)
    login_as(client, company.trainer)
    strings, _sheet = xlsx_parts(client.get("/reports/export/roster.xlsx"))
    assert "王小明" not in strings and "@example.com" not in strings
    login_as(client, company.learner)
    assert client.get("/reports/export/roster.xlsx").status_code == 403
    login_as(client, company.manager)
    assert client.get("/reports/export/team.pdf").status_code == 404
