"""Hypothesis search: determinism, bounds and types, warm start, finding a near-optimum."""

from __future__ import annotations

import math

import optuna
import pytest

from selflearn.agents.teacher.search import HypothesisSearch, SearchDimension

DIMENSIONS = [
    SearchDimension("top_k", "int", 1, 50),
    SearchDimension("relevance_weight", "float", 0.0, 1.0),
    SearchDimension("half_life_days", "float", 0.5, 3650.0, log=True),
    SearchDimension("prompt", "categorical", choices=("v1", "v2", "v3")),
]
DEFAULTS = {"top_k": 5, "relevance_weight": 0.5, "half_life_days": 30.0, "prompt": "v1"}


@pytest.fixture(autouse=True)
def _quiet_optuna():
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield
    optuna.logging.set_verbosity(level)


def score(p: dict) -> float:
    """Return a smooth objective with its maximum 1.0 at top_k=20, weight 0.8, 100 days, v2."""
    return (
        0.4 * math.exp(-(((p["top_k"] - 20) / 10) ** 2))
        + 0.3 * math.exp(-(((p["relevance_weight"] - 0.8) / 0.3) ** 2))
        + 0.2 * math.exp(-((math.log10(p["half_life_days"] / 100.0)) ** 2))
        + 0.1 * (p["prompt"] == "v2")
    )


def _run(seed: int, steps: int, **kwargs) -> HypothesisSearch:
    search = HypothesisSearch(DIMENSIONS, seed=seed, **kwargs)
    for _ in range(steps):
        params = search.ask()
        search.tell(params, score(params))
    return search


def test_same_seed_gives_the_same_proposals():
    first = [e.params for e in _run(3, 25).history]
    second = [e.params for e in _run(3, 25).history]
    other = [e.params for e in _run(4, 25).history]
    assert first == second
    assert first != other


def test_proposals_respect_bounds_and_types():
    for evaluation in _run(0, 40).history:
        p = evaluation.params
        assert isinstance(p["top_k"], int) and 1 <= p["top_k"] <= 50
        assert isinstance(p["relevance_weight"], float) and 0.0 <= p["relevance_weight"] <= 1.0
        assert 0.5 <= p["half_life_days"] <= 3650.0
        assert p["prompt"] in ("v1", "v2", "v3")


def test_finds_a_near_optimum_on_a_small_objective():
    search = _run(1, 60, warm_start=[DEFAULTS])
    assert search.best is not None
    assert search.best.value >= 0.9
    assert score(DEFAULTS) < 0.6


def test_warm_start_configuration_is_proposed_first():
    search = HypothesisSearch(DIMENSIONS, seed=0, warm_start=[DEFAULTS])
    assert search.ask() == DEFAULTS


def test_minimize_tracks_the_lowest_value():
    search = HypothesisSearch(DIMENSIONS, seed=0, direction="minimize")
    for _ in range(15):
        params = search.ask()
        search.tell(params, -score(params))
    assert search.best is not None
    assert search.best.value == min(e.value for e in search.history)


def test_outside_results_are_recorded_and_never_proposed_again():
    search = HypothesisSearch(
        [
            SearchDimension("top_k", "int", 1, 4),
            SearchDimension("mode", "categorical", choices=("a", "b")),
        ],
        seed=0,
    )
    search.add_evaluated({"top_k": 2, "mode": "a"}, 0.7)
    search.tell({"top_k": 3, "mode": "b"}, 0.9)  # never asked: recorded as an outside result
    asked = []
    for _ in range(6):  # exactly the six configurations not yet evaluated
        params = search.ask()
        asked.append((params["top_k"], params["mode"]))
        search.tell(params, 0.1)
    assert (2, "a") not in asked and (3, "b") not in asked
    assert len(set(asked)) == 6
    assert search.best is not None and search.best.params == {"top_k": 3, "mode": "b"}


def test_failed_evaluations_are_not_results():
    search = HypothesisSearch(DIMENSIONS, seed=0)
    params = search.ask()
    search.tell(params, None)
    assert search.best is None
    assert search.trials[0].state == optuna.trial.TrialState.FAIL


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "kind": "int", "low": 1, "high": 2.5}, "whole-number"),
        ({"name": "x", "kind": "float", "low": 2.0, "high": 1.0}, "low <= high"),
        ({"name": "x", "kind": "float", "low": 0.0, "high": 1.0, "log": True}, "low > 0"),
        ({"name": "x", "kind": "categorical"}, "needs choices"),
        ({"name": "x", "kind": "float"}, "needs low and high"),
        ({"name": "x", "kind": "bool", "low": 0, "high": 1}, "unknown kind"),
    ],
)
def test_malformed_dimensions_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SearchDimension(**kwargs)


def test_parameters_outside_the_space_are_refused():
    search = HypothesisSearch(DIMENSIONS, seed=0)
    with pytest.raises(ValueError, match="top_k=99 is outside the search space"):
        search.enqueue({**DEFAULTS, "top_k": 99})
    with pytest.raises(ValueError, match="missing"):
        search.add_evaluated({"top_k": 3}, 0.5)
    with pytest.raises(ValueError, match="finite"):
        search.add_evaluated(DEFAULTS, float("nan"))
