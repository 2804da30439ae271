"""Example phrasings the offline Manager understands, shown by `help` and when it is unsure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from selflearn.agents.manager._catalog import METRICS, SCOPES

EXAMPLES: dict[str, tuple[str, ...]] = {
    "Set or change the goal": (
        "cut hallucinations on personal memory below 3 % without losing recall; leave cost alone",
        "improve recall to 0.8 while keeping p95 latency under 50 ms",
        "reduce cost per turn by 20% but keep answer quality",
    ),
    "Adjust the current goal": (
        "don't touch the prompt",
        "you may change top_k and min_relevance on your own",
        "ask me before changing temperature",
        "change top_k by at most 2 at a time",
        "keep p95 latency under 80 ms",
    ),
    "Run experiments": (
        "run a campaign",
        "run a campaign with budget 40 and seed 7",
        "run a campaign on scenarios personal-01, work-02",
    ),
    "Look around": (
        "status",
        "report",
        "report for campaign c-3",
        "why is version 7 active",
        "explain v3",
        "list proposals",
    ),
    "Decide": (
        "approve 3",
        "approve 3: looks good",
        "reject 4 because recall fell",
        "roll back because answers got worse",
    ),
    "Answer my questions": ("yes", "ok", "go ahead", "no", "cancel"),
    "Talk": ("hi", "thanks", "help"),
}

GOAL_EXAMPLES = EXAMPLES["Set or change the goal"] + EXAMPLES["Adjust the current goal"]
CAMPAIGN_EXAMPLES = EXAMPLES["Run experiments"]
SHORT_EXAMPLES: tuple[str, ...] = (
    GOAL_EXAMPLES[0],
    GOAL_EXAMPLES[1],
    "run a campaign",
    "status",
    "list proposals",
    "approve 3",
    "report",
    "help",
)


def help_text() -> str:
    """Return everything the Manager understands, grouped, with the metric and scope names."""
    lines = ["Here is what I understand (offline phrasings; other wordings may not work):"]
    for group, examples in EXAMPLES.items():
        lines.append(f"{group}:")
        lines += [f"  - {example}" for example in examples]
    lines.append("Metrics: " + ", ".join(METRICS) + ".")
    lines.append("Scopes: " + ", ".join(SCOPES) + ".")
    lines.append("I restate every goal and ask before saving it, approving or rolling back.")
    return "\n".join(lines)


def examples_text(examples: tuple[str, ...] | list[str]) -> str:
    """Return a short bulleted list of example phrasings."""
    return "\n".join(f"  - {example}" for example in examples)


#: Every phrasing the Manager offers as "closest", in the order of EXAMPLES.
ALL_EXAMPLES: tuple[str, ...] = tuple(e for group in EXAMPLES.values() for e in group)
_IGNORED = frozenset("a an the i me my to of and on in for it is be please you can".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z_]+", text.lower()) if w not in _IGNORED}


def closest_phrasing(text: str, *, among: Sequence[str] = ALL_EXAMPLES) -> str:
    """Return the example phrasing closest to `text`: shared words first, then spelling.

    Deterministic: ties go to the example listed first.
    """
    said = text.lower().strip()
    words = _words(said)

    def score(example: str) -> tuple[float, float]:
        theirs = _words(example)
        shared = len(words & theirs) / len(words | theirs) if words | theirs else 0.0
        return shared, SequenceMatcher(None, said, example.lower()).ratio()

    best = max(range(len(among)), key=lambda i: (score(among[i]), -i))
    # Nothing in common: the first example (the most typical request) beats a near-spelling.
    return among[best] if score(among[best])[0] > 0 else among[0]
