"""The hub of a bus replica: the same fan-out, numbered by the streams' positions.

The single-process hub numbers events itself, so its ids mean something only to itself.
Here every event's SSE id is its position in its site's stream (``kyiv:1742810400000124``)
and a snapshot's id holds every stream's position (``kyiv:…124,lviv:…456``). Ids mean the
same on every replica, so a screen whose replica died resumes on another: from that
replica's replay buffer when it holds the gap, else from the stream itself (while the gap
is within the stream's retention), and only else with a snapshot.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from pydantic import ValidationError

from wallboard.bus.base import BusError
from wallboard.bus.source import BusSource
from wallboard.core.events import EVENT_ADAPTER, ConnectionChanged, Event, Snapshot
from wallboard.server.hub import URGENT, Hub, LastId, Subscriber, sse_frame
from wallboard.wire import Positions, format_positions, parse_positions

if TYPE_CHECKING:
    from wallboard.service import WallboardService


class BusHub(Hub):
    def __init__(self, service: WallboardService, replay: int = 10_000,
                 client_queue: int = 2_000, first_seq: int | None = None) -> None:
        super().__init__(service, replay=replay, client_queue=client_queue, first_seq=0)
        source = service.source
        if not isinstance(source, BusSource):
            raise TypeError("BusHub needs a service that follows a BusSource")
        self.source = source
        self._positions: Positions = {}
        """Where the state the screens got stands in each stream."""
        self._frames: deque[tuple[str, int, bytes]] = deque()
        self._floor: Positions = {}
        """Per stream, the replay buffer holds every frame after this position."""
        self._limit = replay
        self.resumed = {"buffer": 0, "stream": 0}
        """Resumes answered without a snapshot, by where the missed events came from."""
        self.snapshots = 0
        """Event streams that began with a snapshot (new screens, or gaps too old)."""

    @property
    def position(self) -> str:
        return format_positions(self._positions)

    @property
    def epoch(self) -> str:
        return self.source.epoch

    @staticmethod
    def parse_last_id(raw: str) -> LastId:
        return parse_positions(raw)

    def number(self, event: Event) -> None:
        event_id = self.source.event_id(event)
        if event_id is None:  # this replica's own link: no position, not replayed
            self._snapshot_cache = None
            self.push(sse_frame(self.position, event.model_dump_json()), urgent=True)
            return
        frame = sse_frame(event_id, event.model_dump_json())
        if isinstance(event, Snapshot):
            self._positions = parse_positions(event_id) or {}
            self._frames.clear()
            self._floor = dict(self._positions)
        else:
            stream, _, position = event_id.partition(":")
            self._positions[stream] = int(position)
            self._frames.append((stream, int(position), frame))
            if len(self._frames) > self._limit:
                oldest, at, _ = self._frames.popleft()
                self._floor[oldest] = at
        self.push(frame, urgent=isinstance(event, URGENT))

    def _resumable(self, last_id: LastId) -> Positions | None:
        if not isinstance(last_id, dict) or set(last_id) != set(self._positions):
            return None
        if any(n > self._positions[s] for s, n in last_id.items()):
            return None  # ahead of this replica: it lags; a snapshot is right
        return last_id

    def replay_after(self, last_id: LastId) -> list[bytes] | None:
        wanted = self._resumable(last_id)
        if wanted is None or any(n < self._floor.get(s, n) for s, n in wanted.items()):
            return None
        return [frame for stream, n, frame in self._frames if n > wanted[stream]]

    async def open(self, last_id: LastId) -> tuple[Subscriber, list[bytes]]:
        until = dict(self._positions)
        subscriber, first = self.subscribe(last_id)  # from now on it hears every frame
        if self.replay_after(last_id) is not None:
            self.resumed["buffer"] += 1
            return subscriber, first
        wanted = self._resumable(last_id)
        if wanted is not None:
            frames = await self._from_stream(wanted, until)
            if frames is not None:
                self.resumed["stream"] += 1
                return subscriber, frames
        self.snapshots += 1
        return subscriber, first

    async def _from_stream(self, wanted: Positions, until: Positions) -> list[bytes] | None:
        """The frames in (wanted, until] read back from the streams; None if not all are
        kept, or one is a whole-state Snapshot (a snapshot is the answer then)."""
        frames: list[bytes] = []
        for stream, after in wanted.items():
            try:
                entries = await self.source.bus.entries(stream, after, until[stream])
            except BusError:
                return None
            if entries is None:
                return None
            for entry in entries:
                try:
                    event = EVENT_ADAPTER.validate_json(entry.data)
                except ValidationError:
                    continue
                if isinstance(event, Snapshot):
                    return None
                if not isinstance(event, ConnectionChanged):
                    frames.append(sse_frame(f"{stream}:{entry.position}", entry.data))
        return frames
