"""The mirror loop's knobs; the defaults are the seed's values where the seed gives one."""

from __future__ import annotations

from dataclasses import dataclass

from selflearn.errors import InvalidInputError

STRATEGIES: tuple[str, ...] = ("epsilon_greedy", "thompson")


@dataclass(frozen=True)
class MirrorConfig:
    """How the hub chooses, logs and learns.

    `epsilon`: the share of random arms (seed: 0.1). `adaptive` off is the static hub (the
    state-analysis fallback on every turn, still logged). An episode closes at the first
    field snapshot `settle_min_s` after its feedback, or at `settle_max_s` at the latest
    (seed: 3–5 s); at most one episode per `rate_limit_s` per bucket (seed: 2 s). Users are
    active for `active_window_s` after their last reflection. `thompson_sd` is the reward
    noise (normalised units) Thompson sampling assumes; `thompson_prior_sd` the spread of an
    untried arm.
    """

    epsilon: float = 0.1
    strategy: str = "epsilon_greedy"
    adaptive: bool = True
    rate_limit_s: float = 2.0
    settle_min_s: float = 3.0
    settle_max_s: float = 5.0
    learn_every_s: float = 60.0
    tick_every_s: float = 1.0
    active_window_s: float = 300.0
    thompson_sd: float = 0.008
    thompson_prior_sd: float = 0.008

    def __post_init__(self) -> None:
        if not 0.0 <= self.epsilon <= 1.0:
            raise InvalidInputError(f"mirror epsilon must lie in [0, 1], not {self.epsilon}")
        if self.strategy not in STRATEGIES:
            raise InvalidInputError(
                f"unknown mirror strategy {self.strategy!r}",
                hint=f"Use one of: {', '.join(STRATEGIES)}.",
            )
        if not 0 < self.settle_min_s <= self.settle_max_s:
            raise InvalidInputError("mirror settle times must satisfy 0 < min <= max")
        for name in ("rate_limit_s", "learn_every_s", "tick_every_s", "active_window_s"):
            if getattr(self, name) <= 0:
                raise InvalidInputError(f"mirror {name} must be positive")
