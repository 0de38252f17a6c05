"""AriClient: the Asterisk ARI source.

On connect: open the event WebSocket (``/ari/events?app=NAME&subscribeAll=true``) first
and buffer what it says, list channels, bridges, endpoints and device states over HTTP,
send a Snapshot, then apply the buffered and live events (each decoded once, applied to
the world, and only the calls it touched rebuilt). A dropped or stalled socket (pinged
every ``ping_interval_seconds``) means RECONNECTING with backoff, and a fresh listing (so
nothing stale stays on screen); wrong credentials mean FAILED. Credentials travel only
as HTTP basic auth, never in a URL or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from wallboard.config import AriSource
from wallboard.core.clock import Clock, SystemClock
from wallboard.core.events import ConnectionChanged, Event, Link
from wallboard.core.listen import ListenMode, SupervisorAccount
from wallboard.core.queues import QueueCatalog
from wallboard.sources.agents import AgentTracker
from wallboard.sources.ari.directory import Directory, load_employees
from wallboard.sources.ari.http import AUTH_MESSAGE, AriAuthError, AriError, AriHttp
from wallboard.sources.ari.listen import ListenManager
from wallboard.sources.ari.mapping import CallMapper
from wallboard.sources.ari.world import AriWorld
from wallboard.sources.backoff import Backoff
from wallboard.sources.base import Source, SourceError

log = logging.getLogger(__name__)

DND_OFF = {"", "0", "no", "off", "false"}


def _listing(data: object) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("a listing that is not a list of objects")
    return data


def _error_text(body: bytes | bytearray | None) -> str:
    try:
        data = json.loads(body or b"")
    except ValueError:
        return ""
    return str(data.get("message") or data.get("error") or "") if isinstance(data, dict) else ""


class _GiveUp(Exception):
    """Stop reconnecting: a person must act (credentials, app name clash)."""


class _Dropped(Exception):
    pass


class AriClient(Source):
    listen_modes = frozenset(ListenMode)

    def __init__(
        self,
        settings: AriSource,
        clock: Clock | None = None,
        *,
        batch_seconds: float = 0.05,
        backoff_seconds: float = 1.0,
        catalog: QueueCatalog | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.batch_seconds = batch_seconds
        self._backoff = Backoff(backoff_seconds, settings.reconnect_max_seconds)
        self.http = AriHttp(settings)
        self.title = f"Asterisk {self.http.host}"
        self._setup_error: str | None = None
        try:
            employees = load_employees(settings)
        except SourceError as exc:
            self._setup_error, employees = str(exc), []
        self.world = AriWorld(
            Directory(employees, settings.project), f"{settings.app}-", settings.dnd_device
        )
        self.mapper = CallMapper(settings, self.world)
        self.agents = AgentTracker(settings.wrapup_seconds, catalog or QueueCatalog())
        """Agent states from the calls and the devices (pauses unseen), wrap-up by timer."""
        self._wrapup_timer: asyncio.TimerHandle | None = None
        self.listen = ListenManager(self.http, settings, self.mapper, self.clock, self._emit)
        if settings.supervisor_endpoint:  # the board's supervisor when [supervisor] names none
            self.default_supervisor = SupervisorAccount(
                account=settings.supervisor_endpoint, project=settings.project
            )
        self._queue: asyncio.Queue[list[Event] | None] = asyncio.Queue()
        self._closed = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    # -- Source -------------------------------------------------------------------------
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
        await self.listen.aclose()
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._queue.put_nowait(None)
        await self.http.aclose()

    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        return await self.listen.start(call_id, supervisor, mode)

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        await self.listen.change(session_id, mode=mode, muted=muted)

    async def stop_listen(self, session_id: str) -> None:
        await self.listen.stop(session_id)

    # -- connection loop ------------------------------------------------------------------
    def _emit(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait(list(events))

    def _emit_calls(self, events: list[Event]) -> None:
        """The calls' and statuses' events, then the queues and agent states they change
        (a timer ends the next wrap-up)."""
        events = events + self.agents.observe(events)
        events += self.agents.flush(self.clock.now(), self.world.directory.status_of)
        self._emit(events)
        self._plan_wrapup()

    def _plan_wrapup(self) -> None:
        if self._wrapup_timer is not None:
            self._wrapup_timer.cancel()
            self._wrapup_timer = None
        until = self.agents.next_change()
        if until is not None:
            delay = max(0.0, (until - self.clock.now()).total_seconds())
            self._wrapup_timer = asyncio.get_running_loop().call_later(
                delay, lambda: self._emit_calls([]))

    def _link(self, link: Link, message: str, retry_in: float | None = None) -> None:
        now = self.clock.now()
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        self._emit([ConnectionChanged(link=link, message=message, retry_at=retry_at, at=now)])

    async def _run(self) -> None:
        if self._setup_error:
            self._link(Link.FAILED, self._setup_error)
            return
        self._link(Link.CONNECTING, f"Connecting to Asterisk at {self.http.host}.")
        backoff = self._backoff
        while not self._closed.is_set():
            try:
                await self._session()
                reason = f"The connection to Asterisk at {self.http.host} dropped."
                backoff.reset()
            except _GiveUp as exc:
                self._link(Link.FAILED, str(exc))
                return
            except _Dropped as exc:
                reason = str(exc)
                backoff.reset()
            except AriError as exc:
                reason = exc.message
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                reason = self.http.unreachable(exc)
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("unreadable answer from Asterisk: %s", self.http.clean(str(exc)))
                reason = f"Asterisk at {self.http.host} sent data the wallboard cannot read."
            except Exception:  # a bug of ours: logged, then a fresh listing instead of a halt
                log.exception("the ARI source failed; it resynchronises")
                reason = f"The wallboard lost track of Asterisk at {self.http.host}."
            if self._closed.is_set():
                return
            delay = backoff.next_delay()
            self._link(Link.RECONNECTING, f"{reason} {backoff.wait_text(delay)}", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), delay)
            await self.http.reset()

    async def _session(self) -> None:
        ping = self.settings.ping_interval_seconds
        try:
            ws = await websockets.connect(
                self.http.ws_url(),
                additional_headers=self.http.ws_headers(),
                ssl=self.http.ssl_context(),
                open_timeout=self.settings.request_timeout_seconds,
                ping_interval=ping,  # a stall is noticed within 2 x ping: the next ping,
                ping_timeout=ping / 2,  # half of it waiting for the pong,
                close_timeout=ping / 2,  # half of it for a closing handshake that cannot come
                max_size=None,
                logger=self.http.ws_logger(),
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise _GiveUp(AUTH_MESSAGE) from None
            detail = self.http.clean(_error_text(exc.response.body))
            raise AriError(self.http.refused_websocket(status, detail), status) from None
        inbox: asyncio.Queue[str | None] = asyncio.Queue()
        reader = asyncio.create_task(self._read(ws, inbox))
        poller = None
        try:
            await self._resync()
            if self.settings.dnd_astdb_family:
                poller = asyncio.create_task(self._poll_dnd())
            while True:
                message = await inbox.get()
                batch = [message]
                if message is not None and self.batch_seconds:
                    await asyncio.sleep(self.batch_seconds)
                while not inbox.empty():
                    batch.append(inbox.get_nowait())
                self._apply([m for m in batch if m is not None])
                if None in batch:
                    return
        except AriAuthError:
            raise _GiveUp(AUTH_MESSAGE) from None
        finally:
            for task in (reader, poller):
                if task is not None:
                    task.cancel()
            with contextlib.suppress(Exception):
                await ws.close()

    @staticmethod
    async def _read(ws: websockets.ClientConnection, inbox: asyncio.Queue[str | None]) -> None:
        try:
            async for message in ws:
                inbox.put_nowait(message if isinstance(message, str) else message.decode())
        except ConnectionClosed:
            pass
        finally:
            inbox.put_nowait(None)

    async def _resync(self) -> None:
        http = self.http
        channels = _listing(await http.get("/channels"))
        bridges = _listing(await http.get("/bridges"))
        endpoints = _listing(await http.get("/endpoints"))
        names = [*self.world.directory.endpoints, *self.world.dnd_devices]
        states = await asyncio.gather(*(self._device_state(n) for n in names))
        dnd = await self._read_dnd()
        self.world.load(channels, bridges, endpoints, [s for s in states if s], dnd)
        now = self.clock.now()
        snapshot = self.mapper.snapshot(now)
        self.agents.observe([snapshot])
        self.agents.flush(now, self.world.directory.status_of, everyone=True)
        snapshot = snapshot.model_copy(update={
            "queues": tuple(self.agents.queues.values()),
            "agents": tuple(self.agents.agents.values())})
        self._link(Link.LIVE, f"Live from Asterisk at {http.host}.")
        self._emit([snapshot])
        self._plan_wrapup()
        self.listen.after_resync(set(self.world.channels))

    async def _device_state(self, name: str) -> dict[str, Any] | None:
        try:
            data = await self.http.get(f"/deviceStates/{quote(name, safe='')}")
        except AriError as exc:
            if isinstance(exc, AriAuthError):
                raise
            return None
        return data if isinstance(data, dict) and data.get("name") else None

    async def _read_dnd(self) -> dict[str, bool]:
        family = self.settings.dnd_astdb_family
        if not family:
            return {}
        result = {}
        for endpoint in self.world.directory.endpoints:
            resource = endpoint.partition("/")[2]
            try:
                data = await self.http.get(
                    "/asterisk/variable", variable=f"DB({family}/{resource})"
                )
            except AriError as exc:
                if isinstance(exc, AriAuthError):
                    raise
                continue
            value = str((data or {}).get("value", "")).strip().lower()
            result[endpoint] = value not in DND_OFF
        return result

    async def _poll_dnd(self) -> None:
        while True:
            await asyncio.sleep(self.settings.dnd_poll_seconds)
            with contextlib.suppress(AriError):
                for endpoint, on in (await self._read_dnd()).items():
                    self.world.set_dnd(endpoint, on)
                self._emit_calls(self.mapper.diff(self.clock.now()))

    def _apply(self, messages: list[str]) -> None:
        now = self.clock.now()
        world, listen = self.world, self.listen
        for message in messages:
            try:
                event = json.loads(message)
                if not isinstance(event, dict):
                    raise ValueError("not an object")
                world.apply(event, now)
            except (ValueError, TypeError, KeyError) as exc:
                log.debug("ignored an ARI message that could not be read: %s", exc)
                continue
            if event.get("type") == "ApplicationReplaced":
                raise _GiveUp(
                    f"Another program connected with the ARI application name "
                    f"{self.settings.app!r}; give each wallboard its own source.app."
                )
            if listen.sessions:
                listen.on_event(event)
        self._emit_calls(self.mapper.diff(now))
