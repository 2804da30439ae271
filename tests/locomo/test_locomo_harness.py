"""LoCoMo evaluation on a small synthetic conversation file."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from selflearn.errors import InvalidInputError
from selflearn.locomo import evaluate_locomo, load_locomo, locomo_memories


def _conversation() -> dict:
    return {
        "speaker_a": "Ana",
        "speaker_b": "Ben",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Ana", "dia_id": "D1:1", "text": "Hi Ben! How was your week?"},
            {"speaker": "Ben", "dia_id": "D1:2", "text": "Busy. I adopted a whippet named Toby."},
            {"speaker": "Ana", "dia_id": "D1:3", "text": "Lovely! What does he like doing?"},
            {"speaker": "Ben", "dia_id": "D1:4", "text": "Chasing squirrels in the park.",
             "blip_caption": "a photo of a dog running on grass"},
        ],
        "session_2_date_time": "10:00 am on 20 May, 2023",
        "session_2": [
            {"speaker": "Ana", "dia_id": "D2:1", "text": "I ran my first marathon yesterday!"},
            {"speaker": "Ben", "dia_id": "D2:2", "text": "Congratulations, that is huge."},
            {"speaker": "Ana", "dia_id": "D2:3", "text": "Next I want to learn pottery."},
        ],
        "qa": [
            {"question": "What is the name of Ben's dog?", "answer": "Toby",
             "evidence": ["D1:2"], "category": 4},
            {"question": "When did Ana run her first marathon?", "answer": "19 May 2023",
             "evidence": ["D2:1"], "category": 2},
            {"question": "What does Toby like to chase?", "answer": "squirrels",
             "evidence": ["D1:2", "D1:4"], "category": 1},
            {"question": "What did Ana adopt?", "adversarial_answer": "a whippet",
             "evidence": ["D1:2"], "category": 5},
        ],
    }  # fmt: skip


@pytest.fixture
def locomo_file(tmp_path):
    path = tmp_path / "conv-test.json"
    path.write_text(json.dumps(_conversation()))
    return path


def _count(database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM memories")).scalar_one()


def test_memories_keep_dia_ids_speakers_dates_captions_and_reply_context(locomo_file):
    items = locomo_memories(load_locomo(locomo_file))
    assert [i.source_turn_ids for i in items][:2] == [["D1:1"], ["D1:2"]]
    assert items[3].speaker == "Ben" and items[3].occurred_at.day == 8
    assert "[shares a photo: a photo of a dog running on grass]" in items[3].text
    assert 'in reply to Ana: "Lovely! What does he like doing?"' in items[3].text
    assert items[4].occurred_at.day == 20 and "in reply to" not in items[4].text


def test_evaluate_locomo_reports_recall_by_category_and_cleans_up(service, database, locomo_file):
    before = _count(database)
    seen: list[str] = []
    report = evaluate_locomo([locomo_file], ks=(1, 2, 5), service=service, progress=seen.append)
    data = report.to_json()
    assert list(data)[:4] == ["questions", "recall", "by_category", "latency_ms"]
    assert data["questions"] == 4
    assert set(data["recall"]) == {"1", "2", "5"}
    assert set(data["by_category"]) == {"1", "2", "4", "5"}
    assert data["by_category"]["4"]["5"] == 1.0  # the dog's name is found
    assert 0.0 <= data["recall"]["1"] <= data["recall"]["2"] <= data["recall"]["5"] <= 1.0
    assert data["latency_ms"]["p50"] > 0 and data["latency_ms"]["p95"] >= data["latency_ms"]["p50"]
    assert data["context_tokens"]["mean"] > 0 and seen and "conv-test" in seen[0]
    assert _count(database) == before  # the scratch memory space is gone


def test_a_malformed_file_names_file_and_field_and_nothing_is_ingested(
    service, database, locomo_file, tmp_path
):
    broken = _conversation()
    del broken["session_2"][1]["dia_id"]
    bad = tmp_path / "conv-bad.json"
    bad.write_text(json.dumps(broken))
    before = _count(database)
    with pytest.raises(InvalidInputError) as caught:
        evaluate_locomo([locomo_file, bad], service=service)
    assert "conv-bad.json" in str(caught.value) and "session_2[1].dia_id" in str(caught.value)
    assert _count(database) == before
