"""The hub without HTTP: numbering, replay, slow subscribers."""

from __future__ import annotations

import asyncio

from tests.server.support import ScriptedSource, call
from wallboard.core.clock import SystemClock
from wallboard.core.events import CallEnded, CallUpserted, Event, Snapshot
from wallboard.server.app import default_service
from wallboard.server.hub import Hub


class _Hub(Hub):
    def feed(self, events: list[Event]) -> None:
        """As the service does: apply, then publish what changed."""
        self.service.apply(events)


def hub(**kw) -> _Hub:
    h = _Hub(default_service(ScriptedSource(), SystemClock()), first_seq=100, **kw)
    h.feed([Snapshot(calls=(call("c1"),))])
    return h


def test_only_effective_changes_are_numbered():
    h = hub()
    assert h.seq == 101
    h.feed([CallUpserted(call=call("c1")), CallEnded(call_id="nope")])
    assert h.seq == 101
    h.feed([CallEnded(call_id="c1")])
    assert h.seq == 102


def test_replay_after():
    h = hub(replay=3)
    h.feed([CallUpserted(call=call(f"n{i}")) for i in range(5)])  # 102..106
    assert h.replay_after(106) == []
    assert [f.split(b"\n")[0] for f in h.replay_after(104)] == [b"id: 105", b"id: 106"]
    assert h.replay_after(103) is not None and len(h.replay_after(103)) == 3
    assert h.replay_after(102) is None  # 103 was dropped from the buffer
    assert h.replay_after(50) is None and h.replay_after(10**18) is None


async def test_a_slow_subscriber_is_resynced_and_never_blocks_the_hub():
    h = hub(client_queue=4)
    slow, first = h.subscribe(None)
    fast, _ = h.subscribe(None)
    assert first[0].startswith(b"id: 101\n")
    for burst in range(2):
        h.feed([CallUpserted(call=call(f"n{burst}{i}")) for i in range(3)])
        frames = await fast.next_frames(0.1)  # the fast one keeps up
        assert frames is not None and len(frames) == 3
    frames = await slow.next_frames(0.1)
    assert frames is not None and len(frames) == 1
    assert frames[0].startswith(b"id: 107\n") and b'"kind":"snapshot"' in frames[0]
    assert h.resyncs == 1
    h.feed([CallEnded(call_id="n00")])
    assert (await slow.next_frames(0.1))[0].startswith(b"id: 108\n")


async def test_idle_subscriber_times_out_and_close_ends_it():
    h = hub()
    sub, _ = h.subscribe(101)
    assert await sub.next_frames(0.01) == []
    h.close()
    assert await asyncio.wait_for(sub.next_frames(5), 1) is None
