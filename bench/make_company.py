"""Generate a company of the size the scale benchmarks need, through bulk inserts.

    python bench/make_company.py --hires 5000 --teams 100 --evidence 1000000 --database URL

The database must be empty (or pass --replace to drop everything in it first). The shipped
curriculum (courses/ and scenarios/) is imported through the importer; then people, teams,
enrollments and history are written with multi-row inserts, a batch of hires at a time:

- an admin, a trainer, one director per ten teams, a manager per team and the hires spread over
  the teams, all with one password (`change-me-now`, hashed once);
- every hire enrolled on `new-sales-rep`, started 0-120 days ago;
- for every path item whose due day has come: lessons read, quiz attempts and drill runs scored
  by the real scoring code (lms.quizzes.scoring, lms.scenarios.scoring) from answers drawn
  around the hire's own ability, field tasks signed off, check-ins held, a few notifications;
- more drill runs (practice replays) until the evidence log reaches --evidence rows;
- the evidence of each attempt and run, as the services record it, and the mastery that
  `lms recompute-mastery` computes from it (it is run at the end);
- daily plans over the hire's past working days (a share of hires never plans; the others plan a
  share of their days, with two to five priorities, some of them path items still open, time
  blocks, customers and planned activity counts), most of them reviewed (done, partly, moved to
  the next working day or dropped with a reason, actual counts, what was learned; some reviews
  late, some never made or left half done), weekly reviews whose three priorities open the next
  Monday's plan; then the execution rollup (`execution_days`, every day since each hire's start)
  written by the planning code itself, the stored hire statuses (`lms recompute-status`) and the
  weekly report snapshots (`lms reports rebuild`).

A hire's history is drawn from a random generator seeded with --seed and the hire's number, so
the same arguments give the same company.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app  # noqa: E402
from lms.auth.passwords import hash_password  # noqa: E402
from lms.content import store  # noqa: E402
from lms.content.model import Path as OnboardingPath  # noqa: E402
from lms.content.model import Quiz, Scenario  # noqa: E402
from lms.content.models import ContentVersion  # noqa: E402
from lms.courses.models import LessonCompletion  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.notifications.models import Notification  # noqa: E402
from lms.onboarding.models import CheckIn, Enrollment, SignOff  # noqa: E402
from lms.onboarding.standing import recompute as recompute_statuses  # noqa: E402
from lms.people.models import User, UserRole  # noqa: E402
from lms.planning.measures import refresh_days  # noqa: E402
from lms.planning.models import (  # noqa: E402
    ActivityCount,
    ActivityKind,
    DayPlan,
    PlanPriority,
    WeeklyReview,
)
from lms.planning.services import OUTCOME_POINTS, REASONS, ensure_default_kinds  # noqa: E402
from lms.quizzes.models import QuizAnswer, QuizAttempt, QuizQuestionResult  # noqa: E402
from lms.quizzes.scoring import score_attempt  # noqa: E402
from lms.quizzes.services import draw_layout  # noqa: E402
from lms.reports.snapshots import rebuild as rebuild_snapshots  # noqa: E402
from lms.scenarios.models import RunStatus, ScenarioRun, ScenarioStep  # noqa: E402
from lms.scenarios.scoring import Maxima, score_run  # noqa: E402
from lms.scenarios.services import store_maxima  # noqa: E402
from lms.skills.mastery import recompute_all  # noqa: E402
from lms.skills.models import Evidence, Skill  # noqa: E402

PASSWORD = "change-me-now"
HIRE_PATH = "new-sales-rep"
TEAMS_PER_DIRECTOR = 10
MAX_DAYS_IN = 120
BATCH_HIRES = 250

GIVEN = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn")
FAMILY = ("Smith", "Garcia", "Chen", "Novak", "Okafor", "Rossi", "Kowalski", "Silva", "Berg")
CHINESE = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周婷", "吴斌")


@dataclass(frozen=True)
class CompanySpec:
    hires: int = 5000
    teams: int = 100
    evidence: int = 1_000_000
    seed: int = 7


@dataclass
class CompanyReport:
    people: int = 0
    hires: int = 0
    enrollments: int = 0
    attempts: int = 0
    runs: int = 0
    steps: int = 0
    evidence: int = 0
    lessons_read: int = 0
    signoffs: int = 0
    checkins: int = 0
    notifications: int = 0
    plans: int = 0
    priorities: int = 0
    weekly_reviews: int = 0
    execution_days: int = 0
    weekly_snapshots: int = 0
    mastery_pairs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        counts = {key: value for key, value in vars(self).items() if key != "seconds" and value}
        out = [", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in counts.items())]
        out += [f"{phase}: {seconds:.1f} s" for phase, seconds in self.seconds.items()]
        return out


# --- content ------------------------------------------------------------------------------------


@dataclass
class Activity:
    """One thing of the path a hire may do: what it is, when it is due, what it needs."""

    kind: str
    due_day: int
    item_id: str
    slug: str | None = None
    version: ContentVersion | None = None
    quiz: Quiz | None = None
    scenario: Scenario | None = None
    maxima: Maxima | None = None
    lesson_versions: tuple[ContentVersion, ...] = ()
    title: str = ""


@dataclass
class Catalogue:
    path_version: ContentVersion
    path: OnboardingPath
    activities: list[Activity]
    drills: list[Activity]
    live_skills: frozenset[str]


def load_catalogue() -> Catalogue:
    path_version = store.current_version("path", HIRE_PATH)
    if path_version is None:
        raise SystemExit(f"the path {HIRE_PATH} is not stored: import the curriculum first")
    path = store.load(path_version)
    quizzes = store.current_versions("quiz")
    scenarios = store.current_versions("scenario")
    lessons = store.current_versions("lesson")
    courses = {
        slug: store.load(version) for slug, version in store.current_versions("course").items()
    }
    lessons_by_course: dict[str, list[ContentVersion]] = {}
    titles: dict[str, str] = {}
    for version in lessons.values():
        lessons_by_course.setdefault(store.load(version).course_id, []).append(version)
    activities: list[Activity] = []
    for phase in path.phases:
        for item in phase.items:
            due = item.due_day if item.due_day is not None else (item.day or phase.until_day)
            titles[item.id] = (item.title.get("en") if item.title else "") or item.ref or item.id
            if item.kind == "quiz" and item.ref in quizzes:
                version = quizzes[item.ref]
                activities.append(
                    Activity("quiz", due, item.id, item.ref, version, quiz=store.load(version))
                )
            elif item.kind == "scenario" and item.ref in scenarios:
                version = scenarios[item.ref]
                activities.append(
                    Activity(
                        "scenario",
                        due,
                        item.id,
                        item.ref,
                        version,
                        scenario=store.load(version),
                        maxima=store_maxima(version),
                    )
                )
            elif item.kind == "course" and item.ref in courses:
                activities.append(
                    Activity(
                        "course",
                        due,
                        item.id,
                        item.ref,
                        lesson_versions=tuple(lessons_by_course.get(item.ref, ())),
                    )
                )
            elif item.kind in ("task", "checkin"):
                activities.append(Activity(item.kind, due, item.id))
    for activity in activities:
        activity.title = titles[activity.item_id]
    live = frozenset(db.session.scalars(sa.select(Skill.id).where(Skill.retired_at.is_(None))))
    return Catalogue(
        path_version=path_version,
        path=path,
        activities=activities,
        drills=[activity for activity in activities if activity.kind == "scenario"],
        live_skills=live,
    )


# --- people -------------------------------------------------------------------------------------


def _insert(model, rows: list[dict], chunk: int = 5000) -> None:
    """Multi-row inserts through SQLAlchemy Core (the ORM's bookkeeping is not needed here)."""
    for first in range(0, len(rows), chunk):
        db.session.execute(model.__table__.insert(), rows[first : first + chunk])


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    table = model.__table__
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _name(rng: random.Random) -> tuple[str, str | None]:
    if rng.random() < 0.2:
        return rng.choice(CHINESE) + rng.choice("一二三四五六七八九"), "zh_Hans_CN"
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}", None


def _insert_people(rows: list[dict], roles: Sequence[str]) -> list[int]:
    ids = _insert_returning_ids(User, rows)
    if roles:
        _insert(UserRole, [{"user_id": uid, "role": role} for uid in ids for role in roles])
    return ids


def make_people(spec: CompanySpec, on: date, password_hash: str) -> tuple[list[int], list[int]]:
    """Admin, trainer, directors, managers (one per team) and hires; returns the managers' and
    the hires' ids (hire n is in team n % teams)."""
    rng = random.Random(spec.seed)
    now = datetime.combine(on, clock(8))

    def person(email: str, manager_id: int | None = None, start: date | None = None) -> dict:
        name, locale = _name(rng)
        return {
            "email": email,
            "name": name,
            "password_hash": password_hash,
            "manager_id": manager_id,
            "start_date": start,
            "locale": locale,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }

    _insert_people([person("admin@company.test")], ["admin"])
    _insert_people([person("trainer@company.test")], ["trainer"])
    directors = _insert_people(
        [
            person(f"director{n}@company.test")
            for n in range(1, math.ceil(spec.teams / TEAMS_PER_DIRECTOR) + 1)
        ],
        ["manager"],
    )
    managers = _insert_people(
        [
            person(f"manager{n}@company.test", directors[(n - 1) // TEAMS_PER_DIRECTOR])
            for n in range(1, spec.teams + 1)
        ],
        ["manager"],
    )
    hires: list[int] = []
    for first in range(0, spec.hires, 1000):
        rows = []
        for n in range(first, min(first + 1000, spec.hires)):
            days_in = random.Random(f"{spec.seed}:{n}:start").randint(0, MAX_DAYS_IN)
            rows.append(
                person(
                    f"hire{n + 1}@company.test",
                    managers[n % spec.teams],
                    on - timedelta(days=days_in),
                )
            )
        hires += _insert_people(rows, ())
    return managers, hires


# --- one hire's history -------------------------------------------------------------------------


@dataclass
class Batch:
    """Rows of a batch of hires, written together."""

    enrollments: list[dict] = field(default_factory=list)
    completions: list[dict] = field(default_factory=list)
    signoffs: list[dict] = field(default_factory=list)
    checkins: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)
    # attempts and runs need their ids before their children and evidence are written
    attempts: list[tuple[dict, list[dict], dict[str, float]]] = field(default_factory=list)
    runs: list[tuple[dict, list[dict], dict[str, float]]] = field(default_factory=list)
    # when each hire finished each path item (what a plan may still pick is what is open)
    done_at: dict[int, dict[str, datetime]] = field(default_factory=dict)
    # plans need their ids before their priorities and counts are written
    plans: list[tuple[dict, list[dict], list[dict]]] = field(default_factory=list)
    weekly_reviews: list[dict] = field(default_factory=list)


def _moment(start: date, day: int, rng: random.Random, on: date) -> datetime:
    when = datetime.combine(start + timedelta(days=max(day - 1, 0)), clock(9)) + timedelta(
        minutes=rng.randint(0, 8 * 60)
    )
    latest = datetime.combine(on, clock(8))
    return min(when, latest)


def _answers(quiz: Quiz, layout: list[dict], ability: float, rng: random.Random) -> dict:
    answers: dict[str, list[int]] = {}
    for entry in layout:
        question = quiz.question(entry["q"])
        if question.kind == "true-false":
            right = 0 if question.answer else 1
            answers[question.id] = [right if rng.random() < ability else 1 - right]
            continue
        correct = [i for i, choice in enumerate(question.choices) if choice.correct]
        wrong = [i for i, choice in enumerate(question.choices) if not choice.correct]
        if rng.random() < ability or not wrong:
            answers[question.id] = correct if question.kind == "multiple" else correct[:1]
        else:
            answers[question.id] = [rng.choice(wrong)]
    return answers


def quiz_attempt(
    activity: Activity, user_id: int, number: int, at: datetime, ability: float, rng, live
) -> tuple[dict, list[dict], dict[str, float], bool]:
    quiz = activity.quiz
    layout = draw_layout(quiz, rng)
    answers = _answers(quiz, layout, ability, rng)
    question_ids = [entry["q"] for entry in layout]
    result = score_attempt(quiz, question_ids, answers, skills=live)
    submitted = at + timedelta(minutes=rng.randint(4, 25))
    attempt = {
        "user_id": user_id,
        "item_id": activity.version.item_id,
        "version_id": activity.version.id,
        "number": number,
        "layout": layout,
        "started_at": at,
        "last_activity_at": submitted,
        "submitted_at": submitted,
        "is_expired": False,
        "score": result.percent,
        "is_passed": result.is_passed(quiz.pass_score),
    }
    children = [
        {
            "question_id": question_id,
            "position": position,
            "selected": answers.get(question_id, []),
            "score": float(result.questions[question_id]),
            "saved_at": submitted,
        }
        for position, question_id in enumerate(question_ids)
    ]
    evidence = {skill: float(value) for skill, value in result.skills.items()}
    return attempt, children, evidence, bool(attempt["is_passed"])


def drill_run(
    activity: Activity, user_id: int, at: datetime, ability: float, rng, live
) -> tuple[dict, list[dict], dict[str, float], bool]:
    """Walk the drill graph: the best choice (by points) with the hire's ability, else another;
    written replies at open nodes; scored by the real scoring of a finished run."""
    scenario, maxima = activity.scenario, activity.maxima
    node = scenario.nodes[scenario.start]
    steps: list[dict] = []
    points: dict[str, float] = {}
    moment = at
    while node.kind != "end":
        moment += timedelta(seconds=rng.randint(20, 90))
        if node.kind == "choice":
            ranked = sorted(
                range(len(node.choices)),
                key=lambda index: -sum(float(v) for v in node.choices[index].points.values()),
            )
            index = ranked[0] if rng.random() < ability else rng.choice(ranked)
            choice = node.choices[index]
            step_points = {skill: float(value) for skill, value in choice.points.items()}
            steps.append(
                {
                    "node_id": node.id,
                    "kind": "choice",
                    "choice_index": index,
                    "reply": None,
                    "points": step_points,
                    "created_at": moment,
                }
            )
            for skill, value in step_points.items():
                points[skill] = points.get(skill, 0.0) + value
            node = scenario.nodes[choice.next]
        else:  # open: a written reply, reviewed later by the manager
            steps.append(
                {
                    "node_id": node.id,
                    "kind": "open",
                    "choice_index": None,
                    "reply": "I would ask what matters most to them before I answer.",
                    "points": {},
                    "created_at": moment,
                }
            )
            node = scenario.nodes[node.next]
    outcome = score_run(maxima, points, node.end or "fail", scenario.pass_score)
    for position, step in enumerate(steps):
        step["position"] = position
    run = {
        "user_id": user_id,
        "item_id": activity.version.item_id,
        "version_id": activity.version.id,
        "status": RunStatus.FINISHED.value,
        "current_node": node.id,
        "step_count": len(steps),
        "started_at": at,
        "updated_at": moment,
        "finished_at": moment,
        "end_kind": outcome.end,
        "points": outcome.points,
        "total_points": outcome.total,
        "score": outcome.score,
        "passed": outcome.passed,
    }
    evidence = {skill: value for skill, value in outcome.evidence.items() if skill in live}
    return run, steps, evidence, outcome.passed


def hire_history(
    batch: Batch,
    catalogue: Catalogue,
    user_id: int,
    manager_id: int,
    start: date,
    on: date,
    rng: random.Random,
    evidence_budget: int,
) -> int:
    """Append one hire's enrollment and history to `batch`; returns the evidence rows made."""
    days_in = (on - start).days + 1
    ability = rng.uniform(0.35, 0.95)
    diligence = rng.uniform(0.5, 1.0)
    enrolled_at = datetime.combine(start, clock(8))
    batch.enrollments.append(
        {
            "user_id": user_id,
            "path_item_id": catalogue.path_version.item_id,
            "path_version_id": catalogue.path_version.id,
            "start_date": start,
            "enrolled_by_id": manager_id,
            "created_at": enrolled_at,
        }
    )
    made = 0
    done = batch.done_at.setdefault(user_id, {})
    for activity in catalogue.activities:
        if activity.due_day > days_in + 2 or rng.random() > diligence:
            continue
        at = _moment(start, min(activity.due_day, days_in) - rng.randint(0, 3), rng, on)
        if activity.kind == "course":
            done[activity.item_id] = at
            for version in activity.lesson_versions:
                batch.completions.append(
                    {
                        "user_id": user_id,
                        "lesson_item_id": version.item_id,
                        "version_id": version.id,
                        "completed_at": at,
                    }
                )
        elif activity.kind == "quiz":
            limit = activity.quiz.max_attempts or 3
            for number in range(1, limit + 1):
                attempt, children, evidence, passed = quiz_attempt(
                    activity, user_id, number, at, ability, rng, catalogue.live_skills
                )
                batch.attempts.append((attempt, children, evidence))
                made += len(evidence)
                at = min(at + timedelta(days=1), datetime.combine(on, clock(8)))
                if passed:
                    done[activity.item_id] = attempt["submitted_at"]
                    break
        elif activity.kind == "scenario":
            for _ in range(3):
                run, steps, evidence, passed = drill_run(
                    activity, user_id, at, ability, rng, catalogue.live_skills
                )
                batch.runs.append((run, steps, evidence))
                made += len(evidence)
                at = min(at + timedelta(hours=20), datetime.combine(on, clock(8)))
                if passed:
                    done[activity.item_id] = run["finished_at"]
                    break
        elif activity.kind == "task":
            done[activity.item_id] = at
            batch.signoffs.append(
                {
                    "user_id": user_id,
                    "path_slug": catalogue.path.id,
                    "item_id": activity.item_id,
                    "signed_by_id": manager_id,
                    "signed_at": at,
                    "comment": "",
                    "comment_html": "",
                    "skills": {},
                }
            )
        elif activity.kind == "checkin":
            done[activity.item_id] = at
            batch.checkins.append(
                {
                    "user_id": user_id,
                    "path_slug": catalogue.path.id,
                    "item_id": activity.item_id,
                    "held_by_id": manager_id,
                    "held_at": at,
                    "went_well": "",
                    "went_badly": "",
                    "notes": "",
                    "notes_html": "",
                }
            )
    available = [d for d in catalogue.drills if d.due_day <= days_in + 2] or catalogue.drills
    while made < evidence_budget and available:
        activity = rng.choice(available)
        at = _moment(start, rng.randint(1, days_in), rng, on)
        run, steps, evidence, _ = drill_run(
            activity, user_id, at, min(0.98, ability + 0.1), rng, catalogue.live_skills
        )
        batch.runs.append((run, steps, evidence))
        made += max(len(evidence), 1)
    for number in range(rng.randint(1, 4)):
        batch.notifications.append(
            {
                "user_id": user_id,
                "kind": "item_due_soon",
                "link": "/onboarding",
                "params": {
                    "item": {"en": "Field task"},
                    "due": (on + timedelta(days=2)).isoformat(),
                },
                "created_at": _moment(start, days_in - number, rng, on),
                "dedupe_key": f"bench:{user_id}:{number}",
            }
        )
    return made


# --- plans and reviews --------------------------------------------------------------------------

NEVER_PLANS = 0.15  # share of hires who never plan a day
LATE_REVIEWS = 0.08  # share of reviews written after the noon deadline of the next day
TASKS = (
    "Call back the leads from Monday's webinar",
    "Prepare the discovery questions for the demo",
    "Update the pipeline in the CRM",
    "Send the proposal and book the follow-up",
    "Research three target accounts",
    "Follow up on the open quotes",
    "Practise the objection handling script",
    "Ask my manager about the pricing exceptions",
)
CUSTOMERS = ("Acme Ltd", "Northwind", "Globex", "Initech", "Umbrella Retail", "Hooli", "")
LEARNED = (
    "Asking about the budget early saves a call.",
    "Block the calls in the morning: afternoons get interrupted.",
    "Send the agenda before the meeting.",
    "",
)
WEEK_NEXT = (
    "Book five discovery meetings",
    "Finish the objection handling drill",
    "Clean up the stale deals",
    "Shadow a senior rep on a demo",
)
PLANNED_COUNTS = {"calls": (4, 14), "meetings": (0, 3), "proposals": (0, 1), "crm": (2, 8)}


@dataclass
class PlanWeek:
    """The plans of one hire's week so far, for the weekly review's summary."""

    plans: list[tuple[dict, list[dict], list[dict]]] = field(default_factory=list)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _open_items(
    catalogue: Catalogue, start: date, day: date, at: datetime, done: dict[str, datetime]
) -> list[Activity]:
    """Path items a plan of `day` may pick: not finished at `at`, due from ten days ago (overdue)
    to two weeks ahead, no check-ins (the manager holds those)."""
    return [
        activity
        for activity in catalogue.activities
        if activity.kind != "checkin"
        and -10 <= (start + timedelta(days=activity.due_day - 1) - day).days <= 14
        and (activity.item_id not in done or done[activity.item_id] > at)
    ]


def _review(priorities: list[dict], day: date, keeps: float, rng: random.Random) -> None:
    for priority in priorities:
        draw = rng.random()
        if draw < keeps:
            priority["outcome"] = "done"
        elif draw < keeps + (1 - keeps) * 0.4:
            priority["outcome"] = "partly"
            priority["reason"] = rng.choice((None, "underestimated", "interrupted"))
        elif draw < keeps + (1 - keeps) * 0.8:
            priority["outcome"] = "moved"
            priority["moved_to"] = _next_working_day(day)
            priority["reason"] = rng.choice(tuple(REASONS))
        else:
            priority["outcome"] = "dropped"
            priority["reason"] = rng.choice(tuple(REASONS))
        if priority["reason"] and rng.random() < 0.3:
            priority["reason_note"] = "Back on it tomorrow."


def _day_plan(
    catalogue: Catalogue,
    kinds: Sequence[ActivityKind],
    user_id: int,
    start: date,
    day: date,
    seeds: list[dict],
    done: dict[str, datetime],
    rng: random.Random,
) -> tuple[dict, list[dict], list[dict]]:
    """A plan of `day`, made in the morning: the weekly seeds first, then the hire's own."""
    planned_at = datetime.combine(day, clock(7, 45)) + timedelta(minutes=rng.randint(0, 100))
    priorities = [dict(seed) for seed in seeds]
    items = _open_items(catalogue, start, day, planned_at, done)
    for _ in range(max(0, rng.randint(2, 5) - len(priorities))):
        row = {
            "text": rng.choice(TASKS),
            "path_slug": None,
            "item_id": None,
            "start_time": None,
            "duration_minutes": None,
            "customer": rng.choice(CUSTOMERS),
            "source": "plan",
            "created_at": planned_at,
        }
        if items and rng.random() < 0.4:
            item = items.pop(rng.randrange(len(items)))
            row.update(text=item.title[:200], path_slug=catalogue.path.id, item_id=item.item_id)
            row["customer"] = ""
        if rng.random() < 0.5:
            row["start_time"] = clock(rng.randint(9, 16), rng.choice((0, 30)))
            row["duration_minutes"] = rng.choice((30, 45, 60, 90, 120))
        priorities.append(row)
    for position, row in enumerate(priorities):
        row.update(position=position, outcome=None, moved_to=None, reason=None, reason_note="")
    counts = []
    for kind in kinds:
        low, high = PLANNED_COUNTS.get(kind.slug, (0, 3))
        planned = rng.randint(low, high)
        if planned:  # the service stores no row for a kind planned at 0
            counts.append({"kind_id": kind.id, "planned": planned, "actual": None})
    plan = {
        "user_id": user_id,
        "day": day,
        "planned_at": planned_at,
        "reviewed_at": None,
        "is_review_late": False,
        "learned": "",
        "created_at": min([planned_at] + [seed["created_at"] for seed in seeds]),
        "updated_at": planned_at,
    }
    return plan, priorities, counts


def _reviewed(
    plan: dict,
    priorities: list[dict],
    counts: list[dict],
    kinds: Sequence[ActivityKind],
    now: datetime,
    habits: tuple[float, float],
    rng: random.Random,
) -> None:
    """Review the plan like the end-of-day form: every priority gets an outcome and every kind an
    actual count, in time (that evening or the next morning) or, now and then, late."""
    reviews, keeps = habits
    day = plan["day"]
    if rng.random() >= reviews:
        if rng.random() < 0.15:  # started the review, never finished it
            _review(priorities[:1], day, keeps, rng)
            plan["updated_at"] = plan["planned_at"] + timedelta(hours=9)
        return
    late = rng.random() < LATE_REVIEWS
    if late:
        at = datetime.combine(day + timedelta(days=1), clock(13)) + timedelta(
            minutes=rng.randint(0, 360)
        )
    elif rng.random() < 0.8:
        at = datetime.combine(day, clock(16, 30)) + timedelta(minutes=rng.randint(0, 210))
    else:
        at = datetime.combine(day + timedelta(days=1), clock(7)) + timedelta(
            minutes=rng.randint(0, 270)
        )
    if at > now:
        return
    _review(priorities, day, keeps, rng)
    planned = {count["kind_id"]: count for count in counts}
    for kind in kinds:  # the form sends every kind: rows appear for those planned at 0
        row = planned.get(kind.id)
        if row is None:
            row = {"kind_id": kind.id, "planned": 0, "actual": None}
            counts.append(row)
        row["actual"] = max(0, row["planned"] + rng.randint(-3, 2))
    plan.update(
        reviewed_at=at,
        is_review_late=late,
        learned=rng.choice(LEARNED),
        updated_at=at,
    )


def _week_summary(week: PlanWeek, kinds: Sequence[ActivityKind]) -> dict:
    """What `save_weekly_review` stores as the week's snapshot (see `week_summary`)."""
    planned_days = reviewed_days = planned = 0
    points = 0.0
    reasons: dict[str, int] = {}
    totals: dict[int, int] = {}
    for plan, priorities, counts in week.plans:
        if plan["planned_at"] is None:
            continue
        planned_days += 1
        for count in counts:
            totals[count["kind_id"]] = totals.get(count["kind_id"], 0) + (count["actual"] or 0)
        for priority in priorities:
            if priority["reason"]:
                reasons[priority["reason"]] = reasons.get(priority["reason"], 0) + 1
        if plan["reviewed_at"] is not None and not plan["is_review_late"]:
            reviewed_days += 1
            planned += len(priorities)
            points += sum(OUTCOME_POINTS.get(p["outcome"] or "", 0.0) for p in priorities)
    ranked = sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))
    return {
        "completion": points / planned if planned else None,
        "planned_days": planned_days,
        "reviewed_days": reviewed_days,
        "reasons": [list(pair) for pair in ranked[:3]],
        "totals": {str(kind.id): totals.get(kind.id, 0) for kind in kinds},
        "goals": {str(kind.id): kind.weekly_goal for kind in kinds},
    }


def _weekly_review(
    batch: Batch,
    week: PlanWeek,
    kinds: Sequence[ActivityKind],
    user_id: int,
    monday: date,
    now: datetime,
    rng: random.Random,
) -> list[dict]:
    """The review of the week before `monday`, written after the week's last daily review;
    returns the seeds it puts at the top of `monday`'s plan."""
    moments = [datetime.combine(monday - timedelta(days=3), clock(17))]
    moments += [plan["reviewed_at"] for plan, _, _ in week.plans if plan["reviewed_at"]]
    at = max(moments) + timedelta(minutes=rng.randint(5, 60))
    if at > now:
        return []
    chosen = rng.sample(WEEK_NEXT, rng.randint(1, 3))
    batch.weekly_reviews.append(
        {
            "user_id": user_id,
            "week_start": monday - timedelta(days=7),
            "notes": "Too many calls moved: block the mornings." if rng.random() < 0.5 else "",
            "next_priorities": chosen,
            "summary": _week_summary(week, kinds),
            "created_at": at,
            "updated_at": at,
        }
    )
    return [
        {
            "text": text,
            "path_slug": None,
            "item_id": None,
            "start_time": None,
            "duration_minutes": None,
            "customer": "",
            "source": "weekly",
            "created_at": at,
        }
        for text in chosen
    ]


def hire_plans(
    batch: Batch,
    catalogue: Catalogue,
    kinds: Sequence[ActivityKind],
    user_id: int,
    start: date,
    now: datetime,
    rng: random.Random,
) -> None:
    """Append one hire's daily plans, reviews and weekly reviews to `batch`: every working day
    from the start to yesterday is planned or not by the hire's habit; today is not planned yet
    (the company is made at 08:00)."""
    if rng.random() < NEVER_PLANS:
        return
    plans, reviews = rng.uniform(0.45, 0.95), rng.uniform(0.4, 0.95)
    keeps, weeklies = rng.uniform(0.45, 0.9), rng.uniform(0.2, 0.8)
    done = batch.done_at.get(user_id, {})
    today = now.date()
    week = PlanWeek()
    seeds: list[dict] = []
    day = start
    while day <= today:
        if day.weekday() == 0 and week.plans:
            seeds = (
                _weekly_review(batch, week, kinds, user_id, day, now, rng)
                if rng.random() < weeklies
                else []
            )
            week = PlanWeek()
        if day < today and day.weekday() < 5 and rng.random() < plans:
            plan = _day_plan(catalogue, kinds, user_id, start, day, seeds, done, rng)
            _reviewed(*plan, kinds, now, (reviews, keeps), rng)
        elif seeds:  # the weekly review seeded a Monday the hire did not plan (or not yet)
            at = seeds[0]["created_at"]
            rows = [dict(seed, position=n) for n, seed in enumerate(seeds)]
            for row in rows:
                row.update(outcome=None, moved_to=None, reason=None, reason_note="")
            plan = (
                {
                    "user_id": user_id,
                    "day": day,
                    "planned_at": None,
                    "reviewed_at": None,
                    "is_review_late": False,
                    "learned": "",
                    "created_at": at,
                    "updated_at": at,
                },
                rows,
                [],
            )
        else:
            day += timedelta(days=1)
            continue
        seeds = []
        batch.plans.append(plan)
        week.plans.append(plan)
        day += timedelta(days=1)


# --- writing ------------------------------------------------------------------------------------


def _evidence_rows(
    user_id: int, values: dict[str, float], kind: str, slug: str, version_id: int, ref: str, at
) -> list[dict]:
    return [
        {
            "user_id": user_id,
            "skill_id": skill,
            "value": value,
            "source_kind": kind,
            "source_id": slug,
            "source_version_id": version_id,
            "source_ref": ref,
            "at": at,
            "created_at": at,
        }
        for skill, value in values.items()
    ]


def write_batch(batch: Batch, slugs: dict[int, str], report: CompanyReport) -> None:
    for model, rows, counter in (
        (Enrollment, batch.enrollments, "enrollments"),
        (LessonCompletion, batch.completions, "lessons_read"),
        (SignOff, batch.signoffs, "signoffs"),
        (CheckIn, batch.checkins, "checkins"),
        (Notification, batch.notifications, "notifications"),
    ):
        if rows:
            _insert(model, rows)
            setattr(report, counter, getattr(report, counter) + len(rows))
    evidence: list[dict] = []
    if batch.attempts:
        ids = _insert_returning_ids(QuizAttempt, [attempt for attempt, _, _ in batch.attempts])
        answers, results = [], []
        for attempt_id, (attempt, children, values) in zip(ids, batch.attempts, strict=True):
            for child in children:
                answers.append(
                    {
                        "attempt_id": attempt_id,
                        "question_id": child["question_id"],
                        "selected": child["selected"],
                        "saved_at": child["saved_at"],
                    }
                )
                results.append(
                    {
                        "attempt_id": attempt_id,
                        "question_id": child["question_id"],
                        "position": child["position"],
                        "selected": child["selected"],
                        "score": child["score"],
                    }
                )
            evidence += _evidence_rows(
                attempt["user_id"],
                values,
                "quiz",
                slugs[attempt["item_id"]],
                attempt["version_id"],
                f"attempt:{attempt_id}",
                attempt["submitted_at"],
            )
        _insert(QuizAnswer, answers)
        _insert(QuizQuestionResult, results)
        report.attempts += len(ids)
    if batch.runs:
        ids = _insert_returning_ids(ScenarioRun, [run for run, _, _ in batch.runs])
        steps = []
        for run_id, (run, run_steps, values) in zip(ids, batch.runs, strict=True):
            steps += [{**step, "run_id": run_id} for step in run_steps]
            evidence += _evidence_rows(
                run["user_id"],
                values,
                "scenario",
                slugs[run["item_id"]],
                run["version_id"],
                f"run:{run_id}",
                run["finished_at"],
            )
        _insert(ScenarioStep, steps)
        report.runs += len(ids)
        report.steps += len(steps)
    evidence.sort(key=lambda row: (row["user_id"], row["at"]))
    _insert(Evidence, evidence)
    report.evidence += len(evidence)
    if batch.plans:
        ids = _insert_returning_ids(DayPlan, [plan for plan, _, _ in batch.plans])
        priorities, counts = [], []
        for plan_id, (_, plan_priorities, plan_counts) in zip(ids, batch.plans, strict=True):
            priorities += [{**row, "plan_id": plan_id} for row in plan_priorities]
            counts += [{**row, "plan_id": plan_id} for row in plan_counts]
        _insert(PlanPriority, priorities)
        _insert(ActivityCount, counts)
        report.plans += len(ids)
        report.priorities += len(priorities)
    if batch.weekly_reviews:
        _insert(WeeklyReview, batch.weekly_reviews)
        report.weekly_reviews += len(batch.weekly_reviews)


# --- the whole company --------------------------------------------------------------------------


def _timed(report: CompanyReport, phase: str, step: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = step()
    report.seconds[phase] = time.perf_counter() - started
    return result


def _days(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`: the daily job refreshes each hire's yesterday and
    today, so a company that ran it every day has a rollup row for each of them."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _chunks(values: Sequence[int], size: int) -> Iterator[tuple[int, Sequence[int]]]:
    for first in range(0, len(values), size):
        yield first, values[first : first + size]


def make_company(
    spec: CompanySpec, *, on: date, password_hash: str | None = None, log=print
) -> CompanyReport:
    """Fill a database that holds the curriculum and no people with a company (see the module
    docstring). Commits after each batch of hires."""
    report = CompanyReport()
    catalogue = load_catalogue()
    db.session.commit()
    hashed = password_hash or hash_password(PASSWORD)
    managers, hires = _timed(report, "people", lambda: make_people(spec, on, hashed))
    db.session.commit()
    report.people = len(hires) + len(managers) + 2 + math.ceil(spec.teams / TEAMS_PER_DIRECTOR)
    report.hires = len(hires)
    slugs = {a.version.item_id: a.slug for a in catalogue.activities if a.version is not None}
    starts = dict(
        db.session.execute(sa.select(User.id, User.start_date).where(User.id.in_(hires))).all()
    )
    budget = max(spec.evidence // max(len(hires), 1), 0)
    now = datetime.combine(on, clock(8))
    kinds = ensure_default_kinds()
    db.session.commit()
    started = time.perf_counter()
    rollup_seconds = 0.0
    for first, chunk in _chunks(hires, BATCH_HIRES):
        batch = Batch()
        for offset, user_id in enumerate(chunk):
            number = first + offset
            rng = random.Random(f"{spec.seed}:{number}:history")
            hire_history(
                batch,
                catalogue,
                user_id,
                managers[number % spec.teams],
                starts[user_id],
                on,
                rng,
                budget,
            )
            plans_rng = random.Random(f"{spec.seed}:{number}:plans")
            hire_plans(batch, catalogue, kinds, user_id, starts[user_id], now, plans_rng)
        write_batch(batch, slugs, report)
        db.session.commit()
        rollup_started = time.perf_counter()
        report.execution_days += refresh_days({uid: _days(starts[uid], on) for uid in chunk}, now)
        db.session.commit()
        rollup_seconds += time.perf_counter() - rollup_started
        log(f"  {first + len(chunk):,} of {len(hires):,} hires, {report.evidence:,} evidence rows")
    report.seconds["history"] = time.perf_counter() - started - rollup_seconds
    report.seconds["execution rollup"] = rollup_seconds
    result = _timed(report, "recompute-mastery", recompute_all)
    db.session.commit()
    report.mastery_pairs = result.pairs
    _timed(report, "recompute-status", lambda: recompute_statuses(on))
    report.weekly_snapshots = _timed(report, "reports rebuild", lambda: rebuild_snapshots(now))
    db.session.commit()
    return report


def prepare_database(replace: bool) -> None:
    """Create the schema on an empty database and import the shipped curriculum."""
    from lms.cli import upgrade_database
    from lms.content.importer import import_content

    inspector = sa.inspect(db.engine)
    if inspector.has_table("users"):
        people = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        if people and not replace:
            raise SystemExit(f"the database already has {people} people; pass --replace")
        if replace:
            db.drop_all()
            db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
    upgrade_database()
    repo = Path(__file__).resolve().parent.parent
    imported = import_content([repo / "courses", repo / "scenarios"], actor=None)
    if not imported.ok:
        raise SystemExit("the shipped curriculum did not import: " + str(imported.errors[0]))
    db.session.commit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hires", type=int, default=5000)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--evidence", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--replace", action="store_true", help="Drop what the database holds.")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    if args.hires < 1 or args.teams < 1 or args.evidence < 0:
        parser.error("--hires and --teams must be at least 1, --evidence at least 0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        started = time.perf_counter()
        prepare_database(args.replace)
        report = make_company(
            CompanySpec(args.hires, args.teams, args.evidence, args.seed), on=args.today
        )
        for line in report.lines():
            print(line)
        print(f"total: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
