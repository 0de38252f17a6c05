"""Real servers on loopback ports for the feed tests, and a source the tests drive."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette

from wallboard.core.events import (
    ConnectionChanged,
    Event,
    Link,
    ListenChanged,
    Snapshot,
)
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode, ListenSession, ListenState
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.server.run import build_server
from wallboard.sources.base import Source

T0 = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app: Starlette, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a loopback port in a thread; yields its base URL."""
    port = port or free_port()
    server = build_server(app, "127.0.0.1", port, log_level="warning")
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def call(cid: str, status: CallStatus = CallStatus.RINGING, revision: int = 0,
         employee: str | None = "e1") -> Call:
    return Call(id=cid, type=CallType.INCOMING, status=status, employee_id=employee,
                client_number="+48 500 100 200", business_number="+48 22 100 20 30",
                created_at=T0, revision=revision,
                answered_at=T0 + timedelta(seconds=3) if status is not CallStatus.RINGING
                else None)


def employee(eid: str = "e1", department: str | None = "Sales",
             status: AgentStatus = AgentStatus.ONLINE) -> Employee:
    return Employee(id=eid, name=f"Manager {eid}", department=department,
                    accounts=(SipAccount(id=f"PJSIP/{eid}", number="1001", status=status),))


class ScriptedSource(Source):
    """A source the test drives: ``push(events)`` returns once the hub has applied them."""

    title = "Scripted"
    listen_modes = frozenset({ListenMode.LISTEN, ListenMode.COACH})

    def __init__(self, first: list[Event] | None = None) -> None:
        self.first = first if first is not None else [
            ConnectionChanged(link=Link.LIVE),
            Snapshot(calls=(call("c1"),), employees=(employee(),), at=T0),
        ]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[list[Event], threading.Event]] | None = None
        self._started = threading.Event()
        self.requests: list[tuple] = []
        self.fail: Exception | None = None
        self.sessions = 0
        self.listening: dict[str, ListenSession] = {}

    async def events(self) -> AsyncIterator[list[Event]]:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._started.set()
        yield self.first
        while True:
            batch, done = await self._queue.get()
            yield batch
            done.set()  # the hub asks for more only after it applied the batch

    def push(self, events: Iterable[Event]) -> None:
        """Blocking (call it from a thread): hand events to the hub and wait till applied."""
        assert self._started.wait(5), "the hub never started the source"
        done = threading.Event()
        assert self._loop is not None and self._queue is not None
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (list(events), done))
        assert done.wait(5), "the hub did not take the events"

    async def apush(self, events: Iterable[Event]) -> None:
        await asyncio.to_thread(self.push, list(events))

    # -- the request side, recorded ------------------------------------------------------
    def _check(self) -> None:
        if self.fail is not None:
            raise self.fail

    async def manager_history(self, employee_id: str, start: datetime, end: datetime):
        self.requests.append(("history", employee_id, start, end))
        self._check()
        return ManagerHistory(employee_id=employee_id, start=start, end=end,
                              calls=tuple(self._records(employee_id)))

    async def call_log(self, employee_id: str, start: datetime, end: datetime):
        self.requests.append(("calls", employee_id, start, end))
        self._check()
        return self._records(employee_id)

    def _records(self, employee_id: str) -> list[CallRecord]:
        return [CallRecord(id="r1", employee_id=employee_id, type=CallType.INCOMING,
                           started_at=T0, answered_at=T0 + timedelta(seconds=4),
                           ended_at=T0 + timedelta(seconds=60))]

    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        """Like a PBX: the session is announced (connecting) once it is asked for."""
        self.requests.append(("start", call_id, supervisor, mode))
        self._check()
        self.sessions += 1
        session = ListenSession(id=f"s{self.sessions}", call_id=call_id, employee_id="e1",
                                supervisor=supervisor, mode=mode, started_at=T0)
        self.listening[session.id] = session
        self._announce(session)
        return session.id

    async def change_listen(self, session_id, *, mode=None, muted=None) -> None:
        self.requests.append(("change", session_id, mode, muted))
        self._check()

    async def stop_listen(self, session_id: str) -> None:
        self.requests.append(("stop", session_id))
        self._check()
        session = self.listening.pop(session_id, None)
        if session is not None:
            self._announce(session.model_copy(update={
                "state": ListenState.ENDED, "ended_at": T0, "message": "Stopped."}))

    def _announce(self, session: ListenSession) -> None:
        assert self._queue is not None
        self._queue.put_nowait(([ListenChanged(session=session)], threading.Event()))


class BareSource(ScriptedSource):
    """No history, no listening: the base class's NotSupported everywhere."""

    manager_history = Source.manager_history  # type: ignore[assignment]
    call_log = Source.call_log  # type: ignore[assignment]
    start_listen = Source.start_listen  # type: ignore[assignment]
    change_listen = Source.change_listen  # type: ignore[assignment]
    stop_listen = Source.stop_listen  # type: ignore[assignment]
    listen_modes = frozenset()
