"""AMI for everything, ARI (``[source.ari]``) for listening: the existing ARI ListenManager.

ARI and AMI name a channel by the same Asterisk uniqueid, so the manager's channel of an
AMI call is the channel ARI snoops on. The ListenManager reads three things of the call
mapping — ``roles[call].agent``, ``world.channels[id]`` (its ``id`` and
``channel.state``) and ``calls[call].employee_id`` — which a small view answers from the
AMI mapping. Our application's WebSocket (``subscribeAll=false``: only our own snoop and supervisor
channels, no second copy of the PBX's traffic) tells it when they answer and hang up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from wallboard.config import AmiAriListen, AriSource
from wallboard.core.listen import ListenMode
from wallboard.sources.ami.protocol import AmiMessage
from wallboard.sources.ari.http import AriHttp
from wallboard.sources.ari.listen import ListenManager
from wallboard.sources.ari.mapping import CallMapper
from wallboard.sources.backoff import Backoff

if TYPE_CHECKING:
    from wallboard.sources.ami.calls import AmiCallMapper
    from wallboard.sources.ami.client import AmiClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _State:
    state: str


@dataclass(frozen=True)
class _Info:
    id: str
    channel: _State

    @property
    def state(self) -> str:
        return self.channel.state


class _Channels(Mapping[str, _Info]):
    def __init__(self, mapper: AmiCallMapper) -> None:
        self._world = mapper.world  # its channels dict is replaced at every resync

    def __getitem__(self, key: str) -> _Info:
        return _Info(key, _State(self._world.channels[key].state))

    def __iter__(self) -> Iterator[str]:
        return iter(self._world.channels)

    def __len__(self) -> int:
        return len(self._world.channels)


class _World:
    def __init__(self, mapper: AmiCallMapper) -> None:
        self.channels = _Channels(mapper)


class _View:
    """What ListenManager reads of an ARI CallMapper, answered from the AMI mapping."""

    def __init__(self, mapper: AmiCallMapper) -> None:
        self._mapper = mapper
        self.world = _World(mapper)

    @property
    def roles(self) -> Mapping[str, object]:
        return self._mapper.roles

    @property
    def calls(self) -> Mapping[str, object]:
        return self._mapper.calls


class AriListen:
    def __init__(self, client: AmiClient, settings: AmiAriListen) -> None:
        ami = client.settings
        self.settings = AriSource(
            url=settings.url, username=settings.username, password=settings.password,
            api_key=settings.api_key, app=settings.app, verify_tls=settings.verify_tls,
            request_timeout_seconds=settings.request_timeout_seconds, project=ami.project,
            supervisor_endpoint=ami.supervisor_endpoint, listen_caller_id=ami.listen_caller_id,
            listen_ring_seconds=ami.listen_ring_seconds,
        )
        self.http = AriHttp(self.settings)
        view = cast(CallMapper, _View(client.mapper))  # duck-typed: see the module doc
        self.manager = ListenManager(self.http, self.settings, view, client.clock, client.emit)
        self._socket: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        self._ensure_socket()
        with contextlib.suppress(TimeoutError):  # a snoop needs our app's socket up
            await asyncio.wait_for(self._connected.wait(), self.settings.request_timeout_seconds)
        return await self.manager.start(call_id, supervisor, mode)

    async def change(
        self, session_id: str, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        await self.manager.change(session_id, mode=mode, muted=muted)

    async def stop(self, session_id: str) -> None:
        await self.manager.stop(session_id)

    async def aclose(self) -> None:
        await self.manager.aclose()
        if self._socket is not None:
            self._socket.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._socket
        await self.http.aclose()

    def on_event(self, event: AmiMessage) -> None:
        """AMI events are not needed: ARI reports our own channels."""

    def after_resync(self, channel_ids: set[str]) -> None:
        self._ensure_socket()
        self.manager.after_resync(channel_ids)

    # -- our application's WebSocket --------------------------------------------------------
    def _ensure_socket(self) -> None:
        if self._socket is None or self._socket.done():
            self._socket = asyncio.create_task(self._follow())

    def _ws_url(self) -> str:
        base = self.http.base
        scheme = "wss" if base.startswith("https") else "ws"
        query = {"app": self.settings.app, "subscribeAll": "false"}
        if self.settings.api_key is not None:
            query["api_key"] = self.settings.api_key.get_secret_value()
        return f"{scheme}://{base.split('://', 1)[1]}/events?{urlencode(query)}"

    async def _follow(self) -> None:
        backoff = Backoff(base=0.5, cap=30.0)
        while True:
            try:
                async with websockets.connect(
                    self._ws_url(), additional_headers=self.http.ws_headers(),
                    ssl=self.http.ssl_context(), max_size=None,
                    open_timeout=self.settings.request_timeout_seconds,
                ) as ws:
                    self._connected.set()
                    backoff.reset()
                    async for message in ws:
                        self._dispatch(message if isinstance(message, str) else message.decode())
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as exc:
                log.info("ARI listen socket: %s", self.http.unreachable(exc))
            self._connected.clear()
            await asyncio.sleep(backoff.next_delay())

    def _dispatch(self, message: str) -> None:
        try:
            event = json.loads(message)
        except ValueError:
            return
        if isinstance(event, dict):
            self.manager.on_event(event)
