"""Benchmark of the Asterisk ARI source against the fake ARI, both as processes of their own.

    python benchmarks/ari_source.py [--seconds 20] [--rate 200] [--calls 500]
                                    [--small 100] [--large 1000]

1. Cost against the fake: the fake keeps --calls concurrent calls and sends --rate ARI
   events per second; the ARI source (AriClient, its batches consumed and dropped)
   follows it. Both processes' CPU is measured over the same window, as the MEAN (CPU
   seconds over wall seconds, from /proc). Budget: source CPU <= the fake's own CPU.
2. Flat scaling: the same at --small and --large live calls, same event rate. Budget:
   source CPU per 1,000 ARI events at --large <= 1.3x that at --small.

Every figure comes from one run, side by side, so the machine's speed cancels out.
Exits 1 when a budget is missed. Loopback only; the processes are ended at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")
COST_BUDGET = 1.0
SCALING_BUDGET = 1.3


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


# -- the source, in a child process ------------------------------------------------------
async def follow(config_path: str) -> None:
    from wallboard.config import load_config
    from wallboard.core.events import Snapshot
    from wallboard.sources.ari import AriClient

    settings = load_config(Path(config_path)).source
    client = AriClient(settings)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    batches = events = 0
    live = False

    async def consume() -> None:
        nonlocal batches, events, live
        async for batch in client.events():
            batches += 1
            events += len(batch)
            if not live and any(isinstance(e, Snapshot) for e in batch):
                live = True
                print(json.dumps({"live": True}), flush=True)

    task = asyncio.create_task(consume())
    await stop.wait()
    task.cancel()
    await client.aclose()
    print(json.dumps({"batches": batches, "events": events}), flush=True)


# -- the parent --------------------------------------------------------------------------
def start_fake(calls: int, rate: float) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sources.ari.run_fake", "--calls", str(calls),
         "--rate", str(rate)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the fake ARI did not start")
    return proc, json.loads(line)


def start_source(config: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", config], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    line = proc.stdout.readline()
    if not line or time.monotonic() > deadline:
        raise SystemExit("the ARI source never went live")
    return proc


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def events_sent(url: str) -> int:
    return int(httpx.get(f"{url}/fake/stats", timeout=5).json()["events_sent"])


def measure(calls: int, rate: float, seconds: float, warmup: float = 3.0) -> dict[str, float]:
    fake, info = start_fake(calls, rate)
    source = None
    try:
        source = start_source(info["config"])
        time.sleep(warmup)
        f0, s0, e0, t0 = (cpu_seconds(fake.pid), cpu_seconds(source.pid),
                          events_sent(info["url"]), time.monotonic())
        time.sleep(seconds)
        f1, s1, e1, t1 = (cpu_seconds(fake.pid), cpu_seconds(source.pid),
                          events_sent(info["url"]), time.monotonic())
    finally:
        if source is not None:
            stop(source)
        stop(fake)
    wall, events = t1 - t0, e1 - e0
    return {
        "calls": calls,
        "events": events,
        "events_per_s": events / wall,
        "fake_pct": (f1 - f0) / wall * 100,
        "source_pct": (s1 - s0) / wall * 100,
        "source_ms_per_1000": (s1 - s0) / events * 1e6 if events else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(follow(args.child))
        return 0

    cost = measure(args.calls, args.rate, args.seconds)
    small = measure(args.small, args.rate, args.seconds)
    large = measure(args.large, args.rate, args.seconds)
    cost_ratio = cost["source_pct"] / cost["fake_pct"]
    scaling = large["source_ms_per_1000"] / small["source_ms_per_1000"]
    print(f"ARI source vs fake ARI, {args.calls} concurrent calls, "
          f"{cost['events_per_s']:.0f} events/s, mean over {args.seconds:g} s:")
    print(f"  fake {cost['fake_pct']:.1f} % of a core, source {cost['source_pct']:.1f} % "
          f"-> ratio {cost_ratio:.2f} (budget <= {COST_BUDGET:g})")
    print(f"CPU per 1,000 ARI events: {small['source_ms_per_1000']:.0f} ms at "
          f"{args.small} calls, {large['source_ms_per_1000']:.0f} ms at {args.large} calls "
          f"-> ratio {scaling:.2f} (budget <= {SCALING_BUDGET:g})")
    for run in (cost, small, large):
        print(f"  ({run['calls']} calls: {run['events']:.0f} events, "
              f"fake {run['fake_pct']:.1f} %, source {run['source_pct']:.1f} %)")
    ok = cost_ratio <= COST_BUDGET and scaling <= SCALING_BUDGET
    print("all budgets met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
