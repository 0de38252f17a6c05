from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.sources.ari.fake_ari import FakeAri
from wallboard.config import AriEmployee, AriSource
from wallboard.core.events import Event
from wallboard.core.state import LiveState
from wallboard.sources.ari import AriClient

APP = "wallboard-test"


def settings(url: str, **overrides: Any) -> AriSource:
    data: dict[str, Any] = {
        "url": url,
        "username": "wall",
        "password": "s3cret",
        "app": APP,
        "employees": [
            AriEmployee(id="anna", name="Anna Nowak", department="Sales",
                        endpoints=["PJSIP/1001", "PJSIP/1011"]),
            AriEmployee(id="piotr", name="Piotr Wójcik", department="Support",
                        endpoints=["PJSIP/1002"]),
        ],
        "supervisor_endpoint": "PJSIP/1100",
    }
    data.update(overrides)
    return AriSource.model_validate(data)


class Watcher:
    """Runs a client's events() in the background into a LiveState."""

    def __init__(self, client: AriClient) -> None:
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
                await asyncio.sleep(0.01)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def close(self) -> None:
        await self.client.aclose()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


@pytest.fixture
async def fake() -> AsyncIterator[FakeAri]:
    server = FakeAri()
    server.app = APP
    for endpoint in ("PJSIP/1001", "PJSIP/1011", "PJSIP/1002", "PJSIP/1100", "PJSIP/trunk"):
        server.add_endpoint(endpoint)
    server.endpoints["PJSIP/1011"]["state"] = "offline"
    server.device_states["PJSIP/1011"] = "UNAVAILABLE"
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def watch(fake: FakeAri) -> AsyncIterator[Callable[..., Any]]:
    watchers: list[Watcher] = []

    async def start(**overrides: Any) -> Watcher:
        overrides.setdefault("url", fake.url)
        client = AriClient(settings(**overrides), batch_seconds=0.01, backoff_seconds=0.05)
        watcher = Watcher(client)
        watchers.append(watcher)
        return watcher

    yield start
    for watcher in watchers:
        await watcher.close()
