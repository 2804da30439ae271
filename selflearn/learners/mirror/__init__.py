"""The mirror loop (SPEC §10): the field, the feedback hub, the episode logger and the learner.

Users' reflections make the field (coherence, entropy, PAD: aggregates only); the hub
answers a turn with a tone and an intensity chosen ε-greedily from `policy_table` for the
current bucket (hour, load, dominant PAD axis), falling back to a state analysis where the
bucket has no data; each answer's pre- and post-state become a `mirror_events` episode with
the propensity of its arm, and the learner averages the episodes' normalised reward into
`policy_table` every minute. Off-policy estimators evaluate any policy from the log.
"""

from selflearn.learners.mirror._config import STRATEGIES, MirrorConfig
from selflearn.learners.mirror._episode import Episode
from selflearn.learners.mirror._field import (
    FieldModel,
    ReflectionField,
    field_state,
    text_pad,
)
from selflearn.learners.mirror._formulas import (
    AXES,
    LOAD_BINS,
    LOAD_HIGH,
    LOAD_MEDIUM,
    REWARD_SCALE,
    bucket_key,
    dominant_axis,
    load_bin,
    normalise_reward,
    parse_bucket_key,
    reward,
)
from selflearn.learners.mirror._hub import EVENT_KINDS, MirrorHub, utc_now
from selflearn.learners.mirror._loop import MirrorLoop
from selflearn.learners.mirror._offpolicy import (
    Estimate,
    RewardModel,
    TargetPolicy,
    doubly_robust,
    ips,
    learned_policy,
)
from selflearn.learners.mirror._policy import (
    Choice,
    arm_probabilities,
    choose,
    fallback_arm,
    greedy_arm,
    make_action,
)
from selflearn.learners.mirror._store import EpisodeStore, MemoryEpisodeStore, SqlEpisodeStore
from selflearn.learners.mirror._types import (
    ARMS,
    INTENSITY_BINS,
    SOURCES,
    TONES,
    Feedback,
    FieldState,
    MirrorAction,
)

__all__ = [
    "ARMS",
    "AXES",
    "EVENT_KINDS",
    "INTENSITY_BINS",
    "LOAD_BINS",
    "LOAD_HIGH",
    "LOAD_MEDIUM",
    "REWARD_SCALE",
    "SOURCES",
    "STRATEGIES",
    "TONES",
    "Choice",
    "Episode",
    "EpisodeStore",
    "Estimate",
    "Feedback",
    "FieldModel",
    "FieldState",
    "MemoryEpisodeStore",
    "MirrorAction",
    "MirrorConfig",
    "MirrorHub",
    "MirrorLoop",
    "ReflectionField",
    "RewardModel",
    "SqlEpisodeStore",
    "TargetPolicy",
    "arm_probabilities",
    "bucket_key",
    "choose",
    "doubly_robust",
    "dominant_axis",
    "fallback_arm",
    "field_state",
    "greedy_arm",
    "ips",
    "learned_policy",
    "load_bin",
    "make_action",
    "normalise_reward",
    "parse_bucket_key",
    "reward",
    "text_pad",
    "utc_now",
]
