"""A fake Asterisk ARI: a real HTTP + WebSocket server on a loopback port.

Tests script it (``add_channel``, ``set_state``, ``bridge``, ``hangup``, ``drop_sockets``...)
and read ``requests`` to see exactly what the client asked. Its payloads come from
:mod:`payloads`, which the contract test checks against the ARI spec. It behaves like real
Asterisk where that matters (see shared/data/README.md): 401 without credentials, 500
"Allocation failed" when originating to an unknown endpoint, 400 for bad snoop
directions before the channel lookup, snoops dying with the spied channel, 409 when a
non-Stasis (dialplan) bridge is joined, 422 for a channel not in Stasis.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.sources.ari import payloads as p

DIRECTIONS = {"none", "both", "out", "in"}


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]


class FakeAri:
    def __init__(self, username: str = "wall", password: str = "s3cret") -> None:
        self.username, self.password = username, password
        self.channels: dict[str, dict[str, Any]] = {}
        self.bridges: dict[str, dict[str, Any]] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.device_states: dict[str, str] = {}
        self.globals: dict[str, str] = {}
        self.stasis: set[str] = set()  # channels in a Stasis app (snoops, answered originates)
        self.originated: dict[str, str] = {}  # originated channel -> its Stasis app data
        self.snoops: dict[str, str] = {}  # snoop channel id -> spied channel id
        self.requests: list[Recorded] = []
        self.sent: list[dict[str, Any]] = []
        self.keep_sent = True  # keep every event in ``sent`` (tests); off for long runs
        self.events_sent = 0
        self.sockets: list[WebSocket] = []
        self.apps: list[str] = []
        self.now = p.START
        self.app = "wallboard-test"
        # e.g. 503: every request and handshake answers it (not booted yet, res/res_ari.c)
        self.status: int | None = None
        self.read_only = False  # ari.conf read_only = yes: anything but GET answers 403
        self.api_keys_seen = 0  # requests and handshakes with ``?api_key=`` in their URL
        self._seq = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    # -- life ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> FakeAri:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/ari/{path:path}", self._http, methods=["GET", "POST", "PUT", "DELETE"]),
                Route("/fake/stats", self._stats),
                WebSocketRoute("/ari/events", self._ws),
            ]
        )
        config = uvicorn.Config(app, log_level="critical", lifespan="off", ws="websockets-sansio")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        await self.drop_sockets()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # -- scripting ----------------------------------------------------------------------
    def tick(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def add_endpoint(self, id: str, state: str = "online") -> None:
        self.endpoints[id] = p.endpoint(id, state)
        self.device_states[id] = "NOT_INUSE" if state == "online" else "UNAVAILABLE"

    async def emit(self, type: str, **fields: Any) -> None:
        message = p.event(type, self.app, self.now, **fields)
        self.events_sent += 1
        if self.keep_sent:
            self.sent.append(message)
        for ws in list(self.sockets):
            try:
                await ws.send_json(message)
            except Exception:  # a socket closing under us
                self.sockets.remove(ws)

    async def add_channel(self, endpoint: str, **kwargs: Any) -> str:
        data = p.channel(endpoint, created=self.now, **kwargs)
        self.channels[data["id"]] = data
        tech_resource = data["name"].rpartition("-")[0]
        if tech_resource in self.endpoints:
            self.endpoints[tech_resource]["channel_ids"].append(data["id"])
        await self.emit("ChannelCreated", channel=data)
        return data["id"]

    async def set_state(self, channel_id: str, state: str) -> None:
        self.channels[channel_id]["state"] = state
        await self.emit("ChannelStateChange", channel=self.channels[channel_id])

    async def set_var(self, channel_id: str, name: str, value: str) -> None:
        await self.emit(
            "ChannelVarset", variable=name, value=value, channel=self.channels[channel_id]
        )

    async def dial(self, caller: str | None, peer: str, status: str) -> None:
        fields: dict[str, Any] = {
            "peer": self.channels[peer],
            "dialstatus": status,
            "forward": "",
            "dialstring": self.channels[peer]["name"].rpartition("-")[0].partition("/")[2],
        }
        if caller:
            fields["caller"] = self.channels[caller]
        await self.emit("Dial", **fields)

    async def set_dialplan(self, channel_id: str, app: str, data: str) -> None:
        """The channel runs a dialplan application (ChannelDialplan, as Asterisk sends it)."""
        plan = self.channels[channel_id]["dialplan"]
        plan["app_name"], plan["app_data"] = app, data
        plan["priority"] = (plan["priority"] or 0) + 1
        await self.emit("ChannelDialplan", dialplan_app=app, dialplan_app_data=data,
                        channel=self.channels[channel_id])

    async def ring(self, caller: str, endpoint: str, *, via: str = "Dial",
                   queue: str = "sales") -> str:
        """``caller`` runs Dial(endpoint) or Queue(queue) and ``endpoint`` rings, as in
        apps/app_dial.c and apps/app_queue.c: the new leg runs AppDial / AppQueue
        "(Outgoing Line)", inherits the caller's extension, and its connected line is the
        caller's caller id. Returns the ringing leg."""
        data = self.channels[caller]
        app, app_data = ("Dial", f"{endpoint},30") if via == "Dial" else ("Queue", f"{queue},t")
        if data["dialplan"]["app_name"] != app:
            await self.set_dialplan(caller, app, app_data)
        callee = await self.add_channel(
            endpoint, state="Down", context="from-internal", exten=data["dialplan"]["exten"],
            connected=data["caller"]["number"], connected_name=data["caller"]["name"],
        )
        await self.set_dialplan(callee, f"App{via}", "(Outgoing Line)")
        await self.dial(caller, callee, "")
        await self.set_state(callee, "Ringing")
        await self.dial(caller, callee, "RINGING")
        return callee

    async def bridge(self, *channel_ids: str, bridge_id: str | None = None) -> str:
        bridge_id = bridge_id or f"bridge-{next(self._seq)}"
        if bridge_id not in self.bridges:
            self.bridges[bridge_id] = p.bridge(bridge_id, [], created=self.now)
            await self.emit("BridgeCreated", bridge=self.bridges[bridge_id])
        for channel_id in channel_ids:
            await self._enter(bridge_id, channel_id)
        return bridge_id

    async def _enter(self, bridge_id: str, channel_id: str) -> None:
        self.bridges[bridge_id]["channels"].append(channel_id)
        await self.emit(
            "ChannelEnteredBridge",
            bridge=self.bridges[bridge_id],
            channel=self.channels[channel_id],
        )

    async def leave_bridge(self, channel_id: str) -> None:
        for bridge in self.bridges.values():
            if channel_id in bridge["channels"]:
                bridge["channels"].remove(channel_id)
                await self.emit(
                    "ChannelLeftBridge", bridge=bridge, channel=self.channels[channel_id]
                )

    async def hold(self, channel_id: str, on: bool = True) -> None:
        await self.emit("ChannelHold" if on else "ChannelUnhold", channel=self.channels[channel_id])

    async def hangup(
        self, channel_id: str, cause: int = 16, cause_txt: str = "Normal Clearing"
    ) -> None:
        if channel_id not in self.channels:
            return
        await self.leave_bridge(channel_id)
        data = self.channels.pop(channel_id)
        self.stasis.discard(channel_id)
        for endpoint in self.endpoints.values():
            if channel_id in endpoint["channel_ids"]:
                endpoint["channel_ids"].remove(channel_id)
        await self.emit("ChannelDestroyed", cause=cause, cause_txt=cause_txt, channel=data)
        for snoop, spied in list(self.snoops.items()):
            if spied == channel_id:
                del self.snoops[snoop]
                await self.hangup(snoop)

    def forget_channel(self, channel_id: str) -> None:
        """The channel vanished while nobody listened (no event)."""
        self.channels.pop(channel_id, None)
        for bridge in self.bridges.values():
            if channel_id in bridge["channels"]:
                bridge["channels"].remove(channel_id)

    async def set_endpoint(self, id: str, state: str, device: str) -> None:
        self.endpoints[id]["state"] = state
        self.device_states[id] = device
        await self.emit("EndpointStateChange", endpoint=self.endpoints[id])
        await self.emit("DeviceStateChanged", device_state=p.device_state(id, device))

    async def answer(self, channel_id: str) -> None:
        """An originated channel is answered: it enters its Stasis application."""
        await self.set_state(channel_id, "Up")
        self.stasis.add(channel_id)
        await self.set_dialplan(channel_id, "Stasis", self.originated.get(channel_id, self.app))
        await self.emit("StasisStart", args=[], channel=self.channels[channel_id])

    async def drop_sockets(self) -> None:
        for ws in list(self.sockets):
            self.sockets.remove(ws)
            try:
                await ws.close(code=1001)
            except Exception:
                pass

    async def wait_for_sockets(self, n: int = 1, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.sockets) < n:
                await asyncio.sleep(0.01)

    def calls_to(self, method: str, path_start: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]

    # -- protocol -----------------------------------------------------------------------
    def _authorized(self, headers: Any, params: Any) -> bool:
        good = f"{self.username}:{self.password}"
        if params.get("api_key") == good:
            return True
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            return base64.b64decode(auth[6:]).decode() == good
        return False

    async def _ws(self, ws: WebSocket) -> None:
        self.api_keys_seen += "api_key" in ws.query_params
        if self.status is not None:
            await ws.send_denial_response(
                JSONResponse({"message": "Asterisk not booted"}, status_code=self.status)
            )
            return
        if not self._authorized(ws.headers, ws.query_params):
            await ws.send_denial_response(
                JSONResponse({"message": "Authentication required"}, status_code=401)
            )
            return
        await ws.accept()
        self.apps.append(ws.query_params.get("app", ""))
        self.sockets.append(ws)
        try:
            while True:
                await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)

    async def _stats(self, request: Request) -> Response:
        """Not ARI: how many events this fake has sent (for benchmarks)."""
        return JSONResponse({"events_sent": self.events_sent, "channels": len(self.channels)})

    async def _http(self, request: Request) -> Response:
        raw = request.scope.get("raw_path", b"").decode().split("?", 1)[0].removeprefix("/ari")
        path = unquote(raw) if raw else "/" + request.path_params["path"]
        params = dict(request.query_params)
        self.requests.append(
            Recorded(
                request.method, raw or path, {k: v for k, v in params.items() if k != "api_key"}
            )
        )
        self.api_keys_seen += "api_key" in params
        if not self._authorized(request.headers, params):
            return JSONResponse({"message": "Authentication required"}, status_code=401)
        if self.status is not None:
            return JSONResponse({"message": "Asterisk not booted"}, status_code=self.status)
        method = request.method
        if self.read_only and method not in ("GET", "OPTIONS"):
            return JSONResponse({"message": "Write access denied"}, status_code=403)
        parts = [unquote(x) for x in (raw or path).strip("/").split("/")]
        if method == "GET":
            return self._get(parts, params)
        if parts[0] == "channels":
            return await self._channels(method, parts, params)
        if parts[0] == "bridges":
            return await self._bridges(method, parts, params)
        return JSONResponse({"message": "Not found"}, status_code=404)

    def _get(self, parts: list[str], params: dict[str, str]) -> Response:
        match parts:
            case ["channels"]:
                return JSONResponse(list(self.channels.values()))
            case ["bridges"]:
                return JSONResponse(list(self.bridges.values()))
            case ["endpoints"]:
                return JSONResponse(list(self.endpoints.values()))
            case ["deviceStates"]:  # real Asterisk lists only Stasis: devices
                return JSONResponse([])
            case ["deviceStates", name]:
                return JSONResponse(p.device_state(name, self.device_states.get(name, "UNKNOWN")))
            case ["asterisk", "variable"]:
                return JSONResponse({"value": self.globals.get(params.get("variable", ""), "")})
        return JSONResponse({"message": "Resource not found"}, status_code=404)

    async def _channels(self, method: str, parts: list[str], params: dict[str, str]) -> Response:
        if method == "POST" and parts == ["channels"]:
            endpoint = params.get("endpoint", "")
            if endpoint not in self.endpoints or self.endpoints[endpoint]["state"] != "online":
                return JSONResponse({"error": "Allocation failed"}, status_code=500)
            channel_id = await self.add_channel(
                endpoint, id=params.get("channelId"), state="Down", app="AppDial2",
                app_data="(Outgoing Line)")
            self.originated[channel_id] = ",".join(
                x for x in (params.get("app", ""), params.get("appArgs", "")) if x)
            await self.set_state(channel_id, "Ringing")
            return JSONResponse(self.channels[channel_id])
        if method == "POST" and len(parts) == 3 and parts[2] == "snoop":
            spy, whisper = params.get("spy", "none"), params.get("whisper", "none")
            if spy not in DIRECTIONS or whisper not in DIRECTIONS or spy == whisper == "none":
                return JSONResponse({"message": "Invalid direction specified"}, status_code=400)
            if "app" not in params:
                return JSONResponse({"message": "app: Missing required parameter"}, status_code=400)
            if parts[1] not in self.channels:
                return JSONResponse({"message": "Channel not found"}, status_code=404)
            snoop_id = await self.add_channel(
                f"Snoop/{parts[1]}-{next(self._seq):08x}", id=params.get("snoopId"), state="Up",
                app="Stasis", app_data=",".join(
                    x for x in (params["app"], params.get("appArgs", "")) if x),
            )
            self.snoops[snoop_id] = parts[1]
            self.stasis.add(snoop_id)
            await self.emit("StasisStart", args=[], channel=self.channels[snoop_id])
            return JSONResponse(self.channels[snoop_id])
        if method == "DELETE" and len(parts) == 2:
            if parts[1] not in self.channels:
                return JSONResponse({"message": "Channel not found"}, status_code=404)
            await self.hangup(parts[1])
            return Response(status_code=204)
        return JSONResponse({"message": "Not found"}, status_code=404)

    async def _bridges(self, method: str, parts: list[str], params: dict[str, str]) -> Response:
        if method == "POST" and parts == ["bridges"]:
            bridge_id = params.get("bridgeId") or f"stasis-{next(self._seq)}"
            if bridge_id in self.bridges:
                return JSONResponse({"message": "Bridge already exists"}, status_code=409)
            data = p.bridge(
                bridge_id, [], bridge_class="stasis", creator="Stasis",
                name=params.get("name", ""), created=self.now,
                bridge_type="holding" if "holding" in params.get("type", "") else "mixing",
            )
            self.bridges[bridge_id] = data
            await self.emit("BridgeCreated", bridge=data)
            return JSONResponse(data)
        if len(parts) >= 2 and parts[1] not in self.bridges:
            return JSONResponse({"message": "Bridge not found"}, status_code=404)
        if method == "POST" and len(parts) == 3 and parts[2] == "addChannel":
            channel_id = params.get("channel", "")
            if channel_id not in self.channels:
                return JSONResponse({"message": "Channel not found"}, status_code=400)
            if self.bridges[parts[1]]["bridge_class"] != "stasis":
                return JSONResponse(
                    {"message": "Bridge not in Stasis application"}, status_code=409
                )
            if channel_id not in self.stasis:
                return JSONResponse(
                    {"message": "Channel not in Stasis application"}, status_code=422
                )
            await self._enter(parts[1], channel_id)
            return Response(status_code=204)
        if method == "DELETE" and len(parts) == 2:
            data = self.bridges.pop(parts[1])
            await self.emit("BridgeDestroyed", bridge=data)
            return Response(status_code=204)
        return JSONResponse({"message": "Not found"}, status_code=404)
