"""Oracles at call-center scale: 500 concurrent calls on the fake ARI (issue 19).

The board connects while hundreds of calls ring, talk and hold, follows thousands of
events, loses its WebSocket while calls come and go unseen, and resyncs. At every
checkpoint it must show exactly the calls the script says are live (no ghost, no missing
row), each with the script's status, manager, type and client number, and counters equal
to those of the script -- whose channels are checked against ``GET /channels`` first.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest

from tests.sources.ari.conftest import APP, Watcher, settings
from tests.sources.ari.fake_ari import FakeAri
from tests.sources.ari.load import CallLoad, Truth
from wallboard.core.counters import compute_counters
from wallboard.core.events import Link, Snapshot
from wallboard.sources.ari import AriClient

pytestmark = pytest.mark.slow

CALLS = 500


async def run(load: CallLoad, steps: int) -> None:
    for n in range(steps):
        await load.step()
        if n % 20 == 0:
            await asyncio.sleep(0)  # let the board read as it goes


def shown_status(t: Truth, unseen: list[tuple[int, int]]) -> set[str]:
    """What the board may show: a hold or unhold the board never saw (before it connected,
    or while it was cut off) cannot be known, since REST has no hold state."""
    if t.status in ("talking", "on_hold") and any(a < t.last_hold <= b for a, b in unseen):
        return {"talking", "on_hold"}
    return {t.status}


async def check(
    w: Watcher, load: CallLoad, fake: FakeAri, unseen: list[tuple[int, int]]
) -> Counter[str]:
    truths = {t.row: t for t in load.truths()}
    async with httpx.AsyncClient(base_url=fake.url + "/ari", auth=("wall", "s3cret")) as http:
        listed = {c["id"] for c in (await http.get("/channels")).json()}
    assert listed == {c for t in truths.values() for c in t.channels}, "the script is REST"
    assert len(truths) == CALLS

    def caught_up() -> bool:
        calls = w.state.calls
        return set(calls) == set(truths) and all(
            calls[row].status.value in shown_status(t, unseen)
            and calls[row].employee_id == t.employee
            for row, t in truths.items()
        )

    try:
        await w.until(caught_up, timeout=30)
    finally:
        board = w.state.calls
        assert not set(board) - set(truths), "ghost rows"
        assert not set(truths) - set(board), "missing rows"
    for row, t in truths.items():
        call = board[row]
        assert call.status.value in shown_status(t, unseen), (row, t)
        assert (call.employee_id, call.type.value, call.client_number) == (
            t.employee, t.type, t.client_number), row
    expected = Counter(total=len(truths))
    for t in truths.values():
        side = "waiting" if t.status == "ringing" else "talking"
        expected[side] += 1
        expected[f"{side}_incoming"] += t.type == "incoming"
    counters = compute_counters(board.values(), datetime.now(UTC))
    shown = Counter(total=counters.total, waiting=counters.waiting,
                    waiting_incoming=counters.waiting_incoming, talking=counters.talking,
                    talking_incoming=counters.talking_incoming)
    assert shown == expected
    return Counter(t.status for t in truths.values())


async def test_oracles_at_500_calls(tmp_path) -> None:
    fake = FakeAri()
    fake.app, fake.keep_sent = APP, False
    load = CallLoad(fake, CALLS, seed=11)
    load.add_endpoints()
    await fake.start()
    csv = tmp_path / "agents.csv"
    csv.write_text(load.employees_csv(), encoding="utf-8")
    w = None
    try:
        await load.fill()  # hundreds of calls already ringing and talking before we connect
        client = AriClient(settings(fake.url, employees=[], employees_csv=csv),
                           batch_seconds=0.02, backoff_seconds=0.05)
        w = Watcher(client)
        await w.until(lambda: w.state.connection.link is Link.LIVE, timeout=30)
        await fake.wait_for_sockets()
        unseen = [(0, fake.events_sent)]
        statuses = await check(w, load, fake, unseen)
        assert statuses["ringing"] > 50 and statuses["talking"] > 50, statuses
        await run(load, 3000)
        await check(w, load, fake, unseen)
        fake.status = 503  # Asterisk restarting: the board cannot come back at once
        await fake.drop_sockets()
        gap = fake.events_sent
        await run(load, 400)  # unseen: only the resync's listing will tell
        unseen.append((gap, fake.events_sent))
        fake.status = None
        await w.until(lambda: len(w.of(Snapshot)) == 2 and
                      w.state.connection.link is Link.LIVE, timeout=30)
        await fake.wait_for_sockets()
        await check(w, load, fake, unseen)
        await run(load, 2000)
        statuses = await check(w, load, fake, unseen)
        assert statuses["on_hold"] > 0, statuses
    finally:
        if w is not None:
            await w.close()
        await fake.stop()
