"""Agent states for PBXs that know calls and devices but not queue members (Asterisk ARI).

A manager rings while a call rings for them, is on a call while one is answered, then in
wrap-up for ``wrapup_seconds`` (a configured timer), then DND, offline or available as
their SIP status says. Pauses are invisible here: ``pause_known`` is False, and the board
says so. A manager takes calls from the queues of their department (``[[queues.queue]]
department``): the PBX does not say who is a member of what.

Incremental like the call mapping: the source hands over the events it emitted
(:meth:`AgentTracker.observe`) and only the managers they touched are looked at again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wallboard.core.events import (
    AccountStatusChanged,
    AgentChanged,
    CallEnded,
    CallUpserted,
    Event,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.models import AgentStatus
from wallboard.core.queues import Agent, AgentState, Queue, QueueCatalog

_BY_STATUS = {AgentStatus.OFFLINE: AgentState.OFFLINE, AgentStatus.UNKNOWN: AgentState.UNKNOWN,
              AgentStatus.DND: AgentState.DND}

StatusOf = Callable[[str], tuple[AgentStatus, str | None]]
"""employee id -> (merged SIP status, department)"""


@dataclass
class AgentTracker:
    wrapup_seconds: float = 0.0
    catalog: QueueCatalog = field(default_factory=QueueCatalog)
    agents: dict[str, Agent] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    _calls: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """call id -> (its manager, answered)"""
    _busy: dict[str, dict[str, bool]] = field(default_factory=dict)
    """manager -> their calls -> answered"""
    _wrapup_until: dict[str, datetime] = field(default_factory=dict)
    _touched: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for queue_id, defaults in self.catalog.overrides:  # configured queues exist at once
            self.queues[queue_id] = self.catalog.make(queue_id, defaults.name or queue_id)

    # -- what the source emitted ------------------------------------------------------------
    def observe(self, events: Iterable[Event]) -> list[Event]:
        """Note the calls and statuses these events change; a QueueUpserted for each queue
        seen for the first time."""
        out: list[Event] = []
        for event in events:
            if isinstance(event, CallUpserted):
                call = event.call
                if call.queue_id and call.queue_id not in self.queues:
                    queue = self.queues[call.queue_id] = self.catalog.make(
                        call.queue_id, call.queue_id)
                    out.append(QueueUpserted(queue=queue))
                self._forget_call(call.id)
                if call.employee_id is not None:
                    answered = call.answered_at is not None
                    self._calls[call.id] = (call.employee_id, answered)
                    self._busy.setdefault(call.employee_id, {})[call.id] = answered
                    self._touched.add(call.employee_id)
            elif isinstance(event, CallEnded):
                self._forget_call(event.call_id)
            elif isinstance(event, AccountStatusChanged):
                self._touched.add(event.employee_id)
            elif isinstance(event, Snapshot):
                self._calls, self._busy = {}, {}
                self.observe(CallUpserted(call=c) for c in event.calls)
                self._touched.update(e.id for e in event.employees)
        return out

    def _forget_call(self, call_id: str) -> None:
        known = self._calls.pop(call_id, None)
        if known is not None:
            calls = self._busy.get(known[0], {})
            calls.pop(call_id, None)
            if not calls:
                self._busy.pop(known[0], None)
            self._touched.add(known[0])

    # -- the states ----------------------------------------------------------------------------
    def flush(self, now: datetime, status_of: StatusOf, everyone: bool = False) -> list[Event]:
        """AgentChanged for the managers touched since the last flush (and those whose
        wrap-up is over) whose state changed."""
        touched = self._touched | {e for e, until in self._wrapup_until.items() if until <= now}
        if everyone:
            touched |= set(self.agents)
        self._touched = set()
        events: list[Event] = []
        for employee_id in sorted(touched):
            agent = self._state(employee_id, status_of, now)
            if agent is None:
                self.agents.pop(employee_id, None)
                continue
            known = self.agents.get(employee_id)
            if known is not None and (known.state, known.until, known.queues) == (
                    agent.state, agent.until, agent.queues):
                continue
            if known is not None and known.state is agent.state:
                agent = agent.model_copy(update={"since": known.since})
            self.agents[employee_id] = agent
            events.append(AgentChanged(agent=agent))
        return events

    def _state(self, employee_id: str, status_of: StatusOf, now: datetime) -> Agent | None:
        try:
            status, department = status_of(employee_id)
        except KeyError:
            return None
        queues = tuple(q.id for q in self.queues.values()
                       if q.department is not None and q.department == department)
        calls = self._busy.get(employee_id)
        known = self.agents.get(employee_id)
        until = None
        if calls:
            state = AgentState.ON_CALL if any(calls.values()) else AgentState.RINGING
            self._wrapup_until.pop(employee_id, None)
        else:
            if known is not None and known.state is AgentState.ON_CALL and self.wrapup_seconds:
                self._wrapup_until[employee_id] = now + timedelta(seconds=self.wrapup_seconds)
            until = self._wrapup_until.get(employee_id)
            if until is not None and (now >= until or status in _BY_STATUS):
                del self._wrapup_until[employee_id]
                until = None
            state = AgentState.WRAP_UP if until is not None else _BY_STATUS.get(
                status, AgentState.AVAILABLE)
        return Agent(employee_id=employee_id, state=state, since=now, until=until,
                     queues=queues, pause_known=False)

    def next_change(self) -> datetime | None:
        """When the next wrap-up ends (the source flushes then)."""
        return min(self._wrapup_until.values(), default=None)
