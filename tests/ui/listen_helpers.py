"""Shared by the listen Pilot and snapshot tests: pick a call, drive the demo's clock."""

from __future__ import annotations

from wallboard.core.models import CallStatus


def talking_row(app, min_left: float = 120.0) -> int:  # type: ignore[no-untyped-def]
    """The row of a talking demo call that stays up (no hold, no hang-up) for a while."""
    center = app.source.center
    for i, call in enumerate(app.board.table.rows):
        if call.status is not CallStatus.TALKING:
            continue
        plans = center.planned(call.id)
        hangup = [at for at, what in plans if what == "hangup"]
        if hangup and not any(what == "hold" for _, what in plans) and (
            (hangup[0] - center.now).total_seconds() > min_left
        ):
            return i
    raise AssertionError("no long talking call in the demo")


def row_of(app, status: CallStatus) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, c in enumerate(app.board.table.rows) if c.status is status)


async def select_row(pilot, index: int) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("home", *["down"] * index)
    await pilot.pause()


async def until(pilot, check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``check()`` holds (the demo ticks in real time)."""
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there in time")


async def settle(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """Let pending source events be applied, then redraw the board at once (durations too:
    the once-a-second tick may not have come yet when the clock was moved by hand)."""
    await pilot.pause(0.3)
    app.board.next_frame()
    app.board.update_view()
    app.board.tick()
    await pilot.pause()


async def advance(pilot, app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Move the frozen clock on, wait for the demo to tick past it, and redraw."""
    now = app.clock.advance(seconds)
    await until(pilot, lambda: app.source.center.now >= now)
    await settle(pilot, app)
