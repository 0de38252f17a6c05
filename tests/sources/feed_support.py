"""Helpers for the feed client tests: a follower that applies what the client yields,
and a fake feed server whose answers the test scripts (for errors and garbage)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wallboard.config import FeedSource
from wallboard.core.events import ConnectionChanged, Event, Snapshot
from wallboard.core.state import LiveState
from wallboard.sources.feed import FeedClient


def client(url: str, mode: str = "stream", **kw: Any) -> FeedClient:
    settings = FeedSource(url=url, mode=mode, poll_seconds=kw.pop("poll_seconds", 0.05))
    kw.setdefault("backoff_base", 0.02)
    kw.setdefault("backoff_cap", 0.2)
    kw.setdefault("environ", {})
    return FeedClient(settings, **kw)


class Follower:
    """Runs ``client.events()`` in a task, applying every batch to a LiveState."""

    def __init__(self, feed: FeedClient) -> None:
        self.client = feed
        self.state = LiveState()
        self.statuses: list[ConnectionChanged] = []
        self.snapshots = 0
        self.batches = 0
        self.events: list[Event] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for batch in self.client.events():
            self.batches += 1
            for event in batch:
                if isinstance(event, ConnectionChanged):
                    self.statuses.append(event)
                elif isinstance(event, Snapshot):
                    self.snapshots += 1
                self.events.append(event)
            self.state.apply_all(batch)

    @property
    def link(self) -> str | None:
        return self.statuses[-1].link.value if self.statuses else None

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self._task.done():
                self._task.result()
                raise AssertionError("the client's events() ended")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; statuses: {[s.message for s in self.statuses]}")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        await self.client.aclose()
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass


async def server_snapshot(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{url}/v1/snapshot", headers=headers)
        r.raise_for_status()
        return r.json()


def same_state(state: LiveState, body: dict[str, Any]) -> bool:
    from wallboard.wire import SnapshotBody

    truth = SnapshotBody.model_validate(body)
    return (state.calls == {c.id: c for c in truth.calls}
            and state.employees == {e.id: e for e in truth.employees})


def sse(*messages: tuple[int | str, str]) -> bytes:
    return b"".join(b"id: %s\ndata: %s\n\n" % (str(i).encode(), d.encode()) for i, d in messages)


class FakeFeed:
    """A scripted feed: each request takes the next answer; then ``default`` forever."""

    def __init__(self) -> None:
        self.answers: list[Response] = []
        self.default: Callable[[], Response] = lambda: Response(status_code=500)
        self.requests: list[Request] = []
        self.times: list[float] = []

    def reset(self, answers: list[Response], default: Callable[[], Response]) -> None:
        self.answers = list(answers)
        self.default = default
        self.requests.clear()
        self.times.clear()

    async def _answer(self, request: Request) -> Response:
        self.requests.append(request)
        self.times.append(time.monotonic())
        return self.answers.pop(0) if self.answers else self.default()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/events", self._answer), Route("/v1/snapshot",
                                                                             self._answer)])


def stream(body: bytes, **headers: str) -> Response:
    return Response(body, media_type="text/event-stream", headers=headers)
