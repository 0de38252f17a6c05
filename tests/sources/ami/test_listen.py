"""Listen / coach / barge: ChanSpy through Originate (AMI alone), ARI snoop (combined)."""

from __future__ import annotations

import pytest

from tests.sources.ami.fake_ami import FakeAmi, User
from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.events import Link, ListenChanged
from wallboard.core.listen import ListenMode, ListenState
from wallboard.core.models import CallStatus
from wallboard.sources.base import SourceError


async def talking_call(w, fake: FakeAmi) -> tuple[str, str]:
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    fake.queue_join(client, "support")
    agent = fake.queue_ring(client, "support", "PJSIP/1002")
    fake.queue_answer(client, agent, "support", "PJSIP/1002")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    return client, agent


def sessions(w) -> list:
    return [e.session for e in w.of(ListenChanged)]


async def reaches(w, state: ListenState, **fields):
    """The last session update, once it is in ``state`` (with these fields)."""
    return await w.until(lambda: (s := sessions(w)) and s[-1].state is state and all(
        getattr(s[-1], k) == v for k, v in fields.items()) and s[-1])


async def test_chanspy_listen_coach_mute_and_stop(watch, fake: FakeAmi):
    w = await watch()
    call_id, agent = await talking_call(w, fake)
    session_id = await w.client.start_listen(call_id, "PJSIP/1100", ListenMode.LISTEN)
    originate = fake.originates[-1]
    assert originate["Channel"] == "PJSIP/1100"
    assert originate["Application"] == "ChanSpy"
    assert originate["Data"] == f"{fake.channels[agent].name},qdES"
    assert originate["Async"] == "true" and originate["Timeout"] == "30000"
    assert originate["ChannelId"].startswith("wallboard-listen1-")
    await reaches(w, ListenState.CONNECTING)
    spy = fake.answer_originate()
    await reaches(w, ListenState.ACTIVE)
    assert spy not in w.state.calls, "the supervisor's ChanSpy leg is never a call"
    await w.client.change_listen(session_id, mode=ListenMode.COACH)
    dtmf = [a for a in fake.actions if a.get("Action") == "PlayDTMF"]
    assert (dtmf[-1]["Channel"], dtmf[-1]["Digit"], dtmf[-1]["Receive"]) == (
        fake.channels[spy].name, "5", "true")
    await w.client.change_listen(session_id, muted=True)
    assert [a["Digit"] for a in fake.actions if a.get("Action") == "PlayDTMF"] == ["5", "4"]
    await reaches(w, ListenState.ACTIVE, mode=ListenMode.COACH, muted=True)
    spy_name = fake.channels[spy].name
    await w.client.stop_listen(session_id)
    hangups = [a for a in fake.actions if a.get("Action") == "Hangup"]
    assert [h["Channel"] for h in hangups] == [spy_name]
    assert spy not in fake.channels
    await reaches(w, ListenState.ENDED, message="Stopped by the supervisor.")


async def test_barge_uses_option_b_and_the_call_ending_ends_it(watch, fake: FakeAmi):
    w = await watch()
    call_id, agent = await talking_call(w, fake)
    await w.client.start_listen(call_id, "", ListenMode.BARGE)  # the configured endpoint
    assert fake.originates[-1]["Data"].endswith(",qdESB")
    assert fake.originates[-1]["Channel"] == "PJSIP/1100"
    fake.answer_originate()
    await reaches(w, ListenState.ACTIVE)
    fake.hangup(agent)
    await reaches(w, ListenState.ENDED, message="The call ended.")


async def test_the_supervisor_phone_not_answering_fails_the_session(watch, fake: FakeAmi):
    w = await watch()
    call_id, _ = await talking_call(w, fake)
    await w.client.start_listen(call_id, "PJSIP/1100", ListenMode.LISTEN)
    fake.fail_originate(reason="3")
    await reaches(w, ListenState.FAILED,
                  message="The supervisor's phone PJSIP/1100 did not answer.")


async def test_a_user_who_may_not_originate_gets_one_sentence(watch, fake: FakeAmi):
    fake.users["tv"] = User("pw", {"call", "agent"}, {"reporting"})
    w = await watch(username="tv", secret="pw")
    call_id, _ = await talking_call(w, fake)
    with pytest.raises(SourceError, match="may not run Originate: add originate to its "
                       "write = line in manager.conf"):
        await w.client.start_listen(call_id, "PJSIP/1100", ListenMode.LISTEN)
    with pytest.raises(SourceError, match="may not run QueuePause: add agent"):
        await w.client.pause_member("PJSIP/1002", True, "Lunch")
    assert not fake.originates


async def test_no_free_text_reaches_the_pbx(watch, fake: FakeAmi):
    w = await watch()
    call_id, _ = await talking_call(w, fake)
    with pytest.raises(SourceError, match="is not a phone endpoint"):
        await w.client.start_listen(call_id, "PJSIP/1100,qBx\r\nAction: Hangup", ListenMode.LISTEN)
    with pytest.raises(SourceError, match="is not a member of any queue"):
        await w.client.pause_member("PJSIP/9999", True)
    assert not fake.originates
    assert not [a for a in fake.actions if a.get("Action") in ("QueuePause", "Hangup")]


async def test_combined_with_ari_listening_uses_a_snoop(watch, fake: FakeAmi):
    ari = FakeAri()
    ari.app = "wallboard-ami-test"
    for endpoint in ("PJSIP/1002", "PJSIP/1100"):
        ari.add_endpoint(endpoint)
    await ari.start()
    try:
        w = await watch(ari={"url": ari.url, "username": "wall", "password": "s3cret",
                             "app": "wallboard-ami-test"})
        call_id, agent = await talking_call(w, fake)
        await ari.add_channel("PJSIP/1002", id=agent, state="Up")  # the same channel in ARI
        await ari.wait_for_sockets()
        assert ari.apps == ["wallboard-ami-test"]
        session_id = await w.client.start_listen(call_id, "PJSIP/1100", ListenMode.COACH)
        await w.until(lambda: ari.calls_to("POST", f"/channels/{agent}/snoop"))
        snoop = ari.calls_to("POST", f"/channels/{agent}/snoop")[-1]
        assert (snoop.params["spy"], snoop.params["whisper"]) == ("both", "out")
        assert not fake.originates, "no ChanSpy when ARI is configured"
        await w.until(lambda: [r for r in ari.requests
                               if r.method == "POST" and r.path == "/channels"])
        supervisor = "wallboard-ami-test-listen1-supervisor"
        await ari.answer(supervisor)
        await reaches(w, ListenState.ACTIVE)
        await w.client.stop_listen(session_id)
        await reaches(w, ListenState.ENDED)
        assert supervisor not in ari.channels
    finally:
        await ari.stop()
