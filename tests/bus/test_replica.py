"""Replicas on a real Redis, in process: the stream positions as SSE ids, resuming on
another replica without a snapshot, several sites on one board, history from the store."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import httpx

from tests.bus.rig import ScriptedIngest, replica
from tests.server.support import T0, ScriptedSource, call, employee
from tests.sources.feed_support import Follower, client
from wallboard.config import FeedSource
from wallboard.core.events import CallEnded, CallUpserted, ConnectionChanged, Link, Snapshot
from wallboard.core.models import CallStatus
from wallboard.core.sites import counters_by_site
from wallboard.sources.feed import FeedClient
from wallboard.wire import parse_positions


def two_urls(first: str, second: str) -> FeedClient:
    return FeedClient(FeedSource(url=first, urls=[second]), environ={}, backoff_base=0.05,
                      backoff_cap=0.2)


async def test_a_screen_resumes_on_the_other_replica_without_a_snapshot(redis) -> None:
    ingest = await ScriptedIngest(redis.url, "main", ScriptedSource()).start()
    with contextlib.ExitStack() as stack:
        first, first_hub = stack.enter_context(replica(redis.url, ["main"]))
        second_cm = replica(redis.url, ["main"])
        second, second_hub = second_cm.__enter__()
        screen = Follower(two_urls(first, second))
        try:
            await screen.until(lambda: "c1" in screen.state.calls)
            await ingest.push([CallUpserted(call=call("c2"))])
            await screen.until(lambda: "c2" in screen.state.calls)
            stack.close()  # the first replica goes away under the screen
            await ingest.push([CallUpserted(call=call("c1", CallStatus.TALKING, revision=1)),
                               CallEnded(call_id="c2")])
            await screen.until(lambda: "c2" not in screen.state.calls, timeout=10)
            assert screen.state.calls["c1"].status is CallStatus.TALKING
            assert screen.snapshots == 1  # the one it started with
            assert second_hub.resumed == {"buffer": 1, "stream": 0}
            assert screen.client.url == second
            positions = parse_positions(second_hub.position)
            assert positions is not None and list(positions) == ["main"]
        finally:
            await screen.stop()
            second_cm.__exit__(None, None, None)
    await ingest.close()


async def test_a_replica_started_after_the_gap_reads_it_back_from_the_stream(redis) -> None:
    ingest = await ScriptedIngest(redis.url, "main", ScriptedSource()).start()
    first_cm = replica(redis.url, ["main"])
    first, _ = first_cm.__enter__()
    screen = Follower(client(first))
    await screen.until(lambda: "c1" in screen.state.calls)
    await ingest.push([CallUpserted(call=call("c2"))])
    await screen.until(lambda: "c2" in screen.state.calls)
    last = screen.client._last_id
    await screen.stop()
    first_cm.__exit__(None, None, None)
    # while no replica runs, two calls change; then a new replica starts from a snapshot
    # entry that already holds them, so its own buffer cannot replay them
    await ingest.push([CallEnded(call_id="c1"), CallUpserted(call=call("c3"))])
    await ingest.push([CallUpserted(call=call("c4"))])
    await asyncio.sleep(1.5)  # the ingest writes a snapshot entry every second (a change)
    with replica(redis.url, ["main"]) as (second, hub):
        async with httpx.AsyncClient() as http:
            async with http.stream("GET", f"{second}/v1/events",
                                   headers={"Last-Event-ID": f"main:{last['main']}"}) as r:
                text = ""
                async for chunk in r.aiter_text():
                    text += chunk
                    if '"c4"' in text:
                        break
        assert hub.resumed["stream"] == 1 and hub.snapshots == 0
        frames = [f for f in text.split("\n\n") if f.startswith("id: ")]
        assert [f.split("\n")[0] for f in frames] == [
            f"id: main:{last['main'] + n}" for n in (1, 2, 3)]
        assert '"call_ended"' in frames[0] and '"c3"' in frames[1] and '"c4"' in frames[2]
    await ingest.close()


async def test_two_sites_on_one_board_each_with_its_counters(redis) -> None:
    kyiv_source = ScriptedSource([
        ConnectionChanged(link=Link.LIVE),
        Snapshot(calls=(call("c1"), call("c2", CallStatus.TALKING)), employees=(employee(),),
                 at=T0)])
    lviv_source = ScriptedSource([
        ConnectionChanged(link=Link.LIVE),
        Snapshot(calls=(call("c1", CallStatus.TALKING),), employees=(employee(),), at=T0)])
    kyiv = await ScriptedIngest(redis.url, "kyiv", kyiv_source, site="kyiv").start()
    lviv = await ScriptedIngest(redis.url, "lviv", lviv_source, site="lviv").start()
    with replica(redis.url, ["kyiv", "lviv"]) as (url, hub):
        screen = Follower(client(url))
        try:
            await screen.until(lambda: len(screen.state.calls) == 3)
            assert sorted(screen.state.calls) == ["kyiv:c1", "kyiv:c2", "lviv:c1"]
            assert screen.state.calls["lviv:c1"].site == "lviv"
            assert screen.state.calls["kyiv:c1"].employee_id == "kyiv:e1"
            assert sorted(screen.state.employees) == ["kyiv:e1", "lviv:e1"]
            await lviv.push([CallUpserted(call=call("c2"))])
            await kyiv.push([CallEnded(call_id="c1")])
            await screen.until(lambda: "lviv:c2" in screen.state.calls
                               and "kyiv:c1" not in screen.state.calls)
            now = T0 + timedelta(seconds=30)
            per_site = counters_by_site(screen.state.calls.values(), now)
            assert (per_site["kyiv"].total, per_site["kyiv"].waiting,
                    per_site["kyiv"].talking) == (1, 0, 1)
            assert (per_site["lviv"].total, per_site["lviv"].waiting,
                    per_site["lviv"].talking) == (2, 1, 1)
            assert screen.state.sites() == ["kyiv", "lviv"]
            assert screen.snapshots == 1
            last = screen.client._last_id
            assert isinstance(last, dict) and sorted(last) == ["kyiv", "lviv"]
        finally:
            await screen.stop()
    await kyiv.close()
    await lviv.close()


async def test_history_comes_from_the_store_the_ingest_records_into(redis, tmp_path) -> None:
    store = str(tmp_path / "main.sqlite3")
    ingest = await ScriptedIngest(redis.url, "main", ScriptedSource(), store=store).start()
    service = ingest.ingest.service
    assert service is not None and await service.wait_recording() is not None
    await ingest.push([CallUpserted(call=call("c1", CallStatus.TALKING, revision=1))])
    await ingest.push([CallEnded(call_id="c1", at=T0 + timedelta(minutes=2))])
    await service.recorder.flush()  # type: ignore[union-attr]
    with replica(redis.url, ["main"], stores={"main": store}) as (url, _):
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{url}/v1/managers/e1/calls", params={
                "from": "2026-03-24T00:00:00Z", "to": "2026-03-25T00:00:00Z"})
    assert answer.status_code == 200, answer.text
    records = answer.json()
    assert [(r["id"], r["started_at"], r["ended_at"]) for r in records] == [
        ("c1", "2026-03-24T09:00:00Z", "2026-03-24T09:02:00Z")]
    await ingest.close()
