"""The patterns of the offline intent parser, one per kind of request (see `_intent_parser`)."""

from __future__ import annotations

import re

_I = re.IGNORECASE
_YES = (
    r"yes|y|yep|yeah|yup|yes please|ok|okay|sure|confirm|confirmed|go ahead|go for it|do it"
    r"|proceed|sounds good|sounds right|looks good|looks right|correct|that's right"
    r"|that's correct|right|exactly|absolutely|definitely|of course|please do|agreed|fine"
)
CONFIRM = re.compile(
    rf"^(?:{_YES})(?:[ ,]+(?:{_YES}|please|thanks|thank you|that|it|this))*$",
    _I,
)
_NO = (
    r"no|n|nope|nah|cancel|stop|abort|never ?mind|forget it|not now|don't|do not|no thanks"
    r"|no way|not yet|hold on|wait"
)
CANCEL = re.compile(
    rf"^(?:{_NO})(?:[ ,]+(?:{_NO}|thanks|thank you|that|it|this|do it|do that|please))*$", _I
)
HELP = re.compile(
    r"^(?:help|\?|h|what can you do|what do you understand|how does (?:this|it) work|commands"
    r"|examples|show examples)\??$|^help\b|\bexamples?\b|^what can (?:i|we) (?:say|ask|do)\b"
    r"|^how (?:do|can|should) (?:i|we) (?:use|start|talk|begin)\b|\b(?:i'm|i am) (?:lost|confused"
    r"|stuck)\b|\bwhat are (?:my|the) options\b|^how to use\b",
    _I,
)
_HELLO = (
    r"hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)"
    r"|hi there|hello there|hey there"
)
#: A greeting, and what may follow it without asking for anything else.
GREETING = re.compile(rf"^(?:{_HELLO})\b[\s,!.]*", _I)
GREETING_REST = re.compile(
    r"^(?:(?:there|manager|team|all|again|everyone|friend)\b[\s,!.]*)*"
    r"(?:(?:who|what) are you|how are you|how are you doing|what's up|nice to meet you)?\W*$",
    _I,
)
THANKS = re.compile(
    r"^(?:(?:great|perfect|awesome|nice|good|ok|okay|wonderful|brilliant|excellent|cool)"
    r"[\s,!.]+)*(?:thanks|thank you|thx|ty|cheers|much appreciated|appreciated|thanks again)"
    r"(?:[\s,!.]+(?:a lot|so much|very much|a bunch|again|for (?:that|this|the help)"
    r"|manager))*\W*$",
    _I,
)
_APPROVE = r"approve|accept|ok|okay|go ahead with|green ?light|sign off on"
_REJECT = r"reject|decline|deny|refuse|veto|say no to|turn down"
DECIDE = re.compile(
    r"^(?:(?:please|i|we|ok|okay|yes|so|then|and)\s+)*"
    rf"(?P<verb>{_APPROVE}|{_REJECT})\s+(?:the\s+)?(?:proposal\s*)?"
    r"(?:#|number\s+|no\.?\s*)?(?P<id>\d+)\b\s*(?P<rest>.*)$",
    _I,
)
APPROVE_VERB = re.compile(rf"^(?:{_APPROVE})$", _I)
ROLLBACK = re.compile(
    r"^(?:please\s+)?(?:roll\s*back|revert|undo)\b(?P<rest>.*)$"
    r"|^(?:please\s+)?go back to (?:the\s+)?(?:previous|last|earlier|old|former)\s+version\b"
    r"(?P<rest2>.*)$",
    _I,
)
EXPLAIN = re.compile(
    r"^(?:why|explain|what is|what's|which|tell me about|describe)\b.*?"
    r"(?:\bv(?:ersion)?\s*#?\s*(?P<v>\d+)\b|\b(?:active|current|live)\s+version\b|\bversion\b)",
    _I,
)
PROPOSALS = re.compile(
    r"\bproposals?\b|\bpending\b|\bwaiting for (?:me|my)\b|\banything to approve\b"
    r"|\bneeds? my (?:approval|decision|ok)\b|\banything (?:waiting|for me) to decide\b",
    _I,
)
REPORT = re.compile(
    r"^(?:show\s+|give\s+|send\s+|write\s+)?(?:me\s+)?(?:the\s+|a\s+)?(?:last\s+|latest\s+)?"
    r"(?:campaign\s+)?(?:report|results)\b(?:\s+(?:for|on|of)\s+(?:campaign\s+)?|\s+)?"
    r"(?P<id>[\w.:-]+)?$|\bwhat did you (?:find|learn)\b|\bwhat were the results\b"
    r"|\bhow did (?:the |my |our |that )?(?:last |latest )?(?:campaign|experiments?|run|it) go\b"
    r"|^summari[sz]e (?:the |my |our )?(?:last |latest )?(?:campaign|experiments?|results)\b",
    _I,
)
STATUS = re.compile(
    r"^(?:show\s+)?(?:the\s+|me\s+the\s+)?(?:current\s+)?(?:status|state)\b"
    r"|\bhow (?:are|is) (?:we|it|things|everything) (?:doing|going)\b|\bhow's (?:it|everything"
    r"|things) going\b|\bwhere are we\b|\bwhere do we stand\b|\bprogress\b"
    r"|\bwhat(?:'s| is) (?:active|running|the current goal|going on|happening)\b"
    r"|\b(?:is )?anything running\b|\bwhat are you (?:working on|doing)\b"
    r"|^(?:give me |any )?(?:an )?updates?\b|\bstatus of\b",
    _I,
)
RUN = re.compile(
    r"^(?:please\s+|ok\s+|okay\s+|now\s+|let's\s+|go\s+|so\s+)*"
    r"(?:run|start|launch|begin|kick off|spend|try it out|try|do)\b"
    r"(?=.*\b(?:campaigns?|experiments?|experimenting|episodes?|testing)\b)",
    _I,
)
#: A message made only of campaign settings ("budget 40 episodes, seed 3").
SETTINGS_ONLY = re.compile(r"^(?:budget|seed|\d+\s+episodes?)\b", _I)
BUDGET = re.compile(r"\b(?:budget(?:\s+of)?\s*(?:=|:)?\s*|with\s+(?:a\s+budget\s+of\s+)?)"
                    r"(?P<n>\d+)(?:\s+episodes?)?\b|\b(?P<m>\d+)\s+episodes?\b", _I)  # fmt: skip
SEED = re.compile(r"\bseed\s*(?:=|:|of)?\s*(?P<n>\d+)\b", _I)
SCENARIOS = re.compile(
    r"\b(?:on|using|with)?\s*scenarios?\s*(?:=|:)?\s*(?P<list>[\w./-]+(?:\s*(?:,|and)\s*"
    r"[\w./-]+)*)",
    _I,
)
FILLER = frozenset(
    "run start launch begin kick off a an the new another campaign campaigns experiment "
    "experiments experimenting testing episodes episode with and please now ok okay let's "
    "lets of for it on using some one again this current goal my me us go spend try out do "
    "budget so".split()
)
NOTE = re.compile(
    r"^[\s:,;.-]*(?:with\s+(?:the\s+)?note|note|because|since|as|reason)?[\s:,-]*", _I
)
