"""/mirror in a real browser: the page goes live over the WebSocket and its heatmap fills as a
simulated day runs, without a reload.

With SELFLEARN_MIRROR_SCREENSHOT=docs/img/mirror.png the page is saved there at the end
(the README's picture is made this way).
"""

from __future__ import annotations

import os
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser import chromium, missing_browser, served
from mirror_fixtures import ManualClock

from selflearn.learners.mirror import MirrorLoop
from selflearn.web import create_app

reason = missing_browser()
if reason is not None:
    pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEED = 11
USERS = 6
#: What the simulated users say, from gloomy to bright (the field moves with it).
PHRASES = (
    "I am exhausted and everything feels hopeless",
    "so angry, nobody listens to me",
    "a bit tired, not sure about today",
    "it's fine, nothing special",
    "calm and focused, thanks",
    "wonderful news, I feel great and grateful!",
)


def run_hour(loop: MirrorLoop, clock: ManualClock, rng: random.Random, hour: int) -> int:
    """Play one simulated hour: rounds of turns and feedback; return the episodes logged."""
    clock.now = clock.now.replace(hour=hour, minute=0, second=0)
    mood = rng.randrange(len(PHRASES))
    logged = 0
    for _ in range(6):
        for user in range(USERS):
            shift = rng.choice((-1, 0, 0, 1))
            text = PHRASES[max(0, min(len(PHRASES) - 1, mood + shift))]
            loop.observe(f"day-{user}", text)
            logged += loop.feedback(f"day-{user}").logged
            clock.advance(0.4)
        clock.advance(6)
        loop.tick()
    return logged


def test_the_heatmap_fills_as_a_simulated_day_runs(components, service, database, tokens):
    clock = ManualClock(datetime(2024, 6, 3, 0, 0, tzinfo=UTC))
    loop = MirrorLoop(database.engine, seed=SEED, clock=clock)
    app = create_app(components, student=service, mirror=loop)
    rng = random.Random(SEED)
    with served(app) as url, chromium() as browser:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto("/mirror")
        expect(page).to_have_url(re.compile(r"/login"))
        page.fill("input[name=token]", tokens["admin"])
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/mirror$"))
        expect(page.locator("nav a.here")).to_have_text("Mirror")
        expect(page.locator("#mirror-live")).to_have_text("live")
        cells = page.locator("#heatmap rect[data-filled]")
        assert cells.count() == 0
        filled = []
        for hour in range(24):
            assert run_hour(loop, clock, rng, hour) > 0
            loop.learn()
            expect(page.locator("#heatmap-hours")).to_have_text(f"{hour + 1} of 24 hours learnt")
            filled.append(cells.count())
        assert all(b > a for a, b in zip(filled, filled[1:], strict=False)), filled
        episodes = int(page.locator("#episode-count").inner_text())
        assert episodes > 24
        assert page.locator("#episodes-chart polyline").count() == 2
        expect(page.locator("[data-stat=n]")).not_to_have_text(re.compile(r"^(0|—)$"))
        last = loop.feedback("day-0")
        expect(page.locator("#bucket-key")).to_have_text(last.bucket_key)
        expect(page.locator("[data-action=tone]")).to_have_text(last.action.tone)  # type: ignore[union-attr]
        # The switch is on by default; turning it off is kept.
        toggle = page.get_by_label("Adaptive feedback (Mirror)")
        expect(toggle).to_be_checked()
        shot = os.environ.get("SELFLEARN_MIRROR_SCREENSHOT")
        if shot:
            page.screenshot(path=str(ROOT / shot), full_page=True)
        page.fill("#profile-form input[name=user_id]", "day-5")
        toggle.uncheck()
        page.click("#profile-form button[type=submit]")
        expect(page).to_have_url(re.compile(r"/mirror\?user=day-5"))
        expect(page.get_by_label("Adaptive feedback (Mirror)")).not_to_be_checked()
        assert loop.is_enabled("day-5") is False
        context.close()
    assert clock.now - datetime(2024, 6, 3, tzinfo=UTC) < timedelta(days=1)
