"""History on a replica: read from the store each site's ingest records into.

A replica records nothing (the leading ingest does, through its service's recorder). It
opens each site's store read-only on first use and answers a manager's history and call
log there, with the intervals still open running to now while the recorder's heartbeat is
fresh, and to that heartbeat otherwise (the ingest is gone, nobody knows what followed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from wallboard.core.clock import Clock
from wallboard.core.history import ManagerHistory
from wallboard.sources.base import NotSupported, SourceError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from wallboard.store import Store

FRESH = timedelta(seconds=5)
"""A recorder heartbeat younger than this is a recorder writing now."""


def store_for(url: str | None, stream: str) -> str | None:
    """The store of ``stream``: ``url`` with ``{stream}`` replaced (one database per site,
    e.g. ``postgresql://wb@db/wallboard_{stream}``)."""
    return url.replace("{stream}", stream) if url else None


class StreamHistory:
    def __init__(self, stores: Mapping[str, str], clock: Clock) -> None:
        self.stores = dict(stores)
        self.clock = clock
        self._open: dict[str, Store] = {}
        self._lock = asyncio.Lock()

    async def _store(self, stream: str) -> Store:
        async with self._lock:
            if stream not in self._open:
                from wallboard.store import StoreError, open_store

                try:
                    self._open[stream] = await asyncio.to_thread(open_store, self.stores[stream])
                except StoreError as exc:
                    raise SourceError(str(exc)) from None
            return self._open[stream]

    async def manager_history(self, stream: str | None, employee_id: str, start: datetime,
                              end: datetime) -> ManagerHistory:
        if stream is None or stream not in self.stores:
            raise NotSupported("History is read from the store the ingest records into; "
                               "give this replica [store] url (or --store).")
        from wallboard.store import StoreError, queries

        store = await self._store(stream)
        now = self.clock.now()

        def read(connection: Connection) -> ManagerHistory:
            beat = queries.heartbeat(connection)
            open_until = now if beat is not None and now - beat < FRESH else (beat or now)
            return queries.manager_history(connection, employee_id, start, end, open_until)

        try:
            return await store.call(read)
        except StoreError as exc:
            raise SourceError(str(exc)) from None

    async def aclose(self) -> None:
        for store in self._open.values():
            with contextlib.suppress(Exception):
                await asyncio.to_thread(store.close)
        self._open.clear()
