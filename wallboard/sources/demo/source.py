"""The demo call center as a live Source, ticking in (possibly scaled) real time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

from wallboard.core.clock import Clock, SystemClock
from wallboard.core.events import ConnectionChanged, Event, Link
from wallboard.core.history import ManagerHistory
from wallboard.core.listen import ListenMode
from wallboard.core.metrics import MetricsSettings
from wallboard.core.queues import QueueCatalog
from wallboard.core.text import N_
from wallboard.sources.base import Source, SourceError
from wallboard.sources.demo.center import DemoCallCenter
from wallboard.sources.demo.history import demo_history
from wallboard.sources.demo.listen import DEMO_SUPERVISOR, DemoListen

TICK_SECONDS = 1.0
"""The simulation runs this often, and what happened meanwhile goes out as one batch (each
event with its own time). A board draws once a second: a faster tick draws nothing sooner,
and each extra wake-up of a busy process costs CPU (side by side, the 1,000-call demo board
used 0.74 of its CPU with a 1-s tick against a 0.2-s one). A supervisor's listen steps
still go out at once."""


class DemoSource(Source):
    """The demo call center as a live source, ticking in (possibly scaled) real time."""

    title = N_("Demo call center")
    """English, marked for the catalog: the board says it in its language."""
    listen_modes = frozenset(ListenMode)
    can_pause = True
    default_supervisor = DEMO_SUPERVISOR

    def __init__(
        self,
        clock: Clock | None = None,
        seed: int | None = None,
        calls: int = 24,
        events_per_second: float | None = None,
        tick_seconds: float = TICK_SECONDS,
        run: str | None = None,
        language: str = "en",
        catalog: QueueCatalog | None = None,
        metrics: MetricsSettings | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.language = language
        """The language of the routing schemes' names (the managers' names stay as they
        are: Polish and Ukrainian)."""
        self.center = DemoCallCenter(
            self.clock.now(), seed=seed, calls=calls, events_per_second=events_per_second,
            run=run, language=language, catalog=catalog, metrics=metrics,
        )
        self._pending: list[Event] = []
        """What a supervisor's action changed, delivered with the next batch."""
        self.tick_seconds = tick_seconds
        self._closed = asyncio.Event()
        self.listen = DemoListen()
        self._wake = asyncio.Event()
        """Set to deliver a listen update at once instead of at the next tick."""

    async def events(self) -> AsyncIterator[list[Event]]:
        now = self.clock.now()
        yield [ConnectionChanged(link=Link.LIVE, at=now), self.center.snapshot()]
        while not self._closed.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            now = self.clock.now()
            batch, self._pending = self._pending, []
            batch += self.center.advance(now)
            batch += self.listen.advance(now, self.center.calls, batch)
            if batch:
                yield batch

    async def aclose(self) -> None:
        self._closed.set()
        self._wake.set()

    async def manager_history(
        self, employee_id: str, start: datetime, end: datetime
    ) -> ManagerHistory:
        """Seven days and more of plausible past, drawn per day (see demo_history)."""
        agent = self.center.agents.get(employee_id)
        if agent is None:
            raise SourceError(f"The demo call center has no manager {employee_id!r}.")
        # drawn off the event loop: a month of history must not stall the board or a server
        return await asyncio.to_thread(demo_history, agent.employee, self.center.seed or 0,
                                       start, end, self.clock.now(), language=self.language)

    async def pause(self, employee_id: str, paused: bool, reason: str = "") -> None:
        if employee_id not in self.center.agents:
            raise SourceError(f"The demo call center has no manager {employee_id!r}.")
        self._pending += self.center.advance(self.clock.now())  # what was due comes first
        self._pending += self.center.set_pause(employee_id, paused, reason)
        self._wake.set()

    # -- listen / coach / barge: simulated in demo_listen.py --------------------------
    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        session_id = self.listen.start(
            self.center.calls.get(call_id), supervisor, mode, self.clock.now())
        self._wake.set()
        return session_id

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        self.listen.change(session_id, mode, muted)
        self._wake.set()

    async def stop_listen(self, session_id: str) -> None:
        self.listen.stop(session_id, self.clock.now())
        self._wake.set()
