"""What the board shows: which calls (filters) in which order (sorting). Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter, eq
from typing import Any

from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.queues import Agent, Queue
from wallboard.core.state import LiveState
from wallboard.core.text import N_, Sentence

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
        """For the queues strip: a queue filter, or a department filter (the queue's);
        on a board over several sites, the queues of the sites chosen."""
        if self.sites and queue.site not in self.sites:
            return False
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
    SITE = "site"
    """On a board over several sites only (its column shows only there)."""

    def next(self, sites: bool = False) -> SortKey:
        """The next column's key; the site's only when the board shows ``sites``."""
        members = [k for k in SortKey if sites or k is not SortKey.SITE]
        return members[(members.index(self) + 1) % len(members)] if self in members \
            else members[0]


_STATUS_ORDER = {CallStatus.RINGING: 0, CallStatus.ON_HOLD: 1, CallStatus.TALKING: 2}
_TYPE_ORDER = {CallType.INCOMING: 0, CallType.CALLBACK: 1, CallType.OUTGOING: 2}


def _primary(key: SortKey, state: LiveState, now: datetime) -> Callable[[Call], Any]:
    employees = state.employees

    def name(call: Call) -> str:
        employee = employees.get(call.employee_id) if call.employee_id else None
        return employee.name.casefold() if employee else "\uffff"

    def department(call: Call) -> str:
        return (state.department_of(call) or "\uffff").casefold()

    keys: dict[SortKey, Callable[[Call], Any]] = {
        SortKey.STARTED: attrgetter("created_at"),  # C-level getters: the common sorts
        SortKey.TYPE: lambda c: _TYPE_ORDER[c.type],
        SortKey.EMPLOYEE: name,
        SortKey.DEPARTMENT: department,
        SortKey.STATUS: lambda c: _STATUS_ORDER[c.status],
        SortKey.CLIENT: attrgetter("client_number"),
        SortKey.BUSINESS: attrgetter("business_number"),
        SortKey.WAITING: lambda c: -c.waiting_seconds(now),
        SortKey.TALK: lambda c: -c.talk_seconds(now),
        SortKey.ROUTING: lambda c: (c.routing_scheme or "\uffff").casefold(),
        SortKey.SITE: lambda c: (c.site or "\uffff").casefold(),
    }
    return keys[key]


SORT_NAMES = {
    SortKey.STARTED: N_("start time"),
    SortKey.TYPE: N_("type"),
    SortKey.EMPLOYEE: N_("employee"),
    SortKey.DEPARTMENT: N_("department"),
    SortKey.STATUS: N_("status"),
    SortKey.CLIENT: N_("client"),
    SortKey.BUSINESS: N_("business number"),
    SortKey.WAITING: N_("waiting time"),
    SortKey.TALK: N_("talk time"),
    SortKey.ROUTING: N_("routing scheme"),
    SortKey.SITE: N_("site"),
}
"""Each sort key in words (English, marked for the catalog)."""


def describe_sort(key: SortKey, reverse: bool) -> Sentence:
    """E.g. 'oldest first', 'by waiting time, longest first', 'by employee, reversed'."""
    if key is SortKey.STARTED:
        return Sentence(N_("newest first") if reverse else N_("oldest first"))
    column = Sentence(SORT_NAMES[key])
    if key in (SortKey.WAITING, SortKey.TALK):
        template = N_("by {column}, shortest first") if reverse else \
            N_("by {column}, longest first")
    else:
        template = N_("by {column}, reversed") if reverse else N_("by {column}")
    return Sentence(template, column=column)


def sort_calls(
    calls: Iterable[Call], key: SortKey, reverse: bool, state: LiveState, now: datetime
) -> list[Call]:
    """Sorted by ``key`` (durations longest first), then longest wait, then age, then id.

    The tie-breakers keep the order total and stable, so rows do not jump between frames.
    They are computed only for runs of calls that tie on ``key``: on a board sorted by
    start time there are almost none, and the sort costs a third of what it did.
    """
    primary = _primary(key, state, now)
    ordered = sorted(calls, key=primary, reverse=reverse)
    keys = list(map(primary, ordered))
    if not any(map(eq, keys, keys[1:])):
        return ordered
    start = 0
    for end in range(1, len(keys) + 1):
        if end == len(keys) or keys[end] != keys[start]:
            if end - start > 1:
                ordered[start:end] = sorted(
                    ordered[start:end],
                    key=lambda c: (-c.waiting_seconds(now), c.created_at, c.id),
                )
            start = end
    return ordered


def waiting_first(calls: list[Call]) -> list[Call]:
    """The calls still waiting for an answer first, each group in its order: when not all
    rows fit (a wall TV cannot scroll), the calls that need someone are the ones shown."""
    return ([c for c in calls if c.status is CallStatus.RINGING]
            + [c for c in calls if c.status is not CallStatus.RINGING])
