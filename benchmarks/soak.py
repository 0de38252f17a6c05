"""Soak: the demo at an accelerated clock through 24 simulated hours, 20 call events/s.

    python benchmarks/soak.py              # 24 simulated hours (a few minutes)
    python benchmarks/soak.py --hours 2    # shorter

The real app runs headless at 160x45. Each frame moves the clock on by --step simulated
seconds, applies what the demo did meanwhile, redraws, and lets Textual paint. Every
simulated hour it records the process memory and the median frame time. Warm-up is the
first hour. Prints the growth of memory after warm-up, frame times first vs last hour,
and the sizes of every collection that could grow without bound.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.config import Config, DemoSource, UiConfig  # noqa: E402
from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.factory import create_app  # noqa: E402
from wallboard.sources.demo import DemoSource as Demo  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 1e6


async def soak(hours: float, step: float, calls: int, rate: float) -> None:
    clock = ManualClock(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))
    source = Demo(clock=clock, seed=7, calls=calls, events_per_second=rate)
    config = Config(source=DemoSource(seed=7, calls=calls, events_per_second=rate),
                    ui=UiConfig(timezone="Europe/Warsaw"))
    app = create_app(config, source=source, clock=clock)
    frames_per_hour = int(3600 / step)
    report: list[tuple[int, float, float, int]] = []
    events = 0
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.2)
        board = app.board
        for hour in range(1, int(hours) + 1):
            times = []
            for _ in range(frames_per_hour):
                started = time.perf_counter()
                clock.advance(step)
                batch = source.center.advance(clock.now())
                events += len(batch)
                app.state.apply_all(batch)
                board.update_view()
                board.tick()
                await pilot.pause(0)
                times.append(time.perf_counter() - started)
            gc.collect()
            report.append((hour, rss_mb(), statistics.median(times) * 1000, events))
            print(f"  hour {hour:2}: rss {report[-1][1]:6.1f} MB, frame median "
                  f"{report[-1][2]:5.2f} ms, events so far {events:,}", flush=True)
        sizes = {
            "live calls": len(app.state.calls),
            "ended call ids remembered (bound 20,000)": len(app.state._ended),
            "listen sessions kept": len(app.state.listen_sessions),
            "demo scheduled actions": len(source.center._heap),
            "demo managers": len(source.center.agents),
            "table rows": len(board.table.rows),
            "painted-line memo": len(board.table._painted),
            "notifications": len(app._notifications),
        }
    warm = report[0][1]
    print(f"memory after warm-up (hour 1): {warm:.1f} MB; at the end: {report[-1][1]:.1f} MB; "
          f"growth {report[-1][1] - warm:+.1f} MB")
    print(f"frame median, hour 1: {report[0][2]:.2f} ms; last hour: {report[-1][2]:.2f} ms")
    print(f"simulated events: {events:,} ({events / (hours * 3600):.1f}/s)")
    for name, size in sizes.items():
        print(f"  {name:42} {size:,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--step", type=float, default=5.0, help="simulated seconds per frame")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="call events per second")
    options = parser.parse_args()
    print(f"soak: {options.hours:g} simulated hours, {options.calls} live calls, "
          f"{options.rate:g} call events/s, a frame every {options.step:g} simulated s")
    asyncio.run(soak(options.hours, options.step, options.calls, options.rate))


if __name__ == "__main__":
    main()
