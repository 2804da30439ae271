"""The offline intent parser: deterministic rules from the owner's words to one intent.

Rules are tried in this order; the first that matches wins (case does not matter):

- yes, y, ok, okay, sure, confirm, go ahead, do it, proceed, sounds good → confirm
- no, n, nope, cancel, stop, abort, never mind, forget it, not now → cancel
- help, ?, what can you do, examples → help
- approve|accept [proposal] [#]N [note] ("approve 3", "approve proposal #3: looks good")
- reject|decline [proposal] [#]N [because note] ("reject 4 because recall fell")
- roll back|rollback|revert|undo [because reason] ("roll back because answers got worse")
- why|explain|what is|tell me about ... version N / vN ("why is version 7 active",
  "explain v3"); without a number: the active version ("explain the active version")
- ... proposals / pending / anything to approve → list proposals
- report [for campaign ID] / results / what did you find → report
- status / how are we doing / where are we / progress → status
- run|start|launch|begin [a] campaign|experiments [with budget N | N episodes]
  [seed N] [on scenarios A, B] → run campaign; unknown extra words are refused
- anything naming a metric or an impact factor → the goal parser (`_goal_parser`): a
  target makes a new goal, factor/autonomy/guardrail wishes alone adjust the current goal

Anything else is not understood: the Manager says so, shows examples and changes nothing.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from selflearn.agents.manager._catalog import find_factors, find_metrics
from selflearn.agents.manager._draft import problems_of
from selflearn.agents.manager._goal_parser import normalise, parse_goal
from selflearn.agents.manager._help import CAMPAIGN_EXAMPLES, GOAL_EXAMPLES, SHORT_EXAMPLES
from selflearn.agents.manager._intents import (
    AdjustGoal,
    AnyIntent,
    Approve,
    Cancel,
    Confirm,
    ExplainVersion,
    ListProposals,
    NotUnderstood,
    Reject,
    Rollback,
    RunCampaign,
    SetGoal,
    ShowHelp,
    ShowReport,
    ShowStatus,
)

_I = re.IGNORECASE
CONFIRM = re.compile(
    r"^(?:yes|y|yep|yeah|yup|ok|okay|sure|confirm|confirmed|go ahead|go for it|do it|proceed"
    r"|sounds good|correct|that's right|yes please|please do)(?:[ ,]+(?:please|go ahead|do it"
    r"|thanks|thank you|confirm))*$",
    _I,
)
CANCEL = re.compile(
    r"^(?:no|n|nope|cancel|stop|abort|never ?mind|forget it|not now|don't|do not|no thanks)"
    r"(?:[ ,]+(?:thanks|thank you|cancel))*$",
    _I,
)
HELP = re.compile(
    r"^(?:help|\?|h|what can you do|what do you understand|how does this work|commands"
    r"|examples|show examples)\??$|^help\b",
    _I,
)
DECIDE = re.compile(
    r"^(?:please\s+)?(?P<verb>approve|accept|reject|decline)\s+(?:the\s+)?(?:proposal\s*)?"
    r"(?:#|number\s+|no\.?\s*)?(?P<id>\d+)\b\s*(?P<rest>.*)$",
    _I,
)
ROLLBACK = re.compile(r"^(?:please\s+)?(?:roll\s*back|revert|undo)\b(?P<rest>.*)$", _I)
EXPLAIN = re.compile(
    r"^(?:why|explain|what is|what's|tell me about|describe)\b.*?"
    r"(?:\bv(?:ersion)?\s*#?\s*(?P<v>\d+)\b|\b(?:active|current)\s+version\b|\bversion\b)",
    _I,
)
PROPOSALS = re.compile(
    r"\bproposals?\b|\bpending\b|\bwaiting for (?:me|my)\b|\banything to approve\b", _I
)
REPORT = re.compile(
    r"^(?:show\s+|give\s+|send\s+|write\s+)?(?:me\s+)?(?:the\s+|a\s+)?(?:last\s+|latest\s+)?"
    r"(?:campaign\s+)?(?:report|results)\b(?:\s+(?:for|on|of)\s+(?:campaign\s+)?|\s+)?"
    r"(?P<id>[\w.:-]+)?$|\bwhat did you (?:find|learn)\b",
    _I,
)
STATUS = re.compile(
    r"^(?:show\s+)?(?:the\s+|me\s+the\s+)?(?:status|state)\b|\bhow (?:are|is) (?:we|it|things)"
    r" (?:doing|going)\b|\bwhere are we\b|\bwhere do we stand\b|\bprogress\b"
    r"|\bwhat(?:'s| is) (?:active|running|the current goal)\b",
    _I,
)
RUN = re.compile(
    r"^(?:please\s+|ok\s+|okay\s+|now\s+|let's\s+)*(?:run|start|launch|begin|kick off)\b"
    r"(?=.*\b(?:campaign|experiments?|episodes?)\b)",
    _I,
)
BUDGET = re.compile(r"\b(?:budget(?:\s+of)?\s*(?:=|:)?\s*|with\s+)(?P<n>\d+)(?:\s+episodes?)?\b"
                    r"|\b(?P<m>\d+)\s+episodes?\b", _I)  # fmt: skip
SEED = re.compile(r"\bseed\s*(?:=|:|of)?\s*(?P<n>\d+)\b", _I)
SCENARIOS = re.compile(
    r"\b(?:on|using|with)?\s*scenarios?\s*(?:=|:)?\s*(?P<list>[\w./-]+(?:\s*(?:,|and)\s*"
    r"[\w./-]+)*)",
    _I,
)
FILLER = frozenset(
    "run start launch begin kick off a an the new another campaign campaigns experiment "
    "experiments episodes episode with and please now ok okay let's lets of for it on using "
    "some one again this current goal my me us".split()
)
NOTE = re.compile(
    r"^[\s:,;.-]*(?:with\s+(?:the\s+)?note|note|because|since|as|reason)?[\s:,-]*", _I
)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


def _note(rest: str) -> str | None:
    note = NOTE.sub("", rest, count=1).strip()
    return note or None


def parse_intent(text: str) -> AnyIntent:
    """Return the intent of one message; `NotUnderstood` when no rule fits safely."""
    said = _tidy(text)
    bare = said.rstrip(".!").strip()
    if not bare:
        return NotUnderstood(reason="the message is empty", examples=list(SHORT_EXAMPLES))
    if CONFIRM.match(bare):
        return Confirm()
    if CANCEL.match(bare):
        return Cancel()
    if HELP.search(bare):
        return ShowHelp()
    decide = DECIDE.match(bare)
    if decide:
        cls = Approve if decide.group("verb").lower() in ("approve", "accept") else Reject
        return cls(proposal_id=int(decide.group("id")), note=_note(decide.group("rest")))
    back = ROLLBACK.match(bare)
    if back:
        return Rollback(reason=_note(back.group("rest")) or "requested by the owner")
    explain = EXPLAIN.match(bare)
    if explain:
        return ExplainVersion(version=explain.group("v"))
    if PROPOSALS.search(bare):
        return ListProposals()
    report = REPORT.search(bare)
    if report:
        return ShowReport(campaign_id=report.group("id"))
    if STATUS.search(bare):
        return ShowStatus()
    if RUN.match(bare):
        return _run(bare)
    if find_metrics(normalise(bare)) or find_factors(normalise(bare)):
        return _goal(said)
    return NotUnderstood(reason=f"I did not understand {said!r}", examples=list(SHORT_EXAMPLES))


def _run(text: str) -> AnyIntent:
    rest = text
    budget = seed = None
    scenarios: list[str] | None = None
    if found := SEED.search(rest):
        seed = int(found.group("n"))
        rest = rest.replace(found.group(0), " ")
    if found := SCENARIOS.search(rest):
        scenarios = [s for s in re.split(r"\s*(?:,|\band\b)\s*", found.group("list")) if s]
        rest = rest.replace(found.group(0), " ")
    if found := BUDGET.search(rest):
        budget = int(found.group("n") or found.group("m"))
        rest = rest.replace(found.group(0), " ")
    leftover = [w for w in re.findall(r"[\w'-]+", rest.lower()) if w not in FILLER]
    if leftover:
        return NotUnderstood(
            reason=f"I can run a campaign, but I did not understand {' '.join(leftover)!r}",
            examples=list(CAMPAIGN_EXAMPLES),
        )
    try:
        return RunCampaign(budget=budget, seed=seed, scenarios=scenarios)
    except ValidationError as error:
        return NotUnderstood(reason="; ".join(problems_of(error)), examples=list(CAMPAIGN_EXAMPLES))


def _goal(text: str) -> AnyIntent:
    parsed = parse_goal(text)
    if parsed.problems:
        reason = "; ".join(parsed.problems)
        return NotUnderstood(reason=reason, examples=list(GOAL_EXAMPLES))
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
            )
        if parsed.changes or parsed.guardrails:
            return AdjustGoal.model_validate({**parsed.changes, "guardrails": parsed.guardrails})
    except (ValidationError, ValueError) as error:
        return NotUnderstood(reason="; ".join(problems_of(error)), examples=list(GOAL_EXAMPLES))
    return NotUnderstood(reason=f"I did not understand {text!r}", examples=list(GOAL_EXAMPLES))
