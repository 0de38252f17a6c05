"""What Asterisk has right now, as told over AMI: channels, bridges, holds, device states.

Pure and synchronous. ``load()`` takes a CoreShowChannels listing and device states;
``apply()`` takes one event and returns the linkedids it touched, so the call mapping
recomputes only those calls (a call is the group of channels sharing a ``Linkedid``:
Asterisk gives a dialled channel its caller's linkedid and, in a bridge, every channel
the oldest linkedid — bridge_channel.c ast_bridge_channel_update_linkedids).

Every channel event carries the whole channel snapshot (manager_channels.c
ast_manager_build_channel_state_string_prefix: Channel, ChannelState, ChannelStateDesc,
CallerIDNum, CallerIDName, ConnectedLineNum, ConnectedLineName, Language, AccountCode,
Context, Exten, Priority, Uniqueid, Linkedid, then ChanVariable lines); Dial and agent
events carry a second one with the ``Dest`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from wallboard.sources.ami.protocol import AmiMessage
from wallboard.sources.endpoints import DND_ON_DEVICE_STATES, Directory

IGNORED_TECHNOLOGIES = frozenset(
    {"Snoop", "Announcer", "Recorder", "UnicastRTP", "AudioSocket", "Message", "CBAnn", "CBRec"}
)
UNKNOWN = "<unknown>"
"""What AMI writes for an empty caller id (S_OR(..., "<unknown>"))."""

CHANNEL_EVENTS = frozenset(
    {"Newchannel", "Newstate", "NewConnectedLine", "NewCallerid", "Hangup", "Hold", "Unhold",
     "BridgeEnter", "BridgeLeave", "DialBegin", "DialEnd", "QueueCallerJoin", "AgentCalled"}
)
"""The events that change what a call is. QueueCallerLeave/Abandon and the other Agent*
events repeat snapshots the channel events already gave: only the queue model reads them."""

RENAMING = frozenset({"NewCallerid", "NewConnectedLine"})
"""Events after which a known channel's caller or connected line differ
(manager_channels.c raises them exactly then); other events leave those alone."""
DEST_EVENTS = frozenset({"DialBegin", "DialEnd", "AgentCalled"})
"""Events with a second channel snapshot, the ``Dest`` one (the dialled or agent leg)."""


EXTENSION_STATES = {
    "Idle": "NOT_INUSE", "InUse": "INUSE", "Busy": "BUSY", "Unavailable": "UNAVAILABLE",
    "Ringing": "RINGING", "InUse&Ringing": "RINGINUSE", "Hold": "ONHOLD",
    "InUse&Hold": "ONHOLD", "Unknown": "UNKNOWN",
}
"""A hint's StatusText (main/extension_state.c) as the device state it stands for."""


def hint_devices(hint: str) -> list[str]:
    """``PJSIP/1001&Custom:DND1001,CustomPresence:1001`` -> the devices of the hint."""
    return [d for d in hint.split(",", 1)[0].split("&") if d]


def endpoint_of(name: str) -> str:
    """``PJSIP/1001-0000002a`` -> ``PJSIP/1001``; ``Local/x@ctx-00;1`` -> ``Local/x@ctx``."""
    head, sep, _tail = name.split(";", 1)[0].rpartition("-")
    return head if sep and "/" in head else name


@dataclass(slots=True)
class AmiChannel:
    uniqueid: str
    name: str
    endpoint: str
    technology: str
    state: str
    """ChannelStateDesc: Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy, ..."""
    caller_number: str
    connected_number: str
    first_context: str
    first_exten: str
    linkedid: str
    created_at: datetime
    variables: dict[str, str] = field(default_factory=dict)
    bridge: str | None = None
    bridged_at: datetime | None = None
    held: bool = False
    queue: str | None = None
    """The queue this channel waited in (sticky: the call's routing scheme)."""
    queued_at: datetime | None = None
    """When it joined that queue."""


def _number(value: str) -> str:
    return "" if value == UNKNOWN else value


class AmiWorld:
    def __init__(
        self,
        directory: Directory,
        own_prefix: str | tuple[str, ...],
        dnd_device: str | None = None,
    ) -> None:
        self.directory = directory
        self.own_prefix = own_prefix
        self.channels: dict[str, AmiChannel] = {}
        self.groups: dict[str, set[str]] = {}
        """linkedid -> uniqueids"""
        self.bridges: dict[str, set[str]] = {}
        self.devices: dict[str, str] = {}
        """device -> state name, for the mapped endpoints and DND devices."""
        self.dirty_endpoints: set[str] = set()
        self._dnd_devices: dict[str, str] = {}
        if dnd_device:
            for endpoint in directory.endpoints:
                technology, _, resource = endpoint.partition("/")
                name = dnd_device.format(
                    resource=resource, technology=technology, endpoint=endpoint
                )
                self._dnd_devices[name] = endpoint

    @property
    def dnd_devices(self) -> list[str]:
        return list(self._dnd_devices)

    def is_own(self, uniqueid: str) -> bool:
        return uniqueid.startswith(self.own_prefix)

    # -- loading ----------------------------------------------------------------------------
    def load(
        self, listing: list[AmiMessage], devices: dict[str, str], now: datetime
    ) -> None:
        """Replace everything with a fresh CoreShowChannels listing and device states."""
        self.channels, self.groups, self.bridges = {}, {}, {}
        for item in listing:
            channel = self._touch(item, now, created=now - _duration(item.get("Duration")))
            bridge = item.get("BridgeId")
            if bridge:
                self._enter(channel, bridge, now)
        for members in self.bridges.values():
            # no listing says when a bridge formed: the last member's creation is the
            # nearest bound (a talk already going on when we connect starts no later)
            since = max(self.channels[u].created_at for u in members)
            for uniqueid in members:
                self.channels[uniqueid].bridged_at = since
        self.directory.reset()
        self.devices = {}
        for device, state in devices.items():
            self.set_device(device, state)
        self.dirty_endpoints = set(self.directory.endpoints)

    # -- events -----------------------------------------------------------------------------
    def apply(self, event: AmiMessage, now: datetime) -> set[str]:
        """Apply one event (``now``: when it arrived); the linkedids whose calls may have
        changed."""
        kind = event.headers.get("Event", "")
        if kind == "DeviceStateChange":
            self.set_device(event.get("Device"), event.get("State"))
            return set()
        if kind == "ExtensionStatus":  # hints: used when DeviceStateList is missing
            self.set_hint(event.get("Hint"), event.get("StatusText"))
            return set()
        if kind == "Rename":  # main/channel.c: a masquerade or a transfer renames
            channel = self.channels.get(event.get("Uniqueid"))
            if channel is not None and event.get("Newname"):
                channel.name = event.get("Newname")
            return set()
        if kind not in CHANNEL_EVENTS or "Uniqueid" not in event.headers:
            return set()
        touched: set[str] = set()
        if kind == "Hangup":
            self._remove(event.headers["Uniqueid"], touched)
            return touched
        channel = self._touch(event, now, touched=touched)
        if kind in ("Hold", "Unhold"):
            channel.held = kind == "Hold"
        elif kind == "BridgeEnter":
            self._enter(channel, event.get("BridgeUniqueid"), event_time(event, now))
            touched.update(self._bridge_groups(channel.bridge))
            # Asterisk gives every channel of the bridge the oldest linkedid, which the
            # joining channel's event carries; the others get no event of their own.
            for peer in self.bridge_peers(channel):
                if peer.linkedid != channel.linkedid:
                    self._relink(peer, channel.linkedid, touched)
        elif kind == "BridgeLeave":
            self._leave(channel)
            touched.update(self._bridge_groups(event.get("BridgeUniqueid")))
        elif kind == "QueueCallerJoin":
            channel.queue = event.get("Queue") or channel.queue
            channel.queued_at = channel.queued_at or event_time(event, now)
        if kind in DEST_EVENTS and "DestUniqueid" in event.headers:
            peer = self._touch(event, now, prefix="Dest", touched=touched)
            if kind == "AgentCalled" and channel.queue and peer.queue is None:
                peer.queue, peer.queued_at = channel.queue, channel.queued_at
        return touched

    def set_device(self, device: str, state: str) -> None:
        if device in self._dnd_devices:
            endpoint = self._dnd_devices[device]
            self.directory.accounts[endpoint].dnd = state in DND_ON_DEVICE_STATES
            self.dirty_endpoints.add(endpoint)
            self.devices[device] = state
            return
        account = self.directory.accounts.get(device)
        if account is not None:
            account.device_state = state
            self.devices[device] = state
            self.dirty_endpoints.add(device)

    def set_hint(self, hint: str, status_text: str) -> None:
        """A hint's state, for the mapped endpoint it names (the hint's other devices,
        such as FreePBX's ``Custom:DND1001``, are folded into one state by Asterisk)."""
        state = EXTENSION_STATES.get(status_text)
        if state is None:
            return
        for device in hint_devices(hint):
            if device in self.directory.accounts:
                self.set_device(device, state)
                return

    def set_dnd(self, endpoint: str, on: bool) -> None:
        account = self.directory.accounts.get(endpoint)
        if account is not None and account.dnd != on:
            account.dnd = on
            self.dirty_endpoints.add(endpoint)

    # -- helpers ----------------------------------------------------------------------------
    def _touch(
        self,
        event: AmiMessage,
        now: datetime,
        *,
        prefix: str = "",
        created: datetime | None = None,
        touched: set[str] | None = None,
    ) -> AmiChannel:
        h = event.headers
        uniqueid = h[prefix + "Uniqueid"]
        linkedid = h.get(prefix + "Linkedid") or uniqueid
        channel = self.channels.get(uniqueid)
        if channel is None:
            name = h[prefix + "Channel"]  # a snapshot without its channel is malformed
            channel = AmiChannel(
                uniqueid=uniqueid,
                name=name,
                endpoint=endpoint_of(name),
                technology=name.split("/", 1)[0],
                state=h.get(prefix + "ChannelStateDesc", ""),
                caller_number=_number(h.get(prefix + "CallerIDNum", "")),
                connected_number=_number(h.get(prefix + "ConnectedLineNum", "")),
                first_context=h.get(prefix + "Context", ""),
                first_exten=h.get(prefix + "Exten", ""),
                linkedid=linkedid,
                created_at=created or event_time(event, now),
            )
            self.channels[uniqueid] = channel
            self.groups.setdefault(linkedid, set()).add(uniqueid)
        else:
            if channel.linkedid != linkedid:
                self._relink(channel, linkedid, touched)
            channel.state = h.get(prefix + "ChannelStateDesc", channel.state)
            if h.get("Event") in RENAMING:  # Asterisk raises these when the ids change
                channel.caller_number = _number(
                    h.get(prefix + "CallerIDNum", channel.caller_number))
                channel.connected_number = _number(
                    h.get(prefix + "ConnectedLineNum", channel.connected_number))
        if not prefix and event.variables:
            channel.variables.update(event.variables)
        if touched is not None:
            touched.add(linkedid)
        return channel

    def _relink(self, channel: AmiChannel, linkedid: str, touched: set[str] | None) -> None:
        old = self.groups.get(channel.linkedid)
        if old is not None:
            old.discard(channel.uniqueid)
            if touched is not None:
                touched.add(channel.linkedid)
            if not old:
                del self.groups[channel.linkedid]
        channel.linkedid = linkedid
        self.groups.setdefault(linkedid, set()).add(channel.uniqueid)

    def _enter(self, channel: AmiChannel, bridge: str, now: datetime) -> None:
        if channel.bridge and channel.bridge != bridge:
            self._leave(channel)
        channel.bridge = bridge
        channel.bridged_at = channel.bridged_at or now
        self.bridges.setdefault(bridge, set()).add(channel.uniqueid)

    def _leave(self, channel: AmiChannel) -> None:
        members = self.bridges.get(channel.bridge or "")
        if members is not None:
            members.discard(channel.uniqueid)
            if not members:
                del self.bridges[channel.bridge or ""]
        channel.bridge = None
        channel.bridged_at = None

    def _bridge_groups(self, bridge: str | None) -> set[str]:
        members = self.bridges.get(bridge or "", ())
        return {self.channels[u].linkedid for u in members if u in self.channels}

    def _remove(self, uniqueid: str, touched: set[str]) -> None:
        channel = self.channels.pop(uniqueid, None)
        if channel is None:
            return
        if channel.bridge:
            touched.update(self._bridge_groups(channel.bridge))
            self._leave(channel)
        group = self.groups.get(channel.linkedid)
        if group is not None:
            group.discard(uniqueid)
            if not group:
                del self.groups[channel.linkedid]
        touched.add(channel.linkedid)

    def bridge_peers(self, channel: AmiChannel) -> list[AmiChannel]:
        members = self.bridges.get(channel.bridge or "", ())
        return [self.channels[u] for u in members if u != channel.uniqueid and u in self.channels]


def _duration(value: str) -> timedelta:
    """CoreShowChannel's ``Duration: HH:MM:SS`` (empty when unknown)."""
    try:
        h, m, s = (int(x) for x in value.split(":"))
    except ValueError:
        return timedelta(0)
    return timedelta(hours=h, minutes=m, seconds=s)


def event_time(event: AmiMessage, now: datetime) -> datetime:
    """When it happened: the ``Timestamp`` header (manager.conf ``timestampevents = yes``,
    seconds since the epoch), else ``now``, when it arrived. Read only for what is kept
    (a channel's creation, a bridge entered, a queue joined)."""
    stamp = event.headers.get("Timestamp")
    if stamp:
        try:
            return datetime.fromtimestamp(float(stamp), UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return now
