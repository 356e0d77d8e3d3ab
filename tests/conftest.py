"""Shared fixtures: an isolated database per test session (SQLite, or PostgreSQL when
LMS_TEST_DATABASE_URL is set), an app and client per test, factories and a query counter.

LMS_REQUIRE_ALL_TESTS=1 (set by .ci/run) turns the skips for a missing browser, PostgreSQL or
Redis into failures."""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from lms import create_app
from lms.auth.models import TwoFactor
from lms.auth.passwords import hash_password
from lms.auth.two_factor import encrypt_secret
from lms.database import count_queries
from lms.extensions import db as _db
from lms.people.models import User
from lms.timeutil import utcnow
from tests.helpers import (
    DEFAULT_POSTGRES_URL,
    TEST_PASSWORD,
    TEST_SECRET,
    TEST_TOTP_SECRET,
    skip_or_fail,
)


@contextlib.contextmanager
def temporary_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database next to `admin_url`'s and drop it afterwards."""
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"lms_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        engine.dispose()
        skip_or_fail(f"PostgreSQL is not reachable at {url.render_as_string()}: {error.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def postgres_admin_url() -> str:
    return os.environ.get("LMS_TEST_DATABASE_URL") or os.environ.get(
        "LMS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    with temporary_postgres_database(url) as test_url:
        yield test_url


def make_config(database_url: str, instance_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory) -> None:
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The fixtures keep an app context open for the test body; Flask would reuse it for requests,
    sharing `g` (the logged-in user) and the database session between requests and the test.
    Here the test's transaction is committed before each request (so SQLite's write lock is free)
    and its objects are expired afterwards (so the test reads what the request wrote)."""

    def open(self, *args, **kwargs):
        _db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            _db.session.expire_all()


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def app(_schema, database_url, tmp_path, app_config):
    app = create_app(make_config(database_url, tmp_path / "instance", **app_config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One real argon2id hash for every test user: hashing per user would slow the suite."""
    return hash_password(TEST_PASSWORD)


class UserFactory:
    _numbers = itertools.count(1)

    def __init__(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def __call__(
        self,
        email: str | None = None,
        *,
        name: str | None = None,
        roles: tuple[str, ...] | set[str] = (),
        manager: User | None = None,
        start_date: date | None = None,
        locale: str | None = None,
        active: bool = True,
        two_factor: bool | None = None,
    ) -> User:
        """`two_factor`: enrol the person with TEST_TOTP_SECRET; by default admins are enrolled
        (as they must be) and nobody else is."""
        number = next(self._numbers)
        user = User(
            email=(email or f"person{number}@example.com").lower(),
            name=name or f"Person {number}",
            password_hash=self.password_hash,
            manager_id=manager.id if manager else None,
            start_date=start_date,
            locale=locale,
            active=active,
        )
        user.set_roles(set(roles))
        _db.session.add(user)
        _db.session.flush()
        if two_factor if two_factor is not None else "admin" in user.roles:
            _db.session.add(
                TwoFactor(
                    user_id=user.id,
                    secret_encrypted=encrypt_secret(TEST_TOTP_SECRET),
                    enabled_at=utcnow(),
                )
            )
        _db.session.commit()
        return user


@pytest.fixture
def make_user(app, password_hash) -> UserFactory:
    return UserFactory(password_hash)


@pytest.fixture
def queries(app):
    """`with queries() as statements:` collects the SQL statements run inside the block."""
    return lambda: count_queries(_db.engine)
