"""Deterministic per-probe metrics (SPEC §6): retrieval, answer, hallucination, abstention.

Every number here comes from plain data, so it can be recomputed in SQL or by hand.

Retrieval. An item is relevant when its id or one of its provenance ids (mapped through
`id_map`, e.g. turn id -> fact ids) is among the probe's expected or related ids.
precision = relevant retrieved / retrieved; recall = expected ids covered / expected ids;
hit = at least one relevant item; context precision (Ragas) = mean of precision@k over the
ranks k that hold a relevant item. Undefined values (nothing retrieved, nothing relevant to
find) are None and are left out of means.

Answer. correct (answerable probe) = the best F1 of the expected answer against a window of
the answer (`span_f1`) reaches `correct_threshold`; plain whole-answer F1 is kept as
`answer_f1`. An abstaining answer is never correct on an answerable probe. On an
unanswerable probe the correct outcomes are an abstention, or a refusal of the false premise
(`refused_premise`: the answer negates - "no", "not", "doesn't"... - and asserts nothing
forbidden or unsupported, e.g. "Otto doesn't have a cat"); refusals are counted apart from
abstentions so that neither can hide in the other.

Hallucination = the answer contains a forbidden string (stale value, distractor, another
user's value, an injected instruction taking effect), or it asserts unsupported content: a
number that does not occur in the retrieved text, or more than `unsupported_tolerance` of
its content tokens (not stop words, conversational words or words of the question) whose
stems do not occur in the retrieved text. Abstentions assert nothing and skip the second
test. Context utilisation = share of relevant retrieved items that share a content token
with the answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from selflearn.simulator._abstention import is_abstention
from selflearn.simulator._text import (
    contains_phrase,
    content_tokens,
    is_number,
    span_f1,
    stem,
    token_f1,
    tokens,
)

_NEGATIONS = frozenset(
    "no not never none nobody nothing neither nor dont doesnt didnt isnt wasnt arent werent "
    "hasnt havent hadnt cant cannot wont".split()
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievedItem(_Frozen):
    """One memory the service put in the context, in rank order."""

    id: str
    text: str
    provenance: list[str] = Field(default_factory=list)
    score: float | None = None


class ProbeOutcome(_Frozen):
    """What the Student did for one probe: its answer, its context and what it cost."""

    question: str
    answer: str = ""
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    latency_ms: float | None = None
    stage_latency_ms: dict[str, float] = Field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    error: str | None = None


class ProbeTruth(_Frozen):
    """The ground truth of a probe, as the metrics need it."""

    expected_ids: list[str] = Field(default_factory=list)
    related_ids: list[str] = Field(default_factory=list)
    answer: str | None = None
    forbidden: list[str] = Field(default_factory=list)
    unanswerable: bool = False


class MetricSettings(_Frozen):
    """Thresholds of the deterministic metrics (defaults documented in the module)."""

    correct_threshold: float = 0.5
    unsupported_tolerance: float = 0.5


class ProbeScore(_Frozen):
    """Every deterministic metric of one probe."""

    unanswerable: bool
    retrieved: int
    relevant_retrieved: int
    precision: float | None
    recall: float | None
    hit: bool | None
    context_precision: float | None
    answer_f1: float | None
    answer_match: float | None
    correct: bool
    abstained: bool
    refused_premise: bool
    hallucinated: bool
    forbidden_hits: list[str]
    unsupported: list[str]
    unsupported_ratio: float
    context_utilisation: float | None
    used_ids: list[str]
    latency_ms: float | None
    stage_latency_ms: dict[str, float]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    error: str | None

    @property
    def passed(self) -> bool:
        """A probe passes when it ran, answered correctly and did not hallucinate."""
        return self.error is None and self.correct and not self.hallucinated


def _targets(item: RetrievedItem, id_map: Mapping[str, Collection[str]] | None) -> set[str]:
    ids = {item.id, *item.provenance}
    if id_map is not None:
        for source in list(ids):
            ids.update(id_map.get(source, ()))
    return ids


def context_precision(relevance: Iterable[bool]) -> float | None:
    """Return Ragas context precision: mean precision@k over the relevant ranks k."""
    flags = list(relevance)
    if not flags:
        return None
    hits = 0
    total = 0.0
    for rank, relevant in enumerate(flags, start=1):
        if relevant:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def _stems(text: str) -> set[str]:
    return {word if is_number(word) else stem(word) for word in tokens(text)}


# "[2]" points at a line of the context the answer cites; it is a reference, not a claim.
_CITATION = re.compile(r"\[\d{1,3}\]")


def _unsupported(answer: str, question: str, context: str) -> tuple[list[str], float, bool]:
    claims = content_tokens(_CITATION.sub(" ", answer), ignore=tokens(question))
    if not claims:
        return [], 0.0, False
    known = _stems(context)
    missing = [w for w in claims if (w if is_number(w) else stem(w)) not in known]
    ratio = len(missing) / len(claims)
    return missing, ratio, any(is_number(w) for w in missing)


def score_probe(
    outcome: ProbeOutcome,
    truth: ProbeTruth,
    *,
    id_map: Mapping[str, Collection[str]] | None = None,
    settings: MetricSettings | None = None,
) -> ProbeScore:
    """Score one probe outcome against its ground truth (see the module doc for formulas)."""
    settings = settings or MetricSettings()
    expected = set(truth.expected_ids)
    relevant_ids = expected | set(truth.related_ids)
    targets = [_targets(item, id_map) for item in outcome.retrieved]
    relevance = [bool(t & relevant_ids) for t in targets]
    n_relevant = sum(relevance)
    covered = set().union(*targets) & expected if targets else set()

    precision = n_relevant / len(relevance) if relevance and relevant_ids else None
    recall = len(covered) / len(expected) if expected else None
    hit = n_relevant > 0 if relevant_ids else None
    ctx_precision = context_precision(relevance) if relevant_ids else None

    answer, question = outcome.answer, outcome.question
    failed = outcome.error is not None
    abstained = not failed and is_abstention(answer, question)
    forbidden_hits = [f for f in truth.forbidden if not failed and contains_phrase(answer, f)]
    context = "\n".join(item.text for item in outcome.retrieved)
    unsupported: list[str] = []
    ratio = 0.0
    unsupported_claim = False
    if not failed and not abstained:
        unsupported, ratio, number_missing = _unsupported(answer, question, context)
        unsupported_claim = number_missing or ratio > settings.unsupported_tolerance
    hallucinated = bool(forbidden_hits) or unsupported_claim

    answer_f1 = answer_match = None
    if truth.answer is not None:
        answer_f1 = token_f1(tokens(answer), tokens(truth.answer))
        answer_match = span_f1(tokens(answer), tokens(truth.answer))
    refused = (
        truth.unanswerable
        and not failed
        and not abstained
        and not hallucinated
        and bool(_NEGATIONS.intersection(tokens(answer)))
    )
    if failed:
        correct = False
    elif truth.unanswerable:
        correct = (abstained or refused) and not forbidden_hits
    else:
        correct = (
            not abstained
            and answer_match is not None
            and answer_match >= settings.correct_threshold
        )

    claims = {
        w if is_number(w) else stem(w) for w in content_tokens(answer, ignore=tokens(question))
    }
    uses = [
        not failed and not abstained and bool(claims & _stems(item.text))
        for item in outcome.retrieved
    ]
    used = [item.id for item, flag in zip(outcome.retrieved, uses, strict=True) if flag]
    used_relevant = sum(1 for flag, rel in zip(uses, relevance, strict=True) if flag and rel)
    utilisation = used_relevant / n_relevant if n_relevant else None

    return ProbeScore(
        unanswerable=truth.unanswerable,
        retrieved=len(outcome.retrieved),
        relevant_retrieved=n_relevant,
        precision=precision,
        recall=recall,
        hit=hit,
        context_precision=ctx_precision,
        answer_f1=answer_f1,
        answer_match=answer_match,
        correct=correct,
        abstained=abstained,
        refused_premise=refused,
        hallucinated=hallucinated,
        forbidden_hits=forbidden_hits,
        unsupported=unsupported,
        unsupported_ratio=ratio,
        context_utilisation=utilisation,
        used_ids=used,
        latency_ms=outcome.latency_ms,
        stage_latency_ms=dict(outcome.stage_latency_ms),
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
        cost_usd=outcome.cost_usd,
        error=outcome.error,
    )
