"""The owner's decisions on proposals: approve (apply the stored change) or reject."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError, InvalidInputError, NotFoundError
from selflearn.store.models import Proposal
from selflearn.tuner._atomic import atomic
from selflearn.tuner._formats import OWNER, parse_update_params
from selflearn.tuner._updates import ApplyResult, apply_update, checked_changes
from selflearn.tuner._versions import require_active

PROPOSAL_STATUSES = ("pending", "approved", "rejected", "expired")


def _parse_id(proposal_id: int | str) -> int:
    text = str(proposal_id).strip().lstrip("#")
    if isinstance(proposal_id, bool) or not text.isdigit():
        raise InvalidInputError(
            f"{proposal_id!r} is not a proposal id",
            hint="Proposal ids are numbers; `selflearn approvals list` shows them.",
        )
    return int(text)


def get_proposal(proposal_id: int | str, *, session: Session) -> Proposal:
    """Return a proposal by id, or raise NotFoundError."""
    proposal = session.get(Proposal, _parse_id(proposal_id))
    if proposal is None:
        raise NotFoundError(
            f"proposal #{proposal_id} does not exist",
            hint="`selflearn approvals list --all` shows every proposal.",
        )
    return proposal


def list_proposals(*, session: Session, status: str | None = "pending") -> list[Proposal]:
    """Return proposals oldest first: only `status` ones, or all with `status=None`."""
    query = select(Proposal).order_by(Proposal.created_at, Proposal.id)
    if status is not None:
        if status not in PROPOSAL_STATUSES:
            raise InvalidInputError(
                f"unknown proposal status {status!r}",
                hint=f"Use one of: {', '.join(PROPOSAL_STATUSES)}.",
            )
        query = query.where(Proposal.status == status)
    return list(session.scalars(query))


def proposal_record(proposal: Proposal) -> dict[str, Any]:
    """Return a proposal as JSON-ready data (the CLI's and the owner API's shape)."""
    return {
        "id": proposal.id,
        "kind": proposal.kind,
        "status": proposal.status,
        "why": proposal.reason,
        "payload": proposal.payload,
        "experiment_id": proposal.experiment_id,
        "campaign_id": proposal.campaign_id,
        "created_at": proposal.created_at.isoformat(),
        "decided_at": None if proposal.decided_at is None else proposal.decided_at.isoformat(),
        "decided_by": proposal.decided_by,
        "decision_note": proposal.decision_note,
    }


def _pending(proposal_id: int | str, *, session: Session) -> Proposal:
    proposal = get_proposal(proposal_id, session=session)
    if proposal.status != "pending":
        by = f" by {proposal.decided_by}" if proposal.decided_by else ""
        raise ConflictError(
            f"proposal #{proposal.id} was already {proposal.status}{by}",
            hint="Only pending proposals can be decided.",
        )
    return proposal


def _decide(
    session: Session,
    proposal: Proposal,
    *,
    status: str,
    now: datetime,
    decided_by: str,
    note: str | None,
) -> None:
    # Guarded on `pending`: of two owners deciding at once, exactly one succeeds.
    result = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == "pending")
        .values(status=status, decided_at=now, decided_by=decided_by, decision_note=note)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        raise ConflictError(f"proposal #{proposal.id} was decided at the same time elsewhere")


def approve_proposal(
    proposal_id: int | str,
    *,
    session: Session,
    now: datetime,
    decided_by: str = OWNER,
    note: str | None = None,
) -> ApplyResult:
    """Approve a pending proposal and apply its change as a new active version.

    The approval replaces the zone, autonomy and cooldown checks; ranges, types and
    staleness are checked again, and a change that no longer fits is refused (the
    proposal stays pending, so it can be rejected).
    """
    proposal = _pending(proposal_id, session=session)
    if proposal.kind != "update_params":
        raise InvalidInputError(
            f"proposal #{proposal.id} is of kind {proposal.kind!r}; "
            "the Tuner applies only update_params proposals"
        )
    change = parse_update_params(proposal.payload)
    active = require_active(session=session)
    changes = checked_changes(change, active, session=session)
    reason = (
        f"{change.reason} (proposal #{proposal.id} from {change.initiated_by}, "
        f"approved by {decided_by}{': ' + note if note else ''})"
    )
    with atomic(session):
        _decide(session, proposal, status="approved", now=now, decided_by=decided_by, note=note)
        version = apply_update(
            change,
            changes,
            active,
            session=session,
            now=now,
            initiated_by=decided_by,
            reason=reason,
        )
    session.refresh(proposal)
    return ApplyResult(
        "applied", tuple(changes), version=version, previous=active, proposal=proposal
    )


def reject_proposal(
    proposal_id: int | str,
    *,
    session: Session,
    now: datetime,
    decided_by: str = OWNER,
    note: str | None = None,
) -> Proposal:
    """Reject a pending proposal; nothing is applied."""
    proposal = _pending(proposal_id, session=session)
    with atomic(session):
        _decide(session, proposal, status="rejected", now=now, decided_by=decided_by, note=note)
    session.refresh(proposal)
    return proposal
