"""The manager profile panel: time to open it and to switch the period. Prints medians.

    python benchmarks/profile_panel.py            # 25 rounds
    python benchmarks/profile_panel.py --rounds 5

A manager with 3 SIP accounts and the 7 days of the period "Last 7 days" of demo history
(about 2,000 status intervals and 500 calls) is served by a source that answers at once, so
the figures are the panel's own: aggregation, layout and painting, in a headless app of
160x45.

- open: from opening the panel (``open_profile``: the app's installed panel, reused) to its
  first frame with every section drawn. The 200 ms slide-in is switched off here: it is
  cosmetic, starts at once and does not delay any frame;
- open, new panel: the same with a new ``ProfileScreen`` pushed (compose, style, mount);
- switch: from the period key arriving (a key event posted to the app, as the terminal
  driver does) to the frame drawn with the new period;
- switch, Pilot: the same key sent with ``Pilot.press``, which adds its own idle waits
  (two ``wait_for_idle`` of at least 20 ms each): the figure measured before, for comparison;
- rebuild: the synchronous part of a switch alone (aggregation and widget updates).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from wallboard.config import Config, UiConfig  # noqa: E402
from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.core.events import ConnectionChanged, Event, Link, Snapshot  # noqa: E402
from wallboard.core.history import ManagerHistory  # noqa: E402
from wallboard.core.models import AgentStatus, Employee, SipAccount  # noqa: E402
from wallboard.core.profile import Period, period_bounds  # noqa: E402
from wallboard.factory import create_app  # noqa: E402
from wallboard.sources.base import Source  # noqa: E402
from wallboard.sources.demo.history import HistoryShape, demo_history  # noqa: E402
from wallboard.ui.screens.profile import ProfileScreen, open_profile  # noqa: E402

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
ZONE = ZoneInfo("Europe/Warsaw")
SHAPE = HistoryShape(calls_per_hour=11, flaps_per_hour=60)
"""With seed 204: 1,972 intervals (966 + 501 + 505) and 510 calls in the 7 days; a busy
manager whose second and third devices drop out every few minutes."""
SEED = 204


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


async def open_panel(app, new: bool) -> tuple[ProfileScreen, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    if new:
        screen = ProfileScreen(MANAGER.id, period=Period.LAST_7_DAYS)
        await app.push_screen(screen)
    else:
        screen = open_profile(app, MANAGER.id, Period.LAST_7_DAYS)
    while screen.profile is None:
        await asyncio.sleep(0)
    await next_frame(app)  # the frame with every section drawn
    return screen, time.perf_counter() - started


async def key_to_frame(app, screen: ProfileScreen,  # type: ignore[no-untyped-def]
                       key: str) -> float:
    """A key event as the driver posts it, until the frame with the new period is drawn."""
    before = screen.period
    started = time.perf_counter()
    app.post_message(events.Key(key, key))
    while screen.period is before:
        await asyncio.sleep(0)
    await next_frame(app)
    return time.perf_counter() - started


NAMES = ("open", "open, new panel", "switch", "switch, Pilot", "rebuild")


async def run(rounds: int) -> dict[str, list[float]]:
    start = period_bounds(Period.LAST_7_DAYS, NOW, ZONE)[0]
    history = demo_history(MANAGER, SEED, start, NOW, NOW, shape=SHAPE)
    intervals = sum(len(a.intervals) for a in history.accounts)
    print(f"history: {intervals} status intervals on {len(history.accounts)} SIP accounts, "
          f"{len(history.calls)} calls over 7 days")
    clock = ManualClock(NOW)
    app = create_app(Config(ui=UiConfig(timezone="Europe/Warsaw")),
                     source=PreparedSource(history), clock=clock)
    times: dict[str, list[float]] = {name: [] for name in NAMES}
    app.animation_level = "none"  # the 200 ms slide-in is cosmetic; measure the work
    async with app.run_test(size=(160, 45)) as pilot:
        while not app.state.employees:
            await pilot.pause(0.01)
        for n in range(rounds + 2):  # the first two rounds warm up caches and are dropped
            keep = n >= 2
            screen, opened = await open_panel(app, new=False)
            await pilot.pause()
            switch = []
            for key in ("1", "2", "3"):
                switch.append(await key_to_frame(app, screen, key))
                await pilot.pause()
            piloted = []
            for key in ("1", "2", "3"):
                started = time.perf_counter()
                await pilot.press(key)
                await next_frame(app)
                piloted.append(time.perf_counter() - started)
            rebuild = []
            for period in ("today", "3d", "7d"):
                started = time.perf_counter()
                screen.action_period(period)
                rebuild.append(time.perf_counter() - started)
            screen.dismiss(None)
            await pilot.pause()
            fresh, opened_new = await open_panel(app, new=True)
            fresh.dismiss(None)
            await pilot.pause()
            if keep:
                times["open"].append(opened)
                times["open, new panel"].append(opened_new)
                times["switch"].extend(switch)
                times["switch, Pilot"].extend(piloted)
                times["rebuild"].extend(rebuild)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    times = asyncio.run(run(args.rounds))
    limits = {"open": 100, "open, new panel": 100, "switch": 50, "switch, Pilot": None,
              "rebuild": 50}
    for name in NAMES:
        values = times[name]
        median = statistics.median(values) * 1000
        worst = max(values) * 1000
        limit = limits[name]
        verdict = "" if limit is None else "ok" if median < limit else "TOO SLOW"
        bound = f"limit {limit} ms" if limit else "no limit"
        print(f"{name:16} median {median:6.1f} ms   max {worst:6.1f} ms   "
              f"({bound}, n={len(values)})  {verdict}")


if __name__ == "__main__":
    main()
