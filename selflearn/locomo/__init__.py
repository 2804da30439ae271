"""LoCoMo, the long-term memory benchmark: its model, parser, evaluation harness and golden set.

`load_locomo` parses one conversation file strictly; `locomo_to_scenario` turns it into a
scenario of the User Emulator; `evaluate_locomo` measures the Student's evidence recall@k
(`selflearn eval locomo`); `LocomoGoldenSet` keeps conversations ingested to score many
parameter sets (`selflearn tune locomo`, the cycles).
"""

from selflearn.locomo._golden import LocomoGoldenSet, QuestionRecall
from selflearn.locomo._harness import (
    REPLY_CONTEXT_CHARS,
    ConversationReport,
    LocomoReport,
    evaluate_locomo,
    locomo_memories,
)
from selflearn.locomo._load import load_locomo, load_locomo_dir, parse_locomo
from selflearn.locomo._models import (
    CATEGORY_NAMES,
    LocomoConversation,
    LocomoQA,
    LocomoQuirks,
    LocomoSession,
    LocomoTurn,
)
from selflearn.locomo._scenario import locomo_to_scenario

__all__ = [
    "CATEGORY_NAMES",
    "REPLY_CONTEXT_CHARS",
    "ConversationReport",
    "LocomoConversation",
    "LocomoGoldenSet",
    "LocomoQA",
    "LocomoQuirks",
    "LocomoReport",
    "LocomoSession",
    "LocomoTurn",
    "QuestionRecall",
    "evaluate_locomo",
    "load_locomo",
    "load_locomo_dir",
    "locomo_memories",
    "locomo_to_scenario",
    "parse_locomo",
]
