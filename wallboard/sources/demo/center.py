"""The demo call center's simulation: pure, seeded and driven by the clock it is given.

``advance(now)`` runs the simulation up to ``now`` and returns the events that happened,
so tests drive it with a manual clock.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.metrics import MetricsSettings
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.core.queues import QueueCatalog
from wallboard.sources.demo.activity import AgentDay, scheme_queue
from wallboard.sources.demo.alloc import bulk_allocation
from wallboard.sources.demo.catalog import (
    EVENTS_PER_CALL,
    NATURAL_LIFETIME,
    SCHEME_WEIGHTS,
    SCHEMES,
    VENDOR_APP,
    Hire,
    Scheme,
    make_staff,
    outgoing_number,
    scheme_name,
)
from wallboard.sources.demo.day import day_so_far
from wallboard.sources.demo.draws import CallShapes, new_run_id
from wallboard.sources.demo.plans import Plans
from wallboard.sources.demo.roster import Agent, FreeManagers, phone, with_status


class DemoCallCenter(AgentDay):
    """A simulated call center: departments, managers with SIP accounts, and calls; its
    routing schemes are queues, its managers agents who pause and do wrap-up
    (activity.py).

    Call ids start with ``run`` (by default six random characters, e.g. ``k3x9q2-c000001``),
    so calls of two runs never share an id, even with the same seed; everything else
    follows from the seed.
    """

    def __init__(
        self,
        start: datetime,
        seed: int | None = None,
        calls: int = 24,
        events_per_second: float | None = None,
        run: str | None = None,
        language: str = "en",
        catalog: QueueCatalog | None = None,
        metrics: MetricsSettings | None = None,
    ) -> None:
        self.language = language
        """The routing schemes' names are in this language (the managers' stay Polish
        and Ukrainian)."""
        self.rng = random.Random(seed)
        self.qrng = random.Random(None if seed is None else seed * 1_000_003 + 14)
        """Queues, pauses, wrap-up and callbacks draw from here: the calls of a seed stay
        what they were."""
        self.activity = {}
        self._make_queues(catalog or QueueCatalog())
        self.seed = seed
        self.run = run or new_run_id()
        self.now = start
        self.target_calls = calls
        if events_per_second:
            self.arrival_rate = events_per_second / EVENTS_PER_CALL
        else:
            self.arrival_rate = max(calls, 1) / NATURAL_LIFETIME
        lifetime = max(calls, 1) / self.arrival_rate
        mean_ring = min(12.0, lifetime * 0.1)
        # unanswered and abandoned calls end early: stretch the talk to keep ``calls`` live
        self.shapes = CallShapes(self.rng, mean_ring, max(5.0, lifetime * 1.12 - mean_ring))
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, Agent] = {}
        self._free = FreeManagers()
        self._queue: dict[str, Scheme] = {}
        """Incoming calls waiting for a free manager, oldest first, with their schemes."""
        self._dispatch_at: datetime | None = None
        """When the queue is next handed to free managers, if planned."""
        self.plans = Plans()
        self._call_seq = 0
        with bulk_allocation():
            hires = self._build_staff(calls)
            self._populate(start, hires)
            for hire in hires.values():
                self.agents[hire.id].employee = hire.employee()
            self._start_activities(start)
            self.plans.done_filling()
        self.day_seed = day_so_far(
            metrics or MetricsSettings(), start, self.queues,
            {scheme_queue(s): s.weight for s in SCHEMES}, self.arrival_rate, seed)
        """The queue figures of the day until the demo started."""
        self._schedule(start + timedelta(seconds=self.rng.expovariate(self.arrival_rate)),
                       "arrival", "")

    # -- set-up ------------------------------------------------------------------
    def _build_staff(self, calls: int) -> dict[str, Hire]:
        rng = self.rng
        count = max(rng.randint(24, 36), math.ceil(calls * 1.3))
        hires = {}
        for hire in make_staff(rng, count):
            hires[hire.id] = hire
            self.agents[hire.id] = Agent(hire.id, hire.department)
            self._free.set(hire.id, hire.department, hire.online)
            self._schedule(self.now + timedelta(seconds=rng.expovariate(1 / 900)),
                           "agent", hire.id)
        return hires

    def _populate(self, now: datetime, hires: dict[str, Hire]) -> None:
        """Start with about ``target_calls`` calls as a running call center has them.

        A call seen live at a random moment is more likely a long one (length-biased), and
        it is seen at a uniformly random point of its life; sampling so gives the steady
        state at once, instead of a burst of endings while the demo warms up.

        Each call is made once, as it is now (answered or ringing); a manager on a call
        has the account on the phone marked talking in their :class:`Hire`.
        """
        for _ in range(self.target_calls):
            ring = self.shapes.ring_seconds()
            talk = self.shapes.length_biased_talk()
            age = self.rng.uniform(0, ring + talk)
            started = now - timedelta(seconds=age)
            answered = started + timedelta(seconds=ring) if age > ring else None
            call = self._start_call(started, initial=True, answered_at=answered)
            if call.employee_id is None:
                continue  # queued: dispatched when a manager is free
            if answered is None:
                self._schedule(started + timedelta(seconds=ring), "answer", call.id)
                continue
            accounts = hires[call.employee_id].accounts
            for account in accounts:  # the first online account, else the first
                if account["status"] is AgentStatus.ONLINE:
                    break
            else:
                account = accounts[0]
            account["status"] = AgentStatus.TALKING
            self.agents[call.employee_id].talking_account = account["id"]
            self._plan_talk(call.id, answered, talk)
        if self._queue:
            self._plan_dispatch(1.0)

    # -- the clock ---------------------------------------------------------------
    def advance(self, now: datetime) -> list[Event]:
        """Run the simulation up to ``now``; the events that happened, in order."""
        out: list[Event] = []
        for at, what, target in self.plans.due(now):
            self.now = at
            out.extend(getattr(self, f"_on_{what}")(target))
        self.now = max(self.now, now)
        return out

    def snapshot(self) -> Snapshot:
        return Snapshot(
            calls=tuple(self.calls.values()),
            employees=tuple(a.employee for a in self.agents.values()),
            queues=tuple(self.queues.values()),
            agents=tuple(self.agent_model(a) for a in self.agents),
            metrics=self.day_seed,
            at=self.now,
        )

    def planned(self, target: str) -> list[tuple[datetime, str]]:
        """What the simulation has planned for a call or manager: (when, what), in order."""
        return [(at, what) for at, what, t in self.plans.all() if t == target]

    def schedule(self, at: datetime, what: str, target: str) -> None:
        """Plan something: ``hangup``, ``hold``, ``answer``... (scripted demos and tests)."""
        self._schedule(at, what, target)

    def _schedule(self, at: datetime, what: str, target: str) -> None:
        self.plans.add(at, what, target)

    def _later(self, seconds: float, what: str, target: str) -> None:
        self._schedule(self.now + timedelta(seconds=seconds), what, target)

    # -- managers ----------------------------------------------------------------
    def _pick_free(self, departments: tuple[str | None, ...] | None = None) -> Agent | None:
        """A random free manager, from the given departments (None: any)."""
        employee_id = self._free.pick(self.rng, departments)
        return None if employee_id is None else self.agents[employee_id]

    def _assign(self, agent: Agent, call_id: str | None) -> None:
        agent.busy_with = call_id
        self._update_free(agent)

    def _set_account(
        self, agent: Agent, account_id: str, status: AgentStatus, announce: bool = True
    ) -> Event | None:
        employee = agent.employee
        account = employee.account(account_id)
        if account is None or account.status is status:
            return None
        agent.employee = with_status(employee, account_id, status)
        self._update_free(agent)
        if not announce:
            return None
        return AccountStatusChanged(
            employee_id=employee.id, account_id=account_id, status=status, at=self.now
        )

    def _on_agent(self, employee_id: str) -> list[Event]:
        """Now and then an account goes DND or offline, and comes back."""
        agent = self.agents[employee_id]
        rng = self.rng
        self._later(rng.expovariate(1 / 900), "agent", employee_id)
        candidates = [a for a in agent.employee.accounts if a.id != agent.talking_account]
        if not candidates:
            return []
        account = rng.choice(candidates)
        if account.status is AgentStatus.ONLINE:
            dnd = account.user_agent == VENDOR_APP and rng.random() < 0.6
            status = AgentStatus.DND if dnd else AgentStatus.OFFLINE
        else:
            status = AgentStatus.ONLINE
        event = self._set_account(agent, account.id, status)
        return [event, *self._agent_events(employee_id)] if event else []

    # -- calls -------------------------------------------------------------------
    def _on_arrival(self, _: str) -> list[Event]:
        self._later(self.rng.expovariate(self.arrival_rate), "arrival", "")
        call = self._start_call(self.now)
        events: list[Event] = [CallUpserted(call=call)]
        if call.employee_id is not None:
            events += self._agent_events(call.employee_id)
        return events

    def _start_call(self, started: datetime, initial: bool = False,
                    answered_at: datetime | None = None) -> Call:
        """A new call, ringing a free manager or queued; set-up calls may be answered
        already (at ``answered_at``, if a manager took them)."""
        rng = self.rng
        roll = rng.random()
        kind = CallType.INCOMING if roll < 0.65 else (
            CallType.OUTGOING if roll < 0.9 else CallType.CALLBACK)
        scheme = self._draw_scheme() if kind is CallType.INCOMING else None
        agent = self._pick_free(scheme.departments if scheme else None)
        overflow = False
        if agent is None and scheme is not None and rng.random() < 0.3:
            agent = self._pick_free()  # nobody of the scheme's departments is free
            overflow = agent is not None
        if agent is None and scheme is None:  # nobody free to call out: a client calls in
            kind, scheme = CallType.INCOMING, self._draw_scheme()
        self._call_seq += 1
        call_id = f"{self.run}-c{self._call_seq:06d}"
        department = agent.department if agent else None
        if initial and agent is None:  # a queued call has not been waiting for long
            started = max(started, self.now - timedelta(seconds=rng.uniform(0, 60)))
        if agent is None:
            answered_at = None
        call = Call(
            id=call_id,
            type=kind,
            status=CallStatus.RINGING if answered_at is None else CallStatus.TALKING,
            employee_id=agent.id if agent else None,
            client_number=self.shapes.client_number(),
            business_number=scheme.number if scheme else outgoing_number(department),
            created_at=started,
            routing_scheme=scheme_name(scheme, overflow, self.language) if scheme else None,
            queue_id=scheme_queue(scheme) if scheme else None,
            project="demo",
            answered_at=answered_at,
            revision=0 if answered_at is None else 1,
        )
        self.calls[call_id] = call
        if agent is not None:
            self._assign(agent, call_id)
            if not initial:
                self._plan_ring(call_id)
        else:
            assert scheme is not None  # only incoming calls wait in the queue
            self._queue[call_id] = scheme
            give_up = started + timedelta(seconds=rng.uniform(20, 150))
            if initial:  # a call already waiting gives up some time from now
                give_up = max(give_up, self.now + timedelta(seconds=rng.uniform(5, 60)))
            else:
                give_up = self._give_up_after(started, give_up)
            self._schedule(give_up, "abandon", call_id)
            if not initial:
                self._plan_dispatch(3.0)
        return call

    def _draw_scheme(self) -> Scheme:
        return self.rng.choices(SCHEMES, cum_weights=SCHEME_WEIGHTS)[0]

    def _plan_ring(self, call_id: str, at: datetime | None = None) -> None:
        """The phone rings: answered after a while, or given up on."""
        rng = self.rng
        start = at or self.now
        ring = self.shapes.ring_seconds()
        if rng.random() < 0.12:
            # unanswered: some right around the 5-second missed-call boundary
            ring = rng.choice((rng.uniform(2, 5), rng.uniform(5, 8), rng.uniform(8, 40)))
            self._schedule(start + timedelta(seconds=ring), "unanswered", call_id)
        else:
            self._schedule(start + timedelta(seconds=ring), "answer", call_id)

    def _plan_dispatch(self, seconds: float) -> None:
        """Hand the queue to free managers in ``seconds`` (or sooner, if planned sooner)."""
        at = self.now + timedelta(seconds=seconds)
        if self._dispatch_at is None or at < self._dispatch_at:
            self._dispatch_at = at
            self._schedule(at, "dispatch", "")

    def _on_dispatch(self, _: str) -> list[Event]:
        """Hand queued calls, oldest first, to free managers of their schemes' departments."""
        if self.now != self._dispatch_at:
            return []  # superseded by a dispatch planned sooner
        self._dispatch_at = None
        events: list[Event] = []
        nobody: set[tuple[str, ...]] = set()
        """Department sets with no free manager left in this round."""
        for call_id, scheme in list(self._queue.items()):
            if not self._free.any():
                break
            if scheme.departments in nobody:
                continue
            agent = self._pick_free(scheme.departments)
            if agent is None:
                nobody.add(scheme.departments)
                continue
            del self._queue[call_id]
            call = self.calls.get(call_id)
            if call is None:  # pragma: no cover - an abandoned call leaves the queue
                continue
            self._assign(agent, call_id)
            call = call.model_copy(
                update={"employee_id": agent.employee.id, "revision": call.revision + 1})
            self.calls[call_id] = call
            events.append(CallUpserted(call=call))
            events += self._agent_events(agent.id)
            self._plan_ring(call_id)
        if self._queue:
            self._plan_dispatch(3.0)
        return events

    def _on_answer(self, call_id: str) -> list[Event]:
        return self._answer(call_id, self.now)

    def _answer(self, call_id: str, at: datetime) -> list[Event]:
        """The call is picked up at ``at``, on the manager's first online account."""
        call = self.calls.get(call_id)
        if call is None or call.employee_id is None:
            return []
        agent = self.agents[call.employee_id]
        account = phone(agent.employee)
        agent.talking_account = account.id
        events: list[Event] = []
        status_event = self._set_account(agent, account.id, AgentStatus.TALKING)
        if status_event:
            events.append(status_event)
        call = call.model_copy(update={
            "status": CallStatus.TALKING, "answered_at": at, "revision": call.revision + 1})
        self.calls[call_id] = call
        events.append(CallUpserted(call=call))
        events += self._agent_events(agent.id)
        self._plan_talk(call_id, at, self.shapes.talk_seconds())
        return events

    def _plan_talk(self, call_id: str, at: datetime, talk: float) -> None:
        """A conversation from ``at``: ``talk`` seconds long, now and then put on hold."""
        end = max(at + timedelta(seconds=talk), self.now + timedelta(seconds=1))
        if self.rng.random() < 0.1:
            hold_at = at + timedelta(seconds=talk * self.rng.uniform(0.2, 0.7))
            if hold_at > self.now:
                self._schedule(hold_at, "hold", call_id)
        self._schedule(end, "hangup", call_id)

    def _on_hold(self, call_id: str) -> list[Event]:
        call = self.calls.get(call_id)
        if call is None or call.status is not CallStatus.TALKING:
            return []
        call = call.model_copy(update={"status": CallStatus.ON_HOLD, "revision": call.revision + 1})
        self.calls[call_id] = call
        self._later(self.rng.uniform(8, 60), "unhold", call_id)
        return [CallUpserted(call=call)]

    def _on_unhold(self, call_id: str) -> list[Event]:
        call = self.calls.get(call_id)
        if call is None or call.status is not CallStatus.ON_HOLD:
            return []
        call = call.model_copy(update={"status": CallStatus.TALKING, "revision": call.revision + 1})
        self.calls[call_id] = call
        return [CallUpserted(call=call)]

    def _on_unanswered(self, call_id: str) -> list[Event]:
        return self._end(call_id)

    def _on_abandon(self, call_id: str) -> list[Event]:
        if self._queue.pop(call_id, None) is None:
            return []  # handed to a manager meanwhile: it rings there
        call = self.calls.get(call_id)
        events = self._end(call_id)
        return events + (self._after_abandon(call) if call is not None else [])

    def _on_hangup(self, call_id: str) -> list[Event]:
        return self._end(call_id)

    def _end(self, call_id: str) -> list[Event]:
        call = self.calls.pop(call_id, None)
        if call is None:
            return []
        events: list[Event] = [CallEnded(call_id=call_id, at=self.now)]
        if call.employee_id is not None:
            agent = self.agents[call.employee_id]
            if call.answered_at is not None:
                self._begin_wrapup(agent.id)
            self._assign(agent, None)
            if agent.talking_account:
                event = self._set_account(agent, agent.talking_account, AgentStatus.ONLINE)
                agent.talking_account = None
                if event:
                    events.append(event)
            events += self._agent_events(agent.id)
            if self._queue:
                self._plan_dispatch(0.5)
        return events

    def _dispatch_soon(self) -> list[Event]:
        if self._queue:
            self._plan_dispatch(0.5)
        return []
