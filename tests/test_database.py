"""Writes on SQLite start with BEGIN IMMEDIATE, so concurrent read-then-write loses nothing."""

import threading

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.people.models import User


def test_concurrent_read_then_write_loses_no_update(app, db, make_user):
    user_id = make_user().id
    db.session.commit()  # end the read transaction this thread opened
    engine = db.engine
    workers, rounds = 4, 15
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(rounds):
                with Session(engine) as session, session.begin():
                    statement = sa.select(User).where(User.id == user_id)
                    if engine.dialect.name == "postgresql":
                        statement = statement.with_for_update()
                    row = session.scalars(statement).one()
                    row.session_version = row.session_version + 1
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.session.expire_all()
    assert db.session.get(User, user_id).session_version == 1 + workers * rounds


def test_sqlite_pragmas(app, db):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_foreign_keys_are_enforced(app, db):
    db.session.add(User(email="x@example.com", name="X", manager_id=987654))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a manager id that does not exist was accepted")


def test_email_must_be_lower_case_in_the_database(app, db):
    db.session.add(User(email="Mixed@Example.com", name="X"))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("an upper-case e-mail was stored")
