"""In-process pieces on a real Redis: an ingest over a scripted source, replicas served by
uvicorn on loopback ports (the same app as ``serve --bus``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from starlette.applications import Starlette

from tests.server.support import ScriptedSource, running
from wallboard.audit import AuditLog
from wallboard.bus import BusSource, Ingest, IngestSettings, SiteSource, open_bus
from wallboard.bus.hub import BusHub
from wallboard.core.clock import SystemClock
from wallboard.core.events import Event
from wallboard.server.app import create_server_app
from wallboard.service import WallboardService


class ScriptedIngest:
    """An ingest (the real :class:`Ingest`) whose source the test drives."""

    def __init__(self, url: str, stream: str, source: ScriptedSource, *,
                 site: str | None = None, store: str | None = None) -> None:
        self.source = source
        self.clock = SystemClock()
        inner = SiteSource(source, site) if site else source

        def make_service() -> WallboardService:
            return WallboardService(inner, self.clock, audit=AuditLog(None, self.clock),
                                    store_url=store)

        self.ingest = Ingest(open_bus(url), IngestSettings(
            stream=stream, retention=100_000, snapshot_seconds=1.0, lease_seconds=1.0),
            make_service)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> ScriptedIngest:
        self._task = asyncio.create_task(self.ingest.run(self._stop))
        async with asyncio.timeout(5):
            while self.ingest.publisher is None or self.ingest.publisher.need_snapshot:
                await asyncio.sleep(0.01)
        return self

    async def push(self, events: list[Event]) -> None:
        await self.source.apush(events)

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)
        await self.ingest.bus.aclose()


def replica_app(url: str, streams: list[str], stores: dict[str, str] | None = None
                ) -> Starlette:
    clock = SystemClock()
    source = BusSource(open_bus(url), streams, clock, stores=stores, read_seconds=0.2)
    service = WallboardService(source, clock, audit=AuditLog(None, clock))
    return create_server_app(service=service, hub_type=BusHub)


@contextlib.contextmanager
def replica(url: str, streams: list[str], stores: dict[str, str] | None = None
            ) -> Iterator[tuple[str, BusHub]]:
    """A replica on a loopback port: (its URL, its hub)."""
    app = replica_app(url, streams, stores)
    with running(app) as base:
        yield base, app.state.hub
