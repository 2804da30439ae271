"""A LoCoMo conversation as a scenario of the User Emulator (verbatim delivery)."""

from __future__ import annotations

from selflearn.locomo._models import CATEGORY_NAMES, LocomoConversation, LocomoQA, LocomoTurn
from selflearn.simulator import (
    Fact,
    Persona,
    Probe,
    ProbeKind,
    Scenario,
    ScenarioError,
    Session,
    Split,
    tokens,
)

__all__ = ["locomo_to_scenario"]


def _fact_text(turn: LocomoTurn) -> str:
    if turn.blip_caption:
        return f"{turn.text} [shares an image: {turn.blip_caption}]"
    return turn.text


def _probe(qa: LocomoQA, session_id: str) -> Probe | None:
    probe_id = f"q{qa.index + 1:03d}"
    kind: ProbeKind = CATEGORY_NAMES[qa.category]
    if qa.category == 5:
        forbidden = qa.adversarial_answer or ""
        if not tokens(forbidden):
            return None
        return Probe(
            id=probe_id,
            session=session_id,
            question=qa.question,
            related=list(qa.evidence),
            forbidden=[forbidden],
            unanswerable=True,
            kind=kind,
        )
    if not qa.evidence:
        return None
    return Probe(
        id=probe_id,
        session=session_id,
        question=qa.question,
        expects=list(qa.evidence),
        answer=qa.answer,
        kind=kind,
    )


def locomo_to_scenario(conv: LocomoConversation, *, split: Split = "holdout") -> Scenario:
    """Convert a parsed conversation into a (verbatim-delivery) scenario."""
    sessions = [Session(id=f"session_{s.number}", at=s.date_time) for s in conv.sessions]
    facts = [
        Fact(
            id=turn.dia_id,
            session=f"session_{session.number}",
            text=_fact_text(turn),
            speaker=turn.speaker,
        )
        for session in conv.sessions
        for turn in session.turns
    ]
    last = sessions[-1].id
    probes = [p for qa in conv.qa if (p := _probe(qa, last)) is not None]
    if not probes:
        raise ScenarioError(
            "no question with usable evidence: nothing to probe",
            file=conv.sample_id,
            path="qa",
            hint="Check the file's qa list and evidence ids.",
        )
    return Scenario(
        id=f"locomo-{conv.sample_id}",
        title=f"LoCoMo {conv.sample_id}: {conv.speaker_a} and {conv.speaker_b}",
        description=(
            f"{len(sessions)} sessions and {len(probes)} questions converted from the LoCoMo "
            "benchmark; turns are replayed verbatim with their dia_ids."
        ),
        split=split,
        tags=["locomo"],
        persona=Persona(
            name=conv.speaker_a,
            style="neutral",
            traits=[f"in a long-term conversation with {conv.speaker_b}"],
        ),
        project=f"LoCoMo conversation {conv.sample_id}",
        goal=(
            f"Remember what {conv.speaker_a} and {conv.speaker_b} said across "
            f"{len(sessions)} sessions"
        ),
        delivery="verbatim",
        sessions=sessions,
        facts=facts,
        probes=probes,
    )
