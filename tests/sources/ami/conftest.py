from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest

from tests.sources.ami.fake_ami import FakeAmi
from wallboard.config import AmiSource, AriEmployee
from wallboard.core.events import Event
from wallboard.core.state import LiveState
from wallboard.sources.ami import AmiClient
from wallboard.sources.backoff import Backoff

ENDPOINTS = ("PJSIP/1001", "PJSIP/1011", "PJSIP/1002", "PJSIP/1003", "PJSIP/1100")


def settings(port: int, **overrides: Any) -> AmiSource:
    data: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "username": "wall",
        "secret": "s3cret",
        "employees": [
            AriEmployee(id="anna", name="Anna Nowak", department="Sales",
                        endpoints=["PJSIP/1001", "PJSIP/1011"]),
            AriEmployee(id="piotr", name="Piotr Wójcik", department="Support",
                        endpoints=["PJSIP/1002"]),
            AriEmployee(id="ewa", name="Ewa Lis", department="Support",
                        endpoints=["PJSIP/1003"]),
        ],
        "supervisor_endpoint": "PJSIP/1100",
        "ping_seconds": 0.2,
        "wrapup_seconds": {"support": 15},
    }
    data.update(overrides)
    return AmiSource.model_validate(data)


class FakeClock:
    """The source reads the fake PBX's time, so durations are scripted exactly."""

    def __init__(self, fake: FakeAmi) -> None:
        self.fake = fake

    def now(self) -> datetime:
        return self.fake.now


class Watcher:
    def __init__(self, client: AmiClient) -> None:
        self.client = client
        self.state = LiveState()
        self.events: list[Event] = []
        self.batches = 0
        self._task = asyncio.create_task(self._consume())

    async def _consume(self) -> None:
        async for batch in self.client.events():
            self.batches += 1
            self.events.extend(batch)
            self.state.apply_all(batch)

    async def until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                result = predicate()
                if result:
                    return result
                await asyncio.sleep(0.01)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def close(self) -> None:
        await self.client.aclose()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    for endpoint in ENDPOINTS:
        server.register(endpoint, endpoint != "PJSIP/1011")
    server.add_queue("sales", ("PJSIP/1001", "Anna Nowak"))
    server.add_queue("support", ("PJSIP/1002", "Piotr Wójcik"), ("PJSIP/1003", "Ewa Lis"))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def watch(fake: FakeAmi) -> AsyncIterator[Callable[..., Any]]:
    watchers: list[Watcher] = []

    async def start(batch_seconds: float = 0.01, **overrides: Any) -> Watcher:
        overrides.setdefault("port", fake.port)
        client = AmiClient(
            settings(**overrides), clock=FakeClock(fake), batch_seconds=batch_seconds,
            backoff=Backoff(base=0.05, cap=0.2),
        )
        watcher = Watcher(client)
        watchers.append(watcher)
        return watcher

    yield start
    for watcher in watchers:
        await watcher.close()
