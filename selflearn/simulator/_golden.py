"""Golden examples: the ground truth of every probe, ready for the metrics."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from selflearn.simulator._scenario import ProbeKind, Scenario
from selflearn.simulator._text import contains_phrase
from selflearn.simulator.metrics import ProbeTruth

_HISTORY_KINDS = frozenset({"temporal", "multi-hop"})


class GoldenProbe(BaseModel):
    """One golden example: who asks what, when, and what counts as right or forbidden."""

    model_config = ConfigDict(frozen=True)

    scenario_id: str
    probe_id: str
    user_id: str
    session_id: str
    question: str
    kind: ProbeKind | None
    truth: ProbeTruth


def stale_values(scenario: Scenario, fact_ids: list[str]) -> list[str]:
    """Return the values of facts that the given facts supersede, directly or in a chain."""
    by_id = {fact.id: fact for fact in scenario.facts}
    values: list[str] = []
    for fact_id in fact_ids:
        seen = set(fact_ids)
        older = by_id[fact_id].supersedes if fact_id in by_id else None
        while older is not None and older not in seen:
            seen.add(older)
            value = by_id[older].value
            if value is not None:
                values.append(value)
            older = by_id[older].supersedes
    return values


def golden_probes(scenario: Scenario) -> list[GoldenProbe]:
    """Derive the golden examples of a scenario, one per probe.

    Forbidden strings are the probe's own plus, for probes about the present (any kind but
    temporal and multi-hop, which may legitimately talk about the past), the values of the
    facts its expected facts replaced. A derived value that the question itself mentions is
    left out ("Do I still live in Lyon?" may be answered "No, not Lyon any more").
    """
    golden: list[GoldenProbe] = []
    for probe in scenario.probes:
        forbidden = list(dict.fromkeys(probe.forbidden))
        derived = [] if probe.kind in _HISTORY_KINDS else stale_values(scenario, probe.expects)
        for text in derived:
            if text in forbidden or contains_phrase(probe.question, text):
                continue
            if probe.answer is not None and contains_phrase(probe.answer, text):
                continue
            forbidden.append(text)
        truth = ProbeTruth(
            expected_ids=list(probe.expects),
            related_ids=list(probe.related),
            answer=probe.answer,
            forbidden=forbidden,
            unanswerable=probe.unanswerable,
        )
        golden.append(
            GoldenProbe(
                scenario_id=scenario.id,
                probe_id=probe.id,
                user_id=probe.user or "",
                session_id=probe.session,
                question=probe.question,
                kind=probe.kind,
                truth=truth,
            )
        )
    return golden
