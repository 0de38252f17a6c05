"""The feed client: a :class:`Source` that follows a ``wallboard serve`` over HTTP.

``mode = "stream"`` (the default) reads the Server-Sent Events of ``/v1/events``;
``mode = "poll"`` asks ``/v1/snapshot`` every ``poll_seconds`` with ``If-None-Match``.

The client yields a Snapshot first, then events. It reconnects by itself with exponential
backoff and jitter, resumes the stream with ``Last-Event-ID``, and after any gap (a jump
in the ids, a malformed payload, a restarted server) starts over from a fresh Snapshot, so
no call that ended while it was away lingers on screen. The link's health is reported with
``ConnectionChanged`` events; a 401 or 403 is final (``Link.FAILED``) until closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse
from pydantic import TypeAdapter, ValidationError

from wallboard.config import FeedSource, secret_or_env
from wallboard.core.clock import Clock, SystemClock
from wallboard.core.events import EVENT_ADAPTER, ConnectionChanged, Event, Link, Snapshot
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode
from wallboard.sources.backoff import Backoff
from wallboard.sources.base import NotSupported, Source, SourceError
from wallboard.sources.feed_errors import (
    Endpoint,
    describe_error,
    describe_status,
    endpoint,
    first_error,
    message_of,
    retry_after,
)
from wallboard.wire import (
    ACTIONS_HEADER,
    EPOCH_HEADER,
    LISTEN_MODES_HEADER,
    UPSTREAM_HEADER,
    ListenCreated,
    Positions,
    SnapshotBody,
    format_positions,
    parse_positions,
)

log = logging.getLogger(__name__)

CALL_RECORDS = TypeAdapter(list[CallRecord])
READ_TIMEOUT = 45.0
"""Three missed heartbeats (the server sends one at least every 15 s): the stream is dead."""
NEXT_URL_SECONDS = 0.1
"""With several URLs (replicas), how soon the next one is tried after one failed."""


class _Stop(Exception):
    """A problem only a person can fix (a missing or wrong token)."""


class _Retry(Exception):
    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class _Resync(Exception):
    """Start over from a fresh snapshot (a gap in the ids, or a malformed event)."""


class FeedClient(Source):
    """Follows a ``wallboard serve``; many screens can share one upstream this way.

    With several URLs (``--url`` twice: replicas of ``serve --bus``), a failing one hands
    over to the next at once, which resumes from the last event id; only after all failed
    in a row does the backoff wait.
    """

    def __init__(
        self,
        settings: FeedSource,
        clock: Clock | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        read_timeout: float = READ_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.malformed_count = 0
        """Events or snapshots that could not be read and were skipped."""
        self.listen_modes = frozenset(ListenMode)
        self._backoff = Backoff(backoff_base, backoff_cap, rng)
        self._last_id: int | Positions | None = None
        self._epoch: str | None = None
        self._restarted = False
        """The server restarted: the next snapshot tells the state to start over."""
        self._upstream: tuple[Link, str] = (Link.LIVE, "")
        self._last_status: tuple[Link, str, datetime | None] | None = None
        self._closed = asyncio.Event()
        token = secret_or_env(settings.token, environ=environ)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = httpx.Timeout(10.0, read=read_timeout)
        self._endpoints: list[tuple[Endpoint, httpx.AsyncClient]] = []
        for url in (settings.url, *settings.urls):
            where = endpoint(url)
            self._endpoints.append((where, httpx.AsyncClient(
                base_url=where.url if where.problem is None else "http://invalid",
                headers=headers, auth=where.auth, timeout=timeout, transport=transport,
                follow_redirects=False)))
        more = len(self._endpoints) - 1
        self.title = self._endpoints[0][0].title + (f" (+{more})" if more else "")
        self._tried = 0
        """URLs that failed in a row since the last good connection."""
        self._use(0)

    def _use(self, index: int) -> None:
        """Talk to the ``index``-th URL from now on."""
        self._current = index
        where, self._http = self._endpoints[index]
        self.url = where.url
        """The feed's address as shown in messages: never with the credentials of a
        ``http://user:password@host`` URL, which go into the requests' auth instead."""
        self._bad_url = where.problem

    def _connected(self) -> None:
        self._backoff.reset()
        self._tried = 0

    def _next_url(self) -> bool:
        """Switch to the next URL; True if it should be tried at once (not all of them
        failed in a row yet)."""
        if len(self._endpoints) < 2:
            return False
        self._tried += 1
        self._use((self._current + 1) % len(self._endpoints))
        return self._tried < len(self._endpoints)

    # -- the event flow ----------------------------------------------------------------
    async def events(self) -> AsyncIterator[list[Event]]:
        yield [self._make_status(Link.CONNECTING, f"Connecting to the feed at {self.url}…")]
        if self._bad_url:
            yield [self._make_status(Link.FAILED, self._bad_url)]
            await self._closed.wait()
            return
        once = self._stream_once if self.settings.mode == "stream" else self._poll_once
        while not self._closed.is_set():
            problem: str | None
            try:
                # closed here, not by the garbage collector in some other task, when
                # whoever reads events() stops reading
                async with contextlib.aclosing(once()) as stream:
                    async for batch in stream:
                        yield batch
                problem, delay = f"The feed at {self.url} closed the stream.", None
            except _Stop as stop:
                if not self._closed.is_set():
                    yield [self._make_status(Link.FAILED, str(stop))]
                    await self._closed.wait()
                return
            except _Retry as retry:
                problem, delay = str(retry), retry.delay
            except _Resync:
                self._last_id = None
                problem, delay = None, None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                yield [self._make_status(Link.FAILED, describe_error(exc, self.url))]
                await self._closed.wait()
                return
            except (httpx.HTTPError, OSError) as exc:
                problem, delay = describe_error(exc, self.url), None
            if self._closed.is_set():
                return
            if problem is not None and self._next_url():
                problem, delay = f"{problem} Trying {self.url}.", NEXT_URL_SECONDS
            if delay is None:
                delay = self._backoff.next_delay()
            if problem is not None:
                retry_at = self.clock.now() + timedelta(seconds=delay)
                yield [self._make_status(
                    Link.RECONNECTING,
                    f"{problem} Retrying in {max(1, math.ceil(delay))} s.",
                    retry_at,
                )]
            await self._sleep(delay)

    async def _stream_once(self) -> AsyncGenerator[list[Event], None]:
        last = self._last_id
        headers = {} if last is None else {
            "Last-Event-ID": format_positions(last) if isinstance(last, dict) else str(last)}
        gather = self.settings.batch_seconds
        params = {"batch": f"{gather:g}"} if gather else {}
        async with aconnect_sse(self._http, "GET", "/v1/events", headers=headers,
                                params=params) as source:
            response = source.response
            await self._check(response)
            if "text/event-stream" not in response.headers.get("content-type", ""):
                raise _Retry(f"{self.url} did not answer with an event stream; "
                             "is it a `wallboard serve`?")
            self._read_headers(response)
            self._connected()
            if (status := self._live_status()) is not None:
                yield [status]
            async for sse in source.aiter_sse():
                if not sse.data:
                    # a heartbeat comment (the parser hands it over as an empty message
                    # once an id has been seen) or a `retry:` hint: the stream is alive,
                    # so the picture on screen is still current
                    yield []
                    continue
                batch = self._accept(sse)
                if batch:
                    yield batch

    def _accept(self, sse: ServerSentEvent) -> list[Event]:
        """What one SSE message adds; raises _Resync on a gap or a malformed message."""
        try:
            positions = parse_positions(sse.id) if ":" in sse.id else None
            seq = int(sse.id) if positions is None else 0
            event = EVENT_ADAPTER.validate_json(sse.data)
        except (ValueError, ValidationError) as exc:
            self._count_malformed("event", exc)
            raise _Resync from None
        if positions is not None:
            return self._accept_positioned(positions, event)
        if isinstance(event, Snapshot):
            self._last_id = seq
            return [self._snapshot(event)]
        if not isinstance(self._last_id, int):
            log.warning("The feed at %s sent an event before its snapshot; resyncing.", self.url)
            raise _Resync
        if seq <= self._last_id:
            return []  # a duplicate
        if seq != self._last_id + 1:
            log.info("Gap in the feed's events (%d after %d); resyncing.", seq, self._last_id)
            raise _Resync
        self._last_id = seq
        if isinstance(event, ConnectionChanged):  # the feed server's own source
            return self._upstream_changed(event)
        return [event]

    def _accept_positioned(self, positions: Positions, event: Event) -> list[Event]:
        """An event of a bus replica, its id a position in its site's stream: ids grow
        per stream, and may skip what a replica had no reason to send."""
        if isinstance(event, Snapshot):
            self._last_id = positions
            return [self._snapshot(event)]
        if isinstance(event, ConnectionChanged):  # the replica's own link: no position
            return self._upstream_changed(event)
        last = self._last_id
        ((stream, position),) = positions.items() if len(positions) == 1 else ((None, 0),)
        if not isinstance(last, dict) or stream not in last:
            log.warning("The feed at %s sent an event of an unknown stream; resyncing.",
                        self.url)
            raise _Resync
        if position <= last[stream]:
            return []  # a duplicate
        last[stream] = position
        return [event]

    def _upstream_changed(self, event: ConnectionChanged) -> list[Event]:
        self._upstream = (event.link, event.message)
        status = self._live_status()
        return [status] if status is not None else []

    async def _poll_once(self) -> AsyncGenerator[list[Event], None]:
        etag: str | None = None
        while not self._closed.is_set():
            headers = {"If-None-Match": etag} if etag else {}
            response = await self._http.get("/v1/snapshot", headers=headers)
            await self._check(response, expected=(200, 304))
            self._read_headers(response)
            self._connected()
            batch: list[Event] = []
            if response.status_code == 200:
                try:
                    body = SnapshotBody.model_validate_json(response.content)
                except ValidationError as exc:
                    self._count_malformed("snapshot", exc)
                else:
                    etag = response.headers.get("etag")
                    self._last_id = (body.seq if isinstance(body.seq, int)
                                     else parse_positions(body.seq))
                    self._upstream = (body.upstream, "")
                    batch.append(self._snapshot(Snapshot(
                        calls=body.calls, employees=body.employees, queues=body.queues,
                        agents=body.agents, metrics=body.metrics, at=body.at)))
            if (status := self._live_status()) is not None:
                batch.insert(0, status)
            yield batch  # an empty batch says: checked just now, nothing changed
            await self._sleep(self.settings.poll_seconds)

    async def _check(self, response: httpx.Response, expected: tuple[int, ...] = (200,)) -> None:
        status = response.status_code
        if status in expected:
            return
        await response.aread()
        detail = message_of(response)
        text = describe_status(status, self.url, detail)
        if status in (401, 403):
            raise _Stop(text)
        raise _Retry(text, retry_after(response, self.clock.now()))

    def _snapshot(self, snapshot: Snapshot) -> Snapshot:
        if self._restarted:
            self._restarted = False
            return snapshot.model_copy(update={"restart": True})
        return snapshot

    def _read_headers(self, response: httpx.Response) -> None:
        epoch = response.headers.get(EPOCH_HEADER)
        if epoch is not None:
            if self._epoch is not None and epoch != self._epoch:
                log.info("The feed at %s restarted; starting over.", self.url)
                self._restarted = True
                self._last_id = None
            self._epoch = epoch
        upstream = response.headers.get(UPSTREAM_HEADER)
        if upstream in Link.__members__.values() and upstream != self._upstream[0]:
            self._upstream = (Link(upstream), "")
        actions = response.headers.get(ACTIONS_HEADER)
        if actions is not None:
            self.can_pause = "pause" in {a.strip() for a in actions.split(",")}
        modes = response.headers.get(LISTEN_MODES_HEADER)
        if modes is not None:
            known = {m.value for m in ListenMode}
            self.listen_modes = frozenset(
                ListenMode(m) for m in modes.split(",") if m.strip() in known)

    # -- connection status ---------------------------------------------------------------
    def _count_malformed(self, what: str, exc: Exception) -> None:
        self.malformed_count += 1
        reason = first_error(exc)
        log.warning("Skipped a malformed %s from the feed at %s (%d so far): %s",
                    what, self.url, self.malformed_count, reason)

    def _live_status(self) -> ConnectionChanged | None:
        link, upstream_message = self._upstream
        if link is Link.LIVE:
            message = f"Live from {self.url}."
        else:
            message = (f"The feed at {self.url} is up, but its own source is {link.value}"
                       f"{': ' + upstream_message if upstream_message else '.'}")
        if self.malformed_count:
            n = self.malformed_count
            message += f" {n} malformed payload{'s' if n != 1 else ''} skipped."
        return self._status_if_changed(link, message)

    def _status_if_changed(self, link: Link, message: str) -> ConnectionChanged | None:
        if self._last_status == (link, message, None):
            return None
        return self._make_status(link, message)

    def _make_status(
        self, link: Link, message: str, retry_at: datetime | None = None
    ) -> ConnectionChanged:
        self._last_status = (link, message, retry_at)
        return ConnectionChanged(link=link, message=message, retry_at=retry_at,
                                 at=self.clock.now(), malformed=self.malformed_count)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._closed.wait(), seconds)
        except TimeoutError:
            pass

    async def aclose(self) -> None:
        self._closed.set()
        for _, http in self._endpoints:
            await http.aclose()

    # -- requests to the feed's API ---------------------------------------------------------
    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._bad_url:
            raise SourceError(self._bad_url)
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SourceError(describe_error(exc, self.url)) from None
        if response.status_code < 300:
            return response
        detail = message_of(response)
        if response.status_code == 501:
            raise NotSupported(detail or f"The feed at {self.url} cannot do this.")
        token_problem = "invalid_token" in response.headers.get("www-authenticate", "")
        if detail and response.status_code in (400, 403, 404, 409, 410) and not token_problem:
            raise SourceError(detail)  # the server's own sentence: a rule or a role said no
        raise SourceError(describe_status(response.status_code, self.url, detail))

    async def manager_history(
        self, employee_id: str, start: datetime, end: datetime
    ) -> ManagerHistory:
        response = await self._request(
            "GET", f"/v1/managers/{quote(employee_id, safe='')}/history",
            params={"from": start.isoformat(), "to": end.isoformat()},
        )
        return _parse(ManagerHistory.model_validate_json, response, self.url)

    async def call_log(self, employee_id: str, start: datetime, end: datetime) -> list[CallRecord]:
        response = await self._request(
            "GET", f"/v1/managers/{quote(employee_id, safe='')}/calls",
            params={"from": start.isoformat(), "to": end.isoformat()},
        )
        return _parse(CALL_RECORDS.validate_json, response, self.url)

    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        response = await self._request(
            "POST", f"/v1/calls/{quote(call_id, safe='')}/listen",
            json={"supervisor": supervisor, "mode": mode.value},
        )
        return _parse(ListenCreated.model_validate_json, response, self.url).session

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        body: dict[str, object] = {}
        if mode is not None:
            body["mode"] = mode.value
        if muted is not None:
            body["muted"] = muted
        await self._request("PATCH", f"/v1/listen/{quote(session_id, safe='')}", json=body)

    async def stop_listen(self, session_id: str) -> None:
        await self._request("DELETE", f"/v1/listen/{quote(session_id, safe='')}")

    async def pause(self, employee_id: str, paused: bool, reason: str = "") -> None:
        body: dict[str, object] = {"paused": paused}
        if paused:
            body["reason"] = reason
        await self._request("POST", f"/v1/agents/{quote(employee_id, safe='')}/pause",
                            json=body)


def _parse(validate: Any, response: httpx.Response, url: str) -> Any:
    try:
        return validate(response.content)
    except ValidationError:
        raise SourceError(f"The feed at {url} sent a malformed answer.") from None
