"""The replica's source: the state of one or more streams (sites), followed on the bus.

``wallboard serve --bus URL --stream kyiv --stream lviv`` runs the same service, hub and
HTTP code as the single-process ``serve``; only its source is this one. It starts from
each stream's latest snapshot entry, then applies every event after it, and yields:

- one merged :class:`Snapshot` at first, and again when a stream has to start over (a
  gap: entries trimmed while this replica lagged, or lost by a restarted engine, or a new
  leader's whole-state Snapshot); the other sites' part comes from a mirror kept per site;
- every other event as it is, with its stream position, which the hub sends as the SSE id
  (``kyiv:1742810400000124``), so a screen resumes on any replica;
- the link's health as ConnectionChanged events of its own (no position): the bus, each
  site's lease (no leader: a standby is taking over) and each site's own source.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from datetime import datetime

from pydantic import ValidationError

from wallboard.bus.base import Bus, BusError, Entry
from wallboard.bus.history import StreamHistory
from wallboard.core.clock import Clock
from wallboard.core.events import EVENT_ADAPTER, ConnectionChanged, Event, Link, Snapshot
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.metrics import merge_seeds
from wallboard.core.state import LiveState
from wallboard.sources.backoff import Backoff
from wallboard.sources.base import Source
from wallboard.wire import Positions, format_positions

log = logging.getLogger(__name__)

READ_SECONDS = 1.0
"""A read waits this long for new entries; the sites' leases are checked as often."""
SNAPSHOT_WAIT = 0.5

_WORST = {Link.FAILED: 3, Link.RECONNECTING: 2, Link.CONNECTING: 1, Link.LIVE: 0}


class BusSource(Source):
    listen_modes = frozenset()

    def __init__(self, bus: Bus, streams: Sequence[str], clock: Clock, *,
                 stores: Mapping[str, str] | None = None, read_seconds: float = READ_SECONDS,
                 backoff: Backoff | None = None) -> None:
        self.bus = bus
        self.streams = list(dict.fromkeys(streams))
        self.clock = clock
        self.title = f"bus {', '.join(self.streams)}"
        self.read_seconds = read_seconds
        self.history = StreamHistory(stores or {}, clock)
        self.positions: Positions = {}
        """Where the state stands in each stream (what has been yielded)."""
        self.malformed = 0
        self.resyncs = 0
        self._ids: dict[int, str] = {}
        self._mirrors: dict[str, LiveState] = {}
        self._links: dict[str, tuple[Link, str]] = {}
        self._led: dict[str, bool] = {}
        self._status: tuple[Link, str] | None = None
        self._leases_checked = -1e9
        self._backoff = backoff or Backoff(0.5, 10.0)
        self._closed = asyncio.Event()

    # -- what the hub asks ----------------------------------------------------------------
    def event_id(self, event: Event) -> str | None:
        """The SSE id of an event of the batch being applied; None: an event of this
        replica's own (its link), which has no position."""
        return self._ids.get(id(event))

    @property
    def epoch(self) -> str:
        """The same on every replica of these streams: a screen moving between them is
        no restart."""
        return "bus:" + ",".join(sorted(self.streams))

    # -- the event flow ------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[list[Event]]:
        yield [self._say(Link.CONNECTING, f"Connecting to the bus at {self.bus.where}…")]
        while not self._closed.is_set():
            try:
                async with contextlib.aclosing(self._follow()) as follow:
                    async for batch in follow:
                        yield batch
                        self._ids = {}  # applied: the ids of its events may be reused now
                return
            except BusError as exc:
                self._ids = {}
                delay = self._backoff.next_delay()
                yield [self._say(Link.RECONNECTING, f"{exc} Retrying in {max(1, round(delay))} s.")]
                self._status = None  # say the state of the sites again once back
                await self._sleep(delay)

    async def _follow(self) -> AsyncGenerator[list[Event], None]:
        while not self.positions:
            started = await self._start_missing()
            if started:
                self._backoff.reset()
                yield started
                break
            yield [self._say(Link.CONNECTING, "Waiting for the first snapshot of "
                             f"{self._names(self.streams)} on the bus at {self.bus.where}; "
                             "is `wallboard ingest` running?")]
            await self._sleep(1.0)
        self._backoff.reset()
        while not self._closed.is_set():
            entries = await self.bus.read(dict(self.positions), self.read_seconds)
            batch = await self._apply(entries)
            if len(self.positions) < len(self.streams):
                batch += await self._start_missing()
            await self._check_leases()
            status = self._site_status()
            if status is not None:
                batch.insert(0, status)
            yield batch  # even empty: the replica is in touch with the bus

    async def _start_missing(self) -> list[Event]:
        """Load the snapshot of each stream not started yet; a merged Snapshot if any."""
        loaded = False
        for stream in self.streams:
            if stream not in self.positions:
                loaded = await self._load(stream) or loaded
        if not loaded:
            return []
        await self._check_leases()
        status = self._site_status()
        return [status, self._merged()] if status is not None else [self._merged()]

    async def _load(self, stream: str, newer_than: int | None = None) -> bool:
        found = await self.bus.snapshot(stream)
        if found is None or (newer_than is not None and found[0] <= newer_than):
            return False
        position, data = found
        try:
            snapshot = Snapshot.model_validate_json(data)
        except ValidationError:
            self._malformed(stream, position)
            return False
        mirror = self._mirrors[stream] = LiveState()
        mirror.apply(snapshot)
        self.positions[stream] = position
        return True

    def _merged(self) -> Snapshot:
        calls = [c for m in self._mirrors.values() for c in m.calls.values()]
        employees = [e for m in self._mirrors.values() for e in m.employees.values()]
        now = self.clock.now()
        mirrors = list(self._mirrors.values())
        snapshot = Snapshot(
            calls=tuple(calls), employees=tuple(employees),
            queues=tuple(q for m in mirrors for q in m.queues.values()),
            agents=tuple(a for m in mirrors for a in m.agents.values()),
            metrics=merge_seeds(m.snapshot(now).metrics for m in mirrors),
            at=now, restart=True)
        self._ids[id(snapshot)] = format_positions(self.positions)
        return snapshot

    async def _apply(self, entries: list[Entry]) -> list[Event]:
        batch: list[Event] = []
        restart: set[str] = set()
        for entry in entries:
            stream = entry.stream
            known = self.positions.get(stream)
            if stream in restart or known is None or entry.position <= known:
                continue
            if entry.position != known + 1:
                log.info("Stream %s jumped from %d to %d; starting it over.", stream, known,
                         entry.position)
                restart.add(stream)
                continue
            self.positions[stream] = entry.position
            try:
                event = EVENT_ADAPTER.validate_json(entry.data)
            except ValidationError:
                self._malformed(stream, entry.position)
                continue
            if isinstance(event, ConnectionChanged):
                self._links[stream] = (event.link, event.message)
            elif isinstance(event, Snapshot):  # a new leader's whole state: this site only
                self._mirrors[stream] = LiveState()
                self._mirrors[stream].apply(event)
                batch.append(self._merged())
            else:
                self._mirrors[stream].apply(event)
                self._ids[id(event)] = f"{stream}:{entry.position}"
                batch.append(event)
        for stream in restart:
            batch += await self._restart(stream)
        return batch

    async def _restart(self, stream: str) -> list[Event]:
        """Start ``stream`` over from a snapshot newer than what this replica holds."""
        self.resyncs += 1
        known = self.positions[stream]
        while not self._closed.is_set():
            if await self._load(stream, newer_than=known):
                return [self._merged()]
            await self._sleep(SNAPSHOT_WAIT)  # the leader writes one after any trouble
        return []

    # -- the link's health -----------------------------------------------------------------------
    async def _check_leases(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._leases_checked < self.read_seconds:
            return
        self._leases_checked = now
        for stream in self.streams:
            self._led[stream] = await self.bus.leader(stream) is not None

    def _site_status(self) -> ConnectionChanged | None:
        problems: list[tuple[Link, str]] = []
        for stream in self.streams:
            link, message = self._links.get(stream, (Link.LIVE, ""))
            if stream not in self.positions:
                problems.append((Link.CONNECTING, f"{stream}: no snapshot on the bus yet."))
            elif not self._led.get(stream, True):
                problems.append((Link.RECONNECTING, f"{stream}: no ingest leads it now; a "
                                 "standby takes over within seconds."))
            elif link is not Link.LIVE:
                problems.append((link, f"{stream}: {message or link.value}"))
        if not problems:
            status = (Link.LIVE, f"Live from the bus at {self.bus.where} "
                                 f"({self._names(self.streams)}).")
        else:
            worst = max((p[0] for p in problems), key=_WORST.__getitem__)
            status = (worst, " ".join(p[1] for p in problems))
        if status == self._status:
            return None
        return self._say(*status)

    def _say(self, link: Link, message: str) -> ConnectionChanged:
        self._status = (link, message)
        return ConnectionChanged(link=link, message=message, at=self.clock.now(),
                                 malformed=self.malformed)

    def _malformed(self, stream: str, position: int) -> None:
        self.malformed += 1
        log.warning("Skipped a malformed entry of stream %s at %d (%d so far).", stream,
                    position, self.malformed)

    @staticmethod
    def _names(streams: Sequence[str]) -> str:
        return ("stream " if len(streams) == 1 else "streams ") + ", ".join(streams)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closed.wait()

    async def aclose(self) -> None:
        self._closed.set()
        await self.history.aclose()
        await self.bus.aclose()

    # -- history: from the sites' stores ------------------------------------------------------
    def _stream_of(self, employee_id: str) -> str | None:
        for stream, mirror in self._mirrors.items():
            if employee_id in mirror.employees:
                return stream
        return self.streams[0] if len(self.streams) == 1 else None

    async def manager_history(self, employee_id: str, start: datetime, end: datetime
                              ) -> ManagerHistory:
        return await self.history.manager_history(self._stream_of(employee_id), employee_id,
                                                  start, end)

    async def call_log(self, employee_id: str, start: datetime, end: datetime
                       ) -> list[CallRecord]:
        return list((await self.manager_history(employee_id, start, end)).calls)
