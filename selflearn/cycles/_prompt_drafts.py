"""Before the hallucination rule's A/B: the Teacher drafts prompts, the Tuner registers them.

Each registered draft joins the A/B as one more arm next to the built-in prompts, so a
prompt nobody wrote by hand can win, and only after the Tuner validated it.
"""

from __future__ import annotations

from dataclasses import replace

from selflearn.agents.teacher import draft_prompts
from selflearn.cycles._context import CycleContext
from selflearn.cycles._models import CycleAction
from selflearn.errors import InvalidInputError
from selflearn.maas import load_prompt
from selflearn.store import session_scope
from selflearn.tuner import PrepareExperiment, Recommendation, register_prompt

PROMPT_PARAM = "responder.system_prompt_version"


def with_generated_prompts(
    ctx: CycleContext, rec: Recommendation
) -> tuple[Recommendation, list[CycleAction]]:
    """Return `rec` with one arm per registered draft, and what was drafted or refused."""
    teacher = ctx.roles.teacher
    if teacher is None or rec.experiment is None:
        return rec, []
    design = rec.experiment.model_dump(mode="json")
    baseline = next(v for v in design["variants"] if v["name"] == "baseline")
    current = str(baseline["params"][PROMPT_PARAM])
    with session_scope(ctx.engine) as session:
        base = load_prompt(session, current).system
    rates = [float(v) for v in rec.evidence.get("values", [])]
    drafts, notes = draft_prompts(teacher, base, rates, n=ctx.options.prompt_drafts)
    actions = [CycleAction(kind="skipped", rule=rec.rule, detail=note) for note in notes]
    registered: list[str] = []
    for draft in drafts:
        try:
            with session_scope(ctx.engine) as session:
                version = register_prompt(
                    draft, session=session, now=ctx.now, parent=current,
                    initiated_by=rec.initiated_by,
                )  # fmt: skip
        except InvalidInputError as error:
            actions.append(
                CycleAction(
                    kind="refused",
                    rule=rec.rule,
                    detail=f"prompt draft {draft.title!r} refused by the Tuner: {error.message}",
                )
            )
            continue
        if version not in registered and version != current:
            registered.append(version)
    if not registered:
        return rec, actions
    actions.append(
        CycleAction(
            kind="experiment",
            rule=rec.rule,
            detail="the Teacher drafted and the Tuner registered prompt version(s) "
            + ", ".join(registered),
        )
    )
    taken = {v["name"] for v in design["variants"]}
    design["variants"] += [
        {"name": v, "params": {PROMPT_PARAM: v}} for v in registered if v not in taken
    ]
    design["hypothesis"] = f"{design.get('hypothesis', '')} (with generated prompts)".strip()
    return replace(rec, experiment=PrepareExperiment.model_validate(design)), actions
