"""Events: what a source tells the wallboard. Every backend speaks only these.

They are pydantic models with a ``kind`` discriminator, so the HTTP feed can send them
as JSON and parse them back with :data:`EVENT_ADAPTER`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from wallboard.core.listen import ListenSession
from wallboard.core.models import AgentStatus, Call, Employee, Frozen
from wallboard.core.queues import Agent, MetricsSeed, Queue


class CallUpserted(Frozen):
    """A call started or changed (the whole call, as it is now)."""

    kind: Literal["call"] = "call"
    call: Call


class CallEnded(Frozen):
    kind: Literal["call_ended"] = "call_ended"
    call_id: str
    at: datetime | None = None


class AccountStatusChanged(Frozen):
    kind: Literal["account_status"] = "account_status"
    employee_id: str
    account_id: str
    status: AgentStatus
    at: datetime | None = None


class EmployeeUpserted(Frozen):
    """A manager appeared or changed (name, department, accounts)."""

    kind: Literal["employee"] = "employee"
    employee: Employee


class EmployeeRemoved(Frozen):
    kind: Literal["employee_removed"] = "employee_removed"
    employee_id: str


class QueueUpserted(Frozen):
    """A queue appeared or changed (name, thresholds, callbacks waiting)."""

    kind: Literal["queue"] = "queue"
    queue: Queue


class QueueRemoved(Frozen):
    kind: Literal["queue_removed"] = "queue_removed"
    queue_id: str


class AgentChanged(Frozen):
    """A manager's agent state changed (the whole state, as it is now)."""

    kind: Literal["agent"] = "agent"
    agent: Agent


class Snapshot(Frozen):
    """The full truth: replaces everything the wallboard knew (a resync)."""

    kind: Literal["snapshot"] = "snapshot"
    calls: tuple[Call, ...] = ()
    employees: tuple[Employee, ...] = ()
    queues: tuple[Queue, ...] = ()
    agents: tuple[Agent, ...] = ()
    """The agent states the source reports (none: the board derives them from the SIP
    statuses, pauses unseen)."""
    metrics: MetricsSeed | None = None
    """The queue figures counted so far (a feed server's); None: the board keeps its own
    count (a source's resync does not reset the day)."""
    at: datetime | None = None
    restart: bool = False
    """The source started over (e.g. a restarted feed server): call ids it used before
    mean nothing now, so the memory of ended calls is dropped too."""


class Link(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    """Gave up: the problem needs a person (e.g. a wrong token)."""


class ConnectionChanged(Frozen):
    """The health of the source's connection, for the status line."""

    kind: Literal["connection"] = "connection"
    link: Link
    message: str = ""
    retry_at: datetime | None = None
    at: datetime | None = None
    malformed: int = 0
    """How many malformed payloads the source has skipped so far."""


class ListenChanged(Frozen):
    """A supervisor's listen session started, changed mode or mute, ended or failed."""

    kind: Literal["listen"] = "listen"
    session: ListenSession


Event = Annotated[
    CallUpserted
    | CallEnded
    | AccountStatusChanged
    | EmployeeUpserted
    | EmployeeRemoved
    | Snapshot
    | ConnectionChanged
    | ListenChanged
    | QueueUpserted
    | QueueRemoved
    | AgentChanged,
    Field(discriminator="kind"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENTS_ADAPTER: TypeAdapter[list[Event]] = TypeAdapter(list[Event])
