"""The call center as data: calls, managers (employees) and their SIP accounts.

Models are immutable; a change is a new object (``model_copy(update=...)``), so a
widget can tell a changed call from an unchanged one by identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CallType(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    CALLBACK = "callback"


class CallStatus(StrEnum):
    RINGING = "ringing"
    """Not answered yet: waiting for the manager (incoming) or the client (outgoing)."""
    TALKING = "talking"
    ON_HOLD = "on_hold"

    @property
    def answered(self) -> bool:
        return self is not CallStatus.RINGING


class AgentStatus(StrEnum):
    """Status of one SIP account, and of a manager (the merge of their accounts)."""

    TALKING = "talking"
    ONLINE = "online"
    DND = "dnd"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
    """Nobody knows: the recorder was not running, or the source was unreachable. Never
    counted as offline."""

    @property
    def priority(self) -> int:
        """Higher wins when a manager's accounts are merged (SPEC 5.2)."""
        return _PRIORITY[self]


_PRIORITY = {
    AgentStatus.TALKING: 4,
    AgentStatus.ONLINE: 3,
    AgentStatus.DND: 2,
    AgentStatus.UNKNOWN: 1,
    AgentStatus.OFFLINE: 0,
}
"""Unknown ranks above offline: an account that might be online is not known offline."""


def merge_status(statuses: Iterable[AgentStatus]) -> AgentStatus:
    """Talking > Online > DND > Offline: the highest present wins; none is Offline."""
    best, rank = AgentStatus.OFFLINE, 0
    for status in statuses:
        if (this := _PRIORITY[status]) > rank:
            best, rank = status, this
    return best


class SipAccount(Frozen):
    id: str
    """The SIP login / endpoint, e.g. ``PJSIP/1001``."""
    number: str = ""
    """The extension or number of the account, if it has one."""
    user_agent: str = ""
    """The softphone or device, e.g. ``MicroSIP``."""
    status: AgentStatus = AgentStatus.OFFLINE


class Employee(Frozen):
    """A manager: the person who handles calls, with one or more SIP accounts."""

    id: str
    name: str
    department: str | None = None
    project: str = "default"
    accounts: tuple[SipAccount, ...] = ()
    site: str | None = None
    """The site (PBX) of a board that aggregates several; None on a single site."""

    @property
    def status(self) -> AgentStatus:
        """The merged status of all the manager's accounts (SPEC 5.2)."""
        accounts = self.accounts
        if len(accounts) == 1:  # most managers: their one account's (merging changes nothing)
            return accounts[0].status
        return merge_status(a.status for a in accounts)

    def account(self, account_id: str) -> SipAccount | None:
        for account in self.accounts:
            if account.id == account_id:
                return account
        return None


class Call(Frozen):
    """One active call, as the wallboard shows it (one row of the table)."""

    id: str
    type: CallType
    status: CallStatus
    employee_id: str | None = None
    """The manager handling the call; None while an incoming call waits in a queue."""
    client_number: str = ""
    business_number: str = ""
    """The number the client dialled (incoming) or the manager called from (outgoing)."""
    created_at: datetime
    answered_at: datetime | None = None
    routing_scheme: str | None = None
    queue_id: str | None = None
    """The queue the call waits or waited in (:class:`~wallboard.core.queues.Queue`)."""
    queued_at: datetime | None = None
    """When it joined that queue (None: when it started): the wait the queue's figures
    count runs from here."""
    project: str = "default"
    revision: int = 0
    """Increases with every change of this call at the source; older revisions are stale."""
    recording_url: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)
    site: str | None = None
    """The site (PBX) of a board that aggregates several; None on a single site. Its ids
    are then qualified by it (``kyiv:c000123``), so two PBXs cannot collide."""

    def waiting_seconds(self, now: datetime) -> float:
        """Time on the line before the answer (SPEC 2.7); ticks while ringing."""
        end = self.answered_at if self.answered_at is not None else now
        return max(0.0, (end - self.created_at).total_seconds())

    @property
    def queue_entered_at(self) -> datetime:
        """When the wait the queue counts began."""
        return self.queued_at if self.queued_at is not None else self.created_at

    def talk_seconds(self, now: datetime) -> float:
        """Time since the call was picked up (SPEC 2.8); 0 before the answer."""
        if self.answered_at is None:
            return 0.0
        return max(0.0, (now - self.answered_at).total_seconds())
