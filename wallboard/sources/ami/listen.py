"""Listen / coach / barge with AMI alone: ChanSpy, started by ``Originate``.

The supervisor's phone is rung (``Originate`` with ``Application: ChanSpy``, our own
``ChannelId`` so the call mapping never shows it); when it answers, ChanSpy spies on the
manager's channel, named exactly (never a pattern from a screen). Options, from
apps/app_chanspy.c: ``q`` no beep nor name, ``E`` exit when the spied channel hangs up,
``S`` stop when nothing is left to spy on, ``d`` digits switch modes, plus ``w`` (coach:
whisper to the manager) or ``B`` (barge: both hear the supervisor). A mode change or
(un)mute is one ``PlayDTMF`` received on the supervisor's channel: 4 spy, 5 whisper,
6 barge (ChanSpy's ``d``). Progress: ``ChanSpyStart`` (active), ``OriginateResponse``
failure or the supervisor's ``Hangup`` (ended).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallboard.core.events import ListenChanged
from wallboard.core.listen import ListenMode, ListenSession, ListenState, new_session_id
from wallboard.sources.ami.protocol import AmiMessage
from wallboard.sources.base import SourceError

if TYPE_CHECKING:
    from wallboard.sources.ami.client import AmiClient

OPTIONS = {ListenMode.LISTEN: "qdES", ListenMode.COACH: "qdESw", ListenMode.BARGE: "qdESB"}
DIGIT = {ListenMode.LISTEN: "4", ListenMode.COACH: "5", ListenMode.BARGE: "6"}
ENDPOINT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*/[A-Za-z0-9_.@+-]+$")
STOPPED = "Stopped by the supervisor."
ORIGINATE_REASONS = {
    "0": "is not registered or does not exist",
    "1": "hung up",
    "3": "did not answer",
    "5": "is busy",
    "8": "is unreachable (congestion)",
}


@dataclass
class _Live:
    session: ListenSession
    channel_id: str
    spied: str
    """The manager's channel uniqueid."""
    channel_name: str = ""
    """The supervisor's channel, once Asterisk names it."""
    answered: bool = False
    stopping: bool = False
    """The supervisor pressed stop: the Hangup that follows (its event may come before
    the action's reply) is that stop, not the supervisor hanging up."""


class ChanSpyListen:
    def __init__(self, client: AmiClient, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.sessions: dict[str, _Live] = {}
        self._numbers = itertools.count(1)

    async def start(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        client = self.client
        roles = client.mapper.roles.get(call_id)
        if roles is None:
            raise SourceError("That call has already ended.")
        agent = client.world.channels.get(roles.agent or "")
        if agent is None or agent.state != "Up":
            raise SourceError("No manager has answered this call yet, so there is nothing to join.")
        endpoint = (supervisor or client.settings.supervisor_endpoint or "").strip()
        if not endpoint:
            raise SourceError(
                "Set source.supervisor_endpoint (the supervisor's phone, e.g. PJSIP/1100) "
                "to join calls."
            )
        if "/" not in endpoint:
            endpoint = f"PJSIP/{endpoint}"
        if not ENDPOINT.match(endpoint):
            raise SourceError(f"{endpoint!r} is not a phone endpoint such as PJSIP/1100.")
        n = next(self._numbers)
        call = client.mapper.calls.get(call_id)
        live = _Live(
            session=ListenSession(
                id=new_session_id("ami"), call_id=call_id,
                employee_id=call.employee_id if call else None,
                supervisor=endpoint, mode=mode, started_at=client.clock.now(),
            ),
            channel_id=f"{self.prefix}{n}-{client.clock.now().timestamp():.0f}",
            spied=agent.uniqueid,
        )
        settings = client.settings
        await client.action(
            "Originate",
            Channel=endpoint,
            Application="ChanSpy",
            Data=f"{agent.name},{OPTIONS[mode]}",
            CallerID=settings.listen_caller_id,
            Timeout=str(settings.listen_ring_seconds * 1000),
            ChannelId=live.channel_id,
            Async="true",
        )
        self.sessions[live.session.id] = live
        self._publish(live)
        return live.session.id

    async def change(
        self, session_id: str, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        live = self._get(session_id)
        new_mode = mode or live.session.mode
        new_muted = live.session.muted if muted is None else muted
        digit = DIGIT[ListenMode.LISTEN if new_muted else new_mode]
        if not live.channel_name:
            raise SourceError("The supervisor's phone has not answered yet.")
        await self.client.action(
            "PlayDTMF", Channel=live.channel_name, Digit=digit, Receive="true"
        )
        self._publish(live, mode=new_mode, muted=new_muted)

    async def stop(self, session_id: str) -> None:
        live = self._get(session_id)
        live.stopping = True
        if live.channel_name:
            try:
                await self.client.action("Hangup", Channel=live.channel_name)
            except SourceError:
                pass  # already gone: the Hangup event ends it too
        self._finish(live, ListenState.ENDED, STOPPED)

    async def aclose(self) -> None:
        for live in list(self.sessions.values()):
            if live.channel_name:
                try:
                    await self.client.action("Hangup", Channel=live.channel_name)
                except SourceError:
                    pass
            self._finish(live, ListenState.ENDED, "The wallboard closed.")

    # -- events ------------------------------------------------------------------------------
    def on_event(self, event: AmiMessage) -> None:
        if not self.sessions:
            return
        kind = event.headers.get("Event")
        for live in list(self.sessions.values()):
            if kind == "Newchannel" and event.get("Uniqueid") == live.channel_id:
                live.channel_name = event.get("Channel")
            elif kind == "ChanSpyStart" and event.get("SpyerUniqueid") == live.channel_id:
                live.answered = True
                self._publish(live, state=ListenState.ACTIVE)
            elif kind == "OriginateResponse" and event.get("Uniqueid") == live.channel_id:
                if event.get("Response") == "Failure":
                    why = ORIGINATE_REASONS.get(event.get("Reason"), "could not be called")
                    message = f"The supervisor's phone {live.session.supervisor} {why}."
                    self._finish(live, ListenState.FAILED, message)
            elif kind == "Hangup" and event.get("Uniqueid") == live.channel_id:
                if live.stopping:
                    self._finish(live, ListenState.ENDED, STOPPED)
                elif live.answered:
                    self._finish(live, ListenState.ENDED, "The supervisor hung up.")
                else:
                    message = f"The supervisor's phone {live.session.supervisor} did not answer."
                    self._finish(live, ListenState.FAILED, message)
            elif kind == "Hangup" and event.get("Uniqueid") == live.spied:
                self._finish(live, ListenState.ENDED, "The call ended.")

    def after_resync(self, channel_ids: set[str]) -> None:
        for live in list(self.sessions.values()):
            if live.spied not in channel_ids or (
                live.answered and live.channel_id not in channel_ids
            ):
                self._finish(live, ListenState.ENDED, "The connection to Asterisk dropped the "
                             "session.")

    # -- helpers -----------------------------------------------------------------------------
    def _get(self, session_id: str) -> _Live:
        live = self.sessions.get(session_id)
        if live is None:
            raise SourceError("This listen session has already ended.")
        return live

    def _finish(self, live: _Live, state: ListenState, message: str) -> None:
        if self.sessions.pop(live.session.id, None) is None:
            return
        self._publish(live, state=state, message=message, ended_at=self.client.clock.now())

    def _publish(self, live: _Live, **update: object) -> None:
        live.session = live.session.model_copy(update=update)
        self.client.emit([ListenChanged(session=live.session)])
