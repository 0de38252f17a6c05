"""The connection to Asterisk: stalls, temporary errors, read-only users, secrets (issue 11 §9)."""

from __future__ import annotations

import asyncio
import base64
import logging
import time

import pytest

from tests.sources.ari.conftest import APP
from tests.sources.ari.fake_ari import FakeAri
from tests.sources.ari.proxy import StallingProxy
from tests.sources.ari.test_listen import session, talking_call
from tests.sources.ari.test_scenarios import live
from wallboard.config import AriSource
from wallboard.core.events import ConnectionChanged, Link, Snapshot
from wallboard.core.listen import ListenMode, ListenState


async def test_a_stalled_websocket_is_noticed_within_two_ping_intervals(watch, fake) -> None:
    proxy = await StallingProxy(fake.port).start()
    try:
        w = await live(watch, fake, url=proxy.url, ping_interval_seconds=0.5)
        proxy.stall()
        stalled_at = time.monotonic()
        await w.until(lambda: w.state.connection.link is Link.RECONNECTING, timeout=5)
        assert time.monotonic() - stalled_at < 2.5
        await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    finally:
        await proxy.stop()


def test_by_default_a_stall_is_noticed_within_ten_seconds() -> None:
    settings = AriSource(url="http://pbx:8088")
    assert settings.ping_interval_seconds == 5.0  # ping every 5 s, give up 5 s later


@pytest.mark.parametrize("status", [503, 502, 500])
async def test_a_temporary_server_error_is_not_blamed_on_the_config(watch, fake, status) -> None:
    fake.status = status
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    message = w.state.connection.message
    assert "ari.conf" not in message and "enabled" not in message
    assert message.startswith(f"Asterisk at 127.0.0.1:{fake.port} is not available "
                              f"(HTTP {status}")
    assert "Retrying in" in message
    fake.status = None
    await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_a_missing_ari_does_point_at_the_config(watch, fake) -> None:
    fake.status = 404  # res_ari's URIs are unlinked when ari.conf says enabled = no
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    assert "is ARI enabled in ari.conf and http.conf?" in w.state.connection.message


async def test_a_read_only_user_tries_once_and_cleans_up_nothing(watch, fake) -> None:
    w, client, _agent = await talking_call(watch, fake)
    fake.read_only = True
    fake.requests.clear()
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    await w.until(lambda: session(w).state is ListenState.FAILED)
    assert session(w).message == (
        "The ARI user is read-only; joining calls needs a user with read_only = no.")
    await asyncio.sleep(0.2)  # room for any (wrong) clean-up request to arrive
    assert [(r.method, r.path) for r in fake.requests] == [("POST", "/bridges")]


async def test_a_failure_midway_deletes_only_what_was_made(watch, fake) -> None:
    w, client, agent = await talking_call(watch, fake)
    fake.forget_channel(agent)  # gone without an event: the snoop will answer 404
    fake.requests.clear()
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    await w.until(lambda: session(w).state is ListenState.FAILED)
    bridge = f"{APP}-listen1-bridge"
    await w.until(lambda: bridge not in fake.bridges)  # clean-up follows the news
    await asyncio.sleep(0.2)  # room for any further (wrong) request to arrive
    assert [(r.method, r.path) for r in fake.requests] == [
        ("POST", "/bridges"),
        ("POST", f"/channels/{agent}/snoop"),
        ("DELETE", f"/bridges/{bridge}"),
    ]


async def test_credentials_travel_in_a_header_never_in_a_url(watch, fake) -> None:
    w = await live(watch, fake, username=None, password=None, api_key="wall:s3cret")
    assert fake.api_keys_seen == 0
    await fake.drop_sockets()
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    assert fake.api_keys_seen == 0


SECRET = "Pa55-w0rd-only-here"


@pytest.mark.parametrize("style", ["password", "api_key"])
async def test_no_password_in_any_message_or_log(watch, fake: FakeAri, caplog, style) -> None:
    fake.password = SECRET
    creds = ({"username": "wall", "password": SECRET} if style == "password"
             else {"username": None, "password": None, "api_key": f"wall:{SECRET}"})
    wrong = ({"username": "wall", "password": SECRET + "x"} if style == "password"
             else {"username": None, "password": None, "api_key": f"wall:{SECRET}x"})
    caplog.set_level(logging.DEBUG)
    bad = await watch(**wrong)
    await bad.until(lambda: bad.state.connection.link is Link.FAILED)
    fake.status = 503
    w = await watch(**creds)
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    fake.status = None
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sockets()
    await fake.drop_sockets()
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    ours = [r for r in caplog.records if not r.name.startswith(("uvicorn", "websockets.server"))]
    assert any(r.levelno == logging.DEBUG for r in ours), "DEBUG logging was really captured"
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in ours
    ) + repr(bad.events) + repr(w.events)
    token = base64.b64encode(f"wall:{SECRET}".encode()).decode()
    for secret in (SECRET, token, "api_key"):
        assert secret not in text
    assert all(SECRET not in e.message for e in w.of(ConnectionChanged))
