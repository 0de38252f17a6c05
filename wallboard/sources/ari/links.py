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
    by_target: dict[str, dict[str, list[ChannelInfo]]] = {"Dial": {}, "Queue": {}}
    for info in world.channels.values():
        if info.app_name not in by_target or not world.is_party(info) or _bridged(world, info):
            continue
        keys = dialled_endpoints(info.app_data) if info.app_name == "Dial" else {"*"}
        for key in keys:
            by_target[info.app_name].setdefault(key, []).append(info)
    if not by_target["Dial"] and not by_target["Queue"]:
        return
    for leg in world.channels.values():
        app = CALLING_APP.get(leg.app_name)
        if app is None or leg.dialed_by is not None or not world.is_party(leg):
            continue
        if _bridged(world, leg):
            continue
        pool = by_target[app].get(leg.endpoint if app == "Dial" else "*", ())
        candidates = [
            c for c in pool
            if c.id != leg.id
            and (c.created is None or leg.created is None or c.created <= leg.created)
        ]
        if candidates:
            best = min(candidates, key=lambda c: _rank(c, leg))
            world.link(leg, best.id)


def _bridged(world: AriWorld, info: ChannelInfo) -> bool:
    bridge = world.bridge_of(info.id)
    return bridge is not None and bridge.links


def _rank(caller: ChannelInfo, leg: ChannelInfo) -> tuple[bool, float, str]:
    same_line = bool(leg.connected_number) and leg.connected_number == caller.caller_number
    return (not same_line, caller.created.timestamp() if caller.created else 0.0, caller.id)
