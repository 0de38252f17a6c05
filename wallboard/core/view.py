"""What the board shows: which calls (filters) in which order (sorting). Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.queues import Agent, Queue
from wallboard.core.state import LiveState

NO_DEPARTMENT = ""
"""In :attr:`BoardFilter.departments`: the managers who have no department."""


def department_choices(state: LiveState) -> list[str]:
    """The departments a filter can pick: each one, then :data:`NO_DEPARTMENT` if some
    manager has none."""
    choices = state.departments()
    if any(not e.department for e in state.employees.values()):
        choices.append(NO_DEPARTMENT)
    return choices


@dataclass(frozen=True)
class BoardFilter:
    """Employees, departments and sites to show; empty means 'all'."""

    employees: frozenset[str] = field(default_factory=frozenset)
    departments: frozenset[str] = field(default_factory=frozenset)
    sites: frozenset[str] = field(default_factory=frozenset)
    """On a board over several PBXs (calls carry a ``site``)."""
    queues: frozenset[str] = field(default_factory=frozenset)
    """Calls of these queues; agents who take calls from them."""

    @property
    def active(self) -> bool:
        return bool(self.employees or self.departments or self.sites or self.queues)

    def matches(self, call: Call, state: LiveState) -> bool:
        if self.sites and call.site not in self.sites:
            return False
        if self.queues and call.queue_id not in self.queues:
            return False
        if self.employees and call.employee_id not in self.employees:
            return False
        if self.departments:
            # a call waiting in a queue has no manager, so no department of any kind
            employee = state.employees.get(call.employee_id) if call.employee_id else None
            if employee is None or (employee.department or NO_DEPARTMENT) not in self.departments:
                return False
        return True

    def matches_agent(self, employee: Employee, agent: Agent | None) -> bool:
        """For the agents grid: the same employees, departments and sites; in a queue
        filter, the agents who take calls from one of those queues."""
        if self.sites and employee.site not in self.sites:
            return False
        if self.employees and employee.id not in self.employees:
            return False
        if self.departments and (employee.department or NO_DEPARTMENT) not in self.departments:
            return False
        if self.queues and (agent is None or not self.queues.intersection(agent.queues)):
            return False
        return True

    def matches_queue(self, queue: Queue) -> bool:
        """For the queues strip: a queue filter, or a department filter (the queue's)."""
        if self.queues:
            return queue.id in self.queues
        if self.departments:
            return (queue.department or NO_DEPARTMENT) in self.departments
        return True

    def apply(self, state: LiveState) -> list[Call]:
        if not self.active:
            return list(state.calls.values())
        return [c for c in state.calls.values() if self.matches(c, state)]


class SortKey(StrEnum):
    """The table's columns, in SPEC 2 order, each a sort key; first, the start time.

    The default, oldest call first, keeps the rows on screen steady on a busy board:
    long calls stay at the top, new ones arrive at the bottom.
    """

    STARTED = "started"
    TYPE = "type"
    EMPLOYEE = "employee"
    DEPARTMENT = "department"
    STATUS = "status"
    CLIENT = "client"
    BUSINESS = "business"
    WAITING = "waiting"
    TALK = "talk"
    ROUTING = "routing"

    def next(self) -> SortKey:
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]


_STATUS_ORDER = {CallStatus.RINGING: 0, CallStatus.ON_HOLD: 1, CallStatus.TALKING: 2}
_TYPE_ORDER = {CallType.INCOMING: 0, CallType.CALLBACK: 1, CallType.OUTGOING: 2}


def _primary(key: SortKey, state: LiveState, now: datetime) -> Callable[[Call], Any]:
    employees = state.employees

    def name(call: Call) -> str:
        employee = employees.get(call.employee_id) if call.employee_id else None
        return employee.name.casefold() if employee else "\uffff"

    def department(call: Call) -> str:
        return (state.department_of(call) or "\uffff").casefold()

    return {
        SortKey.STARTED: lambda c: c.created_at,
        SortKey.TYPE: lambda c: _TYPE_ORDER[c.type],
        SortKey.EMPLOYEE: name,
        SortKey.DEPARTMENT: department,
        SortKey.STATUS: lambda c: _STATUS_ORDER[c.status],
        SortKey.CLIENT: lambda c: c.client_number,
        SortKey.BUSINESS: lambda c: c.business_number,
        SortKey.WAITING: lambda c: -c.waiting_seconds(now),
        SortKey.TALK: lambda c: -c.talk_seconds(now),
        SortKey.ROUTING: lambda c: (c.routing_scheme or "\uffff").casefold(),
    }[key]


SORT_NAMES = {SortKey.STARTED: "start time", SortKey.BUSINESS: "business number",
              SortKey.ROUTING: "routing scheme", SortKey.TALK: "talk time",
              SortKey.WAITING: "waiting time"}


def describe_sort(key: SortKey, reverse: bool) -> str:
    """E.g. 'oldest first', 'by waiting time, longest first', 'by employee, Z–A'."""
    if key is SortKey.STARTED:
        return "newest first" if reverse else "oldest first"
    name = SORT_NAMES.get(key, key.value)
    if key in (SortKey.WAITING, SortKey.TALK):
        return f"by {name}, {'shortest' if reverse else 'longest'} first"
    return f"by {name}{', reversed' if reverse else ''}"


def sort_calls(
    calls: Iterable[Call], key: SortKey, reverse: bool, state: LiveState, now: datetime
) -> list[Call]:
    """Sorted by ``key`` (durations longest first), then longest wait, then age, then id.

    The tie-breakers keep the order total and stable, so rows do not jump between frames.
    """
    primary = _primary(key, state, now)
    ordered = sorted(
        calls, key=lambda c: (-c.waiting_seconds(now), c.created_at, c.id)
    )
    ordered.sort(key=primary, reverse=reverse)
    return ordered


def waiting_first(calls: list[Call]) -> list[Call]:
    """The calls still waiting for an answer first, each group in its order: when not all
    rows fit (a wall TV cannot scroll), the calls that need someone are the ones shown."""
    return ([c for c in calls if c.status is CallStatus.RINGING]
            + [c for c in calls if c.status is not CallStatus.RINGING])
