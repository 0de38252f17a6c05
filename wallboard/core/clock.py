"""Clocks are injected everywhere, so tests, snapshots and soak runs control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, snapshots)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class FrameClock:
    """One reading of a clock per frame, so every duration drawn in a frame agrees.

    ``now()`` is the moment the durations are computed at; ``wall`` is the clock's own
    reading (the time of day on screen). While the data may be dead, :meth:`next_frame` is
    told to hold: durations stop at that moment while the wall clock goes on.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.wall = clock.now()
        self._now = self.wall
        self.held = False

    def now(self) -> datetime:
        return self._now

    def next_frame(
        self, hold: Callable[[datetime], datetime | None] = lambda wall: None
    ) -> datetime:
        """Read the clock once for a new frame. ``hold(wall)`` says where durations stop
        (None: they do not)."""
        self.wall = self.clock.now()
        hold_at = hold(self.wall)
        self.held = hold_at is not None
        self._now = self.wall if hold_at is None else min(hold_at, self.wall)
        return self._now
