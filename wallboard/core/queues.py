"""Queues and what agents do between calls, as data (issue 14).

A :class:`Queue` is a routing scheme or a PBX queue; calls name theirs in
:attr:`~wallboard.core.models.Call.queue_id`. An :class:`Agent` is a manager's state beyond
the SIP status: available, ringing, on a call, wrap-up, paused (with a reason), DND,
offline — or unknown when the source cannot tell. Each carries the moment it began, so the
time in state is computed at render time, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from wallboard.core.models import AgentStatus, Employee, Frozen

DEFAULT_SERVICE_LEVEL_SECONDS = 20.0
"""Answered within this many seconds counts toward the service level (the industry's
80/20 habit), unless the queue or ``[queues]`` says otherwise."""
DEFAULT_SHORT_ABANDON_SECONDS = 5.0
"""A caller who hangs up sooner than this was a short abandon (a wrong number, a pocket
dial): counted apart, outside the service level and the abandon rate."""


class Queue(Frozen):
    """A queue (or routing scheme) with the thresholds its figures are judged by."""

    id: str
    name: str
    department: str | None = None
    service_level_seconds: float = DEFAULT_SERVICE_LEVEL_SECONDS
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
    callbacks_waiting: int = 0
    """Callback requests waiting in this queue (a client asked to be called back)."""
    site: str | None = None


class AgentState(StrEnum):
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    """After-call work: not taking calls yet."""
    PAUSED = "paused"
    DND = "dnd"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
    """The source cannot tell (never guessed)."""

    @property
    def busy(self) -> bool:
        return self in (AgentState.RINGING, AgentState.ON_CALL)


AGENT_STATE_ORDER = (AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL,
                     AgentState.WRAP_UP, AgentState.PAUSED, AgentState.DND,
                     AgentState.OFFLINE, AgentState.UNKNOWN)
"""How the agents grid sorts by state, and how its totals line reads."""


class Agent(Frozen):
    """One manager's state as an agent, since ``since``."""

    employee_id: str
    state: AgentState
    since: datetime
    reason: str = ""
    """Why paused (lunch, training, ...); empty when the source gives no reason."""
    until: datetime | None = None
    """When a wrap-up ends, if the source knows (its length is ``until - since``)."""
    queues: tuple[str, ...] = ()
    """The queues this agent takes calls from (empty: none known)."""
    pause_known: bool = True
    """False when the source cannot see pauses (Asterisk ARI): an idle agent may be
    paused in a queue without the board knowing."""
    derived: bool = False
    """True when the board derived this from the SIP status alone (the source reports no
    agent states): only what the status tells is shown."""


class Tally(Frozen):
    """What one queue counted over a span (a day, or one minute of the recent window).

    Sums, not averages: tallies add up, so a window is the sum of its minutes and the
    total is the sum of the queues."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    """Answered within the queue's service-level threshold."""
    abandoned: int = 0
    """Hung up before an answer, after the short-abandon threshold."""
    abandoned_within: int = 0
    """Abandons within the service-level threshold (one of the peers' formulas counts
    them as met)."""
    short: int = 0
    """Short abandons: hung up sooner than the short-abandon threshold."""
    wait: float = 0.0
    """Seconds answered callers waited, summed (ASA's numerator)."""
    handled: int = 0
    """Answered calls that ended (AHT's denominator)."""
    handle: float = 0.0
    """Seconds from answer to hang-up of the handled calls (talk + hold), summed."""
    wrapups: int = 0
    wrapup: float = 0.0
    """Seconds of wrap-up after this queue's calls, summed."""


class MetricsSeed(Frozen):
    """The queue figures counted so far, carried by a snapshot: a board following a feed
    starts from the server's day instead of from zero, then counts the same events."""

    day_start: datetime
    next_reset: datetime | None = None
    """When the sender's day ends: a board following a feed keeps the server's day until
    then, whatever its own reset time."""
    latest: datetime | None = None
    """The latest time an event the sender counted carried (the recent window's edge)."""
    day: dict[str, Tally] = Field(default_factory=dict)
    """Per queue, since the daily reset."""
    minutes: dict[int, dict[str, Tally]] = Field(default_factory=dict)
    """Per minute (minutes since the epoch), per queue: the recent window."""


_FROM_STATUS = {
    AgentStatus.TALKING: AgentState.ON_CALL,
    AgentStatus.ONLINE: AgentState.AVAILABLE,
    AgentStatus.DND: AgentState.DND,
    AgentStatus.OFFLINE: AgentState.OFFLINE,
    AgentStatus.UNKNOWN: AgentState.UNKNOWN,
}


def derived_agent(employee: Employee, since: datetime) -> Agent:
    """The agent state the SIP status alone tells, for sources without agent states:
    talking is on a call, online is available (pauses unseen), DND, offline, unknown."""
    return Agent(employee_id=employee.id, state=_FROM_STATUS[employee.status], since=since,
                 pause_known=False, derived=True)


@dataclass(frozen=True, slots=True)
class StateCount:
    """How many agents are in each state (the agents grid's totals, a queue's agents)."""

    available: int = 0
    busy: int = 0
    """Ringing or on a call."""
    wrap_up: int = 0
    paused: int = 0
    dnd: int = 0
    offline: int = 0
    unknown: int = 0


def count_states(states: dict[AgentState, int]) -> StateCount:
    get = states.get
    return StateCount(
        available=get(AgentState.AVAILABLE, 0),
        busy=get(AgentState.RINGING, 0) + get(AgentState.ON_CALL, 0),
        wrap_up=get(AgentState.WRAP_UP, 0), paused=get(AgentState.PAUSED, 0),
        dnd=get(AgentState.DND, 0), offline=get(AgentState.OFFLINE, 0),
        unknown=get(AgentState.UNKNOWN, 0))


def queue_slug(name: str) -> str:
    """A queue id from a routing scheme's name: ``Main line`` -> ``main-line``."""
    out = []
    for ch in name.strip().lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "queue"


@dataclass(frozen=True, slots=True)
class QueueDefaults:
    """What the configuration says of one queue (``[[queues.queue]]``); None: the
    source's (or the general default)."""

    name: str | None = None
    department: str | None = None
    service_level_seconds: float | None = None
    short_abandon_seconds: float | None = None


@dataclass(frozen=True)
class QueueCatalog:
    """How sources make their :class:`Queue` objects: the configured thresholds and names
    win over what the PBX says, the general defaults fill the rest."""

    service_level_seconds: float = DEFAULT_SERVICE_LEVEL_SECONDS
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
    overrides: tuple[tuple[str, QueueDefaults], ...] = ()

    def make(self, queue_id: str, name: str, *, department: str | None = None,
             service_level_seconds: float | None = None, callbacks_waiting: int = 0) -> Queue:
        mine = dict(self.overrides).get(queue_id, QueueDefaults())
        return Queue(
            id=queue_id, name=mine.name or name,
            department=mine.department if mine.department is not None else department,
            service_level_seconds=(mine.service_level_seconds or service_level_seconds
                                   or self.service_level_seconds),
            short_abandon_seconds=(mine.short_abandon_seconds
                                   if mine.short_abandon_seconds is not None
                                   else self.short_abandon_seconds),
            callbacks_waiting=callbacks_waiting)
