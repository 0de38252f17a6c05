"""The demo call center's simulation: pure, seeded and driven by the clock it is given.

``advance(now)`` runs the simulation up to ``now`` and returns the events that happened,
so tests drive it with a manual clock.
"""

from __future__ import annotations

import gc
import heapq
import math
import random
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee
from wallboard.sources.demo.catalog import (
    EVENTS_PER_CALL,
    NATURAL_LIFETIME,
    OVERFLOW,
    SCHEME_WEIGHTS,
    SCHEMES,
    VENDOR_APP,
    Scheme,
    make_staff,
    outgoing_number,
)


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of objects are made.

    Nothing built here is garbage yet, so every collection would be wasted work: on a
    5,000-call demo this takes about a third off the start-up.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Pool:
    """A set with O(1) add, remove and seeded random choice (free managers)."""

    def __init__(self) -> None:
        self._items: list[str] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: str) -> None:
        if item not in self._index:
            self._index[item] = len(self._items)
            self._items.append(item)

    def discard(self, item: str) -> None:
        i = self._index.pop(item, None)
        if i is None:
            return
        last = self._items.pop()
        if last != item:
            self._items[i] = last
            self._index[last] = i

    def choice(self, rng: random.Random) -> str:
        return self._items[rng.randrange(len(self._items))]


def new_run_id() -> str:
    """Six random letters and digits naming one run of the demo (not drawn from the seed)."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6))


_Action = tuple[datetime, int, str, str]
"""(when, sequence number, what happens, to which call or manager): a heap entry."""


@dataclass
class _Agent:
    employee: Employee
    busy_with: str | None = None
    """The call this manager handles now, if any."""
    talking_account: str | None = None


class DemoCallCenter:
    """A simulated call center: departments, managers with SIP accounts, and calls.

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
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.run = run or new_run_id()
        self.now = start
        self.target_calls = calls
        if events_per_second:
            self.arrival_rate = events_per_second / EVENTS_PER_CALL
        else:
            self.arrival_rate = max(calls, 1) / NATURAL_LIFETIME
        lifetime = max(calls, 1) / self.arrival_rate
        self.mean_ring = min(12.0, lifetime * 0.1)
        # unanswered and abandoned calls end early: stretch the talk to keep ``calls`` live
        self.mean_talk = max(5.0, lifetime * 1.12 - self.mean_ring)
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, _Agent] = {}
        self._free: dict[str | None, _Pool] = {}
        self._departments: tuple[str | None, ...] = ()
        """Managers who are online and not on a call, by department."""
        self._queue: dict[str, Scheme] = {}
        """Incoming calls waiting for a free manager, oldest first, with their schemes."""
        self._dispatch_at: datetime | None = None
        """When the queue is next handed to free managers, if planned."""
        self._heap: list[_Action] = []
        self._seq = 0
        self._call_seq = 0
        with _bulk_allocation():
            self._build_staff(calls)
            self._populate(start)
        self._schedule(start + timedelta(seconds=self.rng.expovariate(self.arrival_rate)),
                       "arrival", "")

    # -- set-up ------------------------------------------------------------------
    def _build_staff(self, calls: int) -> None:
        count = max(self.rng.randint(24, 36), math.ceil(calls * 1.3))
        for employee in make_staff(self.rng, count):
            agent = self.agents[employee.id] = _Agent(employee)
            self._update_free(agent)
            self._schedule(self.now + timedelta(seconds=self.rng.expovariate(1 / 900)),
                           "agent", employee.id)

    def _populate(self, now: datetime) -> None:
        """Start with about ``target_calls`` calls as a running call center has them.

        A call seen live at a random moment is more likely a long one (length-biased), and
        it is seen at a uniformly random point of its life; sampling so gives the steady
        state at once, instead of a burst of endings while the demo warms up.
        """
        for _ in range(self.target_calls):
            ring = self._ring_seconds()
            talk = self._length_biased_talk()
            age = self.rng.uniform(0, ring + talk)
            started = now - timedelta(seconds=age)
            call_id = self._start_call(started, initial=True)
            if call_id is None or self.calls[call_id].employee_id is None:
                continue  # queued: dispatched when a manager is free
            if age > ring:
                self._answer(call_id, started + timedelta(seconds=ring), talk=talk, announce=False)
            else:
                self._schedule(started + timedelta(seconds=ring), "answer", call_id)
        if self._queue:
            self._plan_dispatch(1.0)

    def _length_biased_talk(self) -> float:
        """A talk time drawn in proportion to its length.

        The length-biased form of a lognormal(mu, sigma) is lognormal(mu + sigma², sigma).
        """
        mu, sigma = self._talk_shape()
        talk = self.rng.lognormvariate(mu + sigma * sigma, sigma)
        return min(self.mean_talk * 8, max(4.0, talk))

    # -- the clock ---------------------------------------------------------------
    def advance(self, now: datetime) -> list[Event]:
        """Run the simulation up to ``now``; the events that happened, in order."""
        out: list[Event] = []
        while self._heap and self._heap[0][0] <= now:
            at, _, what, target = heapq.heappop(self._heap)
            self.now = at
            out.extend(getattr(self, f"_on_{what}")(target))
        self.now = max(self.now, now)
        return out

    def snapshot(self) -> Snapshot:
        return Snapshot(
            calls=tuple(self.calls.values()),
            employees=tuple(a.employee for a in self.agents.values()),
            at=self.now,
        )

    def planned(self, target: str) -> list[tuple[datetime, str]]:
        """What the simulation has planned for a call or manager: (when, what), in order."""
        return sorted((at, what) for at, _, what, t in self._heap if t == target)

    def schedule(self, at: datetime, what: str, target: str) -> None:
        """Plan something: ``hangup``, ``hold``, ``answer``... (scripted demos and tests)."""
        self._schedule(at, what, target)

    def _schedule(self, at: datetime, what: str, target: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, what, target))

    def _later(self, seconds: float, what: str, target: str) -> None:
        self._schedule(self.now + timedelta(seconds=seconds), what, target)

    # -- random shapes -----------------------------------------------------------
    def _ring_seconds(self) -> float:
        return min(90.0, self.rng.lognormvariate(math.log(self.mean_ring * 0.8), 0.6))

    def _talk_shape(self) -> tuple[float, float]:
        """mu and sigma of the lognormal talk time whose mean is ``mean_talk``."""
        sigma = 0.8
        return math.log(self.mean_talk) - sigma * sigma / 2, sigma

    def _talk_seconds(self) -> float:
        mu, sigma = self._talk_shape()
        return min(self.mean_talk * 8, max(4.0, self.rng.lognormvariate(mu, sigma)))

    def _client_number(self) -> str:
        rng = self.rng
        prefix = rng.choice(("+48 5", "+48 6", "+48 7", "+48 8", "+49 15", "+380 6"))
        digits = f"{rng.randrange(10**8):08d}"
        return f"{prefix}{digits[:2]} {digits[2:5]} {digits[5:]}"

    # -- managers ----------------------------------------------------------------
    def _update_free(self, agent: _Agent) -> None:
        department = agent.employee.department
        pool = self._free.get(department)
        if pool is None:
            pool = self._free[department] = _Pool()
            self._departments = tuple(sorted(self._free, key=str))
        if agent.busy_with is None and agent.employee.status is AgentStatus.ONLINE:
            pool.add(agent.employee.id)
        else:
            pool.discard(agent.employee.id)

    def _pick_free(self, departments: tuple[str | None, ...] | None = None) -> _Agent | None:
        """A random free manager, from the given departments (None: any)."""
        if departments is None:
            departments = self._departments
        free = self._free
        pools = [free[d] for d in departments if d in free and len(free[d])]
        total = sum(map(len, pools))
        if not total:
            return None
        pick = self.rng.randrange(total)
        for pool in pools:
            if pick < len(pool):
                return self.agents[pool.choice(self.rng)]
            pick -= len(pool)
        return None  # pragma: no cover

    def _assign(self, agent: _Agent, call_id: str | None) -> None:
        agent.busy_with = call_id
        self._update_free(agent)

    def _set_account(
        self, agent: _Agent, account_id: str, status: AgentStatus, announce: bool = True
    ) -> Event | None:
        employee = agent.employee
        account = employee.account(account_id)
        if account is None or account.status is status:
            return None
        accounts = tuple(
            a.model_copy(update={"status": status}) if a.id == account_id else a
            for a in employee.accounts
        )
        agent.employee = employee.model_copy(update={"accounts": accounts})
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
        return [event] if event else []

    # -- calls -------------------------------------------------------------------
    def _on_arrival(self, _: str) -> list[Event]:
        self._later(self.rng.expovariate(self.arrival_rate), "arrival", "")
        call_id = self._start_call(self.now)
        return [CallUpserted(call=self.calls[call_id])] if call_id else []

    def _start_call(self, started: datetime, initial: bool = False) -> str | None:
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
        department = agent.employee.department if agent else None
        if initial and agent is None:  # a queued call has not been waiting for long
            started = max(started, self.now - timedelta(seconds=rng.uniform(0, 60)))
        call = Call(
            id=call_id,
            type=kind,
            status=CallStatus.RINGING,
            employee_id=agent.employee.id if agent else None,
            client_number=self._client_number(),
            business_number=scheme.number if scheme else outgoing_number(department),
            created_at=started,
            routing_scheme=(scheme.name + OVERFLOW if overflow else scheme.name) if scheme
            else None,
            project="demo",
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
            self._schedule(give_up, "abandon", call_id)
            if not initial:
                self._plan_dispatch(3.0)
        return call_id

    def _draw_scheme(self) -> Scheme:
        return self.rng.choices(SCHEMES, SCHEME_WEIGHTS)[0]

    def _plan_ring(self, call_id: str, at: datetime | None = None) -> None:
        """The phone rings: answered after a while, or given up on."""
        rng = self.rng
        start = at or self.now
        ring = self._ring_seconds()
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
            if not any(map(len, self._free.values())):
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
            self._plan_ring(call_id)
        if self._queue:
            self._plan_dispatch(3.0)
        return events

    def _on_answer(self, call_id: str) -> list[Event]:
        return self._answer(call_id, self.now)

    def _answer(
        self, call_id: str, at: datetime, talk: float | None = None, announce: bool = True
    ) -> list[Event]:
        """The call is picked up at ``at``; ``announce=False`` (setting up) makes no events."""
        call = self.calls.get(call_id)
        if call is None or call.employee_id is None:
            return []
        agent = self.agents[call.employee_id]
        online = [a for a in agent.employee.accounts if a.status is AgentStatus.ONLINE]
        account = (online or list(agent.employee.accounts))[0]
        agent.talking_account = account.id
        events: list[Event] = []
        status_event = self._set_account(agent, account.id, AgentStatus.TALKING, announce)
        if status_event:
            events.append(status_event)
        call = call.model_copy(update={
            "status": CallStatus.TALKING, "answered_at": at, "revision": call.revision + 1})
        self.calls[call_id] = call
        if announce:
            events.append(CallUpserted(call=call))
        talk = self._talk_seconds() if talk is None else talk
        end = max(at + timedelta(seconds=talk), self.now + timedelta(seconds=1))
        if self.rng.random() < 0.1:
            hold_at = at + timedelta(seconds=talk * self.rng.uniform(0.2, 0.7))
            if hold_at > self.now:
                self._schedule(hold_at, "hold", call_id)
        self._schedule(end, "hangup", call_id)
        return events

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
        return self._end(call_id)

    def _on_hangup(self, call_id: str) -> list[Event]:
        return self._end(call_id)

    def _end(self, call_id: str) -> list[Event]:
        call = self.calls.pop(call_id, None)
        if call is None:
            return []
        events: list[Event] = [CallEnded(call_id=call_id, at=self.now)]
        if call.employee_id is not None:
            agent = self.agents[call.employee_id]
            self._assign(agent, None)
            if agent.talking_account:
                event = self._set_account(agent, agent.talking_account, AgentStatus.ONLINE)
                agent.talking_account = None
                if event:
                    events.append(event)
            if self._queue:
                self._plan_dispatch(0.5)
        return events
