"""Owner API: campaigns (list, show, start, resume, stop, progress events)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import StreamingResponse

from selflearn.errors import ConflictError
from selflearn.graph import CampaignOptions
from selflearn.web._auth import auth_responses, require
from selflearn.web._campaign_views import campaign_detail, campaign_page
from selflearn.web._owner_schemas import (
    MAX_OFFSET,
    CampaignAccepted,
    CampaignDetail,
    CampaignList,
    CampaignStatus,
    ResumeCampaign,
    StartCampaign,
)
from selflearn.web._routes import errors
from selflearn.web._sse import SSE_MEDIA_TYPE, job_events, sse_response, static_events
from selflearn.web._state import WebState, web_state

__all__ = ["CAMPAIGN_ID", "router"]

router = APIRouter(tags=["campaigns"])
State = Annotated[WebState, Depends(web_state)]
CAMPAIGN_ID = Path(
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9._:-]+$",
    description="The campaign's id, e.g. c-20261202-101500-ab12cd.",
)
CampaignId = Annotated[str, CAMPAIGN_ID]


def _defaults(request: Request) -> CampaignOptions:
    options: CampaignOptions = request.app.state.campaign_defaults
    return options


def _accepted(request: Request, state: WebState, campaign_id: str) -> CampaignAccepted:
    job = state.jobs.get(campaign_id)
    assert job is not None
    return CampaignAccepted(
        campaign_id=campaign_id,
        status=job.status,
        events=str(request.url_for("campaign_events", campaign_id=campaign_id)),
        progress=job.progress(),
    )


@router.get(
    "/campaigns",
    response_model=CampaignList,
    summary="List campaigns, newest first",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def list_campaigns(
    state: State,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many.")] = 0,
    status: Annotated[CampaignStatus | None, Query(description="Only this status.")] = None,
) -> dict[str, Any]:
    return campaign_page(state.components.database, limit=limit, offset=offset, status=status)


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignDetail,
    summary="Show a campaign: progress, experiments, looks and report",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(404, 422, 503)},
)
def show_campaign(campaign_id: CampaignId, state: State) -> dict[str, Any]:
    return campaign_detail(state.components.database, campaign_id, state.jobs.get(campaign_id))


@router.post(
    "/campaigns",
    status_code=202,
    response_model=CampaignAccepted,
    summary="Start a campaign in the background",
    description="The goal is parsed and checked first (400 if the Manager cannot read it); "
    "the campaign then runs in a background thread. Follow it at `events`. One campaign "
    "runs at a time (409 while another runs).",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(400, 409, 413, 415, 422, 503)},
)
def start_campaign(body: StartCampaign, request: Request, state: State) -> CampaignAccepted:
    defaults = _defaults(request)
    options = CampaignOptions(
        goal_text=body.goal,
        scenarios=defaults.scenarios,
        budget=body.budget,
        seed=body.seed,
        holdout_seeds=body.holdout_seeds,
    )
    job = state.jobs.start(options)
    return _accepted(request, state, job.campaign_id)


@router.post(
    "/campaigns/{campaign_id}/resume",
    status_code=202,
    response_model=CampaignAccepted,
    summary="Resume a campaign from its last step",
    description="After a stop, a crash or the owner's decision. With `approve`, the "
    "proposal the campaign waits for is decided as it resumes. 409 if it is completed or "
    "a campaign runs here already.",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(404, 409, 413, 415, 422, 503)},
)
def resume_campaign(
    campaign_id: CampaignId, request: Request, state: State, body: ResumeCampaign | None = None
) -> CampaignAccepted:
    decision = None
    if body is not None and body.approve is not None:
        decision = {"approve": body.approve, "note": body.note}
    state.jobs.resume(campaign_id, decision)
    return _accepted(request, state, campaign_id)


@router.post(
    "/campaigns/{campaign_id}/stop",
    status_code=202,
    response_model=CampaignAccepted,
    summary="Stop a running campaign after its current step",
    description="It reads `interrupted` once stopped; resume continues it. 409 if it does "
    "not run in this server.",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(404, 409, 422, 503)},
)
def stop_campaign(campaign_id: CampaignId, request: Request, state: State) -> CampaignAccepted:
    campaign_detail(state.components.database, campaign_id, None)  # 404 for an unknown id
    if state.jobs.stop(campaign_id) is None:
        raise ConflictError(
            f"campaign {campaign_id} is not running in this server",
            hint="Only a campaign this server drives can be stopped here; a terminal's "
            "campaign stops with Ctrl+C.",
        )
    return _accepted(request, state, campaign_id)


@router.get(
    "/campaigns/{campaign_id}/events",
    summary="Follow a campaign's progress (server-sent events)",
    description="A `text/event-stream` of progress events (`design`, `dispatch`, "
    "`episode`, `look`, `change`, `stopping`, and `end` last), each with the campaign's "
    "counters. A campaign not running here sends one `status` event.",
    dependencies=[Depends(require("read"))],
    response_class=StreamingResponse,
    responses={
        200: sse_response(
            [
                "status",
                "design",
                "dispatch",
                "episode",
                "look",
                "change",
                "stopping",
                "end",
                "server_stopping",
            ],
            "Progress events; `data` holds the campaign's counters.",
        ),  # fmt: skip
        **auth_responses(),
        **errors(404, 422, 503),
    },
)
def campaign_events(
    campaign_id: CampaignId,
    state: State,
    last_event_id: Annotated[
        str,
        Header(pattern=r"^-?[0-9]{1,7}$", description="Resume after this event (its id)."),
    ] = "-1",
) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    job = state.jobs.get(campaign_id)
    if job is None:
        detail = campaign_detail(state.components.database, campaign_id, None)
        summary = {"campaign_id": campaign_id, "status": detail["status"]}
        return StreamingResponse(
            static_events([("status", summary)]), media_type=SSE_MEDIA_TYPE, headers=headers
        )
    after = max(-1, int(last_event_id))
    return StreamingResponse(
        job_events(job, state, after), media_type=SSE_MEDIA_TYPE, headers=headers
    )
