"""Replay: a recorded period played back on the real board, through a source that reads
the store (``wallboard replay --from 2026-11-30T08:00 --speed 10``).

The :class:`ReplayClock` is the board's clock during a replay: it runs ``speed`` times
faster than real time from the replayed moment, pauses, seeks and changes speed. The
:class:`ReplaySource` follows it: a snapshot of the recorded state at the start (and after
every seek), then the recorded changes as the clock passes them. Durations, counters and
profiles all read the replayed moment, so a profile opened at 10:40 shows the history as
it was at 10:40.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from wallboard.core.clock import ReplayClock
from wallboard.core.events import ConnectionChanged, Event, Link, Snapshot
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.sources.base import Source, SourceError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from wallboard.store import Store
    from wallboard.store.queries import Change

TICK_SECONDS = 0.1
"""How often (real time) the source looks for changes the clock has passed."""
FAST_TICK_SECONDS = 0.5
"""The same above x10: a batch then holds half a second of replay (30 recorded seconds at
x60), whose changes to one call coalesce; the board redraws at most every
``ui.refresh_seconds`` (1.0) anyway."""
FAST_SPEED = 10
READ_AHEAD = 5.0
"""Real seconds of replay read from the store at once (x60: five recorded minutes)."""


class ReplaySource(Source):
    """The recorded state and changes of a store, played on a :class:`ReplayClock`."""

    listen_modes = frozenset()

    def __init__(self, store_url: str, clock: ReplayClock,
                 tick_seconds: float = TICK_SECONDS,
                 fast_tick_seconds: float = FAST_TICK_SECONDS) -> None:
        self.store_url = store_url
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.fast_tick_seconds = fast_tick_seconds
        """The tick above ×:data:`FAST_SPEED`."""
        self.title = "Replay"
        self._store: Store | None = None  # opened in events(), off the event loop
        self._closed = asyncio.Event()
        self.position: datetime = clock.start
        """The last moment whose changes were delivered."""

    async def _open(self) -> Store:
        if self._store is None:
            from wallboard.store import StoreError, open_store

            try:
                self._store = await asyncio.to_thread(open_store, self.store_url)
            except StoreError as exc:
                raise SourceError(str(exc)) from None
        return self._store

    async def _snapshot(self, moment: datetime) -> Snapshot:
        from wallboard.store import queries

        store = await self._open()
        calls, employees = await store.call(
            lambda c: (queries.calls_at(c, moment), queries.employees_at(c, moment)))
        # restart: after a seek back, calls that ended later may live again
        return Snapshot(calls=tuple(calls), employees=tuple(employees), at=moment,
                        restart=True)

    async def events(self) -> AsyncIterator[list[Event]]:
        """The state at the start, then each recorded change as the clock passes it.

        Changes are read ahead (:data:`READ_AHEAD` real seconds of replay at a time) into
        a buffer, so the store is asked a few times a minute, not on every tick.
        """
        from wallboard.store.queries import as_events
        from wallboard.store.schema import us

        clock = self.clock
        store = await self._open()
        seeks = clock.seeks
        self.position = clock.now()
        ahead: deque[Change] = deque()
        fetched = self.position
        snapshot = await self._snapshot(self.position)
        live = {c.id for c in snapshot.calls}
        yield [ConnectionChanged(link=Link.LIVE, at=self.position), snapshot]
        while not self._closed.is_set():
            try:
                await asyncio.wait_for(self._closed.wait(), self.tick_seconds
                                       if clock.speed <= FAST_SPEED
                                       else self.fast_tick_seconds)
            except TimeoutError:
                pass
            now = clock.now()
            if clock.seeks != seeks:
                seeks = clock.seeks
                self.position = fetched = now
                ahead.clear()
                snapshot = await self._snapshot(now)
                live = {c.id for c in snapshot.calls}
                yield [snapshot]
                continue
            if now <= self.position:
                continue
            if now > fetched:  # read the next stretch (at least up to now)
                until = min(clock.end, max(now, fetched + timedelta(
                    seconds=READ_AHEAD * clock.speed)))
                ahead.extend(await store.call(partial(_changes, start=fetched, end=until)))
                fetched = until
            stop = us(now)
            due = []
            while ahead and ahead[0][0] <= stop:
                due.append(ahead.popleft())
            self.position = now
            if due:
                yield as_events(due, live)

    async def aclose(self) -> None:
        self._closed.set()
        if self._store is not None:
            await asyncio.to_thread(self._store.close)

    async def manager_history(self, employee_id: str, start: datetime, end: datetime
                              ) -> ManagerHistory:
        """The history as it was at the replayed moment: nothing after it."""
        from wallboard.store import queries

        store = await self._open()
        until = min(end, self.clock.now())
        return await store.call(lambda c: queries.manager_history(
            c, employee_id, start, until, until))

    async def call_log(self, employee_id: str, start: datetime, end: datetime
                       ) -> list[CallRecord]:
        return list((await self.manager_history(employee_id, start, end)).calls)


def _changes(connection: Connection, start: datetime, end: datetime) -> list[Change]:
    from wallboard.store.queries import recorded_changes

    return recorded_changes(connection, start, end)
