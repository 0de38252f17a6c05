"""RingostatClient: the Ringostat source.

- Managers: the staff list (JSON-RPC ``getProjectStaffListAndDirections``), read again
  every ``staff_refresh_seconds``; their statuses from ``/sipstatus/online`` and
  ``/sipstatus/speaking`` every ``status_poll_seconds`` (see :mod:`.staff`).
- Live calls: from webhooks, through :meth:`RingostatClient.accept_webhook`, which
  ``wallboard serve`` calls from the route of :mod:`.hooks`; reconciled with the speaking
  list after every poll and expired when their last webhook never came (:mod:`.calls`).
- History: the call log and the daily status report (:mod:`.history`).

Failures are one sentence each, as ConnectionChanged events; the wait doubles from the
poll interval up to ``backoff_max_seconds`` and a Retry-After (429, 5xx) is honoured. A
wrong Auth-key is FAILED, still retried at that gentle pace. The source never stops:
webhooks are taken in, and calls expire, whatever the polls do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from wallboard.config import SECRET_PATH, RingostatSource, secret_or_env
from wallboard.core.clock import Clock, SystemClock
from wallboard.core.events import (
    AccountStatusChanged,
    ConnectionChanged,
    EmployeeRemoved,
    EmployeeUpserted,
    Event,
    Link,
    Snapshot,
)
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode, NoListenModes
from wallboard.core.models import Employee
from wallboard.core.text import N_
from wallboard.sources.backoff import Backoff
from wallboard.sources.base import NotSupported, Source, SourceError
from wallboard.sources.ringostat.calls import CallTracker, WebhookError, read_webhook
from wallboard.sources.ringostat.history import HistoryReader
from wallboard.sources.ringostat.http import (
    ONLINE_PATH,
    RingostatAuthError,
    RingostatError,
    RingostatHttp,
)
from wallboard.sources.ringostat.staff import Directory, Member, parse_logins, parse_staff

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

log = logging.getLogger(__name__)

NO_LISTEN = N_("Ringostat has no public listen API, so the wallboard cannot join its calls.")
STAFF_SOONEST = 60.0
"""A webhook naming an unknown manager makes the staff list be read again, at most this
often (seconds after the last read)."""
BAD_SECRET = "$RINGOSTAT_WEBHOOK_SECRET must be 16 to 128 letters, digits, - or _."
NO_KEY = ("Set source.auth_key in the config or $RINGOSTAT_AUTH_KEY (Ringostat: Settings, "
          "Integration, Ringostat API, Auth-key).")


class RingostatClient(Source):
    listen_modes = NoListenModes(NO_LISTEN)

    def __init__(
        self,
        settings: RingostatSource,
        clock: Clock | None = None,
        *,
        poll_seconds: float | None = None,
        environ: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.zone = ZoneInfo(settings.timezone) if settings.timezone else None
        self.poll_seconds = poll_seconds or settings.status_poll_seconds
        key = secret_or_env(settings.auth_key, "RINGOSTAT_AUTH_KEY", environ)
        self.webhook_secret = secret_or_env(settings.webhook_secret, "RINGOSTAT_WEBHOOK_SECRET",
                                            environ)
        self._setup_error = None if key else NO_KEY
        if self.webhook_secret and not SECRET_PATH.match(self.webhook_secret):
            self.webhook_secret = None  # from the environment: the config's rule holds too
            self._setup_error = BAD_SECRET
        self.http = RingostatHttp(settings, key, now=self.clock.now)
        self.title = f"Ringostat project {settings.project_id}"
        self.directory = Directory()
        self.tracker = CallTracker(settings, self.directory.employee_of)
        self.history = HistoryReader(self.http, settings.project_id, self.zone, self.clock.now)
        self.employees: dict[str, Employee] = {}
        """The managers as last sent."""
        self.polls = 0
        """Status polls completed (tests wait on it)."""
        self.malformed = 0
        self.link, self.message = Link.CONNECTING, ""
        self._receiving = False
        self._staff_read = False
        self._staff_stale = False
        """A webhook named someone the staff list lacks: read it again soon."""
        """A server mounted the webhook receiver (only `wallboard serve` does)."""
        self._backoff = Backoff(self.poll_seconds, settings.backoff_max_seconds, rng)
        self._queue: asyncio.Queue[list[Event] | None] = asyncio.Queue()
        self._closed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    # -- Source ---------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[list[Event]]:
        self._runner = asyncio.create_task(self._run())
        try:
            while True:
                batch = await self._queue.get()
                if batch is None:
                    return
                yield batch
        finally:
            if not self._runner.done():
                self._runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._runner

    async def aclose(self) -> None:
        self._closed.set()
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._queue.put_nowait(None)
        await self.http.aclose()

    def http_routes(self) -> list[BaseRoute]:
        from wallboard.sources.ringostat.hooks import webhook_routes

        routes = webhook_routes(self)
        self._receiving = bool(routes)
        return routes

    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        raise NotSupported(NO_LISTEN)

    # -- webhooks -------------------------------------------------------------------------
    def accept_webhook(self, params: Mapping[str, str]) -> list[Event]:
        """One webhook's parameters as call events (also sent to the board).

        Raises WebhookError (one sentence) for a webhook that cannot be used.
        """
        try:
            hook = read_webhook(params, self.settings, self.zone)
        except WebhookError:
            self.malformed += 1
            self._emit([self._connection(self.link, self.message)])
            raise
        events = self.tracker.accept(hook, self.clock.now())
        if (hook.sip or hook.employee) and self.directory.loaded and (
                self.directory.employee_of(hook.sip, hook.employee) is None):
            self._staff_stale = True  # a manager added in Ringostat since the last read?
        self._emit(events)
        return events

    # -- the polling loop -----------------------------------------------------------------
    def _emit(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait(list(events))

    def _connection(self, link: Link, message: str, retry_in: float | None = None
                    ) -> ConnectionChanged:
        now = self.clock.now()
        self.link, self.message = link, message
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        return ConnectionChanged(link=link, message=message, retry_at=retry_at, at=now,
                                 malformed=self.malformed)

    def _live_message(self) -> str:
        if not self.webhook_secret:
            calls = "no live calls: set source.webhook_secret for the webhooks"
        elif not self._receiving:
            calls = "no live calls here: only `wallboard serve` receives the webhooks"
        else:
            calls = "calls from webhooks"
        return (f"Live from Ringostat at {self.http.host}: statuses every "
                f"{self.poll_seconds:g} s, {calls}.")

    async def _run(self) -> None:
        now = self.clock.now()
        self._emit([self._connection(Link.CONNECTING, f"Connecting to Ringostat at "
                                                      f"{self.http.host}."),
                    Snapshot(calls=tuple(self.tracker.calls()), at=now)])
        if self._setup_error:  # nothing to poll with; webhooks still come, calls expire
            self._emit([self._connection(Link.FAILED, self._setup_error)])
            while not await self._wait(self.poll_seconds):
                self._emit(self.tracker.expire(self.clock.now()))
            return
        loop = asyncio.get_running_loop()
        next_staff, resync = 0.0, True
        refresh = self.settings.staff_refresh_seconds
        while True:
            delay = self.poll_seconds
            try:
                if loop.time() >= next_staff or (self._staff_stale and loop.time()
                                                  >= next_staff - refresh + STAFF_SOONEST):
                    self._staff_stale = False
                    await self._load_staff()
                    next_staff = loop.time() + refresh
                await self._poll(resync)
                resync = False
                self._backoff.reset()
            except RingostatError as exc:
                delay, resync = self._failed(exc.message, exc), True
            except (ValueError, TypeError, AttributeError) as exc:
                log.warning("unreadable answer from Ringostat: %s", self.http.clean(str(exc)))
                delay, resync = self._failed(
                    f"Ringostat at {self.http.host} sent data the wallboard cannot read "
                    f"({self.http.clean(str(exc))}).", None), True
            except Exception as exc:  # a bug must not stop the source: say it, go on
                log.error("reading Ringostat failed: %s", type(exc).__name__)
                delay, resync = self._failed(
                    f"Reading Ringostat failed unexpectedly ({type(exc).__name__}).", None), True
            if await self._wait(delay):
                return

    async def _wait(self, seconds: float) -> bool:
        """Sleep; True when the source was closed meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)
        return self._closed.is_set()

    def _failed(self, message: str, exc: RingostatError | None) -> float:
        delay = max(self._backoff.next_delay(), (exc.retry_after if exc else None) or 0.0)
        link = Link.FAILED if isinstance(exc, RingostatAuthError) else Link.RECONNECTING
        text = f"{message} Retrying in {delay:.0f} s." if delay >= 1 else message
        self._emit([self._connection(link, text, delay), *self.tracker.expire(self.clock.now())])
        return delay

    async def _load_staff(self) -> None:
        result = await self.http.rpc("getProjectStaffListAndDirections",
                                     {"projectId": self.settings.project_id})
        members = parse_staff(result)
        self.directory.load(members)
        self._staff_read = True  # the poll that follows sends the managers, then the calls
        await self.history.load_custom_statuses()

    async def _poll(self, resync: bool) -> None:
        online = parse_logins(await self.http.get(ONLINE_PATH), "/sipstatus/online")
        path = self.http.speaking_path
        speaking = parse_logins(await self.http.get(path), path)
        self.polls += 1
        now = self.clock.now()
        employees = self.directory.build(online, speaking)
        events: list[Event] = []
        if self.link is not Link.LIVE:
            events.append(self._connection(Link.LIVE, self._live_message()))
        if resync:
            self.tracker.rebuild()
            self.employees = {e.id: e for e in employees}
            events.append(Snapshot(calls=tuple(self.tracker.calls()), employees=tuple(employees),
                                   at=now))
        else:
            events += self._diff(employees, now)
            if self._staff_read:  # calls whose manager resolves differently now
                events += self.tracker.rebuild()
        self._staff_read = False
        events += self.tracker.reconcile(now, self.directory.speaking_employees(speaking))
        self._emit(events)

    def _diff(self, employees: list[Employee], now: datetime) -> list[Event]:
        new = {e.id: e for e in employees}
        events: list[Event] = [EmployeeRemoved(employee_id=i) for i in self.employees
                               if i not in new]
        for employee in employees:
            old = self.employees.get(employee.id)
            if old is None:
                events.append(EmployeeUpserted(employee=employee))
                continue
            if old == employee:
                continue
            same_shape = [a.id for a in old.accounts] == [a.id for a in employee.accounts] and (
                old.model_copy(update={"accounts": employee.accounts}) == employee)
            if not same_shape:
                events.append(EmployeeUpserted(employee=employee))
                continue
            events += [AccountStatusChanged(employee_id=employee.id, account_id=a.id,
                                            status=a.status, at=now)
                       for a, b in zip(employee.accounts, old.accounts, strict=True)
                       if a.status is not b.status]
        self.employees = new
        return events

    # -- history --------------------------------------------------------------------------
    def _member(self, employee_id: str) -> Member:
        member = self.directory.members.get(employee_id)
        if member is not None:
            return member
        if not self.directory.loaded:
            raise SourceError("The staff list has not come from Ringostat yet; try again in "
                              "a moment.")
        raise SourceError(f"Ringostat's staff list has no employee {employee_id!r}.")

    async def manager_history(self, employee_id: str, start: datetime, end: datetime
                              ) -> ManagerHistory:
        member = self._member(employee_id)
        calls = await self.history.calls(member, start, end)
        totals = await self.history.day_totals(member, start, end)
        return ManagerHistory(employee_id=employee_id, start=start, end=end,
                              calls=tuple(calls), day_totals=tuple(totals))

    async def call_log(self, employee_id: str, start: datetime, end: datetime
                       ) -> list[CallRecord]:
        return await self.history.calls(self._member(employee_id), start, end)
