"""The patterns of the offline goal parser: verbs, clause splits and clause forms."""

from __future__ import annotations

import re

from selflearn.agents.manager._catalog import SCOPE_PATTERN
from selflearn.agents.manager._numbers import NUMBER

DOWN = r"cut|reduce|lower|decrease|minimi[sz]e|shrink|halve|trim|bring down|push down"
UP = r"increase|raise|boost|maximi[sz]e|grow|lift|push up|bring up"
BETTER = r"improve|optimi[sz]e|better"
GET = r"get|bring|push|make(?! sure)"
PREFIX = re.compile(
    r"^(?:(?:please|ok|okay|so|now|also|and)\s+|(?:change|set|update|replace)\s+(?:the\s+|my\s+)?"
    r"goal(?:\s+to)?\s*:?\s*|new goal\s*:?\s*|(?:my\s+|the\s+)?goal(?:\s+is)?(?:\s+to)?\s*:\s*"
    r"|(?:i|we)(?:\s+(?:want|would like|need|wish)|'d like|'d love)\s+(?:you\s+)?(?:to\s+)?"
    r"|let's\s+|we should\s+|try to\s+|please\s+"
    r"|can you\s+|could you\s+)+"
)
_STARTERS = (
    r"keep|keeping|leave|leaving|don't|do not|never|you|ask|without|only|make sure|ignore|forget"
)
SPLIT = re.compile(
    r"\s*;\s*|\.\s+|\s*,?\s+(?:but|while|whereas|although)\s+"
    rf"|\s*,\s*(?:and\s+)?(?=(?:{_STARTERS}|with)\b)|\s+(?=without\b)"
    rf"|\s+and\s+(?=(?:{_STARTERS})\b)|\s*,?\s+and\s+(?=(?:{DOWN}|{UP}|{BETTER})\b)"
)
SCOPE_WORDS = r"scenarios?|conversations?|dialogues?|questions?|memory|memories"
SCOPE = re.compile(
    rf"\b(?:on|for|in|across|within)\s+(?:the\s+|my\s+|our\s+)?(?P<scope>{SCOPE_PATTERN.pattern})"
    rf"(?:\s+(?:{SCOPE_WORDS}))?\b"
)
ALL_SCOPES = re.compile(r"\b(?:on|for|in|across)\s+(?:all|every)\s+(?:the\s+)?scenarios?\b")
UNKNOWN_SCOPE = re.compile(
    rf"\b(?:on|for|in|across)\s+(?:the\s+|my\s+|our\s+)?(?P<words>[a-z-]+(?:\s+[a-z-]+){{0,2}}?)"
    rf"\s+(?:{SCOPE_WORDS})\b"
)
FORBID = re.compile(
    r"\b(?:don't|do not|never|must not|mustn't|should not|shouldn't)\s+"
    r"(?:touch|change|modify|tune|alter|adjust|mess with)\b|\bhands off\b|\bno changes? to\b"
    r"|^(?:leave|leaving|keep|keeping)\b.*\b(?:alone|fixed|unchanged|as it is|as is|the same)$"
)
AUTO = re.compile(
    r"\b(?:on your own|by yourself|yourself|alone|without asking|automatically|freely)\b"
)
YOU_MAY = re.compile(
    r"^(?:you\s+(?:may|can|are allowed to|are free to)|feel free to|it's (?:ok|okay|fine) to"
    r"|go ahead and)\s+(?!not\b)(?:also\s+)?"
)
MANUAL = re.compile(
    r"^(?:ask|check with|confirm with|talk to)\s+(?:me\s+)?(?:first\s+)?before\b"
    r"|\b(?:needs?|requires?)\s+my\s+(?:approval|ok)\b"
    r"|\bonly with my (?:approval|ok)\b"
)
STEP = re.compile(rf"\b(?:by at most|in steps of at most|at most)\s+{NUMBER}")
ONLY = re.compile(r"^only\s+(?:change|tune|touch|vary|use|try)\b")
IGNORE = re.compile(
    r"^(?:leave|leaving)\b.*\balone$|^ignore\b|\b(?:don't|do not)\s+(?:care|worry)\s+about\b"
    r"|\b(?:doesn't|does not|don't|do not)\s+matter\b|^no\s+(?:limit|constraint)s?\s+on\b"
    r"|^forget about\b"
)
WITHOUT = re.compile(r"^without\b")
#: "don't let latency go over 100 ms": a limit on the other side of the bound named.
DONT_LET = re.compile(r"^(?:don't|do not|never)\s+let\b")
#: "don't hurt answer quality": a guardrail, not a factor wish.
NOT_WORSE = re.compile(
    r"^(?:don't|do not|never)\s+(?:hurt|harm|lose|sacrifice|worsen|degrade|compromise|affect"
    r"|reduce|lower|raise|increase|drop)\b"
)
MUST_NOT = re.compile(r"\b(?:must|should|may|can)\s+not\b|\b(?:mustn't|shouldn't|can't|cannot)\b")
PRIMARY = re.compile(rf"^(?P<verb>{DOWN}|{UP}|{BETTER}|{GET})\b(?P<rest>.*)$")
KEEP = re.compile(r"^(?:keep|keeping|hold|holding|with|stay|staying|make sure)\b")
# Words a clause may hold besides its metrics, factors and numbers; any other word is
# reported back instead of being ignored.
FILLER = frozenset(
    """a about above again alone allowed also an and answer answers any approval are as ask
    asking at automatically before below bit by can can't cannot care change changes changing
    constraint constraints decrease degrade do does doesn't don't down drop dropping even fall
    first fixed for forget free freely further get go grow harming hands hold holding hurting
    in increase increasing is it its keep keeping least leave leaving less level limit little
    losing lot lowering matter matters may me more most much must mustn't my need needs never
    no not of off ok on one only or our over own per please possible raising reducing requires
    rise same sacrificing should shouldn't some stable stay staying stays steady step steps
    sure than that the their this time to too touch touching try tune tuning under unchanged
    up use vary where while with without worse worsening worry you your yourself
    affecting compromising degrading modify alter adjust mess overall ignore so now make
    i we let responses response replies retrieval says say low high reasonable check control
    them very feel confirm talk hurt harm lose sacrifice worsen degrade compromise affect
    reduce lower raise""".split()
)
VERBS = re.compile(rf"\b(?:{DOWN}|{UP}|{BETTER}|{GET})\b")


def goal_words() -> set[str]:
    """Return every word the goal parser reads (for the typo corrector)."""
    words = set(FILLER)
    for pattern in (PREFIX, SPLIT, FORBID, AUTO, YOU_MAY, MANUAL, IGNORE, PRIMARY, KEEP, NOT_WORSE):
        words.update(re.findall(r"[a-z]+(?:'[a-z]+)?", pattern.pattern.replace("[sz]", "s")))
    return words
