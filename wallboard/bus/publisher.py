"""The publisher: the ingest's service's effective changes, put on the stream in order.

It hears every batch the service applied (``on_effective``, on the event loop, cheap) and
a task writes what is pending in one fenced call to the bus: while one write is under
way the next changes gather, so a burst becomes one round trip and a quiet feed is
written at once. Each event gets the next position. A snapshot entry (the whole state
after the last event written) goes with the first write of a term and then every
``snapshot_seconds`` when something changed, so a replica never replays more than that.

After any trouble (a failed write, a lease taken back after the engine restarted) the
publisher does not try to patch the stream: its next write is the whole state as a
Snapshot event, and every replica starts over from it. Nothing is lost that way: the
state already holds every change that could not be written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from wallboard.bus.base import Bus, BusError, NotLeader
from wallboard.core.clock import Clock
from wallboard.core.events import ConnectionChanged, Event, Snapshot
from wallboard.core.state import LiveState

log = logging.getLogger(__name__)

MAX_PENDING = 100_000
"""Changes kept while the bus is unreachable; beyond, they are dropped (the next write is
the whole state anyway)."""


@dataclass
class PublishSettings:
    stream: str
    retention: int = 100_000
    snapshot_seconds: float = 10.0


class Publisher:
    def __init__(self, bus: Bus, settings: PublishSettings, owner: str, state: LiveState,
                 clock: Clock, notify: Callable[[str, str], None] | None = None) -> None:
        self.bus = bus
        self.settings = settings
        self.owner = owner
        self.state = state
        self.clock = clock
        self.notify = notify or (lambda message, severity: None)
        self.position: int | None = None
        """The position of the last event written (None: to be read from the stream)."""
        self.need_snapshot = True
        self.ready = False
        """The source has sent its first picture: there is a state to publish."""
        self.lost = asyncio.Event()
        """Set when the bus said another ingest leads: the term is over."""
        self.published = 0
        self._pending: list[Event] = []
        self._pending_since: float | None = None
        """When the oldest pending change came from the source (wall clock)."""
        self._wake = asyncio.Event()
        self._last_snapshot = 0.0
        self._changed_since_snapshot = False
        self._problem: str | None = None

    # -- the event loop side ------------------------------------------------------------
    def on_effective(self, effective: list[Event]) -> None:
        if not effective:
            return
        if not self.ready and any(isinstance(e, Snapshot) for e in effective):
            self.ready = True
        if not self._pending:
            self._pending_since = time.time()
        self._pending.extend(effective)
        if len(self._pending) > MAX_PENDING:
            self._pending.clear()
            self.need_snapshot = True
        self._wake.set()

    def start_over(self) -> None:
        """After trouble: read the position again and write the whole state next."""
        self.position = None
        self.need_snapshot = True
        self._wake.set()

    # -- the writer ------------------------------------------------------------------------
    async def run(self) -> None:
        """Write until cancelled or the lease is lost."""
        while not self.lost.is_set():
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the
            # cancellation that ends a term when the wake-up comes at the same moment
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._next_snapshot_in()):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except NotLeader:
                self.lost.set()
                return
            except BusError as exc:
                self._say(f"{exc} Publishing again once it is back.")
                self.start_over()
                await asyncio.sleep(0.5)

    def _next_snapshot_in(self) -> float:
        if not self.ready:
            return 1.0
        return max(0.05, self._last_snapshot + self.settings.snapshot_seconds - time.monotonic())

    async def flush(self) -> None:
        """Write what is pending (and a snapshot entry when due); BusError if it failed."""
        if self.position is None:
            last = await self.bus.last_position(self.settings.stream)
            # an empty stream (new, or lost by the engine) starts at the time in µs, above
            # any position a replica may still hold
            self.position = last if last is not None else time.time_ns() // 1_000
        now = self.clock.now()
        events: list[Event]
        if not self.ready:
            events = [e for e in self._pending if isinstance(e, ConnectionChanged)]
        elif self.need_snapshot:
            connection = self.state.connection
            events = [ConnectionChanged(link=connection.link, message=connection.message,
                                        retry_at=connection.retry_at, at=now,
                                        malformed=connection.malformed),
                      self.state.snapshot(at=now).model_copy(update={"restart": True})]
        else:
            events = self._pending
        self._pending = []
        changed = self._changed_since_snapshot or bool(events)
        due = self.ready and (self.need_snapshot or changed and (
            time.monotonic() - self._last_snapshot >= self.settings.snapshot_seconds))
        emitted = self._pending_since or time.time()
        self._pending_since = None
        if not events and not due:
            return
        first = self.position + 1
        payload = [(first + i, e.model_dump_json().encode()) for i, e in enumerate(events)]
        last = self.position + len(events)
        snapshot = (last, self.state.snapshot(at=now).model_dump_json().encode()) if due else None
        await self.bus.publish(self.settings.stream, self.owner, payload, snapshot,
                               retention=self.settings.retention, emitted=emitted)
        self.position = last
        self.published += len(events)
        if self.ready:
            self.need_snapshot = False
        if snapshot is not None:
            self._last_snapshot = time.monotonic()
            self._changed_since_snapshot = False
        elif events:
            self._changed_since_snapshot = True
        self._recovered()

    def _say(self, message: str) -> None:
        if message != self._problem:
            self._problem = message
            log.warning("%s", message)
            self.notify(message, "warning")

    def _recovered(self) -> None:
        if self._problem is not None:
            self._problem = None
            log.info("Publishing to stream %s again.", self.settings.stream)
