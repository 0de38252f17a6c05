"""Who rings whom, read from ``GET /channels`` alone (there is no caller link in REST).

Live, a ``Dial`` event names both legs. After a (re)connect only the listing is left, so
a call already ringing would show as two rows: the client waiting, and a ghost outgoing
call on the manager's phone. Asterisk leaves enough behind to link them again
(apps/app_dial.c, apps/app_queue.c):

- the calling leg runs ``Dial`` (``app_data`` is the dial string, e.g.
  ``PJSIP/1001&PJSIP/1002,30,tT``) or ``Queue`` (``sales,t``);
- each leg it rings runs ``AppDial`` / ``AppQueue`` with ``(Outgoing Line)``;
- a rung leg's connected line is the calling leg's caller id.

A leg running ``AppDial`` is linked to a ``Dial`` leg whose dial string names the leg's
endpoint; one running ``AppQueue`` to a ``Queue`` leg. Among several, the one whose caller
number is the leg's connected number wins, then the one that waits longest (a queue rings
for its head first). Legs already bridged need no link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallboard.sources.ari.models import ChannelInfo

if TYPE_CHECKING:
    from wallboard.sources.ari.world import AriWorld

CALLING_APP = {"AppDial": "Dial", "AppQueue": "Queue"}
"""The application a rung leg runs -> the one its caller runs."""


def dialled_endpoints(dial_string: str) -> set[str]:
    """``PJSIP/1001&PJSIP/+48500@trunk/sip:x,30`` -> {PJSIP/1001, PJSIP/trunk, ...}."""
    result = set()
    for target in dial_string.split(",", 1)[0].split("&"):
        technology, _, rest = target.strip().partition("/")
        if not technology or not rest:
            continue
        if technology == "Local":
            result.add(f"Local/{rest.split('/', 1)[0]}")
            continue
        resource = rest.split("/", 1)[0]
        result.add(f"{technology}/{resource}")
        if "@" in resource:  # PJSIP/number@endpoint
            result.add(f"{technology}/{resource.rsplit('@', 1)[1]}")
    return result


def link_ringing_legs(world: AriWorld) -> None:
    """Give every unbridged ``AppDial`` / ``AppQueue`` leg without a known caller one."""
    candidates: dict[str, list[ChannelInfo]] = {}
    queued: list[ChannelInfo] = []
    for caller in world.channels.values():
        if caller.app_name not in ("Dial", "Queue") or not _free(world, caller):
            continue
        if caller.app_name == "Queue":
            queued.append(caller)
            continue
        for endpoint in dialled_endpoints(caller.app_data):
            for leg_id in world.endpoint_channels.get(endpoint, ()):
                candidates.setdefault(leg_id, []).append(caller)
    for leg in world.channels.values():
        if leg.app_name not in CALLING_APP or leg.dialed_by is not None or not _free(world, leg):
            continue
        pool = candidates.get(leg.id, []) if leg.app_name == "AppDial" else queued
        fitting = [
            c for c in pool
            if c.id != leg.id
            and (c.created is None or leg.created is None or c.created <= leg.created)
        ]
        if fitting:
            world.link(leg, min(fitting, key=lambda c: _rank(c, leg)).id)


def _free(world: AriWorld, info: ChannelInfo) -> bool:
    """A party not yet bridged into a call."""
    return world.is_party(info) and not _bridged(world, info)


def _bridged(world: AriWorld, info: ChannelInfo) -> bool:
    bridge = world.bridge_of(info.id)
    return bridge is not None and bridge.links


def _rank(caller: ChannelInfo, leg: ChannelInfo) -> tuple[bool, float, str]:
    same_line = bool(leg.connected_number) and leg.connected_number == caller.caller_number
    return (not same_line, caller.created.timestamp() if caller.created else 0.0, caller.id)
