"""The incremental call mapping always equals a full recompute (issue 19's discipline).

Random sequences of PBX operations (calls arriving, queued, rung, answered, held,
transferred, hung up, and resyncs from a CoreShowChannels listing) drive the fake PBX;
its events go through the real parser into the world and the mapper, which recomputes
only the groups an event touched (in one batch per step, or one per event). After every
step the calls it last emitted must
equal :meth:`AmiCallMapper.full`, the from-scratch reference.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sources.ami.conftest import settings as ami_settings
from tests.sources.ami.pbx import Fields
from tests.sources.ami.queue_pbx import QueuePbx
from wallboard.sources.ami.calls import AmiCallMapper
from wallboard.sources.ami.protocol import parse_message
from wallboard.sources.ami.world import AmiWorld
from wallboard.sources.endpoints import Directory, load_employees

AGENTS = ["PJSIP/1001", "PJSIP/1002", "PJSIP/1003"]


class Recorder(QueuePbx):
    def __init__(self) -> None:
        super().__init__()
        self.outbox: list[str] = []

    def emit(self, name: str, klass: str, fields: Fields) -> None:
        self.outbox.append(f"Event: {name}\r\n" + "\r\n".join(f"{k}: {v}" for k, v in fields))

    def listing(self) -> list:
        items = []
        for chan in self.channels.values():
            seconds = int((self.now - chan.created).total_seconds())
            fields = self.snapshot(chan) + [
                ("Duration", f"00:{seconds // 60:02d}:{seconds % 60:02d}"),
                ("BridgeId", chan.bridge or "")]
            items.append(parse_message("Event: CoreShowChannel\r\n" + "\r\n".join(
                f"{k}: {v}" for k, v in fields)))
        return items


def step(pbx: Recorder, op: tuple[str, int, int]) -> None:
    kind, a, b = op
    live = sorted(pbx.channels)
    clients = [u for u in live if pbx.channels[u].endpoint == "PJSIP/trunk"]
    agents = [u for u in live if pbx.channels[u].endpoint in AGENTS]
    pbx.tick(1)
    if kind == "incoming" or not live:
        uid = pbx.add_channel("PJSIP/trunk", number=f"+486{a:04d}", context="from-external",
                              exten="100", state="Up")
        pbx.queue_join(uid, "support")
    elif kind == "answered":  # a whole queue call up to the conversation
        uid = pbx.add_channel("PJSIP/trunk", number=f"+487{a:04d}", context="from-external",
                              exten="100", state="Up")
        pbx.queue_join(uid, "support")
        leg = pbx.queue_ring(uid, "support", AGENTS[b % 3])
        pbx.queue_answer(uid, leg, "support", AGENTS[b % 3])
    elif kind == "outgoing":
        agent = pbx.add_channel(AGENTS[a % 3], context="from-internal", exten=f"+481{b}")
        trunk = pbx.add_channel("PJSIP/trunk", state="Ringing", linkedid=agent)
        pbx.dial(agent, trunk, "")
        if b % 2:
            pbx.set_state(trunk, "Up")
            pbx.set_state(agent, "Up")
            pbx.bridge(agent, trunk)
    elif kind == "ring" and clients:
        client = clients[a % len(clients)]
        pbx.queue_ring(client, "support", AGENTS[b % 3])
    elif kind == "answer" and agents:
        agent = agents[a % len(agents)]
        chan = pbx.channels[agent]
        client = next((u for u in clients if pbx.channels[u].linkedid == chan.linkedid), None)
        if client and chan.state != "Up":
            pbx.set_state(agent, "Up")
            pbx.bridge(client, agent, bridge_id=f"b-{chan.linkedid}")
    elif kind == "hold" and live:
        uid = live[a % len(live)]
        pbx.hold(uid, not pbx.channels[uid].held)
    elif kind == "transfer" and agents and clients:
        # the agent's bridge peer goes to another agent's new leg: linkedids merge
        agent = agents[a % len(agents)]
        other = pbx.add_channel(AGENTS[b % 3], state="Up", context="from-internal")
        bridge = pbx.channels[agent].bridge
        pbx.hangup(agent)
        if bridge:
            pbx.bridge(other, bridge_id=bridge)
    elif kind == "merge" and clients:
        # a newer leg waits in a bridge of its own; an older call's client is moved in:
        # Asterisk relinks the waiting leg to the older linkedid without an event for it
        leg = pbx.add_channel(AGENTS[b % 3], state="Up", context="from-internal")
        bridge = pbx.bridge(leg)
        client = clients[a % len(clients)]
        pbx.leave_bridge(client)
        pbx.bridge(client, bridge_id=bridge)
    elif kind == "hangup" and live:
        pbx.hangup(live[a % len(live)])


OPS = st.tuples(
    st.sampled_from(["incoming", "answered", "outgoing", "ring", "answer", "hold", "transfer",
                     "merge", "hangup", "hangup", "resync"]),
    st.integers(0, 50), st.integers(0, 50))


@settings(max_examples=100, deadline=None)
@given(st.lists(OPS, min_size=1, max_size=40), st.booleans())
def test_incremental_mapping_equals_the_full_recompute(ops, per_event):
    config = ami_settings(5038)
    world = AmiWorld(Directory(load_employees(config), "default"), "wallboard-")
    mapper = AmiCallMapper(config, world)
    pbx = Recorder()
    pbx.add_queue("support", *((a, a) for a in AGENTS))
    for agent in AGENTS:
        pbx.register(agent)
    mapper.snapshot(pbx.now)
    for op in ops:
        if op[0] == "resync":
            pbx.outbox.clear()
            world.load(pbx.listing(), dict(pbx.devices), pbx.now)
            mapper.snapshot(pbx.now)
        else:
            step(pbx, op)
            dirty: set[str] = set()
            for text in pbx.outbox:  # one batch per step, or one per event
                dirty |= world.apply(parse_message(text), pbx.now)
                if per_event:
                    mapper.update(dirty, pbx.now)
                    dirty = set()
            pbx.outbox.clear()
            mapper.update(dirty, pbx.now)
        emitted = {k: c.model_copy(update={"revision": 0}) for k, c in mapper.calls.items()}
        assert emitted == mapper.full(pbx.now), op
        assert set(mapper.calls) == {
            c.linkedid for c in pbx.channels.values()}, "one call per linkedid group"
