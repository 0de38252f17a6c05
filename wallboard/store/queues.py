"""Recording queues, agent states, queue outcomes and alerts (schema 2), and reading the
day's outcomes back so the queue figures survive a restart.

The recorder turns events into operations here (:class:`QueueMirror`), the service hands it
the outcomes the figures counted and the alerts that changed; the recorder's batch writes
them in its transaction. Times are microseconds since the epoch, as everywhere in the
store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from wallboard.core.alerts import Alert
from wallboard.core.events import Event, QueueUpserted, Snapshot
from wallboard.core.metrics import Kind, Outcome
from wallboard.core.queues import Agent, AgentState, Queue
from wallboard.store import schema
from wallboard.store.upsert import upsert

Op = tuple[Any, ...]


@dataclass
class QueueMirror:
    """What the store holds open: each agent's state, each queue's definition."""

    agents: dict[str, tuple[AgentState, str]] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)

    def ops(self, event: Event, now: int) -> list[Op]:
        """The write operations a queue's change or a snapshot makes (none for the others;
        an agent's change: :meth:`agent_op`)."""
        match event:
            case QueueUpserted(queue=queue):
                return self._queue(queue, now)
            case Snapshot(queues=queues, agents=agents):
                out: list[Op] = []
                for queue in queues:
                    out += self._queue(queue, now)
                for agent in agents:
                    if (op := self.agent_op(agent)) is not None:
                        out.append(op)
                return out
        return []

    def _queue(self, queue: Queue, now: int) -> list[Op]:
        known = self.queues.get(queue.id)
        same = known is not None and known.model_copy(
            update={"callbacks_waiting": queue.callbacks_waiting}) == queue
        self.queues[queue.id] = queue
        if same:
            return []  # only the callbacks waiting changed: live, not history
        return [("queue", {
            "id": queue.id, "name": queue.name, "department": queue.department,
            "service_level_ms": round(queue.service_level_seconds * 1000),
            "short_abandon_ms": round(queue.short_abandon_seconds * 1000),
            "site": queue.site, "seen_us": now})]

    def agent_op(self, agent: Agent) -> Op | None:
        """The operation an agent's change makes (None: nothing the store keeps changed)."""
        if agent.derived:
            return None
        now = (agent.state, agent.reason)
        if self.agents.get(agent.employee_id) == now:
            return None
        self.agents[agent.employee_id] = now
        # then the row in writes.AGENT_STATE_COLUMNS' order
        return ("agent_state", agent.employee_id, agent.state._value_, agent.reason or None,
                ",".join(agent.queues), schema.us(agent.since))

    def reset(self) -> None:
        self.agents.clear()
        self.queues.clear()


def outcome_ops(outcomes: Iterable[Outcome]) -> list[Op]:
    # each then the row in writes.OUTCOME_COLUMNS' order
    return [("outcome", schema.us(o.at), o.queue_id, o.kind._value_, o.key[:300],
             round(o.seconds * 1_000_000), int(o.within)) for o in outcomes]


def alert_op(alert: Alert, worst: str) -> Op:
    def stamp(moment: datetime | None) -> int | None:
        return schema.us(moment) if moment is not None else None

    started = schema.us(alert.started_at)
    return ("alert", {
        "key": f"{alert.id}@{started}"[:400], "rule": alert.rule, "metric": alert.metric.value,
        "subject": alert.subject, "subject_name": alert.subject_name,
        "level": alert.level.value, "worst": worst, "value": float(alert.value),
        "started_us": started, "changed_us": schema.us(alert.changed_at),
        "ended_us": stamp(alert.ended_at), "acknowledged_us": stamp(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by, "quiet": int(alert.quiet)})


def apply_op(connection: Connection, dialect: str, op: Op) -> None:
    """The operations :func:`~wallboard.store.writes.write_batch` does not batch: alerts
    (queues, outcomes and agent states go in its executemany batches)."""
    if op[0] == "alert":
        upsert(connection, dialect, schema.alerts, op[1])


def close_open(connection: Connection, when: int) -> None:
    """Taking over after a stop: the agent states open at the last heartbeat end there."""
    table = schema.agent_states
    connection.execute(update(table).where(table.c.end_us.is_(None)).values(end_us=when))


def prune(connection: Connection, cut: int) -> None:
    connection.execute(delete(schema.queue_outcomes)
                       .where(schema.queue_outcomes.c.at_us < cut))
    connection.execute(delete(schema.agent_states).where(schema.agent_states.c.end_us < cut))
    connection.execute(delete(schema.alerts).where(schema.alerts.c.ended_us < cut))


def load_outcomes(connection: Connection, since: datetime) -> list[Outcome]:
    """The outcomes counted from ``since`` on (the day's and the recent window's)."""
    table = schema.queue_outcomes
    rows = connection.execute(
        select(table.c.at_us, table.c.queue_id, table.c.kind, table.c.key,
               table.c.seconds_us, table.c.within)
        .where(table.c.at_us >= schema.us(since)).order_by(table.c.at_us, table.c.seq))
    return [Outcome(schema.at(at_us), queue_id, Kind(kind), key, seconds_us / 1_000_000,
                    bool(within))
            for at_us, queue_id, kind, key, seconds_us, within in rows]


def alerts_between(connection: Connection, start: datetime, end: datetime
                   ) -> list[dict[str, Any]]:
    """The alerts that started in [start, end), oldest first (rows as dictionaries)."""
    table = schema.alerts
    rows = connection.execute(select(table).where(
        table.c.started_us >= schema.us(start), table.c.started_us < schema.us(end))
        .order_by(table.c.started_us))
    return [dict(row._mapping) for row in rows]


def agent_states_between(connection: Connection, employee_id: str, start: datetime,
                         end: datetime) -> list[tuple[str, str | None, int, int | None]]:
    """A manager's agent states overlapping [start, end): (state, reason, start, end µs)."""
    table = schema.agent_states
    rows = connection.execute(
        select(table.c.state, table.c.reason, table.c.start_us, table.c.end_us)
        .where(table.c.employee_id == employee_id, table.c.start_us < schema.us(end))
        .where((table.c.end_us.is_(None)) | (table.c.end_us > schema.us(start)))
        .order_by(table.c.start_us))
    return [(r.state, r.reason, r.start_us, r.end_us) for r in rows]
