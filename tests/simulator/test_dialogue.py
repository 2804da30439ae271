"""The offline emulator: determinism, agenda order, paraphrase variety, verbatim values."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from selflearn.simulator import (
    Paraphraser,
    Scenario,
    TemplateParaphraser,
    check_paraphrase_keeps,
    generate_dialogue,
    load_scenario,
    load_scenarios,
    probe_events,
    provenance_map,
    salient_spans,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ALL = load_scenarios([SCENARIOS])


@pytest.mark.parametrize("scenario", ALL, ids=[s.id for s in ALL])
def test_same_seed_gives_identical_events(scenario: Scenario) -> None:
    first = [e.model_dump() for e in generate_dialogue(scenario, 42)]
    second = [e.model_dump() for e in generate_dialogue(scenario, 42)]
    assert first == second


@pytest.mark.parametrize("scenario", ALL, ids=[s.id for s in ALL])
def test_every_item_appears_once_in_order_with_values_verbatim(scenario: Scenario) -> None:
    for seed in range(5):
        events = generate_dialogue(scenario, seed)
        assert [e.index for e in events] == list(range(len(events)))
        assert len({e.turn_id for e in events}) == len(events)
        told = [fid for e in events for fid in e.fact_ids]
        assert sorted(told) == sorted(f.id for f in scenario.facts)
        assert sorted(d for e in events for d in e.distractor_ids) == sorted(
            d.id for d in scenario.distractors
        )
        assert sorted(probe_events(events)) == sorted(p.id for p in scenario.probes)
        position = {fid: e.index for e in events for fid in e.fact_ids}
        by_id = {f.id: f for f in scenario.facts}
        for event in events:
            if event.kind == "fact":
                fact = by_id[event.fact_ids[0]]
                assert fact.value is None or fact.value in event.text
                assert event.user_id == fact.user
            if event.probe_id is not None:
                probe = next(p for p in scenario.probes if p.id == event.probe_id)
                assert all(position[f] < event.index for f in probe.expects)
                assert event.user_id == probe.user


@pytest.mark.parametrize("scenario", ALL, ids=[s.id for s in ALL])
def test_timestamps_grow_and_stay_inside_their_session(scenario: Scenario) -> None:
    events = generate_dialogue(scenario, 3)
    times = [e.at for e in events]
    assert times == sorted(times)
    starts = {s.id: s.at for s in scenario.sessions}
    order = [s.id for s in scenario.sessions]
    for event in events:
        assert event.at >= starts[event.session_id]
        following = order.index(event.session_id) + 1
        if following < len(order):
            assert event.at < starts[order[following]]


def test_different_seeds_vary_the_surface_text() -> None:
    scenario = load_scenario(SCENARIOS / "trip-multihop.yaml")
    texts: dict[str, set[str]] = defaultdict(set)
    for seed in range(10):
        for event in generate_dialogue(scenario, seed):
            if event.kind == "fact":
                texts[event.fact_ids[0]].add(event.text)
    by_id = {f.id: f for f in scenario.facts}
    for fact_id, variants in texts.items():
        assert len(variants) >= 3, (fact_id, variants)
        assert all(by_id[fact_id].value in text for text in variants)
    a = [e.text for e in generate_dialogue(scenario, 1)]
    b = [e.text for e in generate_dialogue(scenario, 2)]
    assert a != b


def test_probes_are_paraphrased_but_keep_names_and_numbers() -> None:
    scenario = load_scenario(SCENARIOS / "moved-city.yaml")
    asked: dict[str, set[str]] = defaultdict(set)
    for seed in range(12):
        for event in generate_dialogue(scenario, seed):
            if event.probe_id:
                asked[event.probe_id].add(event.text)
    assert len(asked["registration-date"]) >= 2
    assert all("Bürgeramt" in text for text in asked["registration-date"])


def test_injection_questions_stay_verbatim_inside_their_frame() -> None:
    scenario = load_scenario(SCENARIOS / "prompt-injection.yaml")
    question = next(p.question for p in scenario.probes if p.id == "topk")
    for seed in range(6):
        event = probe_events(generate_dialogue(scenario, seed))["topk"]
        assert question in event.text


def test_multi_user_events_keep_users_apart() -> None:
    scenario = load_scenario(SCENARIOS / "office-team.yaml")
    owner = {f.id: f.user for f in scenario.facts}
    events = generate_dialogue(scenario, 5)
    assert {e.user_id for e in events} == {"dana", "farid", "grace"}
    for event in events:
        assert all(owner[f] == event.user_id for f in event.fact_ids)
    styles = {e.user_id: e.speaker for e in events}
    assert styles == {"dana": "Dana Kowalski", "farid": "Farid Haddadi", "grace": "Grace Whitmore"}


class DroppingParaphraser:
    """Pretends to be an LLM that rewrites freely and loses the planted value."""

    def paraphrase(self, text: str, *, keep: list[str], style: str, seed: int) -> str:
        return "Something happened, I will tell you later."


class ShoutingParaphraser:
    """Rewrites, but honours the keep list."""

    def paraphrase(self, text: str, *, keep: list[str], style: str, seed: int) -> str:
        return text.replace("I ", "I REALLY ")


def test_a_paraphrase_that_drops_a_value_falls_back_to_templates() -> None:
    scenario = load_scenario(SCENARIOS / "moved-city.yaml")
    assert isinstance(DroppingParaphraser(), Paraphraser)
    events = generate_dialogue(scenario, 9, paraphraser=DroppingParaphraser())
    facts = [e for e in events if e.kind == "fact"]
    assert {e.paraphrase for e in facts} == {"fallback"}
    offline = {e.turn_id: e.text for e in generate_dialogue(scenario, 9)}
    assert all(e.text == offline[e.turn_id] for e in facts)


def test_a_paraphrase_that_keeps_values_is_used() -> None:
    scenario = load_scenario(SCENARIOS / "moved-city.yaml")
    events = generate_dialogue(scenario, 9, paraphraser=ShoutingParaphraser())
    home = next(e for e in events if e.fact_ids == ("home-berlin",))
    assert home.paraphrase == "custom"
    assert "I REALLY " in home.text and "Berlin" in home.text


def test_check_paraphrase_keeps() -> None:
    assert check_paraphrase_keeps("We moved to Ghent in May.", ["Ghent", "May"])
    assert not check_paraphrase_keeps("We moved to ghent.", ["Ghent"])
    assert check_paraphrase_keeps("anything", [])


def test_template_paraphraser_protects_keep_strings() -> None:
    paraphraser = TemplateParaphraser()
    text = "I moved to New York because my job started on 3 May."
    keep = ["New York", "3 May"]
    results = {paraphraser.paraphrase(text, keep=keep, style="chatty", seed=s) for s in range(20)}
    assert len(results) >= 5
    assert all(check_paraphrase_keeps(r, keep) for r in results)
    assert paraphraser.paraphrase(text, keep=keep, style="chatty", seed=4) == (
        paraphraser.paraphrase(text, keep=keep, style="chatty", seed=4)
    )


def test_kept_numbers_survive_masking_whatever_the_order_of_the_other_spans() -> None:
    # Mask placeholders used to carry digits: a kept "3" then rewrote a placeholder.
    text = "Bike is a black Cube 3, frame number ends in 4QJ."
    keep = ["Cube 3", *salient_spans(text)]
    for seed in range(30):
        result = TemplateParaphraser().paraphrase(text, keep=keep, style="terse", seed=seed)
        assert "Bike is a black Cube 3, frame number ends in 4QJ" in result


def test_dialogues_are_identical_across_python_processes() -> None:
    # Set iteration order depends on the interpreter's hash salt; the text must not.
    script = (
        "import sys; from selflearn.simulator import generate_dialogue, load_scenarios; "
        f"[s] = load_scenarios([{str(SCENARIOS / 'unanswerable-gaps.yaml')!r}]); "
        "print('|'.join(e.text for e in generate_dialogue(s, 1)))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(salt)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for salt in (1, 2, 3, 4)
    }
    assert len(outputs) == 1


def test_salient_spans_find_names_numbers_and_quotes() -> None:
    spans = salient_spans('My sister Ana lives in New York since 2019, see "Blue Door".')
    assert spans == ["Ana", "New York", "2019", '"Blue Door"']


def test_verbatim_delivery_replays_texts_with_fact_ids_as_turn_ids() -> None:
    scenario = Scenario.model_validate(
        {
            "id": "replay",
            "title": "Replay",
            "persona": {"name": "A"},
            "project": "p",
            "goal": "g",
            "delivery": "verbatim",
            "sessions": [{"id": "s1", "at": "2024-01-01T10:00:00+00:00"}],
            "facts": [
                {"id": "D1:1", "session": "s1", "text": "Hi B!", "speaker": "A"},
                {"id": "D1:2", "session": "s1", "text": "I got a dog.", "speaker": "B"},
            ],
            "probes": [
                {
                    "id": "q1",
                    "session": "s1",
                    "question": "What did B get?",
                    "expects": ["D1:2"],
                    "answer": "a dog",
                }
            ],
        }
    )
    events = generate_dialogue(scenario, 0)
    assert [(e.turn_id, e.speaker, e.text) for e in events[:2]] == [
        ("D1:1", "A", "Hi B!"),
        ("D1:2", "B", "I got a dog."),
    ]
    assert events[-1].probe_id == "q1" and events[-1].text == "What did B get?"
    assert provenance_map(events) == {"D1:1": frozenset({"D1:1"}), "D1:2": frozenset({"D1:2"})}
