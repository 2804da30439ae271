"""The parameter space: every impact factor with its type, range, default and zone (SPEC §4)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from selflearn.errors import InvalidInputError

Kind = Literal["int", "float", "str"]
Zone = Literal["auto", "manual"]

# Prompt versions the responder knows; `selflearn.maas` registers their texts.
PROMPT_VERSIONS: tuple[str, ...] = ("v1", "v2-grounded", "v3-concise", "v4-current")
#: Names of generated prompt versions ("gen-7-grounded-latest"): the Teacher drafts them,
#: the Tuner validates and registers them in the database (`prompt_versions`) before use.
GENERATED_PROMPT = re.compile(r"^gen-\d+(?:-[a-z0-9]+){0,6}$")
#: The responder's answer behaviours (`responder.*` factors), each value the default first.
ANSWER_STYLES: tuple[str, ...] = ("sentence", "grounded", "concise")
CONFLICT_POLICIES: tuple[str, ...] = ("best_match", "latest")
FACT_SCOPES: tuple[str, ...] = ("anyone", "own")
ABSTAIN_POLICIES: tuple[str, ...] = ("unsupported", "uncertain")
#: The sentence every responder prompt must make the model say when memory does not help.
ABSTENTION_PHRASE = "I don't know based on what you've told me."


@dataclass(frozen=True)
class ParamSpec:
    """One impact factor: what it is, what values it takes and who may change it."""

    name: str
    kind: Kind
    default: Any
    description: str
    zone: Zone = "auto"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    log: bool = False
    # Values outside `choices` that are still well-formed (generated prompt versions);
    # whether one is registered is the Tuner's check, against the database.
    pattern: re.Pattern[str] | None = None

    def validate(self, value: Any) -> Any:
        """Return `value` coerced to this factor's type, or raise naming the broken rule."""
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _invalid(self, value, "an integer")
            if isinstance(value, float) and not value.is_integer():
                raise _invalid(self, value, "an integer")
            value = int(value)
        elif self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _invalid(self, value, "a number")
            value = float(value)
        elif not isinstance(value, str):
            raise _invalid(self, value, "a string")
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            raise InvalidInputError(
                f"{self.name}={value!r} is out of range [{_fmt(self.low)}, {_fmt(self.high)}]",
                hint=f"Choose a value between {_fmt(self.low)} and {_fmt(self.high)}.",
            )
        generated = self.pattern is not None and bool(self.pattern.match(str(value)))
        if self.choices is not None and value not in self.choices and not generated:
            raise InvalidInputError(
                f"{self.name}={value!r} is not one of {', '.join(self.choices)}",
                hint=f"Choose one of: {', '.join(self.choices)}.",
            )
        return value


def _fmt(number: float) -> str:
    return f"{number:g}"


def _invalid(spec: ParamSpec, value: Any, wanted: str) -> InvalidInputError:
    return InvalidInputError(
        f"{spec.name} must be {wanted}, got {value!r} ({type(value).__name__})",
        hint=f"Give {spec.name} {wanted}, e.g. {spec.default!r}.",
    )


SPACE: tuple[ParamSpec, ...] = (
    ParamSpec(
        "retrieval.top_k",
        "int",
        5,
        "memories put into the context; more raises recall and cost, lowers precision",
        low=1,
        high=50,
    ),
    ParamSpec(
        "retrieval.relevance_weight",
        "float",
        0.5,
        "share of the dense (embedding) score against the lexical score in the fused relevance",
        low=0.0,
        high=1.0,
    ),
    ParamSpec(
        "retrieval.recency_weight",
        "float",
        0.1,
        "weight of recency against relevance; "
        "higher favours newer memories over older, better-matching ones",
        low=0.0,
        high=1.0,
    ),
    ParamSpec(
        "retrieval.recency_half_life_days",
        "float",
        30.0,
        "age at which a memory's recency score halves",
        low=0.5,
        high=3650.0,
        log=True,
    ),
    ParamSpec(
        "retrieval.keyword_count",
        "int",
        6,
        "query keywords used for lexical matching; 0 turns lexical search off",
        low=0,
        high=32,
    ),
    ParamSpec(
        "retrieval.min_relevance",
        "float",
        0.0,
        "fused relevance below which a memory is dropped; with none left the responder abstains",
        low=0.0,
        high=1.0,
    ),
    ParamSpec(
        "context.max_tokens",
        "int",
        1500,
        "token budget of the assembled context",
        low=100,
        high=16000,
        log=True,
    ),
    ParamSpec(
        "responder.temperature",
        "float",
        0.2,
        "sampling temperature of the responder model",
        low=0.0,
        high=2.0,
    ),
    ParamSpec(
        "responder.system_prompt_version",
        "str",
        "v1",
        "registered system prompt the responder uses",
        choices=PROMPT_VERSIONS,
        pattern=GENERATED_PROMPT,
    ),
    # How the responder answers, for any responder: an LLM reads each non-default value as
    # an instruction after the prompt, the offline responder follows it as a rule. Unlike
    # the prompt text, these are what an offline campaign can test.
    ParamSpec(
        "responder.answer_style",
        "str",
        "sentence",
        "how an answer reads: the supporting sentence with who said it and when, the same "
        "with citations [n] (grounded), or the shortest phrase (concise)",
        choices=ANSWER_STYLES,
    ),
    ParamSpec(
        "responder.conflict_policy",
        "str",
        "best_match",
        "which of two disagreeing memories answers: the best-matching one, or (latest) the "
        "most recent for a question about now and the oldest for one about how things began",
        choices=CONFLICT_POLICIES,
    ),
    ParamSpec(
        "responder.fact_scope",
        "str",
        "anyone",
        "whose facts may answer: anyone's in the memories, or (own) the user's own unless the "
        "question asks about someone else",
        choices=FACT_SCOPES,
    ),
    ParamSpec(
        "responder.abstain_policy",
        "str",
        "unsupported",
        "when the responder declines: when no memory supports an answer, or (uncertain) also "
        "when the best one states less than half of what the question asks",
        choices=ABSTAIN_POLICIES,
    ),
    ParamSpec(
        "responder.model",
        "str",
        "default",
        "responder model name; 'default' uses the "
        "configured one. Changing it changes cost and behaviour wholesale",
        zone="manual",
    ),
    # The bifurcation micrograph (SPEC §9), a tool node of the assistant's turn. Off by
    # default: on, it adds a topic question to answers, which moves answer-quality figures.
    ParamSpec(
        "micrograph.enabled",
        "str",
        "off",
        "run the bifurcation micrograph: when a topic is exhausted the answer steers to a "
        "new one; raises engagement, adds a topic question to answers",
        choices=("off", "on"),
    ),
    ParamSpec(
        "micrograph.learning",
        "str",
        "on",
        "weigh candidate topics by how similar past jumps went, and learn from each reply; "
        "off picks topics by base score and anti-looping alone",
        choices=("on", "off"),
    ),
    ParamSpec(
        "micrograph.anti_loop_similarity",
        "float",
        0.65,
        "similarity to the exhausted topic above which a candidate counts as the same topic",
        low=0.3,
        high=1.0,
    ),
    ParamSpec(
        "micrograph.anti_loop_factor",
        "float",
        0.1,
        "what a candidate looping back to the topic keeps of its score (1 turns anti-looping off)",
        low=0.0,
        high=1.0,
    ),
    ParamSpec(
        "micrograph.match_distance",
        "float",
        0.15,
        "cosine distance within which a past jump's source and target match a candidate; "
        "wider generalises more, and more wrongly",
        low=0.01,
        high=0.5,
    ),
    ParamSpec(
        "micrograph.boost",
        "float",
        1.5,
        "score multiplier of a candidate whose past jump succeeded (weight > 0.6)",
        low=1.0,
        high=3.0,
    ),
    ParamSpec(
        "micrograph.penalty",
        "float",
        0.5,
        "score multiplier of a candidate whose past jump failed (weight < 0.4)",
        low=0.0,
        high=1.0,
    ),
    ParamSpec(
        "micrograph.ema_rate",
        "float",
        0.3,
        "share of the newest reply in a transition's success weight; higher forgets faster",
        low=0.05,
        high=1.0,
    ),
    ParamSpec(
        "micrograph.exhaustion_tec",
        "float",
        0.3,
        "TEC under which a topic counts as exhausted; higher changes topic sooner",
        low=0.0,
        high=1.0,
    ),
)

REGISTRY: dict[str, ParamSpec] = {spec.name: spec for spec in SPACE}


def get_spec(name: str) -> ParamSpec:
    """Return the spec of a factor, or raise naming the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise InvalidInputError(
            f"unknown parameter {name!r}",
            hint=f"Known parameters: {', '.join(REGISTRY)}.",
        ) from None


def default_params() -> dict[str, Any]:
    """Return every factor at its default value."""
    return {spec.name: spec.default for spec in SPACE}


def validate_params(params: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Return validated, coerced params; unless `partial`, missing factors get defaults."""
    merged = {} if partial else default_params()
    for name, value in params.items():
        merged[name] = get_spec(name).validate(value)
    return merged
