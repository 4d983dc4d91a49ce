"""The pooled probability's variants (bench/pool_variants.py): learning, honesty and base rates by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def variants(bench_script):
    """The study script as a module."""
    return bench_script("pool_variants")


def _events(rng, n=4000, entities=("a", "b", "c", "d")):
    own = rng.uniform(0.02, 0.98, n)
    out = rng.uniform(0.02, 0.98, n)
    return pd.DataFrame({"entity": rng.choice(entities, n), "family": "rd_money", "origin": 2015,
                         "h": rng.integers(1, 5, n), "n": 7, "own": own, "out": out})


def test_recalibration_is_monotone_and_the_identity_at_a_0_b_1(variants):
    p = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(variants.recalibrated(p, 0.0, 1.0), p)
    sharper = variants.recalibrated(p, 0.0, 2.0)
    assert np.all(np.diff(sharper) > 0)
    assert np.all(sharper[p > 0.5] > p[p > 0.5]) and np.all(sharper[p < 0.5] < p[p < 0.5])
    assert variants.recalibrated(np.array([0.5]), 1.0, 1.0)[0] == pytest.approx(1 / (1 + np.exp(-1)))


@pytest.mark.parametrize("truth", ["own", "out"])
def test_the_learned_weight_finds_the_view_the_outcomes_follow(variants, truth):
    rng = np.random.default_rng(0)
    events = _events(rng)
    events["outcome"] = rng.uniform(size=len(events)) < events[truth]
    w = variants.learn("w", events)[0]
    assert (w > 0.85) if truth == "out" else (w < 0.15)
    a, b = variants.learn("logit", events.assign(own=events[truth], out=events[truth]))
    assert a == pytest.approx(0.0, abs=0.15) and b == pytest.approx(1.0, abs=0.15)  # calibrated already


def test_every_entity_weighs_the_same(variants):
    weights = variants.entity_weights(pd.Series(["a"] * 3 + ["b"]))
    np.testing.assert_allclose(weights, [1 / 6, 1 / 6, 1 / 6, 1 / 2])


def test_a_family_weight_is_shrunk_towards_the_class(variants):
    rng = np.random.default_rng(1)
    events = _events(rng)
    events.loc[events["entity"] == "a", "family"] = "patents"  # one entity: 1 / (1 + 4) of its own w
    events["outcome"] = rng.uniform(size=len(events)) < np.where(events["family"] == "patents", events["out"],
                                                                 events["own"])
    learned = variants.learn("w/fam", events)
    own_w = variants.learn("w", events[events["family"] == "patents"])[0]
    assert learned["patents"] == pytest.approx((own_w + 4 * learned[None]) / 5)
    assert learned["rd_money"] < 0.5 * learned["patents"]
    family = np.array(["patents", "unknown"])
    p = variants.apply("w/fam", learned, np.array([0.2, 0.2]), np.array([0.8, 0.8]), np.ones(2), family, np.full(2, 7))
    np.testing.assert_allclose(p, 0.2 + 0.6 * np.array([learned["patents"], learned[None]]))


def test_the_history_weight_leans_on_the_base_rate_for_short_series(variants):
    rng = np.random.default_rng(2)
    events = _events(rng, n=8000)
    events["n"] = rng.integers(2, 8, len(events))
    # outcomes drawn from the pool with w = 3 / (3 + n): short series follow the base rate more
    truth = variants.pooled(3 / (3 + events["n"]), events["own"], events["out"])
    events["outcome"] = rng.uniform(size=len(events)) < truth
    (n0,) = variants.learn("w/n", events)
    assert n0 == pytest.approx(3, rel=0.35)
    np.testing.assert_allclose(variants.history_weight(n0, [2, 7]), n0 / (n0 + np.array([2, 7])))
    p = variants.apply("w/n", [n0], np.array([0.2, 0.2]), np.array([0.8, 0.8]), np.ones(2), None, np.array([2, 7]))
    assert p[0] > p[1]  # the short series nearer its base rate


def test_a_vintage_learns_only_from_events_resolved_by_its_year(variants):
    events = pd.DataFrame({"origin": [2014, 2014, 2015, 2016, 2013], "h": [1, 2, 1, 1, 3], "n": [7, 7, 7, 7, 1]})
    kept = variants.resolved_by(events, 2016)
    assert kept.index.tolist() == [0, 1, 2]  # 2016 + 1 is not known in 2016; a one-point history is left out


def test_growth_runs_by_hand(variants):
    panel = pd.DataFrame({"series_id": "s", "family": "rd_money", "entity": "p",
                          "year": [2010, 2011, 2012, 2013, 2014, 2016],
                          "value": np.exp([0.0, 0.1, 0.2, 0.6, 0.9, 2.0])})
    runs = variants.growth_runs(panel)
    # only origin 2013 has 3 years of growth before it and a next year (the gap 2014-2016 ends the run)
    assert runs[["origin", "h"]].values.tolist() == [[2013, 1]]
    first = runs.iloc[0]
    assert first["x"] == pytest.approx(0.2) and first["y"] == pytest.approx(0.3)


def test_the_conditional_base_rate_by_hand(variants):
    runs = pd.DataFrame({"entity": ["a", "a", "a", "b", "c", "d", "e", "z"],
                         "family": ["rd_money"] * 7 + ["patents"],
                         "origin": [2010, 2011, 2012, 2010, 2010, 2010, 2010, 2010],
                         "h": 1,
                         "x": [0.10, 0.11, 0.12, 0.30, 0.50, 0.70, 0.90, 0.10],
                         "y": [0.05, 0.06, 0.07, 0.20, 0.40, 0.60, 0.80, 1.00]})
    # all of the family's runs resolved by 2012 (the 2012 one is not): a's two count as one entity
    p = variants.conditional_exceedance(runs, "rd_money", 1, 2012, 0.1, np.array([0.0, 0.3, 2.0]), 1.0)
    np.testing.assert_allclose(p, [1.0, 3 / 5, 0.0])
    # a horizon without runs yet takes the shorter one's
    q = variants.conditional_exceedance(runs, "rd_money", 3, 2012, 0.1, np.array([0.3]), 1.0)
    np.testing.assert_allclose(q, [3 / 5])
