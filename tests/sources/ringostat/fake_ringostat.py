"""A fake Ringostat API: a real HTTP server on a loopback port, built from the notes in
``../shared/data/ringostat-api-notes.json``.

- ``Auth-key`` header checks on the current host, ``project_id`` + ``token`` query
  parameters on the legacy one (``legacy=True``); 401 otherwise.
- ``GET /sipstatus/online``, ``/sipstatus/speaking`` (legacy: ``/speakingNow``): arrays of
  SIP logins.
- ``POST /api/json-rpc``: ``getProjectStaffListAndDirections`` (an object keyed by staff
  id, items with id, staffId, fio, email, phone, extensionNumber, departments[],
  directions.main/additional[{direction, type, status}]); ``getSipStatusDailyReport``
  (rows like {"employee": "TEST CY", "online": "01:31:55", "offline": "10:13:15"}).
- ``POST /rsp-api-v3``: ``getCustomStatuses`` ({"result": [{"id", "title"}]}).
- ``GET /calls/list``: the call log, ``from``/``to`` as ``YYYY-MM-DD HH:MM:SS``, at most
  ``limit`` rows (6,500 by default), ``export_type=json`` only.

Tests script it (``add_employee``, ``online``, ``speaking``, ``calls``, ``reports``) and
make it fail on purpose (``fail(path_or_method, status, times, retry_after)``); they read
``requests`` to see what the client asked.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KEY = "rk-test-4f1c9a2be07d"
PROJECT = 68861


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    rpc: str | None = None
    auth: str | None = None


@dataclass
class Failure:
    match: str
    """A path (``/sipstatus/online``) or a JSON-RPC method name."""
    status: int
    times: int = 1
    retry_after: str | None = None
    body: Any = field(default_factory=lambda: {"error": "scripted failure"})


class FakeRingostat:
    def __init__(self, key: str = KEY, project_id: int = PROJECT, legacy: bool = False):
        self.key, self.project_id, self.legacy = key, project_id, legacy
        self.staff: dict[str, dict[str, Any]] = {}
        self.online: set[str] = set()
        self.speaking: set[str] = set()
        self.calls: list[dict[str, Any]] = []
        self.reports: dict[str, list[dict[str, Any]]] = {}
        """Daily status report rows per day (``YYYY-MM-DD``)."""
        self.custom_statuses: list[dict[str, Any]] | None = [
            {"id": 1763, "title": "At lunch"}, {"id": 1768, "title": "Break"}]
        self.limit = 6500
        self.failures: list[Failure] = []
        self.requests: list[Recorded] = []
        self.delay = 0.0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    # -- life ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeRingostat:
        # proto 0 would make asyncio skip TCP_NODELAY: 40 ms per answer (delayed ACK)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[
            Route("/sipstatus/{which}", self._status, methods=["GET"]),
            Route("/api/json-rpc", self._rpc, methods=["POST"]),
            Route("/rsp-api-v3", self._rpc, methods=["POST"]),
            Route("/calls/list", self._calls, methods=["GET"]),
        ])
        config = uvicorn.Config(app, log_level="critical", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # -- scripting ----------------------------------------------------------------------
    def add_employee(self, staff_id: str, fio: str, department: str | None = None, *,
                     sips: tuple[str, ...] = (), phones: tuple[str, ...] = (),
                     dnd: tuple[str, ...] = (), extension: str = "") -> None:
        main = [{"direction": s, "type": "sip", "status": "dnd" if s in dnd else False}
                for s in sips]
        extra = [{"direction": p, "type": "phone", "status": True} for p in phones]
        self.staff[staff_id] = {
            "id": int(staff_id) if staff_id.isdigit() else staff_id, "staffId": staff_id,
            "fio": fio, "email": f"{staff_id}@example.com", "phone": "",
            "extensionNumber": extension,
            "departments": [{"id": 10, "name": department}] if department else [],
            "directions": {"main": main, "additional": extra},
        }

    def fail(self, match: str, status: int, times: int = 1, retry_after: str | None = None,
             body: Any = None) -> None:
        failure = Failure(match, status, times, retry_after)
        if body is not None:
            failure.body = body
        self.failures.append(failure)

    def asked(self, what: str) -> int:
        """How many requests went to a path or a JSON-RPC method."""
        return sum(1 for r in self.requests if what in (r.path, r.rpc))

    # -- serving ------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        if self.legacy:
            query = request.query_params
            return query.get("token") == self.key and query.get("project_id") == str(
                self.project_id)
        return request.headers.get("auth-key") == self.key

    async def _gate(self, request: Request, rpc: str | None = None) -> Response | None:
        self.requests.append(Recorded(request.method, request.url.path,
                                      dict(request.query_params), rpc,
                                      request.headers.get("auth-key")))
        if self.delay:
            await asyncio.sleep(self.delay)
        if not self._authorised(request):
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        for failure in self.failures:
            if failure.times > 0 and failure.match in (request.url.path, rpc):
                failure.times -= 1
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
                if isinstance(failure.body, bytes):
                    return Response(failure.body, status_code=failure.status, headers=headers)
                return JSONResponse(failure.body, status_code=failure.status, headers=headers)
        return None

    async def _status(self, request: Request) -> Response:
        which = request.path_params["which"]
        if (problem := await self._gate(request)) is not None:
            return problem
        speaking_path = "speakingNow" if self.legacy else "speaking"
        if which == "online":
            return JSONResponse(sorted(self.online))
        if which == speaking_path:
            return JSONResponse(sorted(self.speaking))
        return JSONResponse({"error": "Not found"}, status_code=404)

    async def _rpc(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        method = body.get("method") if isinstance(body, dict) else None
        if (problem := await self._gate(request, method)) is not None:
            return problem
        params = body.get("params") or {}
        rid = body.get("id")
        handlers = {
            ("/api/json-rpc", "getProjectStaffListAndDirections"): self._staff,
            ("/api/json-rpc", "getSipStatusDailyReport"): self._report,
            ("/rsp-api-v3", "getCustomStatuses"): self._custom,
        }
        handler = handlers.get((request.url.path, method))
        if handler is None:
            return JSONResponse({"jsonrpc": "2.0", "id": rid,
                                 "error": {"code": -32601, "message": "Method not found"}})
        if str(params.get("projectId")) != str(self.project_id):
            return JSONResponse({"jsonrpc": "2.0", "id": rid,
                                 "error": {"code": -32602, "message": "Invalid projectId"}})
        result = handler(params)
        if isinstance(result, Exception):
            return JSONResponse({"jsonrpc": "2.0", "id": rid,
                                 "error": {"code": -32000, "message": str(result)}})
        return JSONResponse({"jsonrpc": "2.0", "id": rid, "result": result})

    def _staff(self, params: dict[str, Any]) -> Any:
        wanted = (params.get("filters") or {}).get("staffId")
        result = {k: v for k, v in self.staff.items() if wanted in (None, k)}
        return result if result else ValueError("User does not exist")

    def _report(self, params: dict[str, Any]) -> Any:
        span = params.get("filter") or {}
        if span.get("from") != span.get("to"):
            return ValueError("this fake reports one day at a time")
        return self.reports.get(str(span.get("from")), [])

    def _custom(self, params: dict[str, Any]) -> Any:
        if self.custom_statuses is None:
            return ValueError("Custom statuses are not enabled for this project")
        return self.custom_statuses

    async def _calls(self, request: Request) -> Response:
        if (problem := await self._gate(request)) is not None:
            return problem
        query = request.query_params
        if query.get("export_type", "json") != "json":
            return JSONResponse({"error": "export_type"}, status_code=400)
        start, end = query.get("from", ""), query.get("to", "9999")
        rows = sorted((c for c in self.calls if start <= c["calldate"] <= end),
                      key=lambda c: c["calldate"])
        fields = [f for f in query.get("fields", "").split(",") if f]
        if fields:
            rows = [{k: v for k, v in row.items() if k in fields} for row in rows]
        return JSONResponse(rows[: self.limit])
