"""The SQL behind the evaluation: per-episode metrics, paired across arms.

Counted episodes (`counted`): completed episodes of the experiment, in one of the plan's
arms. Within an arm, one episode per (scenario_id, seed): the last to finish (a re-run
replaces an earlier one instead of counting twice). Episodes still running never count.

Pairs (`pairs`): the (scenario_id, seed) keys that every arm completed. They are ordered
by the look at which the last arm completed them (the order in which pairs reached the
sequential test), then by scenario and seed, so the same campaign always feeds the test the
same sequence whatever order parallel episodes happened to finish in.

Per-episode metrics (`scores`): the aggregates of `metrics.SQL_COLUMNS` over the episode's rows
in `probe_results`.
"""

from __future__ import annotations

from selflearn.agents.teacher.metrics import MEASURED, select_list

_COUNTED = """
counted AS (
    SELECT DISTINCT ON (e.variant, e.scenario_id, e.seed)
           e.id, e.variant AS arm, e.scenario_id, e.seed, e.finished_at,
           coalesce(e.look, 0) AS look
    FROM episodes AS e
    WHERE e.experiment_id = :experiment_id
      AND e.status = 'completed'
      AND e.variant = ANY(:arms)
    ORDER BY e.variant, e.scenario_id, e.seed, e.finished_at DESC NULLS LAST, e.id DESC
),
pairs AS (
    SELECT scenario_id, seed, max(look) AS pair_look
    FROM counted
    GROUP BY scenario_id, seed
    HAVING count(*) = :n_arms
)"""

_METRIC_COLUMNS = select_list()

#: One row per counted episode; ``pair_order`` ranks the pairs in arrival order.
EPISODE_METRICS = f"""
WITH {_COUNTED.strip()},
scores AS (
    SELECT p.episode_id,
    count(*) AS probes,
{_METRIC_COLUMNS}
    FROM probe_results AS p
    JOIN counted AS c ON c.id = p.episode_id
    GROUP BY p.episode_id
)
SELECT c.arm, c.scenario_id, c.seed, c.id AS episode_id,
       pr.scenario_id IS NOT NULL AS paired,
       dense_rank() OVER (
           ORDER BY pr.pair_look NULLS LAST, pr.scenario_id, pr.seed
       ) AS pair_order,
       coalesce(s.probes, 0) AS probes,
       {", ".join(f"s.{name}" for name in MEASURED)}
FROM counted AS c
LEFT JOIN pairs AS pr ON pr.scenario_id = c.scenario_id AND pr.seed = c.seed
LEFT JOIN scores AS s ON s.episode_id = c.id
ORDER BY pair_order, c.arm
"""

#: Per arm, over every probe of its paired episodes: tail latency, tokens and cost per probe.
ARM_PROBES = f"""
WITH {_COUNTED.strip()}
SELECT c.arm,
       count(p.id) AS probes,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY p.latency_ms) AS latency_ms_p95,
       avg(CAST(p.tokens AS numeric)) AS tokens_per_probe,
       avg(CAST(p.cost_usd AS numeric)) AS cost_per_probe_usd
FROM counted AS c
JOIN pairs AS pr ON pr.scenario_id = c.scenario_id AND pr.seed = c.seed
JOIN probe_results AS p ON p.episode_id = c.id
GROUP BY c.arm
"""

#: Episodes of the experiment that have not finished (reported, never counted).
UNFINISHED = """
SELECT count(*) FROM episodes
WHERE experiment_id = :experiment_id AND status <> 'completed'
"""
