"""The feed client against a real feed server (and a scripted fake one) on loopback."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.responses import JSONResponse, Response

from tests.server.support import BareSource, ScriptedSource, call, employee, free_port, running
from tests.sources.feed_support import (
    FakeFeed,
    Follower,
    client,
    same_state,
    server_snapshot,
    sse,
    stream,
)
from wallboard.config import FeedSource
from wallboard.core.events import (
    AccountStatusChanged,
    CallEnded,
    CallUpserted,
    ConnectionChanged,
    Link,
    Snapshot,
)
from wallboard.core.listen import ListenMode
from wallboard.core.models import AgentStatus, CallStatus
from wallboard.server.app import create_server_app
from wallboard.sources.base import NotSupported, SourceError
from wallboard.sources.feed import FeedClient

pytestmark = pytest.mark.asyncio


@pytest.fixture
def scripted() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def app(scripted):
    return create_server_app(scripted, heartbeat_seconds=0.5)


@pytest.fixture
def feed(app):
    with running(app) as url:
        yield url


@pytest.fixture
def fake():
    fake = FakeFeed()
    with running(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.mark.parametrize("mode", ["stream", "poll"])
async def test_the_client_follows_the_server(feed, scripted, mode):
    f = Follower(client(feed, mode))
    try:
        await f.until(lambda: "c1" in f.state.calls)
        assert f.statuses[0].link is Link.CONNECTING
        assert f.link == "live" and f.statuses[-1].message == f"Live from {feed}."
        await scripted.apush([
            CallUpserted(call=call("c2")),
            CallUpserted(call=call("c1", CallStatus.TALKING, revision=1)),
            AccountStatusChanged(employee_id="e1", account_id="PJSIP/e1",
                                 status=AgentStatus.TALKING),
            CallEnded(call_id="c2"),
        ])
        truth = await server_snapshot(feed)
        await f.until(lambda: same_state(f.state, truth))
        assert f.state.calls["c1"].status is CallStatus.TALKING
        assert f.client.listen_modes == {ListenMode.LISTEN, ListenMode.COACH}
        if mode == "poll":  # unchanged polls are 304s and say "still fresh" with []
            batches = f.batches
            await f.until(lambda: f.batches >= batches + 3)
            assert f.snapshots == 2
    finally:
        await f.stop()


async def test_stream_resumes_with_last_event_id_and_misses_nothing(app, feed, scripted):
    f = Follower(client(feed, backoff_base=0.3, backoff_cap=0.3))
    try:
        await f.until(lambda: f.link == "live" and f.snapshots == 1)
        # end every stream from the server's side, then change things while it is away
        scripted._loop.call_soon_threadsafe(drop_streams, app.state.hub)
        await f.until(lambda: f.link == "reconnecting")
        await scripted.apush([CallUpserted(call=call(f"n{i}")) for i in range(3)])
        truth = await server_snapshot(feed)
        await f.until(lambda: same_state(f.state, truth))
        assert f.snapshots == 1, "resumed from the replay buffer, not a new snapshot"
        assert f.link == "live"
    finally:
        await f.stop()


def drop_streams(hub) -> None:
    for subscriber in list(hub._subscribers):
        subscriber.close()


async def test_a_gap_in_the_ids_makes_the_client_resync(fake):
    good = Snapshot(calls=(call("c1"),)).model_dump_json()
    later = Snapshot(calls=(call("c9"),)).model_dump_json()
    ghost = CallUpserted(call=call("ghost")).model_dump_json()
    fake.reset([stream(sse((5, good), (7, ghost)))], lambda: stream(sse((20, later))))
    f = Follower(client(fake.url))
    try:
        await f.until(lambda: set(f.state.calls) == {"c9"})
        assert "ghost" not in f.state.calls
        assert "last-event-id" not in fake.requests[1].headers
        assert f.client.malformed_count == 0
    finally:
        await f.stop()


async def test_a_stream_reconnect_sends_last_event_id(fake):
    good = Snapshot(calls=(call("c1"),)).model_dump_json()
    nxt = CallUpserted(call=call("c2")).model_dump_json()
    fake.reset([stream(sse((5, good), (6, nxt)))], lambda: stream(b": idle\n\n"))
    f = Follower(client(fake.url))
    try:
        await f.until(lambda: len(fake.requests) >= 2)
        assert fake.requests[1].headers["last-event-id"] == "6"
        assert set(f.state.calls) == {"c1", "c2"}
    finally:
        await f.stop()


@pytest.mark.parametrize("status,word", [(401, "requires a token"), (403, "rejected the token")])
async def test_401_and_403_stop_with_a_clear_message_about_the_token(fake, status, word):
    fake.reset([], lambda: JSONResponse({"message": "no"}, status_code=status))
    f = Follower(client(fake.url, environ={"WALLBOARD_TOKEN": "tok-123"}))
    try:
        await f.until(lambda: f.link == "failed")
        message = f.statuses[-1].message
        assert word in message and "WALLBOARD_TOKEN" in message and "tok-123" not in message
        await asyncio.sleep(0.3)
        assert len(fake.requests) == 1, "a token problem is not retried"
        assert fake.requests[0].headers["authorization"] == "Bearer tok-123"
    finally:
        await f.stop()


@pytest.mark.parametrize("status", [429, 503])
async def test_429_and_503_honour_retry_after(fake, status):
    good = Snapshot(calls=(call("c1"),)).model_dump_json()
    fake.reset([JSONResponse({"message": "busy"}, status_code=status,
                             headers={"Retry-After": "1"})],
               lambda: stream(sse((1, good)) + b": x\n\n"))
    f = Follower(client(fake.url))
    try:
        await f.until(lambda: "c1" in f.state.calls, timeout=5)
        waiting = next(s for s in f.statuses if s.link is Link.RECONNECTING)
        assert waiting.retry_at is not None and "Retrying in 1 s" in waiting.message
        assert 0.9 <= (waiting.retry_at - waiting.at).total_seconds() <= 1.1
        assert fake.times[1] - fake.times[0] >= 0.9
    finally:
        await f.stop()


async def test_an_unreachable_feed_is_reported_and_retried():
    port = free_port()
    f = Follower(client(f"http://127.0.0.1:{port}"))
    try:
        await f.until(lambda: sum(s.link is Link.RECONNECTING for s in f.statuses) >= 2)
        status = f.statuses[-1]
        assert status.message.startswith(f"Cannot reach the feed at http://127.0.0.1:{port}: "
                                         "connection refused.")
        assert status.retry_at is not None and status.retry_at > status.at
    finally:
        await f.stop()


async def test_the_client_reports_the_servers_own_source_trouble(feed, scripted):
    f = Follower(client(feed))
    try:
        await f.until(lambda: f.link == "live")
        await scripted.apush([ConnectionChanged(link=Link.RECONNECTING, message="PBX is down.")])
        await f.until(lambda: f.link == "reconnecting")
        assert "its own source is reconnecting: PBX is down." in f.statuses[-1].message
        await scripted.apush([ConnectionChanged(link=Link.LIVE)])
        await f.until(lambda: f.link == "live")
    finally:
        await f.stop()


async def test_api_calls_go_through_the_server(feed, scripted):
    feed_client = client(feed)
    try:
        from tests.server.support import T0

        history = await feed_client.manager_history("e1", T0, T0.replace(hour=18))
        assert history.employee_id == "e1" and history.calls[0].id == "r1"
        assert scripted.requests[-1][2:] == ("history", "e1", T0, T0.replace(hour=18))[2:]
        records = await feed_client.call_log("e1", T0, T0.replace(hour=18))
        assert [r.id for r in records] == ["r1"]
    finally:
        await feed_client.aclose()


async def test_listen_requests_go_through_the_server_with_a_supervisor_token():
    from tests.server.support import T0
    from wallboard.audit import AuditLog
    from wallboard.core.clock import ManualClock
    from wallboard.core.listen import SupervisorAccount
    from wallboard.service import ListenPolicy, WallboardService

    source = ScriptedSource([ConnectionChanged(link=Link.LIVE), Snapshot(
        calls=(call("c1", CallStatus.TALKING), call("c2")), employees=(employee(),))])
    clock = ManualClock(T0)
    service = WallboardService(
        source, clock, audit=AuditLog(None, clock),
        policy=ListenPolicy(supervisors=(SupervisorAccount(account="PJSIP/900"),)))
    token = "supervisor-token-0123456789"
    with running(create_server_app(service=service, token=token)) as url:
        feed_client = client(url, environ={"WALLBOARD_TOKEN": token})
        try:
            session = await feed_client.start_listen("c1", "PJSIP/900", ListenMode.COACH)
            assert session == "s1"
            await feed_client.change_listen("s1", mode=ListenMode.LISTEN, muted=False)
            await feed_client.stop_listen("s1")
            await until_true(lambda: service.listen.active(None) is None)
            assert source.requests == [("start", "c1", "PJSIP/900", ListenMode.COACH),
                                       ("change", "s1", ListenMode.LISTEN, False),
                                       ("stop", "s1")]
            # a rule said no: the server's own sentence, as it is
            with pytest.raises(SourceError) as info:
                await feed_client.start_listen("c2", "PJSIP/900", ListenMode.LISTEN)
            assert str(info.value) == ("This call is still ringing; only a call in "
                                       "conversation can be joined.")
        finally:
            await feed_client.aclose()


async def until_true(check, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


async def test_api_errors_map_back_to_source_errors():
    with running(create_server_app(BareSource(), token="right")) as url:
        wrong = client(url, environ={"WALLBOARD_TOKEN": "wrong"})
        right = client(url, environ={"WALLBOARD_TOKEN": "right"})
        try:
            with pytest.raises(NotSupported, match="keeps no history"):
                await right.manager_history("e1", *_day())
            with pytest.raises(SourceError, match="cannot join calls"):
                await right.start_listen("c1", "x", ListenMode.LISTEN)
            with pytest.raises(SourceError, match="rejected the token") as info:
                await wrong.call_log("e1", *_day())
            assert "wrong" not in str(info.value)
        finally:
            await wrong.aclose()
            await right.aclose()
    gone = client(url)
    with pytest.raises(SourceError, match="connection refused"):
        await gone.stop_listen("s1")
    await gone.aclose()


def _day():
    from tests.server.support import T0

    return T0, T0.replace(hour=18)


@pytest.mark.parametrize("url", ["http://host:abc", "ftp://host", "http://"])
async def test_a_bad_url_fails_clearly_without_a_traceback(url):
    # the config refuses these at load (tests/test_cli_errors.py); the client still copes
    settings = FeedSource.model_construct(url=url, kind="feed", mode="stream", token=None,
                                          poll_seconds=0.05, stale_after_seconds=10.0)
    f = Follower(FeedClient(settings, environ={}))
    try:
        await f.until(lambda: f.link == "failed")
        assert "not a valid address" in f.statuses[-1].message
    finally:
        await f.stop()


async def test_the_employee_list_arrives_with_the_snapshot(feed, scripted):
    await scripted.apush([EmployeeUpserted_(employee("e2", department="Support"))])
    f = Follower(client(feed, mode="poll"))
    try:
        await f.until(lambda: set(f.state.employees) == {"e1", "e2"})
        assert f.state.departments() == ["Sales", "Support"]
    finally:
        await f.stop()


def EmployeeUpserted_(e):  # noqa: N802 - a tiny alias for readability above
    from wallboard.core.events import EmployeeUpserted

    return EmployeeUpserted(employee=e)


async def test_a_response_that_is_not_an_event_stream_is_retried(fake):
    good = Snapshot(calls=(call("c1"),)).model_dump_json()
    fake.reset([Response("<html>", media_type="text/html")], lambda: stream(sse((1, good))))
    f = Follower(client(fake.url))
    try:
        await f.until(lambda: "c1" in f.state.calls)
        assert any("did not answer with an event stream" in s.message for s in f.statuses)
    finally:
        await f.stop()


async def test_a_quiet_stream_with_heartbeats_counts_as_fresh():
    """Each heartbeat comes out as an empty batch ('heard from the feed just now'), so a
    quiet night is not mistaken for a dead feed: the board marks data stale only when
    nothing at all arrives."""
    with running(create_server_app(ScriptedSource(), heartbeat_seconds=0.3)) as url:
        feed = client(url)
        stream_ = feed.events()
        empty = 0
        try:
            async with asyncio.timeout(10):
                while empty < 3:
                    batch = await anext(stream_)
                    empty += batch == []
        finally:
            await feed.aclose()
            await stream_.aclose()
    assert empty == 3


async def test_credentials_in_the_url_reach_the_server_but_no_message_or_title(fake):
    """``--url http://user:pass@host``: the password goes in the Authorization header, and
    never into the top bar (the source's title) or any status message."""
    host = fake.url.split("//", 1)[1]
    fake.reset([], lambda: JSONResponse({"message": "no"}, status_code=403))
    f = Follower(client(f"http://anna:s3cret-pw@{host}"))
    try:
        await f.until(lambda: f.link == "failed")
        assert f.client.title == f"feed {host}"
        assert fake.requests[0].headers["authorization"] == "Basic YW5uYTpzM2NyZXQtcHc="
        messages = [s.message for s in f.statuses]
        assert messages[0] == f"Connecting to the feed at http://{host}…"
        assert all("s3cret" not in m and "anna" not in m for m in messages), messages
    finally:
        await f.stop()
    gone = Follower(client(f"http://anna:s3cret-pw@127.0.0.1:{free_port()}"))
    try:
        await gone.until(lambda: any(s.link is Link.RECONNECTING for s in gone.statuses))
        assert all("s3cret" not in s.message and "anna" not in s.message
                   for s in gone.statuses)
        with pytest.raises(SourceError) as failed:
            await gone.client.stop_listen("s1")
        assert "s3cret" not in str(failed.value) and "anna" not in str(failed.value)
    finally:
        await gone.stop()


class _Recording(httpx.AsyncHTTPTransport):
    """The real transport, remembering each request's URL."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return await super().handle_async_request(request)


@pytest.mark.parametrize(("batch", "query"), [(None, b"batch=0.25"), (0.0, b""),
                                              (1.5, b"batch=1.5")])
async def test_the_stream_asks_for_its_events_in_the_configured_batches(feed, batch, query):
    """A board asks for a quarter of a second of changes at a time by default
    (``batch_seconds``); 0 asks for each change at once (no parameter: any server)."""
    settings = FeedSource(url=feed) if batch is None else FeedSource(url=feed,
                                                                     batch_seconds=batch)
    transport = _Recording()
    f = Follower(FeedClient(settings, environ={}, transport=transport))
    try:
        await f.until(lambda: "c1" in f.state.calls)
    finally:
        await f.stop()
    asked = [url.query for url in transport.urls if url.path == "/v1/events"]
    assert asked and set(asked) == {query}
