"""Plans, carry-over, reviews and the weekly review, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.planning.models import DayPlan
from lms.planning.services import (
    NotYours,
    OutcomeInput,
    PlanningError,
    PriorityInput,
    activity_kinds,
    carry_over,
    carry_over_candidates,
    due_item_choices,
    plan_for,
    save_activity_kind,
    save_plan,
    save_review,
    save_weekly_review,
    week_summary,
)
from tests.planning.conftest import START, at

MON, TUE, WED, THU, FRI = (START + timedelta(days=n) for n in range(5))


def rows(*texts):
    return [PriorityInput(text=text) for text in texts]


def test_a_plan_keeps_five_priorities_with_time_blocks_and_counts(db, enrolled):
    hire = enrolled.hire
    calls = activity_kinds()[0]
    plan = save_plan(
        hire,
        MON,
        [
            PriorityInput("Call leads", start="09:00", duration="90", customer="ACME deal"),
            PriorityInput(""),
            PriorityInput("", item="rep/shadow"),
        ],
        {calls.id: "12"},
        actor=hire,
        now=at(MON, 8),
    )
    assert [(p.text, p.position) for p in plan.priorities] == [
        ("Call leads", 0),
        ("Shadow three calls", 1),
    ]
    first = plan.priorities[0]
    assert (first.start_time.isoformat(), first.duration_minutes, first.customer) == (
        "09:00:00",
        90,
        "ACME deal",
    )
    assert (plan.priorities[1].path_slug, plan.priorities[1].item_id) == ("rep", "shadow")
    assert [(c.kind_id, c.planned) for c in plan.counts] == [(calls.id, 12)]
    # Saving again with the ids updates in place and drops the ones left out.
    again = save_plan(
        hire, MON, [PriorityInput("Call 15 leads", id=first.id)], actor=hire, now=at(MON, 9)
    )
    assert [(p.id, p.text) for p in again.priorities] == [(first.id, "Call 15 leads")]
    assert again.planned_at == at(MON, 8)


@pytest.mark.parametrize(
    ("priorities", "field"),
    [
        (rows("a", "b", "c", "d", "e", "f"), "priorities"),
        ([PriorityInput("x" * 201)], "p-0-text"),
        ([PriorityInput("a", start="25:99")], "p-0-start"),
        ([PriorityInput("a", duration="0")], "p-0-duration"),
        ([PriorityInput("a", duration="9999")], "p-0-duration"),
        ([PriorityInput("a", item="other/path")], "p-0-item"),
        ([PriorityInput("a", customer="c" * 121)], "p-0-customer"),
    ],
)
def test_bad_plans_are_refused_with_the_field(db, enrolled, priorities, field):
    with pytest.raises(PlanningError) as error:
        save_plan(enrolled.hire, MON, priorities, actor=enrolled.hire, now=at(MON, 8))
    assert error.value.field == field


def test_a_refused_plan_or_review_writes_nothing(db, enrolled):
    """The services check every row and count before their first write, so a refusal leaves
    nothing in the session for anyone to commit."""
    hire = enrolled.hire
    with pytest.raises(PlanningError) as error:
        save_plan(hire, MON, rows("a", "x" * 201), {999_999: "3"}, actor=hire, now=at(MON, 8))
    assert error.value.field == "p-1-text"
    with pytest.raises(PlanningError) as error:
        save_plan(hire, MON, rows("a", "b"), {999_999: "3"}, actor=hire, now=at(MON, 8))
    assert error.value.field == "count-999999"
    assert not db.session.new and not db.session.dirty
    assert plan_for(hire.id, MON) is None
    plan = save_plan(hire, MON, rows("a", "b"), actor=hire, now=at(MON, 8))
    first, second = (priority.id for priority in plan.priorities)
    db.session.commit()
    with pytest.raises(PlanningError) as error:
        save_review(
            hire,
            MON,
            [OutcomeInput(first, "done"), OutcomeInput(second, "moved")],
            actor=hire,
            now=at(MON, 18),
        )
    assert error.value.field == f"o-{second}-moved"
    with pytest.raises(PlanningError) as error:
        save_review(
            hire, MON, [OutcomeInput(first, "done")], {}, "x" * 501, actor=hire, now=at(MON, 18)
        )
    assert error.value.field == "learned"
    assert not db.session.new and not db.session.dirty
    assert [priority.outcome for priority in plan_for(hire.id, MON).priorities] == [None, None]


def test_only_today_and_a_week_ahead_and_only_your_own(db, enrolled):
    hire = enrolled.hire
    with pytest.raises(PlanningError):
        save_plan(hire, MON, rows("a"), actor=hire, now=at(TUE, 8))
    with pytest.raises(PlanningError):
        save_plan(hire, MON + timedelta(days=8), rows("a"), actor=hire, now=at(MON, 8))
    with pytest.raises(NotYours):
        save_plan(hire, MON, rows("a"), actor=enrolled.manager, now=at(MON, 8))
    other = save_plan(
        enrolled.outsider, MON, rows("theirs"), actor=enrolled.outsider, now=at(MON, 8)
    )
    with pytest.raises(NotYours):
        save_plan(
            hire,
            MON,
            [PriorityInput("mine", id=other.priorities[0].id)],
            actor=hire,
            now=at(MON, 8),
        )
    assert plan_for(enrolled.outsider.id, MON).priorities[0].text == "theirs"


def test_due_items_come_overdue_first(db, enrolled):
    choices = due_item_choices(enrolled.hire, START + timedelta(days=12))
    assert [(c.value, c.is_overdue) for c in choices] == [("rep/shadow", True), ("rep/crm", False)]


def test_carry_over_offers_the_unfinished_once(db, enrolled):
    hire = enrolled.hire
    monday = save_plan(
        hire, MON, rows("done", "partly", "moved", "open"), actor=hire, now=at(MON, 8)
    )
    ids = [p.id for p in monday.priorities]
    save_review(
        hire,
        MON,
        [
            OutcomeInput(ids[0], "done"),
            OutcomeInput(ids[1], "partly"),
            OutcomeInput(ids[2], "moved", moved_to=WED.isoformat(), reason="waiting"),
        ],
        actor=hire,
        now=at(MON, 18),
    )
    assert [p.text for p in carry_over_candidates(hire, TUE)] == ["partly", "open"]
    tuesday = carry_over(hire, TUE, [ids[1], ids[3], ids[0]], actor=hire, now=at(TUE, 8))
    assert [(p.text, p.source, p.carried_from_id) for p in tuesday.priorities] == [
        ("partly", "carried", ids[1]),
        ("open", "carried", ids[3]),
    ]
    assert carry_over_candidates(hire, TUE) == []
    # The moved one waits for its day; on Wednesday Tuesday's unreviewed ones come with it.
    assert [p.text for p in carry_over_candidates(hire, WED)] == ["moved", "partly", "open"]
    with pytest.raises(PlanningError):
        carry_over(hire, TUE, [ids[2]], actor=hire, now=at(TUE, 9))


def test_review_rules(db, enrolled):
    hire = enrolled.hire
    plan = save_plan(hire, MON, rows("a", "b"), actor=hire, now=at(MON, 8))
    a, b = (p.id for p in plan.priorities)
    with pytest.raises(PlanningError) as error:
        save_review(hire, MON, [OutcomeInput(a, "moved")], actor=hire, now=at(MON, 18))
    assert error.value.field == f"o-{a}-moved"
    with pytest.raises(PlanningError) as error:
        save_review(hire, MON, [OutcomeInput(a, "dropped")], actor=hire, now=at(MON, 18))
    assert error.value.field == f"o-{a}-reason"
    with pytest.raises(PlanningError):
        save_review(hire, MON, [OutcomeInput(a, "won")], actor=hire, now=at(MON, 18))
    # One outcome only: saved, not yet reviewed.
    plan = save_review(hire, MON, [OutcomeInput(a, "done")], actor=hire, now=at(MON, 18))
    assert plan.reviewed_at is None
    plan = save_review(
        hire,
        MON,
        [
            OutcomeInput(a, "done"),
            OutcomeInput(b, "dropped", reason="customer", note="Rescheduled"),
        ],
        {activity_kinds()[0].id: "7"},
        "Call before 10",
        actor=hire,
        now=at(TUE, 11, 59),
    )
    assert plan.is_reviewed and plan.learned == "Call before 10"
    assert plan.counts[0].actual == 7
    # Before the day: refused; after noon of the next day: kept, but late.
    later = save_plan(hire, TUE, rows("c"), actor=hire, now=at(MON, 20))
    with pytest.raises(PlanningError):
        save_review(
            hire, TUE, [OutcomeInput(later.priorities[0].id, "done")], actor=hire, now=at(MON, 21)
        )
    late = save_review(
        hire, TUE, [OutcomeInput(later.priorities[0].id, "done")], actor=hire, now=at(WED, 12, 1)
    )
    assert late.reviewed_at is not None and late.is_review_late and not late.is_reviewed


def test_weekly_review_seeds_next_monday(db, enrolled):
    hire = enrolled.hire
    for day in (MON, TUE):
        plan = save_plan(hire, day, rows("x", "y"), actor=hire, now=at(day, 8))
        save_review(
            hire,
            day,
            [
                OutcomeInput(plan.priorities[0].id, "done"),
                OutcomeInput(plan.priorities[1].id, "dropped", reason="interrupted"),
            ],
            actor=hire,
            now=at(day, 18),
        )
    summary = week_summary(hire, MON)
    assert summary.completion == 0.5
    assert summary.reasons == [("interrupted", 2)]
    review = save_weekly_review(
        hire,
        MON,
        "Too many interruptions",
        ["Book 3 demos", "", "Clean pipeline"],
        actor=hire,
        now=at(FRI, 16),
    )
    assert review.next_priorities == ["Book 3 demos", "Clean pipeline"]
    next_monday = plan_for(hire.id, MON + timedelta(days=7))
    assert [(p.text, p.source) for p in next_monday.priorities] == [
        ("Book 3 demos", "weekly"),
        ("Clean pipeline", "weekly"),
    ]
    assert next_monday.planned_at is None  # seeded, not yet planned by the hire
    # Reviewing again replaces the seeds, not adds to them.
    save_weekly_review(hire, MON, "", ["Only this"], actor=hire, now=at(FRI, 17))
    assert [p.text for p in plan_for(hire.id, MON + timedelta(days=7)).priorities] == ["Only this"]
    with pytest.raises(PlanningError):
        save_weekly_review(hire, MON, "", ["a", "b", "c", "d"], actor=hire, now=at(FRI, 17))
    with pytest.raises(PlanningError):
        save_weekly_review(hire, TUE, "", ["a"], actor=hire, now=at(FRI, 17))
    assert db.session.query(DayPlan).filter_by(user_id=hire.id).count() == 3


def test_activity_kinds_are_edited_by_the_company(db, enrolled):
    kind = save_activity_kind(slug="demos", name_en="Demos", name_zh="演示", weekly_goal="4")
    assert kind in activity_kinds()
    save_activity_kind(kind_id=kind.id, slug="demos", name_en="Demos", weekly_goal=5, active=False)
    assert kind not in activity_kinds() and kind.weekly_goal == 5
    for bad in ({"slug": "Bad Slug"}, {"slug": "calls"}, {"name_en": ""}, {"weekly_goal": "-1"}):
        values = {"slug": "ok", "name_en": "Ok", **bad}
        with pytest.raises(PlanningError):
            save_activity_kind(**values)
