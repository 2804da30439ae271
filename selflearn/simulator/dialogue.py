"""The offline User Emulator core: scenario + seed -> an ordered list of dialogue events.

Agenda-based: in every session each user has an agenda (facts and distractors to reveal,
probes to ask). Seeded choices interleave it with greetings and chit-chat, and place each
probe anywhere after the same-session facts it expects. Utterances go through a
`Paraphraser`; every fact's `value` and every name or number stays verbatim, and a
paraphrase that drops one is replaced by the offline template paraphrase.

`delivery: verbatim` scenarios (recorded conversations such as LoCoMo) are replayed as
written: facts in order with their own turn ids, no generated chit-chat, probes last.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from selflearn.simulator._paraphrase import (
    Paraphraser,
    TemplateParaphraser,
    safe_paraphrase,
    salient_spans,
)
from selflearn.simulator._scenario import Distractor, Fact, Probe, Scenario, User
from selflearn.simulator._seeding import derive_seed, rng_for
from selflearn.simulator._templates import (
    CHITCHAT,
    CLOSINGS,
    FILLER_RATE,
    GREETINGS,
    TURN_GAP_SECONDS,
)

EventKind = Literal["fact", "distractor", "filler", "probe"]
ParaphraseSource = Literal["verbatim", "template", "custom", "fallback"]


class DialogueEvent(BaseModel):
    """One user utterance of a simulated episode, with everything needed to score it."""

    model_config = ConfigDict(frozen=True)

    index: int
    turn_id: str
    kind: EventKind
    session_id: str
    at: datetime
    user_id: str
    speaker: str
    text: str
    fact_ids: tuple[str, ...] = ()
    distractor_ids: tuple[str, ...] = ()
    probe_id: str | None = None
    paraphrase: ParaphraseSource = "verbatim"


_Item = Fact | Distractor | Probe | str  # a str is a chit-chat line, used as written


def _keep(text: str, value: str | None) -> list[str]:
    spans = [value] if value else []
    return spans + [s for s in salient_spans(text) if s not in spans]


def _agenda(
    scenario: Scenario, session_id: str, user: User, rng: random.Random, ordered: bool
) -> list[_Item]:
    facts = [f for f in scenario.facts if f.session == session_id and f.user == user.id]
    distractors = [d for d in scenario.distractors if d.session == session_id and d.user == user.id]
    probes = [p for p in scenario.probes if p.session == session_id and p.user == user.id]
    if ordered:
        return [*facts, *distractors, *probes]
    base: list[Fact | Distractor] = list(facts)
    for distractor in distractors:
        base.insert(rng.randint(0, len(base)), distractor)
    position = {item.id: i for i, item in enumerate(base)}
    anchored: list[tuple[int, int, Probe]] = []
    for order, probe in enumerate(probes):
        earliest = 1 + max((position[f] for f in probe.expects if f in position), default=-1)
        anchored.append((rng.randint(earliest, len(base)), order, probe))
    anchored.sort(key=lambda entry: (entry[0], entry[1]))
    agenda: list[_Item] = []
    pending = iter(anchored)
    upcoming = next(pending, None)
    for slot in range(len(base) + 1):
        while upcoming is not None and upcoming[0] == slot:
            agenda.append(upcoming[2])
            upcoming = next(pending, None)
        if slot < len(base):
            agenda.append(base[slot])
    return agenda


def _chitchat_pool(scenario: Scenario, session_id: str, user: User) -> tuple[list[str], list[str]]:
    own = [
        line.text
        for line in scenario.filler
        if line.session == session_id and line.user in (None, user.id)
    ]
    shared = [
        line.text
        for line in scenario.filler
        if line.session is None and line.user in (None, user.id)
    ]
    return own, shared + list(CHITCHAT[user.persona.style])


def _with_filler(
    agenda: list[_Item], own: list[str], pool: list[str], style: str, rng: random.Random
) -> list[_Item]:
    pool = list(pool)
    items: list[_Item] = []
    if style != "terse" or rng.random() < 0.5:
        items.append(rng.choice(GREETINGS[style]))
    remaining = list(own)
    # Authored lines for this session always appear, each in a random gap.
    gaps: dict[int, list[str]] = {}
    for line in remaining:
        gaps.setdefault(rng.randint(0, len(agenda)), []).append(line)
    for index in range(len(agenda) + 1):
        items.extend(gaps.get(index, []))
        if 0 < index < len(agenda) and pool and rng.random() < FILLER_RATE[style]:
            # Without replacement, so one session does not repeat the same small talk.
            items.append(pool.pop(rng.randrange(len(pool))))
        if index < len(agenda):
            items.append(agenda[index])
    if rng.random() < 0.7:
        items.append(rng.choice(CLOSINGS[style]))
    return items


def _timestamps(
    start: datetime, count: int, limit: datetime | None, style: str, rng: random.Random
) -> list[datetime]:
    low, high = TURN_GAP_SECONDS[style]
    gaps = [0.0] + [rng.uniform(low, high) for _ in range(max(count - 1, 0))]
    total = sum(gaps)
    if limit is not None and total > 0:
        # Never let a long session run into the next one: squeeze its gaps instead.
        budget = max((limit - start).total_seconds() * 0.9, 0.0)
        if total > budget:
            gaps = [g * budget / total for g in gaps]
    times: list[datetime] = []
    offset = 0.0
    for gap in gaps:
        offset += gap
        times.append(start + timedelta(milliseconds=round(offset * 1000)))
    return times


def generate_dialogue(
    scenario: Scenario, seed: int, *, paraphraser: Paraphraser | None = None
) -> list[DialogueEvent]:
    """Return the episode of `scenario` for `seed`: identical for identical inputs."""
    offline = TemplateParaphraser()
    custom = paraphraser is not None and not isinstance(paraphraser, TemplateParaphraser)
    chosen: Paraphraser = paraphraser or offline
    verbatim = scenario.delivery == "verbatim"
    events: list[DialogueEvent] = []
    sessions = scenario.sessions
    for position, session in enumerate(sessions):
        limit = sessions[position + 1].at if position + 1 < len(sessions) else None
        start = session.at
        for user in scenario.participants():
            rng = rng_for(scenario.id, seed, session.id, user.id)
            style = user.persona.style
            agenda = _agenda(scenario, session.id, user, rng, ordered=verbatim)
            own, pool = _chitchat_pool(scenario, session.id, user)
            if not agenda and not own:
                continue
            if verbatim:
                told = [i for i in agenda if not isinstance(i, Probe)]
                items = [*told, *own, *(i for i in agenda if isinstance(i, Probe))]
            else:
                items = _with_filler(agenda, own, pool, style, rng)
            times = _timestamps(start, len(items), limit, style, rng)
            for number, (item, at) in enumerate(zip(items, times, strict=True), start=1):
                turn_id = f"{scenario.id}:{session.id}:{user.id}:{number:03d}"
                text, source = _utterance(item, style, seed, scenario.id, verbatim, chosen, offline)
                if source == "template" and custom:
                    source = "custom"
                speaker = user.persona.name
                fact_ids: tuple[str, ...] = ()
                distractor_ids: tuple[str, ...] = ()
                probe_id = None
                kind: EventKind = "filler"
                if isinstance(item, Fact):
                    kind, fact_ids, speaker = "fact", (item.id,), item.speaker or speaker
                    turn_id = item.id if verbatim else turn_id
                elif isinstance(item, Distractor):
                    kind, distractor_ids = "distractor", (item.id,)
                elif isinstance(item, Probe):
                    kind, probe_id = "probe", item.id
                events.append(
                    DialogueEvent(
                        index=len(events),
                        turn_id=turn_id,
                        kind=kind,
                        session_id=session.id,
                        at=at,
                        user_id=user.id,
                        speaker=speaker,
                        text=text,
                        fact_ids=fact_ids,
                        distractor_ids=distractor_ids,
                        probe_id=probe_id,
                        paraphrase=source,
                    )
                )
            start = times[-1] + timedelta(seconds=1) if times else start
    return events


def _utterance(
    item: _Item,
    style: str,
    seed: int,
    scenario_id: str,
    verbatim: bool,
    paraphraser: Paraphraser,
    offline: Paraphraser,
) -> tuple[str, ParaphraseSource]:
    if isinstance(item, str):
        return item, "verbatim"
    if isinstance(item, Probe):
        text = item.question
        keep = [text] if item.kind == "injection" else _keep(text, None)
    else:
        text = item.text
        keep = _keep(text, item.value)
    if verbatim:
        return text, "verbatim"
    result, fell_back = safe_paraphrase(
        paraphraser,
        offline,
        text,
        keep=keep,
        style=style,
        seed=derive_seed(scenario_id, seed, item.id),
    )
    return result, "fallback" if fell_back else "template"


def provenance_map(events: Iterable[DialogueEvent]) -> dict[str, frozenset[str]]:
    """Map each fact or distractor turn id to the ids it reveals (for `score_probe`)."""
    mapping: dict[str, frozenset[str]] = {}
    for event in events:
        ids = (*event.fact_ids, *event.distractor_ids)
        if ids:
            mapping[event.turn_id] = frozenset(ids)
    return mapping


def probe_events(events: Sequence[DialogueEvent]) -> dict[str, DialogueEvent]:
    """Map each probe id to the event that asks it."""
    return {e.probe_id: e for e in events if e.probe_id is not None}
