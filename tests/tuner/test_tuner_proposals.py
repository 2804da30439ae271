"""Proposals: the manual zone and the autonomy limits wait for the owner, who decides once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selflearn.errors import ConflictError, InvalidInputError, NotFoundError, RuleViolation
from selflearn.store import session_scope
from selflearn.tuner import (
    AutonomyPolicy,
    StepLimit,
    approve_proposal,
    get_version,
    list_proposals,
    list_versions,
    propose_update,
    reject_proposal,
    update_params,
)

MODEL_SWAP = {
    "action": "update_params",
    "reason": "the larger model halves hallucinations",
    "changes": [{"param": "responder.model", "from": "default", "to": "large"}],
    "experiment_id": "model_ab",
}


def update(param, before, after, **extra):
    return {"reason": "test", "changes": [{"param": param, "from": before, "to": after}], **extra}


def test_manual_zone_change_becomes_a_pending_proposal(engine, bootstrapped, snapshot, t0):
    before = snapshot()
    with session_scope(engine) as session:
        result = update_params(MODEL_SWAP, session=session, now=t0)
    assert result.status == "proposed" and not result.applied and result.version is None
    assert result.approval_reasons == ("responder.model is in the manual zone",)
    proposal = result.proposal
    assert proposal.status == "pending" and proposal.kind == "update_params"
    assert proposal.payload["changes"] == MODEL_SWAP["changes"]
    assert proposal.experiment_id == "model_ab" and proposal.created_at == t0
    assert "manual zone" in proposal.reason
    after = snapshot()
    # Nothing applied: the same versions and log, one more (pending) proposal.
    assert (after.active, after.versions, after.changes) == (
        before.active,
        before.versions,
        before.changes,
    )
    assert after.proposals == ((proposal.id, "pending"),)


def test_approval_applies_the_change_and_a_second_approval_conflicts(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        proposal = update_params(MODEL_SWAP, session=session, now=t0).proposal
    later = t0 + timedelta(minutes=5)
    with session_scope(engine) as session:
        result = approve_proposal(proposal.id, session=session, now=later, note="go ahead")
    assert result.applied
    version = result.version
    assert version.params["responder.model"] == "large" and version.status == "active"
    assert version.initiated_by == "owner" and version.experiment_id == "model_ab"
    assert f"proposal #{proposal.id} from teacher, approved by owner: go ahead" in version.reason
    assert result.proposal.status == "approved" and result.proposal.decided_at == later
    assert result.proposal.decision_note == "go ahead"
    with pytest.raises(ConflictError, match="already approved by owner"):
        with session_scope(engine) as session:
            approve_proposal(proposal.id, session=session, now=later)
    with pytest.raises(ConflictError, match="already approved"):
        with session_scope(engine) as session:
            reject_proposal(proposal.id, session=session, now=later)
    with session_scope(engine) as session:
        assert len(list_versions(session=session)) == 2


def test_unknown_proposal_is_not_found(engine, bootstrapped, t0):
    with pytest.raises(NotFoundError, match="proposal #999 does not exist"):
        with session_scope(engine) as session:
            approve_proposal(999, session=session, now=t0)
    with pytest.raises(NotFoundError):
        with session_scope(engine) as session:
            reject_proposal("999", session=session, now=t0)
    with pytest.raises(InvalidInputError, match="not a proposal id"):
        with session_scope(engine) as session:
            approve_proposal("abc", session=session, now=t0)


def test_rejection_applies_nothing(engine, bootstrapped, snapshot, t0):
    with session_scope(engine) as session:
        proposal = update_params(MODEL_SWAP, session=session, now=t0).proposal
    before = snapshot()
    with session_scope(engine) as session:
        rejected = reject_proposal(proposal.id, session=session, now=t0, note="too costly")
    assert rejected.status == "rejected" and rejected.decision_note == "too costly"
    after = snapshot()
    assert (after.active, after.versions, after.changes) == (
        before.active,
        before.versions,
        before.changes,
    )
    with session_scope(engine) as session:
        assert list_proposals(session=session) == []
        assert [p.status for p in list_proposals(session=session, status=None)] == ["rejected"]


def test_stale_proposal_is_refused_on_approval_and_stays_pending(
    engine, bootstrapped, snapshot, t0
):
    with session_scope(engine) as session:
        proposal = update_params(update("retrieval.top_k", 5, 15), session=session, now=t0).proposal
        update_params(update("retrieval.top_k", 5, 4), session=session, now=t0)
    before = snapshot()
    with pytest.raises(ConflictError, match="stale_from"):
        with session_scope(engine) as session:
            approve_proposal(proposal.id, session=session, now=t0)
    assert snapshot() == before


def test_steps_beyond_the_autonomy_policy_need_approval(engine, bootstrapped, t0):
    narrow = AutonomyPolicy(
        allowed=["retrieval.top_k"], max_step={"retrieval.top_k": StepLimit(absolute=1)}
    )
    with session_scope(engine) as session:
        big_step = update_params(
            update("retrieval.top_k", 5, 3), session=session, now=t0, autonomy=narrow
        )
        not_allowed = update_params(
            update("retrieval.keyword_count", 6, 7), session=session, now=t0, autonomy=narrow
        )
        small_step = update_params(
            update("retrieval.top_k", 5, 4), session=session, now=t0, autonomy=narrow
        )
    assert big_step.status == "proposed"
    assert "exceeds the maximum of ±1" in big_step.approval_reasons[0]
    assert not_allowed.status == "proposed"
    assert "not among the factors" in not_allowed.approval_reasons[0]
    assert small_step.applied


def test_owner_overrides_a_cooldown_by_approving_a_proposal(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        update_params(update("retrieval.top_k", 5, 4), session=session, now=t0)
    soon = t0 + timedelta(minutes=1)
    with pytest.raises(RuleViolation) as caught:
        with session_scope(engine) as session:
            update_params(update("retrieval.top_k", 4, 6), session=session, now=soon)
    assert caught.value.rule == "cooldown"
    with session_scope(engine) as session:
        proposal = propose_update(
            update("retrieval.top_k", 4, 6), session=session, now=soon, why="blocked by cooldown"
        )
        assert proposal.reason == "blocked by cooldown"
    with session_scope(engine) as session:
        result = approve_proposal(proposal.id, session=session, now=soon)
        assert result.applied and result.version.params["retrieval.top_k"] == 6
        assert get_version(2, session=session).status == "retired"


def test_owner_initiated_update_is_its_own_approval(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        result = update_params({**MODEL_SWAP, "initiated_by": "owner"}, session=session, now=t0)
    assert result.applied and result.version.initiated_by == "owner"
