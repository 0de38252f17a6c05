"""Agents over the feed: queues, agent states and figures in the snapshot and the stream, and
``POST /v1/agents/{id}/pause`` for supervisor tokens only, by the board's own rules, audited.

A real server on a loopback port over the demo with a stopped clock; a real feed client.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.server.support import running
from tests.ui.conftest import FROZEN
from wallboard.audit import AuditLog
from wallboard.config import FeedSource
from wallboard.core.clock import ManualClock
from wallboard.core.metrics import MetricsSettings
from wallboard.core.queues import AgentState
from wallboard.core.state import LiveState
from wallboard.server.app import create_server_app
from wallboard.server.auth import Role, Token
from wallboard.service import WallboardService
from wallboard.sources.demo import DemoSource
from wallboard.sources.feed import FeedClient

TV, MARTA = "tv-token-0123456789", "marta-token-0123456789"
TOKENS = [Token("wall-tv", Role.VIEWER, TV.encode()),
          Token("marta", Role.SUPERVISOR, MARTA.encode())]


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[str, DemoSource, Path]]:
    clock = ManualClock(FROZEN)
    day = MetricsSettings(zone=ZoneInfo("Europe/Warsaw"))  # the day starts at midnight there
    source = DemoSource(clock=clock, seed=7, calls=24, tick_seconds=0.05, metrics=day)
    audit = tmp_path / "audit.jsonl"
    service = WallboardService(source, clock, audit=AuditLog(audit, clock))
    service.state.metrics.configure(day)
    with running(create_server_app(service=service, tokens=TOKENS)) as url:
        yield url, source, audit


def available(url: str) -> str:
    body = httpx.get(f"{url}/v1/snapshot", headers=auth(TV)).json()
    return next(a["employee_id"] for a in body["agents"] if a["state"] == "available")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def agent_of(url: str, employee_id: str) -> dict:
    body = httpx.get(f"{url}/v1/snapshot", headers=auth(TV)).json()
    return next(a for a in body["agents"] if a["employee_id"] == employee_id)


def until(check, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := check()):
            return found
        time.sleep(0.02)
    raise AssertionError("never happened")


def test_the_snapshot_carries_queues_agents_and_the_day_s_figures(feed):
    url, _, _ = feed
    response = httpx.get(f"{url}/v1/snapshot", headers=auth(TV))
    body = response.json()
    assert response.headers["x-wallboard-actions"] == "pause"
    assert [q["id"] for q in body["queues"]][:3] == ["main-line", "sales-hotline",
                                                      "support-queue"]
    assert {a["state"] for a in body["agents"]} <= {s.value for s in AgentState}
    assert body["metrics"]["day_start"] == "2026-11-25T23:00:00Z"  # midnight in Warsaw
    assert body["metrics"]["day"]["main-line"]["offered"] > 0


def test_only_a_supervisor_token_pauses_and_every_step_is_audited(feed):
    url, _, audit = feed
    employee_id = available(url)
    path = f"{url}/v1/agents/{employee_id}/pause"
    viewer = httpx.post(path, headers=auth(TV), json={"paused": True, "reason": "lunch"})
    assert viewer.status_code == 403
    assert viewer.json()["message"] == ("The token 'wall-tv' may watch only; pausing agents "
                                        "needs a supervisor token.")
    assert httpx.post(path, json={"paused": True, "reason": "lunch"}).status_code == 401
    bad = httpx.post(path, headers=auth(MARTA), json={"paused": True, "reason": "nap"})
    assert (bad.status_code, bad.json()["message"]) == (
        400, "'nap' is not a pause reason; use one of lunch, break, training, coaching.")
    assert httpx.post(path, headers=auth(MARTA), json={"paused": "yes"}).status_code == 422
    assert httpx.post(f"{url}/v1/agents/nobody/pause", headers=auth(MARTA),
                      json={"paused": True, "reason": "lunch"}).status_code == 404
    unpause = httpx.post(path, headers=auth(MARTA), json={"paused": False})
    assert unpause.status_code == 409 and unpause.json()["message"].endswith("is not paused.")

    ok = httpx.post(path, headers=auth(MARTA), json={"paused": True, "reason": "coaching"})
    assert ok.status_code == 204
    paused = until(lambda: (a := agent_of(url, employee_id))["state"] == "paused" and a)
    assert paused["reason"] == "coaching"
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    assert [(x["event"], x["manager_id"], x.get("reason"), x["by"], x["address"])
            for x in lines] == [
        ("refused", employee_id, "nap", "marta", "127.0.0.1"),
        ("refused", "nobody", "lunch", "marta", "127.0.0.1"),
        ("refused", employee_id, None, "marta", "127.0.0.1"),
        ("requested", employee_id, "coaching", "marta", "127.0.0.1"),
        ("paused", employee_id, "coaching", "marta", "127.0.0.1")]


async def test_a_board_following_the_feed_sees_the_pause_and_pauses_through_it(feed):
    url, source, _ = feed
    client = FeedClient(FeedSource(url=url, token=MARTA), clock=ManualClock(FROZEN))
    state = LiveState()

    async def follow() -> None:
        async for batch in client.events():
            state.apply_all(batch)

    task = asyncio.create_task(follow())
    try:
        async with asyncio.timeout(10):
            while not (state.synced and client.can_pause):
                await asyncio.sleep(0.02)
            employee_id = next(e for e, a in state.agents.items()
                               if a.state is AgentState.AVAILABLE)
            await client.pause(employee_id, True, "break")
            while state.agents[employee_id].state is not AgentState.PAUSED:
                await asyncio.sleep(0.02)
            assert state.agents[employee_id].reason == "break"
            server = source.center.agent_model(employee_id)
            assert state.agents[employee_id] == server
            view = state.metrics.view(FROZEN, state.queues)
            assert view.queues["main-line"].day.offered == \
                source.center.day_seed.day["main-line"].offered
    finally:
        await client.aclose()
        task.cancel()
