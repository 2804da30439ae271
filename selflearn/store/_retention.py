"""Retention: remove what simulations leave behind once it is old enough.

A finished (completed) campaign keeps its row, report, experiments and results, the
record of what was learnt. After the retention period its bulk goes: the episodes, their
probe results, the Student turns played in them (`pipeline_runs` and, by cascade, their
`telemetry_events`), its LangGraph checkpoints, and any simulated (`sim:`) users' rows still
there: memories (kept with `--keep-memories`, or left by a crash) and the topic
micrograph's turns and transitions. Episodes of cycles and ad hoc
simulations, which have no campaign row, go when they are older than the period.

A campaign that is not completed (running, paused, interrupted, awaiting approval,
failed) is never touched: it must still resume from its checkpoint and episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from selflearn.errors import InvalidInputError
from selflearn.store._namespaces import SIMULATED_USER_PREFIX, like_prefix

#: The tables PostgresSaver keeps a campaign's checkpoints in, keyed by thread id (the
#: campaign id); removing a thread's rows from all three is what its `delete_thread` does.
CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")

_FINISHED = text(
    "SELECT id FROM campaigns WHERE status = 'completed' "
    "AND coalesce(finished_at, started_at) < :cutoff ORDER BY id"
)
_UNFINISHED = text("SELECT id FROM campaigns WHERE status <> 'completed'")
# The campaign an episode, a turn or a simulated user belongs to is its id's first part.
_EPISODES = text(
    """
    SELECT e.id FROM episodes AS e
    WHERE e.campaign_id = ANY(:finished)
       OR (coalesce(e.finished_at, e.started_at) < :cutoff
           AND NOT EXISTS (SELECT 1 FROM campaigns AS c WHERE c.id = e.campaign_id))
    """
)
_RUNS_WHERE = """
    r.episode_id IS NOT NULL
    AND (r.episode_id = ANY(:episodes)
         OR (NOT EXISTS (SELECT 1 FROM episodes AS e WHERE e.id = r.episode_id)
             AND NOT split_part(r.episode_id, '/', 1) = ANY(:unfinished)
             AND (split_part(r.episode_id, '/', 1) = ANY(:finished) OR r.created_at < :cutoff)))
"""
# Rows of simulated users: `sim:{campaign}/...`, of a finished campaign or old enough.
_SIMULATED_WHERE = """
    m.user_id LIKE :sim ESCAPE '\\'
    AND NOT split_part(substr(m.user_id, :skip), '/', 1) = ANY(:unfinished)
    AND (split_part(substr(m.user_id, :skip), '/', 1) = ANY(:finished)
         OR {age} < :cutoff)
"""
#: Per-user tables the simulator's users fill, with the column that says how old a row is.
SIMULATED_USER_TABLES = {
    "memories": "m.updated_at",
    "micrograph_turns": "m.created_at",
    "topic_transitions": "coalesce(m.last_used_at, m.created_at)",
}


@dataclass
class PruneReport:
    """What retention removed (or, in a dry run, would remove)."""

    cutoff: datetime
    dry_run: bool
    campaigns: list[str] = field(default_factory=list)
    episodes: int = 0
    probe_results: int = 0
    pipeline_runs: int = 0
    telemetry_events: int = 0
    checkpoints: int = 0
    memories: int = 0
    #: Rows of simulated users in the topic micrograph's tables (turns and transitions).
    learner_rows: int = 0

    @property
    def rows(self) -> int:
        """Return how many rows went in all."""
        return (
            self.episodes
            + self.probe_results
            + self.pipeline_runs
            + self.telemetry_events
            + self.checkpoints
            + self.memories
            + self.learner_rows
        )

    def to_json(self) -> dict[str, Any]:
        """Return the report as one JSON object (the `db prune --json` output)."""
        return {**asdict(self), "cutoff": self.cutoff.isoformat(), "rows": self.rows}

    def summary(self) -> str:
        """Return the report in one sentence."""
        verb = "would remove" if self.dry_run else "removed"
        return (
            f"{verb} {self.episodes} episode(s), {self.probe_results} probe result(s), "
            f"{self.pipeline_runs} simulated turn(s) with {self.telemetry_events} telemetry "
            f"event(s), {self.checkpoints} checkpoint row(s) of {len(self.campaigns)} finished "
            f"campaign(s), {self.memories} simulated memories and {self.learner_rows} "
            "simulated micrograph row(s), all older than "
            f"{self.cutoff:%Y-%m-%d %H:%M} UTC"
        )


def _count(conn: Connection, sql: str, params: dict[str, Any]) -> int:
    return int(conn.execute(text(sql), params).scalar_one())


def _step(
    conn: Connection,
    *,
    count_sql: str,
    delete_sql: str,
    params: dict[str, Any],
    dry_run: bool,
) -> int:
    if dry_run:
        return _count(conn, count_sql, params)
    return int(conn.execute(text(delete_sql), params).rowcount or 0)


def prune_simulation_data(
    engine: Engine,
    *,
    now: datetime,
    older_than: timedelta,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> PruneReport:
    """Remove finished simulations' episodes, turns, checkpoints and memories past retention.

    `progress(step, rows)` is told after each step; `dry_run` counts without removing.
    """
    if now.tzinfo is None:
        raise InvalidInputError("now must be timezone-aware", hint="Pass e.g. datetime.now(UTC).")
    if older_than < timedelta(0):
        raise InvalidInputError(
            "the retention period cannot be negative",
            hint="Pass 0 days or more (0: everything finished so far).",
        )
    report = PruneReport(cutoff=now - older_than, dry_run=dry_run)

    def tell(step: str, rows: int) -> None:
        if progress is not None:
            progress(step, rows)

    with engine.begin() as conn:
        finished = list(conn.scalars(_FINISHED, {"cutoff": report.cutoff}))
        unfinished = list(conn.scalars(_UNFINISHED))
        report.campaigns = finished
        params: dict[str, Any] = {
            "cutoff": report.cutoff,
            "finished": finished,
            "unfinished": unfinished,
        }
        episodes = list(conn.scalars(_EPISODES, params))
        params["episodes"] = episodes
        report.probe_results = _count(
            conn, "SELECT count(*) FROM probe_results WHERE episode_id = ANY(:episodes)", params
        )
        report.telemetry_events = _count(
            conn,
            "SELECT count(*) FROM telemetry_events AS t JOIN pipeline_runs AS r "
            f"ON r.id = t.pipeline_id WHERE {_RUNS_WHERE}",
            params,
        )
        # Episodes first: their probe results cascade, and no longer point at the turns.
        if not dry_run:
            conn.execute(text("DELETE FROM episodes WHERE id = ANY(:episodes)"), params)
        report.episodes = len(episodes)
        tell("episodes", report.episodes + report.probe_results)
        report.pipeline_runs = _step(
            conn,
            count_sql=f"SELECT count(*) FROM pipeline_runs AS r WHERE {_RUNS_WHERE}",
            delete_sql=f"DELETE FROM pipeline_runs AS r WHERE {_RUNS_WHERE}",
            params=params,
            dry_run=dry_run,
        )
        tell("pipeline_runs", report.pipeline_runs + report.telemetry_events)
        memory_params = {
            **params,
            "sim": like_prefix(SIMULATED_USER_PREFIX),
            "skip": len(SIMULATED_USER_PREFIX) + 1,
        }
        for table, age in SIMULATED_USER_TABLES.items():
            where = _SIMULATED_WHERE.format(age=age)
            rows = _step(
                conn,
                count_sql=f"SELECT count(*) FROM {table} AS m WHERE {where}",
                delete_sql=f"DELETE FROM {table} AS m WHERE {where}",
                params=memory_params,
                dry_run=dry_run,
            )
            if table == "memories":
                report.memories = rows
            else:
                report.learner_rows += rows
            tell(table, rows)
        for table in CHECKPOINT_TABLES:
            if conn.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is None:
                continue  # no campaign ever ran with a checkpointer here
            report.checkpoints += _step(
                conn,
                count_sql=f"SELECT count(*) FROM {table} WHERE thread_id = ANY(:finished)",
                delete_sql=f"DELETE FROM {table} WHERE thread_id = ANY(:finished)",
                params=params,
                dry_run=dry_run,
            )
        tell("checkpoints", report.checkpoints)
    return report
