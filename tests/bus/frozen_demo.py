"""``python -m tests.bus.frozen_demo BUS_URL SITE``: the real Ingest (leader election,
publishing) over the demo call center with its clock stopped at 2026-03-24 09:00 UTC, seed
7, 12 calls — a PBX whose state the test knows exactly (DemoCallCenter with the same
arguments). Ends on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime

from wallboard.audit import AuditLog
from wallboard.bus import Ingest, IngestSettings, SiteSource, open_bus
from wallboard.core.clock import ManualClock
from wallboard.service import WallboardService
from wallboard.sources.demo import DemoSource

AT = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
SEED = 7
CALLS = 12
RUN = "frozen"
"""The call ids' run prefix, fixed so the test knows them."""


async def main(url: str, site: str) -> None:
    clock = ManualClock(AT)

    def make_service() -> WallboardService:
        source = SiteSource(DemoSource(clock=clock, seed=SEED, calls=CALLS, run=RUN), site)
        return WallboardService(source, clock, audit=AuditLog(None, clock))

    ingest = Ingest(open_bus(url), IngestSettings(stream=site, snapshot_seconds=1.0),
                    make_service)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await ingest.run(stop)
    await ingest.bus.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
