"""The session service: the workflow under the board and under ``wallboard serve``.

It owns the source, the :class:`~wallboard.core.state.LiveState`, the recorder, the audit
log and the supervisor accounts. It follows the source (applying every batch, recording
what changed, telling its listeners), joins and steers listen sessions, and answers
history and call-log questions, mapping every failure to one sentence
(:class:`~wallboard.service.errors.ServiceError`). Screens and HTTP handlers only show
and ask; nothing here imports Textual or Starlette.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from wallboard.audit import AuditLog
from wallboard.core.clock import Clock
from wallboard.core.events import ConnectionChanged, Event, Link
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode
from wallboard.core.state import LiveState
from wallboard.service.errors import Problem, ServiceError, mapped
from wallboard.service.listen import ListenDesk, ListenPolicy
from wallboard.sources.base import Source, SourceError

log = logging.getLogger(__name__)

Listener = Callable[[list[Event]], None]
"""Called after every batch with the events that changed the state (maybe none)."""

HISTORY_YEARS = (2000, 2100)
"""History questions outside these years are refused: no PBX recorded them."""


class WallboardService:
    def __init__(
        self,
        source: Source,
        clock: Clock,
        *,
        audit: AuditLog,
        policy: ListenPolicy | None = None,
        zone: tzinfo | None = None,
        state: LiveState | None = None,
        history_max_days: int = 31,
    ) -> None:
        self.source = source
        self.clock = clock
        self.zone = zone
        self.state = state or LiveState()
        self.audit = audit
        self.history_max_days = history_max_days
        self.listen = ListenDesk(source, self.state, clock, audit, policy or ListenPolicy())
        self._listeners: list[Listener] = []
        self._closed = False

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def listen_modes(self) -> frozenset[ListenMode]:
        return self.source.listen_modes

    # -- listeners --------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every batch; returns the way to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def on_notice(self, notify: Callable[[str, str], None]) -> None:
        """Where sentences for the person at the board go: ``notify(message, severity)``."""
        self.listen.notify = notify

    # -- following the source ----------------------------------------------------------
    async def run(self, restart_after: float | None = None) -> None:
        """Follow the source until closed.

        ``restart_after`` None (the board): a source that fails says so and stays failed.
        A number (the server): the source is started again after that many seconds.
        """
        while not self._closed:
            try:
                async for batch in self.source.events():
                    self.apply(batch)
                    if self._closed:
                        return
                if restart_after is None:
                    return
                message = "The source ended; restarting it."
            except asyncio.CancelledError:
                raise
            except SourceError as exc:
                message = str(exc)
                if restart_after is None:
                    self._failed(message)
                    return
            except Exception as exc:  # the board and the server outlive any backend bug
                log.error("The source failed: %s", type(exc).__name__)
                message = f"The source stopped unexpectedly ({type(exc).__name__})."
                if restart_after is None:
                    self._failed(message)
                    return
            if self._closed:
                return
            self.apply([ConnectionChanged(link=Link.RECONNECTING, message=message,
                                          at=self.clock.now())])
            await asyncio.sleep(restart_after)

    def apply(self, batch: list[Event]) -> list[Event]:
        """Apply one batch: audit listen steps, update the state, tell the listeners."""
        self.listen.observe(batch)
        effective = [event for event in batch if self.state.apply(event)]
        self.state.mark_data(self.clock.now())
        for listener in list(self._listeners):
            listener(effective)
        return effective

    def _failed(self, message: str) -> None:
        self.apply([ConnectionChanged(link=Link.FAILED, message=message, at=self.clock.now())])
        self.listen.notify(message, "error")

    # -- history (SPEC 4) --------------------------------------------------------------
    def check_range(self, start: datetime, end: datetime) -> None:
        """Refuse nonsense before any work: years 2000–2100, start ≤ end, a bounded span."""
        low, high = HISTORY_YEARS
        for moment in (start, end):
            if not low <= moment.astimezone(UTC).year < high:
                raise ServiceError(f"Dates must be between {low} and {high}.",
                                   Problem.BAD_REQUEST)
        if end < start:
            raise ServiceError("The start must not be after the end.", Problem.BAD_REQUEST)
        if end - start > timedelta(days=self.history_max_days, hours=1):
            raise ServiceError(
                f"A history question may span at most {self.history_max_days} days; "
                "ask for a shorter period.", Problem.BAD_REQUEST)

    async def history(self, employee_id: str, start: datetime, end: datetime) -> ManagerHistory:
        """A manager's statuses and calls over [start, end)."""
        self.check_range(start, end)
        return await mapped(self.source.manager_history(employee_id, start, end),
                            "Reading the history")

    async def call_log(self, employee_id: str, start: datetime, end: datetime
                       ) -> list[CallRecord]:
        self.check_range(start, end)
        return await mapped(self.source.call_log(employee_id, start, end),
                            "Reading the call log")

    # -- the end -----------------------------------------------------------------------
    async def aclose(self) -> None:
        """End our listen sessions (audited), then close the source. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            await self.listen.close()
        with contextlib.suppress(Exception):
            await self.source.aclose()
