"""Clocks are injected everywhere, so tests, snapshots and soak runs control time."""

from __future__ import annotations

import time
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


SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
"""The replay speeds ``[`` and ``]`` step through."""


class ReplayClock:
    """The replayed moment: ``start`` plus real time elapsed times ``speed``."""

    def __init__(self, start: datetime, end: datetime, speed: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.start, self.end = start, end
        self.speed = speed
        self.paused = False
        self._monotonic = monotonic
        self._anchor = start
        self._since = monotonic()
        self.seeks = 0
        """Increases with every seek: the source starts over from a snapshot."""

    def now(self) -> datetime:
        if self.paused:
            return self._anchor
        elapsed = (self._monotonic() - self._since) * self.speed
        return min(self.end, self._anchor + timedelta(seconds=elapsed))

    def _rebase(self, at: datetime) -> None:
        self._anchor = max(self.start, min(self.end, at))
        self._since = self._monotonic()

    def toggle_pause(self) -> None:
        self._rebase(self.now())
        self.paused = not self.paused

    def seek(self, seconds: float) -> None:
        self._rebase(self.now() + timedelta(seconds=seconds))
        self.seeks += 1

    def faster(self, steps: int) -> None:
        """One step up (``steps`` > 0) or down the ladder of :data:`SPEEDS`."""
        self._rebase(self.now())
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + steps))]

    @property
    def at_end(self) -> bool:
        return self.now() >= self.end


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
