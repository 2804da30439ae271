"""The LLM judge: a second opinion on one probe, and how well it agrees with the metrics.

The deterministic metrics (`selflearn.simulator.score_probe`) stay the source of truth; the
judge adds a label and a score that can catch what string matching misses, and `agreement`
says how far to trust it (agreement rate and Cohen's kappa on correctness and
hallucination).

Offline, the "judge" role is rule-based: it scores the probe with the simulator's metrics
(context items as the retrieved memories, the expected answer and forbidden strings as the
truth) and reports them as a verdict. Its score is 0 for a hallucination, else the expected
answer's best span F1 in the answer (answerable probes) or 1/0 for correct/incorrect.
A probe without an expected answer is judged as unanswerable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from selflearn.providers import ChatCall, invoke_structured
from selflearn.simulator import ProbeOutcome, ProbeTruth, RetrievedItem, score_probe

JUDGE_ROLE = "judge"


class JudgeVerdict(BaseModel):
    """The judge's view of one answer."""

    correct: bool = Field(description="the answer gives the expected answer (or rightly abstains)")
    hallucinated: bool = Field(
        description="the answer asserts a forbidden value or a claim the context does not support"
    )
    used_context: bool = Field(description="the answer draws on the retrieved context")
    score: float = Field(ge=0, le=1, description="overall answer quality from 0 to 1")
    rationale: str = Field(description="one or two sentences explaining the labels")


SYSTEM_PROMPT = (
    "You judge one answer of a memory-augmented assistant. The user message is JSON with the "
    "question, the answer, the retrieved context items, the expected answer (null when the "
    "question cannot be answered from memory, where abstaining or refusing the premise is "
    "correct) and forbidden strings (stale or wrong values). Label: correct (gives the "
    "expected answer, or rightly abstains), hallucinated (asserts a forbidden value or a "
    "claim the context does not support), used_context (draws on the context), a score from "
    "0 to 1, and a short rationale. Answer in the requested structured format only."
)


def judge_messages(
    question: str,
    answer: str,
    context: Sequence[str],
    expected: str | None,
    forbidden: Sequence[str],
) -> list[BaseMessage]:
    """Return the messages that ask the judge about one probe."""
    payload = {
        "question": question,
        "answer": answer,
        "context": list(context),
        "expected": expected,
        "forbidden": list(forbidden),
    }
    return [SystemMessage(SYSTEM_PROMPT), HumanMessage(json.dumps(payload, sort_keys=True))]


def rule_based_verdict(
    question: str,
    answer: str,
    context: Sequence[str],
    expected: str | None,
    forbidden: Sequence[str],
) -> JudgeVerdict:
    """Return the offline judge's verdict, built on the simulator's deterministic metrics."""
    score = score_probe(
        ProbeOutcome(
            question=question,
            answer=answer,
            retrieved=[RetrievedItem(id=f"c{i}", text=t) for i, t in enumerate(context)],
        ),
        ProbeTruth(answer=expected, forbidden=list(forbidden), unanswerable=expected is None),
    )
    if score.hallucinated:
        value = 0.0
    elif expected is not None and score.answer_match is not None:
        value = score.answer_match
    else:
        value = float(score.correct)
    parts = []
    if expected is None:
        parts.append("rightly abstains or refuses" if score.correct else "answers the unanswerable")
    elif score.abstained:
        parts.append("abstains on an answerable question")
    else:
        parts.append(f"expected answer span F1 {score.answer_match or 0.0:.2f}")
    if score.forbidden_hits:
        parts.append(f"asserts forbidden {', '.join(score.forbidden_hits)}")
    elif score.unsupported:
        parts.append(f"unsupported by the context: {', '.join(score.unsupported[:5])}")
    parts.append(f"uses {len(score.used_ids)} of {len(context)} context items")
    return JudgeVerdict(
        correct=score.correct,
        hallucinated=score.hallucinated,
        used_context=bool(score.used_ids),
        score=min(1.0, max(0.0, value)),
        rationale="rule-based judge: " + "; ".join(parts),
    )


def offline_judge(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str | BaseModel:
    """Answer as the offline judge: read the probe JSON and apply `rule_based_verdict`."""
    last = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "{}")
    try:
        probe = json.loads(last)
    except json.JSONDecodeError:
        probe = {}
    verdict = rule_based_verdict(
        str(probe.get("question", "")),
        str(probe.get("answer", "")),
        [str(c) for c in probe.get("context", [])],
        probe.get("expected"),
        [str(f) for f in probe.get("forbidden", [])],
    )
    if schema is None or not issubclass(schema, JudgeVerdict):
        return verdict.model_dump_json()
    return verdict


def judge_probe_call(
    question: str,
    answer: str,
    context: Sequence[str],
    expected: str | None,
    forbidden: Sequence[str],
    *,
    model: BaseChatModel,
) -> tuple[JudgeVerdict, ChatCall]:
    """Judge one probe and return the verdict with the call's tokens, cost and latency."""
    messages = judge_messages(question, answer, context, expected, forbidden)
    return invoke_structured(model, messages, JudgeVerdict, role=JUDGE_ROLE)


def judge_probe(
    question: str,
    answer: str,
    context: Sequence[str],
    expected: str | None,
    forbidden: Sequence[str],
    *,
    model: BaseChatModel,
) -> JudgeVerdict:
    """Judge one probe with the judge role's model (offline: the rule-based judge)."""
    return judge_probe_call(question, answer, context, expected, forbidden, model=model)[0]
