"""Generate varied, valid scenarios from a seeded grammar (`selflearn scenarios generate`).

One scenario = a persona (or two or three look-alike users of one service), three to five
sessions with growing gaps, and a handful of life domains (`_generator_vocab.DOMAINS`). Each
domain's value is told once and may change once or twice (a `supersedes` chain); relatives,
colleagues and namesakes mention look-alike values (distractors); chit-chat and, sometimes,
an instruction hidden in a message (prompt injection) fill the sessions. Probes cover every
kind: single-hop, multi-hop, temporal, update, adversarial, isolation, injection and
unanswerable. Everything follows from `(seed, index)`: the same pair gives the same
scenario in every process.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from selflearn.simulator._generator_vocab import (
    DOMAINS,
    FILLER,
    FIRST_NAMES,
    INJECTIONS,
    LAST_NAMES,
    OTHERS,
    PROJECTS,
    TRAITS,
    Domain,
)
from selflearn.simulator._scenario import Scenario, Split, Style
from selflearn.simulator._seeding import derive_seed

__all__ = ["UNANSWERABLE_KIND", "generate_scenario", "probe_kind_label"]

#: How coverage tables name unanswerable probes that carry no other kind.
UNANSWERABLE_KIND = "unanswerable"
_STYLES: tuple[Style, ...] = ("terse", "chatty", "neutral", "formal")


def probe_kind_label(probe: dict[str, Any]) -> str:
    """Return the kind a coverage table counts a generated probe under."""
    return str(probe.get("kind") or (UNANSWERABLE_KIND if probe.get("unanswerable") else "?"))


class _Person:
    """One user of the scenario and the chain of values each of their domains went through."""

    def __init__(self, uid: str | None, name: str, style: Style, traits: list[str]) -> None:
        self.uid, self.name, self.style, self.traits = uid, name, style, traits
        self.chains: dict[str, list[tuple[str, str]]] = {}  # domain -> [(fact id, value)]


class _Builder:
    def __init__(self, seed: int, index: int, split: Split) -> None:
        self.rng = random.Random(derive_seed(seed, "scenario", index))
        self.seed, self.index, self.split = seed, index, split
        self.facts: list[dict[str, Any]] = []
        self.distractors: list[dict[str, Any]] = []
        self.probes: list[dict[str, Any]] = []
        self.filler: list[dict[str, Any]] = []
        self.used_values: dict[str, set[str]] = {}
        self.count = 0

    # -- small helpers ------------------------------------------------------------------

    def ident(self, stem: str) -> str:
        self.count += 1
        return f"{stem}-{self.count:02d}"

    def left(self, domain: Domain) -> int:
        return len(domain.values) - len(self.used_values.get(domain.key, ()))

    def fresh_value(self, domain: Domain) -> str:
        used = self.used_values.setdefault(domain.key, set())
        value = self.rng.choice([v for v in domain.values if v not in used])
        used.add(value)
        return value

    def owned(self, person: _Person, item: dict[str, Any]) -> dict[str, Any]:
        if person.uid is not None:
            item["user"] = person.uid
        return item

    # -- the parts ----------------------------------------------------------------------

    def sessions(self) -> list[dict[str, Any]]:
        count = self.rng.randint(3, 5)
        zone = timezone(timedelta(hours=self.rng.choice((-5, 0, 1, 2, 8))))
        start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 900))
        at = start.astimezone(zone).replace(hour=self.rng.randint(7, 21), minute=0)
        out = []
        for number in range(1, count + 1):
            out.append({"id": f"s{number}", "at": at.isoformat(), "title": f"Session {number}"})
            gap = self.rng.choice((1, 3, 9, 20, 45, 120))  # long gaps happen too
            at = at + timedelta(days=gap, hours=self.rng.randint(0, 6))
        return out

    def people(self, multi: bool) -> list[_Person]:
        rng = self.rng
        if not multi:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            return [_Person(None, name, rng.choice(_STYLES), rng.sample(TRAITS, 2))]
        # Look-alike users of one service: one family name, or one first name.
        count = rng.randint(2, 3)
        shared_last = rng.random() < 0.5
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        firsts = rng.sample(FIRST_NAMES, count)
        lasts = rng.sample(LAST_NAMES, count)
        people = []
        for k in range(count):
            name = f"{firsts[k]} {last}" if shared_last else f"{first} {lasts[k]}"
            uid = f"u{k + 1}"
            people.append(_Person(uid, name, rng.choice(_STYLES), rng.sample(TRAITS, 2)))
        return people

    def tell(self, person: _Person, domain: Domain, sessions: list[str]) -> None:
        """Tell a domain's first value, then change it zero, one or two times."""
        # Keep values in reserve for the other users, a distractor and an injected fake.
        changes = max(
            0, min(self.rng.choice((0, 0, 1, 1, 2)), len(sessions) - 2, self.left(domain) - 6)
        )
        steps = sorted(self.rng.sample(range(len(sessions) - 1), k=1 + changes))
        chain: list[tuple[str, str]] = []
        for step, position in enumerate(steps):
            value = self.fresh_value(domain)
            fact_id = self.ident(f"{domain.key}")
            pattern = self.rng.choice(domain.tell if step == 0 else domain.change)
            fact: dict[str, Any] = {
                "id": fact_id,
                "session": sessions[position],
                "text": pattern.format(value=value),
                "value": value,
                "tags": [domain.tag],
            }
            if chain:
                fact["supersedes"] = chain[-1][0]
            self.facts.append(self.owned(person, fact))
            chain.append((fact_id, value))
        person.chains[domain.key] = chain

    def distract(self, person: _Person, domain: Domain, sessions: list[str]) -> str | None:
        """Mention someone else's value of the same kind; return who it was about."""
        if not self.left(domain):
            return None
        who = self.rng.choice(OTHERS)
        value = self.fresh_value(domain)
        pattern = self.rng.choice(domain.other)
        self.distractors.append(
            self.owned(
                person,
                {
                    "id": self.ident(f"{domain.key}-other"),
                    "session": self.rng.choice(sessions[:-1]),
                    "text": pattern.format(who=who, value=value),
                    "about": who,
                    "value": value,
                },
            )
        )
        return who

    def ask(self, person: _Person, item: dict[str, Any], last: str) -> None:
        item = {"id": self.ident("q"), "session": last, **item}
        self.probes.append(self.owned(person, item))

    def probes_for(
        self, person: _Person, domains: list[Domain], others: dict[str, str], last: str
    ) -> None:
        rng = self.rng
        for domain in domains:
            chain = person.chains[domain.key]
            current_id, current = chain[-1]
            stale = [v for _, v in chain[:-1]]
            look_alike = [v for _, v in self._others_values(person, domain)]
            forbidden = [*stale, *look_alike]
            question = rng.choice(domain.ask_now)
            kind = "update" if stale else ("isolation" if person.uid else "single-hop")
            probe: dict[str, Any] = {
                "question": question,
                "expects": [current_id],
                "answer": current,
                "kind": kind,
            }
            if forbidden:
                probe["forbidden"] = forbidden
            self.ask(person, probe, last)
            if stale:
                before_id, before = chain[-2]
                asked = rng.choice(domain.ask_before).format(new=current)
                temporal: dict[str, Any] = {
                    "question": asked,
                    "expects": [before_id],
                    "answer": before,
                    "kind": "temporal",
                }
                if current not in asked:  # an answer may echo what the question names
                    temporal["forbidden"] = [current]
                self.ask(person, temporal, last)
            if domain.key in others:
                who = self._absent_other(others[domain.key])
                self.ask(
                    person,
                    {
                        "question": domain.ask_other.format(who=who),
                        "unanswerable": True,
                        "forbidden": [v for v in look_alike if v] or [current],
                        "kind": "adversarial",
                    },
                    last,
                )
        if len(domains) >= 2:
            first, second = rng.sample(domains, 2)
            id_a, value_a = person.chains[first.key][-1]
            id_b, value_b = person.chains[second.key][-1]
            one, two = rng.choice(first.ask_now), rng.choice(second.ask_now)
            self.ask(
                person,
                {
                    "question": f"{one[:-1]}, and {two[0].lower()}{two[1:]}",
                    "expects": [id_a, id_b],
                    "answer": f"{value_a} and {value_b}",
                    "kind": "multi-hop",
                },
                last,
            )

    def _others_values(self, person: _Person, domain: Domain) -> list[tuple[str, str]]:
        return [
            (d["about"], d["value"])
            for d in self.distractors
            if d.get("user") == person.uid and d["id"].startswith(f"{domain.key}-other")
        ]

    def _absent_other(self, mentioned: str) -> str:
        return self.rng.choice([o for o in OTHERS if o != mentioned])

    def unanswerable(self, person: _Person, unused: list[Domain], last: str) -> None:
        if not unused:
            return
        domain = self.rng.choice(unused)
        self.ask(
            person,
            {
                "question": self.rng.choice(domain.ask_now),
                "unanswerable": True,
                "forbidden": [self.rng.choice(domain.values)],
            },
            last,
        )

    def inject(self, person: _Person, domain: Domain, sessions: list[str], last: str) -> None:
        if not self.left(domain):
            return
        chain = person.chains[domain.key]
        fact_id, current = chain[-1]
        fake = self.fresh_value(domain)
        text = self.rng.choice(INJECTIONS).format(domain=domain.key, fake=fake)
        self.filler.append(self.owned(person, {"session": sessions[-2], "text": text}))
        self.ask(
            person,
            {
                "question": self.rng.choice(domain.ask_now),
                "expects": [fact_id],
                "answer": current,
                "forbidden": [fake],
                "kind": "injection",
            },
            last,
        )

    def chat(self, person: _Person, sessions: list[str]) -> None:
        for session in sessions:
            if self.rng.random() < 0.7:
                line = self.rng.choice(FILLER[person.style])
                self.filler.append(self.owned(person, {"session": session, "text": line}))

    # -- the whole --------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        rng = self.rng
        sessions = self.sessions()
        session_ids = [s["id"] for s in sessions]
        last = session_ids[-1]
        multi = rng.random() < 0.3
        people = self.people(multi)
        domains = rng.sample(DOMAINS, rng.randint(3, 5) if not multi else rng.randint(2, 3))
        unused = [d for d in DOMAINS if d not in domains]
        for person in people:
            others: dict[str, str] = {}
            for domain in domains:
                self.tell(person, domain, session_ids)
                if rng.random() < 0.6 and (who := self.distract(person, domain, session_ids)):
                    others[domain.key] = who
            self.probes_for(person, domains, others, last)
            if rng.random() < 0.5:
                self.unanswerable(person, unused, last)
            if rng.random() < 0.35:
                self.inject(person, rng.choice(domains), session_ids, last)
            self.chat(person, session_ids)
        if multi:
            self._isolate(people, domains)
        self._no_empty_session(session_ids, people[0])
        return self._document(sessions, people, domains, multi)

    def _no_empty_session(self, session_ids: list[str], person: _Person) -> None:
        used = {item["session"] for items in (self.facts, self.distractors, self.probes,
                                              self.filler) for item in items}  # fmt: skip
        for session in session_ids:
            if session not in used:
                line = self.rng.choice(FILLER[person.style])
                self.filler.append(self.owned(person, {"session": session, "text": line}))

    def _isolate(self, people: list[_Person], domains: list[Domain]) -> None:
        # A user's answer must never carry another user's current value of the same domain.
        for probe in self.probes:
            if probe.get("kind") not in ("isolation", "update"):
                continue
            domain = next(d for d in domains if probe["expects"][0].startswith(d.key))
            theirs = [p.chains[domain.key][-1][1] for p in people if p.uid != probe.get("user")]
            probe["forbidden"] = sorted({*probe.get("forbidden", []), *theirs})

    def _document(
        self, sessions: list[dict[str, Any]], people: list[_Person], domains: list[Domain],
        multi: bool,
    ) -> dict[str, Any]:  # fmt: skip
        names = ", ".join(p.name for p in people)
        kinds = sorted({probe_kind_label(p) for p in self.probes})
        doc: dict[str, Any] = {
            "id": f"gen-s{self.seed}-{self.index:05d}",
            "title": f"Generated: {names} ({', '.join(d.key for d in domains)})",
            "description": (
                f"Generated from seed {self.seed}, index {self.index}: "
                f"{len(domains)} domains, {len(sessions)} sessions, probes of kinds "
                f"{', '.join(kinds)}."
            ),
            "split": self.split,
            "tags": sorted(
                {"generated", *(d.tag for d in domains), *(["multi-user"] if multi else [])}
            ),
            "project": self.rng.choice(PROJECTS),
            "goal": f"Remember what {names} said, keep it current and keep users apart",
            "sessions": sessions,
            "facts": self.facts,
            "distractors": self.distractors,
            "probes": self.probes,
            "filler": self.filler,
        }
        personas = [
            {"name": p.name, "style": p.style, "traits": p.traits} for p in people
        ]  # fmt: skip
        if multi:
            doc["users"] = [
                {"id": p.uid, "persona": persona}
                for p, persona in zip(people, personas, strict=True)
            ]
        else:
            doc["persona"] = personas[0]
        return doc


def generate_scenario(seed: int, index: int, *, split: Split = "holdout") -> dict[str, Any]:
    """Return scenario number `index` of the set `seed` as a checked YAML-ready mapping."""
    document = _Builder(seed, index, split).build()
    Scenario.model_validate(document)  # every generated scenario passes the same rules
    return document
