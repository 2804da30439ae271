"""Helpers for campaign tests: a small scenario set and a runner on the test database."""

from __future__ import annotations

import shutil
from pathlib import Path

from selflearn.graph import CampaignRunner
from tests.factories import make_student

ROOT = Path(__file__).resolve().parents[2]
SMALL_SET = ("moved-city", "marathon-diary", "namesakes", "unanswerable-gaps")


def small_scenarios(tmp: Path) -> Path:
    """Copy three training scenarios and one held-out scenario into `tmp`."""
    folder = tmp / "scenarios"
    folder.mkdir(exist_ok=True)
    for name in SMALL_SET:
        shutil.copy(ROOT / "scenarios" / f"{name}.yaml", folder / f"{name}.yaml")
    return folder


def runner(
    settings, database, events: list | None = None, *, ignored: tuple[str, ...] = ()
) -> CampaignRunner:
    """Return a campaign runner with an in-process Student (`ignored`: factors it ignores)."""
    student = make_student(settings, database, telemetry_flush_every=16)

    def progress(event: str, data: dict) -> None:
        if events is not None:
            events.append((event, data))

    return CampaignRunner(database, student, progress=progress, ignored_factors=ignored)
