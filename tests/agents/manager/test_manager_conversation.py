"""Conversations on a real database: confirm before acting, decisions on record, resuming."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selflearn.agents.manager import OWNER_DECISION, Manager
from selflearn.store import session_scope
from selflearn.store.models import Goal, JournalEntry, ManagerMessage
from tests.agents.manager_fakes import FakeTools

GOAL = "cut hallucinations on personal memory below 3 % without losing recall; leave cost alone"


@pytest.fixture
def tools() -> FakeTools:
    return FakeTools()


@pytest.fixture
def manager(database, tools) -> Manager:
    return Manager(tools, engine=database.engine)


def stored(database, conversation_id: str) -> list[ManagerMessage]:
    with session_scope(database.engine) as session:
        query = (
            select(ManagerMessage)
            .where(ManagerMessage.conversation_id == conversation_id)
            .order_by(ManagerMessage.id)
        )
        return list(session.scalars(query))


def decisions(database, conversation_id: str) -> list[JournalEntry]:
    with session_scope(database.engine) as session:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.kind == OWNER_DECISION)
            .order_by(JournalEntry.id)
        )
        return [e for e in entries if e.evidence.get("conversation_id") == conversation_id]


def test_a_goal_is_restated_and_saved_only_after_yes(manager, tools, database):
    reply = manager.handle(GOAL)
    assert reply.awaiting_confirmation
    assert "bring down hallucination rate to 3 % or less" in reply.text
    assert "Shall I go ahead? (yes / no)" in reply.text
    assert tools.names() == []
    reply = manager.handle("yes")
    assert not reply.awaiting_confirmation
    assert tools.names() == ["set_goal"]
    saved = tools.goals[0].spec
    assert saved.primary[0].target == 0.03 and saved.ignored_metrics == ["cost_per_probe_usd"]
    assert saved.text == GOAL
    assert "goal-1" in reply.text and manager.goal is not None
    [decision] = decisions(database, manager.conversation_id)
    assert decision.summary.startswith("owner confirmed goal goal-1")
    assert decision.evidence["spec"]["scope"] == "personal memory"


def test_no_cancels_and_records_the_decision(manager, tools, database):
    manager.handle(GOAL)
    reply = manager.handle("no")
    assert "Cancelled" in reply.text and tools.names() == []
    assert manager.pending is None
    [decision] = decisions(database, manager.conversation_id)
    assert decision.evidence["action"] == "cancel_set_goal"
    assert manager.handle("yes").text == "Nothing is waiting for your confirmation."
    assert tools.names() == []


def test_an_adjustment_while_a_goal_waits_amends_it(manager, tools):
    manager.handle(GOAL)
    reply = manager.handle("don't touch the prompt")
    assert reply.awaiting_confirmation and "Never touched: responder.system_prompt_version" in (
        reply.text
    )
    manager.handle("ok")
    spec = tools.goals[0].spec
    assert spec.forbidden_factors == ["responder.system_prompt_version"]
    assert spec.primary[0].metric == "hallucination_rate"


def test_another_request_sets_the_waiting_one_aside(manager, tools):
    manager.handle(GOAL)
    reply = manager.handle("status")
    assert reply.text.startswith("(I set aside the earlier request: Goal: bring down")
    assert manager.pending is None
    assert manager.handle("yes").text == "Nothing is waiting for your confirmation."
    assert "set_goal" not in tools.names()


def test_not_understood_changes_nothing_and_shows_examples(manager, tools, database):
    reply = manager.handle("make the assistant smarter")
    assert reply.data["understood"] is False
    assert "I have changed nothing" in reply.text
    assert "run a campaign" in reply.text
    assert tools.calls == []
    assert decisions(database, manager.conversation_id) == []
    with session_scope(database.engine) as session:
        assert session.scalars(select(Goal)).first() is None


def test_a_campaign_needs_a_goal_then_runs_with_the_options(manager, tools):
    reply = manager.handle("run a campaign")
    assert "no goal yet" in reply.text
    assert "run_campaign" not in tools.names()
    manager.handle(GOAL)
    manager.handle("yes")
    reply = manager.handle("run a campaign with budget 40 and seed 7 on scenarios p-1, p-2")
    assert tools.calls[-1] == (
        "run_campaign", {"goal_id": "goal-1", "budget": 40, "seed": 7, "scenarios": ["p-1", "p-2"]}
    )  # fmt: skip
    assert "Campaign c-1 finished (offline providers)" in reply.text
    assert "Version 8 is now active" in reply.text


def test_approve_confirms_first_and_records_the_decision(manager, tools, database):
    tools.add_proposal(3)
    reply = manager.handle("approve 3: looks good")
    assert reply.awaiting_confirmation and "Approve proposal #3" in reply.text
    assert "approve" not in tools.names()
    reply = manager.handle("go ahead")
    assert tools.calls[-1] == ("approve", {"proposal_id": 3, "note": "looks good"})
    assert "version 8 is now active" in reply.text
    [decision] = decisions(database, manager.conversation_id)
    assert decision.summary == "owner approved proposal #3"
    assert decision.evidence["note"] == "looks good"


def test_approving_unknown_or_decided_proposals_gets_clear_replies(manager, tools):
    tools.add_proposal(1, status="approved")
    reply = manager.handle("approve 9")
    assert reply.text.startswith("There is no proposal #9.")
    assert reply.data["error"]["code"] == "not_found" and not reply.awaiting_confirmation
    reply = manager.handle("approve 1")
    assert reply.text == "Proposal #1 was already approved; there is nothing to decide."
    assert "approve" not in tools.names()


def test_a_tool_error_after_confirmation_is_a_plain_reply(manager, tools, database):
    tools.add_proposal(2)
    manager.handle("approve 2")
    tools.proposals[2] = tools.proposals[2].model_copy(update={"status": "rejected"})
    reply = manager.handle("yes")
    assert reply.text == "That did not work: proposal #2 is already rejected."
    assert reply.data["error"]["code"] == "conflict"
    [decision] = decisions(database, manager.conversation_id)
    assert decision.evidence["outcome"] == "failed"


def test_reject_unknown_proposal_surfaces_the_hint(manager):
    reply = manager.handle("reject 5 because too risky")
    assert reply.text == (
        "That did not work: there is no proposal #5. Say 'list proposals' to see them."
    )


def test_reject_runs_at_once_and_is_journalled(manager, tools, database):
    tools.add_proposal(4)
    reply = manager.handle("reject 4 because recall fell")
    assert reply.text == "Proposal #4 rejected."
    assert tools.calls[-1] == ("reject", {"proposal_id": 4, "note": "recall fell"})
    [decision] = decisions(database, manager.conversation_id)
    assert decision.summary == "owner rejected proposal #4"


def test_rollback_confirms_first(manager, tools, database):
    reply = manager.handle("roll back because answers got worse")
    assert reply.awaiting_confirmation
    assert "Roll back the active version 7" in reply.text and "answers got worse" in reply.text
    assert "rollback" not in tools.names()
    reply = manager.handle("yes")
    assert reply.text == "Rolled back to version 6."
    assert tools.calls[-1] == ("rollback", {"reason": "answers got worse"})
    [decision] = decisions(database, manager.conversation_id)
    assert decision.summary == "owner rolled back: answers got worse"


def test_rollback_with_nothing_active_says_so(database):
    manager = Manager(FakeTools(active_version=None), engine=database.engine)
    reply = manager.handle("rollback")
    assert reply.text == "No version is active, so there is nothing to roll back."
    assert not reply.awaiting_confirmation


def test_explain_status_proposals_and_report(manager, tools):
    assert manager.handle("why is version 7 active").text.startswith("Version 7:")
    assert manager.handle("explain v3").text == (
        "That did not work: there is no parameter version 3."
    )
    assert "No proposal is waiting" in manager.handle("list proposals").text
    assert "Active parameter version: 7." in manager.handle("status").text
    assert "there is no campaign yet" in manager.handle("report").text
    manager.handle(GOAL)
    manager.handle("yes")
    manager.handle("run a campaign")
    assert "Report on campaign c-1 (offline providers)" in manager.handle("report").text


def test_every_message_tool_call_and_decision_is_stored(manager, database):
    manager.handle(GOAL)
    manager.handle("yes")
    roles = [
        (m.role, m.content.split("\n")[0][:20]) for m in stored(database, manager.conversation_id)
    ]
    assert [role for role, _ in roles] == [
        "owner",
        "manager",
        "owner",
        "tool",
        "decision",
        "manager",
    ]
    messages = stored(database, manager.conversation_id)
    assert messages[0].data["intents"][0]["intent"] == "set_goal"
    assert messages[0].data["mode"] == "offline"
    assert messages[1].data["awaiting_confirmation"] is True
    assert messages[1].data["pending"]["kind"] == "set_goal"
    assert messages[3].data["tool"] == "set_goal" and messages[3].data["ok"] is True


def test_a_conversation_resumes_by_id_with_its_pending_question(database, tools):
    first = Manager(tools, engine=database.engine)
    first.handle(GOAL)
    resumed = Manager(tools, engine=database.engine, conversation_id=first.conversation_id)
    assert resumed.resumed and resumed.pending is not None
    assert resumed.pending.spec == first.pending.spec
    resumed.handle("yes")
    assert tools.names() == ["set_goal"]
    again = Manager(tools, engine=database.engine, conversation_id=first.conversation_id)
    assert again.pending is None and again.goal is not None and again.goal.id == "goal-1"
    again.handle("run a campaign")
    assert tools.calls[-1][1]["goal_id"] == "goal-1"
    assert [role for role, _ in again.transcript()] == ["owner", "manager"] * 3


def test_conversations_are_kept_apart(database, tools):
    one = Manager(tools, engine=database.engine)
    other = Manager(tools, engine=database.engine)
    one.handle(GOAL)
    assert other.handle("yes").text == "Nothing is waiting for your confirmation."
    assert Manager(tools, engine=database.engine, conversation_id=one.conversation_id).pending


def test_adjusting_with_no_goal_anywhere_asks_for_one(manager, tools):
    reply = manager.handle("don't touch the prompt")
    assert "no goal to adjust yet" in reply.text and not reply.awaiting_confirmation
    assert tools.names() == ["status"]


def test_a_greeting_and_thanks_are_answered_and_change_nothing(manager, tools):
    hello = manager.handle("hi")
    assert hello.intent == "greet" and "run a campaign with budget 40" in hello.text
    thanks = manager.handle("thanks a lot!")
    assert thanks.intent == "thank" and not thanks.awaiting_confirmation
    assert tools.names() == []


def test_what_is_not_understood_gets_the_closest_phrasing(manager, tools):
    reply = manager.handle("increase hallucinations")
    assert reply.intent == "not_understood"
    assert reply.data["suggestion"] in reply.text
    assert "hallucinations" in reply.data["suggestion"]
    assert tools.names() == []
