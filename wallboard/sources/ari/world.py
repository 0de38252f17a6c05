"""What Asterisk has right now: channels, bridges, dial links, holds, endpoint states.

:class:`AriWorld` is pure and synchronous: ``load()`` takes the lists read over HTTP
(every resync), ``apply()`` takes one decoded WebSocket event. It keeps the indexes that
make an event cost the same whatever the number of calls (channel -> bridge, channel ->
the channels it dialled, Local half -> its channels, endpoint -> channels) and records
which channels each event touched (``dirty``), so that
:mod:`wallboard.sources.ari.mapping` recomputes only the calls concerned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from wallboard.sources.ari.directory import DND_ON_DEVICE_STATES, Directory
from wallboard.sources.ari.links import link_ringing_legs
from wallboard.sources.ari.models import (
    BridgeInfo,
    ChannelInfo,
    Json,
    device_state_json,
    endpoint_json,
    object_id,
    parse_ari_time,
)

IGNORED_TECHNOLOGIES = frozenset(
    {"Snoop", "Announcer", "Recorder", "UnicastRTP", "AudioSocket", "Message", "CBAnn", "CBRec"}
)
"""Helper channels that are never a party to a call."""

LISTEN_CHANNEL = re.compile(r"-listen\d+-(?:supervisor|snoop\d+)$")
"""The ids any wallboard gives its listen channels (``<app>-listenN-supervisor``): another
wallboard's supervisor phone is no call, even while it rings and is not in Stasis yet."""


class AriWorld:
    def __init__(self, directory: Directory, own_prefix: str, dnd_device: str | None = None):
        self.directory = directory
        self.own_prefix = own_prefix
        self.channels: dict[str, ChannelInfo] = {}
        self.bridges: dict[str, BridgeInfo] = {}
        self._bridge_of: dict[str, str] = {}
        self._dialled: dict[str, set[str]] = {}
        """channel -> the channels it dialled (the reverse of ChannelInfo.dialed_by)"""
        self._halves: dict[str, set[str]] = {}
        """``Local/x@ctx-0001`` -> the ids of its ;1 and ;2 channels"""
        self.endpoint_channels: dict[str, set[str]] = {}
        self.dirty: dict[str, datetime | None] = {}
        """Channels touched since the mapper last looked, with the time of the last event."""
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

    # -- which channels count ----------------------------------------------------------
    def is_own(self, channel_id: str) -> bool:
        return channel_id.startswith(self.own_prefix)

    def is_party(self, info: ChannelInfo) -> bool:
        """A channel that can be the client or the manager: not ours, not a helper, not
        another wallboard's listen channel, not in any Stasis application."""
        return not (
            info.id.startswith(self.own_prefix)
            or info.technology in IGNORED_TECHNOLOGIES
            or info.app_name == "Stasis"
            or LISTEN_CHANNEL.search(info.id)
        )

    def bridge_of(self, channel_id: str) -> BridgeInfo | None:
        bridge_id = self._bridge_of.get(channel_id)
        return self.bridges.get(bridge_id) if bridge_id is not None else None

    def neighbours(self, info: ChannelInfo) -> Iterator[str]:
        """The channels one call-link away: bridge mates, dial partners, Local halves."""
        bridge = self.bridge_of(info.id)
        if bridge is not None and bridge.links:
            yield from bridge.channels
        if info.dialed_by is not None:
            yield info.dialed_by
        yield from self._dialled.get(info.id, ())
        if info.technology == "Local":
            yield from self._halves.get(info.name.rsplit(";", 1)[0], ())

    # -- loading ---------------------------------------------------------------------------
    def load(
        self,
        channels: list[Json],
        bridges: list[Json],
        endpoints: list[Json],
        device_states: list[Json],
        dnd: dict[str, bool] | None = None,
    ) -> None:
        """Replace everything with fresh lists (start and every resync).

        What only events ever told (holds, Dial links, variables set later, the call a
        channel belonged to) is kept for the channels that are still there; legs still
        ringing without a known caller are then linked from their dialplan."""
        fresh = [ChannelInfo.from_json(c) for c in channels]
        old = self.channels
        self.channels, self._dialled, self._halves, self.endpoint_channels = {}, {}, {}, {}
        self.bridges, self._bridge_of = {}, {}
        for info in fresh:
            known = old.get(info.id)
            if known is not None:
                info.held, info.call_id, info.bridged_at = known.held, known.call_id, None
                info.variables = {**known.variables, **info.variables}
                info.dialed_by = known.dialed_by
            self._index(info)
        for info in fresh:
            if info.dialed_by is not None and info.dialed_by not in self.channels:
                info.dialed_by = None
            elif info.dialed_by is not None:
                self._dialled.setdefault(info.dialed_by, set()).add(info.id)
        for data in bridges:
            bridge = BridgeInfo.from_json(data, self.own_prefix)
            previous = {c: old[c].bridged_at for c in bridge.channels if c in old}
            self._set_bridge(bridge, bridge.created)
            for channel_id, at in previous.items():
                member = self.channels.get(channel_id)
                if member is not None and at is not None:
                    member.bridged_at = at
        link_ringing_legs(self)
        self.directory.reset()
        for data in endpoints:
            self._endpoint(data)
        for data in device_states:
            self._device(data)
        for resource, on in (dnd or {}).items():
            self.set_dnd(resource, on)
        self.dirty.clear()
        self.dirty_endpoints.clear()

    def link(self, leg: ChannelInfo, dialler: str, at: datetime | None = None) -> None:
        """``leg`` was dialled by ``dialler``; the channel that dialled it before (if any)
        is touched, since the call it is in lost a leg."""
        if leg.dialed_by is not None:
            _discard(self._dialled, leg.dialed_by, leg.id)
            if leg.dialed_by in self.channels:
                self.dirty[leg.dialed_by] = at
        leg.dialed_by = dialler
        self._dialled.setdefault(dialler, set()).add(leg.id)

    # -- events ---------------------------------------------------------------------------
    def apply(self, event: Json, now: datetime) -> None:
        """One decoded ARI event; a malformed one raises ValueError and changes nothing."""
        kind = event.get("type")
        at = parse_ari_time(event.get("timestamp")) or now
        channel = event.get("channel")
        if kind == "ChannelDestroyed":
            self._remove(object_id(channel, "channel"), at)
        elif kind == "Dial":
            peer = self._touch(event.get("peer"), at)
            caller = event.get("caller")
            if caller is not None:
                dialler = self._touch(caller, at)
                if dialler.id != peer.id and peer.dialed_by != dialler.id:
                    self.link(peer, dialler.id, at)
        elif kind in ("ChannelEnteredBridge", "ChannelLeftBridge"):
            bridge = BridgeInfo.from_json(event.get("bridge"), self.own_prefix)
            if channel is not None:
                info = self._touch(channel, at)
                info.bridged_at = at if kind == "ChannelEnteredBridge" else None
            self._set_bridge(bridge, at)
        elif kind in ("BridgeCreated", "BridgeMerged"):
            self._set_bridge(BridgeInfo.from_json(event.get("bridge"), self.own_prefix), at)
        elif kind == "BridgeDestroyed":
            self._drop_bridge(object_id(event.get("bridge"), "bridge"), at)
        elif kind == "EndpointStateChange":
            self._endpoint(event.get("endpoint"))
        elif kind == "DeviceStateChanged":
            self._device(event.get("device_state"))
        elif channel is not None and isinstance(kind, str):
            if kind == "ChannelCreated" and object_id(channel, "channel") in self.channels:
                return  # the listing already had it, possibly newer
            if kind.startswith(("Channel", "Stasis")):
                info = self._touch(channel, at)
                if kind in ("ChannelHold", "ChannelUnhold"):
                    info.held = kind == "ChannelHold"
                elif kind == "ChannelVarset" and isinstance(event.get("variable"), str):
                    value = event.get("value")
                    info.variables[event["variable"].lstrip("_")] = (
                        value if isinstance(value, str) else ""
                    )

    def set_dnd(self, endpoint: str, on: bool) -> None:
        state = self.directory.accounts.get(endpoint)
        if state is not None and state.dnd != on:
            state.dnd = on
            self.dirty_endpoints.add(endpoint)

    # -- helpers ------------------------------------------------------------------------
    def _index(self, info: ChannelInfo) -> None:
        self.channels[info.id] = info
        self.endpoint_channels.setdefault(info.endpoint, set()).add(info.id)
        if info.technology == "Local":
            self._halves.setdefault(info.name.rsplit(";", 1)[0], set()).add(info.id)

    def _touch(self, data: object, at: datetime) -> ChannelInfo:
        channel_id = object_id(data, "channel")
        assert isinstance(data, dict)
        info = self.channels.get(channel_id)
        if info is None:
            info = ChannelInfo.from_json(data)
            self._index(info)
        else:
            endpoint = info.endpoint
            info.update(data)
            if info.endpoint != endpoint:  # renamed (a masquerade)
                _discard(self.endpoint_channels, endpoint, channel_id)
                self.endpoint_channels.setdefault(info.endpoint, set()).add(channel_id)
        self.dirty[channel_id] = at
        return info

    def _remove(self, channel_id: str, at: datetime) -> None:
        info = self.channels.pop(channel_id, None)
        self.dirty[channel_id] = at
        if info is None:
            return
        bridge = self.bridge_of(channel_id)
        if bridge is not None:
            bridge.channels = [c for c in bridge.channels if c != channel_id]
            del self._bridge_of[channel_id]
            for mate in bridge.channels:  # their call lost a party
                if mate in self.channels:
                    self.dirty[mate] = at
        if info.dialed_by is not None:
            _discard(self._dialled, info.dialed_by, channel_id)
            if info.dialed_by in self.channels:  # the caller's call lost the leg it rang
                self.dirty[info.dialed_by] = at
        for leg_id in self._dialled.pop(channel_id, ()):
            leg = self.channels.get(leg_id)
            if leg is not None:
                leg.dialed_by = None
                self.dirty[leg_id] = at
        _discard(self.endpoint_channels, info.endpoint, channel_id)
        if info.technology == "Local":
            _discard(self._halves, info.name.rsplit(";", 1)[0], channel_id)

    def _set_bridge(self, bridge: BridgeInfo, at: datetime | None) -> None:
        old = self.bridges.get(bridge.id)
        members = set(bridge.channels)
        for channel_id in old.channels if old is not None else ():
            if channel_id not in members and self._bridge_of.get(channel_id) == bridge.id:
                del self._bridge_of[channel_id]
                self.dirty[channel_id] = at
        for channel_id in bridge.channels:
            other_id = self._bridge_of.get(channel_id)
            if other_id is not None and other_id != bridge.id and other_id in self.bridges:
                other = self.bridges[other_id]  # a channel is in one bridge at a time
                other.channels = [c for c in other.channels if c != channel_id]
            self._bridge_of[channel_id] = bridge.id
            info = self.channels.get(channel_id)
            if info is not None and info.bridged_at is None:
                info.bridged_at = at
            self.dirty[channel_id] = at
        self.bridges[bridge.id] = bridge

    def _drop_bridge(self, bridge_id: str, at: datetime) -> None:
        bridge = self.bridges.pop(bridge_id, None)
        for channel_id in bridge.channels if bridge is not None else ():
            if self._bridge_of.get(channel_id) == bridge_id:
                del self._bridge_of[channel_id]
                self.dirty[channel_id] = at

    def _endpoint(self, data: object) -> None:
        endpoint, state_name = endpoint_json(data)
        state = self.directory.accounts.get(endpoint)
        if state is not None:
            state.endpoint_state = state_name
            self.dirty_endpoints.add(endpoint)

    def _device(self, data: object) -> None:
        name, value = device_state_json(data)
        if name in self._dnd_devices:
            self.set_dnd(self._dnd_devices[name], value in DND_ON_DEVICE_STATES)
            return
        state = self.directory.accounts.get(name)
        if state is not None:
            state.device_state = value
            self.dirty_endpoints.add(name)


def _discard(index: dict[str, set[str]], key: str, value: str) -> None:
    """Remove from an index, dropping emptied keys (ids never repeat: keys must not pile up)."""
    values = index.get(key)
    if values is not None:
        values.discard(value)
        if not values:
            del index[key]
