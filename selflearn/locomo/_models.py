"""Typed form of one LoCoMo conversation file, plus the count of its known data quirks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from selflearn.simulator import ProbeKind

#: LoCoMo question categories, as its README numbers them, named as probe kinds.
CATEGORY_NAMES: dict[int, ProbeKind] = {
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    4: "single-hop",
    5: "adversarial",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocomoTurn(_Frozen):
    """One message: `dia_id` like "D3:5" (session 3, turn 5)."""

    dia_id: str
    speaker: str
    text: str
    blip_caption: str | None = None
    img_url: list[str] = Field(default_factory=list)
    query: str | None = None


class LocomoSession(_Frozen):
    """One session; the source gives a local time without zone, read here as UTC."""

    number: int
    date_time: datetime
    date_time_text: str
    turns: list[LocomoTurn]


class LocomoQA(_Frozen):
    """One question; `evidence` holds the dia_ids that exist, after quirk repair."""

    index: int
    question: str
    answer: str | None
    adversarial_answer: str | None
    evidence: list[str]
    raw_evidence: list[str]
    category: int

    @property
    def category_name(self) -> ProbeKind:
        """Return the category as a probe kind (multi-hop, temporal, ...)."""
        return CATEGORY_NAMES[self.category]


class LocomoQuirks(_Frozen):
    """How often the file needed tolerance, by kind of quirk.

    split_evidence: evidence entries holding several ids ("D8:6; D9:17"), split.
    repaired_evidence: ids with a stray character that still name one turn ("D:11:26").
    unknown_evidence: ids that name no turn or are not ids at all ("D", "D10:19"), dropped;
    their raw text is in `unknown_evidence_ids`.
    numeric_answers: answers given as numbers (2022), turned into text.
    adversarial_with_answer: category-5 questions that also carry a plain answer.
    qa_without_evidence: answerable questions left with no evidence (not converted).
    dangling_date_times: `session_N_date_time` entries with no `session_N` turns.
    """

    split_evidence: int = 0
    repaired_evidence: int = 0
    unknown_evidence: int = 0
    unknown_evidence_ids: list[str] = Field(default_factory=list)
    numeric_answers: int = 0
    adversarial_with_answer: int = 0
    qa_without_evidence: int = 0
    dangling_date_times: int = 0

    @property
    def evidence_quirks(self) -> int:
        """Return how many evidence entries needed splitting, repair or dropping."""
        return self.split_evidence + self.repaired_evidence + self.unknown_evidence


class LocomoConversation(_Frozen):
    """A parsed LoCoMo conversation: two speakers, dated sessions of turns, and QA."""

    sample_id: str
    speaker_a: str
    speaker_b: str
    sessions: list[LocomoSession]
    qa: list[LocomoQA]
    quirks: LocomoQuirks

    @property
    def turn_ids(self) -> set[str]:
        """Return every dia_id of the conversation."""
        return {turn.dia_id for session in self.sessions for turn in session.turns}
