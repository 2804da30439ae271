"""Deep-cycle step: retire memories that newer ones have superseded twice over.

The archivist links a memory to the newer one that changes it (`superseded_by`, see
`selflearn.maas._supersede`). A chain keeps its current fact and the one right before it, so
that "where did I live before?" still has an answer; memories two or more changes behind
(their successor is itself superseded) are retired: deleted, when the owner turns it on
(`SELFLEARN_RETIRE_SUPERSEDED`), and only counted otherwise, because the offline rule links
wrongly about one time in three and a wrong link would delete a fact that still holds.
Links whose newer memory no longer exists (deleted by its user, pruned) are cleared, so the
older memory counts as current again. Real users only: simulated users' memories go with
their episode.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from selflearn.store import real_users, session_scope
from selflearn.store.models import Memory

__all__ = ["retire_superseded"]


def retire_superseded(engine: Engine, *, delete_outdated: bool) -> tuple[int, int]:
    """Count (and with `delete_outdated`, delete) memories two or more changes behind; clear
    dangling links. Return both counts."""
    successor = aliased(Memory)
    with session_scope(engine) as session:
        unlinked = session.execute(
            update(Memory)
            .where(
                Memory.superseded_by.is_not(None),
                real_users(Memory.user_id),
                ~exists().where(successor.id == Memory.superseded_by),
            )
            .values(superseded_by=None)
        ).rowcount
        outdated = select(successor.id).where(successor.superseded_by.is_not(None))
        behind = (real_users(Memory.user_id), Memory.superseded_by.in_(outdated))
        if delete_outdated:
            retired = session.execute(delete(Memory).where(*behind)).rowcount
        else:
            retired = session.scalar(select(func.count()).select_from(Memory).where(*behind))
    return int(retired or 0), int(unlinked or 0)
