"""Listen / coach / barge through ARI snoop channels.

For a session we create, all under ids that start with the app name (so the call
mapping never shows them as calls):

1. a mixing bridge of our own (a dialplan bridge cannot be joined through ARI);
2. a snoop on the *manager's* channel: ``spy=both`` and ``whisper`` = ``none`` (listen),
   ``out`` (coach: only the manager hears the supervisor) or ``both`` (barge), put in
   the bridge;
3. a channel originated to the supervisor's endpoint into our app; when it answers
   (StasisStart) it joins the bridge and the session is active.

A mode change or (un)mute replaces the snoop: mute is a snoop with ``whisper=none``
while the session remembers its mode. Stopping hangs up the supervisor's and snoop
channels and deletes the bridge. The session ends by itself when the call or the
supervisor hangs up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from wallboard.config import AriSource
from wallboard.core.clock import Clock
from wallboard.core.events import Event, ListenChanged
from wallboard.core.listen import ListenMode, ListenSession, ListenState, new_session_id
from wallboard.sources.ari.http import AriError, AriHttp, AriUnreachable
from wallboard.sources.ari.mapping import CallMapper
from wallboard.sources.base import SourceError

log = logging.getLogger(__name__)

WHISPER = {ListenMode.LISTEN: "none", ListenMode.COACH: "out", ListenMode.BARGE: "both"}


def whisper_for(mode: ListenMode, muted: bool) -> str:
    return "none" if muted else WHISPER[mode]


@dataclass
class _Live:
    session: ListenSession
    agent_channel: str
    endpoint: str
    bridge_id: str
    supervisor_channel: str
    snoop_id: str | None = None
    whisper: str = "none"
    answered: bool = False
    closing: bool = False
    bridge_made: bool = False
    supervisor_called: bool = False
    retired_snoops: set[str] = field(default_factory=set)
    snoops: itertools.count = field(default_factory=lambda: itertools.count(1))


class ListenManager:
    def __init__(
        self,
        http: AriHttp,
        settings: AriSource,
        mapper: CallMapper,
        clock: Clock,
        emit: Callable[[list[Event]], None],
    ) -> None:
        self.http = http
        self.settings = settings
        self.mapper = mapper
        self.clock = clock
        self.emit = emit
        self.sessions: dict[str, _Live] = {}
        self._numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the Source API ------------------------------------------------------------------
    async def start(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        roles = self.mapper.roles.get(call_id)
        if roles is None:
            raise SourceError("That call has already ended.")
        agent = self.mapper.world.channels.get(roles.agent or "")
        if agent is None or agent.state != "Up":
            raise SourceError("No manager has answered this call yet, so there is nothing to join.")
        endpoint = (supervisor or self.settings.supervisor_endpoint or "").strip()
        if not endpoint:
            raise SourceError(
                "Set source.supervisor_endpoint (the supervisor's phone, e.g. PJSIP/1100) "
                "to join calls."
            )
        if "/" not in endpoint:
            endpoint = f"PJSIP/{endpoint}"
        n = next(self._numbers)
        prefix = f"{self.settings.app}-listen{n}"
        live = _Live(
            session=ListenSession(
                id=new_session_id("ari"),
                call_id=call_id,
                employee_id=self.mapper.calls[call_id].employee_id,
                supervisor=endpoint,
                mode=mode,
                started_at=self.clock.now(),
            ),
            agent_channel=agent.id,
            endpoint=endpoint,
            bridge_id=f"{prefix}-bridge",
            supervisor_channel=f"{prefix}-supervisor",
        )
        self.sessions[live.session.id] = live
        self._publish(live)
        self._spawn(self._connect(live))
        return live.session.id

    async def change(
        self, session_id: str, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        live = self._get(session_id)
        new_mode = mode or live.session.mode
        new_muted = live.session.muted if muted is None else muted
        try:
            if whisper_for(new_mode, new_muted) != live.whisper:
                await self._replace_snoop(live, whisper_for(new_mode, new_muted))
        except AriError as exc:
            await self._finish(live, ListenState.FAILED, self._explain(exc, live))
            return
        self._publish(live, mode=new_mode, muted=new_muted)

    async def stop(self, session_id: str) -> None:
        live = self._get(session_id)
        await self._finish(live, ListenState.ENDED, "Stopped by the supervisor.")

    async def aclose(self) -> None:
        for live in list(self.sessions.values()):
            if not live.closing:
                try:
                    async with asyncio.timeout(2):
                        await self._finish(live, ListenState.ENDED, "The wallboard closed.")
                except (TimeoutError, AriError):
                    pass
        for task in list(self._tasks):
            task.cancel()

    # -- events from the WebSocket -------------------------------------------------------
    def on_event(self, event: dict[str, Any]) -> None:
        """One decoded ARI event (already applied to the world, so well-formed)."""
        channel, kind = event.get("channel"), event.get("type")
        if not isinstance(channel, dict) or kind not in ("StasisStart", "ChannelDestroyed"):
            return
        channel_id = channel.get("id")
        for live in list(self.sessions.values()):
            if live.closing:
                continue
            if kind == "StasisStart" and channel_id == live.supervisor_channel:
                self._spawn(self._supervisor_answered(live))
            elif kind == "ChannelDestroyed":
                if channel_id == live.supervisor_channel:
                    message = (
                        "The supervisor hung up."
                        if live.answered
                        else f"The supervisor's phone {live.endpoint} did not answer."
                    )
                    state = ListenState.ENDED if live.answered else ListenState.FAILED
                    self._spawn(self._finish(live, state, message))
                elif channel_id == live.agent_channel or (
                    channel_id == live.snoop_id and channel_id not in live.retired_snoops
                ):
                    self._spawn(self._finish(live, ListenState.ENDED, "The call ended."))

    def after_resync(self, channel_ids: set[str]) -> None:
        """After a reconnect: sessions whose channels vanished meanwhile are over."""
        for live in list(self.sessions.values()):
            needed = {live.agent_channel, live.snoop_id or ""}
            if live.answered:
                needed.add(live.supervisor_channel)
            if not live.closing and not needed <= channel_ids:
                self._spawn(
                    self._finish(
                        live, ListenState.ENDED, "The connection to Asterisk dropped the session."
                    )
                )

    # -- steps ----------------------------------------------------------------------------
    async def _connect(self, live: _Live) -> None:
        try:
            await self.http.post(
                "/bridges", type="mixing", bridgeId=live.bridge_id, name="wallboard listen"
            )
            live.bridge_made = True
            await self._replace_snoop(live, whisper_for(live.session.mode, live.session.muted))
            live.supervisor_called = True  # a timed-out originate may still ring
            await self.http.post(
                "/channels",
                endpoint=live.endpoint,
                app=self.settings.app,
                appArgs=f"listen,{live.session.id}",
                callerId=self.settings.listen_caller_id,
                timeout=self.settings.listen_ring_seconds,
                channelId=live.supervisor_channel,
            )
        except AriError as exc:
            if live.supervisor_called and not isinstance(exc, AriUnreachable):
                live.supervisor_called = False  # refused: no channel was made
            await self._finish(live, ListenState.FAILED, self._explain(exc, live))

    async def _supervisor_answered(self, live: _Live) -> None:
        try:
            await self.http.post(
                f"/bridges/{quote(live.bridge_id, safe='')}/addChannel",
                channel=live.supervisor_channel,
            )
        except AriError as exc:
            await self._finish(live, ListenState.FAILED, self._explain(exc, live))
            return
        live.answered = True
        self._publish(live, state=ListenState.ACTIVE)

    async def _replace_snoop(self, live: _Live, whisper: str) -> None:
        old = live.snoop_id
        new = f"{live.bridge_id.removesuffix('-bridge')}-snoop{next(live.snoops)}"
        await self.http.post(
            f"/channels/{quote(live.agent_channel, safe='')}/snoop",
            spy="both",
            whisper=whisper,
            app=self.settings.app,
            appArgs=f"snoop,{live.session.id}",
            snoopId=new,
        )
        live.snoop_id, live.whisper = new, whisper
        await self.http.post(f"/bridges/{quote(live.bridge_id, safe='')}/addChannel", channel=new)
        if old:
            live.retired_snoops.add(old)
            await self.http.delete(f"/channels/{quote(old, safe='')}")

    async def _finish(self, live: _Live, state: ListenState, message: str) -> None:
        if live.closing:
            return
        live.closing = True
        self._publish(live, state=state, message=message, ended_at=self.clock.now())
        self.sessions.pop(live.session.id, None)
        # only what was made: a refused first step (a read-only user) leaves nothing
        for path in (
            f"/channels/{quote(live.supervisor_channel, safe='')}"
            if live.supervisor_called else None,
            f"/channels/{quote(live.snoop_id, safe='')}" if live.snoop_id else None,
            f"/bridges/{quote(live.bridge_id, safe='')}" if live.bridge_made else None,
        ):
            if path is None:
                continue
            try:
                await self.http.delete(path)
            except AriError as exc:  # best effort: Asterisk cleans up dead channels itself
                log.info("listen clean-up of %s failed: %s", path, exc.message)

    # -- helpers ------------------------------------------------------------------------
    def _get(self, session_id: str) -> _Live:
        live = self.sessions.get(session_id)
        if live is None or live.closing:
            raise SourceError("This listen session has already ended.")
        return live

    def _publish(self, live: _Live, **update: object) -> None:
        live.session = live.session.model_copy(update=update)
        self.emit([ListenChanged(session=live.session)])

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _explain(self, exc: AriError, live: _Live) -> str:
        if isinstance(exc, AriUnreachable):
            return "Lost the connection to Asterisk while joining the call."
        if exc.status == 403:
            return exc.message
        if exc.status == 500 and "alloc" in exc.detail.lower():
            return f"Asterisk could not call {live.endpoint}: is it a registered endpoint?"
        if exc.status == 404:
            return "The manager's channel is gone; the call may have ended."
        reason = exc.detail or "no reason given"
        return f"Asterisk refused to join the call ({exc.status}: {reason})."
