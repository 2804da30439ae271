"""What a campaign run depends on, passed to every node through the LangGraph runtime."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine

from selflearn.maas import StudentClient
from selflearn.simulator import Scenario


@dataclass(frozen=True)
class CampaignContext:
    """Run dependencies: store, Student client, LLM per role, clock, seed and scenarios."""

    engine: Engine
    student: StudentClient
    clock: Callable[[], datetime]
    scenarios: Mapping[str, Scenario]
    llms: Mapping[str, BaseChatModel] = field(default_factory=dict)
    offline: bool = True
    max_looks: int = 4
    progress: Callable[[str, dict[str, Any]], None] | None = None
    # Factors the Student does not read: never experimented on (see `CampaignRunner`).
    ignored_factors: tuple[str, ...] = ()

    def notify(self, event: str, **data: Any) -> None:
        """Tell the caller's progress display what happened (no-op without one)."""
        if self.progress is not None:
            self.progress(event, data)
