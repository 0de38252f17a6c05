"""Benchmark of `wallboard serve` on loopback: server CPU, event-to-state delay, 304 cost.

    python benchmarks/feed_server.py [--seconds 20] [--clients 50] [--calls 1000] [--rate 50]

1. One server (a subprocess) with ~1,000 live demo calls at ~50 events/s and 50 SSE
   clients: the server process's CPU (from /proc, over --seconds, in 4 s samples; median).
2. One more client, the real FeedClient applying to a LiveState: the delay from each
   event's own time (`at`, set by the source) to the moment it is applied; p50 / p95.
   It includes the demo source's 0.2 s tick, i.e. the whole path source -> screen state.
3. A second server with the same calls but almost no changes, polled with If-None-Match
   by 4 concurrent clients: server CPU per request (idle CPU subtracted), share of 304s.

Loopback only; every loop is bounded in count and time; the servers are ended at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.config import FeedSource  # noqa: E402
from wallboard.core.events import AccountStatusChanged, CallEnded  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.sources.feed import FeedClient  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def start(port: int, calls: int, rate: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull}
    env.pop("WALLBOARD_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "serve", "--source", "demo", "--port", str(port),
         "--demo-calls", str(calls), "--demo-events", str(rate), "--seed", "7"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()["ready"]:
                return proc
        except (httpx.HTTPError, ValueError):
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def sse_reader(url: str, until: float, counts: list[int], i: int) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as http:
        async with http.stream("GET", f"{url}/v1/events") as response:
            async for chunk in response.aiter_bytes():
                counts[i] += chunk.count(b"\ndata: ")
                if time.monotonic() > until:
                    return


async def follower(url: str, until: float, delays: list[float]) -> None:
    client = FeedClient(FeedSource(url=url), environ={})
    state = LiveState()
    events = client.events()
    try:
        async for batch in events:
            state.apply_all(batch)
            now = datetime.now(UTC)
            for event in batch:
                if isinstance(event, CallEnded | AccountStatusChanged) and event.at:
                    delays.append((now - event.at).total_seconds())
            if time.monotonic() > until:
                return
    finally:
        await events.aclose()
        await client.aclose()


async def stream_phase(url: str, pid: int, clients: int, seconds: float) -> dict[str, float]:
    warmup = 3.0
    until = time.monotonic() + warmup + seconds + 1
    counts = [0] * clients
    delays: list[float] = []
    tasks = [asyncio.create_task(sse_reader(url, until, counts, i)) for i in range(clients)]
    tasks.append(asyncio.create_task(follower(url, until, delays)))
    await asyncio.sleep(warmup)
    delays.clear()
    samples = []
    sample = 4.0
    for _ in range(max(1, int(seconds // sample))):
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(sample)
        samples.append((cpu_seconds(pid) - cpu0) / (time.monotonic() - t0) * 100)
    events_total = sum(counts)
    await asyncio.wait(tasks, timeout=15)
    for task in tasks:
        task.cancel()
    delays.sort()
    return {
        "cpu_median_pct": statistics.median(samples),
        "cpu_samples": samples,
        "events_per_client": events_total / clients,
        "delay_p50_ms": delays[len(delays) // 2] * 1000 if delays else float("nan"),
        "delay_p95_ms": delays[int(len(delays) * 0.95)] * 1000 if delays else float("nan"),
        "delay_n": len(delays),
    }


async def poll_phase(url: str, pid: int, requests: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        etag = (await http.get("/v1/snapshot")).headers["etag"]
        idle0, t0 = cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(2)
        idle_rate = (cpu_seconds(pid) - idle0) / (time.monotonic() - t0)
        statuses = {200: 0, 304: 0}

        async def worker(n: int) -> None:
            nonlocal etag
            for _ in range(n):
                r = await http.get("/v1/snapshot", headers={"If-None-Match": etag})
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 200:
                    etag = r.headers["etag"]

        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        await asyncio.gather(*(worker(requests // 4) for _ in range(4)))
        elapsed = time.monotonic() - t0
        used = cpu_seconds(pid) - cpu0 - idle_rate * elapsed
    done = sum(statuses.values())
    return {"cpu_ms_per_request": used / done * 1000, "requests": done,
            "share_304": statuses.get(304, 0) / done, "requests_per_s": done / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--poll-requests", type=int, default=4000)
    args = parser.parse_args()

    port = free_port()
    server = start(port, args.calls, args.rate)
    try:
        result = asyncio.run(stream_phase(f"http://127.0.0.1:{port}", server.pid,
                                          args.clients, args.seconds))
    finally:
        stop(server)
    print(f"stream: {args.calls} calls, ~{args.rate:g} events/s, {args.clients} SSE clients")
    print(f"  server CPU: median {result['cpu_median_pct']:.1f} % of one core "
          f"(samples {', '.join(f'{s:.1f}' for s in result['cpu_samples'])})")
    print(f"  events received per client: {result['events_per_client']:.0f}")
    print(f"  event -> client state delay: p50 {result['delay_p50_ms']:.0f} ms, "
          f"p95 {result['delay_p95_ms']:.0f} ms (n={result['delay_n']})")

    port = free_port()
    server = start(port, args.calls, 0.01)
    try:
        poll = asyncio.run(poll_phase(f"http://127.0.0.1:{port}", server.pid,
                                      args.poll_requests))
    finally:
        stop(server)
    print(f"poll: {poll['requests']} conditional GETs, {poll['share_304']:.0%} answered 304, "
          f"{poll['requests_per_s']:.0f} requests/s")
    print(f"  server CPU per request: {poll['cpu_ms_per_request']:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
