"""Replay: a recorded hour of the demo played back at x60 shows, at every moment, the
counters the live board showed then."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from wallboard.audit import AuditLog
from wallboard.core.clock import ManualClock, ReplayClock
from wallboard.core.counters import Counters, compute_counters
from wallboard.service import WallboardService
from wallboard.sources.demo import DemoSource
from wallboard.sources.replay import ReplaySource

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STEP = 10
HOUR = 3600


async def until(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.005)):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


async def record_an_hour(store_url: str) -> list[tuple[datetime, Counters]]:
    clock = ManualClock(T0)
    source = DemoSource(clock=clock, seed=11, calls=30, tick_seconds=0.005)
    service = WallboardService(source, clock, audit=AuditLog(None, clock), store_url=store_url)
    task = asyncio.create_task(service.run())
    recorder = await service.wait_recording(timeout=20)
    assert recorder is not None and recorder.leading
    seen = []
    for step in range(0, HOUR + 1, STEP):
        moment = T0 + timedelta(seconds=step)
        clock.set(moment)
        await until(lambda m=moment: source.center.now >= m)
        seen.append((moment, compute_counters(service.state.calls.values(), moment)))
    await recorder.tick()
    await service.aclose()
    task.cancel()
    return seen


async def test_a_replayed_hour_shows_the_counters_the_live_board_showed(store_url: str):
    live = await record_an_hour(store_url)
    assert {c.total for _, c in live} != {0}  # a real hour: calls came and went
    assert len({(c.waiting, c.talking) for _, c in live}) > 5

    fake_time = [0.0]
    replay = ReplayClock(T0, T0 + timedelta(seconds=HOUR), speed=60,
                         monotonic=lambda: fake_time[0])
    source = ReplaySource(store_url, replay, tick_seconds=0.005, fast_tick_seconds=0.005)
    service = WallboardService(source, replay, audit=AuditLog(None, replay))
    task = asyncio.create_task(service.run())
    try:
        await until(lambda: bool(service.state.calls), 20)
        for moment, counters in live:
            fake_time[0] = (moment - T0).total_seconds() / 60  # x60: a minute per hour
            assert replay.now() == moment
            await until(lambda m=moment: source.position >= m)
            shown = compute_counters(service.state.calls.values(), moment)
            assert shown == counters, f"at {moment:%H:%M:%S}"
    finally:
        await service.aclose()
        task.cancel()
