"""`selflearn tune locomo` on a small synthetic LoCoMo-shaped conversation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from selflearn.cycles import tune_locomo
from selflearn.locomo import LocomoGoldenSet, evaluate_locomo
from selflearn.space import REGISTRY
from selflearn.store import session_scope
from selflearn.store.models import JournalEntry, Memory, ParameterVersion
from selflearn.tuner import OWNER, active_version, ensure_active_version, update_params
from tests.factories import make_student

T0 = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
FACTS = [
    ("Ben", "I adopted a whippet named Toby last week.", "What is the name of Ben's dog?"),
    ("Ana", "I started learning the cello in January.", "Which instrument is Ana learning?"),
    ("Ben", "My sister Clara moved to Cork for her new job.", "Where did Ben's sister move?"),
    ("Ana", "I ran the Dublin marathon in under four hours.", "Which marathon did Ana run?"),
    ("Ben", "I am allergic to sesame, so no hummus for me.", "What is Ben allergic to?"),
    ("Ana", "My favourite painter is Hilma af Klint.", "Who is Ana's favourite painter?"),
    ("Ben", "We repainted the kitchen a deep green colour.", "What colour is Ben's kitchen?"),
    ("Ana", "I volunteer at the food bank every Saturday.", "Where does Ana volunteer?"),
    ("Ben", "My grandfather taught me to play chess.", "Who taught Ben to play chess?"),
    ("Ana", "I bought a red bicycle to ride to the office.", "What did Ana buy for commuting?"),
    ("Ben", "Our band is called The Quiet Harbours.", "What is the name of Ben's band?"),
    ("Ana", "I am reading a novel about lighthouse keepers.", "What is Ana's novel about?"),
]
FILLER = ["Sounds great!", "Haha, nice.", "How has your week been?", "Same here, busy times."]


def _conversation() -> dict:
    data: dict = {"speaker_a": "Ana", "speaker_b": "Ben", "qa": []}
    for number in (1, 2, 3):
        data[f"session_{number}_date_time"] = f"10:00 am on {number * 5} May, 2023"
        data[f"session_{number}"] = []
    for index, (speaker, fact, question) in enumerate(FACTS):
        session = index % 3 + 1
        turns = data[f"session_{session}"]
        for line in (FILLER[index % 4], fact):
            who = speaker if line == fact else ("Ana" if speaker == "Ben" else "Ben")
            dia_id = f"D{session}:{len(turns) + 1}"
            turns.append({"speaker": who, "dia_id": dia_id, "text": line})
        data["qa"].append(
            {"question": question, "answer": "x", "evidence": [dia_id], "category": 4}
        )
    return data


@pytest.fixture
def locomo_file(tmp_path):
    path = tmp_path / "conv-synthetic.json"
    path.write_text(json.dumps(_conversation()))
    return path


@pytest.fixture(scope="module")
def service(database, settings):
    with make_student(settings, database, archive_turns=False) as svc:
        yield svc


@pytest.fixture
def engine(database):
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE learning_journal, parameter_changes, proposals, experiment_results, "
                "experiments, experiment_parameters RESTART IDENTITY CASCADE"
            )
        )
    return database.engine


def _memories(engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Memory)) or 0)


def test_tune_locomo_prints_one_json_object_with_the_version(engine, database_url, locomo_file):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELFLEARN_", "DATABASE"))}
    env.update(DATABASE_URL=database_url, SELFLEARN_HOME=str(locomo_file.parent))
    code = "import sys; from selflearn.cli._tune import app; app(sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, "locomo", "--train", str(locomo_file), "--budget", "4"]
        + ["--seed", "3", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    payload = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert list(payload)[:3] == ["version", "params", "train_recall"]
    assert isinstance(payload["version"], int) and uuid.UUID(payload["version_id"])
    assert set(payload["params"]) == set(REGISTRY)
    assert {"5", "10"} <= set(payload["train_recall"])
    assert 0.0 <= payload["train_recall"]["5"] <= payload["train_recall"]["10"] <= 1.0
    assert len(payload["trials"]) == 4 and payload["trials"][0]["source"] == "active"
    assert payload["questions"] == len(FACTS) and payload["conversations"] == ["conv-synthetic"]
    with session_scope(engine) as session:
        version = session.get(ParameterVersion, uuid.UUID(payload["version_id"]))
        assert version is not None and version.version == payload["version"]
    assert _memories(engine) == 0  # the scratch memory spaces are gone


def test_golden_set_measures_what_evaluate_locomo_measures(engine, service, locomo_file):
    report = evaluate_locomo([locomo_file], ks=(5, 10, 25), service=service)
    with LocomoGoldenSet([locomo_file], service=service) as golden:
        assert _memories(engine) > 0
        recall = golden.evaluate({})
        again = golden.evaluate({"retrieval.top_k": 1})  # top_k cannot move recall@k
    assert recall.means() == report.recall
    assert again.per_question == recall.per_question
    assert len(recall.per_question[5]) == len(FACTS)
    assert _memories(engine) == 0


def test_a_significant_winner_becomes_a_candidate_child_of_the_active_version(
    engine, service, locomo_file
):
    with session_scope(engine) as session:
        ensure_active_version(session=session, now=T0)
        # A version that throws nearly every memory away: any sensible trial beats it.
        update_params(
            {
                "reason": "owner experiment with a strict relevance floor",
                "changes": [{"param": "retrieval.min_relevance", "from": 0.0, "to": 0.95}],
                "initiated_by": OWNER,
            },
            session=session,
            now=T0,
        )
        strict = active_version(session=session)
        assert strict is not None
    report = tune_locomo([locomo_file], service=service, budget=4, seed=1, now=T0)
    assert report.changed and not report.activated and report.decision is not None
    assert report.decision.verdict == "winner" and report.decision.n == len(FACTS)
    assert report.train_recall["5"] > report.baseline_recall["5"]
    assert report.baseline_version == strict.version
    with session_scope(engine) as session:
        tuned = session.get(ParameterVersion, uuid.UUID(report.version_id))
        arms = session.scalars(
            select(ParameterVersion).where(ParameterVersion.experiment_id == report.experiment_id)
        ).all()
        assert active_version(session=session).id == strict.id  # nothing switched
        entries = session.scalars(
            select(JournalEntry).where(JournalEntry.experiment_id == report.experiment_id)
        ).all()
    assert tuned is not None and tuned.status == "candidate" and tuned.parent_id == strict.id
    assert "recall@5" in tuned.reason and "conv-synthetic" in tuned.reason
    assert sorted((a.variant, a.status) for a in arms) == [
        ("baseline", "retired"),
        ("tuned", "candidate"),
    ]
    assert report.params["retrieval.top_k"] == 5  # not searched: kept from the active version
    assert sorted(e.kind for e in entries) == ["decision", "hypothesis"]


def test_without_a_gain_the_active_version_stays(engine, service, locomo_file):
    report = tune_locomo([locomo_file], service=service, budget=2, seed=0, now=T0)
    assert not report.changed and report.experiment_id is None
    assert report.version == 1 and report.train_recall == report.baseline_recall
    assert report.reason.startswith("tune locomo on conv-synthetic: kept v1")
    with session_scope(engine) as session:
        assert [v.version for v in session.scalars(select(ParameterVersion))] == [1]
        [entry] = session.scalars(select(JournalEntry).where(JournalEntry.kind == "decision")).all()
    assert entry.summary == report.reason
