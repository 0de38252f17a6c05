"""The bus on a real Redis: fenced publishing, positions, the lease, retention, resumes."""

from __future__ import annotations

import asyncio

import pytest

from wallboard.bus import BusError, NotLeader, open_bus
from wallboard.bus.redis import RedisBus


def events(first: int, count: int) -> list[tuple[int, bytes]]:
    return [(first + i, b'{"kind":"call_ended","call_id":"c%d"}' % (first + i))
            for i in range(count)]


async def test_only_the_lease_holder_publishes_and_positions_follow_on(redis) -> None:
    bus = RedisBus(redis.url)
    try:
        assert await bus.lead("kyiv", "ingest-a", 3.0) is True
        assert await bus.lead("kyiv", "ingest-b", 3.0) is False
        assert await bus.leader("kyiv") == "ingest-a"
        await bus.publish("kyiv", "ingest-a", events(101, 3), (103, b'{"kind":"snapshot"}'),
                          retention=1000, emitted=1.5)
        with pytest.raises(NotLeader):
            await bus.publish("kyiv", "ingest-b", events(104, 1), None, retention=1000,
                              emitted=2.0)
        # a position that does not follow on is refused whole (it could only come from a
        # confused leader): nothing is appended
        with pytest.raises(BusError):
            await bus.publish("kyiv", "ingest-a", events(102, 1), None, retention=1000,
                              emitted=2.0)
        assert await bus.last_position("kyiv") == 103
        assert await bus.snapshot("kyiv") == (103, b'{"kind":"snapshot"}')
        read = await bus.read({"kyiv": 100}, 0.1)
        assert [(e.position, e.data) for e in read] == events(101, 3)
        assert [e.emitted for e in read] == [1.5, 1.5, 1.5]
        assert await bus.read({"kyiv": 103}, 0.1) == []
        assert [e.position for e in await bus.entries("kyiv", 101, 103) or []] == [102, 103]
        assert await bus.entries("kyiv", 99, 103) is None  # 100 was never there
    finally:
        await bus.aclose()


async def test_a_lease_that_is_not_renewed_passes_to_a_standby(redis) -> None:
    bus = RedisBus(redis.url)
    try:
        assert await bus.lead("kyiv", "ingest-a", 1.0)
        assert not await bus.lead("kyiv", "ingest-b", 1.0)
        await asyncio.sleep(1.2)  # ingest-a died: no renewal
        assert await bus.lead("kyiv", "ingest-b", 1.0)
        assert not await bus.lead("kyiv", "ingest-a", 1.0)  # a late renewal fails
        with pytest.raises(NotLeader):
            await bus.publish("kyiv", "ingest-a", events(1, 1), None, retention=1000,
                              emitted=0)
        await bus.resign("kyiv", "ingest-b")
        assert await bus.leader("kyiv") is None
    finally:
        await bus.aclose()


async def test_retention_trims_and_a_resume_beyond_it_is_refused(redis) -> None:
    bus = RedisBus(redis.url)
    try:
        await bus.lead("s", "me", 5.0)
        for batch in range(30):
            await bus.publish("s", "me", events(1 + batch * 200, 200), None, retention=1000,
                              emitted=0)
        last = await bus.last_position("s")
        assert last == 6000
        kept = await bus.entries("s", 5000, 6000)
        assert kept is not None and len(kept) == 1000
        assert await bus.entries("s", 1, 6000) is None  # trimmed long ago
    finally:
        await bus.aclose()


async def test_only_the_two_latest_snapshots_are_kept(redis) -> None:
    bus = RedisBus(redis.url)
    try:
        await bus.lead("s", "me", 5.0)
        for n in range(1, 6):
            await bus.publish("s", "me", events(n, 1), (n, b"S%d" % n), retention=1000,
                              emitted=0)
        assert await bus.snapshot("s") == (5, b"S5")
        raw = await bus._redis.xrange("wallboard:{s}:stream")
        assert [i for i, f in raw if b"s" in f] == [b"4-1", b"5-1"]
    finally:
        await bus.aclose()


async def test_an_unreachable_or_unknown_bus_is_one_sentence() -> None:
    with pytest.raises(BusError, match="not supported; use redis://"):
        open_bus("nats://127.0.0.1:4222")
    bus = open_bus("redis://:hunter2hunter2@127.0.0.1:1/0")
    with pytest.raises(BusError) as info:
        await bus.last_position("s")
    assert str(info.value) == "The bus at redis://127.0.0.1:1/0 is unreachable (the " \
                              "connection failed)."
    await bus.aclose()
