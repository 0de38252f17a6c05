"""Sites: one board over several PBXs. Pure functions.

An ingest that serves a site qualifies every id it publishes with the site's name
(``kyiv:c000123``, ``kyiv:anna``) and stamps the site on calls and managers, so two PBXs
that both have a call ``c000123`` or a manager ``anna`` never collide on a merged board.
Account ids stay as the PBX names them: they are only looked up within their manager.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from wallboard.core.counters import Counters, compute_counters
from wallboard.core.events import (
    AccountStatusChanged,
    AgentChanged,
    CallEnded,
    CallUpserted,
    EmployeeRemoved,
    EmployeeUpserted,
    Event,
    ListenChanged,
    QueueRemoved,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.models import Call, Employee
from wallboard.core.queues import Agent, MetricsSeed, Queue

SEPARATOR = ":"
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
"""A site (and stream) name: letters, digits, ``_ . -``; no ``:`` or ``,``, which the ids
and the event-stream positions use as separators."""


def site_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a site or a stream (None: it can)."""
    if SITE_NAME.match(name):
        return None
    return ("must be 1 to 40 letters, digits, '_', '.' or '-', starting with a letter or "
            "a digit")


def qualify(site: str, local_id: str) -> str:
    return f"{site}{SEPARATOR}{local_id}"


def local_id(site: str, qualified: str) -> str:
    """The PBX's own id of a qualified one (unchanged if it is not of ``site``)."""
    return qualified.removeprefix(f"{site}{SEPARATOR}")


def site_call(call: Call, site: str) -> Call:
    employee = qualify(site, call.employee_id) if call.employee_id is not None else None
    queue = qualify(site, call.queue_id) if call.queue_id is not None else None
    return call.model_copy(update={"id": qualify(site, call.id), "employee_id": employee,
                                   "queue_id": queue, "site": site})


def site_queue(queue: Queue, site: str) -> Queue:
    return queue.model_copy(update={"id": qualify(site, queue.id), "site": site})


def site_agent(agent: Agent, site: str) -> Agent:
    return agent.model_copy(update={"employee_id": qualify(site, agent.employee_id),
                                    "queues": tuple(qualify(site, q) for q in agent.queues)})


def site_seed(seed: MetricsSeed | None, site: str) -> MetricsSeed | None:
    if seed is None:
        return None
    return seed.model_copy(update={
        "day": {qualify(site, q): t for q, t in seed.day.items()},
        "minutes": {m: {qualify(site, q): t for q, t in per.items()}
                    for m, per in seed.minutes.items()}})


def site_employee(employee: Employee, site: str) -> Employee:
    return employee.model_copy(update={"id": qualify(site, employee.id), "site": site})


def with_site(event: Event, site: str) -> Event:
    """``event`` with its ids qualified by ``site`` and the site stamped on it."""
    match event:
        case CallUpserted(call=call):
            return CallUpserted(call=site_call(call, site))
        case CallEnded(call_id=call_id, at=at):
            return CallEnded(call_id=qualify(site, call_id), at=at)
        case AccountStatusChanged():
            return event.model_copy(update={"employee_id": qualify(site, event.employee_id)})
        case EmployeeUpserted(employee=employee):
            return EmployeeUpserted(employee=site_employee(employee, site))
        case EmployeeRemoved(employee_id=employee_id):
            return EmployeeRemoved(employee_id=qualify(site, employee_id))
        case Snapshot():
            return event.model_copy(update={
                "calls": tuple(site_call(c, site) for c in event.calls),
                "employees": tuple(site_employee(e, site) for e in event.employees),
                "queues": tuple(site_queue(q, site) for q in event.queues),
                "agents": tuple(site_agent(a, site) for a in event.agents),
                "metrics": site_seed(event.metrics, site)})
        case QueueUpserted(queue=queue):
            return QueueUpserted(queue=site_queue(queue, site))
        case QueueRemoved(queue_id=queue_id):
            return QueueRemoved(queue_id=qualify(site, queue_id))
        case AgentChanged(agent=agent):
            return AgentChanged(agent=site_agent(agent, site))
        case ListenChanged(session=session):
            manager = session.employee_id
            return ListenChanged(session=session.model_copy(update={
                "call_id": qualify(site, session.call_id),
                "employee_id": qualify(site, manager) if manager is not None else None}))
    return event  # a connection status names no id


def sites_of(employees: Iterable[Employee], calls: Iterable[Call] = ()) -> list[str]:
    """The sites present, sorted (empty on a single-site board)."""
    found = {e.site for e in employees if e.site} | {c.site for c in calls if c.site}
    return sorted(found)


def counters_by_site(calls: Iterable[Call], now: datetime) -> dict[str | None, Counters]:
    """The header counters of each site's calls (key None: calls without a site)."""
    per_site: dict[str | None, list[Call]] = {}
    for call in calls:
        per_site.setdefault(call.site, []).append(call)
    return {site: compute_counters(group, now) for site, group in per_site.items()}
