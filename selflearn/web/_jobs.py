"""Campaigns run by the web app in background threads, with their progress as events.

One campaign runs at a time per server: campaigns change the active parameter version, and
two at once would each measure against a baseline the other moves. A job keeps every event
it saw, so a page that subscribes late (or reconnects) replays them from the start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from selflearn.errors import ConflictError, SelflearnError
from selflearn.graph import CampaignOptions, CampaignOutcome, CampaignRunner, PreparedCampaign
from selflearn.maas import MemoryService

if TYPE_CHECKING:
    from selflearn.agents.manager import GoalSpec
    from selflearn.bootstrap import Components

__all__ = ["CampaignJob", "CampaignJobs"]

logger = logging.getLogger(__name__)


@dataclass
class CampaignJob:
    """One campaign being driven in this server: its progress, events and stop flag."""

    campaign_id: str
    action: str
    budget: int
    status: str = "running"
    episodes: int = 0
    look: int | str = 0
    look_total: int = 0
    look_done: int = 0
    activity: str = "starting"
    error: dict[str, str] | None = None
    stop_requested: threading.Event = field(default_factory=threading.Event)
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        """Return whether the thread has finished (whatever the outcome)."""
        return self.status != "running"

    def progress(self) -> dict[str, Any]:
        """Return where the campaign stands, as the console and the event stream show it."""
        return {
            "campaign_id": self.campaign_id,
            "status": self.status,
            "episodes": self.episodes,
            "budget": max(self.budget, self.episodes),
            "look": self.look,
            "look_done": self.look_done,
            "look_total": self.look_total,
            "activity": self.activity,
            "stop_requested": self.stop_requested.is_set(),
            "error": self.error,
        }

    def record(self, event: str, data: dict[str, Any]) -> None:
        """Take one progress event of the graph (called from the campaign's threads)."""
        with self.changed:
            if event == "episode":
                self.episodes += 1
                self.look_done += 1
            elif event == "dispatch":
                look = data.get("look")
                self.look = look if isinstance(look, int | str) and look != "" else self.look
                self.look_total = int(data.get("episodes", 0))
                self.look_done = 0
            elif event == "design":
                self.activity = str(data.get("hypothesis") or "no further hypothesis: monitoring")
            elif event == "look":
                self.activity = (
                    f"{data.get('experiment')}: look {data.get('look')} → {data.get('verdict')}"
                )
            elif event == "change":
                self.activity = f"change {data.get('status')}"
            elif event == "step":
                return  # one per super-step: too many to be worth a message
            self._append(event, data)

    def finish(self, status: str, error: SelflearnError | None = None) -> None:
        """Record how the thread ended and wake every subscriber."""
        with self.changed:
            self.status = status
            if error is not None:
                self.error = error.to_dict()
            self.activity = {
                "completed": "finished",
                "awaiting_approval": "waiting for the owner's decision",
                "interrupted": "stopped; resume continues from the last step",
            }.get(status, status)
            self._append("end", {})

    def _append(self, event: str, data: dict[str, Any]) -> None:
        self.events.append(
            {"id": len(self.events), "event": event, "data": {**data, **self.progress()}}
        )
        self.changed.notify_all()

    def events_after(self, last: int, timeout: float) -> list[dict[str, Any]]:
        """Return the events after id `last`, waiting up to `timeout` seconds for one."""
        with self.changed:
            if len(self.events) <= last + 1 and not self.done:
                self.changed.wait(timeout)
            return self.events[last + 1 :]


class CampaignJobs:
    """Start, resume and stop campaigns in background threads of this server."""

    def __init__(self, components: Components, student: MemoryService) -> None:
        self.components = components
        self.student = student
        self._jobs: dict[str, CampaignJob] = {}
        self._lock = threading.Lock()

    def get(self, campaign_id: str) -> CampaignJob | None:
        """Return the job of a campaign this server drives or drove, if any."""
        return self._jobs.get(campaign_id)

    def active(self) -> list[CampaignJob]:
        """Return the jobs still running."""
        return [job for job in self._jobs.values() if not job.done]

    def start(
        self, options: CampaignOptions, *, spec: GoalSpec | None = None, goal_id: str | None = None
    ) -> CampaignJob:
        """Validate and record a new campaign, then drive it in a thread."""
        return self._launch(
            "start",
            options.budget,
            lambda runner: runner.begin(options, spec=spec, goal_id=goal_id),
        )

    def resume(self, campaign_id: str, decision: dict[str, Any] | None = None) -> CampaignJob:
        """Check a campaign can go on, then drive it from its last checkpoint in a thread."""
        return self._launch(
            "resume",
            0,
            lambda runner: runner.prepare_resume(campaign_id, decision=decision),
            campaign_id=campaign_id,
        )

    def stop(self, campaign_id: str) -> CampaignJob | None:
        """Ask a running campaign to stop after its current step; None if none runs here."""
        job = self._jobs.get(campaign_id)
        if job is None or job.done:
            return None
        job.stop_requested.set()
        with job.changed:
            job.activity = "stopping after the current step"
            job._append("stopping", {})
        return job

    def shutdown(self, timeout: float = 60.0) -> None:
        """Stop every running campaign and wait for its thread (the server is going down)."""
        running = self.active()
        for job in running:
            job.stop_requested.set()
        for job in running:
            if job.thread is not None:
                job.thread.join(timeout)

    def _launch(
        self,
        action: str,
        budget: int,
        prepare: Callable[[CampaignRunner], PreparedCampaign],
        *,
        campaign_id: str | None = None,
    ) -> CampaignJob:
        with self._lock:
            busy = self.active()
            if busy:
                raise ConflictError(
                    f"campaign {busy[0].campaign_id} is running in this server",
                    hint="Wait for it to finish or stop it (POST /api/v1/campaigns/"
                    f"{busy[0].campaign_id}/stop); one campaign runs at a time.",
                )
            job = CampaignJob(campaign_id or "", action, budget)
            runner = self.components.campaign_runner(
                progress=job.record, student=self.student, should_stop=job.stop_requested.is_set
            )
            prepared = prepare(runner)  # bad input raises here, before any thread starts
            job.campaign_id = prepared.campaign_id
            if action == "resume":
                job.budget = int(prepared.options.budget)
                job.episodes = len(set(_episodes_done(runner, prepared)))
            self._jobs[job.campaign_id] = job
            job.thread = threading.Thread(
                target=self._drive,
                args=(job, runner, prepared),
                name=f"campaign-{job.campaign_id}",
                daemon=True,
            )
            job.thread.start()
            return job

    def _drive(self, job: CampaignJob, runner: CampaignRunner, prepared: PreparedCampaign) -> None:
        try:
            outcome: CampaignOutcome = runner.run(prepared)
        except SelflearnError as error:
            logger.warning("campaign %s failed: %s", job.campaign_id, error)
            job.finish("failed", error)
        except Exception as error:  # a bug: keep the server up, say so on the page
            logger.exception("campaign %s crashed", job.campaign_id)
            job.finish("failed", SelflearnError(f"the campaign crashed: {error}"))
        else:
            job.finish(outcome.status)
        finally:
            self.student.flush()


def _episodes_done(runner: CampaignRunner, prepared: PreparedCampaign) -> list[str]:
    from selflearn.graph import build_campaign_graph, open_checkpointer

    with open_checkpointer(runner.database) as saver:
        graph = build_campaign_graph().compile(checkpointer=saver)
        snapshot = graph.get_state({"configurable": {"thread_id": prepared.campaign_id}})
    return list(snapshot.values.get("episodes_done", []))
