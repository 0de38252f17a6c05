"""A supervisor joining a live call (SPEC 6): modes and the session's state."""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from wallboard.core.models import Call, CallStatus, Employee, Frozen
from wallboard.core.text import N_, Sentence


class ListenMode(StrEnum):
    LISTEN = "listen"
    """The supervisor hears both sides; nobody hears the supervisor."""
    COACH = "coach"
    """Whisper: the manager hears the supervisor, the client does not."""
    BARGE = "barge"
    """Everyone hears everyone."""


class ListenState(StrEnum):
    CONNECTING = "connecting"
    ACTIVE = "active"
    ENDED = "ended"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (ListenState.ENDED, ListenState.FAILED)


def new_session_id(prefix: str) -> str:
    """An unguessable session id (``demo-3f9K…``): knowing one session's id tells nothing
    of another's, so only who started it can name it."""
    return f"{prefix}-{secrets.token_urlsafe(12)}"


class ListenSession(Frozen):
    id: str
    call_id: str
    employee_id: str | None = None
    supervisor: str
    """The supervisor's SIP account."""
    mode: ListenMode = ListenMode.LISTEN
    muted: bool = False
    state: ListenState = ListenState.CONNECTING
    started_at: datetime
    ended_at: datetime | None = None
    message: str = ""
    """Why it ended or failed, in one sentence."""


MODE_NAMES = {
    ListenMode.LISTEN: N_("Listen"),
    ListenMode.COACH: N_("Coach"),
    ListenMode.BARGE: N_("Barge"),
}
"""English, marked for the catalog: the board shows them translated."""
MODE_HINTS = {
    ListenMode.LISTEN: N_("you hear both sides; nobody hears you"),
    ListenMode.COACH: N_("whisper: the manager hears you, the client does not"),
    ListenMode.BARGE: N_("everyone hears everyone"),
}


class NoListenModes(frozenset[ListenMode]):
    """No listen modes, with the reason a supervisor is told when they press the key.

    A source whose backend cannot join calls at all (no API for it) sets its
    ``listen_modes`` to one of these, so the refusal names the real cause instead of the
    generic advice to configure a softphone.
    """

    reason: str

    def __new__(cls, reason: str) -> NoListenModes:
        modes = super().__new__(cls)
        modes.reason = reason
        return modes


KEY_PLACEHOLDER = re.compile(r"\{key:([\w.]+)\}")
"""``{key:binding.id}`` in a sentence: the UI puts the (remappable) key in its place."""
END_KEY = "{key:listen.end}"
"""Where a sentence names the key that ends a session. The core names no keys (they are
remappable); the UI puts the key in place of this placeholder."""


class SupervisorAccount(Frozen):
    """Who joins calls: the supervisor's own SIP account and its project (tenant)."""

    account: str
    """e.g. ``PJSIP/1900``."""
    project: str = "default"


class RefusalCode(StrEnum):
    """Why joining a call is refused; lets a server pick its status code (409, 403...)."""

    OFF = "off"
    """Kiosk or read-only mode, or a source that cannot join calls."""
    BUSY = "busy"
    """A session of this supervisor is already running."""
    NO_CALL = "no_call"
    NOT_IN_CONVERSATION = "not_in_conversation"
    NO_MANAGER = "no_manager"
    NO_SUPERVISOR = "no_supervisor"
    OTHER_PROJECT = "other_project"
    OWN_CALL = "own_call"
    MODE_UNAVAILABLE = "mode_unavailable"


@dataclass(frozen=True, slots=True)
class Refusal:
    code: RefusalCode
    message: str
    """One sentence (a :class:`~wallboard.core.text.Sentence`): audited in English, shown
    translated."""


def without_keys(text: str) -> str:
    """The sentence for readers who have no keys (an audit line, a feed client):
    ``end it ({key:listen.end}) before`` becomes ``end it before``."""
    return KEY_PLACEHOLDER.sub("", re.sub(r" ?\(\{key:[\w.]+\}\)", "", text))


def check_listen(
    call: Call | None,
    employees: Mapping[str, Employee],
    supervisor: SupervisorAccount | None,
    active: ListenSession | None,
    *,
    modes: Collection[ListenMode] = frozenset(ListenMode),
    mode: ListenMode | None = None,
    read_only: bool = False,
    kiosk: bool = False,
    source_title: str = N_("This source"),
) -> Refusal | None:
    """Why the supervisor may not join ``call`` now; None if they may.

    Checked before anything is dialled (SPEC 6): the feature is on, one session at a
    time, the call is in conversation with a known manager, the supervisor's account is
    configured and belongs to the manager's project (SPEC 6.3).
    """
    C = RefusalCode
    if kiosk:
        return Refusal(C.OFF, Sentence(N_("Joining calls is off in kiosk (wall-TV) mode.")))
    if read_only:
        return Refusal(C.OFF, Sentence(N_("Joining calls is off: the configuration is "
                                          "read-only (ui.read_only = true).")))
    if isinstance(modes, NoListenModes):
        return Refusal(C.OFF, modes.reason)
    if not modes:
        return Refusal(C.OFF, Sentence(
            N_("{source} cannot join calls; configure [supervisor.softphone] to join "
               "through your softphone."), source=Sentence(source_title)))
    if active is not None and not active.state.finished:
        return Refusal(C.BUSY, Sentence(
            N_("A listen session is already running; end it ({key:listen.end}) before "
               "joining another call.")))
    if call is None:
        return Refusal(C.NO_CALL, Sentence(N_("No call selected.")))
    if call.status is CallStatus.RINGING:
        return Refusal(C.NOT_IN_CONVERSATION, Sentence(
            N_("This call is still ringing; only a call in conversation can be joined.")))
    if call.status is CallStatus.ON_HOLD:
        return Refusal(C.NOT_IN_CONVERSATION, Sentence(
            N_("This call is on hold; only a call in conversation can be joined.")))
    employee = employees.get(call.employee_id) if call.employee_id else None
    if employee is None:
        return Refusal(C.NO_MANAGER, Sentence(N_("This call has no known manager to join.")))
    if supervisor is None or not supervisor.account.strip():
        return Refusal(C.NO_SUPERVISOR, Sentence(
            N_("Set supervisor.account in the config (your own SIP account, such as "
               "PJSIP/1900) to join calls.")))
    if supervisor.project != employee.project:
        return Refusal(C.OTHER_PROJECT, Sentence(
            N_("Your account {account} is in project {project} but {manager} is in "
               "{manager_project}; calls can be joined only within one project."),
            account=supervisor.account, project=repr(supervisor.project),
            manager=employee.name, manager_project=repr(employee.project)))
    if employee.account(supervisor.account) is not None:
        return Refusal(C.OWN_CALL, Sentence(N_("This is your own call.")))
    if mode is not None and mode not in modes:
        return Refusal(C.MODE_UNAVAILABLE, mode_unavailable(mode, source_title))
    return None


def mode_unavailable(mode: ListenMode, source_title: str) -> Sentence:
    """``Coach is not available with Asterisk (ChanSpy).``"""
    return Sentence(N_("{mode} is not available with {source}."),
                    mode=Sentence(MODE_NAMES[mode]), source=Sentence(source_title))


def listen_refusal(
    call: Call | None,
    employees: Mapping[str, Employee],
    supervisor: SupervisorAccount | None,
    active: ListenSession | None,
    **options: Any,
) -> str | None:
    """:func:`check_listen`'s sentence alone."""
    refusal = check_listen(call, employees, supervisor, active, **options)
    return refusal.message if refusal else None
