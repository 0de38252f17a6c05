"""Listen / coach / barge: the exact snoop, originate and bridge requests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.sources.ari.conftest import APP
from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.listen import ListenMode, ListenState
from wallboard.sources.base import SourceError


async def talking_call(watch, fake: FakeAri):
    w = await watch()
    await w.until(lambda: w.state.connection.link.value == "live")
    await fake.wait_for_sockets()
    client = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                                    state="Up")
    agent = await fake.add_channel("PJSIP/1001", state="Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.answered_at)
    return w, client, agent


def session(w):
    """The session the board shows (a blank one until the first event arrived)."""
    known = list(w.state.listen_sessions.values())
    return w.state.active_listen() or (
        known[-1] if known else SimpleNamespace(state=None, mode=None, muted=None)
    )


@pytest.mark.parametrize(
    ("mode", "whisper"),
    [(ListenMode.LISTEN, "none"), (ListenMode.COACH, "out"), (ListenMode.BARGE, "both")],
)
async def test_start_listen_requests(watch, fake: FakeAri, mode, whisper) -> None:
    w, client, agent = await talking_call(watch, fake)
    fake.requests.clear()
    sid = await w.client.start_listen(client, "PJSIP/1100", mode)
    await w.until(lambda: fake.calls_to("POST", "/channels") and
                  any(r.path == "/channels" for r in fake.requests))
    prefix = f"{APP}-listen1"
    assert [(r.method, r.path, r.params) for r in fake.requests] == [
        ("POST", "/bridges",
         {"type": "mixing", "bridgeId": f"{prefix}-bridge", "name": "wallboard listen"}),
        ("POST", f"/channels/{agent}/snoop",
         {"spy": "both", "whisper": whisper, "app": APP, "appArgs": f"snoop,{sid}",
          "snoopId": f"{prefix}-snoop1"}),
        ("POST", f"/bridges/{prefix}-bridge/addChannel", {"channel": f"{prefix}-snoop1"}),
        ("POST", "/channels",
         {"endpoint": "PJSIP/1100", "app": APP, "appArgs": f"listen,{sid}",
          "callerId": "Wallboard listen", "timeout": "30", "channelId": f"{prefix}-supervisor"}),
    ]
    assert session(w).state is ListenState.CONNECTING and session(w).mode is mode
    await fake.answer(f"{prefix}-supervisor")
    await w.until(lambda: session(w).state is ListenState.ACTIVE)
    assert fake.requests[-1].path == f"/bridges/{prefix}-bridge/addChannel"
    assert fake.requests[-1].params == {"channel": f"{prefix}-supervisor"}
    assert fake.bridges[f"{prefix}-bridge"]["channels"] == [
        f"{prefix}-snoop1", f"{prefix}-supervisor"]
    assert list(w.state.calls) == [client], "our channels are never calls"


async def test_mode_change_mute_and_stop(watch, fake: FakeAri) -> None:
    w, client, agent = await talking_call(watch, fake)
    sid = await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    prefix = f"{APP}-listen1"
    await w.until(lambda: f"{prefix}-supervisor" in fake.channels)
    await fake.answer(f"{prefix}-supervisor")
    await w.until(lambda: session(w).state is ListenState.ACTIVE)

    fake.requests.clear()
    await w.client.change_listen(sid, mode=ListenMode.COACH)
    assert [(r.method, r.path, r.params.get("whisper")) for r in fake.requests] == [
        ("POST", f"/channels/{agent}/snoop", "out"),
        ("POST", f"/bridges/{prefix}-bridge/addChannel", None),
        ("DELETE", f"/channels/{prefix}-snoop1", None),
    ]
    await w.until(lambda: session(w).mode is ListenMode.COACH)
    assert session(w).state is ListenState.ACTIVE, "replacing the snoop does not end it"

    fake.requests.clear()
    await w.client.change_listen(sid, muted=True)
    assert fake.requests[0].params["whisper"] == "none"
    await w.until(lambda: session(w).muted)
    assert session(w).mode is ListenMode.COACH, "mute remembers the mode"
    fake.requests.clear()
    await w.client.change_listen(sid, muted=False)
    assert fake.requests[0].params["whisper"] == "out"

    fake.requests.clear()
    await w.client.stop_listen(sid)
    assert [(r.method, r.path) for r in fake.requests] == [
        ("DELETE", f"/channels/{prefix}-supervisor"),
        ("DELETE", f"/channels/{prefix}-snoop4"),
        ("DELETE", f"/bridges/{prefix}-bridge"),
    ]
    await w.until(lambda: session(w).state is ListenState.ENDED)
    assert session(w).message == "Stopped by the supervisor."
    assert client in w.state.calls
    with pytest.raises(SourceError, match="already ended"):
        await w.client.change_listen(sid, mode=ListenMode.BARGE)


async def test_session_ends_when_the_call_hangs_up(watch, fake: FakeAri) -> None:
    w, client, agent = await talking_call(watch, fake)
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.COACH)
    prefix = f"{APP}-listen1"
    await w.until(lambda: f"{prefix}-supervisor" in fake.channels)
    await fake.answer(f"{prefix}-supervisor")
    await w.until(lambda: session(w).state is ListenState.ACTIVE)
    await fake.hangup(agent)
    await w.until(lambda: session(w).state is ListenState.ENDED)
    assert session(w).message == "The call ended."
    await w.until(lambda: f"{prefix}-bridge" not in fake.bridges)
    assert f"{prefix}-supervisor" not in fake.channels


async def test_supervisor_not_answering_fails(watch, fake: FakeAri) -> None:
    w, client, _ = await talking_call(watch, fake)
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    prefix = f"{APP}-listen1"
    await w.until(lambda: f"{prefix}-supervisor" in fake.channels)
    await fake.hangup(f"{prefix}-supervisor", cause=19, cause_txt="No user responding")
    await w.until(lambda: session(w).state is ListenState.FAILED)
    assert session(w).message == "The supervisor's phone PJSIP/1100 did not answer."


async def test_unknown_supervisor_endpoint_fails_clearly(watch, fake: FakeAri) -> None:
    w, client, _ = await talking_call(watch, fake)
    await w.client.start_listen(client, "PJSIP/9999", ListenMode.LISTEN)
    await w.until(lambda: session(w).state is ListenState.FAILED)
    assert session(w).message == "Asterisk could not call PJSIP/9999: is it a registered endpoint?"
    await w.until(lambda: not [b for b in fake.bridges if b.startswith(APP)])
    assert not [c for c in fake.channels if c.startswith(APP)], "nothing left behind"


async def test_listen_refused_before_any_request(watch, fake: FakeAri) -> None:
    w = await watch(supervisor_endpoint=None)
    await w.until(lambda: w.state.connection.link.value == "live")
    await fake.wait_for_sockets()
    client = await fake.add_channel("PJSIP/trunk", context="from-external")
    await w.until(lambda: client in w.state.calls)
    with pytest.raises(SourceError, match="No manager has answered"):
        await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    with pytest.raises(SourceError, match="already ended"):
        await w.client.start_listen("nope", "PJSIP/1100", ListenMode.LISTEN)
    agent = await fake.add_channel("PJSIP/1001", state="Up")
    await fake.bridge(client, agent)
    await w.until(lambda: w.state.calls[client].answered_at)
    with pytest.raises(SourceError, match="supervisor_endpoint"):
        await w.client.start_listen(client, "", ListenMode.LISTEN)
    assert not fake.calls_to("POST", "/")


def test_all_modes_supported() -> None:
    from wallboard.sources.ari import AriClient

    assert AriClient.listen_modes == frozenset(ListenMode)
