"""How far a judge agrees with the deterministic metrics: agreement rate and Cohen's kappa."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["agreement"]


def _flag(item: Any, *names: str) -> bool:
    for name in names:
        if hasattr(item, name):
            return bool(getattr(item, name))  # a NULL stored flag counts as False
    raise ValueError(f"{type(item).__name__} has none of {', '.join(names)}")


def _kappa(first: Sequence[bool], second: Sequence[bool]) -> dict[str, float | None]:
    n = len(first)
    if n == 0:
        return {"agreement": None, "kappa": None, "deterministic_rate": None, "judge_rate": None}
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    p_first, p_second = sum(first) / n, sum(second) / n
    chance = p_first * p_second + (1 - p_first) * (1 - p_second)
    # Both raters constant and equal: kappa is undefined (0/0), not perfect.
    kappa = None if chance >= 1.0 else (observed - chance) / (1 - chance)
    return {
        "agreement": observed,
        "kappa": kappa,
        "deterministic_rate": p_first,
        "judge_rate": p_second,
    }


def agreement(deterministic: Sequence[Any], judged: Sequence[Any]) -> dict[str, Any]:
    """Return agreement rate and Cohen's kappa between the metrics and the judge.

    ``judged`` items are the judge's verdicts (``correct``, ``hallucinated``).

    ``deterministic`` items are `ProbeScore`s (``correct``, ``hallucinated``) or stored
    `ProbeResult` rows (``answer_correct``, ``hallucination``), aligned with ``judged``.
    """
    if len(deterministic) != len(judged):
        raise ValueError(
            f"{len(deterministic)} deterministic scores but {len(judged)} judge verdicts; "
            "they must be aligned probe by probe"
        )
    return {
        "n": len(judged),
        "correct": _kappa(
            [_flag(d, "correct", "answer_correct") for d in deterministic],
            [j.correct for j in judged],
        ),
        "hallucinated": _kappa(
            [_flag(d, "hallucinated", "hallucination") for d in deterministic],
            [j.hallucinated for j in judged],
        ),
    }
