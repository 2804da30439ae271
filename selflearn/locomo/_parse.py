"""Strict structural parsing of one LoCoMo conversation, tolerant only of its known quirks.

Structure is checked field by field and every failure names the field the way the file
spells it (`session_3[4].dia_id: missing`). Tolerance is limited to evidence ids, which in
the released files are sometimes joined ("D8:6; D9:17"), mistyped ("D:11:26"), or name no
turn at all; those are split, repaired or dropped and counted in `LocomoQuirks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from selflearn.locomo._models import (
    LocomoConversation,
    LocomoQA,
    LocomoQuirks,
    LocomoSession,
    LocomoTurn,
)
from selflearn.simulator import ScenarioError

DATE_FORMAT = "%I:%M %p on %d %B, %Y"
_SESSION = re.compile(r"session_(\d+)")
_DATE_KEY = re.compile(r"session_(\d+)_date_time")
_ANCILLARY = re.compile(r"events_session_\d+|session_\d+_(?:observation|summary)")
_TOP_KEYS = {
    "speaker_a",
    "speaker_b",
    "qa",
    "sample_id",
    "event_summary",
    "observation",
    "session_summary",
}
_TURN_KEYS = {"speaker", "dia_id", "text", "blip_caption", "img_url", "query", "re-download"}
_DIA_ID = re.compile(r"D(\d+):(\d+)")
_LOOSE_DIA_ID = re.compile(r"D\W*(\d+)\W+(\d+)")


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file
        self.counts: dict[str, int] = {}
        self.unknown: list[str] = []

    def fail(self, path: str, problem: str, hint: str | None = None) -> ScenarioError:
        return ScenarioError(
            problem,
            file=self.file,
            path=path,
            hint=hint or "The file does not have the LoCoMo structure described in its README.",
        )

    def bump(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def text(self, data: Mapping[str, Any], key: str, path: str, *, empty: bool = False) -> str:
        if key not in data:
            raise self.fail(f"{path}.{key}" if path else key, "missing")
        value = data[key]
        where = f"{path}.{key}" if path else key
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, found {type(value).__name__}")
        if not empty and not value.strip():
            raise self.fail(where, "empty")
        return value

    # -- conversation ------------------------------------------------------------------

    def conversation(self, data: object, sample_id: str) -> LocomoConversation:
        if not isinstance(data, dict):
            raise self.fail("", f"expected a JSON object, found {type(data).__name__}")
        body: Mapping[str, Any] = data
        if "conversation" in data:  # the upstream layout nests the dialogue one level down
            if not isinstance(data["conversation"], dict):
                raise self.fail("conversation", "expected an object")
            body = data["conversation"]
        for key in (*data, *(body if body is not data else ())):
            if key == "conversation" or key in _TOP_KEYS:
                continue
            if not (
                _SESSION.fullmatch(key) or _DATE_KEY.fullmatch(key) or _ANCILLARY.fullmatch(key)
            ):
                raise self.fail(key, "unexpected field")
        speaker_a = self.text(body, "speaker_a", "")
        speaker_b = self.text(body, "speaker_b", "")
        sample = data.get("sample_id", sample_id)
        sessions = self.sessions(body, {speaker_a, speaker_b})
        turn_ids = {turn.dia_id for session in sessions for turn in session.turns}
        if "qa" not in data:
            raise self.fail("qa", "missing")
        if not isinstance(data["qa"], list):
            raise self.fail("qa", f"expected a list, found {type(data['qa']).__name__}")
        qa = [self.question(item, i, turn_ids) for i, item in enumerate(data["qa"])]
        quirks = LocomoQuirks(unknown_evidence_ids=self.unknown, **self.counts)
        return LocomoConversation(
            sample_id=str(sample),
            speaker_a=speaker_a,
            speaker_b=speaker_b,
            sessions=sessions,
            qa=qa,
            quirks=quirks,
        )

    def sessions(self, body: Mapping[str, Any], speakers: set[str]) -> list[LocomoSession]:
        numbers = sorted(int(m.group(1)) for k in body if (m := _SESSION.fullmatch(k)))
        if not numbers:
            raise self.fail("session_1", "missing: the file has no sessions")
        for expected, number in enumerate(numbers, start=1):
            if number != expected:
                raise self.fail(f"session_{expected}", "missing (sessions must run 1, 2, 3...)")
        dated = {int(m.group(1)) for k in body if (m := _DATE_KEY.fullmatch(k))}
        for _ in dated - set(numbers):
            self.bump("dangling_date_times")
        seen: set[str] = set()
        return [self.session(body, number, speakers, seen) for number in numbers]

    def session(
        self, body: Mapping[str, Any], number: int, speakers: set[str], seen: set[str]
    ) -> LocomoSession:
        key = f"session_{number}"
        raw_date = self.text(body, f"{key}_date_time", "")
        try:
            when = datetime.strptime(raw_date.strip(), DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise self.fail(
                f"{key}_date_time",
                f"cannot read the date '{raw_date}' (expected like '1:56 pm on 8 May, 2023')",
            ) from None
        turns_raw = body[key]
        if not isinstance(turns_raw, list):
            raise self.fail(key, f"expected a list of turns, found {type(turns_raw).__name__}")
        if not turns_raw:
            raise self.fail(key, "empty: a session needs at least one turn")
        turns = [
            self.turn(t, f"{key}[{i}]", number, speakers, seen) for i, t in enumerate(turns_raw)
        ]
        return LocomoSession(number=number, date_time=when, date_time_text=raw_date, turns=turns)

    def turn(
        self, raw: object, path: str, number: int, speakers: set[str], seen: set[str]
    ) -> LocomoTurn:
        if not isinstance(raw, dict):
            raise self.fail(path, f"expected an object, found {type(raw).__name__}")
        for key in raw:
            if key not in _TURN_KEYS:
                raise self.fail(f"{path}.{key}", "unexpected field")
        dia_id = self.text(raw, "dia_id", path).strip()
        match = _DIA_ID.fullmatch(dia_id)
        if match is None:
            raise self.fail(f"{path}.dia_id", f"'{dia_id}' is not like 'D{number}:1'")
        if int(match.group(1)) != number:
            raise self.fail(f"{path}.dia_id", f"'{dia_id}' does not belong to session {number}")
        if dia_id in seen:
            raise self.fail(f"{path}.dia_id", f"duplicate dia_id '{dia_id}'")
        seen.add(dia_id)
        speaker = self.text(raw, "speaker", path)
        if speaker not in speakers:
            raise self.fail(
                f"{path}.speaker", f"'{speaker}' is neither {' nor '.join(sorted(speakers))}"
            )
        caption = self.text(raw, "blip_caption", path) if "blip_caption" in raw else None
        query = self.text(raw, "query", path, empty=True) if "query" in raw else None
        urls = raw.get("img_url", [])
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise self.fail(f"{path}.img_url", "expected a list of URLs")
        return LocomoTurn(
            dia_id=dia_id,
            speaker=speaker,
            text=self.text(raw, "text", path),
            blip_caption=caption,
            img_url=urls,
            query=query,
        )

    # -- questions ---------------------------------------------------------------------

    def answer(self, raw: Mapping[str, Any], key: str, path: str) -> str | None:
        if key not in raw:
            return None
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"{path}.{key}", f"expected text, found {type(value).__name__}")
        if not isinstance(value, str):
            self.bump("numeric_answers")
            value = str(value)
        if not value.strip():
            raise self.fail(f"{path}.{key}", "empty")
        return value

    def question(self, raw: object, index: int, turn_ids: set[str]) -> LocomoQA:
        path = f"qa[{index}]"
        if not isinstance(raw, dict):
            raise self.fail(path, f"expected an object, found {type(raw).__name__}")
        for key in raw:
            if key not in {"question", "answer", "adversarial_answer", "evidence", "category"}:
                raise self.fail(f"{path}.{key}", "unexpected field")
        question = self.text(raw, "question", path)
        category = raw.get("category")
        if isinstance(category, bool) or category not in (1, 2, 3, 4, 5):
            problem = "missing" if category is None else f"expected 1 to 5, found {category!r}"
            raise self.fail(f"{path}.category", problem)
        answer = self.answer(raw, "answer", path)
        adversarial = self.answer(raw, "adversarial_answer", path)
        if category == 5:
            if adversarial is None:
                raise self.fail(f"{path}.adversarial_answer", "missing (category 5)")
            if answer is not None:
                self.bump("adversarial_with_answer")
        elif answer is None:
            raise self.fail(f"{path}.answer", f"missing (category {category})")
        raw_evidence = raw.get("evidence")
        if raw_evidence is None:
            raise self.fail(f"{path}.evidence", "missing")
        if not isinstance(raw_evidence, list):
            raise self.fail(f"{path}.evidence", "expected a list of dia_ids")
        evidence: list[str] = []
        for k, entry in enumerate(raw_evidence):
            if not isinstance(entry, str):
                raise self.fail(f"{path}.evidence[{k}]", "expected a dia_id such as 'D1:3'")
            for dia_id in self.evidence_ids(entry, turn_ids):
                if dia_id not in evidence:
                    evidence.append(dia_id)
        if not evidence and category != 5:
            self.bump("qa_without_evidence")
        return LocomoQA(
            index=index,
            question=question,
            answer=answer,
            adversarial_answer=adversarial,
            evidence=evidence,
            raw_evidence=list(raw_evidence),
            category=category,
        )

    def evidence_ids(self, entry: str, turn_ids: set[str]) -> list[str]:
        pieces = [p.strip() for p in re.split(r"[;,]", entry) if p.strip()]
        if len(pieces) > 1:
            self.bump("split_evidence")
        found: list[str] = []
        for piece in pieces:
            if _DIA_ID.fullmatch(piece) and piece in turn_ids:
                found.append(piece)
                continue
            loose = _LOOSE_DIA_ID.fullmatch(piece)
            repaired = f"D{int(loose.group(1))}:{int(loose.group(2))}" if loose else None
            if repaired is not None and repaired in turn_ids:
                self.bump("repaired_evidence")
                found.append(repaired)
            else:
                self.bump("unknown_evidence")
                self.unknown.append(piece)
        return found


def parse_conversation(data: object, *, file: str, sample_id: str) -> LocomoConversation:
    """Parse decoded LoCoMo JSON; `file` and `sample_id` name it in errors and results."""
    return _Parser(file).conversation(data, sample_id)
