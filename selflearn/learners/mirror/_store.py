"""Where episodes, the policy and the opt-out switch live: PostgreSQL, or memory for benches.

Both stores give the learner the same meaning: a bucket arm's `reward_avg` is the mean
normalised reward of every episode logged for it, and `n` their count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from selflearn.learners.mirror._episode import Episode
from selflearn.learners.mirror._formulas import REWARD_SCALE
from selflearn.learners.mirror._types import INTENSITY_BINS
from selflearn.store import session_scope
from selflearn.store.models import MirrorEvent, PolicyEntry, UserSettings

# The Core table: an ORM-entity INSERT ... SELECT would take SQLAlchemy's bulk path.
_POLICY: Table = PolicyEntry.__table__  # type: ignore[assignment]

#: bucket → (tone, intensity_bin) → (reward_avg, n)
Tables = dict[str, dict[tuple[str, int], tuple[float, int]]]


class EpisodeStore(Protocol):
    """The persistence the hub needs."""

    def write(self, episodes: list[Episode]) -> int:
        """Store closed episodes; return how many."""

    def learn(self, now: datetime) -> dict[str, int]:
        """Recompute the policy from every episode; return {"buckets", "episodes"}."""

    def tables(self) -> Tables:
        """Return the learned policy by bucket."""

    def policy_rows(self, bucket_key: str | None) -> list[dict[str, Any]]:
        """Return the policy's rows (one bucket, or all)."""

    def stats(self, start: datetime | None, end: datetime | None) -> dict[str, Any]:
        """Return the aggregates of the episodes in [start, end)."""

    def is_enabled(self, user_id: str) -> bool:
        """Return the user's mirror switch (default on)."""

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        """Set the user's mirror switch."""


def _policy_row(
    bucket: str, tone: str, index: int, avg: float, n: int, at: datetime | None
) -> dict[str, Any]:
    return {
        "bucket_key": bucket,
        "tone": tone,
        "intensity_bin": index,
        "intensity": INTENSITY_BINS[index] if 0 <= index < len(INTENSITY_BINS) else None,
        "reward_avg": avg,
        "n": n,
        "updated_at": at.isoformat() if at is not None else None,
    }


def _summary(n: int, rewards: float, d_coh: float, d_ent: float, covered: int, buckets: int):
    return {
        "n": n,
        "reward": rewards / n if n else None,
        "d_coherence": d_coh / n if n else None,
        "d_entropy": d_ent / n if n else None,
        "coverage": covered / n if n else None,
        "buckets": buckets,
    }


class SqlEpisodeStore:
    """`mirror_events`, `policy_table` and `user_settings.mirror_enabled` in PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, episodes: list[Episode]) -> int:
        if not episodes:
            return 0
        with session_scope(self.engine) as session:
            session.execute(insert(MirrorEvent), [e.row() for e in episodes])
        return len(episodes)

    def learn(self, now: datetime) -> dict[str, int]:
        e = MirrorEvent.__table__.c
        raw = (e.post_coherence - e.pre_coherence) - (e.post_entropy - e.pre_entropy)
        grouped = (
            select(
                e.bucket_key,
                e.tone,
                e.intensity_bin,
                func.avg(func.greatest(-1.0, func.least(1.0, raw / REWARD_SCALE))),
                func.count(),
                text(":now"),
            )
            .where(e.intensity_bin.is_not(None))
            .group_by(e.bucket_key, e.tone, e.intensity_bin)
        )
        columns = ["bucket_key", "tone", "intensity_bin", "reward_avg", "n", "updated_at"]
        upsert = pg_insert(_POLICY).from_select(columns, grouped)
        upsert = upsert.on_conflict_do_update(
            index_elements=["bucket_key", "tone", "intensity_bin"],
            set_={
                "reward_avg": upsert.excluded.reward_avg,
                "n": upsert.excluded.n,
                "updated_at": upsert.excluded.updated_at,
            },
        )
        with session_scope(self.engine) as session:
            session.execute(upsert, {"now": now})
            buckets, episodes = session.execute(
                select(func.count(func.distinct(e.bucket_key)), func.count()).where(
                    e.intensity_bin.is_not(None)
                )
            ).one()
        return {"buckets": int(buckets), "episodes": int(episodes)}

    def tables(self) -> Tables:
        out: Tables = defaultdict(dict)
        with session_scope(self.engine) as session:
            for row in session.execute(select(PolicyEntry)).scalars():
                out[row.bucket_key][(row.tone, row.intensity_bin)] = (row.reward_avg, row.n)
        return dict(out)

    def policy_rows(self, bucket_key: str | None) -> list[dict[str, Any]]:
        query = select(PolicyEntry).order_by(
            PolicyEntry.bucket_key, PolicyEntry.reward_avg.desc(), PolicyEntry.tone
        )
        if bucket_key is not None:
            query = query.where(PolicyEntry.bucket_key == bucket_key)
        with session_scope(self.engine) as session:
            return [
                _policy_row(r.bucket_key, r.tone, r.intensity_bin, r.reward_avg, r.n, r.updated_at)
                for r in session.execute(query).scalars()
            ]

    def stats(self, start: datetime | None, end: datetime | None) -> dict[str, Any]:
        e = MirrorEvent.__table__.c
        d_coh = e.post_coherence - e.pre_coherence
        d_ent = e.post_entropy - e.pre_entropy
        query = select(
            func.count(),
            func.coalesce(
                func.sum(func.greatest(-1.0, func.least(1.0, (d_coh - d_ent) / REWARD_SCALE))),
                0.0,
            ),
            func.coalesce(func.sum(d_coh), 0.0),
            func.coalesce(func.sum(d_ent), 0.0),
            func.count().filter(e.covered.is_(True)),
            func.count(func.distinct(e.bucket_key)),
        )
        if start is not None:
            query = query.where(e.ts >= start)
        if end is not None:
            query = query.where(e.ts < end)
        with session_scope(self.engine) as session:
            n, rewards, coh, ent, covered, buckets = session.execute(query).one()
        return _summary(int(n), float(rewards), float(coh), float(ent), int(covered), int(buckets))

    def is_enabled(self, user_id: str) -> bool:
        with session_scope(self.engine) as session:
            value = session.execute(
                select(UserSettings.mirror_enabled).where(UserSettings.user_id == user_id)
            ).scalar_one_or_none()
        return True if value is None else bool(value)

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        upsert = pg_insert(UserSettings).values(user_id=user_id, mirror_enabled=enabled)
        upsert = upsert.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"mirror_enabled": enabled, "updated_at": func.now()},
        )
        with session_scope(self.engine) as session:
            session.execute(upsert)


class MemoryEpisodeStore:
    """The same store in memory: the simulated field's benches run thousands of episodes."""

    def __init__(self, tables: Tables | None = None) -> None:
        """`tables`: a policy learned elsewhere, served until the first `learn`."""
        self.episodes: list[Episode] = []
        self._sums: dict[str, dict[tuple[str, int], list[float]]] = defaultdict(dict)
        self._tables: Tables = {b: dict(arms) for b, arms in (tables or {}).items()}
        self._learned_at: datetime | None = None
        self._enabled: dict[str, bool] = {}

    def write(self, episodes: list[Episode]) -> int:
        for episode in episodes:
            self.episodes.append(episode)
            cell = self._sums[episode.bucket_key].setdefault(episode.arm, [0.0, 0])
            cell[0] += episode.reward
            cell[1] += 1
        return len(episodes)

    def learn(self, now: datetime) -> dict[str, int]:
        self._tables = {
            bucket: {arm: (s / n, int(n)) for arm, (s, n) in arms.items()}
            for bucket, arms in self._sums.items()
        }
        self._learned_at = now
        return {"buckets": len(self._tables), "episodes": len(self.episodes)}

    def tables(self) -> Tables:
        return {bucket: dict(arms) for bucket, arms in self._tables.items()}

    def policy_rows(self, bucket_key: str | None) -> list[dict[str, Any]]:
        rows = [
            _policy_row(bucket, tone, index, avg, n, self._learned_at)
            for bucket, arms in sorted(self._tables.items())
            if bucket_key is None or bucket == bucket_key
            for (tone, index), (avg, n) in arms.items()
        ]
        return sorted(rows, key=lambda r: (r["bucket_key"], -r["reward_avg"], r["tone"]))

    def stats(self, start: datetime | None, end: datetime | None) -> dict[str, Any]:
        chosen = [
            e
            for e in self.episodes
            if (start is None or e.ts >= start) and (end is None or e.ts < end)
        ]
        return _summary(
            len(chosen),
            sum(e.reward for e in chosen),
            sum(e.post.coherence - e.pre.coherence for e in chosen),
            sum(e.post.entropy - e.pre.entropy for e in chosen),
            sum(e.covered for e in chosen),
            len({e.bucket_key for e in chosen}),
        )

    def is_enabled(self, user_id: str) -> bool:
        return self._enabled.get(user_id, True)

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        self._enabled[user_id] = enabled
