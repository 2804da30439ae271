"""The state of one assistant turn and the dependencies it runs on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from typing_extensions import TypedDict

from selflearn.learners.micrograph import Micrograph, MicrographConfig, MicrographStep
from selflearn.learners.mirror import Feedback, MirrorHub
from selflearn.maas import MemoryService, TurnResult


class TurnState(TypedDict, total=False):
    """What flows through one turn: the request, the tool nodes' output, the answer."""

    user_id: str
    message: str
    #: The Student's `chat_turn` keyword arguments, passed through unchanged.
    options: dict[str, Any]
    intent: str | None
    config: MicrographConfig
    opted_out: bool
    step: MicrographStep | None
    directive: str | None
    #: The mirror hub's answer to the turn and the responder's tone directive from it.
    feedback: Feedback | None
    tone: str | None
    result: TurnResult


@dataclass(frozen=True)
class TurnContext:
    """The run dependencies of the turn graph (never module globals).

    `record` takes the micrograph's telemetry row of a turn (the assistant buffers them);
    `config_cache` keeps the micrograph settings of immutable parameter versions; `mirror`
    is the deployment's mirror loop (None: the hub's tool node does nothing).
    """

    engine: Engine
    student: MemoryService
    micrograph: Micrograph
    record: Callable[[dict[str, Any]], None]
    config_cache: dict[tuple[str, ...], MicrographConfig] = field(default_factory=dict)
    mirror: MirrorHub | None = None

    def cache_key(self, options: dict[str, Any]) -> tuple[str, ...] | None:
        """Return the cache key of a request whose parameters cannot change, else None."""
        version = options.get("version_id")
        if isinstance(version, uuid.UUID | str) and version:
            return ("version", str(version))
        experiment, variant = options.get("experiment_id"), options.get("variant")
        if experiment is not None and variant is not None:
            return ("experiment", str(experiment), str(variant))
        return None
