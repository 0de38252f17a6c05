"""Queues and agent states from app_queue's members, as core events (AMI wave 2).

A member is a manager's through its ``StateInterface`` (else its ``Interface``: a
``Local/`` member names the phone it rings there) and the endpoint map. One manager's state
over all their memberships, the most telling first: offline (every membership's device
unavailable), on a call, ringing, wrap-up (``wrapuptime`` after ``LastCall``, the member's
own or the queue's from ``[source] wrapup_seconds``), paused (in every queue they are a
member of: the reason of the first), DND, unknown (the device state is), else available.
A pause keeps Asterisk's own start (``LastPause``), a wrap-up its (``LastCall``).

Managers who are members of no queue get the state their SIP status tells (pauses mean
nothing for them). Pure: the client calls it after every batch and at each wrap-up's end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from wallboard.core.events import (
    AccountStatusChanged,
    AgentChanged,
    Event,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.models import AgentStatus
from wallboard.core.queues import Agent, AgentState, Queue, QueueCatalog
from wallboard.sources.ami.queues import Member, QueueModel
from wallboard.sources.endpoints import Directory

OFFLINE_CODES = frozenset({4, 5})
"""INVALID, UNAVAILABLE (include/asterisk/devicestate.h)."""
RINGING_CODES = frozenset({6, 7})
"""RINGING, RINGINUSE."""
BUSY_CODES = frozenset({2, 3, 7, 8})
"""INUSE, BUSY, RINGINUSE, ONHOLD."""

_BY_STATUS = {AgentStatus.TALKING: AgentState.ON_CALL, AgentStatus.ONLINE: AgentState.AVAILABLE,
              AgentStatus.DND: AgentState.DND, AgentStatus.OFFLINE: AgentState.OFFLINE,
              AgentStatus.UNKNOWN: AgentState.UNKNOWN}

StatusOf = Callable[[str], tuple[AgentStatus, str | None]]


def _epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class AmiAgents:
    def __init__(self, model: QueueModel, directory: Directory, wrapup: dict[str, int],
                 catalog: QueueCatalog | None = None) -> None:
        self.model = model
        self.directory = directory
        self.wrapup = wrapup
        """queues.conf wrapuptime per queue (AMI does not report it)."""
        self.catalog = catalog or QueueCatalog()
        self.agents: dict[str, Agent] = {}
        self.queues: dict[str, Queue] = {}
        self._ends: dict[tuple[str, str], datetime] = {}
        """(queue, interface) -> when that member's wrap-up ends, for those in one."""
        self._levels: dict[str, int] = {}
        """Each queue's ServiceLevel when its Queue was last made."""
        self._members: dict[str, list[Member]] | None = None
        self._members_of: tuple[int, int] = (-1, -1)
        """The roster and directory the cached memberships were found with."""

    # -- who is whose -------------------------------------------------------------------------
    def owner(self, member: Member) -> str | None:
        owner = self.directory.owner
        for device in (member.state_interface, member.interface):
            if device and device in owner:
                return owner[device]
        return None

    def memberships(self) -> dict[str, list[Member]]:
        """Each manager's memberships; found again only when the roster (or the endpoint
        map) changed."""
        key = (self.model.roster, id(self.directory.owner))
        if self._members is None or self._members_of != key:
            self._members, self._members_of = self._find_memberships(), key
        return self._members

    def _find_memberships(self) -> dict[str, list[Member]]:
        found: dict[str, list[Member]] = {}
        for queue in self.model.queues.values():
            for member in queue.members.values():
                employee = self.owner(member)
                if employee is not None:
                    found.setdefault(employee, []).append(member)
        return found

    # -- queues -------------------------------------------------------------------------------
    def queue(self, name: str) -> Queue:
        queue = self.model.queues[name]
        return self.catalog.make(name, name, service_level_seconds=queue.service_level or None)

    def queue_events(self, names: Iterable[str]) -> list[Event]:
        events: list[Event] = []
        for name in sorted(names):
            model = self.model.queues.get(name)
            if model is None:
                continue
            if name in self.queues and self._levels.get(name) == model.service_level:
                continue  # a caller came or went: the queue itself is the same
            self._levels[name] = model.service_level
            queue = self.queue(name)
            if self.queues.get(name) != queue:
                self.queues[name] = queue
                events.append(QueueUpserted(queue=queue))
        return events

    # -- what the client calls ------------------------------------------------------------------
    def with_snapshot(self, snapshot: Snapshot, now: datetime, status_of: StatusOf
                      ) -> Snapshot:
        """A resync: every queue and agent state from scratch, in the snapshot."""
        self.reset(now, status_of)
        self.model.dirty = set()
        self.model.changed = []
        return snapshot.model_copy(update={"queues": tuple(self.queues.values()),
                                           "agents": tuple(self.agents.values())})

    def after(self, events: list[Event], now: datetime, status_of: StatusOf,
              wrapups: bool = False) -> list[Event]:
        """After a batch: the queues the events changed, and the agent states of their
        members and of the managers whose status changed (``wrapups``: of those in a
        wrap-up too, one of which has just ended)."""
        queues, self.model.dirty = self.model.dirty, set()
        changed, self.model.changed = self.model.changed, []
        self._note_wrapups(changed)
        touched = {owner for m in changed if (owner := self.owner(m)) is not None} | {
            e.employee_id for e in events if isinstance(e, AccountStatusChanged)}
        if wrapups:
            touched |= {e for e, a in self.agents.items() if a.state is AgentState.WRAP_UP}
        return self.queue_events(queues) + self.update(touched, now, status_of)

    # -- agents ---------------------------------------------------------------------------------
    def reset(self, now: datetime, status_of: StatusOf) -> None:
        """Everything from scratch (a resync): the snapshot carries the result."""
        self._ends = {}
        self._note_wrapups(m for q in self.model.queues.values() for m in q.members.values())
        self.queues = {name: self.queue(name) for name in self.model.queues}
        self._levels = {name: q.service_level for name, q in self.model.queues.items()}
        self.agents = {}
        members = self.memberships()
        for employee in self.directory.employees:
            self.agents[employee.id] = self._agent(employee.id, members.get(employee.id, []),
                                                   status_of, now)

    def update(self, employee_ids: Iterable[str], now: datetime, status_of: StatusOf
               ) -> list[Event]:
        """AgentChanged for these managers whose state changed."""
        wanted = set(employee_ids)
        if not wanted:
            return []
        members = self.memberships()
        events: list[Event] = []
        for employee_id in sorted(wanted):
            try:
                agent = self._agent(employee_id, members.get(employee_id, []), status_of, now)
            except KeyError:
                continue
            known = self.agents.get(employee_id)
            if known == agent:
                continue
            self.agents[employee_id] = agent
            events.append(AgentChanged(agent=agent))
        return events

    def _agent(self, employee_id: str, members: list[Member], status_of: StatusOf,
               now: datetime) -> Agent:
        status, _ = status_of(employee_id)
        if not members:
            state, reason, stamped, until = _BY_STATUS[status], "", None, None
        else:
            state, reason, stamped, until = self._judge(members, status, now)
        known = self.agents.get(employee_id)
        if stamped is not None:  # Asterisk's own start of the pause or the wrap-up
            since = stamped
        elif known is not None and (known.state, known.reason) == (state, reason):
            since = known.since  # only a change starts the clock
        else:
            since = now
        return Agent(employee_id=employee_id, state=state, since=since, reason=reason,
                     until=until, queues=tuple(sorted({m.queue for m in members})),
                     pause_known=bool(members))

    def _judge(self, members: list[Member], status: AgentStatus, now: datetime
               ) -> tuple[AgentState, str, datetime | None, datetime | None]:
        if all(m.status in OFFLINE_CODES for m in members) or status is AgentStatus.OFFLINE:
            return AgentState.OFFLINE, "", None, None
        if status is AgentStatus.TALKING or any(m.in_call or m.status in BUSY_CODES - {7}
                                                for m in members):
            return AgentState.ON_CALL, "", None, None
        if any(m.ringing_for or m.status in RINGING_CODES for m in members):
            return AgentState.RINGING, "", None, None
        ends = [until for m in members
                if (until := m.wrapup_until(self.wrapup.get(m.queue, 0))) and now < until]
        if ends:
            last_call = max(m.last_call for m in members)
            return AgentState.WRAP_UP, "", _epoch(last_call), max(ends)
        if all(m.paused for m in members):
            reason = next((m.paused_reason for m in members if m.paused_reason), "")
            last_pause = max(m.last_pause for m in members)
            return AgentState.PAUSED, reason, _epoch(last_pause) if last_pause else None, None
        if status is AgentStatus.DND:
            return AgentState.DND, "", None, None
        if all(m.status == 0 for m in members) and status is AgentStatus.UNKNOWN:
            return AgentState.UNKNOWN, "", None, None
        return AgentState.AVAILABLE, "", None, None

    def at_next_wrapup_end(self, now: datetime, then: Callable[[], None]
                           ) -> asyncio.TimerHandle | None:
        """Call ``then`` when the next wrap-up ends (None: none is under way)."""
        until = self.next_wrapup_end(now)
        if until is None:
            return None
        return asyncio.get_running_loop().call_later((until - now).total_seconds(), then)

    def next_wrapup_end(self, now: datetime) -> datetime | None:
        for key in [k for k, until in self._ends.items() if until <= now]:
            del self._ends[key]
        return min(self._ends.values(), default=None)

    def _note_wrapups(self, members: Iterable[Member]) -> None:
        """Keep each changed member's wrap-up end (the next one is found among those)."""
        for member in members:
            key = (member.queue, member.interface)
            queue = self.model.queues.get(member.queue)
            until = (member.wrapup_until(self.wrapup.get(member.queue, 0))
                     if queue is not None and queue.members.get(member.interface) is member
                     else None)
            if until is None:
                self._ends.pop(key, None)
            else:
                self._ends[key] = until
