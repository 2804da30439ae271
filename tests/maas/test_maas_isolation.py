"""Per-user isolation with many users of very different sizes, on both dense search paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from selflearn.maas import RetrievalConfig
from tests.factories import NOW, make_student

SIZES = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]
TOPICS = ["hiking trip", "guitar lesson", "bakery visit", "chess club", "garden work"]


@pytest.fixture(scope="module")
def population(database, settings):
    """Users whose memories all talk about the same things, so a leak would be visible."""
    service = make_student(settings, database, clock=lambda: NOW, archive_turns=False)
    owned: dict[str, set] = {}
    for size in SIZES:
        user_id = f"pop-{size:03d}"
        items = [
            f"Memory {i} of {user_id}: a {TOPICS[i % len(TOPICS)]} with friends, number {i}."
            for i in range(size)
        ]
        added = service.add_memories(user_id, items, merge_duplicates=False)
        owned[user_id] = {a.id for a in added}
    with database.engine.connect() as conn:
        conn.execute(text("ANALYZE memories"))
        conn.commit()
    return owned


@pytest.fixture
def planner_takes_hnsw(database) -> Iterator[None]:
    """Make the planner read the HNSW index whenever a query allows it.

    On a table this small a btree scan and a sort cost less than the HNSW scan, so the
    planner would not take the index that big tables use; sorting is priced out instead.
    """

    def price_out_sorts(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET enable_sort = off")
        dbapi_connection.commit()

    event.listen(database.engine, "connect", price_out_sorts)
    database.engine.dispose()
    yield
    event.remove(database.engine, "connect", price_out_sorts)
    database.engine.dispose()


@pytest.mark.parametrize("exact_scan_limit", [20_000, 0], ids=["exact", "hnsw"])
def test_every_user_gets_min_top_k_own_memories_and_nothing_else(
    database, settings, population, exact_scan_limit, planner_takes_hnsw
):
    # An ef_search ceiling below the candidate count (40) makes every post-filtered HNSW scan
    # come back short, as it does for small users of a big table.
    config = RetrievalConfig(exact_scan_limit=exact_scan_limit, ef_search_max=10)
    service = make_student(settings, database, clock=lambda: NOW, retrieval=config)
    strategies = set()
    for user_id, ids in population.items():
        for query in ("hiking trip with friends", "friends"):
            result = service.search(user_id, query, params={"retrieval.top_k": 10})
            strategies.add(result.strategy.split("(")[0] + ("+exact" in result.strategy) * "+x")
            assert len(result.items) == min(10, len(ids)), (user_id, result.strategy)
            assert {item.id for item in result.items} <= ids
            assert all(user_id in item.text for item in result.items)
    if exact_scan_limit == 0:
        # Post-filtered HNSW scans came back short and were redone exactly.
        assert "hnsw+x" in strategies


def test_hnsw_path_finds_the_same_dense_neighbours_as_the_exact_scan(
    database, settings, population, planner_takes_hnsw
):
    dense = {"retrieval.top_k": 10, "retrieval.relevance_weight": 1.0}
    exact = make_student(settings, database, clock=lambda: NOW)
    hnsw = make_student(
        settings,
        database,
        clock=lambda: NOW,
        retrieval=RetrievalConfig(exact_scan_limit=0),
    )
    for query in ("guitar lesson", "bakery visit number 7"):
        truth = [m.id for m in exact.search("pop-377", query, params=dense).items]
        approximate = hnsw.search("pop-377", query, params=dense)
        assert approximate.strategy.startswith("hnsw") and "+exact" not in approximate.strategy
        got = [m.id for m in approximate.items]
        assert len(set(truth) & set(got)) >= 9


def test_chat_turns_record_the_isolation_check(database, settings, population):
    service = make_student(settings, database, clock=lambda: NOW, archive_turns=False)
    result = service.chat_turn("pop-089", "Tell me about the chess club")
    assert result.isolation_ok
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT isolation_ok, user_id FROM telemetry_events WHERE pipeline_id = :p"
            ),
            {"p": result.pipeline_run_id},
        ).all()
    assert rows == [(True, "pop-089")]
    assert all(m.id in population["pop-089"] for m in result.retrieved)


def test_unknown_user_has_no_memories_and_gets_an_abstention(service):
    assert service.search("nobody-at-all", "chess club").items == []
    assert service.list_memories("nobody-at-all") == []
    assert service.chat_turn("nobody-at-all", "What about chess?").abstained
