"""The feed API: any :class:`~wallboard.sources.base.Source` re-exported over HTTP.

``create_server_app(source)`` builds a Starlette app whose lifespan starts the
:class:`~wallboard.server.hub.Hub`. Endpoints (all JSON except the event stream):

- ``GET /v1/snapshot`` — the full state with an ETag; ``If-None-Match`` answers 304.
- ``GET /v1/events`` — Server-Sent Events, id = sequence number, resumable with
  ``Last-Event-ID``; a heartbeat comment on idle streams.
- ``GET /v1/managers/{id}/history?period=today|3d|7d``, ``GET /v1/managers/{id}/calls``.
- ``POST /v1/calls/{id}/listen``, ``PATCH`` / ``DELETE /v1/listen/{session}``.
- ``GET /openapi.json``, ``GET /healthz`` (both open; everything else needs the token).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from wallboard.core.clock import Clock, SystemClock
from wallboard.core.history import CallRecord
from wallboard.server.hub import Hub, Subscriber
from wallboard.server.openapi import build_openapi
from wallboard.server.schemas import (
    EPOCH_HEADER,
    LISTEN_MODES_HEADER,
    UPSTREAM_HEADER,
    ErrorBody,
    Health,
    ListenCreated,
    ListenPatch,
    ListenRequest,
)
from wallboard.sources.base import NotSupported, Source, SourceError

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/healthz", "/openapi.json"})
HOOKS_PREFIX = "/v1/hooks/"
"""A source's webhook routes live here; they check their own secret (no bearer token)."""
READY_TIMEOUT = 5.0
PERIOD_DAYS = {"today": 1, "3d": 3, "7d": 7}
RETRY_MS = 2_000
"""The ``retry:`` hint sent to event-stream clients."""
CALL_RECORDS = TypeAdapter(list[CallRecord])


def create_server_app(
    source: Source,
    token: str | None = None,
    clock: Clock | None = None,
    *,
    replay: int = 10_000,
    client_queue: int = 2_000,
    heartbeat_seconds: float = 15.0,
) -> Starlette:
    """The feed app for ``source``; ``token`` (if any) is required as a bearer token."""
    clock = clock or SystemClock()
    hub = Hub(source, clock=clock, replay=replay, client_queue=client_queue)
    api = _Api(hub, source, clock, heartbeat_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(hub.run(), name="wallboard-hub")
        try:
            yield
        finally:
            hub.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            with contextlib.suppress(Exception):
                await source.aclose()

    routes = [
        Route("/healthz", api.healthz, methods=["GET"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
        Route("/v1/snapshot", api.snapshot, methods=["GET"]),
        Route("/v1/events", api.events, methods=["GET"]),
        Route("/v1/managers/{employee_id}/history", api.history, methods=["GET"]),
        Route("/v1/managers/{employee_id}/calls", api.calls, methods=["GET"]),
        Route("/v1/calls/{call_id}/listen", api.start_listen, methods=["POST"]),
        Route("/v1/listen/{session_id}", api.change_listen, methods=["PATCH"]),
        Route("/v1/listen/{session_id}", api.stop_listen, methods=["DELETE"]),
    ]
    middleware = [Middleware(BearerAuth, token=token)] if token else []
    app = Starlette(routes=[*routes, *source.http_routes()], lifespan=lifespan,
                    middleware=middleware)  # source routes: e.g. webhooks under HOOKS_PREFIX
    app.state.hub = hub
    return app


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        ErrorBody(message=message).model_dump_json(), status_code=status,
        media_type="application/json", headers=headers,
    )


class BearerAuth:
    """Requires ``Authorization: Bearer <token>``: 401 when absent, 403 when wrong."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(HOOKS_PREFIX):
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                if scheme.lower() != b"bearer":
                    given = None
                break
        if given is None:
            response = error(401, "A bearer token is required.",
                             {"WWW-Authenticate": 'Bearer realm="wallboard"'})
        elif not hmac.compare_digest(given.strip(), self._token):
            response = error(403, "The bearer token is not valid.")
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """[local midnight ``days - 1`` days ago, now) for today / 3d / 7d."""
    local = now.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=PERIOD_DAYS[period] - 1), now


def parse_time(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be an ISO 8601 time, e.g. 2026-03-24T08:00:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name} needs a time zone, e.g. 2026-03-24T08:00:00Z")
    return parsed


class _Api:
    def __init__(self, hub: Hub, source: Source, clock: Clock, heartbeat: float) -> None:
        self.hub = hub
        self.source = source
        self.clock = clock
        self.heartbeat = heartbeat
        self._openapi: bytes | None = None

    async def _ready(self) -> Response | None:
        if self.hub.ready.is_set():
            return None
        try:
            await asyncio.wait_for(self.hub.ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            return error(503, "The feed's source has not sent its state yet.",
                         {"Retry-After": "2"})
        return None

    async def healthz(self, request: Request) -> Response:
        hub = self.hub
        body = Health(ready=hub.ready.is_set(), upstream=hub.upstream.link, seq=hub.seq,
                      subscribers=hub.subscribers)
        return Response(body.model_dump_json(), media_type="application/json")

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = json.dumps(build_openapi()).encode()
        return Response(self._openapi, media_type="application/json")

    async def snapshot(self, request: Request) -> Response:
        if (problem := await self._ready()) is not None:
            return problem
        etag = f'W/"{self.hub.seq}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", **self._info_headers()}
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(self.hub.snapshot_body(), media_type="application/json",
                        headers=headers)

    async def events(self, request: Request) -> Response:
        if (problem := await self._ready()) is not None:
            return problem
        raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
        last_id: int | None = None
        if raw:
            try:
                last_id = int(raw.strip())
            except ValueError:
                last_id = None  # unknown id: start over with a snapshot
        subscriber, first = self.hub.subscribe(last_id)
        return StreamingResponse(
            self._stream(subscriber, first),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no",
                     **self._info_headers()},
        )

    def _info_headers(self) -> dict[str, str]:
        """The source's own health and abilities, for clients that only read a stream."""
        return {
            UPSTREAM_HEADER: self.hub.upstream.link.value,
            EPOCH_HEADER: str(self.hub.first_seq),
            LISTEN_MODES_HEADER: ",".join(sorted(self.source.listen_modes)),
        }

    async def _stream(self, subscriber: Subscriber, first: list[bytes]) -> AsyncIterator[bytes]:
        try:
            yield b"retry: %d\n\n" % RETRY_MS + b"".join(first)
            while True:
                frames = await subscriber.next_frames(self.heartbeat)
                if frames is None:
                    return
                yield b"".join(frames) if frames else b": heartbeat\n\n"
        finally:
            self.hub.unsubscribe(subscriber)

    async def history(self, request: Request) -> Response:
        period = request.query_params.get("period", "today")
        if period not in PERIOD_DAYS:
            return error(400, "period must be one of today, 3d, 7d.")
        try:
            start, end = self._range(request, period_bounds(period, self.clock.now()))
        except ValueError as exc:
            return error(400, f"{exc}.")
        employee_id = request.path_params["employee_id"]
        return await self._call(
            lambda: self.source.manager_history(employee_id, start, end),
            lambda history: history.model_dump_json().encode(),
        )

    async def calls(self, request: Request) -> Response:
        try:
            start, end = self._range(request, period_bounds("today", self.clock.now()))
        except ValueError as exc:
            return error(400, f"{exc}.")
        employee_id = request.path_params["employee_id"]
        return await self._call(
            lambda: self.source.call_log(employee_id, start, end),
            lambda records: CALL_RECORDS.dump_json(list(records)),
        )

    @staticmethod
    def _range(request: Request, default: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
        """``from`` / ``to`` query parameters, each defaulting to ``default``'s."""
        start = parse_time(request.query_params.get("from"), "from") or default[0]
        end = parse_time(request.query_params.get("to"), "to") or default[1]
        if end < start:
            raise ValueError("from must not be after to")
        return start, end

    async def start_listen(self, request: Request) -> Response:
        try:
            body = ListenRequest.model_validate_json(await request.body())
        except ValidationError:
            return error(422, 'The body must be JSON like {"supervisor": "PJSIP/900", '
                              '"mode": "listen"} (mode: listen, coach or barge).')
        call_id = request.path_params["call_id"]
        return await self._call(
            lambda: self.source.start_listen(call_id, body.supervisor, body.mode),
            lambda session: ListenCreated(session=session).model_dump_json().encode(),
            status=201,
        )

    async def change_listen(self, request: Request) -> Response:
        try:
            body = ListenPatch.model_validate_json(await request.body())
        except ValidationError:
            return error(422, 'The body must be JSON like {"mode": "coach"} or {"muted": true}.')
        session_id = request.path_params["session_id"]
        return await self._call(
            lambda: self.source.change_listen(session_id, mode=body.mode, muted=body.muted),
            None,
        )

    async def stop_listen(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        return await self._call(lambda: self.source.stop_listen(session_id), None)

    async def _call(
        self,
        action: Callable[[], Awaitable[Any]],
        encode: Callable[[Any], bytes] | None,
        status: int = 200,
    ) -> Response:
        """Run a source call; NotSupported is 501, any other SourceError 502."""
        try:
            result = await action()
        except NotSupported as exc:
            return error(501, str(exc) or "The feed's source cannot do this.")
        except SourceError as exc:
            return error(502, str(exc) or "The feed's source failed.")
        except Exception as exc:
            log.error("The source failed: %s", type(exc).__name__)
            return error(500, "The feed's source failed unexpectedly.")
        if encode is None:
            return Response(status_code=204)
        return Response(encode(result), status_code=status, media_type="application/json")
