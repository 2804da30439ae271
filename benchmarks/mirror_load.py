"""Benchmark: 100 WebSocket clients on the mirror hub while users send turns and feedback.

Starts `selflearn serve` (the mirror loop's logger and learner run inside it) on a fresh
embedded database, connects `--clients` WebSocket clients on loopback, and lets `--users`
simulated users (each on one of those connections) send a turn and then ask for feedback,
at seeded random intervals, for `--minutes`. Measured:

- feedback latency: from sending `{"type": "feedback"}` to its `feedback_result`;
- episodes: every feedback the loop logged must reach `mirror_events` (the stats route's
  `n` over the run) and be pushed to every client as an `episode` event; every `feedback`
  event must reach every client;
- memory: the server's RSS (from /proc) every 5 s.

Targets, fixed before the run: feedback p99 ≤ 50 ms; no episode lost (logged = rows =
pushed to each client); RSS flat: the median of the last minute within 5 % of the median of
the second minute (the first is warm-up).

Usage: python benchmarks/mirror_load.py [--minutes 5] [--clients 100] [--users 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import websockets

from selflearn.web.client import StudentUnavailableError, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
#: What simulated users say: aggregates of these move the field (no text is kept).
PHRASES = (
    "I feel calm and focused today",
    "everything is falling apart, I am so tired",
    "this is exciting, let's go!",
    "I'm not sure what to think about it",
    "thank you, that helped a lot",
    "I am angry that nobody listens",
    "quiet evening, a bit sad but fine",
    "we did it together, great team",
)
TYPE_FIRST = '{"type": "'
SETTLE_SECONDS = 8.0  # episodes close 3-5 s after their feedback


@dataclass
class Client:
    """One connection: what it received, and (for a user's connection) its latencies."""

    index: int
    received: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    logged: int = 0
    errors: list[str] = field(default_factory=list)
    pending: dict[int, float] = field(default_factory=dict)
    replies: dict[int, asyncio.Future[dict]] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """The resident memory of process `pid` and its children (MB)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def p99_interval(values: list[float]) -> tuple[float, float]:
    """A distribution-free 95 % interval of the 99th percentile (order statistics)."""
    n = len(values)
    ordered = sorted(values)
    mean, sd = 0.99 * n, math.sqrt(n * 0.99 * 0.01)
    low = max(0, math.floor(mean - 1.96 * sd) - 1)
    high = min(n - 1, math.ceil(mean + 1.96 * sd) - 1)
    return ordered[low], ordered[high]


async def listen(ws, client: Client) -> None:
    # The hub writes "type" first, so pushes are counted without parsing them: the clients
    # share one process, whose own lag would otherwise add to the latency measured.
    async for raw in ws:
        kind = raw[10 : raw.index('"', 10)] if raw.startswith(TYPE_FIRST) else None
        if kind is None or kind in ("feedback_result", "turn_result", "pong", "error"):
            message = json.loads(raw)
            kind = message.get("type")
        client.received[kind] += 1
        if kind == "feedback_result":
            sent = client.pending.pop(message["id"], None)
            if sent is not None:
                client.latencies_ms.append((time.perf_counter() - sent) * 1000)
            if message["data"].get("logged"):
                client.logged += 1
        elif kind == "error":
            client.errors.append(message["error"]["code"])
        if kind in ("turn_result", "feedback_result", "pong", "error"):
            reply = client.replies.pop(message.get("id"), None)
            if reply is not None and not reply.done():
                reply.set_result(message)


async def user(ws, client: Client, user_id: str, rng: random.Random, until: float) -> int:
    """Send a turn, then ask for feedback, every 0.5-1.5 s until `until`; return requests."""
    asked = 0
    loop = asyncio.get_running_loop()
    while time.perf_counter() < until:
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        asked += 1
        turn_id, feedback_id = 2 * asked, 2 * asked + 1
        done = loop.create_future()
        client.replies[turn_id] = done
        text = rng.choice(PHRASES)
        await ws.send(json.dumps({"type": "turn", "user_id": user_id, "text": text, "id": turn_id}))
        await asyncio.wait_for(done, 10)
        client.pending[feedback_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "feedback", "user_id": user_id, "id": feedback_id}))
    return asked


async def run_clients(url: str, token: str, args, server_pid: int) -> dict:
    clients = [Client(i) for i in range(args.clients)]
    sockets = [
        await websockets.connect(f"{url}/api/v1/mirror/ws?token={token}", max_queue=None)
        for _ in clients
    ]
    listeners = [asyncio.create_task(listen(ws, c)) for ws, c in zip(sockets, clients, strict=True)]
    rss: list[tuple[float, float]] = []
    started = time.perf_counter()
    until = started + args.minutes * 60

    async def sample() -> None:
        while time.perf_counter() < until + SETTLE_SECONDS:
            rss.append((time.perf_counter() - started, rss_mb(server_pid)))
            await asyncio.sleep(5)

    sampler = asyncio.create_task(sample())
    rng = random.Random(args.seed)
    users = [
        user(sockets[i], clients[i], f"sim-{args.seed}-{i}", random.Random(rng.random()), until)
        for i in range(args.users)
    ]
    asked = sum(await asyncio.gather(*users))
    await asyncio.sleep(SETTLE_SECONDS)
    await sampler
    # Episodes due by now are logged (the replay route ticks first), then compare.
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as h:
        (await h.post("/api/v1/mirror/replay")).raise_for_status()
        await asyncio.sleep(1.0)
        window = {
            "from": (datetime.now(UTC) - timedelta(minutes=args.minutes + 5)).isoformat(),
            "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        }
        stats = (await h.get("/api/v1/mirror/stats", params=window)).json()
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*listeners, return_exceptions=True)
    return {"clients": clients, "asked": asked, "stats": stats, "rss": rss}


def regression_slope(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares slope of RSS over time (MB per minute) with its 95 % interval."""
    xs = [t / 60 for t, _ in points]
    ys = [v for _, v in points]
    n = len(xs)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    resid = [y - (my + slope * (x - mx)) for x, y in zip(xs, ys, strict=True)]
    se = math.sqrt(sum(r * r for r in resid) / max(1, n - 2) / sxx)
    return slope, slope - 1.96 * se, slope + 1.96 * se


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--home", default=f"/tmp/sl-mirror-load-{os.getpid()}")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "mirror_load.md"))
    args = parser.parse_args()
    if not 1 <= args.users <= args.clients:
        parser.error("--users must be between 1 and --clients")
    env = {**os.environ, "SELFLEARN_HOME": args.home}
    env.pop("DATABASE_URL", None)
    os.environ.update(SELFLEARN_HOME=args.home)
    os.environ.pop("DATABASE_URL", None)

    from selflearn.bootstrap import open_components
    from selflearn.store import session_scope
    from selflearn.web import create_token

    components = open_components()  # migrates the fresh database before the server opens it
    with session_scope(components.database.engine) as session:
        token = create_token("admin", session=session, name="mirror load").token
    components.close()

    port = free_port()
    selflearn = Path(sys.executable).with_name("selflearn")
    server = subprocess.Popen(
        [str(selflearn), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, alive=lambda: server.poll() is None)
    except StudentUnavailableError as error:
        raise SystemExit(f"{error}: {server.stderr.read()[-2000:]}") from error  # type: ignore[union-attr]
    try:
        result = asyncio.run(run_clients(url.replace("http", "ws"), token, args, server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    write_report(args, result, url, code)


def write_report(args, result: dict, url: str, exit_code: int) -> None:
    clients: list[Client] = result["clients"]
    latencies = [v for c in clients for v in c.latencies_ms]
    logged = sum(c.logged for c in clients)
    requests = sum(len(c.latencies_ms) for c in clients)
    rows = int(result["stats"].get("n", -1))
    episodes_pushed = [c.received["episode"] for c in clients]
    feedback_pushed = [c.received["feedback"] for c in clients]
    errors = Counter(code for c in clients for code in c.errors)
    p99 = percentile(latencies, 0.99)
    low, high = p99_interval(latencies)
    rss = result["rss"]
    second = [v for t, v in rss if 60 <= t < 120] or [rss[0][1]]
    last_minute = [v for t, v in rss if t >= rss[-1][0] - 60]
    growth = statistics.median(last_minute) / statistics.median(second) - 1
    slope, slope_low, slope_high = regression_slope([p for p in rss if p[0] >= 60] or rss)
    lost = not (rows == logged and min(episodes_pushed) == max(episodes_pushed) == logged)
    feedback_lost = not (min(feedback_pushed) == max(feedback_pushed) == requests)

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    lines = [
        "# Mirror hub under load",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.uname().machine}, "
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end), with "
        f"`python benchmarks/mirror_load.py "
        f"--minutes {args.minutes:g} --clients {args.clients} --users {args.users} "
        f"--seed {args.seed}`: `selflearn serve` on a fresh embedded PostgreSQL (its mirror "
        "loop logging and learning every 60 s in the server), the clients in a second process "
        "on loopback. Each simulated user sends a turn, waits for its answer, then asks for "
        "feedback, every 0.5-1.5 s (seeded). The server stopped with exit code "
        f"{exit_code} after SIGTERM.",
        "",
        "Targets (fixed before the run): feedback p99 ≤ 50 ms; no episode lost; server RSS "
        "flat (median of the last minute within 5 % of the median of the second minute).",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| feedback requests answered | {requests:,} of {result['asked']:,} sent | all |",
        f"| feedback latency p50 / p95 / p99 (ms) | {percentile(latencies, 0.5):.1f} / "
        f"{percentile(latencies, 0.95):.1f} / {p99:.1f} (95 % interval of p99 "
        f"{low:.1f}-{high:.1f}, n = {len(latencies):,}) | p99 ≤ 50: {verdict(p99 <= 50)} |",
        f"| max latency (ms) | {max(latencies):.1f} | |",
        f"| episodes the loop logged (feedback answered `logged: true`) | {logged:,} | |",
        f"| `mirror_events` rows over the run (stats `n`) | {rows:,} | = logged |",
        f"| `episode` events pushed per client (min / max over {len(clients)}) | "
        f"{min(episodes_pushed):,} / {max(episodes_pushed):,} | = logged |",
        f"| `feedback` events pushed per client (min / max) | {min(feedback_pushed):,} / "
        f"{max(feedback_pushed):,} | = requests |",
        f"| no episode lost | {'yes' if not lost else 'no'} | {verdict(not lost)} |",
        f"| no feedback event lost | {'yes' if not feedback_lost else 'no'} | "
        f"{verdict(not feedback_lost)} |",
        f"| server RSS, second minute / last minute (MB, medians) | "
        f"{statistics.median(second):.1f} / {statistics.median(last_minute):.1f} "
        f"({growth:+.1%}) | within 5 %: {verdict(abs(growth) <= 0.05)} |",
        f"| RSS slope after warm-up (MB/min, 95 % interval) | {slope:+.2f} "
        f"({slope_low:+.2f} to {slope_high:+.2f}), n = {len(rss)} samples | |",
        f"| errors answered to clients | {dict(errors) or 'none'} | |",
        "",
        "RSS samples (s, MB): "
        + ", ".join(f"{t:.0f}: {v:.0f}" for t, v in rss[:: max(1, len(rss) // 20)]),
        "",
        "The rate limit of one episode per 2 s per bucket is why far fewer episodes are logged "
        "than feedback is asked for: the other answers say `logged: false`.",
    ]
    report = "\n".join(lines)
    Path(args.out).write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
