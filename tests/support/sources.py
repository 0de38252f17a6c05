"""A real Source for tests: events are pushed by the test, delivered through the interface."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from wallboard.core.events import ConnectionChanged, Event, Link, Snapshot
from wallboard.sources.base import Source


class ScriptedSource(Source):
    title = "Scripted test source"

    def __init__(self, snapshot: Snapshot | None = None, *,
                 first: list[Event] | None = None) -> None:
        """``first``: the first batch instead of "live" and ``snapshot`` (e.g. a source
        still connecting, with no snapshot yet)."""
        self.queue: asyncio.Queue[list[Event]] = asyncio.Queue()
        self.first = first if first is not None else [
            ConnectionChanged(link=Link.LIVE), snapshot or Snapshot()]
        self.closed = False

    def push(self, *events: Event) -> None:
        self.queue.put_nowait(list(events))

    async def events(self) -> AsyncIterator[list[Event]]:
        yield self.first
        while not self.closed:
            yield await self.queue.get()

    async def aclose(self) -> None:
        self.closed = True
