"""The nodes of the assistant's turn: analyse → the tool nodes (the micrograph, the mirror hub)
→ respond → record."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from selflearn.assistant._state import TurnContext, TurnState
from selflearn.learners.micrograph import MicrographConfig
from selflearn.learners.mirror import Feedback
from selflearn.maas import resolve_parameters
from selflearn.store import session_scope
from selflearn.store.models import UserSettings


def _config(state: TurnState, context: TurnContext) -> MicrographConfig:
    options = state.get("options", {})
    key = context.cache_key(options)
    if key is not None and key in context.config_cache:
        return context.config_cache[key]
    with session_scope(context.engine) as session:
        resolved = resolve_parameters(
            session,
            version_id=options.get("version_id"),
            experiment_id=options.get("experiment_id"),
            variant=options.get("variant"),
            params=options.get("params"),
        )
    config = MicrographConfig.from_params(resolved.params)
    if key is not None:
        context.config_cache[key] = config
    return config


def analyse_turn(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Read the turn's micrograph settings, and the user's profile when it runs."""
    context = runtime.context
    config = _config(state, context)
    if not config.enabled:
        return {"config": config, "opted_out": False, "step": None, "directive": None}
    with session_scope(context.engine) as session:
        profile = session.get(UserSettings, state["user_id"])
        opted_out = profile is not None and not profile.profiling_enabled
        intent = state.get("intent") or (profile.agent_intent if profile else None)
    return {"config": config, "opted_out": opted_out, "intent": intent}


def route_after_analyse(state: TurnState) -> Literal["pick_transition", "give_feedback"]:
    """Run the micrograph only when the turn's parameter version turns it on."""
    return "pick_transition" if state["config"].enabled else "give_feedback"


def pick_transition(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Tool node: track the topic, grade the last jump, pick a new topic when it is spent."""
    options = state.get("options", {})
    step = runtime.context.micrograph.step(
        state["user_id"],
        state["message"],
        config=state["config"],
        intent=state.get("intent"),
        opted_out=state.get("opted_out", False),
        now=options.get("now"),
    )
    return {"step": step, "directive": step.directive}


def give_feedback(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Tool node: the mirror hub takes the turn into the field and picks tone and intensity.

    Runs for online turns when the context has a mirror loop; a campaign's or a cycle's
    simulated turns neither enter the live field nor are steered. An opted-out user gets no
    tone (the hub neither logs nor steers them).
    """
    mirror = runtime.context.mirror
    if mirror is None or state.get("options", {}).get("cycle_type", "online") != "online":
        return {}
    mirror.observe(state["user_id"], state["message"])
    feedback = mirror.feedback(state["user_id"])
    return {"feedback": feedback, "tone": tone_directive(feedback)}


def tone_directive(feedback: Feedback) -> str | None:
    """Return the responder's tone directive of a feedback (None when not steered)."""
    action = feedback.action
    if action is None:
        return None
    return (
        f"answer in a {action.tone} tone at intensity {action.intensity:.2f} (of 1). "
        f"{action.message}"
    )


def respond(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Let the Student retrieve and answer, with the tool nodes' directives."""
    result = runtime.context.student.chat_turn(
        state["user_id"],
        state["message"],
        directive=state.get("directive"),
        tone=state.get("tone"),
        **state.get("options", {}),
    )
    return {"result": result}


def record_turn(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Hand the micrograph's telemetry of the turn to the assistant's buffer."""
    step = state.get("step")
    if step is not None:
        chosen = step.chosen
        runtime.context.record(
            {
                "pipeline_id": state["result"].pipeline_run_id,
                "episode_id": state.get("options", {}).get("episode_id"),
                "user_id": step.user_id,
                "agent_intent": step.agent_intent,
                "tec": step.tec,
                "similarity": step.similarity,
                "density": step.density,
                "exhausted": step.exhausted,
                "transition_type": chosen.kind if chosen is not None else None,
                "candidates": step.candidates,
                "success": step.success,
                "skipped": step.skipped,
                "latency_ms": step.latency_ms,
            }
        )
    return {}
