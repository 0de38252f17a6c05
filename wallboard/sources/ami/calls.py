"""From AMI channels to wallboard calls, one linkedid group at a time.

A call is the group of channels sharing a ``Linkedid`` (its id). In a group the *client*
is the oldest channel that is not a manager's endpoint (nor a Local half); the *manager*
is the mapped endpoint's channel that is bridged (else the one up, else ringing). An
event touches only its groups (:meth:`AmiWorld.apply` says which), so the cost of an
event does not grow with the number of live calls; :meth:`full` recomputes everything
and is used for a snapshot and by the property test that checks the two agree.
Pure: no I/O, time passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallboard.config import AmiSource
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.sources.ami.world import IGNORED_TECHNOLOGIES, AmiChannel, AmiWorld

_TYPES = {t.value: t for t in CallType}


@dataclass(slots=True)
class _Meta:
    created_at: datetime
    answered_at: datetime | None = None
    queue: str | None = None
    """The queue the call waited in: its routing scheme, kept through a resync."""
    queued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Roles:
    """Who is who in one call (listening reads the manager's channel from here)."""

    call_id: str
    members: tuple[str, ...]
    client: str | None
    agent: str | None


class AmiCallMapper:
    def __init__(self, settings: AmiSource, world: AmiWorld) -> None:
        self.settings = settings
        self.world = world
        self.calls: dict[str, Call] = {}
        """The calls as last emitted."""
        self.roles: dict[str, Roles] = {}
        self.statuses: dict[str, AgentStatus] = {}
        self._meta: dict[str, _Meta] = {}
        self._revision: dict[str, int] = {}
        self._talking: dict[str, frozenset[str]] = {}
        self._talk_count: Counter[str] = Counter()

    # -- output -----------------------------------------------------------------------------
    def snapshot(self, now: datetime) -> Snapshot:
        """Everything recomputed (start and every resync)."""
        self._talking, self._talk_count = {}, Counter()
        for account in self.world.directory.accounts.values():
            account.talking = False
        stale = set(self.calls)
        self.calls, self.roles = {}, {}
        self.update(set(self.world.groups) | stale, now)
        alive = set(self.calls)
        for call_id in list(self._meta):
            if call_id not in alive:
                del self._meta[call_id]
        self.statuses = self.world.directory.statuses()
        self.world.dirty_endpoints.clear()
        return Snapshot(
            calls=tuple(self.calls.values()),
            employees=tuple(self.world.directory.build()),
            at=now,
        )

    def update(self, linkedids: set[str], now: datetime) -> list[Event]:
        """Recompute the calls of these groups; what changed, as events."""
        events: list[Event] = []
        for call_id in linkedids:
            computed = self._compute(call_id, now)
            known = self.calls.get(call_id)
            if computed is None:
                if known is not None:
                    del self.calls[call_id]
                    self.roles.pop(call_id, None)
                    self._meta.pop(call_id, None)
                    self._set_talking(call_id, frozenset())
                    events.append(CallEnded.model_construct(call_id=call_id, at=now))
                continue
            fields, roles, talking = computed
            self.roles[call_id] = roles
            self._set_talking(call_id, talking)
            revision = self._revision.get(call_id, 0) + 1
            if known is None:
                call = Call.model_construct(**fields, revision=revision)
            else:
                have = known.__dict__
                changed = {k: v for k, v in fields.items() if have[k] != v}
                if not changed:
                    continue
                changed["revision"] = revision
                call = known.model_copy(update=changed)  # no validation: built here
            self._revision[call_id] = revision
            self.calls[call_id] = call
            events.append(CallUpserted.model_construct(call=call))
        events.extend(self._statuses(now))
        return events

    def full(self, now: datetime) -> dict[str, Call]:
        """Every call computed from scratch (revisions left at 0): the reference."""
        result = {}
        for call_id in self.world.groups:
            computed = self._compute(call_id, now, peek=True)
            if computed is not None:
                result[call_id] = Call.model_construct(**computed[0], revision=0)
        return result

    def _set_talking(self, call_id: str, talking: frozenset[str]) -> None:
        old = self._talking.get(call_id, frozenset())
        if old == talking:
            return
        for endpoint in old - talking:
            self._talk_count[endpoint] -= 1
            self._mark(endpoint)
        for endpoint in talking - old:
            self._talk_count[endpoint] += 1
            self._mark(endpoint)
        if talking:
            self._talking[call_id] = talking
        else:
            self._talking.pop(call_id, None)

    def _mark(self, endpoint: str) -> None:
        account = self.world.directory.accounts.get(endpoint)
        if account is not None:
            account.talking = self._talk_count[endpoint] > 0
            self.world.dirty_endpoints.add(endpoint)

    def _statuses(self, now: datetime) -> list[Event]:
        directory = self.world.directory
        events: list[Event] = []
        for endpoint in self.world.dirty_endpoints:
            account = directory.accounts.get(endpoint)
            owner = directory.employee_of(endpoint)
            if account is None or owner is None:
                continue
            status = account.status
            if self.statuses.get(endpoint) is not status:
                self.statuses[endpoint] = status
                events.append(
                    AccountStatusChanged.model_construct(
                        employee_id=owner, account_id=endpoint, status=status, at=now
                    )
                )
        self.world.dirty_endpoints.clear()
        return events

    # -- one call ---------------------------------------------------------------------------
    def _compute(
        self, call_id: str, now: datetime, peek: bool = False
    ) -> tuple[dict[str, Any], Roles, frozenset[str]] | None:
        """The call's fields (all but the revision), who is who, the managers talking."""
        world = self.world
        uniqueids = world.groups.get(call_id)
        if not uniqueids:
            return None
        members = sorted(
            (
                world.channels[u]
                for u in uniqueids
                if not world.is_own(u) and world.channels[u].technology not in IGNORED_TECHNOLOGIES
            ),
            key=lambda c: (c.created_at, c.uniqueid),
        )
        real = [m for m in members if m.technology != "Local"]
        if not real or real[0].first_context in self.settings.ignore_contexts:
            return None
        owner = world.directory.owner
        origin = real[0]
        client = next((m for m in real if m.endpoint not in owner), None)
        agent = self._agent([m for m in real if m.endpoint in owner], client)
        meta = self._meta.get(call_id)
        if meta is None:
            meta = _Meta(created_at=origin.created_at)
            if not peek:
                self._meta[call_id] = meta
        side = client or origin
        answered = self._answered(side, agent)
        answered_at = meta.answered_at
        if answered and answered_at is None:
            answered_at = max(side.bridged_at or now, meta.created_at)
            if not peek:
                meta.answered_at = answered_at
        held = any(m.held for m in members)
        if answered_at is None:
            status = CallStatus.RINGING
        elif answered and not held:
            status = CallStatus.TALKING
        else:
            status = CallStatus.ON_HOLD
        ordered = ([client] if client else []) + [m for m in members if m is not client]
        call_type = self._type(ordered, origin)
        queue = next((m.queue for m in members if m.queue), None) or meta.queue
        queued_at = next((m.queued_at for m in members if m.queued_at), None) or meta.queued_at
        if queue and not peek:
            meta.queue, meta.queued_at = queue, queued_at
        extra = {"channel": side.uniqueid}
        if agent is not None:
            extra["agent_channel"] = agent.uniqueid
        if queue:
            extra["queue"] = queue
        fields: dict[str, Any] = dict(
            id=call_id,
            type=call_type,
            status=status,
            employee_id=owner.get(agent.endpoint) if agent else None,
            client_number=self._client_number(client, origin),
            business_number=self._business_number(ordered, client, origin),
            created_at=meta.created_at,
            answered_at=answered_at,
            routing_scheme=queue
            or self._variable(ordered, self.settings.routing_scheme_variable)
            or None,
            queue_id=queue,
            queued_at=queued_at if queue else None,
            project=world.directory.project,
            recording_url=None,
            extra=extra,
        )
        talking = frozenset(
            m.endpoint for m in real if status is not CallStatus.RINGING and m.state == "Up"
            and m.endpoint in owner
        )
        roles = Roles(
            call_id,
            tuple(m.uniqueid for m in members),
            client.uniqueid if client else None,
            agent.uniqueid if agent else None,
        )
        return fields, roles, talking

    @staticmethod
    def _agent(agents: list[AmiChannel], client: AmiChannel | None) -> AmiChannel | None:
        if not agents:
            return None
        if client is None:
            return agents[0]  # an internal call: the manager who called
        bridged = [a for a in agents if a.state == "Up" and a.bridged_at is not None]
        if bridged:
            return max(bridged, key=lambda a: a.bridged_at or a.created_at)
        up = [a for a in agents if a.state == "Up"]
        return (up or agents)[0]

    def _answered(self, side: AmiChannel, agent: AmiChannel | None) -> bool:
        if side.bridge is None:
            return False
        if not any(not self.world.is_own(p.uniqueid) for p in self.world.bridge_peers(side)):
            return False
        return agent is None or agent.state == "Up"

    def _type(self, ordered: list[AmiChannel], origin: AmiChannel) -> CallType:
        value = self._variable(ordered, self.settings.type_variable).strip().lower()
        if value in _TYPES:
            return _TYPES[value]
        context = origin.first_context
        settings = self.settings
        if context in settings.callback_contexts:
            return CallType.CALLBACK
        if context in settings.incoming_contexts:
            return CallType.INCOMING
        if context in settings.outgoing_contexts:
            return CallType.OUTGOING
        if origin.endpoint in self.world.directory.owner:
            return CallType.OUTGOING
        return CallType.INCOMING

    @staticmethod
    def _client_number(client: AmiChannel | None, origin: AmiChannel) -> str:
        if client is None:
            return origin.first_exten  # what the manager dialled
        if client is origin:
            return client.caller_number
        if origin.first_exten not in ("", "s"):
            return origin.first_exten
        return client.connected_number or client.caller_number

    def _business_number(
        self, ordered: list[AmiChannel], client: AmiChannel | None, origin: AmiChannel
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
    def _variable(ordered: list[AmiChannel], name: str | None) -> str:
        if not name:
            return ""
        bare = name.lstrip("_")
        for channel in ordered:  # channelvars may name it with inheritance underscores
            variables = channel.variables
            value = variables.get(bare) or variables.get("__" + bare) or variables.get("_" + bare)
            if value:
                return value
        return ""
