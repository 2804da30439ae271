"""What a running cycle carries: its clients, clock, options and the report it fills."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine

from selflearn.cycles._models import CycleOptions, CycleReport
from selflearn.maas import StudentClient
from selflearn.providers import Embedder
from selflearn.simulator import EpisodeJudge, Paraphraser

#: The scenarios shipped with the project (the macro cycle's golden set).
DEFAULT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


class CycleStudent(StudentClient, Protocol):
    """The Student as the cycles use it (`MemoryService` is one)."""

    embedder: Embedder

    def flush(self) -> None: ...


@dataclass(frozen=True)
class CycleRoles:
    """The role models a cycle's episodes use beyond the Student (none: offline templates,
    no judge): the emulator's paraphraser and the judge of a sample of probes."""

    paraphraser: Paraphraser | None = None
    judge: EpisodeJudge | None = None
    judge_offline: bool = True
    # Drafts new prompts when the hallucination rule fires (None: built-in prompts only).
    teacher: BaseChatModel | None = None


@dataclass
class CycleContext:
    """One cycle's dependencies and the report it fills in as it goes."""

    engine: Engine
    student: CycleStudent
    now: datetime
    options: CycleOptions
    scenarios_path: Path
    report: CycleReport
    extra: dict[str, Any] = field(default_factory=dict)
    roles: CycleRoles = field(default_factory=CycleRoles)
