"""A supervisor joining a live call (SPEC 6): modes and the session's state."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from enum import StrEnum

from wallboard.core.models import Call, CallStatus, Employee, Frozen


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
    ListenMode.LISTEN: "Listen",
    ListenMode.COACH: "Coach",
    ListenMode.BARGE: "Barge",
}
MODE_HINTS = {
    ListenMode.LISTEN: "you hear both sides; nobody hears you",
    ListenMode.COACH: "whisper: the manager hears you, the client does not",
    ListenMode.BARGE: "everyone hears everyone",
}


END_KEY = "{key:listen.end}"
"""Where a sentence names the key that ends a session. The core names no keys (they are
remappable); the UI puts the key in place of this placeholder."""


class SupervisorAccount(Frozen):
    """Who joins calls: the supervisor's own SIP account and its project (tenant)."""

    account: str
    """e.g. ``PJSIP/1900``."""
    project: str = "default"


def listen_refusal(
    call: Call | None,
    employees: Mapping[str, Employee],
    supervisor: SupervisorAccount | None,
    active: ListenSession | None,
    *,
    modes: Collection[ListenMode] = frozenset(ListenMode),
    mode: ListenMode | None = None,
    read_only: bool = False,
    kiosk: bool = False,
    source_title: str = "This source",
) -> str | None:
    """Why the supervisor may not join ``call`` now, in one sentence; None if they may.

    Checked before anything is dialled (SPEC 6): the feature is on, one session at a
    time, the call is in conversation with a known manager, the supervisor's account is
    configured and belongs to the manager's project (SPEC 6.3).
    """
    if kiosk:
        return "Joining calls is off in kiosk (wall-TV) mode."
    if read_only:
        return "Joining calls is off: the configuration is read-only (ui.read_only = true)."
    if not modes:
        return (
            f"{source_title} cannot join calls; configure [supervisor.softphone] "
            "to join through your softphone."
        )
    if active is not None and not active.state.finished:
        return (f"A listen session is already running; end it ({END_KEY}) before joining "
                "another call.")
    if call is None:
        return "No call selected."
    if call.status is CallStatus.RINGING:
        return "This call is still ringing; only a call in conversation can be joined."
    if call.status is CallStatus.ON_HOLD:
        return "This call is on hold; only a call in conversation can be joined."
    employee = employees.get(call.employee_id) if call.employee_id else None
    if employee is None:
        return "This call has no known manager to join."
    if supervisor is None or not supervisor.account.strip():
        return (
            "Set supervisor.account in the config (your own SIP account, such as PJSIP/1900) "
            "to join calls."
        )
    if supervisor.project != employee.project:
        return (
            f"Your account {supervisor.account} is in project {supervisor.project!r} but "
            f"{employee.name} is in {employee.project!r}; calls can be joined only within "
            "one project."
        )
    if employee.account(supervisor.account) is not None:
        return "This is your own call."
    if mode is not None and mode not in modes:
        return f"{MODE_NAMES[mode]} is not available with {source_title}."
    return None
