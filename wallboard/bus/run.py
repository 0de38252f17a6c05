"""The entry points: ``wallboard ingest``, and the replica half of ``wallboard serve --bus``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

from wallboard.bus.base import BusError
from wallboard.config import Config, ConfigError
from wallboard.core.clock import Clock, SystemClock

if TYPE_CHECKING:
    from wallboard.bus.ingest import Ingest
    from wallboard.server.hub import Hub
    from wallboard.service import WallboardService


def bus_replica(config: Config, clock: Clock
                ) -> tuple[WallboardService, type[Hub]] | None:
    """The service and hub type of a ``serve --bus`` replica; None once a problem with the
    bus settings is said (exit 2)."""
    from wallboard.bus.hub import BusHub
    from wallboard.factory import create_bus_service

    try:
        service = create_bus_service(config, clock)
    except (BusError, ConfigError) as exc:
        print(f"wallboard serve: {exc}", file=sys.stderr)
        return None
    return service, BusHub


def ingest_main(config: Config) -> int:
    """Run an ingest until SIGTERM or SIGINT; the process exit code."""
    from wallboard.factory import create_ingest

    clock = SystemClock()
    try:
        ingest = create_ingest(config, clock)
    except (BusError, ConfigError) as exc:
        print(f"wallboard ingest: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:     %(message)s")
    for name in ("wallboard.bus", "wallboard.store", "wallboard.service"):
        logging.getLogger(name).setLevel(logging.INFO)
    site = f" (site {config.bus.site})" if config.bus.site else ""
    print(f"wallboard ingest: stream {ingest.settings.stream}{site} on {ingest.bus.where}; "
          "leads when the lease is free, else stands by", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(ingest))
    return 0


async def _run(ingest: Ingest) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await ingest.run(stop)
    finally:
        await ingest.bus.aclose()
