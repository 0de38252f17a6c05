"""The manager profile panel: time to open it and to switch the period. Prints medians.

    python benchmarks/profile_panel.py            # 25 rounds
    python benchmarks/profile_panel.py --rounds 5

A manager with 3 SIP accounts and 7 days of demo history (about 2,000 status intervals and
500 calls) is served by a source that answers at once, so the figures are the panel's own:
aggregation, layout and the first paint, in a headless app of 160x45.

- open: from pushing the panel to its first frame with every section drawn (the 200 ms
  slide-in is switched off here: it is cosmetic and starts at once);
- switch: from the period key to the frame drawn with the new period;
- rebuild: the synchronous part of a switch alone (aggregation and widget updates).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.config import Config, UiConfig  # noqa: E402
from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.core.events import ConnectionChanged, Event, Link, Snapshot  # noqa: E402
from wallboard.core.history import ManagerHistory  # noqa: E402
from wallboard.core.models import AgentStatus, Employee, SipAccount  # noqa: E402
from wallboard.core.profile import Period  # noqa: E402
from wallboard.sources.base import Source  # noqa: E402
from wallboard.sources.demo.history import HistoryShape, demo_history  # noqa: E402
from wallboard.factory import create_app  # noqa: E402
from wallboard.ui.screens.profile import ProfileScreen  # noqa: E402

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
MANAGER = Employee(
    id="bench", name="Beata Benchmark", department="Sales", project="demo",
    accounts=(
        SipAccount(id="PJSIP/2001", number="2001", user_agent="MicroSIP",
                   status=AgentStatus.ONLINE),
        SipAccount(id="PJSIP/2002", number="2002", user_agent="Ringostat app",
                   status=AgentStatus.DND),
        SipAccount(id="PJSIP/2003", number="2003", user_agent="Yealink T46U",
                   status=AgentStatus.OFFLINE),
    ),
)
SHAPE = HistoryShape(calls_per_hour=12, flaps_per_hour=24)


class PreparedSource(Source):
    """One manager and a history computed beforehand."""

    title = "benchmark"

    def __init__(self, history: ManagerHistory) -> None:
        self.history = history
        self._closed = asyncio.Event()

    async def events(self) -> AsyncIterator[list[Event]]:
        yield [ConnectionChanged(link=Link.LIVE, at=NOW), Snapshot(employees=(MANAGER,), at=NOW)]
        await self._closed.wait()

    async def aclose(self) -> None:
        self._closed.set()

    async def manager_history(self, employee_id: str, start: datetime, end: datetime
                              ) -> ManagerHistory:
        return self.history


async def next_frame(app) -> None:  # type: ignore[no-untyped-def]
    """Wait until the screen has been refreshed (laid out and painted) once more."""
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()


async def run(rounds: int) -> dict[str, list[float]]:
    history = demo_history(MANAGER, 11, NOW - timedelta(days=8), NOW, NOW, shape=SHAPE)
    intervals = sum(len(a.intervals) for a in history.accounts)
    print(f"history: {intervals} status intervals on {len(history.accounts)} SIP accounts, "
          f"{len(history.calls)} calls over 7 days")
    clock = ManualClock(NOW)
    app = create_app(Config(ui=UiConfig(timezone="Europe/Warsaw")),
                     source=PreparedSource(history), clock=clock)
    times: dict[str, list[float]] = {"open": [], "switch": [], "rebuild": []}
    app.animation_level = "none"  # the 200 ms slide-in is cosmetic; measure the work
    async with app.run_test(size=(160, 45)) as pilot:
        while not app.state.employees:
            await pilot.pause(0.01)
        for n in range(rounds + 2):  # the first two rounds warm up caches and are dropped
            screen = ProfileScreen(MANAGER.id, period=Period.LAST_7_DAYS)
            started = time.perf_counter()
            await app.push_screen(screen)
            while screen.profile is None:
                await asyncio.sleep(0)
            await next_frame(app)  # the frame with every section drawn
            opened = time.perf_counter() - started
            keys = ["1", "2", "3"]
            switch, rebuild = [], []
            for key in keys:
                started = time.perf_counter()
                await pilot.press(key)
                await next_frame(app)
                switch.append(time.perf_counter() - started)
            for period in ("today", "3d", "7d"):
                started = time.perf_counter()
                screen.action_period(period)
                rebuild.append(time.perf_counter() - started)
            screen.dismiss(None)
            await pilot.pause()
            if n >= 2:
                times["open"].append(opened)
                times["switch"].extend(switch)
                times["rebuild"].extend(rebuild)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    times = asyncio.run(run(args.rounds))
    for name, limit in (("open", 100), ("switch", 50), ("rebuild", 50)):
        values = times[name]
        median = statistics.median(values) * 1000
        worst = max(values) * 1000
        verdict = "ok" if median < limit else "TOO SLOW"
        print(f"{name:8} median {median:6.1f} ms   max {worst:6.1f} ms   "
              f"(limit {limit} ms, n={len(values)})  {verdict}")

if __name__ == "__main__":
    main()
