"""Mastery: the decaying average of design.md, with numbers; the evidence log; recompute."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.content.store import publish
from lms.extensions import db as _db
from lms.skills import rounding
from lms.skills.evidence import record_evidence
from lms.skills.mastery import (
    NOT_ASSESSED,
    Status,
    decay,
    decaying_average,
    mastery_by_user,
    mastery_of,
    recompute_all,
)
from lms.skills.models import Evidence, Mastery
from tests.skills.conftest import small_framework

WEIGHT = 0.3  # the default weight (LMS_MASTERY_WEIGHT), chosen by bench/mastery_simulation.py

T0 = datetime(2026, 1, 5, 9, 0)


def quiz(learner, values, at, ref=None):
    return record_evidence(
        learner.id, values, source_kind="quiz", source_id="q", at=at, source_ref=ref
    )


def snapshot():
    return sorted(
        (
            row.user_id,
            row.skill_id,
            row.level,
            row.previous_level,
            row.last_value,
            row.count,
            row.first_at,
            row.last_at,
            row.last_evidence_id,
        )
        for row in _db.session.scalars(sa.select(Mastery).where(Mastery.count > 0))
    )


def test_the_worked_example_of_docs_mastery(app, db, framework, make_user):
    """docs/mastery.md: evidence 0.5, 1.0, 0.25, 0.8 with the default w = 0.3."""
    assert app.config["MASTERY_WEIGHT"] == WEIGHT == 0.3
    assert app.config["MASTERY_MIN_EVIDENCE"] == 2
    learner = make_user()
    m = None
    for step, (value, hand, shown) in enumerate(
        [(0.5, 0.5, None), (1.0, 0.65, 65), (0.25, 0.53, 53), (0.8, 0.611, 61)]
    ):
        quiz(learner, {"planning": value}, T0 + timedelta(days=step))
        db.session.commit()
        m = hand if m is None else 0.7 * m + 0.3 * value
        assert m == pytest.approx(hand, abs=1e-12)
        state = mastery_of(learner.id)["planning"]
        assert state.count == step + 1
        assert state.level == pytest.approx(hand, abs=1e-12)
        if step == 0:
            assert state.value is None and state.status is Status.NOT_ENOUGH
        else:
            assert state.value == pytest.approx(hand * 100, abs=1e-9)
            assert rounding.text(state.value) == str(shown)
            assert state.status is Status.ASSESSED
    state = mastery_of(learner.id)["planning"]
    assert state.trend == 61 - 53  # between the numbers shown
    assert state.direction == "up"
    assert state.last_at == T0 + timedelta(days=3)
    assert decaying_average([0.5, 1.0, 0.25, 0.8], 0.3) == pytest.approx(0.611)
    # the same evidence under the old default: one bad result took 82.5 down to 45.1
    assert decaying_average([0.5, 1.0, 0.25], 0.65) == pytest.approx(0.45125)


def test_decay_is_the_formula_and_stays_in_unit_range():
    assert decay(None, 0.3, 0.65) == 0.3
    assert decay(0.5, 1.0, 0.65) == pytest.approx(0.825)
    assert decay(1.0, 1.0, 0.65) <= 1.0
    assert decay(0.0, 0.0, 0.65) == 0.0
    assert decaying_average([], WEIGHT) is None
    assert decaying_average([0.7], WEIGHT) == 0.7


def test_not_enough_evidence_is_not_zero(app, db, framework, make_user):
    learner = make_user()
    quiz(learner, {"planning": 0.0}, T0)
    db.session.commit()
    states = mastery_by_user([learner.id], ["planning", "goal-setting"])[learner.id]
    assert states["planning"].value is None
    assert states["planning"].count == 1
    assert states["planning"].status is Status.NOT_ENOUGH
    assert states["goal-setting"] is NOT_ASSESSED
    assert states["goal-setting"].status is Status.NOT_ASSESSED


@pytest.mark.parametrize("app_config", [{"MASTERY_MIN_EVIDENCE": 3, "MASTERY_WEIGHT": 0.5}])
def test_the_settings_change_weight_and_minimum(app, db, framework, make_user):
    learner = make_user()
    for day, value in enumerate([1.0, 0.0]):
        quiz(learner, {"planning": value}, T0 + timedelta(days=day))
    db.session.commit()
    assert mastery_of(learner.id)["planning"].value is None
    quiz(learner, {"planning": 1.0}, T0 + timedelta(days=2))
    db.session.commit()
    assert mastery_of(learner.id)["planning"].value == pytest.approx(75.0)


def test_one_query_for_many_learners(app, db, framework, make_user, queries):
    learners = [make_user() for _ in range(5)]
    for index, learner in enumerate(learners):
        for day in range(3):
            quiz(learner, {"planning": index / 5, "goal-setting": 0.5}, T0 + timedelta(days=day))
    db.session.commit()
    ids = [learner.id for learner in learners]
    with queries() as statements:
        result = mastery_by_user(ids)
    assert len(statements) == 1
    assert set(result) == set(ids)
    assert result[ids[2]]["planning"].value == pytest.approx(40.0)
    assert set(result[ids[0]]) == {"planning", "goal-setting"}
    assert mastery_by_user([]) == {}


def test_each_source_kind_and_validation(app, db, framework, make_user):
    learner = make_user()
    for kind in ("quiz", "scenario", "review", "signoff"):
        rows = record_evidence(learner.id, {"planning": 1}, source_kind=kind, source_id="x")
        assert [row.source_kind for row in rows] == [kind]
    bad = [
        ({"planning": 1.01}, "quiz", "between 0 and 1"),
        ({"planning": -0.1}, "quiz", "between 0 and 1"),
        ({"planning": float("nan")}, "quiz", "between 0 and 1"),
        ({"planning": "0.5"}, "quiz", "not a number"),
        ({"planning": True}, "quiz", "not a number"),
        ({"no-such-skill": 0.5}, "quiz", "unknown skills: no-such-skill"),
        ({"planning": 0.5}, "exam", "unknown evidence source kind"),
    ]
    for values, kind, message in bad:
        with pytest.raises(ValueError, match=message):
            record_evidence(learner.id, values, source_kind=kind, source_id="x")
    with pytest.raises(ValueError, match="source_id"):
        record_evidence(learner.id, {"planning": 1}, source_kind="quiz", source_id="")
    with pytest.raises(ValueError, match="source_id"):
        record_evidence(learner.id, {"planning": 1}, source_kind="quiz", source_id="x" * 65)
    assert record_evidence(learner.id, {}, source_kind="quiz", source_id="x") == []
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 4


def test_retired_skills_are_refused(app, db, framework, make_user):
    learner = make_user()
    publish(small_framework(("goal-setting", "planning")), actor=None)
    db.session.commit()
    with pytest.raises(ValueError, match="retired skills: objection-handling"):
        record_evidence(learner.id, {"objection-handling": 0.5}, source_kind="quiz", source_id="x")


def test_a_source_ref_counts_once(app, db, framework, make_user):
    learner = make_user()
    first = quiz(learner, {"planning": 0.5, "goal-setting": 1.0}, T0, ref="attempt:1")
    db.session.commit()
    again = quiz(learner, {"planning": 0.5, "goal-setting": 1.0}, T0, ref="attempt:1")
    db.session.commit()
    assert [row.id for row in again] == [row.id for row in first]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 2
    assert mastery_of(learner.id)["planning"].count == 1


def test_back_dated_evidence_gives_the_recomputed_value(app, db, framework, make_user):
    learner = make_user()
    quiz(learner, {"planning": 1.0}, T0 + timedelta(days=10))
    quiz(learner, {"planning": 0.2}, T0 + timedelta(days=20))
    db.session.commit()
    quiz(learner, {"planning": 0.6}, T0 + timedelta(days=1))
    db.session.commit()
    state = mastery_of(learner.id)["planning"]
    assert state.level == decaying_average([0.6, 1.0, 0.2], WEIGHT)
    assert state.last_at == T0 + timedelta(days=20)
    assert state.count == 3
    before = snapshot()
    result = recompute_all()
    db.session.commit()
    assert result.changed == 0 and result.pairs == 1
    assert snapshot() == before


def test_equal_times_keep_the_order_of_recording(app, db, framework, make_user):
    learner = make_user()
    for value in (0.1, 0.9, 0.4):
        quiz(learner, {"planning": value}, T0)
    db.session.commit()
    assert mastery_of(learner.id)["planning"].level == decaying_average([0.1, 0.9, 0.4], WEIGHT)
    before = snapshot()
    assert recompute_all().changed == 0
    assert snapshot() == before


def test_recompute_equals_incremental_exactly(app, db, framework, make_user):
    import random

    rng = random.Random(7)
    learners = [make_user() for _ in range(6)]
    skills = list(framework)
    for _ in range(300):
        learner = rng.choice(learners)
        values = {
            skill: rng.choice([0, 0.25, 1 / 3, 0.5, 2 / 3, 0.8, 1, rng.random()])
            for skill in rng.sample(skills, rng.randint(1, 3))
        }
        at = T0 + timedelta(hours=rng.randint(0, 2000))
        record_evidence(learner.id, values, source_kind="quiz", source_id="q", at=at)
    db.session.commit()
    incremental = snapshot()
    assert len(incremental) == 18
    result = recompute_all()
    db.session.commit()
    assert result.changed == 0
    assert snapshot() == incremental
    db.session.execute(sa.update(Mastery).values(level=0.123, count=99))
    db.session.execute(sa.delete(Mastery).where(Mastery.user_id == learners[0].id))
    db.session.commit()
    result = recompute_all()
    db.session.commit()
    assert result.pairs == 18 and result.changed == 18
    assert snapshot() == incremental


def test_recompute_removes_mastery_without_evidence(app, db, framework, make_user):
    learner = make_user()
    db.session.add(Mastery(user_id=learner.id, skill_id="planning", level=0.5, count=3))
    db.session.commit()
    assert recompute_all().removed == 1
    db.session.commit()
    assert snapshot() == []


def test_recompute_cli(app, db, framework, make_user, runner):
    learner = make_user()
    quiz(learner, {"planning": 0.5}, T0)
    quiz(learner, {"planning": 1.0}, T0 + timedelta(days=1))
    db.session.execute(sa.update(Mastery).values(level=0.0))
    db.session.commit()
    result = runner.invoke(args=["lms", "recompute-mastery"])
    assert result.exit_code == 0, result.output
    assert "1 learner-skill pairs, 1 changed" in result.output
    db.session.expire_all()
    assert mastery_of(learner.id)["planning"].level == decaying_average([0.5, 1.0], WEIGHT)


def test_concurrent_evidence_for_one_learner_and_skill_all_counts(app, db, framework, make_user):
    learner = make_user()
    learner_id = learner.id
    db.session.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def write(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                for step in range(5):
                    record_evidence(
                        learner_id,
                        {"planning": (index * 5 + step) / 20, "goal-setting": 0.5},
                        source_kind="quiz",
                        source_id="q",
                        at=T0 + timedelta(minutes=index * 5 + step),
                    )
                    _db.session.commit()
                _db.session.remove()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    state = mastery_of(learner_id)["planning"]
    assert state.count == 20
    assert state.level == decaying_average([n / 20 for n in range(20)], WEIGHT)
    assert mastery_of(learner_id)["goal-setting"].count == 20
    before = snapshot()
    assert recompute_all().changed == 0
    assert snapshot() == before
