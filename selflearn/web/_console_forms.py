"""The console's forms: what each does, the permission it needs, the page it returns to.

Each action runs in a worker thread with the parsed form and answers the URL to go back to;
a refused action raises the project's error, which the console shows with its hint.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from selflearn.errors import ConflictError, InvalidInputError
from selflearn.graph import CampaignOptions
from selflearn.store import session_scope
from selflearn.tuner import OWNER, activate, rollback
from selflearn.web._approval_views import decide
from selflearn.web._mirror_views import save_profile
from selflearn.web._state import WebState

__all__ = ["FORMS", "FormAction"]

FormAction = Callable[[WebState, Request, dict[str, str], dict[str, str]], str]


def _number(form: dict[str, str], name: str, *, low: int, high: int, default: int | None = None):
    raw = (form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInputError(
            f"{name} must be a whole number from {low} to {high}", hint=f"Check the {name} field."
        )
    return int(raw)


def decide_proposal(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Approve or reject a proposal with a reason; a waiting campaign resumes."""
    proposal = _number(path, "proposal_id", low=1, high=2_147_483_647)
    choice = form.get("decision")
    if choice not in ("approve", "reject"):
        raise InvalidInputError("decide with approve or reject", hint="Use the form's buttons.")
    reason = (form.get("reason") or "").strip()
    if not reason:
        raise InvalidInputError("a reason is required", hint="Say why in the reason field.")
    outcome = decide(state, proposal, approve=choice == "approve", reason=reason, by=OWNER)
    resumed = outcome["resumed_campaign"]
    return f"/campaigns/{resumed}" if resumed else "/approvals"


def start_campaign(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Start a campaign with the form's goal, budget and seed."""
    goal = (form.get("goal") or "").strip()
    if not goal or len(goal) > 2000:
        raise InvalidInputError("say the goal in up to 2000 characters", hint="Fill in the goal.")
    defaults: CampaignOptions = request.app.state.campaign_defaults
    options = CampaignOptions(
        goal_text=goal,
        scenarios=defaults.scenarios,
        budget=_number(form, "budget", low=2, high=2000, default=40),
        seed=_number(form, "seed", low=0, high=2_147_483_647, default=0),
        holdout_seeds=_number(form, "holdout_seeds", low=1, high=20, default=2),
    )
    return f"/campaigns/{state.jobs.start(options).campaign_id}"


def stop_campaign(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Stop a campaign this server runs after its current step."""
    if state.jobs.stop(path["campaign_id"]) is None:
        raise ConflictError(f"campaign {path['campaign_id']} is not running in this server")
    return f"/campaigns/{path['campaign_id']}"


def resume_campaign(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Resume an interrupted (or crashed) campaign from its last step."""
    state.jobs.resume(path["campaign_id"])
    return f"/campaigns/{path['campaign_id']}"


def activate_version(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Make a version the active one (admin)."""
    number = _number(path, "version", low=1, high=2_147_483_647)
    with session_scope(state.engine) as session:
        activate(
            number,
            session=session,
            now=state.clock(),
            reason=form.get("reason", ""),
            initiated_by=OWNER,
        )
    return f"/parameters?version={number}"


def rollback_version(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Roll the active version back to its parent (admin)."""
    with session_scope(state.engine) as session:
        restored = rollback(
            session=session, now=state.clock(), reason=form.get("reason", ""), initiated_by=OWNER
        )
        number = restored.version
    return f"/parameters?version={number}"


#: (route path, permission, action).
def save_mirror_profile(state: WebState, request: Request, path: dict[str, str], form: dict) -> str:
    """Turn a user's adaptive feedback (Mirror) on or off."""
    return save_profile(request.app.state.mirror_hub, form)


FORMS: list[tuple[str, str, FormAction]] = [
    ("/approvals/{proposal_id}/decide", "operate", decide_proposal),
    ("/campaigns/start", "operate", start_campaign),
    ("/campaigns/{campaign_id}/stop", "operate", stop_campaign),
    ("/campaigns/{campaign_id}/resume", "operate", resume_campaign),
    ("/parameters/{version}/activate", "admin", activate_version),
    ("/parameters/rollback", "admin", rollback_version),
    ("/mirror/profile", "steer", save_mirror_profile),
]
