"""The `lms` console script as an operator runs it: init, demo and serve in real processes."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import TEST_SECRET


def lms(*args: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from lms.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    environment.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_SECRET_KEY=TEST_SECRET,
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'lms.db'}",
    )
    return environment


def test_init_creates_and_then_upgrades_the_database(env):
    first = lms("init", env=env)
    assert first.returncode == 0, first.stderr
    assert "database ready: sqlite:///" in first.stdout
    assert lms("init", env=env).returncode == 0


def test_init_reports_an_unreachable_database_in_one_line(env):
    env["LMS_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    result = lms("init", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_one_line(env):
    env["LMS_MASTERY_WEIGHT"] = "2"
    result = lms("init", env=env)
    assert result.returncode == 1
    assert "LMS_MASTERY_WEIGHT: must be greater than 0 and at most 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_builds_a_fresh_company_and_prints_the_accounts(env, tmp_path):
    result = lms("demo", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    for email in (
        "admin@example.com",
        "trainer@example.com",
        "manager@example.com",
        "learner@example.com",
    ):
        assert email in result.stdout
    assert "change-me-now" in result.stdout
    assert "DEMOADMINTOTPKEYAAAAAAAAAAAAAAAA" in result.stdout  # the demo admin's second factor
    assert (tmp_path / "instance" / "demo.db").exists()
    for made in (tmp_path / "instance").iterdir():
        expected = 0o700 if made.is_dir() else 0o600
        assert stat.S_IMODE(made.stat().st_mode) == expected, made
    again = lms("demo", env=env)  # always fresh: a second run starts over
    assert again.returncode == 0, again.stderr[-2000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_and_answers_healthz(env):
    assert lms("init", env=env).returncode == 0
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from lms.cli import main; main()",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body == '{"status":"ok"}\n'
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()


@pytest.mark.parametrize(
    ("args", "served_on"),
    [
        ([], None),
        (["--serve"], 5000),
        (["--port", "8080"], 8080),
        (["--serve", "--port", "81"], 81),
    ],
)
def test_demo_serves_when_asked_or_given_a_port(runner, monkeypatch, tmp_path, args, served_on):
    import types

    import lms.demo
    import lms.serve

    served: list[str] = []
    monkeypatch.setenv("LMS_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(lms.demo, "build_demo", lambda: types.SimpleNamespace(log=[]))
    monkeypatch.setattr(lms.serve, "run_gunicorn", lambda app, bind, **kw: served.append(bind))
    database = f"sqlite:///{tmp_path / 'demo.db'}"

    result = runner.invoke(args=["lms", "demo", "--database", database, *args])

    assert result.exit_code == 0, result.output
    assert served == ([f"127.0.0.1:{served_on}"] if served_on else [])
