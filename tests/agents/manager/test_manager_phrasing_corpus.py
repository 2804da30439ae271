"""The offline Manager on owners' own words: a corpus written apart from the parser.

Each phrasing is read as meant, or answered with the closest phrasing the Manager does
understand: never a silent misreading, never a dead end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from selflearn.agents.manager import NotUnderstood, SetGoal, intent_name, parse_intent

CORPUS = Path(__file__).with_name("phrasing_corpus.yaml")
#: Written after the parser changes and measured without changing the parser for it.
HOLDOUT = Path(__file__).with_name("phrasing_holdout.yaml")
#: Share of the corpus the offline parser must read as meant.
TARGET = 0.90

FACTOR_KEYS = ("forbid", "allow", "auto", "manual", "only", "ignore")


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """Return the corpus entries (say, means)."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def _subset(wanted: list[str], got: list[str] | None) -> bool:
    return set(wanted) <= set(got or [])


def read_as_meant(intent: Any, means: dict[str, Any]) -> bool:
    """Return whether `intent` is what the owner meant."""
    name = means["intent"]
    if name == "none":
        return isinstance(intent, NotUnderstood) and bool(intent.suggestion)
    if intent_name(intent) != name:
        return False
    data = intent.model_dump(mode="json")
    if "primary" in means and {t["metric"] for t in data["primary"]} != set(means["primary"]):
        return False
    if "guardrails" in means and not _subset(
        means["guardrails"], [g["metric"] for g in data["guardrails"]]
    ):
        return False
    for key in FACTOR_KEYS:
        if key in means and not _subset(means[key], data.get(key)):
            return False
    if "scope" in means and data.get("scope") != means["scope"]:
        return False
    for key in ("budget", "seed", "proposal_id", "version", "campaign_id"):
        if key in means and data.get(key) != means[key]:
            return False
    return True


def measure(path: Path) -> tuple[float, list[tuple[str, Any]], list[tuple[str, Any]]]:
    """Return the share read as meant, the misreadings and the dead ends."""
    entries = load_corpus(path)
    misread, dead_ends, understood = [], [], 0
    for entry in entries:
        intent = parse_intent(entry["say"])
        if read_as_meant(intent, entry["means"]):
            understood += 1
        elif isinstance(intent, NotUnderstood) and intent.suggestion:
            continue
        elif isinstance(intent, NotUnderstood):
            dead_ends.append((entry["say"], intent))
        else:
            misread.append((entry["say"], intent))
    return understood / len(entries), misread, dead_ends


def test_the_corpus_is_large_and_covers_every_kind_of_request() -> None:
    entries = load_corpus()
    kinds = {e["means"]["intent"] for e in entries}
    assert len(entries) >= 200
    assert {"greet", "thank", "set_goal", "adjust_goal", "run_campaign", "status"} <= kinds
    assert len({e["say"].lower() for e in entries}) == len(entries), "duplicate phrasings"


@pytest.mark.parametrize("path", [CORPUS, HOLDOUT], ids=["corpus", "holdout"])
def test_the_offline_manager_reads_owners_as_meant(path: Path) -> None:
    share, misread, dead_ends = measure(path)
    print(f"offline Manager: {share:.1%} of {len(load_corpus(path))} phrasings read as meant")
    assert share >= TARGET, f"{share:.1%} read as meant"
    assert not misread, f"misread rather than asked back: {misread}"
    assert not dead_ends, f"not understood and no suggestion: {dead_ends}"


def test_a_limit_the_owner_forbids_crossing_is_kept_on_the_safe_side() -> None:
    intent = parse_intent("don't let latency go over 100 ms")
    guard = intent.model_dump()["guardrails"][0]
    assert (guard["metric"], guard["op"], guard["limit"]) == ("latency_ms_p95", "<=", 100.0)


def test_a_comparative_keeps_the_metric_s_better_direction() -> None:
    intent = parse_intent("fewer hallucinations but keep recall above 0.7")
    assert isinstance(intent, SetGoal)
    assert intent.primary[0].direction == "decrease"
    assert intent.guardrails[0].op == ">=" and intent.guardrails[0].limit == 0.7


def test_typos_are_put_right_only_when_nothing_else_reads_the_message() -> None:
    assert parse_intent("reduce halucinations").primary[0].metric == "hallucination_rate"
    intent = parse_intent("run a campaign on scenarios personl-01")
    assert intent.model_dump().get("scenarios") == ["personl-01"]  # ids are never corrected


def test_what_the_manager_cannot_do_gets_the_closest_phrasing() -> None:
    intent = parse_intent("increase hallucinations")
    assert isinstance(intent, NotUnderstood)
    assert intent.suggestion and "hallucinations" in intent.suggestion
