"""Benchmark of the scale-out (docs/scale-out.md) on loopback: a real redis-server, real
``wallboard ingest`` / ``wallboard serve --bus`` processes, real feed clients.

    python benchmarks/scaleout.py [--seconds 15] [--clients 1000] [--calls 1000] [--rate 50]

1. Fan-out: one ingest (the demo, --calls live calls, --rate call events/s), 3 replicas,
   --clients SSE clients spread over them (20 are real FeedClients applying to a state,
   here; the rest are plain stream readers in a process of their own). The delay from
   the source emitting a change (a stamp the source puts on each call change, wall
   clock) to a client state having it: p50 / p95
   (budget: p95 < 100 ms). Each replica's CPU (from /proc), in % of one core.
2. Failover: two ingests; the leader is killed (SIGKILL) --failovers times; the time from
   the kill to a screen getting the first change the new leader emitted (budget < 10 s).
3. Bus overhead: the same delay through a single-process ``serve`` and through ingest ->
   Redis -> one replica, one after the other in this run, 10 clients each
   (budget: bus p95 at most 2x the single process's).

Exits 1 when a budget is missed. Loopback only; every loop is bounded in time; every
process it starts is ended.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.redis import RedisServer  # noqa: E402
from wallboard.bus import open_bus  # noqa: E402
from wallboard.config import FeedSource  # noqa: E402
from wallboard.core.events import CallUpserted  # noqa: E402
from wallboard.sources.feed import FeedClient  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull}
ENV.pop("WALLBOARD_TOKEN", None)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bus_ingest(url: str, stream: str, calls: int, rate: float) -> subprocess.Popen:
    return spawn("benchmarks/bus_procs.py", "ingest", url, stream, str(calls), str(rate))


def bus_replica(url: str, stream: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = spawn("-m", "wallboard", "serve", "--bus", url, "--stream", stream, "--port",
                 str(port))
    return proc, f"http://127.0.0.1:{port}"


def end(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{url}/healthz")).json()["ready"]:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not get ready")


class Screen:
    """A real FeedClient applying to a state; records the delay of every stamped change."""

    def __init__(self, *urls: str) -> None:
        # each change at once: the fan-out's own delay (a board's batches add their 0.25 s)
        self.client = FeedClient(FeedSource(url=urls[0], urls=list(urls[1:]), batch_seconds=0),
                                 environ={}, backoff_base=0.1, backoff_cap=1.0)
        self.delays: list[float] = []
        self.stamps: list[tuple[float, float]] = []
        """(stamp, arrival) of every change, for the failover measure."""
        self.record = False
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for batch in self.client.events():
            now = time.time()
            for event in batch:
                if isinstance(event, CallUpserted) and "t" in event.call.extra:
                    stamp = float(event.call.extra["t"])
                    self.stamps.append((stamp, now))
                    if self.record:
                        self.delays.append(now - stamp)

    async def close(self) -> None:
        await self.client.aclose()
        self.task.cancel()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


async def fan_out(redis: str, args: argparse.Namespace) -> dict:
    source = bus_ingest(redis, "fan", args.calls, args.rate)
    replicas = [bus_replica(redis, "fan") for _ in range(3)]
    urls = [url for _, url in replicas]
    try:
        for url in urls:
            await ready(url)
        measured = 20
        screens = [Screen(urls[i % 3]) for i in range(measured)]
        load = subprocess.Popen(
            [sys.executable, "benchmarks/bus_procs.py", "readers", ",".join(urls),
             str(args.clients - measured), str(args.seconds + 12)],
            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        await asyncio.sleep(8)  # everyone connected and caught up
        for s in screens:
            s.record = True
        cpu0 = [cpu_seconds(p.pid) for p, _ in replicas]
        t0 = time.monotonic()
        await asyncio.sleep(args.seconds)
        elapsed = time.monotonic() - t0
        cpu = [(cpu_seconds(p.pid) - c) / elapsed * 100
               for (p, _), c in zip(replicas, cpu0, strict=True)]
        for s in screens:
            s.record = False
        out, _ = await asyncio.to_thread(load.communicate, timeout=60)
        received = int(out.strip() or 0)
        delays = [d for s in screens for d in s.delays]
        for s in screens:
            await s.close()
        return {"p50": percentile(delays, 0.5), "p95": percentile(delays, 0.95),
                "n": len(delays), "cpu": cpu, "received": received,
                "readers": args.clients - measured}
    finally:
        end(source, *(p for p, _ in replicas))


async def failover(redis: str, args: argparse.Namespace) -> list[float]:
    ingests = [bus_ingest(redis, "fo", 200, 20), None]
    await asyncio.sleep(1.0)
    ingests[1] = bus_ingest(redis, "fo", 200, 20)
    proc, url = bus_replica(redis, "fo")
    bus = open_bus(redis)
    times: list[float] = []
    try:
        await ready(url)
        screen = Screen(url)
        await asyncio.sleep(3)
        for _ in range(args.failovers):
            owner = await bus.leader("fo")
            assert owner is not None, "no leader"
            pid = int(owner.split(":")[1])
            leader = next(p for p in ingests if p is not None and p.pid == pid)
            killed = time.time()
            leader.kill()
            leader.wait(5)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                fresh = [arrival for stamp, arrival in screen.stamps[-200:] if stamp > killed]
                if fresh:
                    times.append(min(fresh) - killed)
                    break
                await asyncio.sleep(0.02)
            else:
                times.append(float("inf"))
            ingests[ingests.index(leader)] = bus_ingest(redis, "fo", 200, 20)  # a new standby
            await asyncio.sleep(4)
        await screen.close()
        return times
    finally:
        await bus.aclose()
        end(proc, *(p for p in ingests if p is not None))


async def delays_at(urls: list[str], seconds: float) -> list[float]:
    screens = [Screen(urls[i % len(urls)]) for i in range(10)]
    await asyncio.sleep(5)
    for s in screens:
        s.record = True
    await asyncio.sleep(seconds)
    delays = [d for s in screens for d in s.delays]
    for s in screens:
        await s.close()
    return delays


async def overhead(redis: str, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    port = free_port()
    single = spawn("benchmarks/bus_procs.py", "serve", str(port), str(args.calls),
                   str(args.rate))
    try:
        await ready(f"http://127.0.0.1:{port}")
        direct = await delays_at([f"http://127.0.0.1:{port}"], args.seconds)
    finally:
        end(single)
    source = bus_ingest(redis, "over", args.calls, args.rate)
    proc, url = bus_replica(redis, "over")
    try:
        await ready(url)
        through_bus = await delays_at([url], args.seconds)
    finally:
        end(source, proc)
    return direct, through_bus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--failovers", type=int, default=3)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))

    redis = RedisServer(persist=False).start()
    try:
        fan = asyncio.run(fan_out(redis.url, args))
        moves = asyncio.run(failover(redis.url, args))
        direct, bus = asyncio.run(overhead(redis.url, args))
    finally:
        redis.close()

    ok = True
    print(f"fan-out: {args.clients} SSE clients over 3 replicas, {args.calls} calls, "
          f"~{args.rate:g} events/s, {args.seconds:g} s")
    print(f"  source -> client state: p50 {fan['p50']:.0f} ms, p95 {fan['p95']:.0f} ms "
          f"(n={fan['n']}; budget p95 < 100 ms)")
    print(f"  replica CPU: {', '.join(f'{c:.1f}' for c in fan['cpu'])} % of one core; "
          f"{fan['received']} events reached the {fan['readers']} other readers")
    ok &= fan["p95"] < 100 and fan["n"] > 0
    print(f"failover: leader killed {len(moves)} times; boards live again after "
          f"{', '.join(f'{m:.1f}' for m in moves)} s (median {statistics.median(moves):.1f} s; "
          "budget < 10 s)")
    ok &= max(moves) < 10
    d50, d95 = percentile(direct, 0.5), percentile(direct, 0.95)
    b50, b95 = percentile(bus, 0.5), percentile(bus, 0.95)
    ratio = b95 / d95 if d95 else float("inf")
    print(f"bus overhead, {args.calls} calls, ~{args.rate:g} events/s, 10 clients: single "
          f"process p50 {d50:.1f} / p95 {d95:.1f} ms; through Redis and a replica p50 "
          f"{b50:.1f} / p95 {b95:.1f} ms; p95 ratio {ratio:.2f}x (budget <= 2x)")
    ok &= ratio <= 2.0
    print("all budgets met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
