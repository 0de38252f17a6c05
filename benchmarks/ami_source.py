"""The AMI source at call-center scale: its CPU against the fake AMI generating the events.

    python benchmarks/ami_source.py              # the budgets below; exit 1 on a miss
    python benchmarks/ami_source.py --quick      # shorter windows

Two processes run side by side in one run: the fake Asterisk manager
(tests/sources/ami/fake_ami.py, the one the tests use, speaking real AMI over loopback)
and the source (AmiClient, its events consumed and counted). The fake holds a steady
number of live calls on 200 agents in 4 queues: agents talk, the rest wait in the
queues; every operation ends one call (AgentComplete, hang-up requests and hang-ups,
device and member states), answers the next caller waiting (AgentCalled, Dial, music on
hold stopped, bridge) and brings a new caller in (Newchannel, QueueCallerJoin, music on
hold), with holds now and then: the events a ``read = call,agent`` user gets from
Asterisk for those steps, about 30 per operation, a few of which the source drops
unparsed. Each process's CPU is read from /proc (schedstat) over the same wall-clock
window, after a warm-up.

Budgets (issue 19's discipline, measured side by side):
- at 500 live calls and 100 AMI events/s, the source's CPU is at most the fake's;
- the source's CPU per event at 1,000 live calls is at most 1.3x that at 100.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGENTS = [f"PJSIP/2{n:03d}" for n in range(200)]
QUEUES = ["sales", "support", "billing", "retention"]
TICK = os.sysconf("SC_CLK_TCK")


# -- the fake, in its own process -----------------------------------------------------------
async def serve(calls: int, rate: float, seed: int) -> None:
    from tests.sources.ami.fake_ami import FakeAmi

    rng = random.Random(seed)
    fake = FakeAmi()
    fake.record = False
    fake.users["bench"] = fake.users["wall"]
    for agent in AGENTS:
        fake.register(agent)
    queue_of = {agent: QUEUES[n % len(QUEUES)] for n, agent in enumerate(AGENTS)}
    for queue in QUEUES:
        fake.add_queue(queue, *((a, a) for a in AGENTS if queue_of[a] == queue))
    free = {q: collections.deque(a for a in AGENTS if queue_of[a] == q) for q in QUEUES}
    talking: collections.deque[tuple[str, str, str, str]] = collections.deque()
    waiting = {q: collections.deque[str]() for q in QUEUES}
    numbers = iter(range(10**6, 10**7))

    def arrive() -> None:
        queue = rng.choice(QUEUES)
        uid = fake.add_channel("PJSIP/trunk", number=f"+48{next(numbers)}", state="Up",
                               context="from-external", exten="+48221002030")
        fake.queue_join(uid, queue)
        waiting[queue].append(uid)
        serve_queue(queue)

    def serve_queue(queue: str) -> None:
        while waiting[queue] and free[queue]:
            uid, agent = waiting[queue].popleft(), free[queue].popleft()
            leg = fake.queue_ring(uid, queue, agent)
            fake.queue_answer(uid, leg, queue, agent)
            talking.append((uid, leg, queue, agent))

    def churn() -> None:
        uid, leg, queue, agent = talking.popleft()
        if rng.random() < 0.2:
            fake.hold(leg)
            fake.hold(leg, on=False)
        fake.queue_complete(uid, leg, queue, agent, talk=60)
        free[queue].append(agent)
        serve_queue(queue)
        arrive()

    for _ in range(calls):
        arrive()
    resynced = asyncio.Event()
    real_action = fake._action

    async def action(session, request):  # the source's last resync action: go
        result = await real_action(session, request)
        if request.get("Action") == "CoreStatus":
            resynced.set()
        return result

    fake._action = action  # type: ignore[method-assign]
    await fake.start()
    print(f"port {fake.port}", flush=True)
    await resynced.wait()
    start = time.monotonic()
    base = fake.emitted
    last_report = 0.0
    while True:  # sleep until the next operation is due: the fake's own cost is generating
        now = time.monotonic()
        while fake.emitted - base < rate * (now - start) and talking:
            churn()
        if now - last_report >= 0.2:
            print(f"events {fake.emitted - base}", flush=True)
            last_report = now
        due = start + (fake.emitted - base) / rate
        await asyncio.sleep(max(0.001, min(due - time.monotonic(), 0.2)))


# -- the source, in its own process ---------------------------------------------------------
async def follow(port: int, staff: str) -> None:
    from wallboard.config import AmiSource
    from wallboard.core.events import Snapshot
    from wallboard.sources.ami import AmiClient

    settings = AmiSource(host="127.0.0.1", port=port, username="bench", secret="s3cret",
                         employees_csv=Path(staff))
    client = AmiClient(settings)
    async for batch in client.events():
        if any(isinstance(e, Snapshot) for e in batch):
            print(f"live {len(client.mapper.calls)}", flush=True)


# -- the run --------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """The process's CPU time: nanoseconds on a CPU from /proc/PID/schedstat (its main
    thread, which runs the event loop), else utime + stime in clock ticks (10 ms)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK


class Child:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: list[str] = []
        self.last: dict[str, str] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            key, _, value = line.strip().partition(" ")
            self.last[key] = value

    def wait_for(self, key: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while key not in self.last:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"the {key!r} line never came (exit {self.process.poll()})")
            time.sleep(0.02)
        return self.last[key]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def measure(calls: int, rate: float, warmup: float, window: float, staff: str) -> dict:
    fake = Child("--serve", "--calls", str(calls), "--rate", str(rate))
    try:
        port = fake.wait_for("port")
        source = Child("--follow", "--port", port, "--staff", staff)
        try:
            live = int(source.wait_for("live"))
            if live != calls:
                raise SystemExit(f"the source saw {live} calls, not {calls}")
            time.sleep(warmup)
            fake0, source0 = cpu_seconds(fake.process.pid), cpu_seconds(source.process.pid)
            events0 = int(fake.last.get("events", "0"))
            time.sleep(window)
            fake1, source1 = cpu_seconds(fake.process.pid), cpu_seconds(source.process.pid)
            events1 = int(fake.last.get("events", "0"))
        finally:
            source.stop()
    finally:
        fake.stop()
    events = max(1, events1 - events0)
    return {
        "calls": calls, "rate": events / window, "events": events,
        "fake_cpu": (fake1 - fake0) / window, "source_cpu": (source1 - source0) / window,
        "source_us_per_event": (source1 - source0) / events * 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--follow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=500, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--staff", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.calls, args.rate, seed=7))
        return 0
    if args.follow:
        asyncio.run(follow(args.port, args.staff))
        return 0
    warmup, window, flat_window = (2, 8, 6) if args.quick else (3, 20, 15)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as staff:
        staff.write("id,name,department,endpoint\n")
        for n, agent in enumerate(AGENTS):
            staff.write(f"agent{n},Agent {n},{QUEUES[n % len(QUEUES)]},{agent}\n")
    try:
        main_run = measure(500, 100, warmup, window, staff.name)
        small = measure(100, 600, warmup, flat_window, staff.name)
        large = measure(1000, 600, warmup, flat_window, staff.name)
    finally:
        os.unlink(staff.name)
    print("AMI source vs the fake AMI generating the events (CPU as a share of one core)")
    for run in (main_run, small, large):
        print(f"  {run['calls']:>5} live calls, 200 agents, {run['rate']:5.0f} events/s: "
              f"source {run['source_cpu']:6.1%}  fake {run['fake_cpu']:6.1%}  "
              f"source {run['source_us_per_event']:5.0f} us/event")
    ratio = main_run["source_cpu"] / max(main_run["fake_cpu"], 1e-9)
    flat = large["source_us_per_event"] / max(small["source_us_per_event"], 1e-9)
    print(f"budget 1: source CPU / fake CPU at 500 calls, 100 events/s = {ratio:.2f} "
          f"(at most 1.00)")
    print(f"budget 2: source CPU per event at 1,000 vs 100 live calls = {flat:.2f}x "
          f"(at most 1.30x)")
    misses = [name for name, ok in (("cost", ratio <= 1.0), ("flat", flat <= 1.3)) if not ok]
    if misses:
        print(f"MISSED: {', '.join(misses)}")
        return 1
    print("all budgets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
