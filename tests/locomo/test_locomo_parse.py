"""LoCoMo parsing (strict on structure, tolerant of evidence quirks) and conversion."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from selflearn.locomo import load_locomo, load_locomo_dir, locomo_to_scenario, parse_locomo
from selflearn.simulator import ScenarioError, check_scenario, generate_dialogue, golden_probes

SHARED = Path("/work/shared/data/locomo")


def synthetic() -> dict[str, Any]:
    """A small conversation with the shape of the released files and each known quirk."""
    return {
        "speaker_a": "Mira",
        "speaker_b": "Otto",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Mira", "dia_id": "D1:1", "text": "Hi Otto, I adopted a cat!"},
            {"speaker": "Otto", "dia_id": "D1:2", "text": "Congrats! What is her name?"},
            {
                "speaker": "Mira",
                "dia_id": "D1:3",
                "text": "Her name is Pebble.",
                "img_url": ["https://example.invalid/cat.jpg"],
                "blip_caption": "a photo of a grey cat",
                "query": "grey cat",
            },
        ],
        "session_2_date_time": "9:05 am on 20 June, 2023",
        "session_2": [
            {"speaker": "Otto", "dia_id": "D2:1", "text": "I started rowing last week."},
            {"speaker": "Mira", "dia_id": "D2:2", "text": "Pebble turned one year old."},
        ],
        "session_3_date_time": "10:00 am on 1 July, 2023",  # dangling: no session_3
        "events_session_1": {"Mira": ["adopts a cat"], "Otto": [], "date": "8 May, 2023"},
        "session_1_summary": "Mira adopted a cat.",
        "session_1_observation": {"Mira": [["Mira adopted a cat.", "D1:1"]]},
        "qa": [
            {
                "question": "What is Mira's cat called?",
                "answer": "Pebble",
                "evidence": ["D1:3"],
                "category": 4,
            },
            {
                "question": "When did Otto start rowing?",
                "answer": "June 2023",
                "evidence": ["D2:1; D1:2"],
                "category": 2,
            },
            {
                "question": "How old is Pebble?",
                "answer": 1,
                "evidence": ["D:2:2", "D9:9", "D"],
                "category": 1,
            },
            {
                "question": "Does Mira like dogs?",
                "answer": "Probably",
                "evidence": [],
                "category": 3,
            },
            {
                "question": "What is Otto's cat called?",
                "adversarial_answer": "Pebble",
                "evidence": ["D1:3"],
                "category": 5,
            },
        ],
    }


def write(tmp_path: Path, data: object, name: str = "conv-x.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_parse_synthetic_conversation(tmp_path: Path) -> None:
    conv = load_locomo(write(tmp_path, synthetic()))
    assert conv.sample_id == "conv-x"
    assert (conv.speaker_a, conv.speaker_b) == ("Mira", "Otto")
    assert [s.number for s in conv.sessions] == [1, 2]
    assert conv.sessions[0].date_time == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert conv.sessions[1].date_time == datetime(2023, 6, 20, 9, 5, tzinfo=UTC)
    turn = conv.sessions[0].turns[2]
    assert turn.blip_caption == "a photo of a grey cat"
    assert turn.img_url == ["https://example.invalid/cat.jpg"]
    assert [q.evidence for q in conv.qa] == [["D1:3"], ["D2:1", "D1:2"], ["D2:2"], [], ["D1:3"]]
    assert conv.qa[2].answer == "1"
    assert conv.qa[4].category_name == "adversarial"
    quirks = conv.quirks
    assert quirks.split_evidence == 1
    assert quirks.repaired_evidence == 1
    assert quirks.unknown_evidence == 2
    assert quirks.unknown_evidence_ids == ["D9:9", "D"]
    assert quirks.numeric_answers == 1
    assert quirks.qa_without_evidence == 1
    assert quirks.dangling_date_times == 1
    assert quirks.evidence_quirks == 4


def test_upstream_nested_layout_is_accepted() -> None:
    flat = synthetic()
    qa = flat.pop("qa")
    nested = {"sample_id": "conv-9", "conversation": flat, "qa": qa}
    conv = parse_locomo(json.dumps(nested))
    assert conv.sample_id == "conv-9"
    assert len(conv.qa) == 5


def test_conversion_to_scenario(tmp_path: Path) -> None:
    scenario = locomo_to_scenario(load_locomo(write(tmp_path, synthetic())))
    assert scenario.id == "locomo-conv-x"
    assert scenario.delivery == "verbatim"
    assert check_scenario(scenario) == []
    assert [f.id for f in scenario.facts] == ["D1:1", "D1:2", "D1:3", "D2:1", "D2:2"]
    assert scenario.facts[2].text == "Her name is Pebble. [shares an image: a photo of a grey cat]"
    assert scenario.facts[3].speaker == "Otto"
    probes = {p.id: p for p in scenario.probes}
    assert sorted(probes) == ["q001", "q002", "q003", "q005"]  # q004 has no evidence
    assert probes["q001"].expects == ["D1:3"] and probes["q001"].kind == "single-hop"
    assert probes["q003"].answer == "1" and probes["q003"].kind == "multi-hop"
    adversarial = probes["q005"]
    assert adversarial.unanswerable and adversarial.kind == "adversarial"
    assert adversarial.forbidden == ["Pebble"] and adversarial.expects == []
    assert adversarial.related == ["D1:3"]
    assert all(p.session == "session_2" for p in scenario.probes)
    golden = {g.probe_id: g for g in golden_probes(scenario)}
    assert golden["q005"].truth.unanswerable
    events = generate_dialogue(scenario, 0)
    assert [e.turn_id for e in events if e.kind == "fact"] == [f.id for f in scenario.facts]
    assert events[0].text == "Hi Otto, I adopted a cat!"


def _broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(synthetic())
    mutate(data)
    return data


ERRORS = [
    pytest.param(
        lambda d: d["session_1"][1].pop("dia_id"),
        "session_1[1].dia_id: missing",
        id="missing-dia-id",
    ),
    pytest.param(
        lambda d: d["session_1"][0].update(speaker="Zed"),
        "session_1[0].speaker: 'Zed' is neither",
        id="unknown-speaker",
    ),
    pytest.param(
        lambda d: d["session_2"][0].update(dia_id="D1:9"),
        "session_2[0].dia_id: 'D1:9' does not belong to session 2",
        id="wrong-session",
    ),
    pytest.param(
        lambda d: d["session_2"][1].update(dia_id="D2:1"),
        "session_2[1].dia_id: duplicate dia_id",
        id="duplicate-dia-id",
    ),
    pytest.param(
        lambda d: d["session_1"][0].update(text=7),
        "session_1[0].text: expected text, found int",
        id="text-not-string",
    ),
    pytest.param(
        lambda d: d["session_1"][0].update(mood="happy"),
        "session_1[0].mood: unexpected field",
        id="unexpected-turn-field",
    ),
    pytest.param(
        lambda d: d.update(session_2_date_time="yesterday"),
        "session_2_date_time: cannot read the date 'yesterday'",
        id="bad-date",
    ),
    pytest.param(
        lambda d: d.pop("session_1_date_time"), "session_1_date_time: missing", id="missing-date"
    ),
    pytest.param(lambda d: d.update(session_4=[]), "session_3: missing", id="session-gap"),
    pytest.param(lambda d: d.pop("speaker_b"), "speaker_b: missing", id="missing-speaker"),
    pytest.param(
        lambda d: d["qa"][0].update(category=7),
        "qa[0].category: expected 1 to 5, found 7",
        id="bad-category",
    ),
    pytest.param(
        lambda d: d["qa"][0].update(evidence="D1:3"),
        "qa[0].evidence: expected a list",
        id="evidence-not-list",
    ),
    pytest.param(
        lambda d: d["qa"][4].pop("adversarial_answer"),
        "qa[4].adversarial_answer: missing",
        id="adversarial-without-answer",
    ),
    pytest.param(
        lambda d: d["qa"][0].pop("answer"),
        "qa[0].answer: missing (category 4)",
        id="missing-answer",
    ),
    pytest.param(lambda d: d.update(notes="x"), "notes: unexpected field", id="unexpected-field"),
    pytest.param(
        lambda d: d.update(session_1="nope"),
        "session_1: expected a list of turns",
        id="session-not-list",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), ERRORS)
def test_malformed_file_names_file_and_field(tmp_path: Path, mutate: Any, message: str) -> None:
    path = write(tmp_path, _broken(mutate), "conv-26.json")
    with pytest.raises(ScenarioError) as caught:
        load_locomo(path)
    assert f"conv-26.json: {message}" in str(caught.value)
    assert caught.value.file == str(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "conv-1.json"
    path.write_bytes(b'{"speaker_a": "Jos\xe9"}')
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_locomo(path)


def test_invalid_json_reports_its_line(tmp_path: Path) -> None:
    path = tmp_path / "conv-2.json"
    path.write_text('{\n  "speaker_a": "A",\n  oops\n}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="invalid JSON") as caught:
        load_locomo(path)
    assert caught.value.line == 3


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(ScenarioError, match="expected a JSON object, found list"):
        parse_locomo("[]", file="conv-3.json")


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared LoCoMo data not present")
def test_shared_locomo_files_parse_and_convert() -> None:
    conversations = load_locomo_dir(SHARED)
    assert len(conversations) == 5
    quirks = {c.sample_id: c.quirks for c in conversations}
    for conv in conversations:
        scenario = locomo_to_scenario(conv)
        assert check_scenario(scenario) == []
        q = conv.quirks
        print(  # the count of quirky evidence ids, for the record
            f"{conv.sample_id}: {len(conv.sessions)} sessions, {len(conv.qa)} QA, "
            f"{len(scenario.probes)} probes; split={q.split_evidence} "
            f"repaired={q.repaired_evidence} unknown={q.unknown_evidence_ids} "
            f"numeric={q.numeric_answers} no_evidence={q.qa_without_evidence} "
            f"dangling_dates={q.dangling_date_times}"
        )
    # Known quirks of the released files (see the report in the LoCoMo module docs).
    assert quirks["conv-26"].split_evidence == 1
    assert quirks["conv-26"].dangling_date_times == 16
    assert quirks["conv-42"].unknown_evidence_ids == ["D10:19", "D"]
    assert quirks["conv-43"].repaired_evidence == 1
    assert sum(q.evidence_quirks for q in quirks.values()) == 4
