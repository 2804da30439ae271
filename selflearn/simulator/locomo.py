"""LoCoMo conversations: strict loading, and conversion into the scenario model.

Conversion keeps LoCoMo's own ids: every turn becomes a fact whose id is its `dia_id` (and,
with `delivery: verbatim`, the turn id of the replayed message), so evidence ids score
retrieval directly. QA become probes asked after the last session: categories 1-4 expect
their evidence; category 5 (adversarial) is `unanswerable`, forbids the adversarial answer
and lists its evidence as `related`. Questions left with no evidence are skipped (counted
in `quirks.qa_without_evidence`). Session times carry no zone in the source; UTC is used.

Quirks of the five released files used here (all handled, all counted in `quirks`):
conv-26 has one joined evidence entry ("D8:6; D9:17"), two open-domain questions with no
evidence, six numeric answers, two adversarial questions that also carry an answer, and 16
`session_N_date_time` entries (sessions 20-35) with no turns; conv-42 cites "D10:19" (session
10 ends at D10:16) and a bare "D"; conv-43 cites "D:11:26" (read as D11:26).
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

from selflearn.simulator._errors import ScenarioError
from selflearn.simulator._locomo_models import (
    CATEGORY_NAMES,
    LocomoConversation,
    LocomoQA,
    LocomoQuirks,
    LocomoSession,
    LocomoTurn,
)
from selflearn.simulator._locomo_parse import parse_conversation
from selflearn.simulator._scenario import (
    Fact,
    Persona,
    Probe,
    ProbeKind,
    Scenario,
    Session,
    Split,
)
from selflearn.simulator._text import tokens

__all__ = [
    "CATEGORY_NAMES",
    "LocomoConversation",
    "LocomoQA",
    "LocomoQuirks",
    "LocomoSession",
    "LocomoTurn",
    "load_locomo",
    "load_locomo_dir",
    "locomo_to_scenario",
    "parse_locomo",
]


def parse_locomo(
    text: str | bytes, *, file: str | PathLike[str] = "<locomo>", sample_id: str | None = None
) -> LocomoConversation:
    """Parse the text of one LoCoMo file; bytes must be UTF-8."""
    name = str(file)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                f"not UTF-8 text (bad byte at offset {exc.start})",
                file=name,
                hint="LoCoMo files are UTF-8 JSON; re-download or re-encode the file.",
            ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            file=name,
            line=exc.lineno,
            hint="The file is not valid JSON; re-download it.",
        ) from exc
    return parse_conversation(data, file=name, sample_id=sample_id or Path(name).stem)


def load_locomo(path: str | PathLike[str]) -> LocomoConversation:
    """Read and parse one LoCoMo conversation file (its stem is the default sample id)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the file: {exc.strerror or exc}", file=file, hint="Check the path."
        ) from exc
    return parse_locomo(raw, file=file, sample_id=file.stem)


def load_locomo_dir(directory: str | PathLike[str]) -> list[LocomoConversation]:
    """Parse every *.json conversation of a directory, in name order."""
    return [load_locomo(p) for p in sorted(Path(directory).glob("*.json"))]


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
