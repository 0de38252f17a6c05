"""Processes for benchmarks/scaleout.py: the demo with every call change stamped with the
moment the source emitted it (``call.extra["t"]``, wall clock), so any client, in any
process, can tell how long the change took to reach it.

    python benchmarks/bus_procs.py ingest BUS_URL STREAM CALLS RATE   # wallboard ingest
    python benchmarks/bus_procs.py serve PORT CALLS RATE              # single-process serve
    python benchmarks/bus_procs.py readers URL,URL N SECONDS          # N plain SSE readers

Both run the real code (Ingest, the service, the feed app); only the source is wrapped.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallboard.audit import AuditLog  # noqa: E402
from wallboard.bus import Ingest, IngestSettings, open_bus  # noqa: E402
from wallboard.core.clock import SystemClock  # noqa: E402
from wallboard.core.events import CallUpserted, Event  # noqa: E402
from wallboard.service import WallboardService  # noqa: E402
from wallboard.sources.base import Source  # noqa: E402
from wallboard.sources.demo import DemoSource  # noqa: E402


class Stamped(Source):
    """The demo, each CallUpserted stamped with the time it left the source."""

    def __init__(self, calls: int, rate: float) -> None:
        self.inner = DemoSource(seed=7, calls=calls, events_per_second=rate)
        self.title = self.inner.title

    async def events(self) -> AsyncIterator[list[Event]]:
        async for batch in self.inner.events():
            stamp = f"{time.time():.6f}"
            yield [CallUpserted(call=e.call.model_copy(update={"extra": {"t": stamp}}))
                   if isinstance(e, CallUpserted) else e for e in batch]

    async def aclose(self) -> None:
        await self.inner.aclose()


def service(calls: int, rate: float) -> WallboardService:
    clock = SystemClock()
    return WallboardService(Stamped(calls, rate), clock, audit=AuditLog(None, clock))


async def ingest(url: str, stream: str, calls: int, rate: float) -> None:
    runner = Ingest(open_bus(url), IngestSettings(stream=stream, lease_seconds=3.0),
                    lambda: service(calls, rate))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await runner.run(stop)
    await runner.bus.aclose()


def serve(port: int, calls: int, rate: float) -> None:
    from wallboard.server.app import create_server_app
    from wallboard.server.run import build_server

    app = create_server_app(service=service(calls, rate))
    build_server(app, "127.0.0.1", port, log_level="warning").run()


async def readers(urls: list[str], count: int, seconds: float) -> None:
    """``count`` plain event-stream readers over ``urls`` (asyncio streams: the load of many
    screens at little cost here); prints the events they received."""
    import resource
    from urllib.parse import urlsplit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    received = [0]
    until = time.monotonic() + seconds

    async def one(url: str) -> None:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(f"GET /v1/events HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        while time.monotonic() < until:
            chunk = await reader.read(65536)
            if not chunk:
                break
            received[0] += chunk.count(b"\ndata: ")
        writer.close()

    await asyncio.gather(*(one(urls[i % len(urls)]) for i in range(count)),
                         return_exceptions=True)
    print(received[0], flush=True)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "readers":
        asyncio.run(readers(args[0].split(","), int(args[1]), float(args[2])))
    elif kind == "ingest":
        asyncio.run(ingest(args[0], args[1], int(args[2]), float(args[3])))
    else:
        serve(int(args[0]), int(args[1]), float(args[2]))
