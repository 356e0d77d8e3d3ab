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
  `lms recompute-mastery` computes from it (it is run at the end).

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
from lms.quizzes.models import QuizAnswer, QuizAttempt, QuizQuestionResult  # noqa: E402
from lms.quizzes.scoring import score_attempt  # noqa: E402
from lms.quizzes.services import draw_layout  # noqa: E402
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
    for version in lessons.values():
        lessons_by_course.setdefault(store.load(version).course_id, []).append(version)
    activities: list[Activity] = []
    for phase in path.phases:
        for item in phase.items:
            due = item.due_day if item.due_day is not None else (item.day or phase.until_day)
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
    for activity in catalogue.activities:
        if activity.due_day > days_in + 2 or rng.random() > diligence:
            continue
        at = _moment(start, min(activity.due_day, days_in) - rng.randint(0, 3), rng, on)
        if activity.kind == "course":
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
                    break
        elif activity.kind == "task":
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


# --- the whole company --------------------------------------------------------------------------


def _timed(report: CompanyReport, phase: str, step: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = step()
    report.seconds[phase] = time.perf_counter() - started
    return result


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
    started = time.perf_counter()
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
        write_batch(batch, slugs, report)
        db.session.commit()
        log(f"  {first + len(chunk):,} of {len(hires):,} hires, {report.evidence:,} evidence rows")
    report.seconds["history"] = time.perf_counter() - started
    result = _timed(report, "recompute-mastery", recompute_all)
    db.session.commit()
    report.mastery_pairs = result.pairs
    _timed(report, "recompute-status", lambda: recompute_statuses(on))
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
