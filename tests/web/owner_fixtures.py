"""Objects the owner API tests act on: proposals, campaigns, versions, fresh for each call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from selflearn.graph import CampaignOptions, build_campaign_graph, open_checkpointer
from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign, Proposal
from selflearn.tuner import active_version, ensure_active_version, propose_update

FACTOR = "retrieval.recency_weight"
SMALL = ("moved-city", "marathon-diary", "namesakes", "unanswerable-gaps")
ROOT = Path(__file__).resolve().parents[2]


def small_scenarios(folder: Path) -> Path:
    """Copy three training scenarios and one held-out scenario into `folder`."""
    for name in SMALL:
        (folder / f"{name}.yaml").write_text((ROOT / "scenarios" / f"{name}.yaml").read_text())
    return folder


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


def waiting_campaign(database, scenarios, service, components) -> tuple[str, int]:
    """A campaign stopped in its approval step, as the graph leaves it for a manual change."""
    campaign_id = f"wait-{uuid.uuid4().hex[:6]}"
    options = CampaignOptions(scenarios=(str(scenarios),), budget=2, seed=3, holdout_seeds=1)
    runner = components.campaign_runner(student=service)
    outcome = runner.start(options, campaign_id=f"{campaign_id}-base")
    proposal_id = pending_proposal(database, campaign_id=campaign_id)
    with session_scope(database.engine) as session:
        session.add(Campaign(id=campaign_id, status="awaiting_approval", seed=3,
                             config=options.to_config()))  # fmt: skip
        change = dict(session.get(Proposal, proposal_id).payload)
    state = {**outcome.state, "campaign_id": campaign_id, "plan": None,
             "pending_change": {**change, "proposal_id": proposal_id}}  # fmt: skip
    config = {"configurable": {"thread_id": campaign_id}}
    with open_checkpointer(database) as saver:
        graph = build_campaign_graph().compile(checkpointer=saver)
        graph.update_state(config, state, as_node="apply_change")
    return campaign_id, proposal_id
