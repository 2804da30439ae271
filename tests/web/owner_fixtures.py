"""Objects the owner API tests act on: proposals, campaigns, versions, fresh for each call."""

from __future__ import annotations

from datetime import UTC, datetime

from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign
from selflearn.tuner import active_version, ensure_active_version, propose_update

FACTOR = "retrieval.recency_weight"


def _now() -> datetime:
    return datetime.now(UTC)


def pending_proposal(database: Database, *, campaign_id: str | None = None, step=0.05) -> int:
    """File a pending proposal that nudges the recency weight of the active version."""
    with session_scope(database.engine) as session:
        active = ensure_active_version(session=session, now=_now())
        before = float(active.params.get(FACTOR, 0.1))
        after = round(before + step if before + step <= 0.9 else before - step, 4)
        proposal = propose_update(
            {
                "action": "update_params",
                "reason": f"recency {before} -> {after} helps updated facts",
                "changes": [{"param": FACTOR, "from": before, "to": after}],
                "rollback_conditions": {"precision_drop": 0.1, "cycles": 3},
            },
            session=session,
            now=_now(),
        )
        proposal.campaign_id = campaign_id
        session.flush()
        return proposal.id


def campaign_row(database: Database, campaign_id: str, status: str = "completed") -> str:
    """Record a campaign with `status` (no graph behind it)."""
    with session_scope(database.engine) as session:
        if session.get(Campaign, campaign_id) is None:
            session.add(Campaign(id=campaign_id, status=status, seed=0, config={"budget": 2}))
    return campaign_id


def active_number(database: Database) -> int:
    """Return the active version's number."""
    with session_scope(database.engine) as session:
        active = active_version(session=session)
        assert active is not None
        return active.version


def other_version(database: Database) -> int:
    """Return a version that is not the active one (making one by approving if needed)."""
    from selflearn.tuner import approve_proposal, list_versions

    with session_scope(database.engine) as session:
        others = [v.version for v in list_versions(session=session) if v.status != "active"]
    if others:
        return others[-1]
    proposal = pending_proposal(database)
    with session_scope(database.engine) as session:
        approve_proposal(proposal, session=session, now=_now())
    return other_version(database)
