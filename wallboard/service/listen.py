"""Joining calls (SPEC 6) for the board and for ``wallboard serve`` alike.

The :class:`ListenDesk` checks the rules of :func:`~wallboard.core.listen.check_listen`
before anything is dialled, accepts only the configured supervisor accounts (never a
free-text endpoint), remembers who started each session so only they may change or end
it, and writes every step to the audit log with who asked and from where.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wallboard.audit import AuditLog
from wallboard.core.clock import Clock
from wallboard.core.events import Event, ListenChanged
from wallboard.core.listen import (
    ListenMode,
    ListenSession,
    ListenState,
    RefusalCode,
    SupervisorAccount,
    check_listen,
    mode_unavailable,
    without_keys,
)
from wallboard.core.state import LiveState
from wallboard.core.text import N_, Sentence
from wallboard.service.errors import Problem, ServiceError, mapped
from wallboard.sources.base import Source

CLOSE_SECONDS = 2.0
"""How long closing waits for the source to hang up a session."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: the person at this board, or a feed client (its token's name)."""

    name: str
    address: str | None = None
    """The client's address, for the audit trail."""

    def audit(self) -> dict[str, str]:
        return {"by": self.name, **({"address": self.address} if self.address else {})}


@dataclass(frozen=True, slots=True)
class ListenPolicy:
    supervisors: tuple[SupervisorAccount, ...] = ()
    """The accounts that may be rung to join a call; nothing else is ever dialled."""
    read_only: bool = False
    kiosk: bool = False


@dataclass
class _Owned:
    actor: Actor
    session: ListenSession | None = None


@dataclass
class ListenDesk:
    source: Source
    state: LiveState
    clock: Clock
    audit: AuditLog
    policy: ListenPolicy = field(default_factory=ListenPolicy)
    notify: Callable[[str, str], None] = lambda message, severity: None
    """Tells the person at the board (a toast); a server logs it."""
    _owned: dict[str, _Owned] = field(default_factory=dict)
    _starting: set[str] = field(default_factory=set)

    # -- who may be rung -------------------------------------------------------------
    def supervisor(self, account: str | None = None) -> SupervisorAccount | None:
        """The configured supervisor account named ``account`` (None: the first one).

        Naming an account that is not configured — a trunk, someone else's phone — is
        refused: nothing but a configured supervisor account is ever dialled.
        """
        accounts = self.policy.supervisors
        if account is None:
            return accounts[0] if accounts else None
        for known in accounts:
            if known.account == account.strip():
                return known
        raise ServiceError(Sentence(
            N_("{account} is not a configured supervisor account; nothing was dialled."),
            account=repr(account.strip()[:60])), Problem.FORBIDDEN)

    @property
    def modes(self) -> frozenset[ListenMode]:
        return self.source.listen_modes

    def active(self, supervisor: SupervisorAccount | None) -> ListenSession | None:
        return self.state.active_listen(supervisor.account if supervisor else None)

    # -- the rules -------------------------------------------------------------------
    def refusal(self, call_id: str | None, mode: ListenMode | None = None,
                supervisor: SupervisorAccount | None = None,
                unknown: ServiceError | None = None) -> ServiceError | None:
        """Why ``supervisor`` may not join the call now (as the error to raise), or None.

        ``unknown``: the asker named an account that is not configured; said unless an
        earlier rule (kiosk, read-only, a busy supervisor, a ringing call) says no first.
        """
        if unknown is None:
            supervisor = supervisor or self.supervisor()
        call = self.state.calls.get(call_id) if call_id else None
        refusal = check_listen(
            call, self.state.employees, supervisor, self.active(supervisor),
            modes=self.modes, mode=mode, read_only=self.policy.read_only,
            kiosk=self.policy.kiosk, source_title=self.source.title,
        )
        if refusal is not None:
            if unknown is not None and refusal.code is RefusalCode.NO_SUPERVISOR:
                return unknown
            if call_id and call is None and refusal.code is RefusalCode.NO_CALL:
                return ServiceError(Sentence(N_("That call has already ended.")),
                                    Problem.NOT_FOUND)
            return ServiceError.refused(refusal)
        if supervisor is not None and supervisor.account in self._starting:
            return ServiceError(Sentence(N_("A listen session is already starting; wait for "
                                            "it or end it.")), Problem.CONFLICT)
        return None

    def check(self, call_id: str | None, actor: Actor, mode: ListenMode | None = None
              ) -> ServiceError | None:
        """:meth:`refusal` for the default supervisor, audited when it says no."""
        error = self.refusal(call_id, mode)
        if error is not None:
            self._refuse(error, call_id, mode, self.supervisor(), actor)
        return error

    def _refuse(self, error: ServiceError, call_id: str | None, mode: ListenMode | None,
                supervisor: SupervisorAccount | None, actor: Actor) -> ServiceError:
        call = self.state.calls.get(call_id) if call_id else None
        self.audit.refused(
            supervisor=supervisor.account if supervisor else None, call=call,
            employee=self.state.employees.get(call.employee_id or "") if call else None,
            mode=mode, reason=without_keys(error.message), **actor.audit())
        return error

    # -- join, steer, leave ------------------------------------------------------------
    async def join(self, call_id: str, mode: ListenMode, actor: Actor,
                   supervisor_account: str | None = None) -> str:
        """Start joining ``call_id``; the session id. Progress comes as ListenChanged."""
        supervisor, unknown = None, None
        try:
            supervisor = self.supervisor(supervisor_account)
        except ServiceError as not_configured:
            unknown = not_configured
        error = self.refusal(call_id, mode, supervisor, unknown)
        if error is not None:
            raise self._refuse(error, call_id, mode, supervisor, actor)
        assert supervisor is not None
        call = self.state.calls[call_id]
        self._starting.add(supervisor.account)
        try:
            session_id = await mapped(
                self.source.start_listen(call_id, supervisor.account, mode), N_("Joining the call"))
        except ServiceError as failure:
            self.audit.error(supervisor=supervisor.account, call=call,
                             employee=self.state.employees.get(call.employee_id or ""),
                             mode=mode, reason=without_keys(failure.message),
                             **actor.audit())
            raise
        finally:
            self._starting.discard(supervisor.account)
        owned = self._owned.setdefault(session_id, _Owned(actor))
        owned.actor = actor
        if (session := self.state.listen_sessions.get(session_id)) is not None:
            self._audit(session)  # the source announced it before answering
        return session_id

    def _check_owner(self, session_id: str, actor: Actor) -> None:
        """Only whoever started a session may change or end it, while it runs."""
        session = self.state.listen_sessions.get(session_id)
        if session is not None and session.state.finished:
            raise ServiceError(Sentence(N_("This listen session has already ended.")),
                               Problem.GONE)
        owned = self._owned.get(session_id)
        if owned is None:
            raise ServiceError(Sentence(N_("There is no such listen session.")),
                               Problem.NOT_FOUND)
        if owned.actor.name != actor.name:
            raise ServiceError(Sentence(N_("Only whoever started this listen session may "
                                           "change or end it.")), Problem.FORBIDDEN)

    async def change(self, session_id: str, actor: Actor, *, mode: ListenMode | None = None,
                     muted: bool | None = None) -> None:
        self._check_owner(session_id, actor)
        if mode is not None and mode not in self.modes:
            raise ServiceError(mode_unavailable(mode, self.source.title), Problem.FORBIDDEN)
        await mapped(self.source.change_listen(session_id, mode=mode, muted=muted),
                     N_("Changing the listen session"))

    async def stop(self, session_id: str, actor: Actor) -> None:
        self._check_owner(session_id, actor)
        await mapped(self.source.stop_listen(session_id), N_("Ending the listen session"))

    def owned_by(self, actor: Actor) -> list[ListenSession]:
        return [s for sid, o in self._owned.items()
                if o.actor.name == actor.name and (s := self.state.listen_sessions.get(sid))]

    # -- what the source says -------------------------------------------------------------
    def observe(self, batch: Iterable[Event]) -> None:
        """Audit each step of our sessions; say why one failed. Call before applying."""
        for event in batch:
            if not isinstance(event, ListenChanged):
                continue
            session = event.session
            known = self.state.listen_sessions.get(session.id)
            if session.id not in self._owned:
                if self.policy.supervisors and session.supervisor not in {
                        s.account for s in self.policy.supervisors}:
                    continue  # another supervisor's session, seen through a feed
                self._owned[session.id] = _Owned(Actor("source"))
            self._audit(session)
            if session.state is ListenState.FAILED and (known is None or not known.state.finished):
                self.notify(session.message or Sentence(N_("Joining the call failed.")),
                            "error")
        if self.audit.failed:
            self.notify(self.audit.failed, "warning")
            self.audit.failed = None

    def _audit(self, session: ListenSession) -> None:
        owned = self._owned.get(session.id)
        self.audit.observe(session, self.state.calls.get(session.call_id),
                           self.state.employees.get(session.employee_id or ""),
                           **(owned.actor.audit() if owned else {}))
        if session.state.finished:
            self._owned.pop(session.id, None)

    # -- every way out -------------------------------------------------------------------
    async def close(self, reason: str = N_("The wallboard closed.")) -> None:
        """End our running sessions and write their last audit line, whatever happens."""
        for session_id in list(self._owned):
            session = self.state.listen_sessions.get(session_id)
            if session is None or session.state.finished:
                continue
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.source.stop_listen(session_id), CLOSE_SECONDS)
            if session_id in self._owned:  # the source did not tell us it ended
                ended = session.model_copy(update={
                    "state": ListenState.ENDED, "message": reason,
                    "ended_at": self.clock.now()})
                self._audit(ended)
