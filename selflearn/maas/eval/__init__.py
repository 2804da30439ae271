"""Evaluation of the memory service on public benchmarks (LoCoMo evidence recall)."""

from selflearn.maas.eval._locomo import (
    ConversationReport,
    LocomoReport,
    evaluate_locomo,
    locomo_memories,
)

__all__ = ["ConversationReport", "LocomoReport", "evaluate_locomo", "locomo_memories"]
