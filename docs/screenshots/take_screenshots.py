"""Take the README's screenshots of every console page with Debian's chromium.

Starts the app on a fresh data directory (offline defaults), runs a small campaign through
the owner API, sets a goal in the chat, files a proposal, then photographs each page.

Usage: .venv/bin/python docs/screenshots/take_screenshots.py [--home /tmp/sl-shots]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=f"/tmp/sl-shots-{os.getpid()}")
    args = parser.parse_args()
    os.environ["SELFLEARN_HOME"] = args.home
    os.environ.pop("DATABASE_URL", None)

    import httpx
    from browser import chromium, served
    from owner_fixtures import small_scenarios

    from selflearn.bootstrap import open_components
    from selflearn.graph import CampaignOptions
    from selflearn.store import session_scope
    from selflearn.tuner import active_version, propose_update
    from selflearn.web import create_app, create_token

    components = open_components()
    folder = Path(args.home) / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    defaults = CampaignOptions(scenarios=(str(small_scenarios(folder)),), holdout_seeds=2)
    with session_scope(components.database.engine) as session:
        token = create_token("admin", session=session, name="owner").token
    app = create_app(components, campaign_defaults=defaults)
    with served(app) as url, chromium() as browser:
        api = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"},
                           timeout=60)  # fmt: skip
        started = api.post("/campaigns", json={"goal": "cut hallucinations below 5 % without "
                           "losing recall", "budget": 24, "seed": 0}).json()  # fmt: skip
        campaign_id = started["campaign_id"]
        page = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900},
                                   device_scale_factor=1).new_page()  # fmt: skip
        page.goto("/login")
        page.screenshot(path=str(HERE / "login.png"))
        page.fill("input[name=token]", token)
        page.click("button[type=submit]")
        time.sleep(3)
        page.goto("/")
        page.screenshot(path=str(HERE / "overview-running.png"), full_page=True)
        while api.get(f"/campaigns/{campaign_id}").json()["status"] == "running":
            time.sleep(1)
        with session_scope(components.database.engine) as session:
            active = active_version(session=session)
            assert active is not None
            before = float(active.params.get("retrieval.recency_weight", 0.1))
            propose_update(
                {"action": "update_params", "reason": "recency helps with updated facts",
                 "changes": [{"param": "retrieval.recency_weight", "from": before,
                              "to": round(before + 0.1, 3)}],
                 "rollback_conditions": {"precision_drop": 0.1, "cycles": 3}},
                session=session, now=datetime.now(UTC),
            )  # fmt: skip
        page.goto("/chat")
        page.fill("#chat-form input[name=message]", "raise recall by 5 % without raising latency")
        page.click("#chat-form button[type=submit]")
        page.locator("#pending-card").wait_for(state="visible")
        page.screenshot(path=str(HERE / "chat.png"), full_page=True)
        shots = {
            "overview": "/",
            "approvals": "/approvals",
            "campaigns": "/campaigns",
            "campaign": f"/campaigns/{campaign_id}",
            "parameters": "/parameters",
            "telemetry": "/telemetry",
        }
        for name, path in shots.items():
            page.goto(path)
            page.screenshot(path=str(HERE / f"{name}.png"), full_page=True)
        api.close()
    components.close()
    print(f"screenshots in {HERE}")


if __name__ == "__main__":
    main()
