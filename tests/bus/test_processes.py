"""Scale-out with real processes: ``wallboard ingest`` ×2 per PBX, ``wallboard serve --bus``
replicas, a real redis-server, a real PostgreSQL for the history, the fake Asterisk (or the
demo) as the PBX, and real feed clients as the screens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.bus.procs import Proc, ingest, no_traceback, ready, replica
from tests.sources.ari.fake_ari import FakeAri
from tests.sources.feed_support import Follower
from tests.support.postgres import fresh_database, postgres_cluster
from wallboard.bus import open_bus
from wallboard.config import FeedSource
from wallboard.core.events import Link
from wallboard.sources.feed import FeedClient

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture
async def pbx() -> AsyncIterator[FakeAri]:
    fake = FakeAri()
    for endpoint in ("PJSIP/1001", "PJSIP/1002", "PJSIP/trunk"):
        fake.add_endpoint(endpoint)
    await fake.start()
    yield fake
    await fake.stop()


def ari_config(folder: Path, fake: FakeAri, store: str, site: str = "pbx") -> str:
    path = folder / f"{site}.toml"
    path.write_text(f"""
[source]
kind = "ari"
url = "{fake.url}"
username = "wall"
password = "s3cret"
employees = [
  {{ id = "anna", name = "Anna Nowak", department = "Sales", endpoints = ["PJSIP/1001"] }},
  {{ id = "piotr", name = "Piotr Wójcik", department = "Support", endpoints = ["PJSIP/1002"] }},
]
[store]
url = "{store}"
[bus]
site = "{site}"
lease_seconds = 2
snapshot_seconds = 2
""")
    return str(path)


def screen(*urls: str) -> Follower:
    return Follower(FeedClient(FeedSource(url=urls[0], urls=list(urls[1:])), environ={},
                               backoff_base=0.1, backoff_cap=1.0))


async def leader_pid(bus_url: str, stream: str) -> int | None:
    bus = open_bus(bus_url)
    try:
        owner = await bus.leader(stream)
    finally:
        await bus.aclose()
    return int(owner.split(":")[1]) if owner else None


async def talking_call(fake: FakeAri, agent_endpoint: str, number: str) -> tuple[str, str]:
    client = await fake.add_channel("PJSIP/trunk", number=number, context="from-external",
                                    exten="100", state="Up")
    agent = await fake.add_channel(agent_endpoint, state="Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    return client, agent


async def outgoing_call(fake: FakeAri, agent_endpoint: str, number: str) -> str:
    """A manager dials out: one channel, ringing (the same seen live or read back)."""
    return await fake.add_channel(agent_endpoint, number=agent_endpoint[-4:],
                                  context="from-internal", exten=number)


async def recording(store: str, timeout: float = 20.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(store) as connection:
            exists = connection.execute("select to_regclass('wb_lock')").fetchone()
            if exists and exists[0] and connection.execute(
                    "select owner from wb_lock").fetchone():
                return
        await asyncio.sleep(0.2)
    raise AssertionError("no recorder writes the store")


def board(follower: Follower) -> dict[str, tuple[str, str | None]]:
    return {c.id: (c.status.value, c.employee_id) for c in follower.state.calls.values()}


async def test_the_leader_dies_and_every_board_converges_to_the_pbx(
        redis, pbx: FakeAri, postgres: str, tmp_path: Path) -> None:
    store = fresh_database(postgres, "failover")
    config = ari_config(tmp_path, pbx, store)
    first = ingest(tmp_path, "ingest-1", redis.url, config=config)
    await asyncio.sleep(0.5)  # the first one leads; the second stands by
    second = ingest(tmp_path, "ingest-2", redis.url, config=config)
    r1, url1 = replica(tmp_path, "serve-1", redis.url, ["pbx"], "--store", store)
    r2, url2 = replica(tmp_path, "serve-2", redis.url, ["pbx"], "--store", store)
    procs: list[Proc] = [first, second, r1, r2]
    screens: list[Follower] = []
    try:
        await ready(url1)
        await ready(url2)
        screens = [screen(url1), screen(url1), screen(url2), screen(url2)]
        await recording(store)  # the leader's recorder writes the shared store
        talking, agent = await talking_call(pbx, "PJSIP/1001", "+48600100100")
        ringing = await outgoing_call(pbx, "PJSIP/1002", "+48600200200")
        before = {f"pbx:{talking}": ("talking", "pbx:anna"),
                  f"pbx:{ringing}": ("ringing", "pbx:piotr")}
        for s in screens:
            await s.until(lambda s=s: board(s) == before, timeout=15)
        assert await leader_pid(redis.url, "pbx") == first.pid
        await asyncio.sleep(1.0)  # the recorder writes every 0.5 s; a kill loses the last

        first.kill()  # mid-stream: no goodbye, its lease simply stops being renewed
        killed = time.monotonic()
        # the PBX goes on meanwhile: the talking call ends, a new one rings for Anna
        await pbx.hangup(agent)
        await pbx.hangup(talking)
        late = await outgoing_call(pbx, "PJSIP/1001", "+48600300300")
        after = {f"pbx:{ringing}": ("ringing", "pbx:piotr"),
                 f"pbx:{late}": ("ringing", "pbx:anna")}
        for s in screens:
            await s.until(lambda s=s: board(s) == after, timeout=20)
        took = time.monotonic() - killed
        assert took < 10, f"boards live again after {took:.1f} s"
        assert await leader_pid(redis.url, "pbx") == second.pid
        for s in screens:
            # in between, each screen said its site was not live (no leader, or the new
            # leader still connecting to the PBX), then live again
            said = [m.message for m in s.statuses]
            assert any("its own source is" in m and "pbx: " in m for m in said), said
            await s.until(lambda s=s: s.state.connection.link is Link.LIVE, timeout=10)
            assert s.snapshots == 2, "the first picture, and the new leader's whole state"
        # the history: the ended call is in the shared store, read by a replica
        async with httpx.AsyncClient(timeout=10) as http:
            deadline = time.monotonic() + 20
            while True:
                answer = await http.get(f"{url2}/v1/managers/pbx:anna/calls", params={
                    "from": "2026-11-26T00:00:00Z", "to": "2026-11-27T00:00:00Z"})
                ids = [r["id"] for r in answer.json()] if answer.status_code == 200 else []
                if f"pbx:{talking}" in ids or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        assert answer.status_code == 200, answer.text
        assert ids == [f"pbx:{talking}"]
        no_traceback(second, r1, r2)
    finally:
        for s in screens:
            await s.stop()
        for proc in procs:
            proc.stop()


async def test_a_replica_dies_under_50_screens_and_they_resume_elsewhere(
        redis, tmp_path: Path) -> None:
    source = ingest(tmp_path, "ingest", redis.url, "--demo", "--seed", "7",
                    "--demo-calls", "60", "--demo-events", "10")
    r1, url1 = replica(tmp_path, "serve-1", redis.url, ["main"])
    r2, url2 = replica(tmp_path, "serve-2", redis.url, ["main"])
    screens: list[Follower] = []
    try:
        await ready(url1)
        await ready(url2)
        screens = [screen(url1, url2) for _ in range(50)]
        for s in screens:
            await s.until(lambda s=s: s.snapshots == 1 and len(s.state.calls) > 30, timeout=30)
        r1.kill()
        for s in screens:
            await s.until(lambda s=s: s.client.url == url2 and s.link == "live", timeout=20)
        # every screen follows the second replica now, without a second snapshot, and
        # holds exactly what it holds
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 20
            while True:
                truth = (await http.get(f"{url2}/v1/snapshot")).json()
                same = [s for s in screens if _same(s, truth)]
                if len(same) == len(screens) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
        assert len(same) == 50
        assert [s.snapshots for s in screens] == [1] * 50
        no_traceback(source, r2)
    finally:
        for s in screens:
            await s.stop()
        for proc in (source, r1, r2):
            proc.stop()


def _same(follower: Follower, truth: dict) -> bool:
    from tests.sources.feed_support import same_state
    from wallboard.wire import parse_positions

    return follower.client._last_id == parse_positions(truth["seq"]) and same_state(
        follower.state, truth)


async def test_the_engine_restarts_and_everything_recovers(redis, tmp_path: Path) -> None:
    source = ingest(tmp_path, "ingest-1", redis.url, "--demo", "--seed", "7",
                    "--demo-calls", "30", "--demo-events", "5")
    standby = ingest(tmp_path, "ingest-2", redis.url, "--demo", "--seed", "8",
                     "--demo-calls", "30", "--demo-events", "5")
    r1, url = replica(tmp_path, "serve", redis.url, ["main"])
    screens: list[Follower] = []
    try:
        await ready(url)
        screens = [screen(url) for _ in range(5)]
        for s in screens:
            await s.until(lambda s=s: len(s.state.calls) > 10, timeout=20)
        redis.kill()  # the engine dies and comes back empty (no persistence in this test)
        for s in screens:
            await s.until(lambda s=s: any("is unreachable" in m.message for m in s.statuses),
                          timeout=15)
        redis.persist = False
        redis.start()
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 30
            while True:
                truth = (await http.get(f"{url}/v1/snapshot")).json()
                same = [s for s in screens if _same(s, truth) and s.link == "live"]
                if len(same) == len(screens) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
        assert len(same) == 5
        assert all(len(s.state.calls) > 10 for s in screens)
        for s in screens:
            said = " ".join(m.message for m in s.statuses)
            assert f"The bus at {redis.url} is unreachable" in said
            assert "Traceback" not in said and "Error" not in said
        no_traceback(source, standby, r1)
    finally:
        for s in screens:
            await s.stop()
        for proc in (source, standby, r1):
            proc.stop()



async def test_two_pbxs_on_one_board_with_per_site_counters(
        redis, pbx: FakeAri, postgres: str, tmp_path: Path) -> None:
    from datetime import timedelta

    from tests.bus import frozen_demo
    from wallboard.core.sites import counters_by_site
    from wallboard.sources.demo.center import DemoCallCenter

    store = fresh_database(postgres, "aggregate")
    asterisk = ingest(tmp_path, "ingest-pbx", redis.url,
                      config=ari_config(tmp_path, pbx, store, site="pbx"))
    demo = Proc(["-m", "tests.bus.frozen_demo", redis.url, "demo"], tmp_path, "ingest-demo")
    serve, url = replica(tmp_path, "serve", redis.url, ["pbx", "demo"])
    follower: Follower | None = None
    try:
        await ready(url)
        follower = screen(url)
        await outgoing_call(pbx, "PJSIP/1002", "+48600200200")
        await talking_call(pbx, "PJSIP/1001", "+48600100100")
        # the demo PBX's own state, as the demo itself has it at its frozen moment
        truth = DemoCallCenter(frozen_demo.AT, seed=frozen_demo.SEED,
                               calls=frozen_demo.CALLS, run=frozen_demo.RUN).snapshot()
        assert len(truth.calls) == 12
        await follower.until(lambda: len(follower.state.calls) == 14, timeout=20)
        calls = follower.state.calls
        assert {c.id for c in calls.values() if c.site == "demo"} == {
            f"demo:{c.id}" for c in truth.calls}
        assert sorted(follower.state.sites()) == ["demo", "pbx"]
        now = frozen_demo.AT + timedelta(seconds=5)
        per_site = counters_by_site(calls.values(), now)
        pbx_counts = per_site["pbx"]
        assert (pbx_counts.total, pbx_counts.waiting, pbx_counts.talking) == (2, 1, 1)
        demo_truth = counters_by_site(truth.calls, now)[None]
        demo_counts = per_site["demo"]
        assert (demo_counts.total, demo_counts.waiting, demo_counts.talking,
                demo_counts.waiting_incoming) == (
            demo_truth.total, demo_truth.waiting, demo_truth.talking,
            demo_truth.waiting_incoming)
        # seed 7, 12 calls at 09:00: one call rings, eleven talk (six incoming)
        assert (demo_counts.total, demo_counts.waiting, demo_counts.talking,
                demo_counts.talking_incoming) == (12, 1, 11, 6)
        employees = follower.state.employees
        assert employees["pbx:anna"].site == "pbx" and employees["pbx:anna"].name == "Anna Nowak"
        assert len([e for e in employees.values() if e.site == "demo"]) == len(truth.employees)
        no_traceback(asterisk, demo, serve)
    finally:
        if follower is not None:
            await follower.stop()
        for proc in (asterisk, demo, serve):
            proc.stop()
