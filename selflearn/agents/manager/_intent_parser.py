"""The offline intent parser: deterministic rules from the owner's words to one intent.

Rules are tried in this order; the first that matches wins (case does not matter):

- hi, hello, hey, good morning [there | manager] [who are you] → greet; a greeting before a
  request ("hi, run a campaign") is dropped and the request read
- thanks, thank you, thx, cheers [a lot] (after "great," / "perfect,") → thank
- yes, ok, sure, go ahead, sounds good, looks right, absolutely ... → confirm
- no, nope, nah, cancel [that], never mind, forget it, not now, wait → cancel
- help, ?, what can you do / can I say, how do I use this, examples, I'm lost → help
- [I | ok | yes] approve|accept|go ahead with [proposal] [#]N [note];
  reject|decline|deny|say no to [proposal] [#]N [because note]
- roll back|rollback|revert|undo [because reason]; go back to the previous version
- why|explain|what is|which|tell me about ... version N / vN / active|live version
- ... proposals / pending / needs my approval / anything to approve → list proposals
- report [for campaign ID] / results / what did you find / how did the campaign go
- status / how are we doing / how's it going / what's running / any update → status
- run|start|launch|kick off|spend|try ... campaign|experiments|episodes [budget N |
  N episodes] [seed N] [on scenarios A, B]; a message of settings alone ("budget 40
  episodes, seed 3") runs a campaign with them; unknown extra words are refused
- anything naming a metric or an impact factor → the goal parser (`_goal_parser`): a
  target makes a new goal, factor/autonomy/guardrail wishes alone adjust the current goal

A message no rule reads is read once more with small typos put right (`_spelling`).
Anything else is not understood: the Manager says so, offers the closest phrasing it does
understand (`closest_phrasing`) and changes nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import ValidationError

from selflearn.agents.manager import _intent_rules as rules
from selflearn.agents.manager._catalog import find_factors, find_metrics, vocabulary
from selflearn.agents.manager._draft import problems_of
from selflearn.agents.manager._goal_parser import normalise, parse_goal
from selflearn.agents.manager._goal_phrasing import plain_words
from selflearn.agents.manager._goal_rules import goal_words
from selflearn.agents.manager._help import (
    CAMPAIGN_EXAMPLES,
    GOAL_EXAMPLES,
    SHORT_EXAMPLES,
    closest_phrasing,
)
from selflearn.agents.manager._intents import (
    AdjustGoal,
    AnyIntent,
    Approve,
    Cancel,
    Confirm,
    ExplainVersion,
    Greet,
    ListProposals,
    NotUnderstood,
    Reject,
    Rollback,
    RunCampaign,
    SetGoal,
    ShowHelp,
    ShowReport,
    ShowStatus,
    Thank,
)
from selflearn.agents.manager._spelling import Speller


def _tidy(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip()


def _note(rest: str) -> str | None:
    note = rules.NOTE.sub("", rest, count=1).strip()
    return note or None


@lru_cache(maxsize=1)
def _speller() -> Speller:
    words: set[str] = set(vocabulary()) | goal_words()
    for pattern in (
        rules.CONFIRM, rules.CANCEL, rules.HELP, rules.GREETING, rules.GREETING_REST,
        rules.THANKS, rules.DECIDE, rules.ROLLBACK, rules.EXPLAIN, rules.PROPOSALS,
        rules.REPORT, rules.STATUS, rules.RUN,
    ):  # fmt: skip
        words.update(re.findall(r"[a-z]+(?:'[a-z]+)?", pattern.pattern.replace("[sz]", "s")))
    words.update(rules.FILLER)
    # Contractions are known with and without their apostrophe ("dont" is read as "don't").
    words.update(w.replace("'", "") for w in list(words))
    return Speller(w for w in words if w.isalpha())


def parse_intent(text: str) -> AnyIntent:
    """Return the intent of one message; `NotUnderstood` (with the closest phrasing the
    Manager understands) when no rule fits safely."""
    said = _tidy(text)
    intent = _parse(said)
    if isinstance(intent, NotUnderstood) and said:
        corrected = _speller().text(said)
        if corrected != said:
            retry = _parse(corrected)
            if not isinstance(retry, NotUnderstood):
                return retry
    if isinstance(intent, NotUnderstood) and not intent.suggestion:
        intent.suggestion = closest_phrasing(said)
    return intent


def _parse(said: str) -> AnyIntent:
    bare = said.rstrip(".!?").strip()
    if not bare:
        return NotUnderstood(reason="the message is empty", examples=list(SHORT_EXAMPLES))
    greeting = rules.GREETING.match(bare)
    if greeting:
        rest = bare[greeting.end() :].strip()
        if rules.GREETING_REST.match(rest):
            return Greet()
        said, bare = rest, rest.rstrip(".!?").strip()
    if rules.THANKS.match(bare):
        return Thank()
    if rules.CONFIRM.match(bare):
        return Confirm()
    if rules.CANCEL.match(bare):
        return Cancel()
    if rules.HELP.search(bare):
        return ShowHelp()
    decide = rules.DECIDE.match(bare)
    if decide:
        approve = bool(rules.APPROVE_VERB.match(decide.group("verb")))
        cls = Approve if approve else Reject
        return cls(proposal_id=int(decide.group("id")), note=_note(decide.group("rest")))
    back = rules.ROLLBACK.match(bare)
    if back:
        rest = back.group("rest") or back.group("rest2") or ""
        return Rollback(reason=_note(rest) or "requested by the owner")
    explain = rules.EXPLAIN.match(bare)
    if explain:
        return ExplainVersion(version=explain.group("v"))
    lowered = plain_words(normalise(bare))
    factors, metrics = find_factors(lowered), find_metrics(lowered)
    if rules.PROPOSALS.search(bare) and not factors:
        return ListProposals()
    report = rules.REPORT.search(bare)
    if report:
        return ShowReport(campaign_id=report.group("id"))
    if rules.STATUS.search(bare) and not (factors or metrics):
        return ShowStatus()
    if rules.RUN.match(bare) or rules.SETTINGS_ONLY.match(bare):
        return _run(bare)
    if metrics or factors:
        return _goal(said)
    return NotUnderstood(reason=f"I did not understand {said!r}", examples=list(SHORT_EXAMPLES))


def _run(text: str) -> AnyIntent:
    rest = text
    budget = seed = None
    scenarios: list[str] | None = None
    if found := rules.SEED.search(rest):
        seed = int(found.group("n"))
        rest = rest.replace(found.group(0), " ")
    if found := rules.SCENARIOS.search(rest):
        scenarios = [s for s in re.split(r"\s*(?:,|\band\b)\s*", found.group("list")) if s]
        rest = rest.replace(found.group(0), " ")
    if found := rules.BUDGET.search(rest):
        budget = int(found.group("n") or found.group("m"))
        rest = rest.replace(found.group(0), " ")
    leftover = [w for w in re.findall(r"[\w'-]+", rest.lower()) if w not in rules.FILLER]
    if leftover:
        return NotUnderstood(
            reason=f"I can run a campaign, but I did not understand {' '.join(leftover)!r}",
            examples=list(CAMPAIGN_EXAMPLES),
            suggestion=closest_phrasing(text, among=CAMPAIGN_EXAMPLES),
        )
    try:
        return RunCampaign(budget=budget, seed=seed, scenarios=scenarios)
    except ValidationError as error:
        return NotUnderstood(
            reason="; ".join(problems_of(error)),
            examples=list(CAMPAIGN_EXAMPLES),
            suggestion=closest_phrasing(text, among=CAMPAIGN_EXAMPLES),
        )


def _goal(text: str) -> AnyIntent:
    parsed = parse_goal(text)
    suggestion = closest_phrasing(text, among=GOAL_EXAMPLES)
    if parsed.problems:
        reason = "; ".join(parsed.problems)
        return NotUnderstood(reason=reason, examples=list(GOAL_EXAMPLES), suggestion=suggestion)
    try:
        if parsed.primary:
            return SetGoal.model_validate(
                {
                    **parsed.changes,
                    "primary": parsed.primary,
                    "guardrails": parsed.guardrails,
                    "scope": parsed.scope,
                }
            )
        if parsed.scope:
            return NotUnderstood(
                reason=f"you named the scope {parsed.scope!r} but no metric to improve",
                examples=list(GOAL_EXAMPLES),
                suggestion=suggestion,
            )
        if parsed.changes or parsed.guardrails:
            return AdjustGoal.model_validate({**parsed.changes, "guardrails": parsed.guardrails})
    except (ValidationError, ValueError) as error:
        return NotUnderstood(
            reason="; ".join(problems_of(error)),
            examples=list(GOAL_EXAMPLES),
            suggestion=suggestion,
        )
    return NotUnderstood(
        reason=f"I did not understand {text!r}", examples=list(GOAL_EXAMPLES), suggestion=suggestion
    )
