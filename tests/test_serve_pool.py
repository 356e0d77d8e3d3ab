"""A gunicorn worker starts with no database connection inherited from the master process."""

from __future__ import annotations

from flask import Flask

from lms.extensions import db
from lms.serve import fresh_connections


def test_a_new_worker_drops_the_inherited_pool(app):
    with app.app_context():
        db.engine.dispose()
        pooled = db.engine.raw_connection()
        inherited = pooled.driver_connection
        pooled.close()  # back to the pool, as the master process would leave it
        assert db.engine.pool.checkedin() == 1
    fresh_connections(app)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
    inherited.close()  # the master's to close, not the worker's


def test_an_app_without_a_database_is_left_alone():
    fresh_connections(Flask("hello"))
