"""The owner API end to end on a real database: campaigns in the background with their
events, stop and resume, an approval that resumes a waiting campaign, bad input, telemetry."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from owner_fixtures import active_number, pending_proposal, small_scenarios, waiting_campaign
from sqlalchemy import func, select

from selflearn.graph import CampaignOptions
from selflearn.store import session_scope
from selflearn.store.models import Campaign, ParameterVersion, PipelineRun, Proposal, TelemetryEvent
from selflearn.tuner import ensure_active_version
from selflearn.web import API_PREFIX as API
from selflearn.web import create_app
from tests.factories import bearer


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    return small_scenarios(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="module")
def owner(components, service, tokens, scenarios):
    defaults = CampaignOptions(scenarios=(str(scenarios),), budget=6, holdout_seeds=1)
    app = create_app(components, student=service, campaign_defaults=defaults)
    with TestClient(app, raise_server_exceptions=False, headers=bearer(tokens["operator"])) as c:
        yield c


def events(client: TestClient, campaign_id: str) -> list[tuple[str, dict]]:
    """Read a campaign's event stream to its end."""
    found = []
    with client.stream("GET", f"{API}/campaigns/{campaign_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                found.append((name, json.loads(line[6:])))
    return found


def wait_for(client, campaign_id: str, *statuses: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        detail = client.get(f"{API}/campaigns/{campaign_id}").json()
        if detail["status"] in statuses:
            return detail
        assert time.monotonic() < deadline, detail["status"]
        time.sleep(0.2)


@pytest.mark.timeout(400)
def test_a_campaign_runs_in_the_background_and_streams_its_progress(owner):
    started = owner.post(f"{API}/campaigns", json={"goal": "cut hallucinations below 5 % "
                         "without losing recall", "budget": 6, "seed": 1})  # fmt: skip
    assert started.status_code == 202, started.text
    campaign_id = started.json()["campaign_id"]
    assert started.json()["events"].endswith(f"/campaigns/{campaign_id}/events")
    busy = owner.post(f"{API}/campaigns", json={"goal": "raise recall by 5 %", "budget": 4})
    assert busy.status_code == 409 and campaign_id in busy.json()["error"]["message"]

    stream = events(owner, campaign_id)
    names = [name for name, _ in stream]
    assert names[-1] == "end" and "episode" in names and "dispatch" in names
    last = stream[-1][1]
    assert last["status"] == "completed" and last["episodes"] >= names.count("episode") > 0
    detail = wait_for(owner, campaign_id, "completed")
    assert detail["experiments"] and detail["report"]
    metrics = detail["experiments"][0]["metrics"]
    assert metrics and {"variant", "metric", "effect", "ci_low", "ci_high"} <= set(metrics[0])
    listed = owner.get(f"{API}/campaigns", params={"limit": 1}).json()
    assert listed["items"][0]["campaign_id"] == campaign_id and listed["total"] >= 1


@pytest.mark.timeout(400)
def test_stop_then_resume(owner, database):
    started = owner.post(f"{API}/campaigns", json={"goal": "cut hallucinations below 5 % "
                         "without losing recall", "budget": 12, "seed": 2})  # fmt: skip
    campaign_id = started.json()["campaign_id"]
    deadline = time.monotonic() + 120
    while owner.get(f"{API}/campaigns/{campaign_id}").json()["progress"]["episodes"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    stopped = owner.post(f"{API}/campaigns/{campaign_id}/stop")
    assert stopped.status_code == 202 and stopped.json()["progress"]["stop_requested"]
    wait_for(owner, campaign_id, "interrupted")
    with session_scope(database.engine) as session:
        assert session.get(Campaign, campaign_id).status == "interrupted"
    again = owner.post(f"{API}/campaigns/{campaign_id}/stop")
    assert again.status_code == 409, "a stopped campaign cannot be stopped twice"
    resumed = owner.post(f"{API}/campaigns/{campaign_id}/resume")
    assert resumed.status_code == 202
    assert wait_for(owner, campaign_id, "completed", "failed")["status"] == "completed"


@pytest.mark.timeout(400)
def test_approving_resumes_the_waiting_campaign_and_a_second_approval_is_409(
    owner, database, scenarios, service, components
):
    campaign_id, proposal_id = waiting_campaign(database, scenarios, service, components)
    shown = owner.get(f"{API}/campaigns/{campaign_id}").json()
    assert shown["waiting_for"]["proposal_id"] == proposal_id
    before = active_number(database)
    decided = owner.post(f"{API}/approvals/{proposal_id}/approve", json={"reason": "fine"})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["proposal"]["status"] == "approved" and body["version"] > before
    assert body["resumed_campaign"] == campaign_id
    assert wait_for(owner, campaign_id, "completed", "failed")["status"] == "completed"

    after = active_number(database)
    second = owner.post(f"{API}/approvals/{proposal_id}/approve", json={"reason": "again"})
    assert second.status_code == 409 and "already approved" in second.json()["error"]["message"]
    reject = owner.post(f"{API}/approvals/{proposal_id}/reject", json={"reason": "too late"})
    assert reject.status_code == 409
    assert active_number(database) == after, "a refused decision changes nothing"


def _versions(database) -> int:
    with session_scope(database.engine) as session:
        return int(session.scalar(select(func.count()).select_from(ParameterVersion)) or 0)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/campaigns/no-such-campaign", None, 404),
        ("POST", "/campaigns/no-such-campaign/resume", None, 404),
        ("POST", "/campaigns/no-such-campaign/stop", None, 404),
        ("GET", "/campaigns/bad%20id!", None, 422),
        ("GET", "/campaigns?limit=0", None, 422),
        ("GET", "/campaigns?limit=99999999999999999999", None, 422),
        ("GET", "/campaigns?status=sleeping", None, 422),
        ("GET", "/approvals/999999", None, 404),
        ("GET", "/approvals/abc", None, 404),
        ("POST", "/approvals/999999/approve", {"reason": "x"}, 404),
        ("POST", "/approvals/1/approve", {"reason": ""}, 422),
        ("POST", "/approvals/1/approve", {"reason": 3}, 422),
        ("GET", "/versions/999999", None, 404),
        ("GET", "/versions/0", None, 422),
        ("GET", "/versions/1/diff/999999", None, 404),
        ("POST", "/versions/999999/activate", {"reason": "x"}, 404),
        ("POST", "/versions/rollback", {"reason": "x", "to": 999999}, 404),
        ("POST", "/campaigns", {"goal": "make it smarter somehow"}, 400),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "budget": 1}, 422),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "budget": "many"}, 422),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "budget": "5"}, 422),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "budget": True}, 422),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "budget": 4.5}, 422),
        ("POST", "/campaigns", {"goal": "cut hallucinations", "extra": 1}, 422),
        ("POST", "/manager/messages", {"message": ""}, 422),
        ("POST", "/manager/messages", {"message": "hi", "conversation_id": "../x"}, 422),
        ("GET", "/manager/conversations/never-seen", None, 404),
        ("POST", "/goals", {"text": "make it smarter somehow"}, 400),
        ("GET", "/telemetry/latency?window_minutes=0", None, 422),
        ("GET", "/telemetry/hit-rate?days=100000", None, 422),
    ],
)
def test_bad_input_is_4xx_and_changes_nothing(owner, tokens, database, method, path, body, status):
    with session_scope(database.engine) as session:
        ensure_active_version(session=session, now=datetime.now(UTC))
    before = (_versions(database), active_number_or_none(database))
    response = owner.request(method, API + path, json=body, headers=bearer(tokens["admin"]))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert (_versions(database), active_number_or_none(database)) == before


def active_number_or_none(database):
    try:
        return active_number(database)
    except AssertionError:
        return None


def test_a_stale_proposal_is_refused_and_stays_pending(owner, database):
    stale = pending_proposal(database)
    fresh = pending_proposal(database)
    assert owner.post(f"{API}/approvals/{fresh}/approve", json={"reason": "ok"}).status_code == 200
    before = active_number(database)
    refused = owner.post(f"{API}/approvals/{stale}/approve", json={"reason": "ok"})
    assert refused.status_code == 409 and "stale" in refused.json()["error"]["message"]
    assert active_number(database) == before
    with session_scope(database.engine) as session:
        assert session.get(Proposal, stale).status == "pending"


def test_telemetry_percentiles_and_days_from_known_rows(owner, database):
    now = datetime.now(UTC)
    with session_scope(database.engine) as session:
        session.execute(TelemetryEvent.__table__.delete())
        for i in range(1, 101):
            run = PipelineRun(id=uuid.uuid4(), user_id="tele", cycle_type="online", query="q",
                              created_at=now - timedelta(minutes=30))  # fmt: skip
            session.add(run)
            session.flush()
            for stage, latency in (("analyzer", float(i)), ("e2e", float(10 * i))):
                session.add(TelemetryEvent(
                    pipeline_id=run.id, stage=stage, latency_ms=latency, cycle_type="online",
                    hit_rate=1.0 if i % 4 == 0 else 0.0, prompt_tokens=10, completion_tokens=2,
                    total_cost_usd=0.001, created_at=now - timedelta(minutes=30),
                ))  # fmt: skip
    report = owner.get(f"{API}/telemetry/latency", params={"window_minutes": 60}).json()
    stages = {s["stage"]: s for s in report["stages"]}
    assert stages["analyzer"]["count"] == 100
    assert stages["analyzer"]["p50_ms"] == pytest.approx(50.5)
    assert stages["analyzer"]["p95_ms"] == pytest.approx(95.05)
    assert stages["e2e"]["p95_ms"] == pytest.approx(950.5)
    assert stages["responder"]["count"] == 0 and stages["responder"]["p95_ms"] is None
    assert owner.get(f"{API}/telemetry/latency", params={"window_minutes": 10}).json()[
        "stages"][0]["count"] == 0  # fmt: skip
    hits = owner.get(f"{API}/telemetry/hit-rate", params={"days": 2}).json()["items"]
    assert [h["turns"] for h in hits] == [100] and hits[0]["hit_rate"] == pytest.approx(0.25)
    cost = owner.get(f"{API}/telemetry/cost", params={"days": 2}).json()
    assert cost["per_day"][0]["prompt_tokens"] == 1000
    assert cost["per_day"][0]["cost_usd"] == pytest.approx(0.1)
    assert cost["per_version"] == [
        {
            "version": None,
            "turns": 100,
            "prompt_tokens": 1000,
            "completion_tokens": 200,
            "cost_usd": pytest.approx(0.1),
        }
    ]


def test_the_chat_streams_tool_calls_and_a_goal_to_confirm(owner):
    response = owner.post(
        f"{API}/manager/messages",
        json={"message": "raise recall by 5 % without raising latency"},
        headers={"Accept": "text/event-stream"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in response.text.split("\n\n") if b.strip()]
    names = [b.split("\n")[1].removeprefix("event: ") for b in blocks]
    assert names[-1] == "reply" and "delta" in names
    reply = json.loads(blocks[-1].split("data: ", 1)[1])
    assert reply["awaiting_confirmation"] and reply["pending"]["kind"] == "set_goal"
    deltas = "".join(json.loads(b.split("data: ", 1)[1])["text"] for b in blocks
                     if "event: delta" in b)  # fmt: skip
    assert deltas == reply["text"]
    confirmed = owner.post(
        f"{API}/manager/messages",
        json={"message": "yes", "conversation_id": reply["conversation_id"]},
    ).json()
    assert confirmed["intent"] == "set_goal" and not confirmed["awaiting_confirmation"]
    assert [t["tool"] for t in confirmed["tools"]] == ["set_goal"]
    goals = owner.get(f"{API}/goals").json()["items"]
    assert goals[0]["status"] == "active" and "recall" in goals[0]["summary"]
    transcript = owner.get(f"{API}/manager/conversations/{reply['conversation_id']}").json()
    assert [m["role"] for m in transcript["messages"]][:2] == ["owner", "manager"]


def test_a_version_explains_as_much_of_its_chain_as_asked(owner, database):
    with session_scope(database.engine) as session:
        ensure_active_version(session=session, now=datetime.now(UTC))
    for _ in range(2):
        proposal = pending_proposal(database)
        assert (
            owner.post(f"{API}/approvals/{proposal}/approve", json={"reason": "ok"}).status_code
            == 200
        )
    active = active_number(database)
    full = owner.get(f"{API}/versions/{active}").json()["chain"]
    short = owner.get(f"{API}/versions/{active}", params={"depth": 1}).json()["chain"]
    assert len(full) >= 3 and len(short) == 1
    assert short[0] == full[0], "the step shown still says what it changed from its parent"
    assert short[0]["changes"] and short[0]["parent_version"] == full[1]["version"]
