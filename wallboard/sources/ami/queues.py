"""Queues, their members and waiting callers, as app_queue reports them over AMI.

Kept for the queues and agents of the board (wave 2 emits them as core events); pure
and synchronous like the call mapping. Field names are app_queue.c's
(asterisk/asterisk@f0c1c1a7): the QueueStatus listing says ``Name``/``Location`` for a
member where the QueueMember* events say ``MemberName``/``Interface``; ``Status`` is the
numeric device state (0 UNKNOWN ... 8 ONHOLD, include/asterisk/devicestate.h).

Wrap-up has no event: app_queue stamps ``LastCall`` when the member's device becomes
free again after a queue call (update_queue, then QueueMemberStatus with InCall 0), and
keeps the member out of the rotation for ``wrapuptime`` seconds from then. The member's
own ``Wrapuptime`` wins; the queue's is not reported, so it comes from the config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from wallboard.sources.ami.protocol import AmiMessage
from wallboard.sources.ami.world import event_time

DEVICE_STATES = ("UNKNOWN", "NOT_INUSE", "INUSE", "BUSY", "INVALID", "UNAVAILABLE", "RINGING",
                 "RINGINUSE", "ONHOLD")

MEMBER_EVENTS = frozenset(
    {"QueueMemberStatus", "QueueMemberAdded", "QueueMemberRemoved", "QueueMemberPause",
     "QueueMemberPenalty", "QueueMemberRinginuse"}
)
QUEUE_EVENTS = MEMBER_EVENTS | {
    "QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon", "AgentCalled", "AgentConnect",
    "AgentComplete", "AgentRingNoAnswer", "AgentDump",
}


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default


@dataclass(slots=True)
class Member:
    queue: str
    interface: str
    name: str
    state_interface: str = ""
    membership: str = "static"
    penalty: int = 0
    calls_taken: int = 0
    last_call: int = 0
    """Seconds since the epoch; 0: never."""
    last_pause: int = 0
    login_time: int = 0
    in_call: bool = False
    status: int = 0
    paused: bool = False
    paused_reason: str = ""
    wrapuptime: int = 0
    ringing_for: str | None = None
    """The caller's uniqueid while app_queue rings this member (AgentCalled)."""

    @property
    def device_state(self) -> str:
        return DEVICE_STATES[self.status] if 0 <= self.status < len(DEVICE_STATES) else "UNKNOWN"

    def wrapup_until(self, queue_wrapup: int) -> datetime | None:
        seconds = self.wrapuptime or queue_wrapup
        if not seconds or not self.last_call or self.in_call:
            return None
        return datetime.fromtimestamp(self.last_call, UTC) + timedelta(seconds=seconds)

    def in_wrapup(self, now: datetime, queue_wrapup: int) -> bool:
        until = self.wrapup_until(queue_wrapup)
        return until is not None and now < until


@dataclass(slots=True)
class Caller:
    uniqueid: str
    channel: str
    number: str
    name: str
    joined_at: datetime
    priority: int = 0


@dataclass
class Queue:
    name: str
    strategy: str = ""
    max: int = 0
    completed: int = 0
    abandoned: int = 0
    holdtime: int = 0
    talktime: int = 0
    service_level: int = 0
    members: dict[str, Member] = field(default_factory=dict)
    """interface -> member"""
    callers: dict[str, Caller] = field(default_factory=dict)
    """uniqueid -> caller, in queue order (position 1 first)."""

    def waiting(self) -> list[Caller]:
        return list(self.callers.values())


class QueueModel:
    def __init__(self) -> None:
        self.queues: dict[str, Queue] = {}
        self.dirty: set[str] = set()
        """Queues changed since the last look (wave 2 emits them)."""
        self.changed: list[Member] = []
        """Members whose state changed since the last look (removed ones included): only
        their managers' agent states are judged again, not every member of a queue a
        caller joined."""
        self.roster = 0
        """Counts changes of who is a member where (members added, removed, reloaded)."""
        self.summary: dict[str, dict[str, str]] = {}
        """QueueSummary at the last resync: LoggedIn, Available, Callers, HoldTime,
        TalkTime, LongestHoldTime per queue."""

    # -- QueueStatus --------------------------------------------------------------------------
    def load(self, listing: list[AmiMessage], now: datetime) -> None:
        """Replace everything with a QueueStatus listing (QueueParams, QueueMember,
        QueueEntry, in that order per queue)."""
        self.queues = {}
        for item in listing:
            kind = item.event
            name = item.get("Queue")
            if kind == "QueueParams":
                self.queues[name] = Queue(
                    name=name,
                    strategy=item.get("Strategy"),
                    max=_int(item.get("Max")),
                    completed=_int(item.get("Completed")),
                    abandoned=_int(item.get("Abandoned")),
                    holdtime=_int(item.get("Holdtime")),
                    talktime=_int(item.get("TalkTime")),
                    service_level=_int(item.get("ServiceLevel")),
                )
            elif kind == "QueueMember":
                queue = self._queue(name)
                member = Member(queue=name, interface=item.get("Location"), name=item.get("Name"))
                _fill(member, item)
                queue.members[member.interface] = member
            elif kind == "QueueEntry":
                caller = Caller(
                    uniqueid=item.get("Uniqueid"),
                    channel=item.get("Channel"),
                    number=_known(item.get("CallerIDNum")),
                    name=_known(item.get("CallerIDName")),
                    joined_at=now - timedelta(seconds=_int(item.get("Wait"))),
                    priority=_int(item.get("Priority")),
                )
                self._queue(name).callers[caller.uniqueid] = caller
        self.dirty = set(self.queues)
        self.changed = [m for q in self.queues.values() for m in q.members.values()]
        self.roster += 1

    # -- events -----------------------------------------------------------------------------
    def apply(self, event: AmiMessage, now: datetime) -> None:
        kind = event.event or ""
        if kind not in QUEUE_EVENTS:
            return
        name = event.get("Queue")
        if not name:
            return
        queue = self._queue(name)
        self.dirty.add(name)
        if kind in MEMBER_EVENTS:
            interface = event["Interface"]
            if kind == "QueueMemberRemoved":
                gone = queue.members.pop(interface, None)
                if gone is not None:
                    self.changed.append(gone)
                    self.roster += 1
                return
            member = queue.members.get(interface)
            if member is None:
                member = queue.members[interface] = Member(
                    queue=name, interface=interface, name=event.get("MemberName")
                )
                self.roster += 1
            before = member.state_interface
            member.name = event.get("MemberName", member.name)
            _fill(member, event)
            if member.state_interface != before:
                self.roster += 1
            self.changed.append(member)
        elif kind == "QueueCallerJoin":
            uniqueid = event["Uniqueid"]
            queue.callers[uniqueid] = Caller(
                uniqueid=uniqueid,
                channel=event.get("Channel"),
                number=_known(event.get("CallerIDNum")),
                name=_known(event.get("CallerIDName")),
                joined_at=event_time(event, now),
            )
        elif kind == "QueueCallerLeave":
            self.changed += self._stop_ringing(queue, event.get("Uniqueid"))
            queue.callers.pop(event.get("Uniqueid"), None)
        elif kind == "QueueCallerAbandon":
            queue.abandoned += 1
        elif kind == "AgentCalled":
            member = queue.members.get(event.get("Interface"))
            if member is not None:
                member.ringing_for = event.get("Uniqueid")
                self.changed.append(member)
        elif kind in ("AgentConnect", "AgentRingNoAnswer", "AgentDump"):
            member = queue.members.get(event.get("Interface"))
            if member is not None:
                member.ringing_for = None
                self.changed.append(member)
                if kind == "AgentConnect":  # app_queue stamps starttime, with no event
                    member.in_call = True
        elif kind == "AgentComplete":
            queue.completed += 1

    @staticmethod
    def _stop_ringing(queue: Queue, uniqueid: str) -> list[Member]:
        stopped = [m for m in queue.members.values() if m.ringing_for == uniqueid]
        for member in stopped:
            member.ringing_for = None
        return stopped

    def _queue(self, name: str) -> Queue:
        queue = self.queues.get(name)
        if queue is None:
            queue = self.queues[name] = Queue(name=name)
        return queue

    # -- reading ------------------------------------------------------------------------------
    def members_of(self, interface: str) -> list[Member]:
        """The memberships of one interface (e.g. ``PJSIP/1001``) across queues."""
        return [q.members[interface] for q in self.queues.values() if interface in q.members]


def _fill(member: Member, item: AmiMessage) -> None:
    h = item.headers
    member.state_interface = h.get("StateInterface", member.state_interface)
    member.membership = h.get("Membership", member.membership)
    member.penalty = _int(h.get("Penalty", ""), member.penalty)
    member.calls_taken = _int(h.get("CallsTaken", ""), member.calls_taken)
    member.last_call = _int(h.get("LastCall", ""), member.last_call)
    member.last_pause = _int(h.get("LastPause", ""), member.last_pause)
    member.login_time = _int(h.get("LoginTime", ""), member.login_time)
    member.in_call = h.get("InCall", "1" if member.in_call else "0") == "1"
    member.status = _int(h.get("Status", ""), member.status)
    member.paused = h.get("Paused", "1" if member.paused else "0") == "1"
    member.paused_reason = h.get("PausedReason", member.paused_reason) if member.paused else ""
    member.wrapuptime = _int(h.get("Wrapuptime", ""), member.wrapuptime)


def _known(value: str) -> str:
    return "" if value in ("unknown", "<unknown>") else value
