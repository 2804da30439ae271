"""The micrograph's knobs, read from a parameter version (`micrograph.*` factors)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from selflearn.learners.micrograph import _formulas as f
from selflearn.learners.micrograph._tec import EXHAUSTION_TEC

#: The factor names this package reads; `selflearn.space` registers them.
MICROGRAPH_FACTORS: tuple[str, ...] = (
    "micrograph.enabled",
    "micrograph.learning",
    "micrograph.anti_loop_similarity",
    "micrograph.anti_loop_factor",
    "micrograph.match_distance",
    "micrograph.boost",
    "micrograph.penalty",
    "micrograph.ema_rate",
    "micrograph.exhaustion_tec",
)


@dataclass(frozen=True)
class MicrographConfig:
    """How the bifurcation engine scores and learns; defaults are the seeds' values.

    `enabled` runs the tool node at all; `learning` applies the micrograph modifier and
    writes `topic_transitions` (off: topics are still picked, by their base scores and the
    anti-looping penalty alone). `pool` is how many of the user's memories nearest to the
    topic become candidates.
    """

    enabled: bool = False
    learning: bool = True
    anti_loop_similarity: float = f.ANTI_LOOP_SIMILARITY
    anti_loop_factor: float = f.ANTI_LOOP_FACTOR
    match_distance: float = f.MATCH_DISTANCE
    upsert_distance: float = f.UPSERT_DISTANCE
    boost: float = f.BOOST
    penalty: float = f.PENALTY
    ema_rate: float = f.EMA_RATE
    exhaustion_tec: float = EXHAUSTION_TEC
    pool: int = 16

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> MicrographConfig:
        """Return the config of a parameter version (missing factors keep the defaults)."""
        base = cls()

        def num(name: str, default: float) -> float:
            return float(params.get(f"micrograph.{name}", default))

        return cls(
            enabled=str(params.get("micrograph.enabled", "off")) == "on",
            learning=str(params.get("micrograph.learning", "on")) == "on",
            anti_loop_similarity=num("anti_loop_similarity", base.anti_loop_similarity),
            anti_loop_factor=num("anti_loop_factor", base.anti_loop_factor),
            match_distance=num("match_distance", base.match_distance),
            boost=num("boost", base.boost),
            penalty=num("penalty", base.penalty),
            ema_rate=num("ema_rate", base.ema_rate),
            exhaustion_tec=num("exhaustion_tec", base.exhaustion_tec),
        )
