"""A source whose ids are qualified by its site (``wallboard ingest --site kyiv``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from wallboard.core.events import Event
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.sites import local_id, qualify, with_site
from wallboard.sources.base import Source


class SiteSource(Source):
    """``inner``'s events with every id qualified by ``site`` and the site stamped on calls
    and managers; questions about a qualified id go to ``inner`` with its own id."""

    def __init__(self, inner: Source, site: str) -> None:
        self.inner = inner
        self.site = site
        self.title = f"{inner.title} ({site})"
        self.listen_modes = frozenset()  # joining calls is not offered through a bus
        self.default_supervisor = inner.default_supervisor

    async def events(self) -> AsyncIterator[list[Event]]:
        async for batch in self.inner.events():
            yield [with_site(event, self.site) for event in batch]

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def manager_history(self, employee_id: str, start: datetime, end: datetime
                              ) -> ManagerHistory:
        history = await self.inner.manager_history(local_id(self.site, employee_id), start, end)
        calls = tuple(self._record(c) for c in history.calls)
        return history.model_copy(update={"employee_id": employee_id, "calls": calls})

    def _record(self, record: CallRecord) -> CallRecord:
        return record.model_copy(update={"id": qualify(self.site, record.id),
                                         "employee_id": qualify(self.site, record.employee_id)})
