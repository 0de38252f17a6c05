"""What replay at x60 costs, against the live board: CPU side by side.

    python benchmarks/store_replay.py                    # 1,000 calls, 20 events/s
    python benchmarks/store_replay.py --calls 24 --rate 0 --seconds 30

First a period of the demo call center is recorded into a SQLite file (the real recorder,
on a simulated clock, as ``benchmarks/store_growth.py`` does). Then two processes run at
the same time:

- live: the demo source at that load, in real time, followed by the session service;
- replay: the ReplaySource playing the recorded period at x60 (a recorded minute per
  second), followed by the session service.

``wallboard replay`` (the command) is not on this branch, so each process builds its board
itself: the real app (the replay one with its ReplayClock, as the command will) run
headless at 160x45 by Textual's test driver, which composes every frame but writes no
terminal. ``--no-screen`` compares the sources and the service alone. Neither records
(``[store] url = "off"``): the live board's recorder would only flatter the ratio. Their
CPU (from /proc) is read over the same windows. The budget: replay costs at most twice
the live board's CPU. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.store_growth import T0, record  # noqa: E402
from benchmarks.store_support import ROOT, cpu_over, stop, verdict  # noqa: E402

BUDGET = 2.0
SPEED = 60.0


async def follow(kind: str, args: argparse.Namespace, minutes: float, seconds: float
                 ) -> None:
    """One side: the live demo or the replay, with a board unless ``--no-screen``."""
    from wallboard.config import Config, StoreConfig, UiConfig
    from wallboard.core.clock import Clock, ReplayClock, SystemClock
    from wallboard.factory import create_service
    from wallboard.sources.base import Source
    from wallboard.sources.demo import DemoSource
    from wallboard.sources.replay import ReplaySource
    from wallboard.ui.app import WallboardApp

    config = Config(ui=UiConfig(timezone="Europe/Warsaw"), store=StoreConfig(url="off"))
    replay: ReplayClock | None = None
    clock: Clock
    source: Source
    if kind == "live":
        clock = SystemClock()
        source = DemoSource(clock=clock, seed=7, calls=args.calls,
                            events_per_second=args.rate or None)
    else:
        clock = replay = ReplayClock(T0, T0 + timedelta(minutes=minutes), speed=SPEED)
        source = ReplaySource(args.store, replay)
    service = create_service(config, source, clock)
    if args.no_screen:
        task = asyncio.create_task(service.run())
        print("ready", flush=True)
        await asyncio.sleep(seconds)
        await service.aclose()
        task.cancel()
        return
    app = WallboardApp(config, service, clock, replay=replay)
    async with app.run_test(size=(160, 45)):
        print("ready", flush=True)
        await asyncio.sleep(seconds)


def child(args: list[str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20,
                        help="call events per second (0: the demo's natural rate)")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15, help="length of one window")
    parser.add_argument("--no-screen", action="store_true",
                        help="the sources and the service alone, no board")
    parser.add_argument("--child", choices=["live", "replay"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    lasting = args.warmup + args.rounds * args.seconds + 5
    minutes = lasting * SPEED / 60 + 1
    if args.child:
        asyncio.run(follow(args.child, args, minutes, lasting))
        return 0

    with tempfile.TemporaryDirectory(prefix="wallboard-bench-") as folder:
        path = Path(folder) / "history.sqlite3"
        started = time.perf_counter()
        counts = asyncio.run(record(path, args.calls, args.rate or 0, minutes, 7))
        print(f"recorded {minutes:.0f} minutes of the demo ({sum(counts.values()):,} events) "
              f"in {time.perf_counter() - started:.0f} s")
        common = ["--calls", str(args.calls), "--rate", str(args.rate), "--warmup",
                  str(args.warmup), "--rounds", str(args.rounds), "--seconds",
                  str(args.seconds), *(["--no-screen"] if args.no_screen else [])]
        processes = [child([*common, "--child", "live"]),
                     child([*common, "--child", "replay", "--store", str(path)])]
        try:
            for process in processes:
                assert process.stdout is not None
                if process.stdout.readline().strip() != b"ready":
                    raise SystemExit("a child did not start")
            time.sleep(args.warmup)
            rounds = [cpu_over([p.pid for p in processes], args.seconds)
                      for _ in range(args.rounds)]
        finally:
            for process in processes:
                stop(process)

    live = statistics.mean(r[0] for r in rounds)
    replay = statistics.mean(r[1] for r in rounds)
    ratio = replay / live
    load = f"{args.rate:g} events/s" if args.rate else "its natural rate"
    what = "source + service, no screen" if args.no_screen else "board (headless, 160x45)"
    print(f"{what}, demo {args.calls:,} calls at {load}; "
          f"{args.rounds} windows of {args.seconds:g} s side by side:")
    for n, (a, b) in enumerate(rounds, 1):
        print(f"  window {n}: live {a:.1%} of a core, replay x{SPEED:g} {b:.1%}")
    print(f"replay x{SPEED:g}: {replay:.1%} of a core vs live {live:.1%}: {ratio:.2f}x "
          f"(budget {BUDGET:g}x)  {verdict(ratio <= BUDGET)}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
