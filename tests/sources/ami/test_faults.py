"""Faults: wrong login, missing classes, silence, floods, an unreachable or wrong port."""

from __future__ import annotations

import asyncio
import socket

from tests.sources.ami.fake_ami import FakeAmi, User
from tests.sources.ami.oracle import check_board
from wallboard.core.events import CallUpserted, ConnectionChanged, Link


async def test_a_wrong_secret_is_one_sentence_and_no_retry_storm(watch, fake: FakeAmi):
    w = await watch(secret="wrong-secret")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    message = w.state.connection.message
    assert message == (
        "Asterisk refused the AMI user 'wall' or its secret; check [source] username and "
        "secret (or $WALLBOARD_AMI_SECRET) against manager.conf."
    )
    await asyncio.sleep(0.5)
    assert fake.logins == 1, "no second attempt"
    assert all("wrong-secret" not in e.message for e in w.of(ConnectionChanged))


async def test_a_second_login_where_only_one_is_allowed(watch, fake: FakeAmi):
    fake.users["wall"].multiple = False
    first = await watch()
    await first.until(lambda: first.state.connection.link is Link.LIVE)
    second = await watch()
    await second.until(lambda: second.state.connection.link is Link.FAILED)
    assert second.state.connection.message == (
        "The AMI user 'wall' is already logged in elsewhere and manager.conf allows one login "
        "(allowmultiplelogin = no); give this wallboard its own user.")
    assert first.state.connection.link is Link.LIVE


async def test_the_secret_can_come_from_the_environment(watch, fake: FakeAmi, monkeypatch):
    monkeypatch.setenv("WALLBOARD_AMI_SECRET", "s3cret")
    w = await watch(secret=None)
    await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_a_user_without_write_reporting_is_told_which_class(watch, fake: FakeAmi):
    fake.users["tv"] = User("pw", {"call", "agent"}, set())
    w = await watch(username="tv", secret="pw")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    assert w.state.connection.message == (
        "The AMI user 'tv' may not run CoreShowChannels: add reporting to its write = line "
        "in manager.conf."
    )
    await asyncio.sleep(0.3)
    assert fake.logins == 1


async def test_a_user_without_read_call_is_told_which_class(watch, fake: FakeAmi):
    fake.users["tv"] = User("pw", {"agent"}, {"reporting"})
    w = await watch(username="tv", secret="pw")
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    client = fake.add_channel("PJSIP/trunk", number="+48600", state="Up")
    fake.queue_join(client, "sales")  # an agent-class event, which proves nothing for call
    fake.register("PJSIP/1002", False)  # a change the user is not told about
    # the audit needs the same change in two listings; a loaded CI run once took over 10 s
    await w.until(lambda: w.state.connection.link is Link.FAILED, timeout=30)
    assert w.state.connection.message == (
        "The AMI user 'tv' receives no call events although the device states changed: add "
        "call to its read = line in manager.conf (and check its eventfilter lines)."
    )


async def test_a_user_without_read_agent_is_told_which_class(watch, fake: FakeAmi):
    fake.users["tv"] = User("pw", {"call"}, {"reporting"})
    w = await watch(username="tv", secret="pw")
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    fake.queue_join(client, "sales")
    await w.until(lambda: w.state.connection.link is Link.FAILED, timeout=30)
    assert "receives no agent events although the queues changed" in (
        w.state.connection.message)


async def test_a_quiet_user_with_all_classes_is_not_accused(watch, fake: FakeAmi):
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    fake.register("PJSIP/1002", False)
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    fake.queue_join(client, "sales")
    await asyncio.sleep(1.5)
    assert w.state.connection.link is Link.LIVE


async def test_a_silent_connection_is_found_by_ping(watch, fake: FakeAmi):
    w = await watch()  # ping_seconds = 0.2
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    loop = asyncio.get_running_loop()
    with fake.quiet():
        started = loop.time()
        await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
        found = loop.time() - started
    assert found <= 1.5, found  # two pings of 0.2 s, with room for a loaded machine
    assert "went silent: no reply to Ping within 0.2 s." in w.state.connection.message
    await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_a_flood_is_applied_in_few_batches(watch, fake: FakeAmi):
    w = await watch(ping_seconds=5, batch_seconds=0.25)
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    before = w.batches
    for n in range(200):  # 200 calls at once, about 1,000 events
        uid = fake.add_channel("PJSIP/trunk", number=f"+48600{n:03d}", state="Up",
                               context="from-external")
        fake.queue_join(uid, "support")
        fake.set_state(uid, "Up")
    await w.until(lambda: len(w.state.calls) == 200)
    assert w.batches - before <= 8, "a few windows of 0.25 s, not one batch per event"
    check_board(w.state, fake)
    assert len({e.call.id for e in w.of(CallUpserted)}) == 200


async def test_a_port_that_is_not_ami_is_said_plainly(watch):
    server = await asyncio.start_server(
        lambda r, w: w.write(b"HTTP/1.1 400 Bad Request\r\n\r\n"), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        w = await watch(port=port)
        await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
        assert w.state.connection.message.startswith(
            f"127.0.0.1:{port} is not an Asterisk manager port (no 'Asterisk Call Manager' "
            "greeting); check [source] port")
    finally:
        server.close()


async def test_nobody_listening_is_connection_refused(watch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    w = await watch(port=port)
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    assert w.state.connection.message.startswith(
        f"Cannot reach Asterisk's manager at 127.0.0.1:{port}: connection refused.")


async def test_a_malformed_event_is_skipped_and_the_link_stays(watch, fake: FakeAmi):
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    fake.emit("Newchannel", "call", [("Uniqueid", "9.9")])  # no channel snapshot at all
    fake.emit("DialBegin", "call", [("DestUniqueid", "9.8")])  # no caller: legal, ignored
    fake.emit("QueueCallerJoin", "agent", [("Queue", "sales"), ("Position", "one")])
    fake.emit("QueueMemberStatus", "agent", [("Queue", "sales"), ("Status", "??")])
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    await w.until(lambda: client in w.state.calls)
    assert w.state.connection.link is Link.LIVE
    assert list(w.state.calls) == [client], "no call made of garbage"
    assert w.client.malformed == 3
    assert list(w.client.queues.queues["sales"].callers) == []
    assert set(w.client.queues.queues["sales"].members) == {"PJSIP/1001"}
