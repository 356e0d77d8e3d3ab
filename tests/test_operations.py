import sqlalchemy as sa

from lms import create_app
from lms.people.models import User
from tests.conftest import make_config


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        make_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "instance")
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"


def test_unexpected_errors_render_the_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "kaboom" not in body and "Traceback" not in body


def test_create_user_command(runner, db):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--password",
            "a sound passphrase",
            "--role",
            "admin",
            "--role",
            "manager",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created boss@example.com (admin, manager)" in result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.roles == {"admin", "manager"}
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "rep@example.com",
            "--name",
            "Rep",
            "--password",
            "another sound one",
            "--manager",
            "boss@example.com",
            "--start-date",
            "2026-11-01",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalars(sa.select(User).where(User.email == "rep@example.com")).one().manager_id
        == user.id
    )


def test_create_user_command_errors_are_one_readable_line(runner):
    cases = [
        (
            ["x@example.com", "--name", "X", "--password", "password1"],
            "error: password: This password is too common",
        ),
        (
            ["not-an-email", "--name", "X", "--password", "a sound passphrase"],
            "error: email: Enter a valid e-mail address.",
        ),
        (
            ["x@example.com", "--name", " ", "--password", "a sound passphrase"],
            "error: name: Enter a name.",
        ),
        (
            [
                "x@example.com",
                "--name",
                "X",
                "--password",
                "a sound passphrase",
                "--manager",
                "ghost@example.com",
            ],
            "error: --manager: no person with e-mail ghost@example.com",
        ),
        (
            [
                "x@example.com",
                "--name",
                "X",
                "--password",
                "a sound passphrase",
                "--start-date",
                "soon",
            ],
            "error: --start-date: 'soon' is not a date like 2026-03-31",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(args=["lms", "create-user", *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "x@example.com",
            "--name",
            "X",
            "--password",
            "a sound passphrase",
            "--role",
            "boss",
        ]
    )
    assert result.exit_code == 2, result.output
    assert "boss" in result.output and "Traceback" not in result.output
    assert all(role in result.output for role in ("trainer", "manager", "admin"))
