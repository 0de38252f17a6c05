"""Many concurrent calls on the fake ARI, scripted the way Asterisk's dialplan makes them.

:class:`CallLoad` keeps ``calls`` calls alive on a :class:`FakeAri`: each call is a script
of steps (incoming through ``Dial`` or ``Queue``, outgoing, missed, with holds), each step
emitting the events Asterisk sends for it. :meth:`CallLoad.step` advances one call; a
finished call is replaced at once, so the number of live calls stays put.

Every script also keeps the *truth*: what the wallboard must show for that call (its row
id, status, manager, type, client number), written from the script itself, never from
the code under test. The oracles in ``test_load.py`` and ``benchmarks/ari_source.py``
compare the board with it.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from tests.sources.ari import payloads as p
from tests.sources.ari.fake_ari import FakeAri

TRUNK = "PJSIP/trunk"
DID = "+48221002030"


def agent_endpoint(n: int) -> str:
    return f"PJSIP/a{n:04d}"


def employee_id(n: int) -> str:
    return f"e{n:04d}"


@dataclass
class Truth:
    """What the board must show for one call while it lives."""

    row: str
    """The call's id on the board: the client's channel (the manager's, for outgoing)."""
    type: str
    client_number: str
    status: str = "ringing"
    employee: str | None = None
    channels: list[str] = field(default_factory=list)
    last_hold: int = 0
    """``fake.events_sent`` after the call's last hold or unhold (0: never): REST has no hold
    state, so a board that missed that event cannot know it."""


class CallLoad:
    def __init__(self, fake: FakeAri, calls: int, *, seed: int = 7, realtime: bool = True):
        self.fake = fake
        self.calls = calls
        self.random = random.Random(seed)
        self.realtime = realtime
        self.agents = calls + max(10, calls // 10)
        self.free = list(range(1, self.agents + 1))
        self.random.shuffle(self.free)
        self.live: dict[int, tuple[Truth, AsyncIterator[None]]] = {}
        self._numbers = iter(range(1, 10**9))
        self.started = 0
        self.finished = 0

    # -- set-up -------------------------------------------------------------------------
    def add_endpoints(self) -> None:
        for n in range(1, self.agents + 1):
            self.fake.add_endpoint(agent_endpoint(n))
        self.fake.add_endpoint(TRUNK)

    def employees_csv(self) -> str:
        rows = ["id,name,department,endpoint"]
        rows += [f"{employee_id(n)},Agent {n},Dept {n % 5},{agent_endpoint(n)}"
                 for n in range(1, self.agents + 1)]
        return "\n".join(rows) + "\n"

    async def fill(self) -> None:
        """Start calls until ``calls`` are live, each advanced a random number of steps."""
        while len(self.live) < self.calls:
            key = await self._start()
            for _ in range(self.random.randrange(0, 6)):
                if key in self.live:
                    await self._advance(key)

    # -- running ----------------------------------------------------------------------
    async def step(self) -> None:
        """Advance one random live call by one step (a finished call is replaced)."""
        if not self.live:
            await self._start()
        await self._advance(self.random.choice(list(self.live)))
        while len(self.live) < self.calls:
            await self._start()

    def truths(self) -> list[Truth]:
        return [truth for truth, _ in self.live.values() if truth.channels]

    # -- scripts ------------------------------------------------------------------------
    async def _start(self) -> int:
        """A new call, already through its first step (its first channel exists)."""
        key = next(self._numbers)
        roll = self.random.random()
        number = f"+48600{key:06d}"
        truth = Truth(row="", type="incoming", client_number=number)
        script: AsyncIterator[None]
        if roll < 0.55:
            script = self._incoming(truth, via="Dial", answer=True)
        elif roll < 0.7:
            script = self._incoming(truth, via="Queue", answer=True)
        elif roll < 0.8:
            script = self._incoming(truth, via="Dial", answer=False)
        else:
            truth.type, truth.client_number = "outgoing", f"+48501{key:06d}"
            script = self._outgoing(truth)
        self.live[key] = (truth, script)
        self.started += 1
        await self._advance(key)
        return key

    async def _advance(self, key: int) -> None:
        if self.realtime:
            self.fake.now = datetime.now(p.ZONE)
        truth, script = self.live[key]
        try:
            await anext(script)
        except StopAsyncIteration:
            del self.live[key]
            self.finished += 1

    def _take_agent(self) -> int:
        return self.free.pop()

    async def _incoming(self, t: Truth, *, via: str, answer: bool) -> AsyncIterator[None]:
        fake = self.fake
        client = await fake.add_channel(TRUNK, number=t.client_number, context="from-external",
                                        exten=DID)
        t.row, t.channels = client, [client]
        yield
        if via == "Queue":
            await fake.set_dialplan(client, "Queue", "sales,t")
            yield
        n = self._take_agent()
        agent = await fake.ring(client, agent_endpoint(n), via=via)
        t.employee, t.channels = employee_id(n), [client, agent]
        yield
        if not answer:
            await fake.dial(client, agent, "CANCEL")
            await fake.hangup(agent, cause=0, cause_txt="Unknown")
            await fake.hangup(client)
            self.free.insert(0, n)
            t.channels = []
            return
        await fake.set_state(agent, "Up")
        await fake.set_state(client, "Up")
        await fake.dial(client, agent, "ANSWER")
        bridge = await fake.bridge(client, agent)
        t.status = "talking"
        yield
        if self.random.random() < 0.3:
            await fake.hold(agent)
            t.status, t.last_hold = "on_hold", fake.events_sent
            yield
            await fake.hold(agent, on=False)
            t.status, t.last_hold = "talking", fake.events_sent
            yield
        yield  # talking a while
        await self._hang_up(t, bridge, agent, client)
        self.free.insert(0, n)

    async def _outgoing(self, t: Truth) -> AsyncIterator[None]:
        fake = self.fake
        n = self._take_agent()
        agent = await fake.add_channel(agent_endpoint(n), number=f"{1000 + n}",
                                       context="from-internal", exten=t.client_number)
        t.row, t.channels, t.type, t.employee = agent, [agent], "outgoing", employee_id(n)
        yield
        await fake.set_dialplan(agent, "Dial", f"PJSIP/{t.client_number}@trunk,60")
        client = await fake.add_channel(TRUNK, number=DID, state="Down", context="from-internal",
                                        exten=t.client_number, connected=f"{1000 + n}")
        await fake.set_dialplan(client, "AppDial", "(Outgoing Line)")
        await fake.dial(agent, client, "")
        await fake.set_state(client, "Ringing")
        await fake.dial(agent, client, "RINGING")
        t.channels = [agent, client]
        yield
        await fake.set_state(client, "Up")
        await fake.dial(agent, client, "ANSWER")
        await fake.set_state(agent, "Up")
        bridge = await fake.bridge(agent, client)
        t.status = "talking"
        yield
        yield
        await self._hang_up(t, bridge, client, agent)
        self.free.insert(0, n)

    async def _hang_up(self, t: Truth, bridge: str, first: str, second: str) -> None:
        fake = self.fake
        await fake.hangup(first)
        await fake.hangup(second)
        data = fake.bridges.pop(bridge, None)
        if data is not None:
            await fake.emit("BridgeDestroyed", bridge=data)
        t.channels = []
