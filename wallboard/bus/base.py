"""The stream engine behind ``wallboard ingest`` and ``wallboard serve --bus``, as one small
interface. Redis Streams implements it (redis.py); NATS JetStream could, behind the same
methods (docs/scale-out.md says how).

A stream holds one site's effective changes, each an event (JSON) at a **position**: an
integer that grows by one per event, continued by whichever ingest leads, and that never
goes back (a stream that starts empty starts at the time in microseconds). Between the
events, now and then, a **snapshot entry** holds the whole state as it stands after the
event at the same position, so a replica can start from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class BusError(Exception):
    """The stream engine cannot be used right now, said in one sentence (no password)."""


class NotLeader(BusError):
    """The lease of the stream belongs to another ingest: nothing was published."""


@dataclass(frozen=True, slots=True)
class Entry:
    stream: str
    position: int
    data: bytes
    """One event as JSON (``wallboard.core.events``)."""
    emitted: float
    """When the ingest took it from its source (seconds since the epoch): the lag a
    replica or a benchmark measures is counted from here."""


class Bus(Protocol):
    where: str
    """The engine's address for messages, without credentials."""

    # -- the ingest's side ---------------------------------------------------------------
    async def lead(self, stream: str, owner: str, seconds: float) -> bool:
        """Take or keep the stream's lease for ``seconds``; False: another owner has it."""

    async def resign(self, stream: str, owner: str) -> None:
        """Let the lease go at once (a clean stop), if ``owner`` holds it."""

    async def last_position(self, stream: str) -> int | None:
        """The position of the stream's last entry; None for an empty stream."""

    async def publish(self, stream: str, owner: str, events: Sequence[tuple[int, bytes]],
                      snapshot: tuple[int, bytes] | None, *, retention: int,
                      emitted: float) -> None:
        """Append ``events`` (position, JSON) and maybe a snapshot entry, only while
        ``owner`` holds the lease (NotLeader otherwise), keeping about ``retention``
        entries."""

    # -- the replicas' side ------------------------------------------------------------------
    async def leader(self, stream: str) -> str | None:
        """Who holds the stream's lease (None: nobody leads now)."""

    async def snapshot(self, stream: str) -> tuple[int, bytes] | None:
        """The latest snapshot entry: (its position, the Snapshot event as JSON)."""

    async def read(self, after: Mapping[str, int], timeout: float, limit: int = 1000
                   ) -> list[Entry]:
        """The events after each stream's position, waiting up to ``timeout`` seconds for
        the first one; [] when none came."""

    async def entries(self, stream: str, after: int, until: int) -> list[Entry] | None:
        """Every event in (after, until]; None when they are no longer all kept."""

    async def aclose(self) -> None: ...


def open_bus(url: str) -> Bus:
    """The bus at ``url`` (``redis://``, ``rediss://``, ``unix://``); BusError says why
    not."""
    from wallboard.bus.redis import RedisBus

    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    raise BusError(f"The bus URL {bus_where(url)} is not supported; use "
                   "redis://host:6379/0 (Redis Streams).")


def bus_where(url: str) -> str:
    """``url`` without a password, for messages."""
    from wallboard.checks import without_userinfo

    return without_userinfo(url)
