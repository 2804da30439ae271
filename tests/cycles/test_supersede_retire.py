"""The deep cycle and facts that changed: retire what is two changes behind, keep links true."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from selflearn.cycles import CycleOptions, run_cycle
from selflearn.settings import Settings
from selflearn.store import session_scope
from selflearn.store.models import Memory

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _user() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


def _rows(database, user) -> dict[str, Memory]:
    with session_scope(database.engine) as session:
        return {m.text: m for m in session.scalars(select(Memory).where(Memory.user_id == user))}


def _said(text: str, days_ago: int) -> dict:
    return {"text": text, "occurred_at": NOW - timedelta(days=days_ago)}


def test_deep_retires_facts_two_changes_behind_and_keeps_the_one_before(database, service):
    user = _user()
    for text, days in [
        ("I live in Lyon.", 400),
        ("I moved, I now live in Porto.", 200),
        ("These days I live in Tallinn.", 10),
    ]:
        service.add_memories(user, [_said(text, days)])
    kept = run_cycle("deep", database=database.engine, student=service, now=NOW)
    assert len(_rows(database, user)) == 3  # off by default: counted, not deleted
    assert kept.memory.retired >= 1 and not kept.memory.retire_on
    assert any("SELFLEARN_RETIRE_SUPERSEDED is off" in f for f in kept.findings)
    report = run_cycle(
        "deep",
        database=database.engine,
        student=service,
        now=NOW,
        options=CycleOptions(retire_superseded=True),
    )
    assert set(_rows(database, user)) == {
        "I moved, I now live in Porto.",
        "These days I live in Tallinn.",
    }
    assert report.memory.retired >= 1
    assert any(f.startswith("retired") for f in report.findings)


def test_deep_clears_a_link_to_a_deleted_memory(database, service):
    user = _user()
    service.add_memories(user, [_said("I live in Lyon.", 30)])
    newer = service.add_memories(user, [_said("I moved, I now live in Porto.", 3)])[0]
    with database.engine.begin() as conn:  # as a prune or a direct delete would
        conn.execute(delete(Memory).where(Memory.id == newer.id))
    assert _rows(database, user)["I live in Lyon."].superseded_by == newer.id
    report = run_cycle("deep", database=database.engine, student=service, now=NOW)
    assert _rows(database, user)["I live in Lyon."].superseded_by is None
    assert report.memory.unlinked >= 1


def test_merging_duplicates_keeps_the_links_true(database, service):
    user = _user()
    old = [_said("I live in Lyon.", 50), _said("I live in Lyon!", 40)]
    service.add_memories(user, old, merge_duplicates=False)
    change = service.add_memories(user, [_said("I moved, I now live in Porto.", 20)])[0]
    run_cycle("deep", database=database.engine, student=service, now=NOW)
    rows = _rows(database, user)
    lyon = [m for text, m in rows.items() if "Lyon" in text]
    assert len(lyon) == 1 and lyon[0].superseded_by == change.id
    # said again after the change: the fact holds again
    service.add_memories(user, [_said("I live in Lyon!!", 5)], merge_duplicates=False)
    run_cycle("deep", database=database.engine, student=service, now=NOW + timedelta(days=1))
    lyon = [m for text, m in _rows(database, user).items() if "Lyon" in text]
    assert len(lyon) == 1 and lyon[0].superseded_by is None


def test_retiring_is_an_owner_setting_off_by_default(monkeypatch):
    monkeypatch.delenv("SELFLEARN_RETIRE_SUPERSEDED", raising=False)
    assert Settings().retire_superseded is False
    monkeypatch.setenv("SELFLEARN_RETIRE_SUPERSEDED", "true")
    assert Settings().retire_superseded is True
