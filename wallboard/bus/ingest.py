"""``wallboard ingest``: one upstream per PBX, published to a stream, one leader at a time.

Two (or more) ingests run per PBX. Each tries to take the stream's lease; the one that
holds it **leads**: it connects to the source through the same
:class:`~wallboard.service.WallboardService` as ``serve`` (so its recorder writes the
shared history store) and publishes every effective change. The others stand by, asking
for the lease every :data:`STANDBY_POLL` seconds; a leader that dies stops renewing, its
lease expires after ``lease_seconds`` and a standby takes over: it connects to the source,
whose first picture goes on the stream as a whole-state Snapshot, so every board drops the
calls that ended meanwhile and shows those that started.

A leader that cannot reach the engine keeps following its source (the state stays
current) and takes its lease back when the engine returns, then writes the whole state;
if another ingest took the lease meanwhile, it stops and stands by.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from wallboard.bus.base import Bus, BusError
from wallboard.bus.publisher import Publisher, PublishSettings
from wallboard.service import WallboardService

log = logging.getLogger(__name__)

STANDBY_POLL = 0.5
SOURCE_RESTART = 2.0


@dataclass
class IngestSettings(PublishSettings):
    lease_seconds: float = 3.0


class Ingest:
    def __init__(self, bus: Bus, settings: IngestSettings,
                 make_service: Callable[[], WallboardService], *, owner: str | None = None
                 ) -> None:
        self.bus = bus
        self.settings = settings
        self.make_service = make_service
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self.terms = 0
        """How many times this ingest took the lead."""
        self.service: WallboardService | None = None
        self.publisher: Publisher | None = None
        self._problem: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Stand by, lead, stand by again… until ``stop`` is set."""
        stream = self.settings.stream
        log.info("Standing by for stream %s on %s.", stream, self.bus.where)
        while not stop.is_set():
            if await self._try_lead():
                self.terms += 1
                log.info("Leading stream %s.", stream)
                await self._term(stop)
                if not stop.is_set():
                    log.info("Another ingest leads stream %s now; standing by.", stream)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STANDBY_POLL):  # not wait_for: see publisher.py
                    await stop.wait()
        await self.bus.resign(stream, self.owner)

    async def _try_lead(self) -> bool:
        try:
            took = await self.bus.lead(self.settings.stream, self.owner,
                                       self.settings.lease_seconds)
        except BusError as exc:
            self._say(f"{exc} Retrying.")
            return False
        self._problem = None
        return took

    async def _term(self, stop: asyncio.Event) -> None:
        """Lead until the lease is lost or ``stop``: follow the source and publish."""
        service = self.service = self.make_service()
        publisher = self.publisher = Publisher(
            self.bus, self.settings, self.owner, service.state, service.clock,
            notify=lambda message, severity: None)
        service.subscribe(publisher.on_effective)
        self.leading = True
        tasks = [
            asyncio.create_task(service.run(restart_after=SOURCE_RESTART), name="ingest-source"),
            asyncio.create_task(publisher.run(), name="ingest-publisher"),
            asyncio.create_task(self._keep_lease(publisher), name="ingest-lease"),
            asyncio.create_task(stop.wait(), name="ingest-stop"),
        ]
        try:
            await asyncio.wait(tasks[1:], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.leading = False
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await service.aclose()
            self.service = None

    async def _keep_lease(self, publisher: Publisher) -> None:
        """Renew the lease every third of its life; return once another ingest has it."""
        every = self.settings.lease_seconds / 3
        troubled = False
        while not publisher.lost.is_set():
            await asyncio.sleep(every)
            try:
                kept = await self.bus.lead(self.settings.stream, self.owner,
                                           self.settings.lease_seconds)
            except BusError as exc:
                self._say(f"{exc} Still following the source; publishing again once it "
                          "is back.")
                troubled = True
                continue
            if not kept:
                return
            if troubled:  # the engine may have restarted and lost the stream: start over
                troubled = False
                self._problem = None
                log.info("The bus at %s is back; publishing the whole state.", self.bus.where)
                publisher.start_over()

    def _say(self, message: str) -> None:
        if message != self._problem:
            self._problem = message
            log.warning("%s", message)

