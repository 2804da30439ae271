"""`tune_locomo`: the learning loop with LoCoMo conversations as the golden set.

The objective is mean evidence recall@5 over the train conversations' questions. The search
(the Teacher's seeded TPE, `HypothesisSearch`) moves the retrieval factors that change the
ranking: relevance_weight, recency_weight, recency_half_life_days, keyword_count and
min_relevance. `retrieval.top_k` is not searched: recall@k reads the first k of a ranking
that is the same whatever top_k is (the evaluation retrieves max(k) memories), so top_k
cannot move recall@5 and keeps the active value. min_relevance is searched in [0, 0.3]
only: it removes candidates, so large values can only lose evidence, and a small budget is
better spent elsewhere.

The active version is evaluated first (then the SPEC defaults, if they differ). The
adoption rule is fixed and does not depend on any held-out figure: the best trial becomes a
candidate version only when a paired, per-question sequential test (`stats.decide`) on the
train questions calls it the winner over the active version (a significant gain); an
inconclusive or worse result keeps the active version and says so. The pick is optimistic
(the best of many trials on the same questions), so the rule errs towards keeping. The
candidate is never activated by the tune itself: its recall on conversations it never saw
(`selflearn eval locomo FILE --version N`) is the evidence an owner reads before
activating it. It is
made through the Tuner as the "tuned" arm of an experiment (`prepare_experiment`), so its
parent is the active version and its reason says what it gained; the baseline arm, equal to
the active version, is retired at once. With `activate=True` it is activated as the owner.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from os import PathLike
from typing import Any, Literal

from pydantic import BaseModel

from selflearn.agents.teacher.search import HypothesisSearch, SearchDimension
from selflearn.agents.teacher.stats import align_pairs, decide
from selflearn.errors import InvalidInputError
from selflearn.locomo import LocomoGoldenSet, QuestionRecall
from selflearn.maas import MemoryService
from selflearn.space import REGISTRY, default_params
from selflearn.store import session_scope
from selflearn.store.models import Experiment, JournalEntry
from selflearn.tuner import (
    OWNER,
    activate,
    effective_params,
    ensure_active_version,
    prepare_experiment,
    retire,
)

TUNED_FACTORS: tuple[str, ...] = (
    "retrieval.relevance_weight",
    "retrieval.recency_weight",
    "retrieval.recency_half_life_days",
    "retrieval.keyword_count",
    "retrieval.min_relevance",
)
_SEARCH_HIGH = {"retrieval.min_relevance": 0.3}
OBJECTIVE_K = 5
INITIATOR = "tune"

Progress = Callable[[int, int, "TuneTrial"], None]


class TuneTrial(BaseModel):
    """One evaluated configuration of the searched factors."""

    number: int
    source: Literal["active", "defaults", "search"]
    params: dict[str, Any]
    recall: dict[str, float]


class TuneDecision(BaseModel):
    """The paired test of the best trial against the active version, per question."""

    verdict: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float
    n: int
    reason: str


class TuneReport(BaseModel):
    """What the tune found and which version holds the result."""

    version: int
    version_id: str
    changed: bool
    activated: bool
    params: dict[str, Any]
    train_recall: dict[str, float]
    baseline_version: int
    baseline_recall: dict[str, float]
    best_recall: dict[str, float]
    best_params: dict[str, Any]
    decision: TuneDecision | None
    reason: str
    experiment_id: str | None
    conversations: list[str]
    questions: int
    budget: int
    seed: int
    trials: list[TuneTrial]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data: version, params and train_recall first."""
        data = self.model_dump(mode="json")
        head = ("version", "params", "train_recall")
        return {**{k: data[k] for k in head}, **{k: v for k, v in data.items() if k not in head}}


def search_dimensions(active: dict[str, Any]) -> list[SearchDimension]:
    """Return the searched factors as search dimensions (ranges always hold the active value)."""
    dims = []
    for name in TUNED_FACTORS:
        spec = REGISTRY[name]
        assert spec.low is not None and spec.high is not None
        high = max(_SEARCH_HIGH.get(name, spec.high), float(active[name]))
        kind: Literal["int", "float"] = "int" if spec.kind == "int" else "float"
        dims.append(SearchDimension(name, kind, low=spec.low, high=high, log=spec.log))
    return dims


def _subset(params: dict[str, Any]) -> dict[str, Any]:
    return {name: params[name] for name in TUNED_FACTORS}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _decision(base: QuestionRecall, best: QuestionRecall) -> TuneDecision:
    # The golden set asks the same questions in the same order: a question is a pair.
    _, recall = align_pairs(
        {
            "base": dict(enumerate(base.per_question[OBJECTIVE_K])),
            "best": dict(enumerate(best.per_question[OBJECTIVE_K])),
        }
    )
    outcome = decide(recall["base"], recall["best"], planned_n=max(2, len(recall["base"])))
    return TuneDecision(
        verdict=outcome.verdict,
        effect=_finite(outcome.effect),
        ci_low=_finite(outcome.ci_low),
        ci_high=_finite(outcome.ci_high),
        p_value=outcome.p_value,
        n=outcome.n,
        reason=outcome.reason,
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _changes(base: dict[str, Any], tuned: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in tuned.items() if not _same(base[name], value)}


def tune_locomo(
    paths: Iterable[str | PathLike[str]],
    *,
    service: MemoryService,
    budget: int = 20,
    seed: int = 0,
    now: datetime | None = None,
    activate_winner: bool = False,
    progress: Progress | None = None,
    ks: Sequence[int] = (5, 10, 25),
) -> TuneReport:
    """Search the retrieval factors on LoCoMo train conversations; keep a significant winner."""
    if budget < 2:
        raise InvalidInputError(
            f"budget {budget} is too small", hint="Use --budget 2 or more (the first trial "
            "measures the active version)."
        )  # fmt: skip
    if OBJECTIVE_K not in ks:
        raise InvalidInputError(f"ks must include {OBJECTIVE_K}, the objective's rank")
    now = now or datetime.now(UTC)
    golden = LocomoGoldenSet(paths, service=service, ks=ks)
    with session_scope(service.engine) as session:
        active = ensure_active_version(session=session, now=now)
        base_version, base_id = active.version, active.id
        base_params = effective_params(active)
    warm = [_subset(base_params)]
    if _changes(_subset(base_params), _subset(default_params())):
        warm.append(_subset(default_params()))
    search = HypothesisSearch(
        search_dimensions(base_params), seed=seed, direction="maximize", warm_start=warm
    )
    trials: list[TuneTrial] = []
    scored: list[tuple[dict[str, Any], QuestionRecall]] = []
    with golden:
        for number in range(1, budget + 1):
            asked = search.ask()
            recall = golden.evaluate({**base_params, **asked})
            search.tell(asked, recall.mean(OBJECTIVE_K))
            source: Literal["active", "defaults", "search"] = (
                "active" if number == 1 else "defaults" if number <= len(warm) else "search"
            )
            trial = TuneTrial(number=number, source=source, params=asked, recall=recall.means())
            trials.append(trial)
            scored.append((asked, recall))
            if progress is not None:
                progress(number, budget, trial)
    base_recall = scored[0][1]
    best_index = max(range(len(scored)), key=lambda i: (scored[i][1].mean(OBJECTIVE_K), -i))
    best_params, best_recall = scored[best_index]
    changes = _changes(_subset(base_params), best_params)
    names = ", ".join(golden.sample_ids)
    before, after = base_recall.mean(OBJECTIVE_K), best_recall.mean(OBJECTIVE_K)
    decision = _decision(base_recall, best_recall) if changes else None
    common: dict[str, Any] = {
        "baseline_version": base_version,
        "baseline_recall": base_recall.means(),
        "best_recall": best_recall.means(),
        "best_params": best_params,
        "decision": decision,
        "conversations": golden.sample_ids,
        "questions": len(golden.questions),
        "budget": budget,
        "seed": seed,
        "trials": trials,
    }
    if decision is None or decision.verdict != "winner" or after <= before:
        if decision is None or after <= before:
            why = "no trial beat it"
        elif decision.verdict == "loser":
            why = f"the best trial ({after:.4f}) is worse per question: {decision.reason}"
        else:
            why = (
                f"the best trial ({after:.4f}) is not a significant gain on train "
                f"(paired test {decision.verdict}, anytime p {decision.p_value:.3f})"
            )
        reason = (
            f"tune locomo on {names}: kept v{base_version} (recall@{OBJECTIVE_K} "
            f"{before:.4f}); {why}"
        )
        with session_scope(service.engine) as session:
            _journal(session, now, reason, None, common, changes)
        return TuneReport(
            version=base_version,
            version_id=str(base_id),
            changed=False,
            activated=False,
            params=base_params,
            train_recall=base_recall.means(),
            reason=reason,
            experiment_id=None,
            **common,
        )
    # The suffix keeps two tunes started in the same second apart.
    experiment_id = f"tune-locomo-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    reason = (
        f"tune locomo on {names}: recall@{OBJECTIVE_K} {before:.4f} → {after:.4f} "
        f"(paired test on train: {decision.verdict}, anytime p {decision.p_value:.3f})"
    )
    with session_scope(service.engine) as session:
        baseline_arm, tuned = prepare_experiment(
            {
                "experiment_id": experiment_id,
                "variants": [
                    {"name": "baseline", "params": {}},
                    {"name": "tuned", "params": changes},
                ],
                "hypothesis": reason,
            },
            session=session,
            now=now,
            initiated_by=INITIATOR,
        )
        retire(
            baseline_arm.id,
            session=session,
            now=now,
            reason=f"baseline arm of {experiment_id}: the same values as v{base_version}",
            initiated_by=INITIATOR,
        )
        experiment = session.get(Experiment, experiment_id)
        if experiment is not None:
            experiment.status, experiment.verdict = "completed", decision.verdict
            experiment.finished_at = now
        if activate_winner:
            activate(tuned.id, session=session, now=now, reason=reason, initiated_by=OWNER)
        _journal(session, now, reason, experiment_id, common, changes)
        version, version_id, params = tuned.version, tuned.id, effective_params(tuned)
    return TuneReport(
        version=version,
        version_id=str(version_id),
        changed=True,
        activated=activate_winner,
        params=params,
        train_recall=best_recall.means(),
        reason=reason,
        experiment_id=experiment_id,
        **common,
    )


def _journal(
    session: Any,
    now: datetime,
    reason: str,
    experiment_id: str | None,
    common: dict[str, Any],
    changes: dict[str, Any],
) -> None:
    decision = common["decision"]
    evidence = {
        key: value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        for key, value in common.items()
        if key != "trials"
    }
    evidence["trials"] = [trial.model_dump(mode="json") for trial in common["trials"]]
    hypothesis = JournalEntry(
        kind="hypothesis",
        summary=f"search {', '.join(TUNED_FACTORS)} for LoCoMo recall@{OBJECTIVE_K} on "
        f"{', '.join(common['conversations'])} ({common['budget']} trials, seed {common['seed']})",
        evidence={
            "factors": list(TUNED_FACTORS),
            "budget": common["budget"],
            "seed": common["seed"],
        },
        experiment_id=experiment_id,
    )
    verdict = JournalEntry(
        kind="decision",
        summary=reason,
        evidence={
            **evidence,
            "changes": changes,
            "verdict": None if decision is None else decision.verdict,
        },
        experiment_id=experiment_id,
    )
    hypothesis.created_at = verdict.created_at = now
    session.add_all([hypothesis, verdict])
    session.flush()
