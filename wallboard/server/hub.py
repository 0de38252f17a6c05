"""The hub: ONE upstream source (followed by the service), any number of HTTP clients.

It hears every event the service applied that changed something, numbers them (the
sequence number is the SSE id), keeps the most recent ones in a bounded replay buffer and
fans them out to subscribers. Each subscriber has a bounded buffer of its own: one that
falls too far behind is marked and gets a fresh snapshot when it next reads, so a slow
client never blocks the hub or the other clients.

Everything runs on one event loop, so subscribing and publishing need no locks.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallboard.core.events import ConnectionChanged, Event, Link, ListenChanged
from wallboard.wire import Positions, SnapshotBody

if TYPE_CHECKING:
    from wallboard.service import WallboardService


@dataclass(frozen=True, slots=True)
class Sequenced:
    seq: int
    frame: bytes
    """The event as an SSE frame (``id:`` and ``data:`` lines), encoded once for everyone."""


def sse_frame(seq: int | str, json_text: str | bytes) -> bytes:
    data = json_text.encode() if isinstance(json_text, str) else json_text
    return b"id: %s\ndata: %s\n\n" % (str(seq).encode(), data)


URGENT = (ListenChanged, ConnectionChanged)
"""Events a client that asked for batches gets at once: a supervisor's listen steps, and
the health of the source."""
MAX_BATCH_SECONDS = 5.0
"""The longest batch a client may ask for (``?batch=``)."""

LastId = int | Positions | None
"""Where a resuming client stands: the single-process sequence number, or the positions
in the streams of a bus (``serve --bus``)."""


class Subscriber:
    """One event-stream client: a bounded buffer of frames and a wake-up flag."""

    def __init__(self, hub: Hub, limit: int) -> None:
        self._hub = hub
        self._limit = limit
        self._frames: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self._cut = asyncio.Event()
        """Ends a :meth:`hold` at once: an urgent frame, or the stream closing."""
        self.overflowed = False
        self.closed = False

    def push(self, frame: bytes, urgent: bool = False) -> None:
        """Queue a frame; ``urgent`` (a listen step, the source's health) is not held back
        for a client that asked for batches."""
        if self.overflowed:
            return
        if len(self._frames) >= self._limit:
            self.overflowed = True
            self._frames.clear()
        else:
            self._frames.append(frame)
        self._wake.set()
        if urgent:
            self._cut.set()

    def close(self) -> None:
        self.closed = True
        self._wake.set()
        self._cut.set()

    async def hold(self, seconds: float) -> None:
        """Let frames gather for ``seconds`` before the next write: a client that draws
        once a second asked for its events a batch at a time (``?batch=``), so it wakes up
        a few times a second instead of at every change. An urgent frame, or the stream
        closing, ends the hold at once."""
        if self._cut.is_set():
            return
        try:
            await asyncio.wait_for(self._cut.wait(), seconds)
        except TimeoutError:
            pass

    async def next_frames(self, timeout: float) -> list[bytes] | None:
        """What to send next: frames, [] after ``timeout`` idle seconds, None once closed."""
        if not self._frames and not self.overflowed and not self.closed:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                return []
        if self.closed:
            return None
        if self.overflowed:
            self.overflowed = False
            self._frames.clear()
            self._hub.resyncs += 1
            return [self._hub.snapshot_frame()]
        frames = list(self._frames)
        self._frames.clear()
        self._cut.clear()  # what was urgent goes now
        return frames


class Hub:
    """Numbers the service's effective changes and fans them out to event-stream clients.

    The service follows the one upstream source and applies every event; the hub hears
    the events that changed something (``publish``), gives each a sequence number, keeps
    the recent ones for resuming clients and pushes them to every subscriber.
    """

    def __init__(
        self,
        service: WallboardService,
        replay: int = 10_000,
        client_queue: int = 2_000,
        first_seq: int | None = None,
    ) -> None:
        self.service = service
        self.state = service.state
        self.clock = service.clock
        # Microseconds since the epoch: a restarted server numbers its events above any id
        # it handed out before, so a client cannot resume into a history that is not there.
        self.first_seq = time.time_ns() // 1_000 if first_seq is None else first_seq
        self.seq = self.first_seq
        self._replay: deque[Sequenced] = deque(maxlen=replay)
        self._client_queue = client_queue
        self._subscribers: set[Subscriber] = set()
        self._snapshot_cache: tuple[int | str, bytes, bytes] | None = None
        self.ready = asyncio.Event()
        """Set once the source's first snapshot has arrived."""
        self.upstream = ConnectionChanged(link=Link.CONNECTING, message="Starting the source.")
        self.resyncs = 0
        """How many times a slow subscriber was dropped back to a snapshot."""
        self._unsubscribe = service.subscribe(self.publish)

    def publish(self, effective: Iterable[Event]) -> None:
        """Number and fan out events that changed the state (already applied)."""
        for event in effective:
            if isinstance(event, ConnectionChanged):
                self.upstream = event
            elif event.kind == "snapshot":
                self.ready.set()
            self.number(event)

    def number(self, event: Event) -> None:
        """Give ``event`` the next sequence number, keep it for replays, fan it out."""
        self.seq += 1
        item = Sequenced(self.seq, sse_frame(self.seq, event.model_dump_json()))
        self._replay.append(item)
        self.push(item.frame, urgent=isinstance(event, URGENT))

    def push(self, frame: bytes, urgent: bool = False) -> None:
        for subscriber in self._subscribers:
            subscriber.push(frame, urgent)

    @property
    def position(self) -> int | str:
        """The id of the last event: the ETag, /healthz and the snapshot's ``seq``."""
        return self.seq

    @property
    def epoch(self) -> str:
        """Differs after a restart (the X-Wallboard-Epoch header)."""
        return str(self.first_seq)

    @staticmethod
    def parse_last_id(raw: str) -> LastId:
        """A client's ``Last-Event-ID``; None if it is none of ours (a snapshot follows)."""
        try:
            return int(raw.strip())
        except ValueError:
            return None

    # -- subscribers -----------------------------------------------------------------
    def subscribe(self, last_id: LastId) -> tuple[Subscriber, list[bytes]]:
        """A new subscriber and the frames it must get first (a replay or a snapshot)."""
        subscriber = Subscriber(self, self._client_queue)
        self._subscribers.add(subscriber)
        replay = self.replay_after(last_id) if last_id is not None else None
        if replay is None:
            return subscriber, [self.snapshot_frame()]
        return subscriber, replay

    async def open(self, last_id: LastId) -> tuple[Subscriber, list[bytes]]:
        """:meth:`subscribe`, for hubs that may have to look further back than their
        replay buffer (a bus replica reads the stream)."""
        return self.subscribe(last_id)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def replay_after(self, last_id: LastId) -> list[bytes] | None:
        """The frames after ``last_id``; None if they are not all kept (or never existed)."""
        if not isinstance(last_id, int):
            return None
        if last_id == self.seq:
            return []
        if not self._replay or not (self.first_seq <= last_id < self.seq):
            return None
        oldest = self._replay[0].seq
        if last_id + 1 < oldest:
            return None
        start = last_id + 1 - oldest
        return [item.frame for item in itertools.islice(self._replay, start, None)]

    # -- the full state ----------------------------------------------------------------
    def _snapshot(self) -> tuple[int | str, bytes, bytes]:
        """(seq, SSE frame, /v1/snapshot body without server_time), cached per seq."""
        cache = self._snapshot_cache
        if cache is not None and cache[0] == self.position:
            return cache
        snapshot = self.state.snapshot(at=self.clock.now())
        frame = sse_frame(self.position, snapshot.model_dump_json())
        body = SnapshotBody(
            calls=snapshot.calls,
            employees=snapshot.employees,
            queues=snapshot.queues,
            agents=snapshot.agents,
            metrics=snapshot.metrics,
            at=snapshot.at,
            departments=self.state.departments(),
            sites=self.state.sites(),
            seq=self.position,
            server_time=snapshot.at or self.clock.now(),
            upstream=self.upstream.link,
        ).model_dump_json(exclude={"server_time"})
        self._snapshot_cache = (self.position, frame, body.encode())
        return self._snapshot_cache

    def snapshot_frame(self) -> bytes:
        return self._snapshot()[1]

    def snapshot_body(self) -> bytes:
        """The /v1/snapshot JSON, with the server time of this very moment."""
        body = self._snapshot()[2]
        now = self.clock.now().isoformat().replace("+00:00", "Z")
        return body[:-1] + b',"server_time":"' + now.encode() + b'"}'

    def close(self) -> None:
        self._unsubscribe()
        for subscriber in list(self._subscribers):
            subscriber.close()
        self._subscribers.clear()
