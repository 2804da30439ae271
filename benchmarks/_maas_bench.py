"""Shared set-up of the memory-service benchmarks: a throwaway database on a PostgreSQL."""

from __future__ import annotations

import os
import platform
import statistics
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scipy import stats
from sqlalchemy import create_engine, text

from selflearn.bootstrap import Components, open_components
from selflearn.settings import Settings
from selflearn.store import embedded_url, start_embedded

DEFAULT_PGDATA = Path(os.environ.get("SELFLEARN_BENCH_PGDATA", "/tmp/selflearn-bench/pg"))


@contextmanager
def scratch_components(prefix: str, pgdata: Path = DEFAULT_PGDATA) -> Iterator[Components]:
    """Yield the components on a fresh, migrated database of the embedded server; drop it
    afterwards."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = start_embedded(pgdata)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(embedded_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    settings = Settings(database_url=embedded_url(server, name), home=pgdata.parent / "home")
    components = open_components(settings)
    try:
        yield components
    finally:
        components.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def machine() -> str:
    """Describe the machine a result was measured on."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def t_interval(values: list[float]) -> tuple[float, float]:
    """Return the 95 % t interval of the mean of `values` (at least two)."""
    mean = statistics.fmean(values)
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return mean - half, mean + half
