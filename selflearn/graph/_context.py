"""What a campaign run depends on, passed to every node through the LangGraph runtime."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine

from selflearn.agents.teacher import episode_judge
from selflearn.maas import StudentClient
from selflearn.providers import OfflineChatModel
from selflearn.simulator import EpisodeJudge, Paraphraser, Scenario
from selflearn.simulator.llm_paraphrase import LLMParaphraser


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
    # The campaign stops designing experiments once its model calls cost this much (USD).
    max_cost_usd: float | None = None
    # Probes the judge scores in each episode (a seeded sample; 0: none).
    judge_per_episode: int = 1
    # Keep each episode's simulated (`sim:`) memories after it is recorded (to inspect them).
    keep_memories: bool = False
    # The emulator's LLM paraphraser (None: offline templates); see `with_models`.
    paraphrase: Paraphraser | None = None

    def with_models(self, llms: Mapping[str, BaseChatModel]) -> CampaignContext:
        """Return this context on `llms`, with the emulator's paraphraser when it has a model."""
        emulator = llms.get("emulator")
        online = emulator is not None and not isinstance(emulator, OfflineChatModel)
        paraphrase = LLMParaphraser(emulator) if online and emulator is not None else None
        return replace(self, llms=llms, paraphrase=paraphrase)

    def role_offline(self, role: str) -> bool:
        """Return whether `role` runs on the offline provider (or has no model)."""
        model = self.llms.get(role)
        return model is None or isinstance(model, OfflineChatModel)

    def judge(self) -> EpisodeJudge | None:
        """Return the judge of a sample of each episode's probes, or None when switched off."""
        if self.judge_per_episode <= 0 or "judge" not in self.llms:
            return None
        return episode_judge(self.llms["judge"], per_episode=self.judge_per_episode)

    def notify(self, event: str, **data: Any) -> None:
        """Tell the caller's progress display what happened (no-op without one)."""
        if self.progress is not None:
            self.progress(event, data)


def role_labels(llms: Mapping[str, BaseChatModel]) -> dict[str, str]:
    """Return each role's provider and model in words ("offline", "openai gpt-4o-mini at URL")."""
    labels = {}
    for role, model in llms.items():
        if isinstance(model, OfflineChatModel):
            labels[role] = "offline"
            continue
        name = getattr(model, "model_name", "?")
        base = getattr(model, "openai_api_base", None)
        labels[role] = f"openai-compatible {name}" + (f" at {base}" if base else "")
    return labels
