"""LiveState: the wallboard's picture of the call center, kept by applying events."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from wallboard.core.events import (
    AccountStatusChanged,
    AgentChanged,
    CallEnded,
    CallUpserted,
    ConnectionChanged,
    EmployeeRemoved,
    EmployeeUpserted,
    Event,
    Link,
    ListenChanged,
    QueueRemoved,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.listen import ListenSession
from wallboard.core.metrics import QueueMetrics
from wallboard.core.models import AgentStatus, Call, Employee
from wallboard.core.queues import Agent, Queue, derived_agent

FINISHED_LISTEN_MEMORY = 50
"""How many ended or failed listen sessions are kept for display."""

ENDED_MEMORY = 20_000
"""How many ended call ids are remembered, so late events cannot revive them."""


@dataclass(frozen=True, slots=True)
class Connection:
    link: Link = Link.CONNECTING
    message: str = ""
    retry_at: datetime | None = None
    since: datetime | None = None
    last_data_at: datetime | None = None
    malformed: int = 0


class LiveState:
    """Applies events idempotently.

    - A duplicate event changes nothing; an event older than what is known (a lower
      ``revision``) is ignored.
    - An ended call never comes back, whatever arrives late for it.
    - A :class:`Snapshot` replaces everything.

    ``version`` increases with every effective change, so readers can skip work when
    nothing happened.
    """

    def __init__(self, ended_memory: int = ENDED_MEMORY) -> None:
        self.calls: dict[str, Call] = {}
        self.employees: dict[str, Employee] = {}
        self.connection = Connection()
        self.listen_sessions: dict[str, ListenSession] = {}
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, Agent] = {}
        """The agent states the source reports, by employee id (see :meth:`agent`)."""
        self.metrics = QueueMetrics()
        """The queue figures, fed by every event applied here."""
        self._status_since: dict[str, tuple[AgentStatus, datetime]] = {}
        self._latest: datetime | None = None
        self.synced = False
        """True once a Snapshot arrived; before it the state knows nothing (not "no calls")."""
        self.version = 0
        self.events_applied = 0
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._ended_memory = ended_memory
        self._sited: set[tuple[str, str]] = set()
        """The calls ("c", id) and managers ("e", id) that name a site (see :meth:`has_sites`)."""

    # -- applying ----------------------------------------------------------------
    def apply_all(self, events: Iterable[Event]) -> bool:
        changed = False
        for event in events:
            changed = self.apply(event) or changed
        return changed

    def apply(self, event: Event) -> bool:
        """Apply one event; True if the state changed."""
        self.events_applied += 1
        match event:
            case CallUpserted(call=call):
                changed = self._upsert_call(call)
            case CallEnded(call_id=call_id, at=at):
                changed = self._end_call(call_id, at)
            case AccountStatusChanged():
                changed = self._account_status(event)
            case EmployeeUpserted(employee=employee):
                changed = self.employees.get(employee.id) != employee
                self.employees[employee.id] = employee
                self._note_site("e", employee.id, employee.site)
                self._note_status(employee, None)
            case EmployeeRemoved(employee_id=employee_id):
                changed = self.employees.pop(employee_id, None) is not None
                self._sited.discard(("e", employee_id))
                if self.agents.pop(employee_id, None) is not None:
                    self.metrics.agent_changed(None, employee_id)
            case QueueUpserted(queue=queue):
                changed = self.queues.get(queue.id) != queue
                self.queues[queue.id] = queue
            case QueueRemoved(queue_id=queue_id):
                changed = self.queues.pop(queue_id, None) is not None
            case AgentChanged(agent=agent):
                changed = self._agent(agent)
            case Snapshot():
                self._replace(event)
                changed = True
            case ConnectionChanged():
                changed = self._connection(event)
            case ListenChanged(session=session):
                changed = self._listen(session)
            case _:  # pragma: no cover - the union is closed
                return False
        if changed:
            self.version += 1
        return changed

    def _upsert_call(self, call: Call) -> bool:
        if call.id in self._ended:
            return False
        known = self.calls.get(call.id)
        if known is not None and (call.revision < known.revision or call == known):
            return False
        self.calls[call.id] = call
        self._note_site("c", call.id, call.site)
        if call.queue_id is not None or (known is not None and known.queue_id is not None):
            self.metrics.call_changed(call, self.queues)
        return True

    def _end_call(self, call_id: str, at: datetime | None = None) -> bool:
        self._remember_ended(call_id)
        call = self.calls.pop(call_id, None)
        if call is None:
            return False
        self._sited.discard(("c", call_id))
        if call.queue_id is not None:
            self.metrics.call_ended(call, at, self.queues)
        return True

    def _agent(self, agent: Agent) -> bool:
        if self.agents.get(agent.employee_id) == agent:
            return False
        self.agents[agent.employee_id] = agent
        self.metrics.agent_changed(agent, agent.employee_id)
        return True

    def _note_status(self, employee: Employee, at: datetime | None) -> None:
        """Remember since when a manager has had their merged status (the time in state
        of an agent the source reports nothing about)."""
        status = employee.status
        known = self._status_since.get(employee.id)
        if known is None or known[0] is not status:
            since = at or self._latest or datetime.now(UTC)
            self._status_since[employee.id] = (status, since)

    def _remember_ended(self, call_id: str) -> None:
        self._ended[call_id] = None
        self._ended.move_to_end(call_id)
        while len(self._ended) > self._ended_memory:
            self._ended.popitem(last=False)

    def _account_status(self, event: AccountStatusChanged) -> bool:
        employee = self.employees.get(event.employee_id)
        if employee is None:
            return False
        account = employee.account(event.account_id)
        if account is None or account.status is event.status:
            return False
        accounts = tuple(
            a.model_copy(update={"status": event.status}) if a.id == event.account_id else a
            for a in employee.accounts
        )
        employee = employee.model_copy(update={"accounts": accounts})
        self.employees[employee.id] = employee
        if event.at is not None and (self._latest is None or event.at > self._latest):
            self._latest = event.at
        self._note_status(employee, event.at)
        return True

    def _replace(self, snapshot: Snapshot) -> None:
        if snapshot.restart:  # ids from before the restart mean nothing now
            self._ended.clear()
        else:
            for call_id in self.calls.keys() - {c.id for c in snapshot.calls}:
                self._remember_ended(call_id)
        self.calls = {c.id: c for c in snapshot.calls}
        for call_id in self.calls:
            self._ended.pop(call_id, None)
        self.employees = {e.id: e for e in snapshot.employees}
        self._sited = ({("c", c.id) for c in snapshot.calls if c.site}
                       | {("e", e.id) for e in snapshot.employees if e.site})
        self.queues = {q.id: q for q in snapshot.queues}
        self.agents = {a.employee_id: a for a in snapshot.agents}
        if snapshot.at is not None:
            self._latest = snapshot.at
        for employee in snapshot.employees:
            self._note_status(employee, snapshot.at)
        self.metrics.reset_live(snapshot.calls, snapshot.agents, snapshot.metrics, snapshot.at)
        self.synced = True

    def _connection(self, event: ConnectionChanged) -> bool:
        new = Connection(
            link=event.link,
            message=event.message,
            retry_at=event.retry_at,
            since=event.at if event.link is not self.connection.link else self.connection.since,
            last_data_at=self.connection.last_data_at,
            malformed=event.malformed,
        )
        if new == self.connection:
            return False
        self.connection = new
        return True

    def _listen(self, session: ListenSession) -> bool:
        known = self.listen_sessions.get(session.id)
        if known == session or (known is not None and known.state.finished):
            return False
        self.listen_sessions[session.id] = session
        finished = [k for k, v in self.listen_sessions.items() if v.state.finished]
        for key in finished[: max(0, len(finished) - FINISHED_LISTEN_MEMORY)]:
            del self.listen_sessions[key]
        return True

    def active_listen(self, supervisor: str | None = None) -> ListenSession | None:
        """The session that is connecting or active, if any (one at a time per
        supervisor); ``supervisor`` None: anybody's."""
        for session in self.listen_sessions.values():
            if not session.state.finished and supervisor in (None, session.supervisor):
                return session
        return None

    def mark_data(self, at: datetime) -> None:
        """Record that fresh data arrived (drives the 'stale since' indicator)."""
        self.connection = replace(self.connection, last_data_at=at)

    # -- reading -----------------------------------------------------------------
    def department_of(self, call: Call) -> str | None:
        employee = self.employees.get(call.employee_id) if call.employee_id else None
        return employee.department if employee else None

    def departments(self) -> list[str]:
        return sorted({e.department for e in self.employees.values() if e.department})

    def _note_site(self, kind: str, key: str, site: str | None) -> None:
        if site:
            self._sited.add((kind, key))
        else:
            self._sited.discard((kind, key))

    def has_sites(self) -> bool:
        """True on a board over several PBXs: some call or manager names a site."""
        return bool(self._sited)

    def sites(self) -> list[str]:
        """The sites of a board over several PBXs (empty on a single site)."""
        return sorted({e.site for e in self.employees.values() if e.site}
                      | {c.site for c in self.calls.values() if c.site})

    def agent(self, employee_id: str) -> Agent | None:
        """The manager's agent state: the source's, else what the SIP status tells
        (pauses unseen); None for an unknown manager."""
        agent = self.agents.get(employee_id)
        if agent is not None:
            return agent
        employee = self.employees.get(employee_id)
        if employee is None:
            return None
        known = self._status_since.get(employee_id)
        since = known[1] if known is not None else (self._latest or datetime.now(UTC))
        return derived_agent(employee, since)

    def queue_of(self, queue_id: str | None) -> Queue | None:
        return self.queues.get(queue_id) if queue_id else None

    def snapshot(self, at: datetime | None = None) -> Snapshot:
        if at is not None:
            self.metrics.roll(at)
        return Snapshot(
            calls=tuple(self.calls.values()), employees=tuple(self.employees.values()),
            queues=tuple(self.queues.values()), agents=tuple(self.agents.values()),
            metrics=self.metrics.seed() if self.metrics.day_start.year > 1970 else None,
            at=at)


def stale_since(conn: Connection, now: datetime, stale_after: float | None) -> datetime | None:
    """When a live link went quiet for longer than ``stale_after`` seconds: the last data's
    time; None while data keeps coming (or no threshold is set)."""
    if conn.link is not Link.LIVE or not stale_after or conn.last_data_at is None:
        return None
    if (now - conn.last_data_at).total_seconds() > stale_after:
        return conn.last_data_at
    return None


def held_at(conn: Connection, now: datetime, stale_after: float | None) -> datetime | None:
    """The moment the board's durations and counters stop at: the data may be dead from
    then on (the link is down, or stale). None while the data is live."""
    if conn.link is Link.LIVE:
        stale = stale_since(conn, now, stale_after)
        return None if stale is None else stale + timedelta(seconds=stale_after or 0)
    return min(conn.since or now, now)
