"""`Components`: everything a command, the web app or the Studio runs on, built once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from selflearn.agents.teacher import episode_judge
from selflearn.assistant import Assistant
from selflearn.bootstrap._offline import offline_handlers
from selflearn.cycles import CycleRoles
from selflearn.learners import MICROGRAPH_FACTORS, Micrograph, MirrorLoop
from selflearn.maas import OFFLINE_IGNORED_FACTORS, MemoryService, ResponderModel, RetrievalConfig
from selflearn.providers import ChatModels, Embedder, get_embedder
from selflearn.settings import Settings, get_settings
from selflearn.simulator.llm_paraphrase import LLMParaphraser
from selflearn.store import Database, open_database

if TYPE_CHECKING:
    from selflearn.graph import CampaignRunner, GraphTools

Clock = Callable[[], datetime]
Progress = Callable[[str, dict[str, Any]], None]
# Guards the lazily built, process-wide parts (one mirror loop per set of components).
_BUILD_LOCK = threading.Lock()


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
    #: Parts built once on first use (the mirror loop); not a setting.
    _built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Components:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the mirror loop's thread, if it runs, and release the database connections."""
        loop = self._built.get("mirror_loop")
        if loop is not None:
            loop.stop()
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

    def mirror_loop(self) -> MirrorLoop:
        """Return the deployment's mirror loop (SPEC §10), built once and not started.

        Building it reads nothing from the database; the web app starts its thread.
        """
        with _BUILD_LOCK:
            loop = self._built.get("mirror_loop")
            if loop is None:
                loop = self._built["mirror_loop"] = MirrorLoop(
                    self.database.engine, seed=self.settings.seed, clock=self.clock
                )
        return loop

    def assistant(
        self,
        student: MemoryService | None = None,
        *,
        clock: Clock | None = None,
        mirror: bool = True,
    ) -> Assistant:
        """Return the assistant's turn graph (the Student with its tool nodes) as a client.

        `mirror` gives its turns the deployment's mirror loop (`mirror_loop()`); simulated
        turns (campaigns) play without it, so they neither enter the live field nor learn.
        """
        student = student or self.student()
        micrograph = Micrograph(
            self.database.engine, embedder=self.embedder, clock=clock or self.clock
        )
        return Assistant(
            student,
            micrograph,
            flush_every=student.telemetry.flush_every,
            mirror=self.mirror_loop() if mirror else None,
        )

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
            self.assistant(student or self.student(telemetry_flush_every=64), mirror=False),
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
