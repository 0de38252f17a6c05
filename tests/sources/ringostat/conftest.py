from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn

from tests.sources.ringostat.fake_ringostat import KEY, PROJECT, FakeRingostat
from tests.sources.ringostat.scenarios import SECRET
from wallboard.config import RingostatSource
from wallboard.core.clock import Clock, ManualClock
from wallboard.core.events import Event
from wallboard.core.state import LiveState
from wallboard.server.app import create_server_app
from wallboard.sources.ringostat import RingostatClient
from wallboard.wire import SnapshotBody

T0 = datetime(2026, 3, 24, 10, 0, tzinfo=UTC)
POLL = 0.02
"""Seconds between status polls in tests (the config's floor is 1 s)."""


def settings(url: str, **overrides: Any) -> RingostatSource:
    data: dict[str, Any] = {"project_id": PROJECT, "auth_key": KEY, "api_url": url,
                            "webhook_secret": SECRET, "timezone": "UTC",
                            "speaking_grace_seconds": 5, "max_ringing_seconds": 120}
    data.update(overrides)
    return RingostatSource.model_validate(data)


def staff(fake: FakeRingostat) -> FakeRingostat:
    fake.add_employee("101", "Anna Nowak", "Sales", sips=("anna_desk", "anna_app"),
                      extension="101")
    fake.add_employee("102", "Piotr Wójcik", "Support", sips=("piotr",),
                      phones=("+380671112233",))
    fake.add_employee("103", "Olena Shevchenko", "Sales", sips=("olena",), dnd=("olena",))
    for n in range(1, 17):
        fake.add_employee(str(200 + n), f"Manager {n}", "Calls", sips=(f"m{n}",))
    return fake


@pytest.fixture
async def fake() -> AsyncIterator[FakeRingostat]:
    server = staff(FakeRingostat())
    await server.start()
    yield server
    await server.stop()


class Watcher:
    """Runs a client's events() in the background into a LiveState."""

    def __init__(self, client: RingostatClient) -> None:
        self.client = client
        self.state = LiveState()
        self.events: list[Event] = []
        self._task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for batch in self.client.events():
            self.events.extend(batch)
            self.state.apply_all(batch)

    async def until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                result = predicate()
                if result:
                    return result
                await asyncio.sleep(0.005)

    async def polls(self, n: int = 2) -> None:
        """Wait until ``n`` more status polls have completed."""
        target = self.client.polls + n
        await self.until(lambda: self.client.polls >= target)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def close(self) -> None:
        await self.client.aclose()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


@contextlib.asynccontextmanager
async def watching(fake: FakeRingostat, clock: Clock | None = None,
                   **overrides: Any) -> AsyncIterator[Watcher]:
    client = RingostatClient(settings(fake.url, **overrides), clock=clock or ManualClock(T0),
                             poll_seconds=POLL)
    watcher = Watcher(client)
    try:
        yield watcher
    finally:
        await watcher.close()


class Served:
    """A source behind the real feed app (``create_server_app``), under uvicorn on a
    loopback port in this event loop: what ``wallboard serve`` runs."""

    def __init__(self, client: RingostatClient, url: str) -> None:
        self.client = client
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, timeout=10)

    async def board(self) -> SnapshotBody:
        response = await self.http.get("/v1/snapshot")
        response.raise_for_status()
        return SnapshotBody.model_validate_json(response.content)

    async def until(self, predicate: Callable[[dict[str, Any]], Any],
                    timeout: float = 3.0) -> dict[str, Any]:
        """The board's calls by id, once ``predicate`` holds for them (events reach the
        feed's state a moment after the webhook's 200)."""
        async with asyncio.timeout(timeout):
            while True:
                calls = {c.id: c for c in (await self.board()).calls}
                if predicate(calls):
                    return calls
                await asyncio.sleep(0.005)

    async def polls(self, n: int = 2, timeout: float = 5.0) -> None:
        target = self.client.polls + n
        async with asyncio.timeout(timeout):
            while self.client.polls < target:
                await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def serving(fake: FakeRingostat, clock: Clock, token: str | None = None,
                  **overrides: Any) -> AsyncIterator[Served]:
    client = RingostatClient(settings(fake.url, **overrides), clock=clock, poll_seconds=POLL)
    app = create_server_app(client, token=token, clock=clock)
    # proto 0 would make asyncio skip TCP_NODELAY: 40 ms per answer (delayed ACK)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    served = Served(client, f"http://127.0.0.1:{port}")
    try:
        await served.polls(1)
        yield served
    finally:
        await served.http.aclose()
        server.should_exit = True
        await task
