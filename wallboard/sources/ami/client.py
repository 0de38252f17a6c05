"""AmiClient: the Asterisk Manager Interface source.

On connect: read the greeting, log in (receiving only the ``call`` and ``agent`` event
classes), check with ListCommands that the user may run what we need, then list
CoreShowChannels, QueueStatus, QueueSummary and DeviceStateList while the events that
arrive meanwhile wait in the inbox; send a Snapshot; then apply each event as it is
read, and recompute and emit the calls it touched once per ``batch_seconds`` window
(however many events came: a flood is one batch per window). A Ping every
``ping_seconds`` finds a silent link; a drop means RECONNECTING with the project's
backoff and a full resync (an Asterisk restart simply lists no channels: no ghost
stays). A wrong login or a missing permission is FAILED with one sentence, and no retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections import deque
from collections.abc import AsyncIterator
from datetime import timedelta

from wallboard.config import AmiSource, secret_or_env
from wallboard.core.clock import Clock, SystemClock
from wallboard.core.events import ConnectionChanged, Event, Link
from wallboard.core.listen import ListenMode, SupervisorAccount
from wallboard.core.queues import QueueCatalog
from wallboard.sources.ami import errors
from wallboard.sources.ami.agents import AmiAgents
from wallboard.sources.ami.calls import AmiCallMapper
from wallboard.sources.ami.connection import AmiActionError, AmiClosed, AmiConnection
from wallboard.sources.ami.errors import AmiDropped, AmiGiveUp
from wallboard.sources.ami.listen import ChanSpyListen
from wallboard.sources.ami.protocol import AmiMessage, AmiProtocolError
from wallboard.sources.ami.queues import QUEUE_EVENTS, QueueModel
from wallboard.sources.ami.watch import Auditor, pause_manager, pause_member
from wallboard.sources.ami.world import CHANNEL_EVENTS, AmiWorld
from wallboard.sources.backoff import Backoff
from wallboard.sources.base import Source, SourceError
from wallboard.sources.endpoints import Directory, load_employees

log = logging.getLogger(__name__)

SECRET_ENV = "WALLBOARD_AMI_SECRET"
TO_WORLD = CHANNEL_EVENTS | {"DeviceStateChange", "ExtensionStatus", "Rename"}
CALL_CLASS = TO_WORLD - QUEUE_EVENTS
"""Events of the ``call`` read class (the Queue*/Agent* ones are ``agent``): one of them
arriving proves the user may read the class."""
WANTED = TO_WORLD | QUEUE_EVENTS | {"OriginateResponse", "ChanSpyStart"}
"""The unsolicited events read; the rest is dropped unparsed (AmiParser ``keep``)."""


class AmiClient(Source):
    listen_modes = frozenset(ListenMode)
    can_pause = True

    def __init__(
        self,
        settings: AmiSource,
        clock: Clock | None = None,
        *,
        batch_seconds: float = 0.05,
        backoff: Backoff | None = None,
        own_prefix: str = "wallboard-",
        catalog: QueueCatalog | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.batch_seconds = batch_seconds
        self.backoff = backoff or Backoff(base=1.0, cap=settings.reconnect_max_seconds)
        self.title = f"Asterisk AMI {settings.host}"
        self.secret = secret_or_env(settings.secret, SECRET_ENV) or ""
        self._setup_error: str | None = None
        try:
            employees = load_employees(settings)
        except SourceError as exc:
            self._setup_error, employees = str(exc), []
        prefixes = [own_prefix] + ([f"{settings.ari.app}-"] if settings.ari else [])
        self.world = AmiWorld(Directory(employees, settings.project), tuple(prefixes),
                              settings.dnd_device)
        self.mapper = AmiCallMapper(settings, self.world)
        self.queues = QueueModel()
        self.agents = AmiAgents(self.queues, self.world.directory, settings.wrapup_seconds,
                                catalog)
        """Queues and agent states from the members, emitted with the calls."""
        self._wrapup_timer: asyncio.TimerHandle | None = None
        self.allowed: set[str] = set()
        """The actions this AMI user may run (from ListCommands)."""
        self.connection: AmiConnection | None = None
        self.startup: str | None = None
        if settings.ari is not None:
            from wallboard.sources.ami.ari_listen import AriListen

            self.listener: ChanSpyListen | AriListen = AriListen(self, settings.ari)
        else:
            self.listener = ChanSpyListen(self, f"{own_prefix}listen")
        if settings.supervisor_endpoint:
            self.default_supervisor = SupervisorAccount(
                account=settings.supervisor_endpoint, project=settings.project
            )
        self._queue: asyncio.Queue[list[Event] | None] = asyncio.Queue()
        self._inbox: deque[AmiMessage] = deque()
        self._live = False
        self._dirty: set[str] = set()
        self._flush_at: asyncio.TimerHandle | None = None
        self._now_at = -1
        self._now = self.clock.now()
        self._closed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.seen_call = False
        self.seen_agent = False
        self.devices_at_resync: dict[str, str] = {}
        self.malformed = 0
        """Events skipped because they could not be read (shown with the link state)."""
        """Whether an event of the call / agent class arrived in this session (the proof
        that the user may read that class)."""

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
        if self._wrapup_timer is not None:
            self._wrapup_timer.cancel()
        await self.listener.aclose()
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self.connection is not None:
            await self.connection.close()
        self._queue.put_nowait(None)

    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        return await self.listener.start(call_id, supervisor, mode)

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        await self.listener.change(session_id, mode=mode, muted=muted)

    async def stop_listen(self, session_id: str) -> None:
        await self.listener.stop(session_id)

    async def pause(self, employee_id: str, paused: bool, reason: str = "") -> None:
        """Pause (with a reason) or unpause a manager in every queue they are a member of
        (QueuePause per member interface); the service audits it."""
        await pause_manager(self, employee_id, paused, reason)

    async def pause_member(
        self, interface: str, paused: bool, reason: str = "", queue: str | None = None
    ) -> None:
        """Pause or unpause one queue member (QueuePause), in every queue or in one. Only a
        member Asterisk listed can be named: no free text reaches the PBX."""
        await pause_member(self, interface, paused, reason, queue)

    # -- plumbing shared with the listeners -------------------------------------------------
    def emit(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait(list(events))

    async def action(self, name: str, **fields: str | list[str]) -> AmiMessage:
        """One action on the live connection; a refusal is a SourceError sentence."""
        connection = self.connection
        if connection is None or connection.closed.done():
            raise SourceError(f"Not connected to {self._where}.")
        if name not in self.allowed:
            klass = errors.OPTIONAL_ACTIONS.get(name, "")
            raise SourceError(errors.missing_write(self.settings.username, name, klass))
        try:
            return await connection.action(
                name, timeout=self.settings.request_timeout_seconds, **fields
            )
        except AmiActionError as exc:
            raise SourceError(f"Asterisk refused {name}: {exc.message.rstrip('.')}.") from None
        except (AmiClosed, TimeoutError):
            raise SourceError(f"Lost the connection to {self._where}.") from None

    @property
    def _where(self) -> str:
        return errors.where(self.settings.host, self.settings.port)

    def _link(self, link: Link, message: str, retry_in: float | None = None) -> None:
        now = self.clock.now()
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        self.emit([ConnectionChanged(link=link, message=message, retry_at=retry_at, at=now,
                                     malformed=self.malformed)])

    # -- connection loop ----------------------------------------------------------------------
    async def _run(self) -> None:
        if self._setup_error:
            self._link(Link.FAILED, self._setup_error)
            return
        settings = self.settings
        self._link(Link.CONNECTING, f"Connecting to {self._where}.")
        while not self._closed.is_set():
            try:
                await self._session()
                reason = f"The connection to {self._where} dropped."
            except AmiGiveUp as exc:
                self._link(Link.FAILED, str(exc))
                return
            except AmiDropped as exc:
                reason = str(exc)
            except (OSError, TimeoutError, AmiClosed, AmiProtocolError) as exc:
                reason = errors.unreachable(exc, settings.host, settings.port)
            except AmiActionError as exc:
                reason = f"Asterisk refused {exc.action}: {exc.message.rstrip('.')}."
            except Exception as exc:  # a bug must not leave the board silently frozen
                log.exception("the AMI session failed")
                reason = f"Reading {self._where} failed ({type(exc).__name__})."
            finally:
                if self.connection is not None:
                    await self.connection.close()
                    self.connection = None
            if self._closed.is_set():
                return
            delay = self.backoff.next_delay()
            shown = f"{delay:.1f}" if delay >= 1 else f"{delay:.2f}"
            self._link(Link.RECONNECTING, f"{reason} Retrying in {shown} s.", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), delay)

    async def _session(self) -> None:
        settings = self.settings
        self._inbox.clear()
        connection = await AmiConnection.open(
            settings.host, settings.port, self._on_event, tls=self._tls(),
            timeout=settings.request_timeout_seconds, keep=WANTED,
        )
        self.connection = connection
        self.seen_call = self.seen_agent = False
        try:
            await connection.action(
                "Login", timeout=settings.request_timeout_seconds,
                Username=settings.username, Secret=self.secret, Events="call,agent",
            )
        except AmiActionError as exc:  # Asterisk answers before it closes the socket
            if "in use" in exc.message.lower():
                raise AmiGiveUp(errors.login_in_use(settings.username)) from None
            if "authentication" in exc.message.lower():
                raise AmiGiveUp(errors.auth_failed(settings.username)) from None
            raise AmiGiveUp(f"Asterisk refused the AMI login: {exc.message}.") from None
        listing = await connection.action("ListCommands", timeout=settings.request_timeout_seconds)
        self.allowed = set(listing.headers) - {"Response", "ActionID", "Message"}
        for action, klass in errors.REQUIRED_ACTIONS.items():
            if action not in self.allowed:
                raise AmiGiveUp(errors.missing_write(settings.username, action, klass))
        await self._resync(connection)
        self._go_live()
        self.backoff.reset()
        auditor = Auditor(self, connection, settings.ping_seconds)
        tasks = [
            asyncio.create_task(auditor.ping()),
            asyncio.create_task(auditor.audit()),
        ]
        if settings.dnd_astdb_family:
            tasks.append(asyncio.create_task(auditor.poll_dnd()))
        waiter = asyncio.ensure_future(asyncio.shield(connection.closed))  # ours to cancel
        running: set[asyncio.Future[None]] = {*tasks, waiter}
        try:
            while True:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    error = task.exception()
                    if error is not None:
                        raise error
                    if task is waiter:
                        return  # the peer closed the connection
        finally:
            self._live = False
            if self._flush_at is not None:
                self._flush_at.cancel()
                self._flush_at = None
            self._dirty = set()
            for task in [*tasks, waiter]:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _tls(self) -> ssl.SSLContext | None:
        if not self.settings.tls:
            return None
        context = ssl.create_default_context()
        if not self.settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def _resync(self, connection: AmiConnection) -> None:
        timeout = max(30.0, self.settings.request_timeout_seconds)
        channels = await connection.action_list("CoreShowChannels", timeout=timeout)
        queue_listing = await connection.action_list("QueueStatus", timeout=timeout)
        summary = []
        if "QueueSummary" in self.allowed:
            summary = await connection.action_list("QueueSummary", timeout=timeout)
        devices: dict[str, str] = {}
        hints: list[AmiMessage] = []
        if "DeviceStateList" in self.allowed:
            for item in await connection.action_list("DeviceStateList", timeout=timeout):
                devices[item.get("Device")] = item.get("State")
        elif "ExtensionStateList" in self.allowed:  # no res_manager_devicestate: hints
            hints = await connection.action_list("ExtensionStateList", timeout=timeout)
        restart = False
        if "CoreStatus" in self.allowed:
            status = await connection.action("CoreStatus", timeout=timeout)
            startup = f"{status.get('CoreStartupDate')} {status.get('CoreStartupTime')}"
            restart = self.startup is not None and startup != self.startup
            self.startup = startup
        now = self.clock.now()
        self.devices_at_resync = devices
        self.world.load(channels, devices, now)
        for hint in hints:
            self.world.set_hint(hint.get("Hint"), hint.get("StatusText"))
        if self.settings.dnd_astdb_family:
            for endpoint, on in (await Auditor(self, connection, 0).read_dnd()).items():
                self.world.set_dnd(endpoint, on)
        self.queues.load(queue_listing, now)
        for queue in self.queues.queues.values():  # the callers waiting keep their queue
            for uniqueid in queue.callers:
                channel = self.world.channels.get(uniqueid)
                if channel is not None:
                    channel.queue = queue.name
        self.queues.summary = {item.get("Queue"): dict(item.headers) for item in summary}
        for queue in self.queues.queues.values():  # when the callers joined, for the calls
            for uniqueid, caller in queue.callers.items():
                channel = self.world.channels.get(uniqueid)
                if channel is not None:
                    channel.queued_at = caller.joined_at
        snapshot = self.agents.with_snapshot(self.mapper.snapshot(now), now,
                                             self.world.directory.status_of)
        if restart:
            snapshot = snapshot.model_copy(update={"restart": True})
        self._link(Link.LIVE, f"Live from {self._where}.")
        self.emit([snapshot])
        self._plan_wrapup()
        self.listener.after_resync(set(self.world.channels))

    # -- events, as they are read -------------------------------------------------------
    def _on_event(self, message: AmiMessage) -> None:
        """Called for each event as it is read. Until the snapshot is out, events wait
        in the inbox; then each is applied at once (while its text is fresh in memory),
        and the calls it touched are recomputed and emitted once per batch window."""
        if self._live:
            self._apply(message)
        else:
            self._inbox.append(message)

    def _go_live(self) -> None:
        self._live = True
        while self._inbox:
            self._apply(self._inbox.popleft())

    def _apply(self, event: AmiMessage) -> None:
        kind = event.headers.get("Event", "")
        tick = int(asyncio.get_running_loop().time() * 1000)
        if tick != self._now_at:  # one clock reading per millisecond is plenty
            self._now_at, self._now = tick, self.clock.now()
        now = self._now
        try:
            if kind in TO_WORLD:
                self._dirty |= self.world.apply(event, now)
            if kind in QUEUE_EVENTS:
                self.seen_agent = True
                self.queues.apply(event, now)
            elif kind in CALL_CLASS:
                self.seen_call = True
            self.listener.on_event(event)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            self.malformed += 1  # skipped; the next resync restores the truth
            log.debug("skipped a %s event that could not be read: %r", kind, exc)
        if self._flush_at is None:
            self._flush_at = asyncio.get_running_loop().call_later(
                self.batch_seconds, self._flush)

    def _flush(self, wrapups: bool = False) -> None:
        """One emitted batch for everything applied in the window, however many events:
        the calls and statuses, then the queues and agents they changed."""
        self._flush_at = None
        dirty, self._dirty = self._dirty, set()
        try:
            now = self.clock.now()
            events = self.mapper.update(dirty, now)
            events += self.agents.after(events, now, self.world.directory.status_of, wrapups)
            self.emit(events)
            self._plan_wrapup()
        except Exception:  # a bug must not freeze the board: resync from scratch
            log.exception("the AMI call mapping failed; reconnecting")
            if self.connection is not None:
                self.connection.abort()

    def _plan_wrapup(self) -> None:
        """A flush when the next wrap-up ends (app_queue sends no event then)."""
        if self._wrapup_timer is not None:
            self._wrapup_timer.cancel()
        self._wrapup_timer = self.agents.at_next_wrapup_end(
            self.clock.now(), lambda: self._flush(wrapups=True))

