"""The offline goal parser: one sentence of "I want" into a GoalDraft or a GoalAmendment.

A sentence is cut into clauses at ";", ". ", "but", "while", "without" and at ", " or
"and" before keep / leave / don't / never / you / ask / only. Each clause must match one
of these forms, or the whole sentence is refused with the part not understood:

- target:    cut / reduce / lower / decrease / minimise / halve <metric> [below|under|to N]
             [by N % | by N pts];  improve / increase / raise / boost / maximise <metric>
             [to|above N];  get <metric> below|above N;  a first clause "<metric> below N"
- guardrail: without losing|hurting|raising <metric> [more than N];  keep[ing] <metric>
             under|below|above N (a limit);  keep <metric> (non-inferiority);
             <metric> must not drop|rise [by more than N];  <metric> must stay under N
- ignore:    leave <metric> alone;  ignore <metric>;  don't care about <metric>
- factors:   don't touch|change <factor>;  leave|keep <factor> alone|fixed|unchanged;
             only change <factors>;  you may change <factors> (adds them to the experiments);
             you may change <factors> on your own|without asking (the Tuner applies alone);
             ask me before changing <factors> (approval needed);
             change <factor> by at most N at a time (largest step)
- scope:     on|for|in [the] <scope> [scenarios]  (scopes: see `SCOPES`)

"Leave cost alone" means cost is neither a target nor a guardrail: no cost constraint at
all, not even the default one. Numbers follow `selflearn.agents.manager._numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from selflearn.agents.manager._catalog import (
    FACTOR_PATTERN,
    METRIC_PATTERN,
    METRICS,
    find_factors,
    find_metrics,
)
from selflearn.agents.manager._draft import default_margin
from selflearn.agents.manager._goal_phrasing import plain_clause, plain_words
from selflearn.agents.manager._goal_rules import (
    ALL_SCOPES,
    AUTO,
    DONT_LET,
    DOWN,
    FILLER,
    FORBID,
    IGNORE,
    KEEP,
    MANUAL,
    MUST_NOT,
    NOT_WORSE,
    ONLY,
    PREFIX,
    PRIMARY,
    SCOPE,
    SPLIT,
    STEP,
    UNKNOWN_SCOPE,
    UP,
    VERBS,
    WITHOUT,
    YOU_MAY,
)
from selflearn.agents.manager._numbers import (
    CHANGE,
    LEVEL,
    MARGIN,
    Amount,
    ParseProblem,
    change,
    level,
    op_direction,
)


@dataclass
class GoalParse:
    """What a sentence said: a draft (it had a target), an amendment, or the problems."""

    primary: list[dict[str, Any]] = field(default_factory=list)
    guardrails: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    scope: str | None = None
    problems: list[str] = field(default_factory=list)

    def add(self, key: str, values: list[str]) -> None:
        """Add factor or metric names to one amendment field."""
        current = self.changes.setdefault(key, [])
        current += [v for v in values if v not in current]

    @property
    def said_anything(self) -> bool:
        """Return whether any clause was understood."""
        return bool(self.primary or self.guardrails or self.changes)


def normalise(text: str) -> str:
    """Return the sentence in lower case with plain quotes, operators and spacing."""
    text = text.lower().replace("\u2019", "'").replace("\u2264", "<=").replace("\u2265", ">=")
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".!").strip()


def parse_goal(text: str) -> GoalParse:
    """Parse one sentence into targets, guardrails, factor wishes and scope."""
    result = GoalParse()
    sentence = PREFIX.sub("", plain_words(normalise(text)))
    sentence = ALL_SCOPES.sub(" ", sentence)
    found = SCOPE.search(sentence)
    if found:
        result.scope = found.group("scope")
        sentence = (sentence[: found.start()] + " " + sentence[found.end() :]).strip()
    else:
        unknown = UNKNOWN_SCOPE.search(sentence)
        if unknown and not find_metrics(unknown.group(0)):
            result.problems.append(f"I don't know the scope {unknown.group('words')!r}")
    for clause in SPLIT.split(re.sub(r"\s+", " ", sentence)):
        clause = re.sub(r"^(?:and|also|then|please)\s+", "", clause.strip(" ,"))
        clause = plain_clause(clause)
        if clause:
            _clause(clause, result, first=not result.said_anything)
    return result


def _clause(clause: str, result: GoalParse, *, first: bool) -> None:
    try:
        if not _understood(clause, result, first=first):
            result.problems.append(f"I did not understand {clause!r}")
            return
    except ParseProblem as problem:
        result.problems.append(f"in {clause!r}: {problem}")
        return
    unknown = _leftover(clause)
    if unknown:
        result.problems.append(f"I did not understand {' '.join(unknown)!r} in {clause!r}")


def _leftover(clause: str) -> list[str]:
    rest = clause
    for pattern in (LEVEL, CHANGE, MARGIN, STEP, FACTOR_PATTERN, METRIC_PATTERN, VERBS):
        rest = pattern.sub(" ", rest)
    words = (w.strip(".,:%$'") for w in re.findall(r"[\w'.%$-]+", rest))
    return [w for w in words if w and w not in FILLER and not w.endswith("'s")]


def _understood(clause: str, result: GoalParse, *, first: bool) -> bool:
    # "max tokens" names a factor; its "tokens" must not count as the metric too.
    factors, metrics = find_factors(clause), find_metrics(FACTOR_PATTERN.sub(" ", clause))
    step = STEP.search(clause)
    if factors and step and len(factors) == 1 and not ONLY.search(clause):
        amount = Amount.from_match(step)
        result.changes.setdefault("max_step", {})[factors[0]] = amount.value
        return True
    if factors and YOU_MAY.search(clause):
        result.add("auto" if AUTO.search(clause) else "allow", factors)
        return True
    if factors and MANUAL.search(clause):
        result.add("manual", factors)
        return True
    if factors and ONLY.search(clause):
        result.changes["only"] = factors
        return True
    if factors and not metrics and (FORBID.search(clause) or IGNORE.search(clause)):
        result.add("forbid", factors)
        return True
    if metrics and IGNORE.search(clause):
        result.add("ignore", metrics)
        return True
    if not metrics:
        return False
    if DONT_LET.search(clause):
        found = LEVEL.search(clause)
        if found:
            _limit(clause, metrics, found, result, invert=True)
        else:
            _non_inferiority(clause, metrics, result)
        return True
    if WITHOUT.search(clause) or MUST_NOT.search(clause) or NOT_WORSE.search(clause):
        _non_inferiority(clause, metrics, result)
        return True
    primary = PRIMARY.match(clause)
    if primary:
        _primary(primary.group("verb"), primary.group("rest"), metrics, result)
        return True
    bare_level = LEVEL.search(clause)
    if first and bare_level and not KEEP.search(clause):
        _primary("get", clause, metrics, result)
        return True
    if bare_level:
        _limit(clause, metrics, bare_level, result)
        return True
    if KEEP.search(clause):
        _non_inferiority(clause, metrics, result)
        return True
    return False


def _primary(verb: str, rest: str, metrics: list[str], result: GoalParse) -> None:
    found, by = LEVEL.search(rest), CHANGE.search(rest)
    if (found or by) and len(metrics) > 1:
        raise ParseProblem("one number for several metrics; give each metric its own clause")
    if found and by:
        raise ParseProblem("give either a level ('below 3 %') or a change ('by 20 %'), not both")
    for metric in metrics:
        direction = _direction(verb, metric, found.group("op") if found else None)
        target: dict[str, Any] = {"metric": metric, "direction": direction}
        sign = -1 if direction == "decrease" else 1
        if found:
            target["target"] = level(metric, Amount.from_match(found))
        elif by:
            size, relative = change(metric, Amount.from_match(by))
            if not relative:
                raise ParseProblem("a target change needs a percentage ('by 20 %') or a level")
            target["relative_change"] = sign * size
        elif re.match(r"halve\b", verb):
            target["relative_change"] = -0.5
        result.primary.append(target)


def _direction(verb: str, metric: str, op: str | None) -> str:
    better = "increase" if METRICS[metric].higher_is_better else "decrease"
    by_op = {"<=": "decrease", ">=": "increase", None: None}[op_direction(op) if op else None]
    if re.fullmatch(DOWN, verb):
        said = "decrease"
    elif re.fullmatch(UP, verb):
        said = "increase"
    else:
        said = by_op or better
    if by_op and by_op != said:
        raise ParseProblem(f"the verb and the bound disagree on which way {metric} should move")
    if said != better:
        raise ParseProblem(
            f"{metric} is better when {'higher' if better == 'increase' else 'lower'}; "
            f"asking to {said} it would make things worse"
        )
    return said


def _non_inferiority(clause: str, metrics: list[str], result: GoalParse) -> None:
    margin = MARGIN.search(clause)
    for metric in metrics:
        if margin:
            size, relative = change(metric, Amount.from_match(margin))
        else:
            size, relative = default_margin(metric)
        result.guardrails.append(
            {"metric": metric, "kind": "non_inferiority", "margin": size, "relative": relative}
        )


def _limit(
    clause: str,
    metrics: list[str],
    found: re.Match[str],
    result: GoalParse,
    *,
    invert: bool = False,
) -> None:
    if len(metrics) > 1:
        raise ParseProblem("one limit for several metrics; give each metric its own clause")
    metric = metrics[0]
    op = op_direction(found.group("op"))
    if invert and op is not None:  # "don't let it go over N": it must stay at or under N
        op = "<=" if op == ">=" else ">="
    if op is None:
        op = "<=" if not METRICS[metric].higher_is_better else ">="
    value = level(metric, Amount.from_match(found))
    result.guardrails.append({"metric": metric, "kind": "limit", "op": op, "limit": value})
