"""Demo steps: enroll the demo hires on the new-rep path, and (run last) give them a history
through the real services: lessons read, field tasks signed off, check-ins held with SMART goals,
and a few items left open, so that the managers' /team pages tell a story on first start.

The managers of the demo company started long ago (day 400 and 700), past the end of any path,
so they are not enrolled: a 90-day manager path would show them as finished with everything
overdue."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from lms.content.model import PathItem, Phase
from lms.content.store import current_versions, load
from lms.courses.services import complete_lesson, find_completion
from lms.demo import DEMO_PEOPLE, DemoContext
from lms.onboarding.services import (
    ActionInput,
    GoalInput,
    OutcomeInput,
    active_enrollment,
    enroll,
    hold_checkin,
    open_goals,
    sign_off,
)
from lms.onboarding.status import due_date, item_day, path_of
from lms.people.models import User

REP_PATH = "new-sales-rep"


@dataclass(frozen=True)
class Story:
    """What a demo hire did: items left open, items done late (by days), lessons still unread
    in a course, ratings of sign-offs."""

    open_items: frozenset[str] = frozenset()
    late: dict[str, int] = field(default_factory=dict)
    unread: dict[str, int] = field(default_factory=dict)  # course id -> lessons not read


STORIES: dict[str, Story] = {
    "sam.ortiz@example.com": Story(unread={"execution-foundations": 2}),
    "li.na@example.com": Story(),
    "learner@example.com": Story(
        open_items=frozenset({"execution-foundations-check"}), unread={"time-management": 2}
    ),
    "priya.nair@example.com": Story(open_items=frozenset({"shadow-discovery-calls"})),
    "omar.haddad@example.com": Story(
        open_items=frozenset({"daily-plans-week", "crm-same-day-week", "checkin-30"}),
        late={"shadow-discovery-calls": 3},
    ),
    "tom.becker@example.com": Story(),
    "ana.silva@example.com": Story(
        open_items=frozenset({"pipeline-review-with-manager"}),
        late={"first-meeting-with-manager": 4},
    ),
    "zhang.wei@example.com": Story(),
    "chen.jie@example.com": Story(open_items=frozenset({"ask-for-the-order"})),
}

GOALS = {
    "checkin-30": (
        ("Book first meetings with new clinic customers", 8, "meetings", 20),
        ("Log every call and visit in the CRM the same day", 95, "%", 28),
    ),
    "checkin-60": (
        ("Run discovery calls that end with a dated next step", 12, "calls", 22),
        ("Send a written proposal to qualified prospects", 4, "proposals", 26),
    ),
    "checkin-90": (
        ("Close first orders from my own pipeline", 3, "orders", 45),
        ("Keep plan completion at or above the team target", 95, "%", 60),
    ),
}
GOALS_ZH = {
    "checkin-30": (
        ("约到新诊所客户的首次拜访", 8, "次拜访", 20),
        ("每个电话和拜访当天录入CRM", 95, "%", 28),
    ),
    "checkin-60": (
        ("需求挖掘电话都以带日期的下一步结束", 12, "通电话", 22),
        ("向已确认需求的客户提交书面方案", 4, "份方案", 26),
    ),
    "checkin-90": (
        ("从自己的销售漏斗中签下首批订单", 3, "单", 45),
        ("计划完成率保持在团队目标以上", 95, "%", 60),
    ),
}
NOTES = {
    "en": (
        "Good energy on the phone and notes are complete.",
        "Plans are made late in the morning; the first hour gets lost.",
        "Agreed to plan the day before leaving the office and to review it at 17:30.",
    ),
    "zh": (
        "电话里状态很好，记录也完整。",
        "每天计划做得太晚，上午第一个小时常常浪费掉。",
        "约定每天下班前做好第二天的计划，17:30 一起复盘。",
    ),
}
ACTIONS = {
    "en": (
        ("Shadow a senior rep on two demos", "hire"),
        ("Book a weekly pipeline review", "manager"),
    ),
    "zh": (("跟资深销售参加两次产品演示", "hire"), ("每周安排一次漏斗评审", "manager")),
}


def enroll_hires(context: DemoContext) -> None:
    """Enroll every demo hire on the new-rep path, starting on their start date."""
    if not current_versions("path", [REP_PATH]):
        context.log.append(f"onboarding: no path {REP_PATH!r} stored, nobody enrolled")
        return
    count = 0
    for person in DEMO_PEOPLE:
        user = context.people.get(person.email)
        if user is None or person.email not in STORIES or user.start_date is None:
            continue
        manager = context.people.get(person.manager) if person.manager else None
        enroll(
            user,
            REP_PATH,
            actor=manager,
            now=datetime.combine(user.start_date - timedelta(days=3), time(9)),
        )
        count += 1
    context.log.append(f"{count} hires enrolled on {REP_PATH}")


def _read_lessons(user, course_id: str, unread: int, when: datetime) -> None:
    courses = current_versions("course", [course_id])
    if course_id not in courses:
        return
    course = load(courses[course_id])
    lessons = [item.ref for item in course.items if item.kind == "lesson"]
    keep = lessons[: max(0, len(lessons) - unread)]
    versions = current_versions("lesson", keep)
    for index, slug in enumerate(keep):
        if slug in versions:
            _read_lesson(user, versions[slug], when - timedelta(hours=len(keep) - index))


def _read_lesson(user, version, when: datetime) -> None:
    """Mark a lesson read at `when`, unless it was read before (a path may name a lesson on
    its own, days before the course it belongs to)."""
    if find_completion(user, version.item) is None:
        complete_lesson(user, version).completed_at = when


@dataclass(frozen=True)
class PlannedItem:
    """One item of a demo hire's path and what the demo history does with it: done at `when`
    (late or not), or left open (`when` is None)."""

    user: User
    manager: User
    phase: Phase
    item: PathItem
    due_day: int
    due: date
    when: datetime | None
    late: bool
    unread_lessons: int = 0
    left_open: bool = False

    @property
    def done(self) -> bool:
        return self.when is not None


def demo_plan(context: DemoContext, kinds: Iterable[str] | None = None) -> list[PlannedItem]:
    """What every enrolled demo hire has done by today, item by item (see STORIES). The history
    steps of quizzes and drills read it too, so that everyone tells the same story: for an item
    of kind `quiz` or `scenario` with `done`, pass it at `when`; without, leave it (or fail it)."""
    wanted = set(kinds) if kinds is not None else None
    plan = _path_plan(context)
    plan += _course_parts(context, plan)
    if wanted is None:
        return plan
    earliest: dict[tuple[int, str, str], PlannedItem] = {}
    for planned in plan:
        if planned.item.kind not in wanted:
            continue
        key = (planned.user.id, planned.item.kind, planned.item.ref or planned.item.id)
        known = earliest.get(key)
        if known is None or (planned.done and (not known.done or planned.when < known.when)):
            earliest[key] = planned
    return list(earliest.values())


def _course_parts(context: DemoContext, plan: list[PlannedItem]) -> list[PlannedItem]:
    """The quizzes and drills inside each course a hire finishes: a course is done only when
    they are, so they are planned for the day the course is done."""
    refs = sorted({p.item.ref or "" for p in plan if p.item.kind == "course" and p.done})
    courses = {slug: load(version) for slug, version in current_versions("course", refs).items()}
    kept_open = {(p.user.id, p.item.kind, p.item.ref) for p in plan if p.left_open}
    parts: list[PlannedItem] = []
    for planned in plan:
        course = courses.get(planned.item.ref or "") if planned.item.kind == "course" else None
        if course is None or not planned.done:
            continue
        for part in course.items:
            if (planned.user.id, part.kind, part.ref) in kept_open:
                continue
            if part.kind in ("quiz", "scenario"):
                item = PathItem(id=f"{course.id}.{part.ref}", kind=part.kind, ref=part.ref)
                parts.append(dataclasses.replace(planned, item=item, unread_lessons=0))
    return parts


def _path_plan(context: DemoContext) -> list[PlannedItem]:
    plan: list[PlannedItem] = []
    for person in DEMO_PEOPLE:
        user = context.people.get(person.email)
        story = STORIES.get(person.email)
        enrollment = active_enrollment(user.id) if user is not None and story else None
        if enrollment is None or person.manager is None:
            continue
        start = enrollment.start_date
        for phase in path_of(enrollment).phases:
            for item in phase.items:
                due_day = item_day(item, phase)
                late = story.late.get(item.id, 0) or story.late.get(item.ref or "", 0)
                day = due_day + late if late else max(1, due_day - 1)
                when = datetime.combine(due_date(start, day), time(15))
                left_open = item.id in story.open_items
                if left_open or when.date() >= context.today:
                    when = None
                plan.append(
                    PlannedItem(
                        user=user,
                        manager=context.people[person.manager],
                        phase=phase,
                        item=item,
                        due_day=due_day,
                        due=due_date(start, due_day),
                        when=when,
                        late=bool(late),
                        unread_lessons=story.unread.get(item.ref or "", 0),
                        left_open=left_open,
                    )
                )
    return plan


def onboarding_history(context: DemoContext) -> None:
    """Lessons read, sign-offs and check-ins up to today for each demo hire (see STORIES)."""
    today = context.today
    soon = today + timedelta(days=7)
    recent = datetime.combine(today - timedelta(days=1), time(11))
    done = {"lessons": 0, "signoffs": 0, "checkins": 0}
    for planned in sorted(demo_plan(context), key=lambda p: (p.user.id, p.due_day)):
        user, item = planned.user, planned.item
        language = "zh" if (user.locale or "").startswith("zh") else "en"
        if not planned.done:
            if item.kind == "course" and planned.due <= soon:
                start = datetime.combine(
                    planned.due - timedelta(days=planned.due_day - 1), time(11)
                )
                _read_lessons(user, item.ref or "", planned.unread_lessons or 2, max(recent, start))
            continue
        when = planned.when
        if item.kind == "course":
            _read_lessons(user, item.ref or "", planned.unread_lessons, when)
            done["lessons"] += 1
        elif item.kind == "lesson":
            versions = current_versions("lesson", [item.ref or ""])
            if item.ref in versions:
                _read_lesson(user, versions[item.ref], when)
        elif item.kind == "task":
            level = "below" if planned.late else "meets"
            sign_off(
                user,
                item.id,
                actor=planned.manager,
                comment=_comment(language, planned.late),
                ratings={skill: level for skill in list(planned.phase.targets)[:2]},
                now=when,
            )
            done["signoffs"] += 1
        elif item.kind == "checkin":
            start = planned.due - timedelta(days=planned.due_day - 1)
            _hold(user, planned.manager, item.id, start, planned.due_day, language, when)
            done["checkins"] += 1
    context.log.append(
        "onboarding history: {lessons} courses read, {signoffs} sign-offs, "
        "{checkins} check-ins".format(**done)
    )


def _comment(language: str, late: bool) -> str:
    if language == "zh":
        return "按要求完成，记录清楚。" if not late else "完成了，但比约定时间晚了几天。"
    if late:
        return "Done, but a few days later than agreed. Keep the dates you commit to."
    return "Done to standard. Your notes were **clear** and complete."


def _hold(user, manager, item_id: str, start: date, due_day: int, language: str, when) -> None:
    goals_source = (GOALS_ZH if language == "zh" else GOALS).get(item_id, ())
    goals = [
        GoalInput(text, str(number), unit, due_date(start, due_day + offset))
        for text, number, unit, offset in goals_source
    ]
    outcomes = [
        OutcomeInput(
            goal.id,
            "met" if index == 0 else "partly",
            str(goal.target_value if index == 0 else round(goal.target_value * 0.7)),
        )
        for index, goal in enumerate(open_goals(user.id, REP_PATH))
    ]
    went_well, went_badly, notes = NOTES[language]
    hold_checkin(
        user,
        item_id,
        actor=manager,
        went_well=went_well,
        went_badly=went_badly,
        notes=notes,
        goals=goals,
        actions=[
            ActionInput(text, owner, due_date(start, due_day + 7))
            for text, owner in ACTIONS[language]
        ],
        outcomes=outcomes,
        now=when,
    )
