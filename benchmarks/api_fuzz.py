"""Benchmark: a long schemathesis run against the whole app, every check, every operation.

Serves the app (the Student API, the owner API, the console) on a local port with its own
embedded PostgreSQL under a fresh SELFLEARN_HOME, makes an admin token, and runs
`schemathesis run --checks all` with a fixed seed, campaigns included (with the bundled
scenarios a generated goal may start one; a second start while it runs is a 409). Prints
the summary; results go to benchmarks/results/api_fuzz.md by hand.

Usage: python benchmarks/api_fuzz.py [--max-examples 100] [--seed 1] [--home /tmp/sl-fuzz]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from selflearn.web.client import wait_until_healthy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", default=f"/tmp/sl-fuzz-{os.getpid()}")
    parser.add_argument("--log", default="/tmp/selflearn-api-fuzz.log", help="Full output.")
    args = parser.parse_args()
    env = {**os.environ, "SELFLEARN_HOME": args.home, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "selflearn.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        token = next(line.strip() for line in server.stdout if line.strip().startswith("slt_"))
        # Keep reading the access log: a full pipe would stop the server mid-run.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, timeout_s=120, alive=lambda: server.poll() is None)
        started = time.perf_counter()
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")), "run",
                f"{url}/openapi.json", "--header", f"Authorization: Bearer {token}",
                "--checks", "all", "--seed", str(args.seed),
                "--max-examples", str(args.max_examples), "--no-color",
            ],
            capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        Path(args.log).write_text(result.stdout + result.stderr)
        summary = result.stdout[result.stdout.rfind("SUMMARY") - 40 :]
        print(summary)
        print(
            f"schemathesis exit {result.returncode} after {elapsed:.0f} s; full output {args.log}"
        )
    finally:
        server.terminate()
        server.wait(timeout=120)
        print(f"server exit {server.returncode}")


if __name__ == "__main__":
    main()
