"""From Asterisk channels to wallboard calls: grouping, roles, type, status, revisions.

A call is a group of channels joined by a bridge, a Dial, or the two halves of a Local
channel. In a group the *client* is the oldest channel that is not a manager's endpoint;
the *manager* is the mapped endpoint's channel that is bridged (else the one ringing).
The call's id is sticky: it stays with the client's channel through transfers, so the
row keeps its place while the manager changes. Pure: no I/O, time passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from wallboard.config import AriSource
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.sources.ari.world import AriWorld, ChannelInfo

_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class _Meta:
    created_at: datetime
    had_client: bool = False
    answered_at: datetime | None = None


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
        self._retired: set[str] = set()

    # -- output ---------------------------------------------------------------------------
    def snapshot(self, now: datetime) -> Snapshot:
        self.diff(now)
        return Snapshot(
            calls=tuple(self.calls.values()),
            employees=tuple(self.world.directory.build()),
            at=now,
        )

    def diff(self, now: datetime) -> list[Event]:
        """Recompute the calls and say what changed since the last call."""
        fresh, roles = self._compute(now)
        events: list[Event] = []
        for call_id in list(self.calls):
            if call_id not in fresh:
                del self.calls[call_id]
                self.roles.pop(call_id, None)
                self._retired.add(call_id)
                events.append(CallEnded(call_id=call_id, at=now))
        for call_id, call in fresh.items():
            known = self.calls.get(call_id)
            if known is not None and known == call.model_copy(update={"revision": known.revision}):
                continue
            revision = self._revision.get(call_id, 0) + 1
            self._revision[call_id] = revision
            call = call.model_copy(update={"revision": revision})
            self.calls[call_id] = call
            events.append(CallUpserted(call=call))
        self.roles = roles
        self._forget_finished()
        events.extend(self._statuses(now))
        return events

    def _statuses(self, now: datetime) -> list[Event]:
        talking = set()
        for call_id, roles in self.roles.items():
            if self.calls[call_id].status is CallStatus.RINGING:
                continue
            for channel_id in roles.members:
                info = self.world.channels.get(channel_id)
                if info is not None and info.channel.state == "Up":
                    talking.add(info.channel.endpoint)
        directory = self.world.directory
        directory.set_talking(talking)
        events: list[Event] = []
        for endpoint, status in directory.statuses().items():
            if self.statuses.get(endpoint) is not status:
                owner = directory.employee_of(endpoint)
                if endpoint in self.statuses and owner is not None:
                    events.append(
                        AccountStatusChanged(
                            employee_id=owner, account_id=endpoint, status=status, at=now
                        )
                    )
                self.statuses[endpoint] = status
        return events

    def _forget_finished(self) -> None:
        alive = set(self.calls) | {i.call_id for i in self.world.channels.values() if i.call_id}
        for call_id in list(self._meta):
            if call_id not in alive:
                del self._meta[call_id]
                self._revision.pop(call_id, None)

    # -- grouping -------------------------------------------------------------------------
    def _groups(self) -> list[list[ChannelInfo]]:
        world = self.world
        parties = {cid: info for cid, info in world.channels.items() if not world.is_own(cid)}
        parent = {cid: cid for cid in parties}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            if a in parent and b in parent:
                parent[find(a)] = find(b)

        for bridge in world.bridges.values():
            if bridge.bridge_type == "holding" or bridge.id.startswith(world.own_prefix):
                continue
            bridged = [c for c in bridge.channels if c in parties]
            for other in bridged[1:]:
                union(bridged[0], other)
        locals_: dict[str, str] = {}
        for cid, info in parties.items():
            if info.dialed_by:
                union(cid, info.dialed_by)
            if info.channel.technology == "Local":
                half = info.channel.name.rsplit(";", 1)[0]
                if half in locals_:
                    union(cid, locals_[half])
                locals_[half] = cid
        groups: dict[str, list[ChannelInfo]] = {}
        for cid, info in parties.items():
            groups.setdefault(find(cid), []).append(info)
        result = []
        for members in groups.values():
            members.sort(key=lambda i: (i.created or _FAR_PAST, i.id))
            real = [m for m in members if world.is_party(m) and m.channel.technology != "Local"]
            if not real or real[0].first_context in self.settings.ignore_contexts:
                continue
            result.append(members)
        return result

    def _client(self, members: list[ChannelInfo]) -> ChannelInfo | None:
        for info in members:
            if (
                self.world.is_party(info)
                and info.channel.technology != "Local"
                and self.world.directory.employee_of(info.channel.endpoint) is None
            ):
                return info
        return None

    def _agent(self, members: list[ChannelInfo], client: ChannelInfo | None) -> ChannelInfo | None:
        directory = self.world.directory
        agents = [m for m in members if directory.employee_of(m.channel.endpoint) is not None]
        if not agents:
            return None
        if client is None:
            return agents[0]  # an internal call: the manager who called
        bridged = [a for a in agents if a.channel.state == "Up" and a.bridged_at is not None]
        if bridged:
            return max(bridged, key=lambda a: a.bridged_at or _FAR_PAST)
        up = [a for a in agents if a.channel.state == "Up"]
        return (up or agents)[0]

    # -- computing --------------------------------------------------------------------------
    def _compute(self, now: datetime) -> tuple[dict[str, Call], dict[str, Roles]]:
        groups = self._groups()
        order = sorted(groups, key=lambda g: self._client(g) is None)
        claimed: set[str] = set()
        calls: dict[str, Call] = {}
        roles: dict[str, Roles] = {}
        for members in order:
            client = self._client(members)
            anchor = client or members[0]
            call_id = self._call_id(members, anchor, client, claimed)
            if call_id is None:
                continue
            claimed.add(call_id)
            for info in members:
                info.call_id = call_id
            meta = self._meta.setdefault(call_id, _Meta(created_at=anchor.created or now))
            meta.had_client = meta.had_client or client is not None
            agent = self._agent(members, client)
            calls[call_id] = self._call(call_id, members, client, agent, meta, now)
            roles[call_id] = Roles(
                call_id,
                tuple(m.id for m in members),
                client.id if client else None,
                agent.id if agent else None,
            )
        return calls, roles

    def _call_id(
        self,
        members: list[ChannelInfo],
        anchor: ChannelInfo,
        client: ChannelInfo | None,
        claimed: set[str],
    ) -> str | None:
        if anchor.call_id and anchor.call_id not in claimed:
            return anchor.call_id
        for info in members:
            meta = self._meta.get(info.call_id or "")
            if info.call_id and info.call_id not in claimed and meta and not meta.had_client:
                return info.call_id
        if client is None and any(info.call_id for info in members):
            return None  # a leftover leg of a call that lives on elsewhere
        call_id, n = anchor.id, 1
        while call_id in claimed or call_id in self._retired or call_id in self._meta:
            n += 1
            call_id = f"{anchor.id}#{n}"
        return call_id

    def _call(
        self,
        call_id: str,
        members: list[ChannelInfo],
        client: ChannelInfo | None,
        agent: ChannelInfo | None,
        meta: _Meta,
        now: datetime,
    ) -> Call:
        origin = next(
            m for m in members if self.world.is_party(m) and m.channel.technology != "Local"
        )
        ordered = ([client] if client else []) + [m for m in members if m is not client]
        call_type = self._type(ordered, origin)
        answered = self._answered(client or origin, agent)
        if answered and meta.answered_at is None:
            side = client or origin
            meta.answered_at = max(side.bridged_at or now, meta.created_at)
        held = any(m.held for m in members)
        if meta.answered_at is None:
            status = CallStatus.RINGING
        elif answered and not held:
            status = CallStatus.TALKING
        else:
            status = CallStatus.ON_HOLD
        directory = self.world.directory
        return Call(
            id=call_id,
            type=call_type,
            status=status,
            employee_id=directory.employee_of(agent.channel.endpoint) if agent else None,
            client_number=self._client_number(client, origin),
            business_number=self._business_number(ordered, client, origin, call_type),
            created_at=meta.created_at,
            answered_at=meta.answered_at,
            routing_scheme=self._variable(ordered, self.settings.routing_scheme_variable) or None,
            project=self.world.directory.project,
            extra={
                "channel": (client or origin).id,
                **({"agent_channel": agent.id} if agent else {}),
            },
        )

    def _answered(self, side: ChannelInfo, agent: ChannelInfo | None) -> bool:
        bridge = self.world.bridge_of(side.id)
        if bridge is None or bridge.bridge_type == "holding":
            return False
        others = [c for c in bridge.channels if c != side.id and not self.world.is_own(c)]
        if not others:
            return False
        if agent is None:
            return True
        return agent.channel.state == "Up"

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
        if self.world.directory.employee_of(origin.channel.endpoint) is not None:
            return CallType.OUTGOING
        return CallType.INCOMING

    def _client_number(self, client: ChannelInfo | None, origin: ChannelInfo) -> str:
        if client is None:
            return origin.first_exten  # what the manager dialled
        if client is origin:
            return client.channel.caller.number
        if origin.first_exten not in ("", "s"):
            return origin.first_exten
        return client.channel.connected.number or client.channel.caller.number

    def _business_number(
        self,
        ordered: list[ChannelInfo],
        client: ChannelInfo | None,
        origin: ChannelInfo,
        call_type: CallType,
    ) -> str:
        value = self._variable(ordered, self.settings.business_number_variable)
        if value:
            return value
        if client is None:
            return ""
        if client is origin:
            return client.first_exten if client.first_exten != "s" else ""
        return client.channel.caller.number

    @staticmethod
    def _variable(ordered: list[ChannelInfo], name: str | None) -> str:
        if not name:
            return ""
        for info in ordered:
            value = info.variables.get(name.lstrip("_"))
            if value:
                return value
        return ""
