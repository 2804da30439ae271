"""The online cycle: every real question a user asks becomes a golden example.

Online turns are the `pipeline_runs` rows with cycle type "online". A turn whose message is
a question (it ends with "?" or opens with a question word) becomes a `golden_examples` row
with source "online": the question, the Student's answer and, when the caller still has the
turn's result (`record_online_turn`), the ids of the memories the answer used. The same
question from the same user (compared in normal form) is one example that counts how often
it was asked. The sweep (`collect_online_examples`) reads the turns after the newest one it
has recorded, with a few minutes of overlap for turns committed late; a turn is never
counted twice.

Idle time (`idle_for`) is the time since the last online turn; cycle runs do not count.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from selflearn.cycles._models import OnlineSweep
from selflearn.maas import TurnResult, is_abstention
from selflearn.simulator import normalize
from selflearn.store.models import GoldenExample, PipelineRun

ONLINE_SOURCE = "online"
#: Turns committed out of order by up to this much are still picked up.
SWEEP_OVERLAP = timedelta(minutes=5)
#: How many pipeline run ids an example keeps (its `asked` counter keeps counting).
KEEP_RUN_IDS = 20

_QUESTION_WORDS = (
    "who|whom|whose|what|when|where|which|why|how|do|does|did|is|are|was|were|am|can|"
    "could|will|would|should|shall|have|has|had|may|might"
)
_QUESTION_WORD = re.compile(rf"^(?:{_QUESTION_WORDS})\b", re.IGNORECASE)

_TURNS = text(
    """
    SELECT r.id, r.user_id, r.query, r.answer, r.created_at, r.parameter_version_id,
           e.memories_found, e.memories_used
    FROM pipeline_runs AS r
    LEFT JOIN telemetry_events AS e ON e.pipeline_id = r.id AND e.stage = 'e2e'
    WHERE r.cycle_type = 'online' AND r.status = 'ok'
      AND r.user_id NOT LIKE 'sim:%'  -- simulated users' turns are no real questions
      AND (CAST(:since AS timestamptz) IS NULL OR r.created_at > :since)
      AND (r.query ~ '\\?\\s*$' OR r.query ~* :question_word)
    ORDER BY r.created_at, r.id
    LIMIT :limit
    """
)


def is_question(message: str) -> bool:
    """Return whether a user message asks something."""
    stripped = message.strip()
    return stripped.endswith("?") or bool(_QUESTION_WORD.match(stripped))


def question_key(question: str) -> str:
    """Return the id under which the same question (in normal form) is one example."""
    digest = hashlib.sha256(normalize(question).encode()).hexdigest()[:24]
    return f"online:{digest}"


def last_activity(*, session: Session) -> datetime | None:
    """Return when the last online turn happened (None when there never was one)."""
    return session.scalar(
        select(func.max(PipelineRun.created_at)).where(PipelineRun.cycle_type == "online")
    )


def idle_for(now: datetime, *, session: Session) -> timedelta | None:
    """Return the time since the last online turn (None when there never was one)."""
    last = last_activity(session=session)
    return None if last is None else max(timedelta(0), now - last)


def _existing(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    if not keys:
        return {}
    users = sorted({user for user, _ in keys})
    probes = sorted({probe for _, probe in keys})
    rows = session.scalars(
        select(GoldenExample).where(
            GoldenExample.source == ONLINE_SOURCE,
            GoldenExample.user_id.in_(users),
            GoldenExample.probe_id.in_(probes),
        )
    )
    return {(row.user_id or "", row.probe_id or ""): row for row in rows}


def _watermark(session: Session) -> datetime | None:
    value = session.scalar(
        select(func.max(GoldenExample.data["last_run_at"].astext)).where(
            GoldenExample.source == ONLINE_SOURCE
        )
    )
    return None if value is None else datetime.fromisoformat(value)


def _add_turn(
    example: GoldenExample,
    *,
    run_id: str,
    answer: str | None,
    at: datetime,
    extra: dict[str, Any],
    used_ids: list[str] | None,
) -> bool:
    data = dict(example.data)
    if used_ids is not None:
        example.expected_evidence = list(dict.fromkeys([*example.expected_evidence, *used_ids]))
        data["used_memory_ids_known"] = True
    runs = list(data.get("pipeline_run_ids", []))
    if run_id in runs:
        example.data = data
        return False
    at = at.astimezone(UTC)
    data["pipeline_run_ids"] = [*runs, run_id][-KEEP_RUN_IDS:]
    data["asked"] = int(data.get("asked", 0)) + 1
    previous = data.get("last_run_at")
    if previous is None or datetime.fromisoformat(previous) <= at:
        # The latest answer is the example's answer; the first question keeps its wording.
        data["last_run_at"] = at.isoformat()
        example.expected_answer = answer
        data.update(extra)
        if answer is not None:
            data["abstained"] = is_abstention(answer)
    example.data = data
    return True


def _new_example(
    user_id: str, key: str, question: str, *, normal: str, at: datetime
) -> GoldenExample:
    return GoldenExample(
        source=ONLINE_SOURCE,
        scenario_id=None,
        probe_id=key,
        user_id=user_id,
        question=question.strip(),
        expected_answer=None,
        expected_evidence=[],
        forbidden=[],
        unanswerable=False,
        data={
            "normal_form": normal,
            "pipeline_run_ids": [],
            "asked": 0,
            "first_asked_at": at.astimezone(UTC).isoformat(),
            "used_memory_ids_known": False,
        },
    )


def collect_online_examples(*, session: Session, limit: int = 10_000) -> OnlineSweep:
    """Turn the online questions asked since the last sweep into golden examples."""
    mark = _watermark(session)
    since = None if mark is None else mark - SWEEP_OVERLAP
    turns = [
        row
        for row in session.execute(
            _TURNS,
            # The filter runs in SQL too, so the limit counts questions: a long run of
            # statements can never hide the questions behind it.
            {"since": since, "limit": limit, "question_word": rf"^\s*({_QUESTION_WORDS})\y"},
        )
        if is_question(row.query)
    ]
    keyed = [(row, question_key(row.query)) for row in turns]
    found = _existing(session, {(row.user_id, key) for row, key in keyed})
    sweep = OnlineSweep()
    for row, key in keyed:
        example = found.get((row.user_id, key))
        fresh = example is None
        if example is None:
            at = row.created_at
            example = _new_example(row.user_id, key, row.query, normal=normalize(row.query), at=at)
            session.add(example)
            found[(row.user_id, key)] = example
        added = _add_turn(
            example,
            run_id=str(row.id),
            answer=row.answer,
            at=row.created_at,
            extra={
                "memories_found": row.memories_found,
                "memories_used": row.memories_used,
                "parameter_version_id": None
                if row.parameter_version_id is None
                else str(row.parameter_version_id),
            },
            used_ids=None,
        )
        if added:
            sweep.turns += 1
            sweep.new += int(fresh)
            sweep.repeated += int(not fresh)
    session.flush()
    return sweep


def record_online_turn(
    result: TurnResult, *, user_id: str, question: str, session: Session, now: datetime
) -> GoldenExample | None:
    """Record one answered online turn as a golden example, with the memories it used.

    For callers that hold the turn's result (the HTTP API, a chat front end): unlike the
    sweep, which reads `pipeline_runs`, it knows which memories the answer drew on.
    Returns None when the message is not a question.
    """
    if not is_question(question):
        return None
    key = question_key(question)
    example = _existing(session, {(user_id, key)}).get((user_id, key))
    if example is None:
        example = _new_example(user_id, key, question, normal=normalize(question), at=now)
        session.add(example)
    _add_turn(
        example,
        run_id=str(result.pipeline_run_id),
        answer=result.answer,
        at=now,
        extra={
            "memories_found": len(result.retrieved),
            "memories_used": len(result.used_memory_ids),
            "parameter_version_id": None
            if result.parameter_version_id is None
            else str(result.parameter_version_id),
        },
        used_ids=[str(memory_id) for memory_id in result.used_memory_ids],
    )
    session.flush()
    return example
