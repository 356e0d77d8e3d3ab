"""The simulation that chose the default mastery weight (bench/mastery_simulation.py): its
numbers for the committed seed, and the choice it makes from them."""

from __future__ import annotations

import pytest

from bench import mastery_simulation as sim


@pytest.fixture(scope="module")
def results():
    return {(r.weight, r.minimum): r for r in sim.simulate(hires=sim.HIRES, seed=sim.SEED)}


def test_the_numbers_for_the_committed_seed(results):
    today = results[(0.65, 2)]
    chosen = results[(0.3, 2)]
    # 4000 hires, 8 attempts each: 6 status changes can be judged per hire
    assert (today.transitions, today.flips, today.outlier_flips) == (24000, 5472, 1579)
    assert (chosen.transitions, chosen.flips, chosen.outlier_flips) == (24000, 2752, 896)
    assert today.outlier_transitions == chosen.outlier_transitions == 3662
    assert today.agreement == pytest.approx(0.802, abs=1e-4)
    assert chosen.agreement == pytest.approx(0.7943, abs=1e-4)
    assert (round(today.lag, 3), round(chosen.lag, 3)) == (0.875, 1.846)


def test_the_default_resists_a_single_outlier_better_than_the_old_one(results, app):
    chosen = sim.choose(list(results.values()))
    today = results[(0.65, 2)]
    assert (chosen.weight, chosen.minimum) == (0.3, 2)
    assert chosen.flip_rate < today.flip_rate / 1.8
    assert chosen.outlier_flip_rate < today.outlier_flip_rate / 1.5
    assert chosen.agreement >= today.agreement - sim.AGREEMENT_SLACK
    assert chosen.lag <= today.lag + sim.LAG_SLACK
    assert app.config["MASTERY_WEIGHT"] == chosen.weight
    assert app.config["MASTERY_MIN_EVIDENCE"] == chosen.minimum


def test_the_same_seed_gives_the_same_numbers():
    first = sim.simulate(hires=50, seed=3)
    assert first == sim.simulate(hires=50, seed=3)
    assert first != sim.simulate(hires=50, seed=4)
