"""Listen / coach / barge in the demo call center, simulated on the demo's clock.

As with a real PBX: a session starts *connecting* (the supervisor's phone is rung) and
is *active* :data:`CONNECT_SECONDS` later. It *fails* if the call ends (or goes on hold)
while connecting, and *ends* when the call ends or the supervisor stops it. Mode and
mute changes take effect at once. Like :class:`DemoCallCenter` it is pure: the source
calls :meth:`DemoListen.advance` with the time and the call events of each tick.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from wallboard.core.events import CallEnded, Event, ListenChanged
from wallboard.core.listen import (
    ListenMode,
    ListenSession,
    ListenState,
    SupervisorAccount,
    new_session_id,
)
from wallboard.core.models import Call, CallStatus
from wallboard.core.text import N_
from wallboard.sources.base import SourceError

CONNECT_SECONDS = 1.5
"""How long the supervisor's phone takes to answer and be joined."""
DEMO_SUPERVISOR = SupervisorAccount(account="PJSIP/1900", project="demo")
"""The demo ships with a supervisor, so the whole flow can be tried at once."""


@dataclass
class _Live:
    session: ListenSession
    active_at: datetime


class DemoListen:
    """The demo's listen sessions; at most one runs at a time."""

    def __init__(self) -> None:
        self.sessions: dict[str, _Live] = {}
        self.pending: list[Event] = []
        """Updates made by start / change / stop, delivered with the next batch."""

    # -- the Source API (called by DemoSource) -----------------------------------------
    def start(self, call: Call | None, supervisor: str, mode: ListenMode,
              now: datetime) -> str:
        if call is None:
            raise SourceError(N_("That call has already ended."))
        if call.status is not CallStatus.TALKING or call.employee_id is None:
            raise SourceError(N_("Only a call in conversation can be joined."))
        if not supervisor.strip():
            raise SourceError(N_("No supervisor account to ring."))
        if self.sessions:
            raise SourceError(N_("A listen session is already running."))
        session = ListenSession(
            id=new_session_id("demo"),
            call_id=call.id,
            employee_id=call.employee_id,
            supervisor=supervisor,
            mode=mode,
            started_at=now,
        )
        self.sessions[session.id] = _Live(session, now + timedelta(seconds=CONNECT_SECONDS))
        self._publish(session)
        return session.id

    def change(self, session_id: str, mode: ListenMode | None, muted: bool | None) -> None:
        live = self._get(session_id)
        update: dict[str, object] = {}
        if mode is not None and mode is not live.session.mode:
            update["mode"] = mode
        if muted is not None and muted != live.session.muted:
            update["muted"] = muted
        if update:
            live.session = live.session.model_copy(update=update)
            self._publish(live.session)

    def stop(self, session_id: str, now: datetime) -> None:
        self._finish(self._get(session_id), ListenState.ENDED,
                     N_("Stopped by the supervisor."), now)

    # -- the clock -----------------------------------------------------------------------
    def advance(self, now: datetime, calls: Mapping[str, Call],
                batch: list[Event]) -> list[Event]:
        """The listen updates up to ``now``, given the calls as they are after ``batch``."""
        if not self.sessions and not self.pending:
            return []
        ended = {e.call_id for e in batch if isinstance(e, CallEnded)}
        for live in list(self.sessions.values()):
            session = live.session
            call = calls.get(session.call_id)
            connecting = session.state is ListenState.CONNECTING
            if call is None or session.call_id in ended:
                if connecting:
                    self._finish(live, ListenState.FAILED,
                                 N_("The call ended before you were connected."), now)
                else:
                    self._finish(live, ListenState.ENDED, N_("The call ended."), now)
            elif connecting and now >= live.active_at:
                if call.status is not CallStatus.TALKING:
                    self._finish(live, ListenState.FAILED, N_(
                        "The call was put on hold while you were being connected."), now)
                else:
                    live.session = session.model_copy(update={"state": ListenState.ACTIVE})
                    self._publish(live.session)
        out, self.pending = self.pending, []
        return out

    # -- helpers -------------------------------------------------------------------------
    def _get(self, session_id: str) -> _Live:
        live = self.sessions.get(session_id)
        if live is None:
            raise SourceError(N_("This listen session has already ended."))
        return live

    def _finish(self, live: _Live, state: ListenState, message: str, now: datetime) -> None:
        live.session = live.session.model_copy(
            update={"state": state, "message": message, "ended_at": now})
        del self.sessions[live.session.id]
        self._publish(live.session)

    def _publish(self, session: ListenSession) -> None:
        self.pending.append(ListenChanged(session=session))
