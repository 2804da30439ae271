"""The deep cycle: re-embed, merge, refresh tags, re-score, flag and prune, retire outdated
facts, apply retention.

1. Re-embed: every memory gets the current embedder's vector (mode "auto" does it when the
   embedder differs from the one the last deep cycle used, or no deep cycle recorded one;
   "all" always; "off" never).
2. Merge near duplicates of every user by cosine (see `_consolidate`).
3. Refresh tags: every memory's tags are chosen again by rarity within its user's
   memories (see `_tags`).
4. Re-score: quality_score = used/retrieved × helpful/used (the Tuner's `quality_score`) is
   written to every memory, and the Tuner's memory-quality rule decides which to flag,
   unflag and prune (a flagged memory still below the threshold a cooldown later).
   Until some memory has helpful feedback (`times_helpful` > 0 anywhere), helpful/used
   cannot be measured: it is then taken as 1, so the score is the use rate alone, rather
   than 0 for every memory (which would prune everything ever used).
5. Retire: memories two or more changes behind their current fact are deleted when the
   `retire_superseded` option is on (counted otherwise), and links to a memory that no
   longer exists are cleared (see `_supersede`).

Every step works on real users only: simulated users (`sim:` ids) are skipped, their
memories belong to an episode and are dropped with it. The deep cycle then applies the
retention setting (see `selflearn.store.prune_simulation_data`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update

from selflearn.cycles._consolidate import consolidate
from selflearn.cycles._context import CycleContext
from selflearn.cycles._journal import last_evidence
from selflearn.cycles._models import MemoryMaintenance
from selflearn.cycles._supersede import retire_superseded
from selflearn.cycles._tags import refresh_user_tags
from selflearn.cycles._telemetry import CycleSummary
from selflearn.store import prune_simulation_data, real_users, session_scope
from selflearn.store.models import Memory
from selflearn.tuner import memory_quality_actions, quality_score

_WRITE_SCORES = text(
    "UPDATE memories AS m SET quality_score = s.score "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:scores AS float8[])) AS s(id, score) "
    "WHERE m.id = s.id AND m.quality_score IS DISTINCT FROM s.score"
)


@dataclass(frozen=True)
class _Counters:
    """A memory's counters as the quality rule reads them."""

    id: uuid.UUID
    times_retrieved: int
    times_used: int
    times_helpful: int
    flagged: bool
    created_at: datetime


def reembed(ctx: CycleContext) -> int:
    """Give every memory the current embedder's vector, batch by batch; return how many."""
    embedder = ctx.student.embedder
    mode = ctx.options.reembed
    if mode == "off":
        return 0
    if mode == "auto":
        with session_scope(ctx.engine) as session:
            last = last_evidence("deep", session=session, where="embedder")
        if last is not None and last[1]["embedder"] == embedder.name:
            ctx.report.findings.append(f"embeddings are already from {embedder.name}")
            ctx.extra["embedder"] = embedder.name
            return 0
    done = 0
    after: uuid.UUID | None = None
    while True:
        # One transaction per batch, in id order: a long run holds no lock for long.
        with session_scope(ctx.engine) as session:
            query = (
                select(Memory.id, Memory.text).where(real_users(Memory.user_id)).order_by(Memory.id)
            )
            if after is not None:
                query = query.where(Memory.id > after)
            rows = session.execute(query.limit(ctx.options.batch_size)).all()
            if not rows:
                break
            vectors = embedder.embed([row.text for row in rows])
            session.execute(
                update(Memory),
                [{"id": row.id, "embedding": vectors[i]} for i, row in enumerate(rows)],
            )
        done += len(rows)
        after = rows[-1].id
    ctx.extra["embedder"] = embedder.name
    ctx.report.findings.append(f"re-embedded {done} memories with {embedder.name}")
    return done


def retag(ctx: CycleContext) -> int:
    """Refresh the tags of every user's memories, one transaction per user."""
    with session_scope(ctx.engine) as session:
        users = list(
            session.scalars(
                select(Memory.user_id)
                .where(real_users(Memory.user_id))
                .distinct()
                .order_by(Memory.user_id)
            )
        )
    changed = 0
    for user_id in users:
        with session_scope(ctx.engine) as session:
            changed += refresh_user_tags(session, user_id)
    return changed


def _chunks(items: list[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def rescore(ctx: CycleContext, memory: MemoryMaintenance) -> None:
    """Write every memory's quality score; flag, unflag and prune as the Tuner's rule says."""
    with session_scope(ctx.engine) as session:
        last = last_evidence("deep", session=session, where="quality_ran")
        rows = session.execute(
            select(
                Memory.id,
                Memory.times_retrieved,
                Memory.times_used,
                Memory.times_helpful,
                Memory.flagged,
                Memory.created_at,
            ).where(real_users(Memory.user_id))
        ).all()
        feedback = any(row.times_helpful > 0 for row in rows)
        counters = [
            _Counters(
                row.id,
                row.times_retrieved,
                row.times_used,
                row.times_helpful if feedback else row.times_used,
                row.flagged,
                row.created_at,
            )
            for row in rows
        ]
        memory.helpfulness = "feedback" if feedback else "proxy"
        actions = memory_quality_actions(
            counters,
            ctx.now,
            policy=ctx.options.quality,
            last_run=None if last is None else last[0],
        )
        scores = actions.scores or {
            c.id: quality_score(c.times_retrieved, c.times_used, c.times_helpful) for c in counters
        }
        ids = list(scores)
        for chunk in _chunks(ids, 10_000):
            session.execute(_WRITE_SCORES, {"ids": chunk, "scores": [scores[i] for i in chunk]})
        memory.scored = len(ids)
        if actions.skipped:
            memory.quality_skipped = actions.skipped
            return
        ctx.extra["quality_ran"] = True
        if actions.flag:
            session.execute(update(Memory).where(Memory.id.in_(actions.flag)).values(flagged=True))
        if actions.unflag:
            session.execute(
                update(Memory).where(Memory.id.in_(actions.unflag)).values(flagged=False)
            )
        if actions.prune:
            session.execute(delete(Memory).where(Memory.id.in_(actions.prune)))
        memory.flagged, memory.unflagged = len(actions.flag), len(actions.unflag)
        memory.pruned = len(actions.prune)
        ctx.extra["pruned_ids"] = [str(i) for i in actions.prune]


def apply_retention(ctx: CycleContext, memory: MemoryMaintenance) -> None:
    """Remove finished simulations' data older than the retention setting (if it is on)."""
    days = ctx.options.retention_days
    if days is None:
        return
    pruned = prune_simulation_data(ctx.engine, now=ctx.now, older_than=timedelta(days=days))
    memory.retention = pruned.to_json()
    if pruned.rows:
        ctx.report.findings.append(f"retention ({days} days): {pruned.summary()}")


def run_deep(ctx: CycleContext) -> CycleSummary:
    """Re-embed, merge near duplicates, refresh tags, re-score quality, flag and prune."""
    report = ctx.report
    reembedded = reembed(ctx)
    memory = consolidate(
        ctx.engine,
        now=ctx.now,
        cosine=ctx.options.merge_cosine,
        max_user_memories=ctx.options.merge_max_user_memories,
    )
    memory.reembedded = reembedded
    memory.retagged = retag(ctx)
    rescore(ctx, memory)
    memory.retire_on = ctx.options.retire_superseded
    memory.retired, memory.unlinked = retire_superseded(
        ctx.engine, delete_outdated=memory.retire_on
    )
    apply_retention(ctx, memory)
    report.memory = memory
    report.findings.append(
        f"merged {memory.merged} near duplicate(s) across {memory.users} user(s)"
        + (f", skipped {memory.users_skipped} too large to scan" if memory.users_skipped else "")
    )
    report.findings.append(f"refreshed the tags of {memory.retagged} memories")
    report.findings.append(
        (
            f"retired {memory.retired} memories two or more changes behind their current fact"
            if memory.retire_on
            else f"{memory.retired} memories are two or more changes behind their current fact "
            "(kept: SELFLEARN_RETIRE_SUPERSEDED is off)"
        )
        + (f", cleared {memory.unlinked} link(s) to deleted memories" if memory.unlinked else "")
    )
    if memory.quality_skipped:
        report.findings.append(f"memory quality rule: {memory.quality_skipped}")
    else:
        how = (
            "used/retrieved × helpful/used"
            if memory.helpfulness == "feedback"
            else ("used/retrieved (no helpful feedback recorded yet)")
        )
        report.findings.append(
            f"scored {memory.scored} memories by {how}: flagged {memory.flagged}, "
            f"unflagged {memory.unflagged}, pruned {memory.pruned}"
        )
    changed = (
        memory.merged
        + memory.retagged
        + memory.flagged
        + memory.unflagged
        + memory.pruned
        + (memory.retired if memory.retire_on else 0)
        + memory.unlinked
        + reembedded
    )
    return CycleSummary(duration_ms=0.0, examined=memory.scored, changed=changed)
