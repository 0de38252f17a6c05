"""The bus on Redis Streams, through redis-py's asyncio client.

Keys of a stream ``kyiv`` (the braces keep them in one Redis Cluster slot, so one script
can touch them all):

- ``wallboard:{kyiv}:stream`` — the stream. An event at position n has the entry id
  ``n-0``; a snapshot entry of the state after event n has ``n-1``. Bounded with
  ``XADD MAXLEN ~``; only the two latest snapshot entries are kept.
- ``wallboard:{kyiv}:leader`` — the lease: redis-py's :class:`~redis.asyncio.lock.Lock`
  (``SET NX PX``, renewed and released by token-checked scripts).
- ``wallboard:{kyiv}:snapshot`` / ``…:snapshot-prev`` — positions of the latest snapshots.

Publishing is one Lua script that first checks the lease holds the publisher's token, so
an ingest that lost its lease (paused, partitioned) can never write after its successor:
the entries of one stream always come from one leader at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.lock import Lock

from wallboard.bus.base import BusError, Entry, NotLeader, bus_where

PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('NOTLEADER another ingest leads this stream')
end
local count = tonumber(ARGV[4])
local i = 5
for _ = 1, count do
  local done = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], ARGV[i] .. '-0',
                           'e', ARGV[i + 1], 't', ARGV[3])
  if type(done) == 'table' and done.err then
    return redis.error_reply('POSITION ' .. done.err)
  end
  i = i + 2
end
if ARGV[i] then
  local done = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], ARGV[i] .. '-1',
                           's', ARGV[i + 1], 't', ARGV[3])
  if type(done) == 'table' and done.err then
    return redis.error_reply('POSITION ' .. done.err)
  end
  local older = redis.call('GET', KEYS[4])
  if older then redis.call('XDEL', KEYS[2], older .. '-1') end
  local latest = redis.call('GET', KEYS[3])
  if latest then redis.call('SET', KEYS[4], latest) end
  redis.call('SET', KEYS[3], ARGV[i])
end
return count
"""

PAGE = 1000
MAX_RESUME = 50_000
"""A resume further behind than this many events gets a snapshot instead."""


def keys(stream: str) -> tuple[str, str, str, str]:
    base = f"wallboard:{{{stream}}}"
    return f"{base}:leader", f"{base}:stream", f"{base}:snapshot", f"{base}:snapshot-prev"


def _split(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class RedisBus:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.where = bus_where(url)
        try:
            self._redis: Any = Redis.from_url(
                url, socket_connect_timeout=2.0, socket_timeout=timeout,
                health_check_interval=10)
        except ValueError:
            raise BusError(f"The bus URL {self.where} is not valid; use "
                           "redis://host:6379/0.") from None
        self._publish = self._redis.register_script(PUBLISH)
        self._locks: dict[str, Lock] = {}

    @contextlib.asynccontextmanager
    async def _talking(self, what: str) -> AsyncIterator[None]:
        """Every redis-py failure as one sentence naming the engine's address."""
        task = asyncio.current_task()
        try:
            yield
        except (redis_errors.RedisError, OSError) as exc:
            if task is not None and task.cancelling():
                raise asyncio.CancelledError from None
            raise self._sentence(exc, what) from None
        # redis-py may turn a cancellation in the middle of a command into a connection
        # error, and even retry the command: the caller asked to stop, not to go on
        if task is not None and task.cancelling():
            raise asyncio.CancelledError

    def _sentence(self, exc: BaseException, what: str) -> BusError:
        if isinstance(exc, redis_errors.ResponseError):
            text = str(exc)
            if text.startswith("NOTLEADER"):
                return NotLeader("Another ingest leads this stream now.")
            return BusError(f"The bus at {self.where} refused to {what}: "
                            f"{text.splitlines()[0][:200]}")
        if isinstance(exc, redis_errors.AuthenticationError):
            return BusError(f"The bus at {self.where} rejected the credentials; check the "
                            "password in the bus URL.")
        if isinstance(exc, redis_errors.TimeoutError | TimeoutError):
            return BusError(f"The bus at {self.where} is unreachable (it timed out).")
        if isinstance(exc, redis_errors.ConnectionError | OSError):
            return BusError(f"The bus at {self.where} is unreachable (the connection failed).")
        return BusError(f"The bus at {self.where} failed to {what} ({type(exc).__name__}).")

    # -- the lease ---------------------------------------------------------------------------
    async def lead(self, stream: str, owner: str, seconds: float) -> bool:
        lock = self._locks.get(stream)
        if lock is None or lock.timeout != seconds:
            lock = self._locks[stream] = Lock(self._redis, keys(stream)[0], timeout=seconds,
                                              blocking=False, thread_local=False)
        async with self._talking("renew the lease"):
            if lock.local.token == owner.encode():
                with contextlib.suppress(redis_errors.LockNotOwnedError):
                    await lock.reacquire()
                    return True
            return bool(await lock.acquire(blocking=False, token=owner))

    async def resign(self, stream: str, owner: str) -> None:
        lock = self._locks.get(stream)
        if lock is None or lock.local.token != owner.encode():
            return
        with contextlib.suppress(BusError, redis_errors.LockError):
            async with self._talking("let the lease go"):
                await lock.release()

    async def leader(self, stream: str) -> str | None:
        async with self._talking("read the lease"):
            value = await self._redis.get(keys(stream)[0])
        return value.decode(errors="replace") if value is not None else None

    # -- writing ---------------------------------------------------------------------------
    async def last_position(self, stream: str) -> int | None:
        async with self._talking("read the stream"):
            last = await self._redis.xrevrange(keys(stream)[1], "+", "-", count=1)
        return _split(last[0][0])[0] if last else None

    async def publish(self, stream: str, owner: str, events: Sequence[tuple[int, bytes]],
                      snapshot: tuple[int, bytes] | None, *, retention: int,
                      emitted: float) -> None:
        args: list[Any] = [owner, retention, f"{emitted:.6f}", len(events)]
        for position, data in events:
            args += [position, data]
        if snapshot is not None:
            args += [snapshot[0], snapshot[1]]
        async with self._talking("publish"):
            await self._publish(keys=list(keys(stream)), args=args)

    # -- reading -----------------------------------------------------------------------------
    async def snapshot(self, stream: str) -> tuple[int, bytes] | None:
        _, key, latest, _ = keys(stream)
        async with self._talking("read the latest snapshot"):
            for _ in range(3):  # a newer snapshot may replace it between the two reads
                position = await self._redis.get(latest)
                if position is None:
                    return None
                found = await self._redis.xrange(key, f"{int(position)}-1",
                                                 f"{int(position)}-1")
                if found:
                    return int(position), found[0][1][b"s"]
        return None

    async def read(self, after: Mapping[str, int], timeout: float, limit: int = PAGE
                   ) -> list[Entry]:
        streams = {keys(name)[1]: f"{position}-1" for name, position in after.items()}
        names = {keys(name)[1].encode(): name for name in after}
        async with self._talking("read the stream"):
            answer = await self._redis.xread(streams, count=limit,
                                             block=max(1, int(timeout * 1000)))
        found: list[Entry] = []
        for key, items in answer or []:
            name = names[key if isinstance(key, bytes) else key.encode()]
            found.extend(_entries(name, items))
        return found

    async def entries(self, stream: str, after: int, until: int) -> list[Entry] | None:
        if until <= after:
            return []
        if until - after > MAX_RESUME:
            return None
        key = keys(stream)[1]
        found: list[Entry] = []
        start = f"{after + 1}-0"
        async with self._talking("read the stream"):
            while True:
                items = await self._redis.xrange(key, start, f"{until}-0", count=PAGE)
                found.extend(_entries(stream, items))
                if len(items) < PAGE:
                    break
                start = "(" + items[-1][0].decode()
        expected = after + 1
        for entry in found:
            if entry.position != expected:
                return None  # trimmed, or lost by a restarted engine
            expected += 1
        return found if expected == until + 1 else None

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self._redis.aclose()


def _entries(stream: str, items: list[tuple[bytes, dict[bytes, bytes]]]) -> list[Entry]:
    found = []
    for entry_id, fields in items:
        position, kind = _split(entry_id)
        if kind != 0 or b"e" not in fields:
            continue  # a snapshot entry
        try:
            emitted = float(fields.get(b"t", b"0"))
        except ValueError:
            emitted = 0.0
        found.append(Entry(stream, position, fields[b"e"], emitted))
    return found
