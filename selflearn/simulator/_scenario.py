"""The scenario model: who talks, when, what they reveal and what they are later asked."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from selflearn.simulator._errors import SemanticError
from selflearn.simulator._rules import DEFAULT_USER_ID, check_scenario

Style = Literal["terse", "chatty", "neutral", "formal"]
Split = Literal["train", "holdout"]
Delivery = Literal["paraphrase", "verbatim"]
ProbeKind = Literal[
    "single-hop",
    "multi-hop",
    "temporal",
    "update",
    "adversarial",
    "isolation",
    "injection",
    "open-domain",
]

Ident = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^\S+$")
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Persona(_Model):
    """How a simulated user talks: a name, a style and a few traits."""

    name: Text
    style: Style = "neutral"
    traits: list[Text] = Field(default_factory=list)


class User(_Model):
    """One of several users sharing one memory service."""

    id: Ident
    persona: Persona


class Session(_Model):
    """A conversation that starts at a timezone-aware instant."""

    id: Ident
    at: AwareDatetime
    title: str = ""


class Fact(_Model):
    """Something a user reveals; `value` is the verifiable key string, verbatim in `text`."""

    id: Ident
    session: Ident
    text: Text
    tags: list[Text] = Field(default_factory=list)
    supersedes: Ident | None = None
    value: Text | None = None
    user: Ident | None = None
    speaker: Text | None = None


class Distractor(_Model):
    """A similar fact about someone or something else; it must never answer a probe."""

    id: Ident
    session: Ident
    text: Text
    about: Text
    value: Text
    user: Ident | None = None


class Probe(_Model):
    """A question whose answer needs memory (or, if `unanswerable`, an honest abstention).

    `expects` lists the facts needed for the answer; `related` lists facts that bear on the
    question without being needed (for an adversarial probe: the turns that refute it).
    """

    id: Ident
    session: Ident
    question: Text
    expects: list[Ident] = Field(default_factory=list)
    related: list[Ident] = Field(default_factory=list)
    answer: Text | None = None
    forbidden: list[Text] = Field(default_factory=list)
    unanswerable: bool = False
    kind: ProbeKind | None = None
    user: Ident | None = None


class FillerLine(_Model):
    """Chit-chat with no memory value; without `session` it may appear in any session."""

    text: Text
    session: Ident | None = None
    user: Ident | None = None


class Scenario(_Model):
    """One scenario file: the golden data a campaign replays and scores against.

    Semantic rules (ids, time order, supersession, users) run after the field checks; see
    `selflearn.simulator._rules` and scenarios/README.md.
    """

    id: Ident
    title: Text
    description: str = ""
    split: Split = "train"
    tags: list[Text] = Field(default_factory=list)
    persona: Persona | None = None
    users: list[User] = Field(default_factory=list)
    project: Text
    goal: Text
    delivery: Delivery = "paraphrase"
    sessions: list[Session] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)
    distractors: list[Distractor] = Field(default_factory=list)
    probes: list[Probe] = Field(min_length=1)
    filler: list[FillerLine] = Field(default_factory=list)

    @field_validator("filler", mode="before")
    @classmethod
    def _plain_filler_lines(cls, value: object) -> object:
        # A bare string is the common case, so accept it as shorthand for {text: ...}.
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _check_semantics(self) -> Scenario:
        issues = check_scenario(self)
        if issues:
            raise SemanticError(issues)
        if not self.users:
            # One user: fill the implicit id in so downstream code never meets None.
            items: list[Fact | Distractor | Probe | FillerLine] = [
                *self.facts,
                *self.distractors,
                *self.probes,
                *self.filler,
            ]
            for item in items:
                if item.user is None:
                    item.user = DEFAULT_USER_ID
        return self

    # -- lookups -------------------------------------------------------------------------

    def participants(self) -> list[User]:
        """Return the users of the scenario (the implicit single user if none are declared)."""
        if self.users:
            return list(self.users)
        assert self.persona is not None  # guaranteed by the rules
        return [User(id=DEFAULT_USER_ID, persona=self.persona)]

    def session(self, session_id: str) -> Session:
        """Return the session with that id (KeyError if unknown)."""
        for item in self.sessions:
            if item.id == session_id:
                return item
        raise KeyError(session_id)

    def fact(self, fact_id: str) -> Fact:
        """Return the fact with that id (KeyError if unknown)."""
        for item in self.facts:
            if item.id == fact_id:
                return item
        raise KeyError(fact_id)
