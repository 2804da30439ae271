"""Semantic rules of a scenario, checked after the fields themselves are valid.

Timing rule for probes: a probe may expect facts revealed in an earlier session or in its
own session; in its own session the dialogue generator always places the probe after the
facts it expects, so list order inside a session does not matter. A fact may only supersede
a fact revealed before it: in an earlier session, or earlier in the list in the same session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from selflearn.simulator._errors import Loc, RuleIssue
from selflearn.simulator._text import contains_phrase

if TYPE_CHECKING:
    from selflearn.simulator._scenario import Fact, Probe, Scenario

#: Id of the single user of a scenario that declares no `users`.
DEFAULT_USER_ID = "user"


def _listing(ids: Iterable[str], limit: int = 8) -> str:
    items = list(ids)
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


class _Checker:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.issues: list[RuleIssue] = []
        self.session_order: dict[str, int] = {}  # session id -> position in time
        for index, session in enumerate(scenario.sessions):
            self.session_order.setdefault(session.id, index)
        self.facts: dict[str, tuple[int, Fact]] = {}  # fact id -> (index, fact)
        for index, fact in enumerate(scenario.facts):
            self.facts.setdefault(fact.id, (index, fact))
        self.distractor_ids = {d.id for d in scenario.distractors}
        self.probe_ids = {p.id for p in scenario.probes}
        self.user_ids = [u.id for u in scenario.users]
        self.superseded_by: dict[str, Fact] = {}
        for fact in scenario.facts:
            if fact.supersedes is not None:
                self.superseded_by.setdefault(fact.supersedes, fact)

    def add(self, loc: Loc, problem: str, hint: str = "") -> None:
        self.issues.append(RuleIssue(loc, problem, hint))

    def run(self) -> list[RuleIssue]:
        self.check_people()
        self.check_sessions()
        self.check_ids()
        self.check_users_and_sessions_of_items()
        self.check_values()
        self.check_supersedes()
        for index, probe in enumerate(self.s.probes):
            self.check_probe(index, probe)
        return self.issues

    # -- people ------------------------------------------------------------------------

    def check_people(self) -> None:
        if not self.s.users and self.s.persona is None:
            self.add(("persona",), "missing: a scenario needs a persona (or a list of users)")
        if self.s.users and self.s.persona is not None:
            self.add(
                ("persona",),
                "a scenario with `users` gives each user a persona; remove the top-level one",
            )
        seen: set[str] = set()
        for index, user in enumerate(self.s.users):
            if user.id in seen:
                self.add(("users", index, "id"), f"duplicate user id '{user.id}'")
            seen.add(user.id)

    # -- sessions ----------------------------------------------------------------------

    def check_sessions(self) -> None:
        seen: set[str] = set()
        previous = None
        for index, session in enumerate(self.s.sessions):
            if session.id in seen:
                self.add(("sessions", index, "id"), f"duplicate session id '{session.id}'")
            seen.add(session.id)
            if previous is not None and session.at <= previous.at:
                self.add(
                    ("sessions", index, "at"),
                    f"session '{session.id}' starts at {session.at.isoformat()}, not after "
                    f"session '{previous.id}' ({previous.at.isoformat()})",
                    "List sessions in chronological order with distinct start times.",
                )
            previous = session
        used = {f.session for f in self.s.facts} | {d.session for d in self.s.distractors}
        used |= {p.session for p in self.s.probes}
        used |= {line.session for line in self.s.filler if line.session is not None}
        for index, session in enumerate(self.s.sessions):
            if session.id not in used:
                self.add(
                    ("sessions", index),
                    f"session '{session.id}' is empty: no fact, distractor, probe or filler "
                    "line names it",
                    "Remove the session or move something into it.",
                )

    # -- ids ---------------------------------------------------------------------------

    def check_ids(self) -> None:
        first_use: dict[str, str] = {}
        for field in ("facts", "distractors", "probes"):
            for index, item in enumerate(getattr(self.s, field)):
                where = f"{field}.{index}"
                if item.id in first_use:
                    self.add(
                        (field, index, "id"),
                        f"duplicate id '{item.id}' (already used by {first_use[item.id]})",
                        "Ids of facts, distractors and probes share one namespace.",
                    )
                else:
                    first_use[item.id] = where

    def check_users_and_sessions_of_items(self) -> None:
        sessions = list(self.session_order)
        for field in ("facts", "distractors", "probes", "filler"):
            for index, item in enumerate(getattr(self.s, field)):
                session = item.session
                if session is not None and session not in self.session_order:
                    self.add(
                        (field, index, "session"),
                        f"unknown session '{session}'; known: {_listing(sessions)}",
                    )
                self.check_user(field, index, item.user)

    def check_user(self, field: str, index: int, user: str | None) -> None:
        if not self.user_ids:
            if user not in (None, DEFAULT_USER_ID):
                self.add(
                    (field, index, "user"),
                    f"unknown user '{user}': this scenario has one user",
                    "Declare `users` to have several users share the service.",
                )
            return
        if user is None:
            if field != "filler":
                self.add(
                    (field, index, "user"),
                    f"missing: with several users ({_listing(self.user_ids)}) every "
                    f"{field[:-1]} names its user",
                )
        elif user not in self.user_ids:
            self.add(
                (field, index, "user"),
                f"unknown user '{user}'; known: {_listing(self.user_ids)}",
            )

    # -- facts -------------------------------------------------------------------------

    def check_values(self) -> None:
        for field in ("facts", "distractors"):
            for index, item in enumerate(getattr(self.s, field)):
                if item.value is not None and item.value not in item.text:
                    self.add(
                        (field, index, "value"),
                        f"value '{item.value}' does not occur verbatim in the text",
                        "The value is what makes the fact verifiable; copy it from the text.",
                    )

    def when(self, session_id: str) -> int:
        return self.session_order.get(session_id, -1)

    def check_supersedes(self) -> None:
        claimed: dict[str, str] = {}
        for index, fact in enumerate(self.s.facts):
            target = fact.supersedes
            if target is None:
                continue
            loc: Loc = ("facts", index, "supersedes")
            if target == fact.id:
                self.add(loc, "a fact cannot supersede itself")
                continue
            if target not in self.facts:
                self.add(loc, self.unknown_fact(target))
                continue
            old_index, old = self.facts[target]
            if (self.when(old.session), old_index) >= (self.when(fact.session), index):
                self.add(
                    loc,
                    f"supersedes '{target}', which is revealed later (session '{old.session}'); "
                    "a fact can only replace an earlier one",
                )
            if old.user != fact.user:
                self.add(loc, f"supersedes '{target}', a fact of another user ('{old.user}')")
            if target in claimed:
                self.add(loc, f"'{target}' is already superseded by '{claimed[target]}'")
            else:
                claimed[target] = fact.id

    def unknown_fact(self, fact_id: str) -> str:
        if fact_id in self.distractor_ids:
            return f"'{fact_id}' is a distractor, not a fact"
        if fact_id in self.probe_ids:
            return f"'{fact_id}' is a probe, not a fact"
        return f"unknown fact id '{fact_id}'"

    # -- probes ------------------------------------------------------------------------

    def check_probe(self, index: int, probe: Probe) -> None:
        base: Loc = ("probes", index)
        if probe.unanswerable:
            if probe.expects:
                self.add(
                    (*base, "expects"),
                    "an unanswerable probe cannot expect facts",
                    "Use `related` for facts that bear on the question without answering it.",
                )
            if probe.answer is not None:
                self.add(
                    (*base, "answer"),
                    "an unanswerable probe has no answer",
                    "Put answers that must not be given in `forbidden`.",
                )
        else:
            if not probe.expects:
                self.add(
                    (*base, "expects"),
                    "an answerable probe must expect at least one fact",
                    "List the fact ids the answer needs, or set `unanswerable: true`.",
                )
            if probe.answer is None:
                self.add((*base, "answer"), "missing: an answerable probe needs its answer")
        for field in ("expects", "related"):
            seen: set[str] = set()
            for k, fact_id in enumerate(getattr(probe, field)):
                if fact_id in seen:
                    self.add((*base, field, k), f"'{fact_id}' is listed twice")
                seen.add(fact_id)
                self.check_reference(probe, (*base, field, k), fact_id, stale=field == "expects")
        for k, text in enumerate(probe.forbidden):
            if probe.answer is not None and contains_phrase(probe.answer, text):
                self.add(
                    (*base, "forbidden", k),
                    f"forbidden string '{text}' occurs in the expected answer",
                )
        self.check_kind(index, probe)

    def check_reference(self, probe: Probe, loc: Loc, fact_id: str, *, stale: bool) -> None:
        if fact_id not in self.facts:
            self.add(loc, self.unknown_fact(fact_id))
            return
        _, fact = self.facts[fact_id]
        if self.when(fact.session) > self.when(probe.session):
            self.add(
                loc,
                f"fact '{fact_id}' is revealed in session '{fact.session}', after this probe's "
                f"session '{probe.session}'",
                "A probe can only expect facts from its own or an earlier session.",
            )
        if self.user_ids and fact.user != probe.user:
            self.add(
                loc,
                f"fact '{fact_id}' belongs to user '{fact.user}', but user '{probe.user}' asks",
                "Users never see each other's facts; put the other user's value in `forbidden`.",
            )
        newer = self.superseded_by.get(fact_id)
        if (
            stale
            and newer is not None
            and probe.kind != "temporal"
            and newer.id not in probe.expects
            and self.when(newer.session) <= self.when(probe.session)
        ):
            self.add(
                loc,
                f"fact '{fact_id}' is superseded by '{newer.id}' (session '{newer.session}') "
                "before this probe is asked",
                f"Expect '{newer.id}', or mark the probe `kind: temporal` if it asks about "
                "the past.",
            )

    def check_kind(self, index: int, probe: Probe) -> None:
        loc: Loc = ("probes", index, "kind")
        if probe.kind == "isolation" and len(self.user_ids) < 2:
            self.add(loc, "an isolation probe needs a scenario with several users")
        if probe.kind in ("injection", "adversarial") and not probe.forbidden:
            self.add(
                ("probes", index, "forbidden"),
                f"a {probe.kind} probe needs `forbidden` strings that would show it worked",
            )
        if probe.kind == "update" and not any(
            self.facts[f][1].supersedes for f in probe.expects if f in self.facts
        ):
            self.add(loc, "an update probe must expect a fact that supersedes another")


def check_scenario(scenario: Scenario) -> list[RuleIssue]:
    """Return every semantic rule the scenario breaks (empty when it is consistent)."""
    return _Checker(scenario).run()
