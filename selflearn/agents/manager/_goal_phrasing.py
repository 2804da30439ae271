"""Everyday ways of saying a goal, rewritten into the forms the goal parser reads.

Words first (`plain_words`, on the whole sentence): contractions written without the
apostrophe ("dont"), "by half", and adjectives that name a metric and its direction
("faster" is lower latency, "cheaper" lower cost, "more precise" higher precision, "more
accurate / correct" better accuracy). Then each clause (`plain_clause`):

- a comparative first ("fewer / less / lower X", "higher / more X", "better X", after an
  optional "use / get / have") becomes the verb "reduce / increase / improve X";
- a comparative last ("X down", "recall up", "hallucinate less", "spend less", "use the
  context better") moves to the front and is read the same way;
- "make it X", "the answers to be X" drop their subject;
- "stop / avoid / prevent / eliminate / fix / no more X" mean "improve X" (the metric's own
  better direction);
- a complaint ("too many X", "X too often", ", fix that") means "improve X".
"""

from __future__ import annotations

import re

_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bdont\b", "don't"),
    (r"\bdoesnt\b", "doesn't"),
    (r"\bcant\b", "can't"),
    (r"\bwont\b", "won't"),
    (r"\bshouldnt\b", "shouldn't"),
    (r"\byou're\b|\byoure\b", "you are"),
    (r"\b(?:by|in) half\b", "by 50 %"),
    (r"\b(?:faster|quicker|snappier|speedier)\b", "lower latency"),
    (r"\b(?:cheaper|less expensive)\b", "lower cost"),
    (r"\bmore precise\b", "higher precision"),
    (r"\bmore (?:accurate|correct)\b", "better accuracy"),
    (r"\b(?:better|improve(?: the)?) answers\b", "better answer quality"),
    (r"[\"\u201c\u201d]", ""),
    (r"(?<![\w])'(?=i don't know)|(?<=i don't know)'", ""),
)
_MORE = r"higher|more|greater|bigger|increased"
_LESS = r"fewer|less|lower|smaller|reduced|decreased"
_BETTER = r"better|improved"
_VERB = {"more": "increase", "less": "reduce", "better": "improve"}
_HEAD = re.compile(
    rf"^(?:(?:use|get|have|see|want|need|with)\s+)?(?P<adj>{_MORE}|{_LESS}|{_BETTER})\s+"
    r"(?P<body>.+)$"
)
_TAIL = re.compile(rf"^(?P<body>.+?)\s+(?P<adj>{_MORE}|{_LESS}|{_BETTER}|up|down)$")
_SUBJECT = re.compile(
    r"^(?:(?:make|get)\s+(?:it|them|the\s+(?:answers?|responses?|assistant|student|retrieval"
    r"|system|memory))\s+|(?:the\s+)?(?:answers?|responses?|retrieval|assistant|it)\s+(?:to be"
    r"|should be|must be|needs? to be)\s+)"
)
_FIX = re.compile(r"^(?:stop|avoid|prevent|eliminate|fix|tackle|no more)\s+(?:the\s+)?")
_COMPLAINT = re.compile(
    r"^(?:there are\s+)?too\s+(?:many|much)\s+(?P<a>.+?)$|^(?P<b>.+?)\s+too\s+(?:often|much"
    r"|many|high|slow|frequently)$"
)
_FIX_THAT = re.compile(r",?\s+(?:please\s+)?(?:fix|solve|sort out|address)\s+(?:that|it|this)$")
_KEEPING = re.compile(r"^(?:keep|keeping|without|don't|do not|never|only|you|ask|leave|ignore)\b")


def plain_words(text: str) -> str:
    """Return the sentence with contractions, halves and metric adjectives spelled plainly."""
    for pattern, plain in _WORDS:
        text = re.sub(pattern, plain, text)
    return text


def _kind(adjective: str) -> str:
    if re.fullmatch(_MORE + "|up", adjective):
        return _VERB["more"]
    if re.fullmatch(_LESS + "|down", adjective):
        return _VERB["less"]
    return _VERB["better"]


def plain_clause(clause: str) -> str:
    """Return one clause with its everyday goal wording rewritten (or unchanged)."""
    if _KEEPING.match(clause):
        return clause
    clause = _FIX_THAT.sub("", clause)
    complaint = _COMPLAINT.match(clause)
    if complaint:
        clause = "improve " + (complaint.group("a") or complaint.group("b"))
    clause = _SUBJECT.sub("", clause)
    clause = _FIX.sub("improve ", clause)
    head = _HEAD.match(clause)
    if head:
        return f"{_kind(head.group('adj'))} {head.group('body')}"
    tail = _TAIL.match(clause)
    if tail and not re.match(r"^(?:reduce|increase|improve|cut|lower|raise)\b", clause):
        return f"{_kind(tail.group('adj'))} {tail.group('body')}"
    return clause
