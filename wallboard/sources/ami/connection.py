"""One AMI session over asyncio streams: greeting, login, actions, lists, events, Ping.

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

from wallboard.sources.ami.protocol import AmiMessage, AmiParser, encode_action

READ_SIZE = 256 * 1024
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


class AmiConnection:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        parser: AmiParser,
        on_event: Callable[[AmiMessage], None],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._parser = parser
        self._on_event = on_event
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._read())

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
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=tls, server_hostname=host if tls else None, limit=READ_SIZE
            )
            parser = AmiParser(keep)
            early: list[AmiMessage] = []
            try:
                while parser.banner is None:
                    data = await reader.read(READ_SIZE)
                    if not data:
                        raise AmiClosed("closed before the greeting")
                    early.extend(parser.feed(data))
            except BaseException:
                writer.close()
                raise
        connection = cls(reader, writer, parser, on_event)
        for message in early:
            connection._dispatch(message)
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

    def send_nowait(self, name: str, **fields: str | list[str]) -> asyncio.Future[AmiMessage]:
        return self._send(name, fields).future

    def _send(self, name: str, fields: dict[str, str | list[str]]) -> _Pending:
        if self.closed.done():
            raise AmiClosed("the connection is closed")
        action_id = f"wb-{next(self._ids)}"
        data = encode_action(name, action_id, fields)
        pending = _Pending(name, asyncio.get_running_loop().create_future())
        self._pending[action_id] = pending
        self._writer.write(data)
        return pending

    @staticmethod
    async def _wait(future: asyncio.Future[T], timeout: float | None) -> T:
        """The reply; AmiClosed if the link ends first (``_finish`` fails every waiter)."""
        return await asyncio.wait_for(future, timeout)

    # -- reading --------------------------------------------------------------------------
    async def _read(self) -> None:
        error: BaseException | None = None
        try:
            while True:
                data = await self._reader.read(READ_SIZE)
                if not data:
                    break
                for message in self._parser.feed(data):
                    self._dispatch(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken link or a peer that stopped speaking AMI
            error = exc
        finally:
            self._finish(error)

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
        if not self.closed.done():
            self.closed.set_result(None)
        for pending in self._pending.values():
            for future in (pending.future, pending.done):
                if future is not None and not future.done():
                    future.set_exception(AmiClosed(str(error) if error else "closed"))
                    future.exception()  # retrieved: nobody may be waiting any more
        self._pending.clear()
        self._writer.close()

    def abort(self) -> None:
        """Drop the link now (the owner resyncs on the next one)."""
        self._writer.transport.abort()

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self._finish(None)
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()
