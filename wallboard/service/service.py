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
import gc
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from wallboard.audit import AuditLog
from wallboard.core.clock import Clock
from wallboard.core.events import ConnectionChanged, Event, Link, Snapshot
from wallboard.core.history import CallRecord, ManagerHistory, join_histories
from wallboard.core.listen import ListenMode
from wallboard.core.state import LiveState
from wallboard.core.text import N_, Sentence
from wallboard.service.agents import AgentDesk
from wallboard.service.alerts import AlertDesk
from wallboard.service.errors import Problem, ServiceError, mapped
from wallboard.service.listen import ListenDesk, ListenPolicy
from wallboard.sources.base import NotSupported, Source, SourceError

if TYPE_CHECKING:
    from wallboard.store import Recorder

log = logging.getLogger(__name__)

Listener = Callable[[list[Event]], None]
"""Called after every batch with the events that changed the state (maybe none)."""

STORE_DELAY = 1.0
"""Seconds after the first picture before the store opens: importing SQLAlchemy and
opening a database never compete with the first frame. Nothing is lost meanwhile: the
changes wait in memory (up to :data:`EARLY_LIMIT`)."""
EARLY_LIMIT = 100_000
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
        store_url: str | None = None,
        keep_days: int = 400,
    ) -> None:
        self.source = source
        self.clock = clock
        self.zone = zone
        self.state = state or LiveState()
        self.audit = audit
        self.history_max_days = history_max_days
        self.listen = ListenDesk(source, self.state, clock, audit, policy or ListenPolicy())
        self.agents = AgentDesk(source, self.state, clock, audit, policy or ListenPolicy())
        """Pausing and unpausing agents (the same rules, roles and audit as listening)."""
        self.alerts: AlertDesk | None = None
        """The ``[[alerts]]`` rules, judged once a second while the service runs."""
        self._alerts_task: asyncio.Task[None] | None = None
        self._listeners: list[Listener] = []
        self._closed = False
        self.store_url = store_url
        """Where the recorder writes (None: no recording; the source answers history)."""
        self.keep_days = keep_days
        self.recorder: Recorder | None = None
        self._recording: asyncio.Task[None] | None = None
        self._stop_recording = asyncio.Event()
        self._early: list[tuple[datetime, list[Event]]] | None = None
        """What changed since the first picture, until the recorder writes."""
        if store_url is None:  # nobody records the queue outcomes, nor loads them back
            self.state.metrics.journal = None
            self.state.metrics.forget_seen()

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
        if self.alerts is not None and self._alerts_task is None:
            self._alerts_task = asyncio.get_running_loop().create_task(
                self.alerts.run(), name="wallboard-alerts")
        while not self._closed:
            try:
                async for batch in self.source.events():
                    self.apply(batch)
                    if self._closed:
                        return
                if restart_after is None:
                    return
                message: str = Sentence(N_("The source ended; restarting it."))
            except asyncio.CancelledError:
                raise
            except SourceError as exc:
                message = str(exc)
                if restart_after is None:
                    self._failed(message)
                    return
            except Exception as exc:  # the board and the server outlive any backend bug
                log.error("The source failed: %s", type(exc).__name__)
                message = Sentence(N_("The source stopped unexpectedly ({error})."),
                                   error=type(exc).__name__)
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
        now = self.clock.now()
        self.state.mark_data(now)
        for listener in list(self._listeners):
            listener(effective)
        if self.recorder is not None and self.state.metrics.journal:
            from wallboard.store.queues import outcome_ops

            self.recorder.add(outcome_ops(self.state.metrics.drain()))
        if self._early is not None and effective:
            self._early.append((now, effective))
            if len(self._early) > EARLY_LIMIT:
                self._early = None  # too much: the recorder starts from the live state
        if self.store_url and self._recording is None and any(
                isinstance(e, Snapshot) for e in effective):
            self._early = [(now, [e for e in effective if isinstance(e, Snapshot)])]
            self._recording = asyncio.get_running_loop().create_task(
                self._record(), name="wallboard-recorder")
        return effective

    # -- recording -----------------------------------------------------------------------
    async def _record(self) -> None:
        assert self.store_url is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_recording.wait(), STORE_DELAY)
        # imported only now: SQLAlchemy takes a tenth of a second to import
        from wallboard.store import StoreError, open_recorder, run_recorder

        try:
            recorder = await asyncio.to_thread(
                open_recorder, self.store_url, self.clock, self.state.snapshot,
                keep_days=self.keep_days, notify=self.listen.notify)
        except StoreError as exc:
            self.listen.notify(Sentence(N_("{problem} History is not recorded."),
                                        problem=Sentence(str(exc))), "warning")
            return
        except Exception as exc:  # the board and the server outlive a broken store
            log.error("Opening the history store failed: %s", type(exc).__name__)
            self.listen.notify(Sentence(N_("The history store could not be opened ({error}); "
                                           "history is not recorded."),
                                        error=type(exc).__name__), "warning")
            return
        early, self._early = self._early, None
        # what opening the store built (SQLAlchemy's modules and tables) lives as long as the
        # process, as what came before it does: frozen out of the garbage collector's full
        # passes, which otherwise walk it all each time the recorder's minute of pending
        # changes has aged into the oldest generation (70 ms a pass, measured in serve)
        gc.freeze()
        await recorder.start(early)
        self.recorder = recorder
        self.subscribe(recorder.record)
        await self._queues_from_store(recorder)
        await run_recorder(recorder, self._stop_recording)

    async def _queues_from_store(self, recorder: Recorder) -> None:
        """The day's queue outcomes recorded before this start, counted again (so the
        figures survive a restart); from now on alerts are recorded too."""
        from wallboard.core.metrics import window_start
        from wallboard.store import StoreError
        from wallboard.store import queues as queue_store

        metrics = self.state.metrics
        now = self.clock.now()
        metrics.roll(now)
        since = min(metrics.day_start, window_start(now, metrics.settings.window_minutes))
        try:
            outcomes = await recorder.store.call(
                lambda c: queue_store.load_outcomes(c, since))
        except StoreError as exc:
            self.listen.notify(f"{exc} The queue figures start from now.", "warning")
            outcomes = []
        metrics.load(outcomes)
        if self.alerts is not None:
            self.alerts.record = lambda change, worst: recorder.add(
                [queue_store.alert_op(change.alert, worst.value)])

    async def wait_recording(self, timeout: float = 10.0) -> Recorder | None:
        """The recorder once it writes (tests, replay, export); None without a store."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.store_url and asyncio.get_running_loop().time() < deadline:
            if self.recorder is not None and self.recorder.leading:
                return self.recorder
            if self._recording is not None and self._recording.done():
                break
            await asyncio.sleep(0.02)
        return self.recorder

    def _failed(self, message: str) -> None:
        self.apply([ConnectionChanged(link=Link.FAILED, message=message, at=self.clock.now())])
        self.listen.notify(message, "error")

    # -- history (SPEC 4) --------------------------------------------------------------
    def check_range(self, start: datetime, end: datetime) -> None:
        """Refuse nonsense before any work: years 2000–2100, start ≤ end, a bounded span."""
        low, high = HISTORY_YEARS
        for moment in (start, end):
            if not low <= moment.astimezone(UTC).year < high:
                raise ServiceError(Sentence(N_("Dates must be between {low} and {high}."),
                                            low=low, high=high), Problem.BAD_REQUEST)
        if end < start:
            raise ServiceError(Sentence(N_("The start must not be after the end.")),
                               Problem.BAD_REQUEST)
        if end - start > timedelta(days=self.history_max_days, hours=1):
            raise ServiceError(Sentence(
                N_("A history question may span at most {days} days; ask for a shorter "
                   "period."), days=self.history_max_days), Problem.BAD_REQUEST)

    async def history(self, employee_id: str, start: datetime, end: datetime) -> ManagerHistory:
        """A manager's statuses and calls over [start, end): the recorder's, with the
        source's own past (the demo's, a vendor's) before the recorder began."""
        self.check_range(start, end)
        await self._check_manager(employee_id)
        recorder = self.recorder
        if recorder is None:
            return await mapped(self.source.manager_history(employee_id, start, end),
                                N_("Reading the history"))
        from wallboard.store import queries

        await recorder.flush()
        now = self.clock.now()
        since = recorder.first_recorded_at or now
        open_until = now if recorder.leading else (recorder.last_heartbeat or now)
        recorded = await mapped(recorder.store.call(lambda c: queries.manager_history(
            c, employee_id, start, end, open_until, intervals_from=max(start, since))),
            N_("Reading the history"))
        before = None
        if start < since:
            before = await mapped(self._source_past(employee_id, start, min(end, since)),
                                  N_("Reading the history"))
        return join_histories(before, recorded, since)

    async def _check_manager(self, employee_id: str) -> None:
        """A manager neither on the board nor in the recorded history is a 404."""
        if employee_id in self.state.employees:
            return
        if self.recorder is not None:
            from wallboard.store import queries

            if await self.recorder.store.call(lambda c: queries.known_manager(c, employee_id)):
                return
        elif not self.state.employees:
            return  # nothing known yet (a source still connecting): let the source say
        raise ServiceError(Sentence(N_("There is no manager {manager}."),
                                    manager=repr(employee_id[:60])), Problem.NOT_FOUND)

    async def _source_past(self, employee_id: str, start: datetime, end: datetime
                           ) -> ManagerHistory | None:
        """What the source itself knows of the time before the recorder (None: nothing)."""
        try:
            return await self.source.manager_history(employee_id, start, end)
        except NotSupported:
            return None

    async def call_log(self, employee_id: str, start: datetime, end: datetime
                       ) -> list[CallRecord]:
        self.check_range(start, end)
        if self.recorder is None:
            await self._check_manager(employee_id)
            return await mapped(self.source.call_log(employee_id, start, end),
                                N_("Reading the call log"))
        return list((await self.history(employee_id, start, end)).calls)

    # -- the end -----------------------------------------------------------------------
    async def aclose(self) -> None:
        """End our listen sessions (audited), then close the source. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            await self.listen.close()
        if self._alerts_task is not None:
            self._alerts_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._alerts_task
        if self.alerts is not None:
            with contextlib.suppress(Exception):
                await self.alerts.aclose()
        with contextlib.suppress(Exception):
            await self.source.aclose()
        if self._recording is not None:
            self._stop_recording.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._recording, 5.0)
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.store.close)
