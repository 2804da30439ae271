"""Owner API: proposals waiting for the owner; parameter versions (history, activate, roll back)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from selflearn.store import session_scope
from selflearn.tuner import OWNER, activate, get_proposal, rollback
from selflearn.web._approval_views import approval_dict, approvals, decide
from selflearn.web._auth import auth_responses, require
from selflearn.web._owner_schemas import (
    MAX_ID,
    MAX_OFFSET,
    Approval,
    ApprovalDecision,
    ApprovalList,
    Decided,
    RollbackRequest,
    VersionAction,
    VersionDetail,
    VersionDiff,
    VersionList,
)
from selflearn.web._routes import errors
from selflearn.web._state import WebState, web_state
from selflearn.web._version_views import version_detail, version_diff, version_page

__all__ = ["router"]

router = APIRouter()
State = Annotated[WebState, Depends(web_state)]
ProposalId = Annotated[int, Path(ge=1, le=MAX_ID, description="The proposal's number.")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="The version's number.")]
_READ = [Depends(require("read"))]
_BODY = (413, 415, 422)


@router.get(
    "/approvals",
    tags=["approvals"],
    response_model=ApprovalList,
    summary="List proposals with their evidence",
    dependencies=_READ,
    responses={**auth_responses(), **errors(422, 503)},
)
def list_approvals(
    state: State,
    status: Annotated[
        Literal["pending", "approved", "rejected", "expired", "all"],
        Query(description="Which proposals (default: pending)."),
    ] = "pending",
) -> dict[str, Any]:
    return {"items": approvals(state, None if status == "all" else status)}


@router.get(
    "/approvals/{proposal_id:int}",
    tags=["approvals"],
    response_model=Approval,
    summary="Show a proposal and its evidence",
    dependencies=_READ,
    responses={**auth_responses(), **errors(404, 422, 503)},
)
def show_approval(proposal_id: ProposalId, state: State) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return approval_dict(session, get_proposal(proposal_id, session=session))


@router.post(
    "/approvals/{proposal_id:int}/approve",
    tags=["approvals"],
    response_model=Decided,
    summary="Approve a proposal (and resume the campaign that waits for it)",
    description="The change is validated again and applied as a new active version. 409 "
    "if the proposal was decided already or the change no longer fits; nothing changes.",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(400, 404, 409, *_BODY, 503)},
)
def approve(proposal_id: ProposalId, body: ApprovalDecision, state: State) -> dict[str, Any]:
    return decide(state, proposal_id, approve=True, reason=body.reason, by=OWNER)


@router.post(
    "/approvals/{proposal_id:int}/reject",
    tags=["approvals"],
    response_model=Decided,
    summary="Reject a proposal (and resume the campaign that waits for it)",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(400, 404, 409, *_BODY, 503)},
)
def reject(proposal_id: ProposalId, body: ApprovalDecision, state: State) -> dict[str, Any]:
    return decide(state, proposal_id, approve=False, reason=body.reason, by=OWNER)


@router.get(
    "/versions",
    tags=["versions"],
    response_model=VersionList,
    summary="List parameter versions, newest first",
    dependencies=_READ,
    responses={**auth_responses(), **errors(422, 503)},
)
def list_versions(
    state: State,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many.")] = 0,
    status: Annotated[
        Literal["draft", "candidate", "active", "retired", "rolled_back"] | None,
        Query(description="Only this status."),
    ] = None,
) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return version_page(session, limit=limit, offset=offset, status=status)


@router.get(
    "/versions/{version:int}",
    tags=["versions"],
    response_model=VersionDetail,
    summary="Show a version with its explanation chain",
    dependencies=_READ,
    responses={**auth_responses(), **errors(404, 422, 503)},
)
def show_version(
    version: VersionNumber,
    state: State,
    depth: Annotated[
        int, Query(ge=1, le=10_000, description="How many versions of the chain to explain.")
    ] = 100,
) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return version_detail(session, version, depth)


@router.get(
    "/versions/{version:int}/diff/{other:int}",
    tags=["versions"],
    response_model=VersionDiff,
    summary="Compare two versions",
    dependencies=_READ,
    responses={**auth_responses(), **errors(404, 422, 503)},
)
def diff_versions(
    version: VersionNumber,
    other: Annotated[int, Path(ge=1, le=MAX_ID, description="The version to compare to.")],
    state: State,
) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return version_diff(session, version, other)


@router.post(
    "/versions/{version:int}/activate",
    tags=["versions"],
    response_model=VersionDetail,
    summary="Make a version the active one (admin)",
    dependencies=[Depends(require("admin"))],
    responses={**auth_responses(), **errors(400, 404, 409, *_BODY, 503)},
)
def activate_version(version: VersionNumber, body: VersionAction, state: State) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        activate(
            version, session=session, now=state.clock(), reason=body.reason, initiated_by=OWNER
        )
    with session_scope(state.engine) as session:
        return version_detail(session, version)


@router.post(
    "/versions/rollback",
    tags=["versions"],
    response_model=VersionDetail,
    summary="Roll the active version back to its parent, or to `to` (admin)",
    dependencies=[Depends(require("admin"))],
    responses={**auth_responses(), **errors(400, 404, 409, *_BODY, 503)},
)
def rollback_version(body: RollbackRequest, state: State) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        restored = rollback(
            session=session,
            now=state.clock(),
            reason=body.reason,
            initiated_by=OWNER,
            to_version=body.to,
        )
        number = restored.version
    with session_scope(state.engine) as session:
        return version_detail(session, number)
