"""Which channels make one call, and which call id each group keeps.

A call is a connected group of channels: linked by a bridge (not a holding or ARI one),
a Dial (or its REST reconstruction), or the two halves of a Local channel. Only the
groups that touched channels belong to are rebuilt (:func:`collect`): the touched
channels, the calls they belonged to, and everything linked to those, until closed.

Call ids are sticky (:func:`assign_ids`): a group keeps the id of the call its *anchor*
(the client's channel, else its oldest) was in; a group whose manager started the call
adopts that call's id when the client's leg joins it. When a call splits and several
groups want one id, the group holding the call's previous anchor wins, then a group with
a client, then the oldest anchor. A new call is named after its first channel (the
client's for an incoming call, the manager's for an outgoing one), so a board that
connects mid-call names it as one that saw it start. The choice is a stable matching
(deferred acceptance),
so it does not depend on the order groups are looked at: rebuilding a few calls gives
exactly what rebuilding them all would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from wallboard.sources.ari.models import ChannelInfo
from wallboard.sources.ari.world import AriWorld

FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True, eq=False)
class Group:
    members: list[ChannelInfo]
    """Oldest first."""
    client: ChannelInfo | None
    anchor: ChannelInfo
    origin: ChannelInfo
    """The first channel that is not a Local half."""
    wants: list[str]
    """Ids of live calls this group may keep, best first."""

    @property
    def order(self) -> tuple[bool, datetime, str]:
        return (self.client is None, self.anchor.created or FAR_PAST, self.anchor.id)


def collect(
    world: AriWorld,
    seeds: Iterable[str],
    affected: set[str],
    call_of: dict[str, str],
    members_of: dict[str, tuple[str, ...]],
) -> list[list[ChannelInfo]]:
    """The groups holding ``seeds`` and every channel of the ``affected`` calls; calls met
    on the way join ``affected``. Channels that are no party are in no group."""
    channels = world.channels
    pending = list(seeds)
    for call_id in affected:
        pending.extend(members_of.get(call_id, ()))
    seen: set[str] = set()
    groups = []
    while pending:
        start = pending.pop()
        if start in seen:
            continue
        seen.add(start)
        info = channels.get(start)
        if info is None or not world.is_party(info):
            continue
        group, stack = [], [info]
        while stack:
            current = stack.pop()
            group.append(current)
            known = call_of.get(current.id)
            if known is not None and known not in affected:
                affected.add(known)
                pending.extend(members_of.get(known, ()))
            for other_id in world.neighbours(current):
                if other_id in seen:
                    continue
                seen.add(other_id)
                other = channels.get(other_id)
                if other is not None and world.is_party(other):
                    stack.append(other)
        groups.append(group)
    return groups


def make_group(
    world: AriWorld,
    members: list[ChannelInfo],
    ignore_contexts: list[str],
    call_of: dict[str, str],
    adoptable: Callable[[str], bool],
) -> Group | None:
    """A group's roles and wishes; None if it is no call (no real party, ignored context)."""
    members.sort(key=lambda i: (i.created or FAR_PAST, i.id))
    origin = next((m for m in members if m.technology != "Local"), None)
    if origin is None or origin.first_context in ignore_contexts:
        return None
    owner = world.directory.owner
    client = next(
        (m for m in members if m.technology != "Local" and m.endpoint not in owner), None
    )
    anchor = client or members[0]
    wants: list[str] = []
    mine = call_of.get(anchor.id)
    if mine is not None:
        wants.append(mine)
    for info in members:
        call_id = call_of.get(info.id)
        if call_id is not None and call_id not in wants and adoptable(call_id):
            wants.append(call_id)
    return Group(members, client, anchor, origin, wants)


def assign_ids(
    groups: list[Group],
    anchors: dict[str, str],
    taken: Callable[[str], bool],
) -> list[str | None]:
    """The call id of each group (None: a leftover leg of a call that lives on elsewhere).

    ``anchors`` maps live call ids to their anchor channel; ``taken(id)`` says an id may
    not be minted anew (live, retired or remembered)."""

    def rank(index: int, call_id: str) -> tuple[bool, tuple[bool, datetime, str]]:
        group = groups[index]
        holds = any(m.id == anchors.get(call_id) for m in group.members)
        return (not holds, group.order)

    holder: dict[str, int] = {}
    tried = [0] * len(groups)
    free = list(range(len(groups)))
    while free:
        index = free.pop()
        wants = groups[index].wants
        while tried[index] < len(wants):
            call_id = wants[tried[index]]
            tried[index] += 1
            current = holder.get(call_id)
            if current is None:
                holder[call_id] = index
                break
            if rank(index, call_id) < rank(current, call_id):
                holder[call_id] = index
                free.append(current)
                break
    result: list[str | None] = [None] * len(groups)
    for call_id, index in holder.items():
        result[index] = call_id
    minted: set[str] = set()
    for index, group in enumerate(groups):
        if result[index] is not None:
            continue
        if group.client is None and any(m.call_id for m in group.members):
            continue  # a leftover leg of a call that lives on elsewhere (or ended)
        call_id, n = group.origin.id, 1  # the call's first channel, as if seen from the start
        while taken(call_id) or call_id in minted:
            n += 1
            call_id = f"{group.origin.id}#{n}"
        minted.add(call_id)
        result[index] = call_id
    return result
