"""Load benchmark: the pages hires and managers use, measured beside a bare Flask app.

    python bench/make_company.py --database URL          # once: a company to measure
    python bench/load.py --database URL [--seconds 4] [--rate 50] [--clients 8]

Starts `lms serve` (gunicorn, --workers, 2 by default) on the database and a bare Flask "hello"
app under the same gunicorn settings, both on 127.0.0.1, signs in as a hire and as the manager
of the hire's team, and measures, page by page:

- throughput: --clients keep-alive clients request the page as fast as it answers for
  --seconds; hello is measured the same way right before and after each page, and the page's
  share is its requests per second over the mean of those two hello figures (the machine's
  load changes over a run; adjacent measurements share it);
- latency at a fixed offered rate: --rate requests per second for --seconds, each sent at its
  scheduled moment whatever the answers before it (an open loop), latency counted from that
  moment, so queueing shows: p50, p95, p99;
- SQL statements: one request of the page in-process, counted on the engine.

It prints one table, then the goals it checks, and exits 1 when a goal is missed (and 2 when a
page does not answer 200). Every request goes to 127.0.0.1; each phase stops after --seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_company import PASSWORD  # noqa: E402

HOST = "127.0.0.1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET = "bench-load-" + "x" * 40
SESSION_COOKIE = "lms_session"

# (page, share of hello it must reach); every page must also keep p95 under P95_GOAL_MS at the
# offered rate and run at most QUERY_GOAL statements.
SHARE_GOALS = {"/team": 0.10, "/learn": 0.15, "lesson": 0.25}
P95_GOAL_MS = 100.0
QUERY_GOAL = 8


@dataclass
class Page:
    name: str
    path: str
    who: str  # "hire" or "manager"


@dataclass
class Result:
    page: Page
    status: int = 0
    rps: float = 0.0
    hello_rps: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statements: int | None = None

    @property
    def share(self) -> float:
        return self.rps / self.hello_rps if self.hello_rps else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# --- servers ------------------------------------------------------------------------------------


def hello_app():
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello():
        return "hello"

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer within {seconds:.0f} s")


def start_servers(
    database: str, workers: int
) -> tuple[subprocess.Popen, int, subprocess.Popen, int]:
    env = dict(
        os.environ, LMS_DATABASE_URL=database, LMS_SECRET_KEY=SECRET, LMS_LOG_LEVEL="WARNING"
    )
    env["LMS_LOGIN_RATE_LIMIT"] = "1000 per minute"
    lms_port, hello_port = _free_port(), _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    lms = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from lms.cli import main; main()",
            "serve",
            "--bind",
            f"{HOST}:{lms_port}",
            "--workers",
            str(workers),
        ],
        env=env,
        **quiet,
    )
    hello = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, '.');"
            "from bench.load import hello_app; from lms.serve import run_gunicorn;"
            f"run_gunicorn(hello_app(), '{HOST}:{hello_port}', {workers})",
        ],
        env=env,
        cwd=str(Path(__file__).resolve().parent.parent),
        **quiet,
    )
    _wait_for(lms_port, "/healthz")
    _wait_for(hello_port, "/")
    return lms, lms_port, hello, hello_port


# --- a signed-in client -------------------------------------------------------------------------


def sign_in(port: int, email: str) -> str:
    """The session cookie of `email` (signed in through the login form, as a browser would)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    body = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    token = CSRF_RE.search(body)
    form = {"email": email, "password": PASSWORD}
    if token:
        form["csrf_token"] = token.group(1)
    connection.request(
        "POST",
        "/login",
        body=urllib.parse.urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    session = [c for c in cookies if c.startswith(SESSION_COOKIE + "=")]
    if response.status not in (302, 303) or not session:
        raise SystemExit(f"could not sign in as {email} (status {response.status})")
    connection.close()
    return session[-1]


# --- measuring ----------------------------------------------------------------------------------


def drain(port: int, seconds: float = 60) -> None:
    """Wait until the server has worked through requests left queued by a phase (their clients
    gave up, the server still answers them) so that they do not slow the next measurement."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=seconds)
            _get(connection, "/healthz", None)
            connection.close()
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() - started < 0.05:
            return


def _get(connection: http.client.HTTPConnection, path: str, cookie: str | None) -> int:
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    return response.status


def throughput(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> float:
    """Requests per second answered 200 by `clients` closed-loop keep-alive clients."""
    done = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < stop_at:
            try:
                if _get(connection, path, cookie) == 200:
                    done[index] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def open_loop(
    port: int, path: str, cookie: str | None, rate: float, seconds: float
) -> tuple[list[float], int]:
    """Latencies (ms, from each request's scheduled moment) at `rate` requests per second."""
    count = int(rate * seconds)
    start = time.monotonic() + 0.2
    schedule = [start + n / rate for n in range(count)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_index = [0]
    deadline = start + seconds + 10  # requests still queued 10 s after the last is sent give up

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=15)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= count:
                break
            due = schedule[index]
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() > deadline:
                errors[0] += 1
                continue
            try:
                status = _get(connection, path, cookie)
                elapsed = (time.monotonic() - due) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=15)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(min(64, max(8, int(rate))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


# --- the pages ------------------------------------------------------------------------------------


def choose_pages(database: str, hire_email: str | None) -> tuple[str, str, list[Page]]:
    """A hire in a team of about 50, their manager, and the pages they use, with real ids."""
    from lms import create_app
    from lms.content.store import current_versions, load
    from lms.extensions import db
    from lms.people.models import User
    from lms.planning.models import DayPlan

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET})
    with app.app_context():
        if hire_email:
            hire = db.session.scalar(sa.select(User).where(User.email == hire_email))
        else:
            team_sizes = (
                sa.select(User.manager_id, sa.func.count().label("n"))
                .where(User.manager_id.is_not(None), User.start_date.is_not(None))
                .group_by(User.manager_id)
                .subquery()
            )
            manager_id = db.session.scalar(
                sa.select(team_sizes.c.manager_id)
                .order_by(sa.func.abs(team_sizes.c.n - 50), team_sizes.c.manager_id)
                .limit(1)
            )
            # the first hire of the team who keeps plans, so the plan pages show a history
            planned = sa.exists().where(
                DayPlan.user_id == User.id, DayPlan.reviewed_at.is_not(None)
            )
            hire = db.session.scalar(
                sa.select(User)
                .where(User.manager_id == manager_id)
                .order_by(planned.desc(), User.id)
                .limit(1)
            )
        if hire is None or hire.manager is None:
            raise SystemExit("no hire with a manager in this database: run make_company.py")
        lesson = next(iter(current_versions("lesson").values()))
        quiz = next(iter(current_versions("quiz")))
        drill = next(iter(current_versions("scenario")))
        lesson_doc = load(lesson)
        pages = [
            Page("/learn", "/learn", "hire"),
            Page("/onboarding", "/onboarding", "hire"),
            Page("/skills", "/skills", "hire"),
            Page("/courses", "/courses", "hire"),
            Page("lesson", f"/courses/{lesson_doc.course_id}/lessons/{lesson_doc.id}", "hire"),
            Page("quiz", f"/quizzes/{quiz}", "hire"),
            Page("drill", f"/scenarios/{drill}", "hire"),
            Page("/notifications", "/notifications", "hire"),
            Page("/team", "/team", "manager"),
            Page("/team/<user_id>", f"/team/{hire.id}", "manager"),
            Page("/skills/<user_id>", f"/skills/{hire.id}", "manager"),
        ]
        for optional in ("/plan", "/plan/week", "/plan/history", "/team/skills"):
            if any(rule.rule == optional for rule in app.url_map.iter_rules()):
                pages.append(Page(optional, optional, "manager" if "team" in optional else "hire"))
        # the review of the hire's latest planned day (a review is open for two weeks)
        reviewed = db.session.scalar(
            sa.select(sa.func.max(DayPlan.day)).where(
                DayPlan.user_id == hire.id,
                DayPlan.planned_at.is_not(None),
                DayPlan.day >= date.today() - timedelta(days=14),
                DayPlan.day <= date.today(),
            )
        )
        if reviewed is not None:
            pages.append(Page("/plan/review", f"/plan/review?day={reviewed.isoformat()}", "hire"))
        result = hire.email, hire.manager.email, pages
        db.engine.dispose()
    return result


def count_statements(database: str, pages: Sequence[Page], emails: dict[str, str]) -> dict:
    """SQL statements of one request of each page, in-process (after one warm-up request)."""
    from lms import create_app
    from lms.database import count_queries
    from lms.extensions import db
    from lms.people.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET})
    counts: dict[str, int] = {}
    with app.app_context():
        users = {
            who: db.session.scalar(sa.select(User).where(User.email == email))
            for who, email in emails.items()
        }
        engine = db.engine
    for page in pages:
        client = app.test_client()
        with client.session_transaction() as session:
            user = users[page.who]
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        client.get(page.path)
        with count_queries(engine) as statements:
            client.get(page.path)
        counts[page.name] = len(statements)
    return counts


# --- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    hire_email, manager_email, pages = choose_pages(args.database, args.hire)
    if args.only:
        pages = [page for page in pages if page.name in args.only]
    emails = {"hire": hire_email, "manager": manager_email}
    statements = {} if args.no_queries else count_statements(args.database, pages, emails)
    lms, lms_port, hello, hello_port = start_servers(args.database, args.workers)
    results: list[Result] = []
    try:
        cookies = {who: sign_in(lms_port, email) for who, email in emails.items()}
        hello_before = throughput(hello_port, "/", None, args.clients, args.seconds)
        for page in pages:
            result = Result(page, statements=statements.get(page.name))
            connection = http.client.HTTPConnection(HOST, lms_port, timeout=60)
            try:
                result.status = _get(connection, page.path, cookies[page.who])
            except (OSError, http.client.HTTPException):
                result.status = 0  # no answer within a minute
            connection.close()
            if result.status == 200:
                result.rps = throughput(
                    lms_port, page.path, cookies[page.who], args.clients, args.seconds
                )
                hello_after = throughput(hello_port, "/", None, args.clients, args.seconds)
                result.hello_rps = (hello_before + hello_after) / 2
                hello_before = hello_after
                result.latencies_ms, result.errors = open_loop(
                    lms_port, page.path, cookies[page.who], args.rate, args.seconds
                )
                drain(lms_port)
            results.append(result)
            print(f"  measured {page.name}", file=sys.stderr)
    finally:
        for process in (lms, hello):
            process.terminate()
            process.wait(timeout=30)
    return report(results, args)


def report(results: list[Result], args: argparse.Namespace) -> int:
    print(
        f"\n{'page':<20} {'SQL':>4} {'req/s':>8} {'hello':>8} {'share':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}   (at {args.rate:g} req/s)"
    )
    missed: list[str] = []
    broken = False
    for r in results:
        sql = "-" if r.statements is None else str(r.statements)
        if r.status != 200:
            answer = f"answered {r.status}" if r.status else "no answer within 60 s"
            print(f"{r.page.name:<20} {sql:>4}   {answer}")
            broken = True
            continue
        print(
            f"{r.page.name:<20} {sql:>4} {r.rps:>8.1f} {r.hello_rps:>8.1f} {r.share:>7.1%} "
            f"{r.percentile(50):>8.1f} {r.percentile(95):>8.1f} {r.percentile(99):>8.1f} "
            f"{r.errors:>6}"
        )
        goal = SHARE_GOALS.get(r.page.name)
        if goal is not None and r.share < goal:
            missed.append(f"{r.page.name}: {r.share:.1%} of hello, goal {goal:.0%}")
        if not r.latencies_ms or r.percentile(95) > P95_GOAL_MS or r.errors:
            missed.append(
                f"{r.page.name}: p95 {r.percentile(95):.0f} ms at {args.rate:g} req/s "
                f"({r.errors} errors), goal under {P95_GOAL_MS:.0f} ms"
            )
        if r.statements is not None and r.statements > QUERY_GOAL:
            missed.append(f"{r.page.name}: {r.statements} SQL statements, goal {QUERY_GOAL}")
    if statistics.mean([r.hello_rps for r in results if r.hello_rps] or [0]):
        mean_hello = statistics.mean([r.hello_rps for r in results if r.hello_rps])
        print(f"\nhello (bare Flask, same gunicorn settings): {mean_hello:.0f} req/s on average")
    print("\ngoals missed:" if missed else "\nevery goal met")
    for line in missed:
        print(f"  {line}")
    if broken:
        return 2
    return 1 if missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="URL of a company from make_company.py")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each phase")
    parser.add_argument("--rate", type=float, default=50.0, help="offered requests per second")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop keep-alive clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument(
        "--hire", default=None, help="e-mail of the hire (default: one in a team of about 50)"
    )
    parser.add_argument("--no-queries", action="store_true", help="skip counting statements")
    parser.add_argument(
        "--only", action="append", default=[], help="measure only this page (name as in the table)"
    )
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 60 and 0 < args.rate <= 500 and 0 < args.clients <= 64):
        parser.error("--seconds in (0, 60], --rate in (0, 500], --clients in (0, 64]")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
