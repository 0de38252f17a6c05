"""What the board sees when it (re)connects in the middle of things (issue 11, section 9).

REST (``GET /channels``) carries no caller-callee link: these calls must be put together
from the dialplan application each leg runs and from the connected line, the way
apps/app_dial.c and apps/app_queue.c leave them.
"""

from __future__ import annotations

import httpx
import pytest

from tests.sources.ari.fake_ari import FakeAri
from tests.sources.ari.test_scenarios import live
from wallboard.core.events import Link, Snapshot
from wallboard.core.models import CallStatus, CallType


async def ringing_call(fake: FakeAri, via: str) -> tuple[str, str]:
    client = await fake.add_channel("PJSIP/trunk", number="+48600111222",
                                    context="from-external", exten="+48221002030")
    fake.tick(2)
    agent = await fake.ring(client, "PJSIP/1001", via=via)
    return client, agent


def one_ringing_row(w, client: str) -> None:
    assert list(w.state.calls) == [client], "one row: no ghost outgoing call for the agent"
    call = w.state.calls[client]
    assert call.type is CallType.INCOMING and call.status is CallStatus.RINGING
    assert call.employee_id == "anna" and call.client_number == "+48600111222"


@pytest.mark.parametrize("via", ["Dial", "Queue"])
async def test_a_call_ringing_before_the_board_connects_is_one_row(watch, fake, via) -> None:
    client, _ = await ringing_call(fake, via)
    w = await live(watch, fake)
    one_ringing_row(w, client)


@pytest.mark.parametrize("via", ["Dial", "Queue"])
async def test_a_call_that_rang_during_a_drop_is_one_row_after_resync(watch, fake, via) -> None:
    w = await live(watch, fake)
    await fake.drop_sockets()
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    client, _ = await ringing_call(fake, via)  # nobody listens: only REST will tell
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    one_ringing_row(w, client)


async def test_a_queue_ringing_through_local_channels_is_one_row(watch, fake) -> None:
    """Queue(sales) with member Local/1001@agents: the client runs Queue, the Local;1 half
    AppQueue, the ;2 half Dial(PJSIP/1001), and the phone AppDial."""
    client = await fake.add_channel("PJSIP/trunk", number="+48600111222",
                                    context="from-external", exten="+48221002030")
    await fake.set_dialplan(client, "Queue", "sales,t")
    one = await fake.add_channel("Local/1001@agents-00000001;1", state="Ringing",
                                 context="from-internal", connected="+48600111222",
                                 app="AppQueue", app_data="(Outgoing Line)")
    two = await fake.add_channel("Local/1001@agents-00000001;2", state="Ring",
                                 number="+48600111222", context="agents", exten="1001",
                                 app="Dial", app_data="PJSIP/1001,,tT")
    await fake.add_channel("PJSIP/1001", state="Ringing", connected="+48600111222",
                           app="AppDial", app_data="(Outgoing Line)")
    # someone else waits in the same queue, nobody rings for them yet
    other = await fake.add_channel("PJSIP/trunk", number="+48600999888",
                                   context="from-external", exten="+48221002030")
    await fake.set_dialplan(other, "Queue", "sales,t")
    assert one and two
    w = await live(watch, fake)
    assert set(w.state.calls) == {client, other}
    assert w.state.calls[client].employee_id == "anna"
    assert w.state.calls[other].employee_id is None


async def test_two_clients_dialling_two_managers_are_paired_by_the_dial_string(
    watch, fake
) -> None:
    """Both anonymous, so the connected line cannot tell them apart."""
    first = await fake.add_channel("PJSIP/trunk", context="from-external",
                                   exten="+48221002030")
    second = await fake.add_channel("PJSIP/trunk", context="from-external",
                                    exten="+48221002030")
    await fake.ring(second, "PJSIP/1002")
    await fake.ring(first, "PJSIP/1001")
    w = await live(watch, fake)
    assert {c: w.state.calls[c].employee_id for c in w.state.calls} == {
        first: "anna", second: "piotr"}


async def test_hold_survives_a_resync(watch, fake) -> None:
    w = await live(watch, fake)
    client = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                                    state="Up")
    agent = await fake.add_channel("PJSIP/1001", state="Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    await fake.hold(agent)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.ON_HOLD)
    await fake.drop_sockets()
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    assert w.state.calls[client].status is CallStatus.ON_HOLD
    await fake.wait_for_sockets()
    await fake.hold(agent, on=False)
    await w.until(lambda: w.state.calls[client].status is CallStatus.TALKING)


async def test_other_wallboards_listen_channels_are_not_calls(watch, fake) -> None:
    """Another wallboard (another ARI app) listens to Anna: its snoop, its stasis bridge
    and its supervisor's phone, ringing then answered, are none of them calls."""
    w = await live(watch, fake)
    client = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                                    state="Up")
    agent = await fake.add_channel("PJSIP/1001", state="Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    other = "wallboard-tv2-4242"
    prefix = f"{other}-listen1"
    async with httpx.AsyncClient(base_url=fake.url + "/ari", auth=("wall", "s3cret")) as http:
        await http.post("/bridges", params={"type": "mixing", "bridgeId": f"{prefix}-bridge"})
        await http.post(f"/channels/{agent}/snoop", params={
            "spy": "both", "whisper": "none", "app": other, "snoopId": f"{prefix}-snoop1"})
        await http.post(f"/bridges/{prefix}-bridge/addChannel",
                        params={"channel": f"{prefix}-snoop1"})
        await http.post("/channels", params={
            "endpoint": "PJSIP/1100", "app": other, "appArgs": "listen,listen-1",
            "channelId": f"{prefix}-supervisor"})
        fake.tick(1)
        marker = await fake.add_channel("PJSIP/trunk", number="+48700", context="from-external")
        await w.until(lambda: marker in w.state.calls)
        assert set(w.state.calls) == {client, marker}, "a ringing supervisor is not a call"
        await fake.answer(f"{prefix}-supervisor")
        await http.post(f"/bridges/{prefix}-bridge/addChannel",
                        params={"channel": f"{prefix}-supervisor"})
    await fake.hangup(marker)
    await w.until(lambda: marker not in w.state.calls)
    assert list(w.state.calls) == [client]
    assert w.state.calls[client].status is CallStatus.TALKING
    await fake.drop_sockets()
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    assert list(w.state.calls) == [client], "nor after a resync"


async def test_a_channel_in_any_stasis_application_is_not_a_call(watch, fake) -> None:
    w = await live(watch, fake)
    ivr = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external")
    await fake.set_dialplan(ivr, "Stasis", "some-ivr,menu")
    marker = await fake.add_channel("PJSIP/trunk", number="+48700", context="from-external")
    await w.until(lambda: marker in w.state.calls)
    assert list(w.state.calls) == [marker]
