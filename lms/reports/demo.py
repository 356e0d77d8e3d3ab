"""Demo step: so that each demo team shows all four quadrants on first start, two hires per team
struggle with the first phase's quizzes (they retake them and fail, through the quiz services,
in the last days): Priya Nair and 李娜 plan and review reliably but "cannot" yet, Lena Park and
Omar Haddad also let their plans slip ("both"). Tom Becker and 张伟 are on track, Ana Silva and
陈杰 are able but plan-keeping lags ("will not"), Sam Ortiz is too new to judge."""

from __future__ import annotations

import random
import zlib
from datetime import datetime, time, timedelta

from lms.demo import DemoContext
from lms.quizzes.services import QuizError

STRUGGLING = ("priya.nair@example.com", "li.na@example.com", "learner@example.com")
STRUGGLING_TOO = ("omar.haddad@example.com",)
QUIZZES = (
    "execution-foundations-check",
    "time-priorities-check",
    "smart-goals-check",
    "time-habits-check",
    "sales-process-check",
    "objection-handling-check",
)
TRIES = 3


def diagnosis_story(context: DemoContext) -> None:
    from lms.quizzes.demo import take

    failed = 0
    for email in (*STRUGGLING, *STRUGGLING_TOO):
        user = context.people.get(email)
        if user is None or user.start_date is None:
            continue
        rng = random.Random(zlib.crc32(f"reports:{email}".encode()))
        for number, slug in enumerate(QUIZZES):
            for attempt in range(TRIES):
                back = 1 + number + attempt * len(QUIZZES)
                day = max(user.start_date, context.today - timedelta(days=back))
                when = datetime.combine(day, time(9 + number))
                try:
                    take(user.id, slug, when, rng, chance=0.1, passing=False)
                except QuizError:
                    break
                failed += 1
    context.log.append(f"{failed} failed quiz retakes of struggling hires")


def weekly_snapshots(context: DemoContext) -> None:
    """The reports' weekly rollup rebuilt from the history the other steps wrote, so that the
    progress and cohort pages have every week since each hire's start."""
    from lms.reports.snapshots import rebuild

    now = datetime.combine(context.today, time(7))
    context.log.append(f"{rebuild(now)} weekly report snapshots")
