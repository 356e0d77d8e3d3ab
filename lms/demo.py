"""`lms demo`: a fresh demo company. Each feature adds a step to `DEMO_STEPS`; every step goes
through the same services the app uses, never raw inserts."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.auth.two_factor import enable_with_secret
from lms.extensions import db
from lms.people.models import Role, User
from lms.people.services import AccountData, create_user
from lms.timeutil import today, utcnow

DEMO_PASSWORD = "change-me-now"
# The demo admin's authenticator key (admins must sign in with a second factor); printed by
# `lms demo`. Anyone who reads this can make its codes: for a demo only.
DEMO_ADMIN_TOTP_SECRET = "DEMOADMINTOTPKEYAAAAAAAAAAAAAAAA"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: frozenset[str] = frozenset()
    manager: str | None = None
    day: int | None = None  # day of onboarding today (day 1 = the start date)
    locale: str | None = None


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("admin@example.com", "Alex Admin", frozenset({Role.ADMIN})),
    DemoPerson("trainer@example.com", "Tara Trainer", frozenset({Role.TRAINER})),
    DemoPerson("manager@example.com", "Morgan Lee", frozenset({Role.MANAGER}), day=400),
    DemoPerson(
        "manager2@example.com", "王建国", frozenset({Role.MANAGER}), day=700, locale="zh_CN"
    ),
    DemoPerson("learner@example.com", "Lena Park", manager="manager@example.com", day=14),
    DemoPerson("sam.ortiz@example.com", "Sam Ortiz", manager="manager@example.com", day=5),
    DemoPerson("priya.nair@example.com", "Priya Nair", manager="manager@example.com", day=25),
    DemoPerson("tom.becker@example.com", "Tom Becker", manager="manager@example.com", day=40),
    DemoPerson("ana.silva@example.com", "Ana Silva", manager="manager@example.com", day=58),
    DemoPerson("li.na@example.com", "李娜", manager="manager2@example.com", day=12, locale="zh_CN"),
    DemoPerson(
        "zhang.wei@example.com", "张伟", manager="manager2@example.com", day=75, locale="zh_CN"
    ),
    DemoPerson(
        "chen.jie@example.com", "陈杰", manager="manager2@example.com", day=88, locale="zh_CN"
    ),
    DemoPerson("omar.haddad@example.com", "Omar Haddad", manager="manager2@example.com", day=33),
)


@dataclass
class DemoContext:
    today: date
    people: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def start_date_for(day: int | None, on: date) -> date | None:
    return None if day is None else on - timedelta(days=day - 1)


def create_people(context: DemoContext) -> None:
    admin = None
    for person in DEMO_PEOPLE:
        user = create_user(
            AccountData(
                email=person.email,
                name=person.name,
                roles=person.roles,
                manager=context.people.get(person.manager) if person.manager else None,
                start_date=start_date_for(person.day, context.today),
                locale=person.locale,
            ),
            actor=admin,
            password=DEMO_PASSWORD,
        )
        context.people[person.email] = user
        admin = admin or user
        if Role.ADMIN in person.roles:
            enable_with_secret(user, DEMO_ADMIN_TOTP_SECRET, now=utcnow(), actor=None)
    context.log.append(f"{len(DEMO_PEOPLE)} people in two teams")


DemoStep = Callable[[DemoContext], None]
# Each step as "module:function", run in this order, each in its own transaction.
DEMO_STEPS: tuple[str, ...] = (
    "lms.demo:create_people",
    "lms.content.demo:import_shipped_content",
    "lms.onboarding.demo:enroll_hires",
    "lms.quizzes.demo:quiz_history",
    "lms.scenarios.demo:drill_history",
    "lms.reports.demo:diagnosis_story",
    "lms.onboarding.demo:onboarding_history",
    "lms.planning.demo:planning_history",
    "lms.reports.demo:weekly_snapshots",
)


def build_demo(on: date | None = None) -> DemoContext:
    """Fill an empty database with the demo company; the caller has created the schema."""
    context = DemoContext(today=on or today())
    for spec in DEMO_STEPS:
        module_name, _, function = spec.partition(":")
        step: DemoStep = getattr(importlib.import_module(module_name), function)
        step(context)
        db.session.commit()
    return context
