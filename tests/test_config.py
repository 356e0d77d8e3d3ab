import os
import stat

import pytest

from lms import create_app
from lms.config import (
    ConfigError,
    load_or_create_secret_key,
    normalize_database_url,
    settings_from_environ,
    settings_table_markdown,
)


def test_secret_key_is_generated_once_with_mode_0600(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert first == second and len(first) >= 48
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_app_without_secret_uses_the_instance_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    app = create_app(config)
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert create_app(config).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_environment_overrides_defaults_and_test_config_overrides_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment-" + "k" * 20)
    monkeypatch.setenv("LMS_MASTERY_WEIGHT", "0.5")
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://u:p@db.internal/lms")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "MASTERY_WEIGHT": 0.8})
    assert app.config["SECRET_KEY"].startswith("from-the-environment-")
    assert app.config["MASTERY_WEIGHT"] == 0.8
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/lms"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/lms.db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LMS_MASTERY_WEIGHT", "1.5", "LMS_MASTERY_WEIGHT: must be greater than 0"),
        ("LMS_MASTERY_WEIGHT", "heavy", "LMS_MASTERY_WEIGHT: could not convert"),
        ("LMS_BEHIND_HTTPS_PROXY", "maybe", "LMS_BEHIND_HTTPS_PROXY: expected true or false"),
        ("LMS_LOGIN_MAX_FAILURES", "-3", "LMS_LOGIN_MAX_FAILURES: must not be negative"),
    ],
)
def test_a_bad_setting_is_named(name, value, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_environ({name: value})


def test_tests_must_pass_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})


def test_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgres://a@h/d") == "postgresql+psycopg://a@h/d"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_readme_settings_table_is_current():
    path = os.path.join(os.path.dirname(__file__), "..", "README.md")
    with open(path, encoding="utf-8") as handle:
        readme = handle.read()
    start, end = "<!-- settings -->\n", "<!-- /settings -->"
    table = readme[readme.index(start) + len(start) : readme.index(end)]
    assert table == settings_table_markdown(), "run `python -m lms.config` and paste the table"
