"""Fuzz the whole app's OpenAPI document with schemathesis, as a new user would run it.

The schemathesis command runs against the app served on a local port, with a fixed seed:
its coverage phase sends the boundary values of every declared constraint (an empty
query, a limit past a bigint) and its fuzzing and stateful phases generated requests. The
checks: no 500, responses that match their schema, only documented status codes and
content types, and input the schema forbids refused. Starting or resuming a campaign is
left out here (a valid generated goal runs a campaign in the background);
benchmarks/api_fuzz.py runs every check on every operation, for longer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import served

from selflearn.store import session_scope
from selflearn.web import create_token

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,negative_data_rejection"
)
SEED = 7


def schemathesis_command() -> list[str]:
    """Return how to run the schemathesis command of this environment."""
    script = Path(sys.executable).with_name("schemathesis")
    if script.exists():
        return [str(script)]
    found = shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    return [found]


@pytest.mark.timeout(900)
def test_the_app_keeps_its_openapi_promises(app, database):
    with session_scope(database.engine) as session:
        token = create_token("admin", session=session, name="fuzzer").token
    with served(app) as url:
        result = subprocess.run(
            [
                *schemathesis_command(), "run", f"{url}/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--seed", str(SEED), "--max-examples", "10", "--checks", CHECKS,
                "--exclude-operation-id", "start_campaign",
                "--exclude-operation-id", "resume_campaign",
                "--no-color",
            ],
            capture_output=True, text=True, timeout=840,
        )  # fmt: skip
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert " passed" in summary and "Tested: 3" in summary, summary
