"""The feed API: the session service (any :class:`~wallboard.sources.base.Source`)
re-exported over HTTP.

``create_server_app(service=...)`` builds a Starlette app whose lifespan runs the service;
the :class:`~wallboard.server.hub.Hub` numbers its changes for the event stream; the
handlers only ask the service and map its errors to statuses. Endpoints (all JSON except
the event stream):

- ``GET /v1/snapshot`` — the full state with an ETag; ``If-None-Match`` answers 304.
- ``GET /v1/events`` — Server-Sent Events, id = sequence number, resumable with
  ``Last-Event-ID``; a heartbeat comment on idle streams.
- ``GET /v1/managers/{id}/history?period=today|3d|7d``, ``GET /v1/managers/{id}/calls``.
- ``POST /v1/calls/{id}/listen``, ``PATCH`` / ``DELETE /v1/listen/{session}``.
- ``POST /v1/agents/{id}/pause``: pause (with a reason) or unpause an agent.
- ``GET /openapi.json``, ``GET /healthz`` (both open). Everything else needs a viewer
  token when tokens are configured, and the listen endpoints a supervisor token (see
  auth.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from wallboard.core.clock import Clock, SystemClock
from wallboard.core.history import CallRecord
from wallboard.core.listen import without_keys
from wallboard.core.profile import Period, period_bounds
from wallboard.server.auth import IDENTITY_KEY, Identity, Role, Token, TokenAuth
from wallboard.server.hub import MAX_BATCH_SECONDS, Hub, Subscriber
from wallboard.server.openapi import build_openapi
from wallboard.server.responses import error
from wallboard.service import Actor, ServiceError, WallboardService
from wallboard.sources.base import Source
from wallboard.wire import (
    ACTIONS_HEADER,
    EPOCH_HEADER,
    LISTEN_MODES_HEADER,
    UPSTREAM_HEADER,
    Health,
    ListenCreated,
    ListenPatch,
    ListenRequest,
    PauseRequest,
)

log = logging.getLogger(__name__)

READY_TIMEOUT = 5.0
RESTART_SECONDS = 2.0
"""Pause before the service starts the source again when it ended or failed."""
RETRY_MS = 2_000
"""The ``retry:`` hint sent to event-stream clients."""
CALL_RECORDS = TypeAdapter(list[CallRecord])


def default_service(source: Source, clock: Clock) -> WallboardService:
    """A service with the defaults: the source's own supervisor account, the default
    audit log (numbers masked)."""
    from wallboard.audit import AuditLog
    from wallboard.service import ListenPolicy

    supervisors = (source.default_supervisor,) if source.default_supervisor else ()
    return WallboardService(source, clock, audit=AuditLog(None, clock, mask_numbers=True),
                            policy=ListenPolicy(supervisors=supervisors))


def create_server_app(
    source: Source | None = None,
    token: str | None = None,
    clock: Clock | None = None,
    *,
    service: WallboardService | None = None,
    tokens: Sequence[Token] = (),
    listen_without_token: bool = False,
    replay: int = 10_000,
    client_queue: int = 2_000,
    heartbeat_seconds: float = 15.0,
    hub_type: type[Hub] = Hub,
) -> Starlette:
    """The feed app for ``service`` (or a default service over ``source``).

    ``tokens`` are the named tokens; ``token`` (if any) is one more, a supervisor token
    named ``default``. ``hub_type``: how events are numbered (a bus replica's hub uses the
    stream positions).
    """
    if service is None:
        assert source is not None, "create_server_app needs a source or a service"
        service = default_service(source, clock or SystemClock())
    hub = hub_type(service, replay=replay, client_queue=client_queue)
    api = _Api(hub, service, heartbeat_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(service.run(restart_after=RESTART_SECONDS),
                                   name="wallboard-service")
        try:
            yield
        finally:
            hub.close()
            with contextlib.suppress(Exception):
                await service.aclose()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    routes = [
        Route("/healthz", api.healthz, methods=["GET"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
        Route("/v1/snapshot", api.snapshot, methods=["GET"]),
        Route("/v1/events", api.events, methods=["GET"]),
        Route("/v1/managers/{employee_id}/history", api.history, methods=["GET"]),
        Route("/v1/managers/{employee_id}/calls", api.calls, methods=["GET"]),
        Route("/v1/calls/{call_id}/listen", api.start_listen, methods=["POST"]),
        Route("/v1/listen/{session_id}", api.session, methods=["PATCH", "DELETE"]),
        Route("/v1/agents/{employee_id}/pause", api.pause, methods=["POST"]),
    ]
    all_tokens = list(tokens)
    if token:
        all_tokens.append(Token("default", Role.SUPERVISOR, token.encode()))
    api.secured = bool(all_tokens)
    middleware = [Middleware(TokenAuth, tokens=all_tokens,
                             listen_without_token=listen_without_token)]
    app = Starlette(routes=[*routes, *service.source.http_routes()], lifespan=lifespan,
                    middleware=middleware)  # a source's own routes: webhooks under /v1/hooks/
    app.state.hub = hub
    app.state.service = service
    return app


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def parse_time(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with a zone; None when the parameter is absent (empty is wrong)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be an ISO 8601 time, e.g. 2026-03-24T08:00:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name} needs a time zone, e.g. 2026-03-24T08:00:00Z")
    return parsed


class _Api:
    def __init__(self, hub: Hub, service: WallboardService, heartbeat: float) -> None:
        self.hub = hub
        self.service = service
        self.clock = service.clock
        self.heartbeat = heartbeat
        self.secured = False
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
        body = Health(ready=hub.ready.is_set(), upstream=hub.upstream.link, seq=hub.position,
                      subscribers=hub.subscribers)
        return Response(body.model_dump_json(), media_type="application/json")

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            supervisors = [s.account for s in self.service.listen.policy.supervisors]
            self._openapi = json.dumps(build_openapi(
                secured=self.secured, supervisors=supervisors,
                reasons=list(self.service.agents.reasons))).encode()
        return Response(self._openapi, media_type="application/json")

    async def snapshot(self, request: Request) -> Response:
        if (problem := await self._ready()) is not None:
            return problem
        etag = f'W/"{self.hub.position}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", **self._info_headers()}
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(self.hub.snapshot_body(), media_type="application/json",
                        headers=headers)

    async def events(self, request: Request) -> Response:
        if (problem := await self._ready()) is not None:
            return problem
        batch = _batch_seconds(request.query_params.get("batch"))
        if batch is None:
            return error(400, f"batch must be a number of seconds from 0 to "
                              f"{MAX_BATCH_SECONDS:g}.")
        raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
        last_id = self.hub.parse_last_id(raw) if raw else None  # unknown: a snapshot
        subscriber, first = await self.hub.open(last_id)
        return StreamingResponse(
            self._stream(subscriber, first, batch),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no",
                     **self._info_headers()},
        )

    def _info_headers(self) -> dict[str, str]:
        """The source's own health and abilities, for clients that only read a stream."""
        return {
            UPSTREAM_HEADER: self.hub.upstream.link.value,
            EPOCH_HEADER: self.hub.epoch,
            LISTEN_MODES_HEADER: ",".join(sorted(self.service.listen_modes)),
            ACTIONS_HEADER: "pause" if self.service.agents.supported else "",
        }

    async def _stream(self, subscriber: Subscriber, first: list[bytes],
                      batch: float = 0.0) -> AsyncIterator[bytes]:
        try:
            yield b"retry: %d\n\n" % RETRY_MS + b"".join(first)
            while True:
                frames = await subscriber.next_frames(self.heartbeat)
                if frames is None:
                    return
                yield b"".join(frames) if frames else b": heartbeat\n\n"
                if batch and frames:
                    await subscriber.hold(batch)
        finally:
            self.hub.unsubscribe(subscriber)

    # -- history ---------------------------------------------------------------------------
    async def history(self, request: Request) -> Response:
        period = request.query_params.get("period", "today")
        if period not in {p.value for p in Period}:
            return error(400, "period must be one of today, 3d, 7d.")
        employee_id = request.path_params["employee_id"]
        return await self._answer(
            lambda start, end: self.service.history(employee_id, start, end),
            lambda history: history.model_dump_json().encode(),
            request, Period(period))

    async def calls(self, request: Request) -> Response:
        employee_id = request.path_params["employee_id"]
        return await self._answer(
            lambda start, end: self.service.call_log(employee_id, start, end),
            lambda records: CALL_RECORDS.dump_json(list(records)),
            request, Period.TODAY)

    async def _answer(self, ask: Callable[[datetime, datetime], Awaitable[Any]],
                      encode: Callable[[Any], bytes], request: Request, period: Period
                      ) -> Response:
        """A history question over ``from``/``to`` (defaults: the period, in the board's
        time zone, DST-correct)."""
        default = period_bounds(period, self.clock.now(), self.service.zone)
        try:
            start = parse_time(request.query_params.get("from"), "from") or default[0]
            end = parse_time(request.query_params.get("to"), "to") or default[1]
        except ValueError as exc:
            return error(400, f"{exc}.")
        return await self._call(lambda: ask(start, end), encode, in_thread=True)

    # -- listen ----------------------------------------------------------------------------
    @staticmethod
    def _actor(request: Request) -> Actor:
        identity: Identity = request.scope[IDENTITY_KEY]
        return Actor(identity.name, identity.address)

    async def start_listen(self, request: Request) -> Response:
        try:
            body = ListenRequest.model_validate_json(await request.body())
        except ValidationError:
            return error(422, 'The body must be JSON like {"supervisor": "PJSIP/1900", '
                              '"mode": "listen"} (mode: listen, coach or barge).')
        call_id = request.path_params["call_id"]
        return await self._call(
            lambda: self.service.listen.join(call_id, body.mode, self._actor(request),
                                             body.supervisor),
            lambda session: ListenCreated(session=session).model_dump_json().encode(),
            status=201,
        )

    async def session(self, request: Request) -> Response:
        """One route for both methods, so a 405 lists them both in ``Allow``."""
        if request.method == "DELETE":
            return await self.stop_listen(request)
        return await self.change_listen(request)

    async def change_listen(self, request: Request) -> Response:
        try:
            body = ListenPatch.model_validate_json(await request.body())
        except ValidationError:
            return error(422, 'The body must be JSON like {"mode": "coach"} or {"muted": true}.')
        session_id = request.path_params["session_id"]
        return await self._call(
            lambda: self.service.listen.change(session_id, self._actor(request),
                                               mode=body.mode, muted=body.muted),
            None,
        )

    async def stop_listen(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        return await self._call(
            lambda: self.service.listen.stop(session_id, self._actor(request)), None)

    # -- agents ------------------------------------------------------------------------------
    async def pause(self, request: Request) -> Response:
        try:
            body = PauseRequest.model_validate_json(await request.body())
        except ValidationError:
            return error(422, 'The body must be JSON like {"paused": true, "reason": "lunch"} '
                              'or {"paused": false}.')
        employee_id = request.path_params["employee_id"]
        return await self._call(
            lambda: self.service.agents.pause(employee_id, body.paused, body.reason,
                                              self._actor(request)), None)

    async def _call(
        self,
        action: Callable[[], Awaitable[Any]],
        encode: Callable[[Any], bytes] | None,
        status: int = 200,
        in_thread: bool = False,
    ) -> Response:
        """Ask the service; a ServiceError is its kind's status with its one sentence.
        ``in_thread``: a large answer (a month of history) is encoded off the event loop."""
        try:
            result = await action()
        except ServiceError as exc:  # a client has no keys: "end it (e)" reads "end it"
            return error(exc.problem.http_status, without_keys(exc.message))
        if encode is None:
            return Response(status_code=204)
        body = await asyncio.to_thread(encode, result) if in_thread else encode(result)
        return Response(body, status_code=status, media_type="application/json")


def _batch_seconds(raw: str | None) -> float | None:
    """``?batch=0.25``: how long the stream may gather events before a write (0, the
    default: each change at once); None if it is not a number of seconds from 0 to
    :data:`MAX_BATCH_SECONDS`."""
    if raw is None or raw == "":
        return 0.0
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_BATCH_SECONDS else None
