"""What Asterisk has right now: channels, bridges, dial links, holds, endpoint states.

:class:`AriWorld` is pure and synchronous: ``load()`` takes the lists read over HTTP,
``apply()`` takes one WebSocket event. :mod:`wallboard.sources.ari.mapping` reads it to
decide what the calls are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wallboard.sources.ari.directory import DND_ON_DEVICE_STATES, Directory
from wallboard.sources.ari.models import AriEvent, Bridge, Channel, DeviceState, Endpoint

IGNORED_TECHNOLOGIES = frozenset(
    {"Snoop", "Announcer", "Recorder", "UnicastRTP", "AudioSocket", "Message", "CBAnn", "CBRec"}
)
"""Helper channels that are never a party to a call."""


@dataclass
class ChannelInfo:
    channel: Channel
    first_context: str
    first_exten: str
    variables: dict[str, str] = field(default_factory=dict)
    bridged_at: datetime | None = None
    held: bool = False
    dialed_by: str | None = None
    """The channel that dialled this one (from the Dial event)."""
    call_id: str | None = None
    """The call this channel last belonged to (sticky across transfers)."""

    @property
    def id(self) -> str:
        return self.channel.id

    @property
    def created(self) -> datetime | None:
        return self.channel.creationtime

    def update(self, channel: Channel) -> None:
        self.channel = channel
        if channel.channelvars:
            for name, value in channel.channelvars.items():
                self.variables[name.lstrip("_")] = value or ""


def _bare(name: str) -> str:
    return name.lstrip("_")


class AriWorld:
    def __init__(self, directory: Directory, own_prefix: str, dnd_device: str | None = None):
        self.directory = directory
        self.own_prefix = own_prefix
        self.channels: dict[str, ChannelInfo] = {}
        self.bridges: dict[str, Bridge] = {}
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

    # -- which channels count ----------------------------------------------------------
    def is_own(self, channel_id: str) -> bool:
        return channel_id.startswith(self.own_prefix)

    def is_party(self, info: ChannelInfo) -> bool:
        """A channel that can be the client or the manager (not a helper of any kind)."""
        return not self.is_own(info.id) and info.channel.technology not in IGNORED_TECHNOLOGIES

    # -- loading and applying -------------------------------------------------------------
    def load(
        self,
        channels: list[Channel],
        bridges: list[Bridge],
        endpoints: list[Endpoint],
        device_states: list[DeviceState],
        dnd: dict[str, bool] | None = None,
    ) -> None:
        """Replace everything with fresh lists (start and every resync)."""
        sticky = {cid: info.call_id for cid, info in self.channels.items()}
        self.channels = {}
        for channel in channels:
            info = self._add(channel)
            info.call_id = sticky.get(channel.id)
        self.bridges = {}
        for bridge in bridges:
            self._set_bridge(bridge, at=bridge.creationtime)
        self.directory.reset()
        for endpoint in endpoints:
            self._endpoint(endpoint)
        for state in device_states:
            self._device(state)
        for resource, on in (dnd or {}).items():
            self.set_dnd(resource, on)

    def apply(self, event: AriEvent, now: datetime) -> None:
        at = event.timestamp or now
        kind = event.type
        if kind == "ChannelDestroyed" and event.channel:
            self._remove_channel(event.channel.id)
            return
        if kind == "ChannelVarset" and event.channel and event.variable:
            info = self._touch(event.channel)
            info.variables[_bare(event.variable)] = event.value or ""
            return
        if kind == "Dial":
            if event.caller:
                self._touch(event.caller)
            if event.peer:
                peer = self._touch(event.peer)
                if event.caller and event.caller.id != peer.id:
                    peer.dialed_by = event.caller.id
            return
        if kind in ("ChannelHold", "ChannelUnhold") and event.channel:
            self._touch(event.channel).held = kind == "ChannelHold"
            return
        if kind in ("ChannelEnteredBridge", "ChannelLeftBridge") and event.bridge:
            if event.channel:
                info = self._touch(event.channel)
                if kind == "ChannelEnteredBridge":
                    info.bridged_at = at
                else:
                    info.bridged_at = None
            self._set_bridge(event.bridge, at=at)
            return
        if kind in ("BridgeCreated", "BridgeMerged") and event.bridge:
            self._set_bridge(event.bridge, at=at)
            return
        if kind == "BridgeDestroyed" and event.bridge:
            self.bridges.pop(event.bridge.id, None)
            return
        if kind == "EndpointStateChange" and event.endpoint:
            self._endpoint(event.endpoint)
            return
        if kind == "DeviceStateChanged" and event.device_state:
            self._device(event.device_state)
            return
        if event.channel is not None and kind.startswith(("Channel", "Stasis")):
            if kind == "ChannelCreated" and event.channel.id in self.channels:
                return  # the list already had it, possibly newer
            self._touch(event.channel)

    def set_dnd(self, endpoint: str, on: bool) -> None:
        state = self.directory.accounts.get(endpoint)
        if state is not None:
            state.dnd = on

    # -- helpers ------------------------------------------------------------------------
    def _add(self, channel: Channel) -> ChannelInfo:
        info = ChannelInfo(channel, channel.dialplan.context, channel.dialplan.exten)
        info.update(channel)
        self.channels[channel.id] = info
        return info

    def _touch(self, channel: Channel) -> ChannelInfo:
        info = self.channels.get(channel.id)
        if info is None:
            return self._add(channel)
        info.update(channel)
        return info

    def _remove_channel(self, channel_id: str) -> None:
        self.channels.pop(channel_id, None)
        for bridge_id, bridge in list(self.bridges.items()):
            if channel_id in bridge.channels:
                rest = [c for c in bridge.channels if c != channel_id]
                self.bridges[bridge_id] = bridge.model_copy(update={"channels": rest})
        for info in self.channels.values():
            if info.dialed_by == channel_id:
                info.dialed_by = None

    def _set_bridge(self, bridge: Bridge, at: datetime | None) -> None:
        members = set(bridge.channels)
        for other_id, other in list(self.bridges.items()):
            if other_id != bridge.id and members & set(other.channels):
                rest = [c for c in other.channels if c not in members]
                self.bridges[other_id] = other.model_copy(update={"channels": rest})
        self.bridges[bridge.id] = bridge
        for channel_id in bridge.channels:
            info = self.channels.get(channel_id)
            if info is not None and info.bridged_at is None:
                info.bridged_at = at

    def bridge_of(self, channel_id: str) -> Bridge | None:
        for bridge in self.bridges.values():
            if channel_id in bridge.channels:
                return bridge
        return None

    def _endpoint(self, endpoint: Endpoint) -> None:
        state = self.directory.accounts.get(endpoint.id)
        if state is not None:
            state.endpoint_state = endpoint.state

    def _device(self, device: DeviceState) -> None:
        if device.name in self._dnd_devices:
            self.set_dnd(self._dnd_devices[device.name], device.state in DND_ON_DEVICE_STATES)
            return
        state = self.directory.accounts.get(device.name)
        if state is not None:
            state.device_state = device.state
