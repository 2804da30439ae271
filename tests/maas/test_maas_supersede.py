"""Memory that handles change: supersede links, retrieval that prefers the current fact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from selflearn.maas._supersede import supersedes
from selflearn.store import session_scope
from selflearn.store.models import Memory
from tests.factories import NOW


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        ("These days I live in Porto.", "I live in Lyon.", True),
        ("My brother now lives in Oslo.", "My brother lives in Bergen.", True),
        ("The choir practice got rescheduled to Thursdays.", "Choir practice is on Mondays.", True),
        # a relation's change is not the user's, nor the other way round
        ("My brother now lives in Oslo.", "I live in Lyon.", False),
        ("I now live in Porto.", "My brother lives in Bergen.", False),
        # no cue word: a second statement, not a change
        ("I live in Porto.", "I live in Lyon.", False),
        # a change of something else: no word in common but the cue
        ("I now cycle to work.", "I live in Lyon.", False),
        ("I have a new kettle.", "I have a new bike.", False),
        # someone not named by a relation
        ("He now lives in Porto.", "He lives in Lyon.", False),
        # sentence by sentence: the change and the old fact inside longer turns
        ("Big news! These days I live in Porto.", "Hello there. I live in Lyon.", True),
        # a chat turn that says "now" and shares one word of a long sentence
        (
            "Thanks so much! Work is great now and the kids love it.",
            "That sounds fun, I love hiking with the kids and the dog on long weekends.",
            False,
        ),
    ],
)
def test_supersede_rule(new, old, expected):
    assert supersedes(new, old, 0.5, min_cosine=0.0, min_overlap=0.3) is expected


def test_the_similarity_floor_applies():
    assert not supersedes(
        "These days I live in Porto.", "I live in Lyon.", 0.2, min_cosine=0.3, min_overlap=0.3
    )


def _rows(database, user):
    with session_scope(database.engine) as session:
        return {m.text: m for m in session.scalars(select(Memory).where(Memory.user_id == user))}


def test_a_change_links_the_fact_it_updates_and_chains_one_step_at_a_time(service, database, user):
    first = service.add_memories(
        user, [{"text": "I live in Lyon.", "occurred_at": NOW - timedelta(days=300)}]
    )[0]
    second = service.add_memories(
        user, [{"text": "I moved, I now live in Porto.", "occurred_at": NOW - timedelta(days=90)}]
    )[0]
    third = service.add_memories(
        user, [{"text": "These days I live in Tallinn.", "occurred_at": NOW - timedelta(days=5)}]
    )[0]
    rows = _rows(database, user)
    assert rows["I live in Lyon."].superseded_by == second.id
    assert rows["I moved, I now live in Porto."].superseded_by == third.id
    assert rows["These days I live in Tallinn."].superseded_by is None
    listed = {m.id: m.superseded_by for m in service.list_memories(user)}
    assert listed == {first.id: second.id, second.id: third.id, third.id: None}


def test_one_batch_that_tells_a_fact_and_its_change_links_them(service, database, user):
    service.add_memories(
        user,
        [
            {"text": "My gym membership is at Ironworks.", "occurred_at": NOW - timedelta(days=9)},
            {"text": "I switched my gym membership to Pulse.", "occurred_at": NOW},
            {"text": "My sister has a gym membership at Ironworks.", "occurred_at": NOW},
        ],
    )
    rows = _rows(database, user)
    newer = rows["I switched my gym membership to Pulse."]
    assert rows["My gym membership is at Ironworks."].superseded_by == newer.id
    assert rows["My sister has a gym membership at Ironworks."].superseded_by is None


def test_another_users_change_links_nothing_of_this_user(service, database, user):
    service.add_memories(user, [{"text": "I live in Lyon.", "occurred_at": NOW}])
    other = f"{user}-other"
    service.add_memories(other, [{"text": "I live in Lyon.", "occurred_at": NOW}])
    service.add_memories(
        other, [{"text": "These days I live in Porto.", "occurred_at": NOW + timedelta(days=1)}]
    )
    assert _rows(database, user)["I live in Lyon."].superseded_by is None
    assert _rows(database, other)["I live in Lyon."].superseded_by is not None


def test_retrieval_prefers_the_current_fact_and_still_finds_the_old_one_for_the_past(service, user):
    service.add_memories(
        user,
        [
            {"text": "I live in Lyon.", "occurred_at": NOW - timedelta(days=2)},
            {"text": "I moved, I now live in Porto.", "occurred_at": NOW - timedelta(days=1)},
        ],
    )
    now_rank = [m.text for m in service.search(user, "Where do I live?").items]
    assert now_rank[0] == "I moved, I now live in Porto."
    before = [m.text for m in service.search(user, "Where did I live before?").items]
    assert "I live in Lyon." in before


def test_without_links_the_better_matching_old_fact_ranks_first(service, user):
    """The counterpart of the test above: the penalty, not the wording, reorders them."""
    service.archivist.supersede_min_cosine = None
    try:
        service.add_memories(
            user,
            [
                {"text": "I live in Lyon.", "occurred_at": NOW - timedelta(days=2)},
                {"text": "I moved, I now live in Porto.", "occurred_at": NOW - timedelta(days=1)},
            ],
        )
    finally:
        service.archivist.supersede_min_cosine = 0.0
    ranked = [m.text for m in service.search(user, "Where do I live?").items]
    assert ranked[0] == "I live in Lyon."


def test_deleting_the_change_makes_the_old_fact_current_again(service, database, user):
    service.add_memories(user, [{"text": "I live in Lyon.", "occurred_at": NOW}])
    change = service.add_memories(
        user, [{"text": "These days I live in Porto.", "occurred_at": NOW + timedelta(days=1)}]
    )[0]
    assert _rows(database, user)["I live in Lyon."].superseded_by == change.id
    service.delete_memories(user, [change.id])
    assert _rows(database, user)["I live in Lyon."].superseded_by is None
