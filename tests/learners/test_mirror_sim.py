"""The simulated field: seeded, reproducible, steerable; the bench's JSON through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from selflearn.cli import app
from selflearn.learners.mirror import ARMS, LOAD_BINS, MirrorConfig, make_action
from selflearn.simulator.mirror import (
    Context,
    SimulatedField,
    SimulatedWorld,
    context_of,
    play_day,
)


def test_a_world_is_fixed_by_its_seed() -> None:
    one, again, other = SimulatedWorld(5), SimulatedWorld(5), SimulatedWorld(6)
    context = Context(2, "M", "P")
    assert [one.effect(context, a) for a in ARMS] == [again.effect(context, a) for a in ARMS]
    assert [one.effect(context, a) for a in ARMS] != [other.effect(context, a) for a in ARMS]
    loads = {LOAD_BINS[0] if one.users(h) < 20 else "MH"[one.users(h) >= 60] for h in range(24)}
    assert loads == {"L", "M", "H"}  # a day crosses every load bin


def test_a_day_replays_exactly_and_another_noise_seed_differs() -> None:
    world = SimulatedWorld(3)
    runs = [play_day(world, MirrorConfig(), noise_seed=n, hours=0.5, hub_seed=1) for n in (1, 1, 2)]
    rewards = [[e.raw_reward for e in run.episodes] for run in runs]
    assert rewards[0] == rewards[1] and rewards[0] != rewards[2]
    assert [e.arm for e in runs[0].episodes] == [e.arm for e in runs[1].episodes]
    # At most one episode per 2 s in the bucket (the field has one bucket at a time).
    times = [e.ts for e in runs[0].episodes]
    assert all((b - a).total_seconds() >= 2.0 for a, b in zip(times, times[1:], strict=False))
    assert all(3000 <= e.dt_ms <= 4000 for e in runs[0].episodes)


def test_the_hidden_best_arm_moves_the_field_more_than_the_worst() -> None:
    world = SimulatedWorld(4)
    moved = {}
    for which in ("best", "worst"):
        field = SimulatedField(world, noise_seed=1, hours=0.1)
        field.step(0)
        state = field.state(field.now)
        context = context_of(state)
        score = {a: world.effect(context, a)[0] - world.effect(context, a)[1] for a in ARMS}
        arm = max(score, key=score.get) if which == "best" else min(score, key=score.get)
        field.apply(make_action(arm), state)
        after = field.state(field.now)
        moved[which] = (after.coherence - state.coherence) - (after.entropy - state.entropy)
    assert moved["best"] > 0 > moved["worst"]


def test_the_bench_prints_one_json_object_of_the_documented_shape() -> None:
    args = ["learners", "bench", "mirror", "--hours", "0.25", "--seed", "7", "--worlds", "2"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"adaptive", "static", "thompson"} <= set(payload["arms"])
    assert isinstance(payload["arms"]["adaptive"]["reward"], float)
    assert set(payload["effect"]["reward"]) >= {"delta", "ci_low", "ci_high"}
    assert 0.0 <= payload["coverage"] <= 1.0
    assert set(payload["reward_variance"]) >= {"first", "last"}
    assert set(payload["off_policy"]) >= {"ips", "dr"}
    assert payload["world_seeds"] == [7, 8]
    again = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert again == payload  # seeded: the same worlds, the same figures


def test_the_bench_refuses_a_single_world() -> None:
    result = CliRunner().invoke(app, ["learners", "bench", "mirror", "--worlds", "1"])
    assert result.exit_code != 0


def test_the_policy_part_of_the_variance_is_zero_for_one_arm_and_positive_for_many() -> None:
    world = SimulatedWorld(3)
    static = play_day(world, MirrorConfig(adaptive=False), noise_seed=1, hours=0.5, hub_seed=1)
    adaptive = play_day(world, MirrorConfig(), noise_seed=1, hours=0.5, hub_seed=1)
    # A static hub picks one arm per context: within a context its pushes never differ.
    assert static.choice_variance_between(world, 0, 0.5) == pytest.approx(0.0, abs=1e-20)
    # A learning hub tries several arms in a context, whose hidden pushes differ.
    assert adaptive.choice_variance_between(world, 0, 0.5) > 0.0
    assert static.variance_between(0, 0.5) > 0.0  # the raw reward varies either way
