"""What the owner asks of a campaign: goal, scenarios, budget, seed and pacing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selflearn.graph._goal import DEFAULT_GOAL
from selflearn.simulator import derive_seed

DEFAULT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
#: Enough for a four-arm prompt A/B to reach three looks and a few one-factor steps after it.
DEFAULT_BUDGET = 200
#: Seeds per held-out scenario: the scenarios are the unit of the final check, not the seeds.
DEFAULT_HOLDOUT_SEEDS = 1
#: Held-out scenarios generated fresh for the final check (0: the files' `split: holdout`).
DEFAULT_HOLDOUT_SCENARIOS = 30


@dataclass(frozen=True)
class CampaignOptions:
    """What the owner asked for: goal, scenarios, episode budget, seed and pacing."""

    goal_text: str = DEFAULT_GOAL
    scenarios: tuple[str, ...] = (str(DEFAULT_SCENARIOS),)
    budget: int = DEFAULT_BUDGET
    seed: int = 0
    seeds_per_look: int = 1
    holdout_seeds: int = DEFAULT_HOLDOUT_SEEDS
    max_looks: int = 4
    max_concurrency: int = 2
    #: Stop designing experiments once the campaign's model calls cost this much (USD).
    max_cost_usd: float | None = None
    #: Probes of each episode the judge scores (a seeded sample); 0 switches it off.
    judge_per_episode: int = 1
    holdout_scenarios: int = DEFAULT_HOLDOUT_SCENARIOS
    # None: derived from `seed`, so the same seed gives the same campaign.
    holdout_set_seed: int | None = None
    #: Keep the simulated users' memories of every episode (False: dropped once recorded).
    keep_memories: bool = False

    @property
    def holdout_set(self) -> int:
        """Return the seed of the generated held-out set (see `holdout_scenarios`)."""
        if self.holdout_set_seed is not None:
            return self.holdout_set_seed
        return derive_seed(self.seed, "holdout-set") % 1_000_000

    def to_config(self) -> dict[str, Any]:
        """Return the options as stored with the campaign, to resume it later."""
        return {
            "goal_text": self.goal_text,
            "scenarios": list(self.scenarios),
            "budget": self.budget,
            "seed": self.seed,
            "seeds_per_look": self.seeds_per_look,
            "holdout_seeds": self.holdout_seeds,
            "max_looks": self.max_looks,
            "max_concurrency": self.max_concurrency,
            "holdout_scenarios": self.holdout_scenarios,
            "holdout_set_seed": self.holdout_set_seed,
            "max_cost_usd": self.max_cost_usd,
            "judge_per_episode": self.judge_per_episode,
            "keep_memories": self.keep_memories,
        }
