"""`Components`: everything a command, the web app or the Studio runs on, built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from selflearn.agents.teacher import episode_judge
from selflearn.assistant import Assistant
from selflearn.bootstrap._offline import offline_handlers
from selflearn.cycles import CycleRoles
from selflearn.learners import MICROGRAPH_FACTORS, Micrograph
from selflearn.maas import OFFLINE_IGNORED_FACTORS, MemoryService, ResponderModel, RetrievalConfig
from selflearn.providers import ChatModels, Embedder, get_embedder
from selflearn.settings import Settings, get_settings
from selflearn.simulator.llm_paraphrase import LLMParaphraser
from selflearn.store import Database, open_database

if TYPE_CHECKING:
    from selflearn.graph import CampaignRunner, GraphTools

Clock = Callable[[], datetime]
Progress = Callable[[str, dict[str, Any]], None]


def wall_clock() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Components:
    """The built dependencies of one process, and the builders of what runs on them."""

    settings: Settings
    database: Database
    embedder: Embedder
    models: ChatModels
    clock: Clock = wall_clock

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Components:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.database.close()

    # -- the Student --------------------------------------------------------------------

    @property
    def responder(self) -> ResponderModel:
        """Return the responder's model at a given temperature."""
        models = self.models

        def at(temperature: float) -> BaseChatModel:
            return models("responder", temperature=temperature)

        return at

    def student(
        self,
        *,
        telemetry_flush_every: int = 1,
        archive_turns: bool = True,
        retrieval: RetrievalConfig | None = None,
        clock: Clock | None = None,
    ) -> MemoryService:
        """Return a Student (the in-process memory service) on these components."""
        return MemoryService(
            self.database,
            embedder=self.embedder,
            responder=self.responder,
            clock=clock or self.clock,
            retrieval=retrieval,
            telemetry_flush_every=telemetry_flush_every,
            archive_turns=archive_turns,
        )

    def assistant(
        self, student: MemoryService | None = None, *, clock: Clock | None = None
    ) -> Assistant:
        """Return the assistant's turn graph (the Student with its tool nodes) as a client."""
        student = student or self.student()
        micrograph = Micrograph(
            self.database.engine, embedder=self.embedder, clock=clock or self.clock
        )
        return Assistant(student, micrograph, flush_every=student.telemetry.flush_every)

    @property
    def ignored_factors(self) -> tuple[str, ...]:
        """Return the factors a campaign cannot measure on these components.

        The offline responder's (it does not read them) and the micrograph's: the User
        Emulator replays a script (an LLM only rewords it) that does not react to the
        assistant, so an engagement difference would be decided by construction.
        """
        ignored = OFFLINE_IGNORED_FACTORS if self.models.is_offline("responder") else ()
        return (*ignored, *MICROGRAPH_FACTORS)

    # -- roles and orchestration --------------------------------------------------------

    def manager_llm(self) -> BaseChatModel | None:
        """Return the Manager's chat model when one is configured, None for the parser."""
        return None if self.models.is_offline("manager") else self.models("manager")

    def campaign_runner(
        self,
        *,
        progress: Progress | None = None,
        student: MemoryService | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> CampaignRunner:
        """Return a campaign runner that plays episodes through the assistant's turn graph
        (`student`: the in-process Student to wrap; default one with telemetry batched).

        `should_stop` is asked after each step; True stops the campaign as `interrupted`.
        """
        # Imported here: the graph and the roles are heavy, and most commands need neither.
        from selflearn.graph import CampaignRunner

        return CampaignRunner(
            self.database,
            self.assistant(student or self.student(telemetry_flush_every=64)),
            clock=self.clock,
            offline=self.models.all_offline,
            llms=self.models.by_role(),
            progress=progress,
            ignored_factors=self.ignored_factors,
            should_stop=should_stop,
        )

    def cycle_roles(self, *, judge_per_episode: int = 1) -> CycleRoles:
        """Return the emulator's paraphraser and the judge that cycles' episodes use."""
        emulator = None
        if not self.models.is_offline("emulator"):
            emulator = LLMParaphraser(self.models("emulator"))
        return CycleRoles(
            paraphraser=emulator,
            judge=episode_judge(self.models("judge"), per_episode=judge_per_episode),
            judge_offline=self.models.is_offline("judge"),
            teacher=self.models("teacher"),
        )

    def manager_tools(self, runner: CampaignRunner | None = None) -> GraphTools:
        """Return the Manager's tools, backed by the Tuner and the campaign graph."""
        from selflearn.graph import GraphTools

        runner = runner or self.campaign_runner()
        return GraphTools(self.database, runner, clock=self.clock)


def open_components(
    settings: Settings | None = None, *, clock: Clock | None = None, migrate: bool = True
) -> Components:
    """Open the database (migrating it) and build the embedder and every role's model.

    `settings` defaults to the environment's (`get_settings()`); `clock` to the wall clock.
    """
    settings = settings or get_settings()
    database = open_database(settings, migrate=migrate)
    return Components(
        settings=settings,
        database=database,
        embedder=get_embedder(settings),
        models=ChatModels(settings, offline_handlers()),
        clock=clock or wall_clock,
    )
