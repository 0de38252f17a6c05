"""Wrong credentials, an unreachable host, odd data: clear messages, nothing crashes."""

from __future__ import annotations

import json
import socket

from tests.sources.ari import payloads as p
from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.events import ConnectionChanged, Link


async def test_wrong_password_fails_with_a_clear_sentence(watch, fake: FakeAri) -> None:
    w = await watch(password="not-the-password")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    assert w.state.connection.message == "Asterisk refused the ARI username or password."
    assert all("not-the-password" not in e.message for e in w.of(ConnectionChanged))


async def test_wrong_api_key_fails_without_leaking_it(watch, fake: FakeAri) -> None:
    w = await watch(username=None, password=None, api_key="wall:guess123")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    assert "guess123" not in repr(w.events)


async def test_api_key_works(watch, fake: FakeAri) -> None:
    w = await watch(username=None, password=None, api_key="wall:s3cret")
    await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_unreachable_host_retries_with_backoff(watch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    w = await watch(url=f"http://127.0.0.1:{port}", password="hunter22")
    await w.until(lambda: len(w.of(ConnectionChanged)) >= 4)
    changes = w.of(ConnectionChanged)
    assert changes[0].link is Link.CONNECTING
    retries = [c for c in changes if c.link is Link.RECONNECTING]
    assert retries[0].message.startswith(f"Cannot reach Asterisk at 127.0.0.1:{port}")
    assert "Retrying in" in retries[0].message and retries[0].retry_at is not None
    delays = [(c.retry_at - c.at).total_seconds() for c in retries]
    assert delays[1] > delays[0], "backoff grows"
    assert "hunter22" not in repr(changes)


async def test_bad_employees_csv_is_a_clear_failure(watch, fake: FakeAri, tmp_path) -> None:
    w = await watch(employees_csv=tmp_path / "missing.csv")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    assert "cannot read the employees CSV" in w.state.connection.message


async def test_unknown_events_and_fields_are_ignored(watch, fake: FakeAri) -> None:
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sockets()
    ws = fake.sockets[0]
    await ws.send_text("not json at all")
    await ws.send_json(p.event("BrandNewEvent2031", fake.app, fake.now, gizmo={"x": 1}))
    await ws.send_json(p.event("ChannelCreated", fake.app, fake.now, channel={"no_id": True}))
    await ws.send_json(p.event("PeerStatusChange", fake.app, fake.now,
                               peer={"peer_status": "Reachable"},
                               endpoint=p.endpoint("PJSIP/1001")))
    odd = p.channel("PJSIP/trunk", number="+48600", context="from-external")
    odd["future_field"] = {"nested": [1, 2]}
    odd["dialplan"]["priority"] = None  # real Asterisk may write null
    await ws.send_text(json.dumps(p.event("ChannelCreated", fake.app, fake.now, channel=odd,
                                          surprise=True)))
    await w.until(lambda: odd["id"] in w.state.calls)
    assert w.state.connection.link is Link.LIVE


async def test_application_replaced_says_what_to_do(watch, fake: FakeAri) -> None:
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sockets()
    await fake.emit("ApplicationReplaced")
    await w.until(lambda: w.state.connection.link is Link.FAILED)
    assert "own source.app" in w.state.connection.message


async def test_unreadable_listing_is_retried_not_fatal(watch, fake: FakeAri) -> None:
    fake.channels["broken"] = {"name": "no id here"}
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    assert "cannot read" in w.state.connection.message
    del fake.channels["broken"]
    await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_unreachable_message_reads_well(watch) -> None:
    w = await watch(url="http://127.0.0.1:9")
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    message = w.state.connection.message
    assert message.startswith("Cannot reach Asterisk at 127.0.0.1:9 (") and "\\n" not in message
