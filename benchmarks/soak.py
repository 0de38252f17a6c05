"""Soak: the real pipeline through 24 simulated hours, one frame per simulated second.

    python benchmarks/soak.py              # 24 simulated hours, 1,000 live calls (about 15 minutes)
    python benchmarks/soak.py --hours 2    # shorter

The app is the real one (``create_app``), headless at 160x45, on the demo source with a
clock the soak moves on by one second per frame. Every frame takes the real path:

1. the clock moves on one second;
2. ``DemoSource.events()`` (polling every millisecond here) yields what happened in that
   second; the app's worker applies it to the state and posts ``StateChanged`` to the
   screens, which fold it into their updates as they do on a live board;
3. the board's one-second tick runs (the duration cells and counters, pending events);
4. Textual paints (its update timer is set to 1 ms, so each frame is painted).

Every simulated hour: the process memory (after a full collection), the CPU time of a
frame (the main thread's) and its wall time, the live calls and the events so far. Warm-up
is the first hour. A frame's CPU time still rises when other processes crowd the machine,
so an hour's figure is the median of its quietest simulated minute: a leak that slows
frames down slows every minute, a busy neighbour only some.

Budgets (exit status 1 if one is missed): memory growth after warm-up under 10 MB; frame
CPU time flat, the last hour's at most 1.25x the first hour's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Textual paints at most TEXTUAL_FPS times a second: at 1,000, a frame of the soak (a few
# milliseconds of real time) is painted before the next one starts.
os.environ["TEXTUAL_FPS"] = "1000"

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.config import Config, DemoSource, StoreConfig, UiConfig  # noqa: E402
from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.factory import create_app  # noqa: E402
from wallboard.sources.demo import DemoSource as Demo  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
MEMORY_BUDGET_MB = 10.0
FLAT_BUDGET = 1.25
FRAMES_PER_HOUR = 3600


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 1e6


@dataclass
class Hour:
    hour: int
    rss_mb: float
    frame_cpu_ms: float
    """The median of the quietest simulated minute."""
    frame_cpu_median_ms: float
    frame_wall_ms: float
    calls_min: int
    calls_max: int
    events: int


async def soak(hours: int, calls: int, rate: float) -> tuple[list[Hour], dict[str, int]]:
    clock = ManualClock(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))
    source = Demo(clock=clock, seed=7, calls=calls, events_per_second=rate, tick_seconds=0.001)
    # The store is off: the demo's in-memory history store keeps every event by design
    # (about 330 bytes each, bounded by [store] keep_days; benchmarks/store_growth.py
    # measures it), which would hide a leak of the live pipeline in its growth.
    config = Config(source=DemoSource(seed=7, calls=calls, events_per_second=rate),
                    ui=UiConfig(timezone="Europe/Warsaw"), store=StoreConfig(url="off"))
    app = create_app(config, source=source, clock=clock)
    report: list[Hour] = []
    async with app.run_test(size=(160, 45)) as pilot:
        while not app.board.table.rows:
            await pilot.pause(0.01)
        board = app.board
        for hour in range(1, hours + 1):
            cpu, wall, live = [], [], []
            for _ in range(FRAMES_PER_HOUR):
                t0, w0 = time.thread_time(), time.perf_counter()
                clock.advance(1.0)
                await asyncio.sleep(0.001)  # the source's poll, the worker, the messages
                board.tick()
                await asyncio.sleep(0.001)  # the paint
                cpu.append(time.thread_time() - t0)
                wall.append(time.perf_counter() - w0)
                live.append(len(app.state.calls))
            gc.collect()
            minutes = [statistics.median(cpu[i:i + 60]) for i in range(0, len(cpu), 60)]
            report.append(Hour(hour, rss_mb(), min(minutes) * 1000,
                               statistics.median(cpu) * 1000, statistics.median(wall) * 1000,
                               min(live), max(live), app.state.events_applied))
            r = report[-1]
            print(f"  hour {hour:2}: rss {r.rss_mb:6.1f} MB, frame CPU {r.frame_cpu_ms:5.2f} ms "
                  f"(hour's median {r.frame_cpu_median_ms:5.2f} ms, wall "
                  f"{r.frame_wall_ms:5.2f} ms), live calls {r.calls_min:,}–{r.calls_max:,}, "
                  f"events so far {r.events:,}", flush=True)
        sizes = {
            "live calls": len(app.state.calls),
            "ended call ids remembered (bound 20,000)": len(app.state._ended),
            "listen sessions kept": len(app.state.listen_sessions),
            "demo scheduled actions": len(source.center.plans),
            "demo managers": len(source.center.agents),
            "table rows": len(board.table.rows),
            "painted-line memo": len(board.table._painted),
            "row tails memo": len(board.table._tails),
            "notifications": len(app._notifications),
        }
    return report, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--calls", type=int, default=1000, help="live calls (about)")
    parser.add_argument("--rate", type=float, default=20.0, help="call events per second")
    options = parser.parse_args()
    print(f"soak: {options.hours} simulated hours, one frame per simulated second, "
          f"{options.calls:,} live calls, {options.rate:g} call events/s, 160x45", flush=True)
    report, sizes = asyncio.run(soak(options.hours, options.calls, options.rate))
    first, last = report[0], report[-1]
    growth = last.rss_mb - first.rss_mb
    ratio = last.frame_cpu_ms / first.frame_cpu_ms
    seconds = options.hours * 3600
    print(f"memory after warm-up (hour 1): {first.rss_mb:.1f} MB; at the end: "
          f"{last.rss_mb:.1f} MB; growth {growth:+.1f} MB (budget < {MEMORY_BUDGET_MB:g} MB)")
    print(f"frame CPU (quietest minute's median), hour 1: {first.frame_cpu_ms:.2f} ms; hour "
          f"{last.hour}: {last.frame_cpu_ms:.2f} ms; ratio {ratio:.2f} (budget ≤ {FLAT_BUDGET:g})")
    print(f"simulated events: {last.events:,} ({last.events / seconds:.1f}/s); "
          f"frames: {seconds:,}")
    for name, size in sizes.items():
        print(f"  {name:42} {size:,}")
    print("\nREADME:")
    print(f"| soak: {options.hours} simulated hours, {options.calls:,} live calls, "
          f"{options.rate:g} call events/s ({last.events / 1e6:.1f} M events), a frame per "
          f"simulated second through the source, the app's worker and the screens; memory "
          f"growth after warm-up | < {MEMORY_BUDGET_MB:g} MB | **{growth:+.1f} MB** | "
          "`benchmarks/soak.py` |")
    print(f"| soak: frame CPU time, first vs last simulated hour | ≤ {FLAT_BUDGET:g}x | "
          f"**{first.frame_cpu_ms:.2f} → {last.frame_cpu_ms:.2f} ms** | `benchmarks/soak.py` |")
    failed = []
    if growth >= MEMORY_BUDGET_MB:
        failed.append(f"memory grew {growth:.1f} MB")
    if ratio > FLAT_BUDGET:
        failed.append(f"frame time grew {ratio:.2f}x")
    if failed:
        print(f"soak: budget missed: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
