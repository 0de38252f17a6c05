"""Restarts with real processes: `wallboard serve` on the Asterisk ARI fake, recording into a
SQLite file, killed with SIGKILL mid-stream and started again; then a board on the fake
restarted. The history keeps every call once, loses at most the last second before the
kill, and records the time nobody watched as unknown."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.procs import free_port
from tests.sources.ari.fake_ari import FakeAri

pytestmark = pytest.mark.slow
APP = "wallboard-restarts"


@pytest.fixture
async def fake() -> AsyncIterator[FakeAri]:
    server = FakeAri()
    server.app = APP
    server.now = datetime.now(UTC)
    for endpoint in ("PJSIP/1001", "PJSIP/1002", "PJSIP/trunk"):
        server.add_endpoint(endpoint)
    await server.start()
    yield server
    await server.stop()


def config(folder: Path, fake: FakeAri, port: int) -> Path:
    path = folder / "serve.toml"
    path.write_text(
        f'[source]\nkind = "ari"\nurl = "{fake.url}"\nusername = "{fake.username}"\n'
        f'password = "{fake.password}"\napp = "{APP}"\n'
        '[[source.employees]]\nid = "anna"\nname = "Anna Nowak"\nendpoints = ["PJSIP/1001"]\n'
        '[[source.employees]]\nid = "piotr"\nname = "Piotr Wójcik"\n'
        'endpoints = ["PJSIP/1002"]\n'
        f'[store]\nurl = "{folder / "history.sqlite3"}"\n'
        f'[server]\nport = {port}\n[ui]\ntimezone = "UTC"\n')
    return path


def serve(path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "wallboard", "--config", str(path), "serve"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


async def until(check, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(check)
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("never happened")


def rows(db: Path, sql: str) -> list[tuple]:
    """Read the live store (WAL: readers never block the recorder); [] before it exists."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


def recorded_calls(db: Path) -> set[str]:
    """The calls recorded so far: in the tables, or still in the journal file beside them
    (a SQLite file's tables are written once a minute; the file has a line a second)."""
    found = {r[0] for r in rows(db, "SELECT id FROM wb_calls")}
    journal = db.with_name(db.name + "-wbjournal")
    if journal.exists():
        for line in journal.read_bytes().splitlines():
            with contextlib.suppress(ValueError):
                # a call operation: "call", whole, the call's id, ... (store/writes.py)
                found |= {op[2] for op in json.loads(line)["ops"] if op[0] == "call"}
    return found


async def call(fake: FakeAri, agent_endpoint: str, number: str) -> tuple[str, str]:
    """A client calls in and the agent answers; returns (client leg, agent leg)."""
    fake.now = datetime.now(UTC)
    client = await fake.add_channel("PJSIP/trunk", number=number, context="from-external",
                                    exten="+48221002030")
    agent = await fake.ring(client, agent_endpoint)
    fake.now = datetime.now(UTC)
    await fake.set_state(agent, "Up")
    await fake.set_state(client, "Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    return client, agent


async def hang_up(fake: FakeAri, *channels: str) -> None:
    fake.now = datetime.now(UTC)
    for channel in channels:
        await fake.hangup(channel)


async def test_serve_killed_mid_stream_keeps_every_call_once(fake: FakeAri, tmp_path: Path):
    port = free_port()
    path = config(tmp_path, fake, port)
    db = tmp_path / "history.sqlite3"
    url = f"http://127.0.0.1:{port}"
    proc = serve(path)
    try:
        await until(lambda: len(fake.sockets) == 1)
        await until(lambda: rows(db, "SELECT count(*) FROM wb_lock") == [(1,)])
        finished = await call(fake, "PJSIP/1001", "+48600111001")
        await asyncio.sleep(1.0)
        await hang_up(fake, *finished)
        ongoing = await call(fake, "PJSIP/1002", "+48600111002")
        await until(lambda: len(recorded_calls(db)) == 2)
        await asyncio.sleep(2.5)  # a couple of heartbeats while the call goes on
        killed_at = datetime.now(UTC)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # while nobody watches: the ongoing call ends, Piotr's phone goes away
    await hang_up(fake, *ongoing)
    fake.now = datetime.now(UTC)
    await fake.set_endpoint("PJSIP/1002", "offline", "UNAVAILABLE")
    await asyncio.sleep(1.0)

    proc = serve(path)
    try:
        await until(lambda: len(fake.sockets) == 1)
        restarted_at = datetime.now(UTC)

        def history() -> dict | None:
            try:
                answer = httpx.get(f"{url}/v1/managers/piotr/history", timeout=5)
            except httpx.HTTPError:
                return None
            return answer.json() if answer.status_code == 200 else None

        await until(lambda: (h := history()) and h["accounts"]
                    and h["accounts"][0]["intervals"][-1]["status"] == "offline")
        piotr = history()
        anna = httpx.get(f"{url}/v1/managers/anna/history", timeout=5).json()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)

    # every call once, with its manager
    assert sorted(r[0] for r in rows(db, "SELECT employee_id FROM wb_calls")) == ["anna", "piotr"]
    assert [c["client_number"] for c in anna["calls"]] == ["+48600111001"]
    assert [c["client_number"] for c in piotr["calls"]] == ["+48600111002"]
    # the call that ended unseen ended when the record stopped: within a second of the kill
    ended = datetime.fromisoformat(piotr["calls"][0]["ended_at"])
    assert killed_at - timedelta(seconds=1.2) <= ended <= killed_at
    # Piotr's phone: talking up to the last heartbeat, then unknown, then offline
    intervals = [(i["status"], datetime.fromisoformat(i["start"]),
                  datetime.fromisoformat(i["end"]))
                 for i in piotr["accounts"][0]["intervals"]]
    assert [s for s, _, _ in intervals][-3:] == ["talking", "unknown", "offline"]
    talking, unknown, offline = intervals[-3:]
    assert talking[2] == unknown[1] == ended  # nothing lost beyond the last heartbeat
    assert unknown[2] == offline[1]
    assert killed_at < offline[1] <= restarted_at + timedelta(seconds=5)


async def test_a_restarted_board_on_ari_shows_todays_calls_and_timelines(
        fake: FakeAri, tmp_path: Path):
    from wallboard.config import load_config
    from wallboard.factory import create_app
    from wallboard.ui.screens.profile import ProfileScreen

    settings = load_config(config(tmp_path, fake, free_port()))

    async def board_run(script):  # type: ignore[no-untyped-def]
        app = create_app(settings)
        async with app.run_test(size=(160, 45)) as pilot:
            await until(lambda: len(fake.sockets) == 1)
            for _ in range(200):
                if app.state.employees:
                    break
                await pilot.pause(0.05)
            assert await app.service.wait_recording(timeout=20) is not None
            result = await script(app, pilot)
        await until(lambda: len(fake.sockets) == 0)
        return result

    async def make_a_call(app, pilot):  # type: ignore[no-untyped-def]
        legs = await call(fake, "PJSIP/1001", "+48600111003")
        await asyncio.sleep(1.5)
        await hang_up(fake, *legs)
        for _ in range(100):
            if not app.state.calls:
                break
            await pilot.pause(0.05)
        await app.service.recorder.tick()

    await board_run(make_a_call)

    async def open_anna(app, pilot):  # type: ignore[no-untyped-def]
        await pilot.press("m", "enter")
        screen = app.screen
        assert isinstance(screen, ProfileScreen) and screen.employee_id == "anna"
        for _ in range(200):
            if screen.profile is not None:
                break
            await pilot.pause(0.05)
        return screen.profile

    profile = await board_run(open_anna)
    today = profile.days[-1]
    assert [c.client_number for c in profile.calls] == ["+48600111003"]
    assert today.answered == 1 and profile.summary.handled == 1
    statuses = [iv.status.value for iv in today.timeline]
    assert "talking" in statuses and statuses[-1] == "online"
