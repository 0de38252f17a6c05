"""What the demo's agents do between calls: queues, pauses with reasons, wrap-up, callbacks.

Mixed into :class:`~wallboard.sources.demo.center.DemoCallCenter`. Its routing schemes are
the queues. Agents pause now and then (lunch, break, training, coaching), do wrap-up after
each call, and a caller who gives up sometimes leaves a callback request in the queue,
which a free agent of the queue's departments works off later. Everything here draws from
its own generator (``self.qrng``), so the calls of a seed are the same as before queues
existed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from wallboard.core.events import AgentChanged, CallUpserted, Event, QueueUpserted
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.core.queues import Agent as AgentModel
from wallboard.core.queues import AgentState, Queue, QueueCatalog, queue_slug
from wallboard.sources.demo.catalog import SCHEMES, Scheme, scheme_name

if TYPE_CHECKING:
    from wallboard.sources.demo.plans import Plans
    from wallboard.sources.demo.roster import Agent, FreeManagers

PAUSES = (("break", 0.4, 300, 900), ("lunch", 0.2, 1800, 2700),
          ("training", 0.2, 1200, 3600), ("coaching", 0.2, 600, 1500))
"""Reason, share, shortest and longest seconds."""
PAUSE_EVERY = 2400.0
"""Seconds between an agent's pauses, on average."""
WRAPUP = (4.0, 25.0)
SHORT_ABANDON_SHARE = 0.12
CALLBACK_SHARE = 0.35
"""Of the callers who give up (not the short abandons), how many ask to be called back."""
SERVICE_LEVELS = {"VIP clients": 10.0, "Billing IVR": 30.0, "Cancellations": 30.0}


@dataclass
class Activity:
    """What an agent does besides calls."""

    paused: str | None = None
    """The pause reason, while paused."""
    pause_plan: int = 0
    """Numbers the planned end of the current pause (a manual unpause voids it)."""
    wrapup_until: datetime | None = None
    state: AgentState = AgentState.UNKNOWN
    since: datetime | None = None


@cache
def scheme_queue(scheme: Scheme) -> str:
    return queue_slug(scheme.name)


@cache
def department_queues(department: str | None) -> tuple[str, ...]:
    """The queues a department's managers answer (the schemes routed to it)."""
    return tuple(scheme_queue(s) for s in SCHEMES if department in s.departments)


class AgentDay:
    """The mixin: needs the center's clock, plans, agents, free list, calls and queues."""

    now: datetime
    plans: Plans
    agents: dict[str, Agent]
    calls: dict[str, Call]
    _free: FreeManagers
    qrng: random.Random
    activity: dict[str, Activity]
    run: str
    language: str
    _call_seq: int
    queues: dict[str, Queue]
    callbacks: dict[str, list[str]]

    def _schedule(self, at: datetime, what: str, target: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def _later(self, seconds: float, what: str, target: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def _pick_free(self, departments: tuple[str | None, ...] | None = None
                   ) -> Agent | None:  # pragma: no cover
        raise NotImplementedError

    def _assign(self, agent: Agent, call_id: str | None) -> None:  # pragma: no cover
        raise NotImplementedError

    def _plan_ring(self, call_id: str, at: datetime | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    # -- set-up --------------------------------------------------------------------------
    def _make_queues(self, catalog: QueueCatalog) -> None:
        self.queues = {}
        self.callbacks = {}
        for scheme in SCHEMES:
            queue_id = scheme_queue(scheme)
            self.queues[queue_id] = catalog.make(
                queue_id, scheme_name(scheme, language=self.language),
                department=scheme.departments[0],
                service_level_seconds=SERVICE_LEVELS.get(scheme.name))
            self.callbacks[queue_id] = []

    def _start_activities(self, start: datetime) -> None:
        """After the set-up: some free agents are paused or in wrap-up already, and every
        agent's pauses are planned."""
        rng = self.qrng
        for agent_id, agent in self.agents.items():
            activity = self.activity[agent_id] = Activity()
            free = agent.busy_with is None and agent.employee.status is AgentStatus.ONLINE
            roll = rng.random()
            if free and roll < 0.12:
                reason, length = self._draw_pause()
                began = start - timedelta(seconds=rng.uniform(0, length * 0.9))
                activity.paused = reason
                activity.pause_plan = 1
                self._schedule(began + timedelta(seconds=length), "unpause", f"{agent_id}#1")
                activity.since = began
            elif free and roll < 0.2:
                activity.wrapup_until = start + timedelta(seconds=rng.uniform(*WRAPUP))
                activity.since = start - timedelta(seconds=rng.uniform(0, 10))
                self._schedule(activity.wrapup_until, "wrapup_end", agent_id)
            self._schedule(start + timedelta(seconds=rng.expovariate(1 / PAUSE_EVERY)),
                           "pause", agent_id)
            activity.state = self._state_of(agent)
            call = self.calls.get(agent.busy_with) if agent.busy_with else None
            if call is not None:  # ringing since the call came, on it since the answer
                activity.since = call.answered_at or call.created_at
            elif activity.since is None:
                activity.since = start - timedelta(seconds=rng.uniform(0, 900))
            self._update_free(agent)

    def _draw_pause(self) -> tuple[str, float]:
        rng = self.qrng
        roll = rng.random()
        for reason, share, shortest, longest in PAUSES:
            roll -= share
            if roll < 0:
                return reason, rng.uniform(shortest, longest)
        return PAUSES[0][0], float(PAUSES[0][2])  # pragma: no cover

    # -- the state -------------------------------------------------------------------------
    def _state_of(self, agent: Agent) -> AgentState:
        status = agent.employee.status
        if status is AgentStatus.OFFLINE:
            return AgentState.OFFLINE
        if status is AgentStatus.UNKNOWN:
            return AgentState.UNKNOWN
        if agent.busy_with is not None:
            call = self.calls.get(agent.busy_with)
            return AgentState.RINGING if call is not None and call.answered_at is None \
                else AgentState.ON_CALL
        activity = self.activity.get(agent.id)
        if activity is not None and activity.wrapup_until is not None:
            return AgentState.WRAP_UP
        if activity is not None and activity.paused is not None:
            return AgentState.PAUSED
        if status is AgentStatus.DND:
            return AgentState.DND
        return AgentState.AVAILABLE

    def _free_now(self, agent: Agent) -> bool:
        activity = self.activity.get(agent.id)
        idle = activity is None or (activity.paused is None and activity.wrapup_until is None)
        return agent.busy_with is None and idle and agent.employee.status is AgentStatus.ONLINE

    def _update_free(self, agent: Agent) -> None:
        self._free.set(agent.id, agent.department, self._free_now(agent))

    def agent_model(self, agent_id: str) -> AgentModel:
        agent = self.agents[agent_id]
        activity = self.activity[agent_id]
        return AgentModel(
            employee_id=agent_id, state=activity.state, since=activity.since or self.now,
            reason=(activity.paused or "") if activity.state is AgentState.PAUSED else "",
            until=activity.wrapup_until if activity.state is AgentState.WRAP_UP else None,
            queues=self.queues_of(agent.department))

    def queues_of(self, department: str | None) -> tuple[str, ...]:
        return department_queues(department)

    def _agent_events(self, *agent_ids: str) -> list[Event]:
        """An AgentChanged for each of these agents whose state (or reason) changed."""
        events: list[Event] = []
        for agent_id in agent_ids:
            activity = self.activity.get(agent_id)
            if activity is None:
                continue  # still setting up
            agent = self.agents[agent_id]
            self._update_free(agent)
            state = self._state_of(agent)
            if state is activity.state:
                continue
            activity.state, activity.since = state, self.now
            events.append(AgentChanged(agent=self.agent_model(agent_id)))
        return events

    # -- plans -------------------------------------------------------------------------------
    def _on_pause(self, agent_id: str) -> list[Event]:
        agent = self.agents[agent_id]
        activity = self.activity[agent_id]
        if not self._free_now(agent):  # busy: try again in a while
            self._later(self.qrng.uniform(30, 120), "pause", agent_id)
            return []
        self._later(self.qrng.expovariate(1 / PAUSE_EVERY), "pause", agent_id)
        reason, length = self._draw_pause()
        activity.paused = reason
        activity.pause_plan += 1
        self._later(length, "unpause", f"{agent_id}#{activity.pause_plan}")
        return self._agent_events(agent_id)

    def _on_unpause(self, target: str) -> list[Event]:
        agent_id, _, plan = target.partition("#")
        activity = self.activity[agent_id]
        if activity.paused is None or str(activity.pause_plan) != plan:
            return []
        activity.paused = None
        return self._agent_events(agent_id) + self._dispatch_soon()

    def _on_wrapup_end(self, agent_id: str) -> list[Event]:
        activity = self.activity[agent_id]
        if activity.wrapup_until is None or activity.wrapup_until > self.now:
            return []
        activity.wrapup_until = None
        return self._agent_events(agent_id) + self._dispatch_soon()

    def _dispatch_soon(self) -> list[Event]:  # pragma: no cover - the center's
        raise NotImplementedError

    def _begin_wrapup(self, agent_id: str) -> None:
        activity = self.activity.get(agent_id)
        if activity is None:
            return
        activity.wrapup_until = self.now + timedelta(seconds=self.qrng.uniform(*WRAPUP))
        self._schedule(activity.wrapup_until, "wrapup_end", agent_id)

    # -- abandons and callbacks ---------------------------------------------------------------
    def _give_up_after(self, started: datetime, usual: datetime) -> datetime:
        """When a queued caller hangs up: now and then a short abandon, within 5 s."""
        if self.qrng.random() < SHORT_ABANDON_SHARE:
            return started + timedelta(seconds=self.qrng.uniform(1.0, 4.8))
        return usual

    def _after_abandon(self, call: Call) -> list[Event]:
        """A caller who waited and gave up sometimes asks to be called back."""
        queue_id = call.queue_id
        if queue_id is None or queue_id not in self.queues:
            return []
        waited = (self.now - call.queue_entered_at).total_seconds()
        if waited < self.queues[queue_id].short_abandon_seconds or \
                self.qrng.random() >= CALLBACK_SHARE:
            return []
        self.callbacks[queue_id].append(call.client_number)
        self._later(self.qrng.uniform(60, 300), "callback", queue_id)
        return [self._queue_event(queue_id)]

    def _queue_event(self, queue_id: str) -> Event:
        queue = self.queues[queue_id].model_copy(
            update={"callbacks_waiting": len(self.callbacks[queue_id])})
        self.queues[queue_id] = queue
        return QueueUpserted(queue=queue)

    def _on_callback(self, queue_id: str) -> list[Event]:
        """A free agent of the queue's departments calls a waiting client back."""
        waiting = self.callbacks.get(queue_id)
        if not waiting:
            return []
        scheme = next(s for s in SCHEMES if scheme_queue(s) == queue_id)
        agent = self._pick_free(scheme.departments)
        if agent is None:
            self._later(30.0, "callback", queue_id)
            return []
        call = self._start_callback(agent, queue_id, waiting.pop(0))
        return [self._queue_event(queue_id), CallUpserted(call=call),
                *self._agent_events(agent.id)]

    def _start_callback(self, agent: Agent, queue_id: str, number: str) -> Call:
        """A callback an agent places for a client who asked for one in ``queue_id``."""
        self._call_seq += 1
        scheme = next(s for s in SCHEMES if scheme_queue(s) == queue_id)
        call = Call(id=f"{self.run}-c{self._call_seq:06d}", type=CallType.CALLBACK,
                    status=CallStatus.RINGING, employee_id=agent.id, client_number=number,
                    business_number=scheme.number, created_at=self.now,
                    routing_scheme=scheme_name(scheme, language=self.language),
                    project="demo")
        self.calls[call.id] = call
        self._assign(agent, call.id)
        self._plan_ring(call.id)
        return call

    # -- a supervisor's pause -----------------------------------------------------------------
    def set_pause(self, agent_id: str, paused: bool, reason: str) -> list[Event]:
        """Pause (with a reason) or unpause; an agent on a call is paused after it."""
        activity = self.activity.get(agent_id)
        if activity is None:
            raise KeyError(agent_id)
        activity.pause_plan += 1  # a planned end of an earlier pause no longer applies
        activity.paused = (reason or "paused") if paused else None
        events = self._agent_events(agent_id)
        return events + (self._dispatch_soon() if not paused else [])
