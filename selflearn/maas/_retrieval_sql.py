"""The SQL of hybrid retrieval (see `selflearn.maas._retrieval` for the design)."""

from __future__ import annotations

__all__ = ["BM25", "EXACT_DENSE", "HNSW_DENSE", "SCORE", "TIME_WORDS"]

# Words that place an event in time: a memory holding one can answer a "when" question.
TIME_WORDS = (
    r"\m(yesterday|today|tonight|tomorrow|ago|last|next|weekend|week|month|year|recently"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march"
    r"|april|may|june|july|august|september|october|november|december|(19|20)\d\d)\M"
)

# BM25 of row `m` against the query lexemes in CTE `q` (lex, idf); term frequencies are the
# position counts stored in the tsvector.
BM25 = (
    "(SELECT sum(q.idf * (cardinality(t.positions) * (:k1 + 1)) / (cardinality(t.positions)"
    " + :k1 * (1 - :b + :b * length(m.tsv) / :avgdl))) FROM unnest(m.tsv) t"
    " JOIN q ON q.lex = t.lexeme)"
)
# Ties (the same distance, the same BM25, the same score) are broken by time and then by
# text, never by the random ids or the heap order: the same memories give the same ranking
# in every run. The HNSW scan keeps its single key, or the index could not serve it.
EXACT_DENSE = (
    "SELECT id FROM memories WHERE user_id = :u "
    "ORDER BY (embedding <=> (SELECT v FROM qv)) + 0, occurred_at DESC, text LIMIT :c"
)
HNSW_DENSE = (
    "SELECT id FROM memories WHERE user_id = :u ORDER BY embedding <=> (SELECT v FROM qv) LIMIT :c"
)
# Scores are computed where the rows are: only the top_k rows travel back to Python.
SCORE = """
scored AS (
    SELECT m.id, m.occurred_at, m.speaker, m.text, m.superseded_by IS NOT NULL AS superseded,
           CASE WHEN :when_bonus > 0 THEN m.text ~* :time_words ELSE false END AS mentions_time,
           greatest(0.0, least(1.0, 1 - (m.embedding <=> (SELECT v FROM qv)))) AS dense,
           {lexical} AS lexical
    FROM memories m JOIN cand ON cand.id = m.id WHERE m.user_id = :u
),
fused AS (
    SELECT id, occurred_at, speaker, text, superseded, mentions_time, dense, lexical,
           :w * dense + (1 - :w) * lexical AS relevance,
           power(0.5, greatest(0.0, extract(epoch FROM (CAST(:now AS timestamptz) - occurred_at))
                 / 86400.0) / :half_life) AS recency
    FROM scored
),
kept AS (
    SELECT *, (1 - :rw) * relevance + :rw * recency
              + CASE WHEN occurred_at >= CAST(:t0 AS timestamptz)
                      AND occurred_at < CAST(:t1 AS timestamptz) THEN :bonus ELSE 0 END
              + CASE WHEN lower(speaker) = ANY(CAST(:names AS text[])) THEN :speaker_bonus
                     ELSE 0 END
              + CASE WHEN mentions_time THEN :when_bonus ELSE 0 END
              - CASE WHEN superseded THEN :superseded_penalty ELSE 0 END AS score
    FROM fused WHERE relevance > 0 AND relevance >= :min_relevance
),
top AS (SELECT * FROM kept ORDER BY score DESC, occurred_at DESC, text, id LIMIT :k)
SELECT meta.found, meta.pool, meta.dense_rows,
       m.id, m.user_id, m.text, m.speaker, m.source_turn_ids, m.provenance, m.tags,
       m.occurred_at, top.dense, top.lexical, top.relevance, top.recency, top.score
FROM (SELECT (SELECT count(*) FROM kept) AS found, (SELECT count(*) FROM scored) AS pool,
             {dense_rows} AS dense_rows) AS meta
LEFT JOIN (top JOIN memories m ON m.id = top.id AND m.user_id = :u) ON true
ORDER BY top.score DESC, top.occurred_at DESC, m.text, top.id
"""
