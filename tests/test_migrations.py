"""The migrations build the same schema as the models, on SQLite and on PostgreSQL."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade

from lms import MIGRATIONS_DIR, create_app
from lms.cli import upgrade_database
from lms.extensions import db
from tests.conftest import make_config, temporary_postgres_database
from tests.helpers import DEFAULT_POSTGRES_URL


def _upgrade_and_compare(url: str, tmp_path) -> list:
    app = create_app(make_config(url, tmp_path / "instance"))
    with app.app_context():
        upgrade_database()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        upgrade_database()  # a second upgrade is a no-op
        downgrade(directory=str(MIGRATIONS_DIR), revision="base")
        upgrade_database()
        db.engine.dispose()
    return differences


def test_sqlite_upgrade_to_head_matches_the_models(tmp_path):
    assert _upgrade_and_compare(f"sqlite:///{tmp_path / 'm.db'}", tmp_path) == []


@pytest.mark.postgres
def test_postgresql_upgrade_to_head_matches_the_models(tmp_path):
    admin = os.environ.get("LMS_TEST_DATABASE_URL") or os.environ.get(
        "LMS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL
    )
    with temporary_postgres_database(admin) as url:
        assert _upgrade_and_compare(url, tmp_path) == []
