"""The PostgreSQL plans of every page the load benchmark measures: which statements scan a table.

    python bench/explain.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench5000

Requests each page of `bench/load.py` once in-process (as its hire or manager, after a warm-up
request), runs EXPLAIN on each SELECT it sent, with the same parameters, and prints the sequential
scans found, by page, with the table's estimated rows (run ANALYZE first). Exits 1 when a page
scans an activity table (the tables that grow with what learners do) holding at least
`POPULATED` rows, 0 otherwise: the planner rightly scans a table that is empty or tiny. Reads
only; no server is started.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import SECRET, choose_pages  # noqa: E402

ACTIVITY_TABLES = {
    "quiz_attempts",
    "quiz_answers",
    "quiz_question_results",
    "quiz_attempt_grants",
    "scenario_runs",
    "scenario_steps",
    "scenario_open_replies",
    "lesson_completions",
    "evidence",
    "mastery",
    "signoffs",
    "checkins",
    "notifications",
    "execution_days",
    "day_plans",
    "audit_events",
}
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
POPULATED = 1000


def explain_pages(database: str) -> dict[str, list[tuple[str, str]]]:
    """(table, statement) of each sequential scan, by page."""
    from lms import create_app
    from lms.extensions import db
    from lms.people.models import User

    hire_email, manager_email, pages = choose_pages(database, None)
    emails = {"hire": hire_email, "manager": manager_email}
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET})
    found: dict[str, list[tuple[str, str]]] = {}
    with app.app_context():
        ids = {
            who: db.session.scalar(sa.select(User).where(User.email == email)).get_id()
            for who, email in emails.items()
        }
        engine = db.engine
    for page in pages:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids[page.who]
            session["_fresh"] = True
        client.get(page.path)
        sent: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, params, _context, _many, sent=sent) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                sent.append((statement, params))

        event.listen(engine, "before_cursor_execute", record)
        try:
            client.get(page.path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        scans: list[tuple[str, str]] = []
        with engine.connect() as connection:
            for statement, params in sent:
                plan = connection.exec_driver_sql("EXPLAIN " + statement, params).scalars().all()
                for table in SEQ_SCAN.findall("\n".join(plan)):
                    scans.append((table, " ".join(statement.split())[:160]))
        found[page.name] = scans
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL of a generated company")
    args = parser.parse_args(argv)
    if not args.database.startswith("postgresql"):
        parser.error("the plans checked are PostgreSQL's")
    found = explain_pages(args.database)
    engine = sa.create_engine(args.database)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(sa.text("SELECT relname, reltuples::bigint FROM pg_class")).all()
        )
    engine.dispose()
    bad = False
    for page, scans in found.items():
        activity = [
            (table, sql)
            for table, sql in scans
            if table in ACTIVITY_TABLES and rows.get(table, 0) >= POPULATED
        ]
        bad = bad or bool(activity)
        tables = sorted({table for table, _ in scans})
        listed = ", ".join(f"{table} ({max(rows.get(table, 0), 0):,})" for table in tables)
        print(f"{page:<20} seq scans: {listed or 'none'}")
        for table, sql in activity:
            print(f"    {table}: {sql}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
