"""Deterministic metrics on hand-computed examples, and the Goodhart guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from selflearn.simulator import (
    MetricSettings,
    ProbeOutcome,
    ProbeScore,
    ProbeTruth,
    RetrievedItem,
    aggregate_scores,
    context_precision,
    episode_passed,
    golden_probes,
    is_abstention,
    load_scenarios,
    normalize,
    pass_hat_k,
    pass_hat_k_task,
    score_probe,
    span_f1,
    token_f1,
    tokens,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

WHERE = ProbeTruth(expected_ids=["f-home"], answer="Ghent", forbidden=["Lyon", "Turin"])


def item(item_id: str, text: str, *provenance: str) -> RetrievedItem:
    return RetrievedItem(id=item_id, text=text, provenance=list(provenance))


def outcome(answer: str, *items: RetrievedItem, question: str = "Where do I live?") -> ProbeOutcome:
    return ProbeOutcome(question=question, answer=answer, retrieved=list(items))


# -- text ------------------------------------------------------------------------------


def test_normalisation_is_squad_like() -> None:
    assert normalize("The Cat's  hat!") == "cats hat"
    assert normalize("An apple, a pear.") == "apple pear"
    assert tokens("top_k=50") == tokens("top_k = 50") == ["top", "k", "50"]


def test_token_f1_hand_computed() -> None:
    assert token_f1(["you", "live", "in", "ghent", "now"], ["ghent"]) == pytest.approx(1 / 3)
    assert token_f1(["ghent"], ["ghent"]) == 1.0
    assert token_f1([], []) == 1.0
    assert token_f1(["x"], []) == 0.0
    # precision 2/3, recall 2/4 -> F1 = 2 * (2/3 * 1/2) / (2/3 + 1/2) = 4/7
    assert token_f1(["a1", "b1", "c1"], ["a1", "b1", "d1", "e1"]) == pytest.approx(4 / 7)


def test_span_f1_finds_the_answer_inside_a_sentence() -> None:
    assert span_f1(tokens("You live in Ghent now."), tokens("Ghent")) == 1.0
    gold = tokens("improve shooting percentage, win a championship")
    answer = tokens("He wants to win a championship and to improve his shooting")
    assert 0.5 < span_f1(answer, gold) < 1.0


# -- retrieval -------------------------------------------------------------------------


def test_context_precision_as_ragas_defines_it() -> None:
    assert context_precision([True, False, True]) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert context_precision([False, True]) == pytest.approx(1 / 2)
    assert context_precision([False, False]) == 0.0
    assert context_precision([]) is None


def test_retrieval_precision_recall_hit_through_provenance() -> None:
    truth = ProbeTruth(expected_ids=["f1", "f2"], answer="Ghent")
    result = score_probe(
        outcome(
            "Ghent",
            item("m1", "I moved to Ghent.", "t1"),
            item("m2", "The weather is nice."),
            item("m3", "My sister lives in Cork.", "t9"),
        ),
        truth,
        id_map={"t1": ["f1"], "t9": ["d1"]},
    )
    assert result.retrieved == 3 and result.relevant_retrieved == 1
    assert result.precision == pytest.approx(1 / 3)
    assert result.recall == pytest.approx(1 / 2)
    assert result.hit is True
    assert result.context_precision == 1.0


def test_retrieval_metrics_are_undefined_when_nothing_is_retrieved_or_needed() -> None:
    empty = score_probe(outcome("Ghent"), WHERE)
    assert empty.precision is None and empty.context_precision is None
    assert empty.recall == 0.0 and empty.hit is False
    unknown = ProbeTruth(unanswerable=True)
    result = score_probe(outcome("I don't know.", item("m1", "x")), unknown)
    assert result.precision is None and result.recall is None and result.hit is None


def test_related_ids_count_for_precision_not_recall() -> None:
    truth = ProbeTruth(unanswerable=True, related_ids=["D1:3"], forbidden=["Yes"])
    result = score_probe(outcome("No.", item("D1:3", "Not my bowl.")), truth)
    assert result.precision == 1.0 and result.recall is None and result.hit is True


# -- answers ---------------------------------------------------------------------------


def test_correct_answer_inside_a_sentence() -> None:
    result = score_probe(outcome("You live in Ghent now.", item("m", "I moved to Ghent.")), WHERE)
    assert result.correct and not result.hallucinated and not result.abstained
    assert result.answer_match == 1.0
    assert result.answer_f1 == pytest.approx(1 / 3)  # 1 of 5 tokens: 2 * (1/5 * 1) / (6/5)
    assert result.passed


def test_threshold_controls_correctness() -> None:
    truth = ProbeTruth(expected_ids=["f"], answer="Lakeland Trail Ultra")
    answer = outcome("The Lakeland race.", item("m", "Lakeland race"))
    assert score_probe(answer, truth).correct  # span F1 = 2 * (1/1 * 1/3) / (4/3) = 0.5
    strict = MetricSettings(correct_threshold=0.6)
    assert not score_probe(answer, truth, settings=strict).correct


@pytest.mark.parametrize(
    ("answer", "question", "expected"),
    [
        ("", "Where do I live?", True),
        ("I don't know.", "Where do I live?", True),
        ("Sorry, I have no information about your star sign.", "What is my star sign?", True),
        ("You never told me that.", "What is my dog called?", True),
        ("Not mentioned in the conversation.", "Did Odile glaze the vase?", True),
        ("I don't know, maybe Ghent?", "Where do I live?", False),
        ("I'm not sure, but I think you moved to Lyon.", "Where do I live?", False),
        ("Ghent.", "Where do I live?", False),
    ],
)
def test_abstention_detection(answer: str, question: str, expected: bool) -> None:
    assert is_abstention(answer, question) is expected


# -- hallucination ---------------------------------------------------------------------


def test_forbidden_value_is_a_hallucination() -> None:
    result = score_probe(outcome("You live in Lyon.", item("m", "I live in Lyon.")), WHERE)
    assert result.hallucinated and result.forbidden_hits == ["Lyon"]
    assert not result.correct


def test_unsupported_claim_is_a_hallucination() -> None:
    truth = ProbeTruth(expected_ids=["f"], answer="Dr. Imogen Pryce")
    context = item("m", "My dentist is Dr. Imogen Pryce.")
    made_up = score_probe(
        outcome("Dr. Evans Porter", context, question="Who is my dentist?"), truth
    )
    assert made_up.hallucinated and made_up.unsupported == ["evans", "porter"]
    assert made_up.unsupported_ratio == pytest.approx(2 / 3)


def test_an_unsupported_number_is_always_a_hallucination() -> None:
    truth = ProbeTruth(expected_ids=["f"], answer="9:30")
    context = item("m", "The appointment is at 9:30 on Monday.")
    result = score_probe(
        outcome("It is at 10:30 on Monday.", context, question="When is my appointment?"), truth
    )
    assert result.unsupported == ["10"]
    assert result.hallucinated


def test_conversational_wording_is_not_unsupported() -> None:
    answer = "Based on what you told me earlier, you currently live in Ghent."
    result = score_probe(outcome(answer, item("m", "I moved to Ghent in May.")), WHERE)
    assert result.unsupported == [] and not result.hallucinated and result.correct


def test_unanswerable_probe_rewards_abstention_and_flags_forbidden() -> None:
    truth = ProbeTruth(unanswerable=True, forbidden=["Capricorn"])
    context = item("m", "Partner Malik's star sign is Capricorn.")
    question = "What is my star sign?"
    honest = score_probe(outcome("I don't know your star sign.", context, question=question), truth)
    assert honest.correct and honest.abstained and not honest.hallucinated and honest.passed
    assert honest.used_ids == []
    wrong = score_probe(outcome("You are a Capricorn.", context, question=question), truth)
    assert wrong.hallucinated and not wrong.correct and not wrong.abstained


def test_refusing_a_false_premise_is_correct_on_an_unanswerable_probe() -> None:
    truth = ProbeTruth(unanswerable=True, related_ids=["D1:3"], forbidden=["Pebble"])
    question = "What is Otto's cat called?"
    context = item("D1:3", "Mira: Her name is Pebble. Otto does not have a cat.")
    refusal = score_probe(outcome("Otto doesn't have a cat.", context, question=question), truth)
    assert refusal.refused_premise and refusal.correct and not refusal.abstained
    fooled = score_probe(outcome("Otto's cat is Pebble.", context, question=question), truth)
    assert fooled.hallucinated and not fooled.correct and not fooled.refused_premise
    invented = score_probe(
        outcome("It is not Pebble, it is Whiskers.", context, question=question), truth
    )
    assert invented.hallucinated and not invented.refused_premise and not invented.correct
    answered = score_probe(outcome("No.", context, question=question), WHERE)
    assert not answered.refused_premise  # refusal only exists for unanswerable probes


def test_error_outcome_counts_as_failure_only() -> None:
    failed = ProbeOutcome(question="Where do I live?", error="timeout", latency_ms=3000.0)
    result = score_probe(failed, WHERE)
    assert not result.correct and not result.abstained and not result.hallucinated
    assert result.error == "timeout" and not result.passed


def test_context_utilisation() -> None:
    truth = ProbeTruth(expected_ids=["f1", "f2"], answer="Uppsala")
    result = score_probe(
        outcome(
            "Uppsala.",
            item("a", "My brother lives in Uppsala.", "f1"),
            item("b", "I fly to see my brother on 19 October.", "f2"),
            item("c", "Uppsala is lovely.", "x"),
        ),
        truth,
    )
    assert result.context_utilisation == pytest.approx(1 / 2)
    assert result.used_ids == ["a", "c"]


# -- aggregation and pass^k ------------------------------------------------------------


def test_aggregate_hand_computed() -> None:
    good = score_probe(
        ProbeOutcome(
            question="Where do I live?",
            answer="Ghent",
            retrieved=[item("m", "I live in Ghent.", "f-home")],
            latency_ms=100.0,
            stage_latency_ms={"responder": 60.0},
            prompt_tokens=100,
            completion_tokens=10,
            cost_usd=0.001,
        ),
        WHERE,
    )
    bad = score_probe(
        ProbeOutcome(question="Where do I live?", answer="Lyon", latency_ms=300.0), WHERE
    )
    metrics = aggregate_scores([good, bad])
    assert metrics.probes == 2 and metrics.answerable == 2
    assert metrics.retrieval_precision == 1.0  # the empty retrieval is undefined, not 0
    assert metrics.retrieval_recall == 0.5
    assert metrics.answer_correct_rate == 0.5
    assert metrics.hallucination_rate == 0.5
    assert metrics.latency_ms_mean == 200.0 and metrics.latency_ms_p50 == 200.0
    assert metrics.stage_latency_ms_p50 == {"responder": 60.0}
    assert metrics.prompt_tokens == 100 and metrics.tokens_per_probe == 55.0
    assert metrics.unanswerable_correct_rate is None
    assert not episode_passed([good, bad]) and episode_passed([good, bad], min_pass_rate=0.5)


def test_pass_hat_k_as_tau_bench_defines_it() -> None:
    assert pass_hat_k_task(4, 2, 2) == pytest.approx(1 / 6)  # C(2,2) / C(4,2)
    assert pass_hat_k_task(4, 4, 3) == 1.0
    assert pass_hat_k_task(4, 2, 3) == 0.0
    assert pass_hat_k({"a": [True] * 4, "b": [True, False, True, False]}, 2) == pytest.approx(
        (1 + 1 / 6) / 2
    )
    assert pass_hat_k({"a": [True, False, True]}, 1) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        pass_hat_k_task(2, 1, 3)


# -- the Goodhart guard ----------------------------------------------------------------


def _run(answerer: str) -> list[ProbeScore]:
    """Score every bundled probe with perfect retrieval and a scripted answerer."""
    scores = []
    for scenario in load_scenarios([SCENARIOS]):
        facts = {f.id: f for f in scenario.facts}
        for index, golden in enumerate(golden_probes(scenario)):
            truth = golden.truth
            retrieved = [item(f, facts[f].text) for f in truth.expected_ids]
            if answerer == "abstain" or truth.unanswerable:
                answer = "I don't know."
            elif answerer == "honest" or index % 2 == 0:
                answer = truth.answer or ""
            else:  # the sloppy one confidently gives a forbidden or a made-up value
                answer = truth.forbidden[0] if truth.forbidden else "Somewhere in Narnia"
            outcome = ProbeOutcome(question=golden.question, answer=answer, retrieved=retrieved)
            scores.append(score_probe(outcome, truth))
    return scores


def test_abstaining_lowers_hallucination_only_by_raising_abstention() -> None:
    abstainer = aggregate_scores(_run("abstain"))
    sloppy = aggregate_scores(_run("sloppy"))
    honest = aggregate_scores(_run("honest"))

    assert abstainer.hallucination_rate == 0.0
    assert abstainer.abstention_rate == 1.0
    assert abstainer.answer_correct_rate == 0.0
    assert abstainer.false_abstention_rate == 1.0
    assert abstainer.unanswerable_correct_rate == 1.0

    # Lower hallucination than a sloppy answerer, but paid for in abstention and quality.
    assert sloppy.hallucination_rate is not None and sloppy.hallucination_rate > 0.1
    assert abstainer.answer_correct_rate < sloppy.answer_correct_rate  # type: ignore[operator]
    assert abstainer.abstention_rate > sloppy.abstention_rate  # type: ignore[operator]
    assert abstainer.pass_rate < sloppy.pass_rate  # type: ignore[operator]
    assert abstainer.context_utilisation == 0.0

    # The honest answerer beats both without abstaining on answerable probes.
    assert honest.hallucination_rate == 0.0 and honest.answer_correct_rate == 1.0
    assert honest.false_abstention_rate == 0.0
