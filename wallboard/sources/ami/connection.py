"""One AMI session over an asyncio protocol: greeting, login, actions, lists, events.

``AmiConnection.open()`` connects (optionally with TLS) and reads the greeting.
``action()`` sends one action and returns its response; ``action_list()`` returns the
events of an ``EventList`` (``EventList: start`` ... the ``...Complete`` event). Replies
are matched by ``ActionID``, never by order. Every other message is an event, handed to
``on_event`` as it is read. ``closed`` completes when the peer goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from wallboard.sources.ami.protocol import AmiMessage, AmiParser, AmiProtocolError, encode_action

T = TypeVar("T")


class AmiClosed(Exception):
    """The connection ended (or was never whole) while we waited for a reply."""


class AmiActionError(Exception):
    """Asterisk answered ``Response: Error`` (the message says why)."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"{action}: {message}")
        self.action = action
        self.message = message


@dataclass
class _Pending:
    action: str
    future: asyncio.Future[AmiMessage]
    items: list[AmiMessage] = field(default_factory=list)
    listing: bool = False
    done: asyncio.Future[list[AmiMessage]] | None = None


class _Link(asyncio.Protocol):
    """asyncio hands each read straight to the connection: no stream buffer and no task
    woken per read (a busy PBX sends every event in its own TCP segment)."""

    def __init__(self, connection: AmiConnection) -> None:
        self.connection = connection

    def data_received(self, data: bytes) -> None:
        self.connection._received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connection._finish(exc)


class AmiConnection:
    def __init__(
        self, on_event: Callable[[AmiMessage], None], keep: frozenset[str] | None = None
    ) -> None:
        self._parser = AmiParser(keep)
        self._on_event = on_event
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        loop = asyncio.get_running_loop()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._greeted: asyncio.Future[None] = loop.create_future()
        self._transport: asyncio.Transport | None = None

    @property
    def version(self) -> str:
        return self._parser.version

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        on_event: Callable[[AmiMessage], None],
        *,
        tls: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        keep: frozenset[str] | None = None,
    ) -> AmiConnection:
        """Connect and wait for the ``Asterisk Call Manager/x.y.z`` greeting; ``keep``:
        the only unsolicited events wanted (see AmiParser)."""
        connection = cls(on_event, keep)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(
                    lambda: _Link(connection), host, port, ssl=tls,
                    server_hostname=host if tls else None,
                )
                connection._transport = transport
                await asyncio.shield(connection._greeted)
        except BaseException:
            connection.abort()
            raise
        return connection

    # -- actions --------------------------------------------------------------------------
    async def action(self, name: str, timeout: float = 10.0, **fields: str | list[str]) -> (
        AmiMessage
    ):
        """Send an action; its response (``Response: Error`` raises AmiActionError)."""
        pending = self._send(name, fields)
        response = await self._wait(pending.future, timeout)
        if response.get("Response") == "Error":
            raise AmiActionError(name, response.get("Message", "error"))
        return response

    async def action_list(
        self, name: str, timeout: float = 30.0, **fields: str | list[str]
    ) -> list[AmiMessage]:
        """Send a list action; the events between ``EventList: start`` and ``Complete``."""
        pending = self._send(name, fields)
        pending.done = asyncio.get_running_loop().create_future()
        async with asyncio.timeout(timeout):
            response = await self._wait(pending.future, None)
            if response.get("Response") == "Error":
                raise AmiActionError(name, response.get("Message", "error"))
            return await self._wait(pending.done, None)

    def _send(self, name: str, fields: dict[str, str | list[str]]) -> _Pending:
        if self.closed.done():
            raise AmiClosed("the connection is closed")
        action_id = f"wb-{next(self._ids)}"
        data = encode_action(name, action_id, fields)
        pending = _Pending(name, asyncio.get_running_loop().create_future())
        self._pending[action_id] = pending
        assert self._transport is not None
        self._transport.write(data)
        return pending

    @staticmethod
    async def _wait(future: asyncio.Future[T], timeout: float | None) -> T:
        """The reply; AmiClosed if the link ends first (``_finish`` fails every waiter).

        Not ``asyncio.wait_for``: on Python 3.11 it returns the result when the waiting
        task is cancelled just as the reply arrives, swallowing the cancellation. A Ping
        watcher told to stop then pinged on, and the session that was giving up (a missing
        read class) waited for it forever, its link never said failed."""
        async with asyncio.timeout(timeout):
            return await future

    # -- reading --------------------------------------------------------------------------
    def _received(self, data: bytes) -> None:
        try:
            messages = self._parser.feed(data)
        except AmiProtocolError as exc:  # not AMI (or no longer): drop the link
            if not self._greeted.done():
                self._greeted.set_exception(exc)
            self.abort()
            return
        if self._parser.banner is not None and not self._greeted.done():
            self._greeted.set_result(None)
        for message in messages:
            self._dispatch(message)

    def _dispatch(self, message: AmiMessage) -> None:
        headers = message.headers
        action_id = headers.get("ActionID")
        pending = self._pending.get(action_id) if action_id else None
        if pending is None:
            if "Event" in headers:
                self._on_event(message)
            return
        if "Event" not in headers:  # the response
            if headers.get("EventList") == "start" and pending.done is not None:
                pending.listing = True
            else:
                del self._pending[action_id]  # type: ignore[arg-type]
            if not pending.future.done():
                pending.future.set_result(message)
            if pending.done is not None and not pending.listing and not pending.done.done():
                pending.done.set_result([])
            return
        if not pending.listing:  # an event that merely carries our ActionID
            self._on_event(message)
            return
        if headers.get("EventList") == "Complete":
            del self._pending[action_id]  # type: ignore[arg-type]
            if pending.done is not None and not pending.done.done():
                pending.done.set_result(pending.items)
            return
        pending.items.append(message)

    def _finish(self, error: BaseException | None) -> None:
        if not self._greeted.done():
            self._greeted.set_exception(AmiClosed("closed before the greeting"))
            self._greeted.exception()
        if not self.closed.done():
            self.closed.set_result(None)
        for pending in self._pending.values():
            for future in (pending.future, pending.done):
                if future is not None and not future.done():
                    future.set_exception(AmiClosed(str(error) if error else "closed"))
                    future.exception()  # retrieved: nobody may be waiting any more
        self._pending.clear()

    def abort(self) -> None:
        """Drop the link now (the owner resyncs on the next one)."""
        if self._transport is not None:
            self._transport.abort()

    async def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.closed), 1.0)
        self._finish(None)
