"""Benchmark of `lms import`: a large tree into an empty database, then the same tree again.

    python bench/import_bench.py [--content DIR] [--database URL] [--no-memory]

Without --content, the tree of bench/make_content.py (500 lessons, 100 quizzes of 20
questions, 100 scenarios of 15 nodes, bilingual) is generated into a temporary folder. Without
--database, an empty SQLite file in a temporary folder is used; with a PostgreSQL URL, an empty
database is created next to the one named (the URL's user must be allowed to create databases)
and dropped afterwards, so the database in the URL is never touched.

Each phase runs in one transaction, as `lms import` does, and is timed with
time.perf_counter. Peak memory is measured in a second pass on a fresh database with
tracemalloc (Python allocations; tracemalloc slows Python down, so those passes are not timed).
The re-import must report every object unchanged, write no row (no INSERT, UPDATE or DELETE
statement), render no Markdown and leave the number of versions as it was; the benchmark fails
otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_content import make_tree  # noqa: E402
from lms import create_app  # noqa: E402
from lms.content import markdown as renderer  # noqa: E402
from lms.content.importer import import_content  # noqa: E402
from lms.content.models import ContentVersion  # noqa: E402
from lms.content.store import Change  # noqa: E402
from lms.database import count_queries  # noqa: E402
from lms.extensions import db  # noqa: E402

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Phase:
    seconds: float | None = None
    peak_bytes: int | None = None
    statements: int = 0
    writes: int = 0
    renders: int = 0
    objects: int = 0
    changed: int = 0


@contextlib.contextmanager
def empty_database(url: str | None, scratch: Path, name: str) -> Iterator[str]:
    """An empty database for one pass: a SQLite file, or a fresh PostgreSQL database."""
    if url is None or url.startswith("sqlite"):
        yield f"sqlite:///{scratch / (name + '.db')}"
        return
    admin = make_url(url).set(drivername="postgresql+psycopg")
    database = f"lms_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    try:
        yield admin.set(database=database).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        engine.dispose()


def count_versions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContentVersion))


def run_import(content: Path, *, memory: bool) -> Phase:
    """One `lms import` of `content` in one transaction, measured."""
    phase = Phase()
    renders = [0]
    real_render = renderer.render_markdown

    def counting_render(source: str) -> str:
        renders[0] += 1
        return real_render(source)

    renderer.render_markdown = counting_render
    try:
        with count_queries(db.engine) as statements:
            if memory:
                tracemalloc.start()
            started = time.perf_counter()
            report = import_content([content / "courses", content / "scenarios"])
            if not report.ok:
                raise SystemExit("\n".join(str(error) for error in report.errors[:20]))
            db.session.commit()
            elapsed = time.perf_counter() - started
            if memory:
                phase.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                phase.seconds = elapsed
    finally:
        renderer.render_markdown = real_render
    phase.statements = len(statements)
    phase.writes = sum(1 for s in statements if s.lstrip().upper().startswith(WRITES))
    phase.renders = renders[0]
    phase.objects = len(report.changes)
    phase.changed = sum(1 for line in report.changes if line.change != Change.UNCHANGED)
    return phase


def passes(content: Path, url: str | None, scratch: Path, *, memory: bool) -> tuple[Phase, Phase]:
    """First import into an empty database, then the same files again; checks the second."""
    with empty_database(url, scratch, "memory" if memory else "timing") as database:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database,
                "SECRET_KEY": "bench-" + "x" * 40,
                "INSTANCE_PATH": str(scratch / "instance"),
            }
        )
        with app.app_context():
            db.create_all()
            first = run_import(content, memory=memory)
            versions = count_versions()
            again = run_import(content, memory=memory)
            problems = []
            if again.changed:
                problems.append(f"{again.changed} objects changed on re-import")
            if again.writes:
                problems.append(f"{again.writes} write statements on re-import")
            if again.renders:
                problems.append(f"{again.renders} Markdown renders on re-import")
            if count_versions() != versions:
                problems.append(f"versions went from {versions} to {count_versions()}")
            db.session.remove()
            db.engine.dispose()
    if problems:
        raise SystemExit("re-import is not a no-op: " + "; ".join(problems))
    first.objects = versions
    return first, again


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, help="a folder holding courses/ and scenarios/")
    parser.add_argument("--database", help="sqlite:///... or postgresql://user@host/db")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        scratch = Path(tmp)
        content = args.content
        if content is None:
            started = time.perf_counter()
            content = make_tree(scratch / "content")
            print(f"generated the content tree in {time.perf_counter() - started:.1f} s")
        files = sum(1 for path in content.rglob("*") if path.is_file())
        kind = "PostgreSQL" if args.database and args.database.startswith("postg") else "SQLite"
        print(f"content: {files} files in {content}; database: {kind}")

        first, again = passes(content, args.database, scratch, memory=False)
        if not args.no_memory:
            first_memory, again_memory = passes(content, args.database, scratch, memory=True)
            first.peak_bytes, again.peak_bytes = first_memory.peak_bytes, again_memory.peak_bytes

    def mib(value: int | None) -> str:
        return "-" if value is None else f"{value / 1024 / 1024:.1f} MiB"

    header = ("seconds", 9), ("peak memory", 14), ("statements", 12), ("writes", 8), ("renders", 9)
    print(f"{'phase':<22}" + "".join(f"{name:>{width}}" for name, width in header))
    for label, phase in (("first import", first), ("re-import (unchanged)", again)):
        print(
            f"{label:<22}{phase.seconds:>9.2f}{mib(phase.peak_bytes):>14}"
            f"{phase.statements:>12}{phase.writes:>8}{phase.renders:>9}"
        )
    print(f"versions stored: {first.objects}, unchanged on re-import: {again.objects}")
    print(f"re-import / first import: {again.seconds / first.seconds:.3f} of the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
