"""From Asterisk channels to wallboard calls: roles, type, status, revisions, statuses.

In a group of channels (:mod:`wallboard.sources.ari.grouping`) the *client* is the
oldest channel that is not a manager's endpoint; the *manager* is the mapped endpoint's
channel that is bridged (else the one ringing). The call's id is sticky: it stays with
the client's channel through transfers, so the row keeps its place while the manager
changes.

The mapping is incremental: :meth:`CallMapper.diff` rebuilds only the calls that the
channels touched since the last diff belong to, so an event costs the same with ten live
calls or a thousand. ``diff(full=True)`` (every resync) rebuilds them all, and gives the
same result. Pure: no I/O, time passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from wallboard.config import AriSource
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.sources.ari.grouping import FAR_PAST, Group, assign_ids, collect, make_group
from wallboard.sources.ari.models import ChannelInfo
from wallboard.sources.ari.world import AriWorld

RETIRED_KEPT = 20_000
"""Ended call ids remembered so that a late event never revives one (oldest dropped)."""


@dataclass(slots=True)
class _Meta:
    created_at: datetime
    had_client: bool = False
    answered_at: datetime | None = None
    queue: str | None = None
    """The queue the call waited in (sticky once seen: it stays the call's queue)."""
    queued_at: datetime | None = None


@dataclass(frozen=True)
class Roles:
    """Who is who in one call (for listening and for the managers' statuses)."""

    call_id: str
    members: tuple[str, ...]
    client: str | None
    agent: str | None


class CallMapper:
    def __init__(self, settings: AriSource, world: AriWorld) -> None:
        self.settings = settings
        self.world = world
        self.calls: dict[str, Call] = {}
        """The calls as last emitted."""
        self.roles: dict[str, Roles] = {}
        self.statuses: dict[str, AgentStatus] = {}
        self._meta: dict[str, _Meta] = {}
        self._revision: dict[str, int] = {}
        self._fields: dict[str, tuple[object, ...]] = {}
        self._retired: dict[str, None] = {}
        self._call_of: dict[str, str] = {}
        """channel -> the live call it is in"""
        self._members: dict[str, tuple[str, ...]] = {}
        self._anchor: dict[str, str] = {}
        self._talking: dict[str, frozenset[str]] = {}
        """call -> the managers' endpoints talking in it"""
        self._talking_count: Counter[str] = Counter()

    # -- output ---------------------------------------------------------------------------
    def snapshot(self, now: datetime) -> Snapshot:
        self.diff(now, full=True)
        return Snapshot(
            calls=tuple(self.calls.values()),
            employees=tuple(self.world.directory.build()),
            at=now,
        )

    def diff(self, now: datetime, full: bool = False) -> list[Event]:
        """Rebuild the calls touched since the last diff (all of them if ``full``) and
        say what changed."""
        world = self.world
        dirty, world.dirty = world.dirty, {}
        endpoints, world.dirty_endpoints = world.dirty_endpoints, set()
        if full:
            seeds: list[str] = list(world.channels)
            affected = set(self.calls)
            endpoints |= set(world.directory.accounts)
        else:
            seeds = [c for c in dirty if c in world.channels]
            affected = {self._call_of[c] for c in dirty if c in self._call_of}
        groups: list[Group] = []
        for members in collect(world, seeds, affected, self._call_of, self._members):
            group = make_group(world, members, self.settings.ignore_contexts, self._call_of,
                               self._adoptable)
            if group is not None:
                groups.append(group)
        ids = assign_ids(groups, self._anchor, self._taken)
        for call_id in affected:
            for channel_id in self._members.pop(call_id, ()):
                if self._call_of.get(channel_id) == call_id:
                    del self._call_of[channel_id]
        ended = affected - {call_id for call_id in ids if call_id is not None}
        events: list[Event] = []
        for call_id in sorted(ended):
            at = max((t for c in self._members_before(call_id, dirty) if (t := dirty[c])),
                     default=now)
            events.append(self._end(call_id, at))
            endpoints |= self._count_talking(call_id, None)
        for group, assigned in zip(groups, ids, strict=True):
            if assigned is None:
                continue
            event = self._rebuild(assigned, group, now)
            if event is not None:
                events.append(event)
            endpoints |= self._count_talking(assigned, group)
        events.extend(self._statuses(endpoints, now))
        return events

    # -- one call ---------------------------------------------------------------------------
    def _rebuild(self, call_id: str, group: Group, now: datetime) -> Event | None:
        members, client, anchor = group.members, group.client, group.anchor
        for info in members:
            info.call_id = call_id
            self._call_of[info.id] = call_id
        self._members[call_id] = tuple(m.id for m in members)
        self._anchor[call_id] = anchor.id
        meta = self._meta.get(call_id)
        if meta is None:
            meta = self._meta[call_id] = _Meta(created_at=group.origin.created or now)
        meta.had_client = meta.had_client or client is not None
        agent = self._agent(members, client)
        self.roles[call_id] = Roles(
            call_id, self._members[call_id], client.id if client else None,
            agent.id if agent else None,
        )
        fields = self._fields_of(group, agent, meta, now)
        if self._fields.get(call_id) == fields:
            return None
        self._fields[call_id] = fields
        revision = self._revision[call_id] = self._revision.get(call_id, 0) + 1
        (call_type, status, employee, client_number, business_number, created_at,
         answered_at, scheme, channel, agent_channel, queue, queued_at) = fields
        call = Call.model_construct(
            id=call_id, type=call_type, status=status, employee_id=employee,
            client_number=client_number, business_number=business_number,
            created_at=created_at, answered_at=answered_at, routing_scheme=scheme,
            queue_id=queue, queued_at=queued_at,
            project=self.world.directory.project, revision=revision, recording_url=None,
            extra={"channel": channel, **({"agent_channel": agent_channel} if agent_channel
                                          else {})},
        )
        self.calls[call_id] = call
        return CallUpserted.model_construct(kind="call", call=call)

    def _end(self, call_id: str, at: datetime) -> Event:
        self.calls.pop(call_id, None)
        self.roles.pop(call_id, None)
        self._meta.pop(call_id, None)
        self._revision.pop(call_id, None)
        self._fields.pop(call_id, None)
        self._anchor.pop(call_id, None)
        self._retired[call_id] = None
        if len(self._retired) > RETIRED_KEPT:
            del self._retired[next(iter(self._retired))]
        return CallEnded.model_construct(kind="call_ended", call_id=call_id, at=at)

    def _members_before(self, call_id: str, dirty: dict[str, datetime | None]) -> list[str]:
        roles = self.roles.get(call_id)
        return [c for c in (roles.members if roles else ()) if c in dirty]

    def _fields_of(
        self, group: Group, agent: ChannelInfo | None, meta: _Meta, now: datetime
    ) -> tuple[object, ...]:
        members, client, origin = group.members, group.client, group.origin
        ordered = ([client] if client else []) + [m for m in members if m is not client]
        call_type = self._type(ordered, origin)
        side = client or origin
        answered = self._answered(side, agent)
        if answered and meta.answered_at is None:
            meta.answered_at = max(side.bridged_at or now, meta.created_at)
        held = any(m.held for m in members)
        if meta.answered_at is None:
            status = CallStatus.RINGING
        elif answered and not held:
            status = CallStatus.TALKING
        else:
            status = CallStatus.ON_HOLD
        queue = self._variable(ordered, self.settings.queue_variable) or self._queue_app(members)
        if queue and meta.queue is None:
            meta.queue, meta.queued_at = queue, now
        directory = self.world.directory
        return (
            call_type,
            status,
            directory.owner.get(agent.endpoint) if agent else None,
            self._client_number(client, origin),
            self._business_number(ordered, client, origin),
            meta.created_at,
            meta.answered_at,
            self._variable(ordered, self.settings.routing_scheme_variable) or meta.queue,
            side.id,
            agent.id if agent else None,
            meta.queue,
            meta.queued_at,
        )

    @staticmethod
    def _queue_app(members: list[ChannelInfo]) -> str:
        """The queue of a channel in the dialplan application Queue(): its first argument
        (``Queue(support,tT,,,60)`` -> ``support``)."""
        for info in members:
            if info.app_name.lower() == "queue" and info.app_data:
                return info.app_data.split(",", 1)[0].strip()
        return ""

    def _agent(self, members: list[ChannelInfo], client: ChannelInfo | None) -> ChannelInfo | None:
        owner = self.world.directory.owner
        agents = [m for m in members if m.endpoint in owner]
        if not agents:
            return None
        if client is None:
            return agents[0]  # an internal call: the manager who called
        bridged = [a for a in agents if a.state == "Up" and a.bridged_at is not None]
        if bridged:
            return max(bridged, key=lambda a: a.bridged_at or FAR_PAST)
        up = [a for a in agents if a.state == "Up"]
        return (up or agents)[0]

    def _answered(self, side: ChannelInfo, agent: ChannelInfo | None) -> bool:
        bridge = self.world.bridge_of(side.id)
        if bridge is None or not bridge.links:
            return False
        world = self.world
        if not any(c != side.id and not world.is_own(c) for c in bridge.channels):
            return False
        return agent is None or agent.state == "Up"

    def _type(self, ordered: list[ChannelInfo], origin: ChannelInfo) -> CallType:
        value = self._variable(ordered, self.settings.type_variable).strip().lower()
        if value in CallType.__members__.values():
            return CallType(value)
        context = origin.first_context
        if context in self.settings.callback_contexts:
            return CallType.CALLBACK
        if context in self.settings.incoming_contexts:
            return CallType.INCOMING
        if context in self.settings.outgoing_contexts:
            return CallType.OUTGOING
        if origin.endpoint in self.world.directory.owner:
            return CallType.OUTGOING
        return CallType.INCOMING

    @staticmethod
    def _client_number(client: ChannelInfo | None, origin: ChannelInfo) -> str:
        if client is None:
            return origin.first_exten  # what the manager dialled
        if client is origin:
            return client.caller_number
        if origin.first_exten not in ("", "s"):
            return origin.first_exten
        return client.connected_number or client.caller_number

    def _business_number(
        self, ordered: list[ChannelInfo], client: ChannelInfo | None, origin: ChannelInfo
    ) -> str:
        value = self._variable(ordered, self.settings.business_number_variable)
        if value:
            return value
        if client is None:
            return ""
        if client is origin:
            return client.first_exten if client.first_exten != "s" else ""
        return client.caller_number

    @staticmethod
    def _variable(ordered: list[ChannelInfo], name: str | None) -> str:
        if not name:
            return ""
        bare = name.lstrip("_")
        for info in ordered:
            value = info.variables.get(bare)
            if value:
                return value
        return ""

    # -- ids ----------------------------------------------------------------------------
    def _adoptable(self, call_id: str) -> bool:
        """A call a manager started, still without a client: the client's leg takes it."""
        meta = self._meta.get(call_id)
        return meta is not None and not meta.had_client

    def _taken(self, call_id: str) -> bool:
        return call_id in self.calls or call_id in self._retired or call_id in self._meta

    # -- managers' statuses -----------------------------------------------------------------
    def _count_talking(self, call_id: str, group: Group | None) -> set[str]:
        """Update which endpoints talk in this call; returns the endpoints that changed."""
        now_talking: frozenset[str] = frozenset()
        if group is not None and self.calls[call_id].status is not CallStatus.RINGING:
            owner = self.world.directory.owner
            now_talking = frozenset(
                m.endpoint for m in group.members if m.state == "Up" and m.endpoint in owner
            )
        before = self._talking.pop(call_id, frozenset())
        if now_talking:
            self._talking[call_id] = now_talking
        self._talking_count.subtract(before - now_talking)
        self._talking_count.update(now_talking - before)
        return set(before ^ now_talking)

    def _statuses(self, endpoints: set[str], now: datetime) -> list[Event]:
        directory = self.world.directory
        events: list[Event] = []
        for endpoint in sorted(endpoints):
            state = directory.accounts.get(endpoint)
            if state is None:
                continue
            state.talking = self._talking_count[endpoint] > 0
            status = state.status
            if self.statuses.get(endpoint) is not status:
                owner = directory.owner.get(endpoint)
                if endpoint in self.statuses and owner is not None:
                    events.append(
                        AccountStatusChanged(
                            employee_id=owner, account_id=endpoint, status=status, at=now
                        )
                    )
                self.statuses[endpoint] = status
        return events
