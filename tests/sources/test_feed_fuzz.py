"""Property tests of the feed client: garbage never crashes it, and it always converges."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.responses import Response

from tests.server.support import ScriptedSource, call, employee, running
from tests.sources.feed_support import FakeFeed, Follower, client, same_state, sse, stream
from wallboard.core.events import (
    AccountStatusChanged,
    CallEnded,
    CallUpserted,
    EmployeeRemoved,
    EmployeeUpserted,
    Link,
    Snapshot,
)
from wallboard.core.models import AgentStatus, CallStatus
from wallboard.server.app import create_server_app
from wallboard.sources.backoff import Backoff
from wallboard.sources.feed_errors import describe_error, describe_status, retry_after

GOOD = Snapshot(calls=(call("c1"),)).model_dump_json()
FINAL = Snapshot(calls=(call("c2"), call("c3"))).model_dump_json()

garbage = st.one_of(
    st.text(min_size=1, max_size=60).filter(lambda s: "\n" not in s and "\r" not in s),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4)
    .map(json.dumps),
    st.sampled_from([
        '{"kind":"call"}', '{"kind":"snapshot","calls":[{"id":1}]}', '[]', 'null',
        '{"kind":"call_ended"}', '{"kind":"nope","call_id":"c1"}', '{"kind":"call_ended",'
        '"call_id":"c1","extra":1}',
    ]),
)
ids = st.one_of(st.just("6"), st.sampled_from(["x", "", "6.5", "-"]))


@pytest.fixture(scope="module")
def fake_feed():
    fake = FakeFeed()
    with running(fake.app()) as url:
        fake.url = url
        yield fake


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=garbage, event_id=ids, mode=st.sampled_from(["stream", "poll"]))
def test_malformed_payloads_are_skipped_counted_and_the_next_snapshot_restores_truth(
    fake_feed, payload, event_id, mode
):
    async def scenario() -> None:
        if mode == "stream":
            first = stream(sse((5, GOOD), (event_id, payload)))
            fake_feed.reset([first], lambda: stream(sse((20, FINAL)) + b": idle\n\n"))
        else:
            extra = {"server_time": "2026-03-24T09:00:00Z", "restart": None}
            good = {k: v for k, v in (json.loads(GOOD) | extra | {"seq": 5}).items()
                    if v is not None}
            final = {k: v for k, v in (json.loads(FINAL) | extra | {"seq": 20}).items()
                     if v is not None}
            fake_feed.reset(
                [Response(json.dumps(good), media_type="application/json"),
                 Response(payload, media_type="application/json", headers={"ETag": '"b"'})],
                lambda: Response(json.dumps(final), media_type="application/json",
                                 headers={"ETag": '"f"'}),
            )
        f = Follower(client(fake_feed.url, mode))
        try:
            await f.until(lambda: set(f.state.calls) == {"c2", "c3"})
            parses = _parses(payload, mode) and (mode == "poll" or event_id == "6")
            assert f.client.malformed_count == (0 if parses else 1)
            if not parses:
                assert any("1 malformed payload skipped" in s.message for s in f.statuses
                           if s.link is Link.LIVE)
        finally:
            await f.stop()

    asyncio.run(scenario())


def _parses(payload: str, mode: str) -> bool:
    from wallboard.core.events import EVENT_ADAPTER
    from wallboard.wire import SnapshotBody

    try:
        if mode == "poll":
            SnapshotBody.model_validate_json(payload)
        else:
            EVENT_ADAPTER.validate_json(payload)
    except Exception:
        return False
    return True


# -- for any sequence of source events, the client ends with exactly the server's state ----
call_ids = st.sampled_from(["c1", "c2", "c3", "c4"])
employee_ids = st.sampled_from(["e1", "e2", "e3"])
source_events = st.one_of(
    st.builds(lambda cid, status, rev, eid: CallUpserted(call=call(cid, status, rev, eid)),
              call_ids, st.sampled_from(CallStatus), st.integers(0, 3), employee_ids),
    st.builds(lambda cid: CallEnded(call_id=cid), call_ids),
    st.builds(lambda eid, dep, status: EmployeeUpserted(employee=employee(eid, dep, status)),
              employee_ids, st.sampled_from([None, "Sales", "Support"]),
              st.sampled_from(AgentStatus)),
    st.builds(lambda eid: EmployeeRemoved(employee_id=eid), employee_ids),
    st.builds(lambda eid, status: AccountStatusChanged(employee_id=eid, account_id=f"PJSIP/{eid}",
                                                       status=status),
              employee_ids, st.sampled_from(AgentStatus)),
    st.builds(lambda cids: Snapshot(calls=tuple(call(c) for c in sorted(set(cids)))),
              st.lists(call_ids, max_size=3)),
)


@pytest.fixture(scope="module")
def tight_feed():
    """A feed whose per-client buffer is tiny, so bursts also exercise the resync path."""
    source = ScriptedSource()
    with running(create_server_app(source, client_queue=3, replay=50)) as url:
        yield url, source


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(source_events, min_size=1, max_size=8), max_size=6),
       mode=st.sampled_from(["stream", "stream", "poll"]))
def test_a_client_following_the_feed_ends_with_exactly_the_servers_state(
    tight_feed, batches, mode
):
    url, source = tight_feed
    source.push([Snapshot(calls=(call("c1"),), employees=(employee("e1"),))])  # a fresh start

    async def scenario() -> None:
        f = Follower(client(url, mode, poll_seconds=0.02))
        try:
            await f.until(lambda: f.snapshots >= 1)
            for batch in batches:
                await source.apush(batch)
            async with httpx.AsyncClient() as http:
                truth = (await http.get(f"{url}/v1/snapshot")).json()
            await f.until(lambda: same_state(f.state, truth))
            assert f.client.malformed_count == 0
        finally:
            await f.stop()

    asyncio.run(scenario())


# -- errors in one sentence ----------------------------------------------------------------
REQUEST = httpx.Request("GET", "http://feed:8765/v1/events")
ERRORS = [
    httpx.ConnectTimeout("t"), httpx.ConnectError("refused"), httpx.ReadTimeout("t"),
    httpx.WriteTimeout("t"), httpx.PoolTimeout("t"), httpx.RemoteProtocolError("x"),
    httpx.LocalProtocolError("x"), httpx.ReadError("x"), httpx.WriteError("x"),
    httpx.CloseError("x"), httpx.ProxyError("x"), httpx.UnsupportedProtocol("x"),
    httpx.InvalidURL("x"), httpx.TooManyRedirects("x", request=REQUEST),
    httpx.DecodingError("x"), httpx.NetworkError("x"), httpx.TransportError("x"),
    httpx.HTTPStatusError("x", request=REQUEST, response=httpx.Response(500)),
    ConnectionResetError(104, "Connection reset by peer"), httpx.StreamClosed(),
]


@pytest.mark.parametrize("exc", ERRORS, ids=lambda e: type(e).__name__)
def test_every_httpx_error_is_one_clear_sentence(exc):
    text = describe_error(exc, "http://feed:8765")
    assert "http://feed:8765" in text and text.endswith((".", "?"))
    assert "\n" not in text and "Traceback" not in text


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 502, 503])
def test_every_status_is_one_clear_sentence(status):
    text = describe_status(status, "http://feed:8765")
    assert "http://feed:8765" in text and text.endswith(".") and "\n" not in text


def test_retry_after_seconds_and_dates():
    now = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
    assert retry_after(httpx.Response(503, headers={"Retry-After": "7"}), now) == 7
    date = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after(httpx.Response(429, headers={"Retry-After": date}), now) == 30
    assert retry_after(httpx.Response(429, headers={"Retry-After": "99999"}), now) == 300
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"}), now) is None
    assert retry_after(httpx.Response(429), now) is None


def test_backoff_grows_with_jitter_and_a_cap():
    import random

    backoff = Backoff(base=1, cap=8, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(6)]
    for n, delay in enumerate(delays):
        assert min(8, 2**n) * 0.5 <= delay <= min(8, 2**n)
    backoff.reset()
    assert backoff.next_delay() <= 1
