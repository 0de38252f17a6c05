"""Benchmark of `wallboard serve` on loopback: server CPU, event-to-client latency, 304 cost.

    python benchmarks/feed_server.py [--seconds 20] [--clients 50] [--calls 1000] [--rate 50]

1. Server CPU: one ``wallboard serve --source demo`` (a subprocess) with ~1,000 live calls
   at ~50 call events/s and 50 SSE clients (in a child process of their own). CPU is the
   server process's, from /proc, as the mean over the window; each client's count of
   events received is printed, to check that they all got the whole stream.
2. Latency, isolated: a server whose source pushes each event the moment it happens (the
   demo call center, advanced every millisecond, each event sent alone and stamped with
   the moment it is sent), 50 clients: 49 SSE readers in their own process and one real
   FeedClient applying the stream to a LiveState. The delay runs from the source emitting
   an event to that client's state having it: p50 / p95 over the window.
3. A server with the same calls but almost no changes, polled with If-None-Match by 4
   concurrent clients: server CPU per request (idle CPU subtracted), share of 304s.

Budgets (exit status 1 if one is missed): server CPU under 25 % of a core; p95 latency
under 50 ms; a poll answered 304 under 1 ms of server CPU.

Loopback only; every loop is bounded in count and time; the servers and the readers are
ended at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.config import FeedSource  # noqa: E402
from wallboard.core.events import (  # noqa: E402
    AccountStatusChanged,
    CallEnded,
    ConnectionChanged,
    Event,
    Link,
)
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.sources.base import Source  # noqa: E402
from wallboard.sources.feed import FeedClient  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
BUDGET_CPU_PERCENT = 25.0
BUDGET_P95_MS = 50.0
BUDGET_304_MS = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def child_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull}
    env.pop("WALLBOARD_TOKEN", None)
    return env


def wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()["ready"]:
                return
        except (httpx.HTTPError, ValueError):
            if proc.poll() is not None:
                raise SystemExit("feed_server: the server exited at start") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("feed_server: the server did not start")


def start_demo_server(port: int, calls: int, rate: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "serve", "--source", "demo", "--port", str(port),
         "--demo-calls", str(calls), "--demo-events", str(rate), "--seed", "7"],
        env=child_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_ready(proc, port)
    return proc


def start_push_server(port: int, calls: int, rate: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--serve-push", str(port), "--calls", str(calls),
         "--rate", str(rate)],
        env=child_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_ready(proc, port)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# -- the source that pushes at once (runs in the --serve-push child) ------------------------
class PushSource(Source):
    """The demo call center, advanced every millisecond; each event is sent alone the
    moment the simulation produces it, and timed events carry that moment as ``at``."""

    title = "push benchmark"

    def __init__(self, calls: int, rate: float) -> None:
        from wallboard.sources.demo.center import DemoCallCenter

        self.center = DemoCallCenter(datetime.now(UTC), seed=7, calls=calls,
                                     events_per_second=rate)
        self._closed = False

    async def events(self) -> AsyncIterator[list[Event]]:
        yield [ConnectionChanged(link=Link.LIVE, at=datetime.now(UTC)), self.center.snapshot()]
        while not self._closed:
            await asyncio.sleep(0.001)
            for event in self.center.advance(datetime.now(UTC)):
                if isinstance(event, CallEnded | AccountStatusChanged):
                    event = event.model_copy(update={"at": datetime.now(UTC)})
                yield [event]

    async def aclose(self) -> None:
        self._closed = True


def serve_push(port: int, calls: int, rate: float) -> int:
    from wallboard.server.app import create_server_app
    from wallboard.server.run import build_server

    app = create_server_app(PushSource(calls, rate))
    build_server(app, "127.0.0.1", port, log_level="warning").run()
    return 0


# -- the SSE readers (run in the --readers child) -------------------------------------------
async def read_stream(http: httpx.AsyncClient, url: str, connected: asyncio.Event,
                      window: list[float], counts: list[int], i: int) -> None:
    async with http.stream("GET", f"{url}/v1/events") as response:
        connected.set()
        async for chunk in response.aiter_bytes():
            now = time.monotonic()
            if window and window[0] <= now < window[1]:
                counts[i] += chunk.count(b"\ndata: ")
            if window and now >= window[1]:
                return


async def readers(url: str, clients: int, warmup: float, seconds: float) -> list[int]:
    """``clients`` SSE streams; says "ready" once all are connected, then counts the
    events each receives from ``warmup`` seconds later, for ``seconds``."""
    counts = [0] * clients
    window: list[float] = []
    limits = httpx.Limits(max_connections=clients + 5)
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=30), limits=limits) as http:
        connected = [asyncio.Event() for _ in range(clients)]
        tasks = [asyncio.create_task(read_stream(http, url, connected[i], window, counts, i))
                 for i in range(clients)]
        await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), 30)
        print("ready", flush=True)
        start = time.monotonic() + warmup
        window.extend([start, start + seconds])
        await asyncio.wait(tasks, timeout=warmup + seconds + 15)
        for task in tasks:
            task.cancel()
    return counts


def start_readers(url: str, clients: int, warmup: float,
                  seconds: float) -> subprocess.Popen[str]:
    """The readers in a process of their own; returns once they are all connected."""
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--readers", url, "--clients", str(clients),
         "--warmup", str(warmup), "--seconds", str(seconds)],
        env=child_env(), cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise SystemExit("feed_server: the SSE readers did not connect")
    return proc


def reader_counts(proc: subprocess.Popen[str], seconds: float) -> list[int]:
    out, _ = proc.communicate(timeout=seconds + 30)
    return json.loads(out)


# -- the phases -----------------------------------------------------------------------------
async def follow(url: str, until: float, delays: list[float], received: list[int]) -> None:
    """A real FeedClient applying the stream to a LiveState; delays of the timed events."""
    # each change at once: the feed's own delay (a board asks for batches of 0.25 s, which
    # adds up to that much: FeedSource.batch_seconds)
    client = FeedClient(FeedSource(url=url, batch_seconds=0), environ={})
    state = LiveState()
    events = client.events()
    try:
        async for batch in events:
            state.apply_all(batch)
            now = datetime.now(UTC)
            received[0] += len(batch)
            for event in batch:
                if isinstance(event, CallEnded | AccountStatusChanged) and event.at:
                    delays.append((now - event.at).total_seconds())
            if time.monotonic() > until:
                return
    finally:
        await events.aclose()
        await client.aclose()


def cpu_phase(port: int, pid: int, clients: int, seconds: float) -> dict[str, object]:
    warmup = 3.0
    proc = start_readers(f"http://127.0.0.1:{port}", clients, warmup, seconds)
    time.sleep(warmup)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0) * 100
    return {"cpu_percent": cpu, "counts": reader_counts(proc, seconds)}


async def latency_phase(port: int, clients: int, seconds: float) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}"
    warmup = 3.0
    proc = start_readers(url, clients - 1, warmup, seconds)
    delays: list[float] = []
    received = [0]
    task = asyncio.create_task(follow(url, time.monotonic() + warmup + seconds, delays,
                                      received))
    await asyncio.sleep(warmup)
    delays.clear()
    received[0] = 0
    await asyncio.wait([task], timeout=seconds + 15)
    task.cancel()
    counts = reader_counts(proc, seconds)
    delays.sort()
    return {
        "p50_ms": delays[len(delays) // 2] * 1000 if delays else float("nan"),
        "p95_ms": delays[int(len(delays) * 0.95)] * 1000 if delays else float("nan"),
        "max_ms": delays[-1] * 1000 if delays else float("nan"),
        "n": len(delays),
        "follower_events": received[0],
        "counts": counts,
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


def per_client(counts: list[int], seconds: float) -> str:
    return (f"{statistics.fmean(counts):.0f} in {seconds:g} s on average (fewest "
            f"{min(counts)}, most {max(counts)}, {len(counts)} clients)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--poll-requests", type=int, default=4000)
    parser.add_argument("--serve-push", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--readers", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=float, default=3.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_push:
        return serve_push(args.serve_push, args.calls, args.rate)
    if args.readers:
        print(json.dumps(asyncio.run(readers(args.readers, args.clients, args.warmup,
                                             args.seconds))))
        return 0

    port = free_port()
    server = start_demo_server(port, args.calls, args.rate)
    try:
        load = cpu_phase(port, server.pid, args.clients, args.seconds)
    finally:
        stop(server)
    cpu = float(load["cpu_percent"])  # type: ignore[arg-type]
    counts = load["counts"]
    assert isinstance(counts, list)
    print(f"1. server CPU: demo, {args.calls} calls, ~{args.rate:g} call events/s, "
          f"{args.clients} SSE clients, {args.seconds:g} s")
    print(f"  server CPU: {cpu:.1f} % of one core (mean over the window)")
    print(f"  events received per client: {per_client(counts, args.seconds)}")

    port = free_port()
    server = start_push_server(port, args.calls, args.rate)
    try:
        lat = asyncio.run(latency_phase(port, args.clients, args.seconds))
    finally:
        stop(server)
    lat_counts = lat["counts"]
    assert isinstance(lat_counts, list)
    print(f"2. latency: a source pushing each event at once, {args.calls} calls, "
          f"~{args.rate:g} call events/s, {args.clients} clients")
    print(f"  source emits -> client state has it: p50 {lat['p50_ms']:.1f} ms, "
          f"p95 {lat['p95_ms']:.1f} ms, max {lat['max_ms']:.0f} ms (n={lat['n']})")
    print(f"  events received per client: {per_client(lat_counts, args.seconds)}; "
          f"the FeedClient's state applied {lat['follower_events']}")

    port = free_port()
    server = start_demo_server(port, args.calls, 0.01)
    try:
        poll = asyncio.run(poll_phase(f"http://127.0.0.1:{port}", server.pid,
                                      args.poll_requests))
    finally:
        stop(server)
    print(f"3. poll: {poll['requests']} conditional GETs, {poll['share_304']:.0%} answered "
          f"304, {poll['requests_per_s']:.0f} requests/s")
    print(f"  server CPU per request: {poll['cpu_ms_per_request']:.3f} ms")

    print("\nREADME:")
    print(f"| feed server: {args.calls:,} calls, {args.rate:g} call events/s, {args.clients} SSE "
          f"clients ({statistics.fmean(counts):.0f} events each in {args.seconds:g} s) | "
          f"< {BUDGET_CPU_PERCENT:g} % of a core | **{cpu:.1f} %** | "
          "`benchmarks/feed_server.py` |")
    print(f"| feed: a source pushing each event at once to a client's state, 95th percentile, "
          f"{args.clients} clients | < {BUDGET_P95_MS:g} ms | **{lat['p95_ms']:.0f} ms** "
          f"(p50 {lat['p50_ms']:.0f} ms) | `benchmarks/feed_server.py` |")
    print(f"| feed: server cost of a poll answered 304 | < {BUDGET_304_MS:g} ms | "
          f"**{poll['cpu_ms_per_request']:.2f} ms** | `benchmarks/feed_server.py` |")
    failed = []
    if cpu >= BUDGET_CPU_PERCENT:
        failed.append(f"server CPU {cpu:.1f} %")
    if not float(lat["p95_ms"]) < BUDGET_P95_MS:  # type: ignore[arg-type]
        failed.append(f"p95 {lat['p95_ms']:.0f} ms")
    if poll["cpu_ms_per_request"] >= BUDGET_304_MS:
        failed.append(f"304 cost {poll['cpu_ms_per_request']:.2f} ms")
    if failed:
        print(f"feed_server: budget missed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
