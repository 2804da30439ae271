"""Learning cycles (SPEC §8): online, micro, macro and deep, and the daemon that runs them.

* online — every question a user asks becomes a golden example (`collect_online_examples`,
  `record_online_turn`);
* micro — after 5 min idle: latency, tokens, error and hit rate of the recent online turns,
  with automatic rollback when the active version degrades cycle after cycle;
* macro — after 1 h idle or on schedule: the train scenarios on the active version, the
  self-improvement rules through the Tuner (prompt A/B included), memory consolidation;
* deep — at night or on command: re-embedding, near-duplicate merging, memory quality
  re-scored, flagged and pruned, tags refreshed by rarity within each user's memories.

`run_cycle` runs one; `CycleDaemon` decides which is due. Each writes telemetry with its
cycle type and a learning-journal entry, from which the cycle history is read back.
`tune_locomo` is the learning loop with LoCoMo conversations as its golden set.
"""

from selflearn.cycles._context import DEFAULT_SCENARIOS, CycleRoles, CycleStudent
from selflearn.cycles._daemon import CycleDaemon, CycleThresholds, DueCycle
from selflearn.cycles._journal import cycle_history, last_cycles
from selflearn.cycles._models import (
    CYCLE_KINDS,
    CycleAction,
    CycleKind,
    CycleOptions,
    CycleReport,
    MemoryMaintenance,
    OnlineSweep,
)
from selflearn.cycles._online import (
    collect_online_examples,
    idle_for,
    is_question,
    record_online_turn,
)
from selflearn.cycles._run import run_cycle
from selflearn.cycles._tune import TUNED_FACTORS, TuneReport, TuneTrial, tune_locomo

__all__ = [
    "CycleRoles",
    "CYCLE_KINDS",
    "DEFAULT_SCENARIOS",
    "TUNED_FACTORS",
    "CycleAction",
    "CycleDaemon",
    "CycleKind",
    "CycleOptions",
    "CycleReport",
    "CycleStudent",
    "CycleThresholds",
    "DueCycle",
    "MemoryMaintenance",
    "OnlineSweep",
    "TuneReport",
    "TuneTrial",
    "collect_online_examples",
    "cycle_history",
    "idle_for",
    "is_question",
    "last_cycles",
    "record_online_turn",
    "run_cycle",
    "tune_locomo",
]
