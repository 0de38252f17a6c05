"""A supervisor joining a live call (SPEC 6): modes and the session's state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from wallboard.core.models import Frozen


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
