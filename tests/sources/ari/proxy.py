"""A TCP relay on a loopback port that can stall: the link stays open, nothing goes through.

That is what a dead NAT entry, a sleeping VPN or a hung Asterisk looks like from the
wallboard: no FIN, no RST, just silence.
"""

from __future__ import annotations

import asyncio
import contextlib


class StallingProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._stalled: set[asyncio.Event] = set()
        self._live: list[asyncio.Event] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> StallingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stall(self) -> None:
        """Every connection open now stops passing data (new ones still work)."""
        for flag in self._live:
            flag.set()
        self._live.clear()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        stalled = asyncio.Event()
        self._live.append(stalled)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(src, dst, stalled))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _pump(
        src: asyncio.StreamReader, dst: asyncio.StreamWriter, stalled: asyncio.Event
    ) -> None:
        try:
            while data := await src.read(65536):
                if stalled.is_set():
                    await asyncio.Event().wait()  # hold it forever, send nothing
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not stalled.is_set():
                dst.close()
