"""The feed server over real HTTP on a loopback port."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.server.support import BareSource, ScriptedSource, call, running
from wallboard.core.events import (
    EVENT_ADAPTER,
    CallEnded,
    CallUpserted,
    ConnectionChanged,
    Link,
    Snapshot,
)
from wallboard.core.models import CallStatus
from wallboard.server.app import create_server_app


def read_sse(url: str, count: int, headers: dict[str, str] | None = None,
             timeout: float = 5.0, query: str = "") -> tuple[list[tuple[int, dict]], list[str]]:
    """The first ``count`` SSE messages (id, data) and the comments seen meanwhile."""
    messages: list[tuple[int, dict]] = []
    comments: list[str] = []
    current: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    with httpx.stream("GET", f"{url}/v1/events{query}", headers=headers,
                      timeout=timeout) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith(":"):
                comments.append(line)
            elif line == "":
                if "data" in current:
                    messages.append((int(current["id"]), json.loads(current["data"])))
                current = {}
            else:
                key, _, value = line.partition(": ")
                current[key] = value
            if len(messages) >= count or time.monotonic() > deadline:
                break
    return messages, comments


def test_snapshot_has_the_full_state_and_an_etag(feed: str):
    r = httpx.get(f"{feed}/v1/snapshot")
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "snapshot"
    assert [c["id"] for c in body["calls"]] == ["c1"]
    assert body["employees"][0]["accounts"][0]["id"] == "PJSIP/e1"
    assert body["departments"] == ["Sales"]
    assert isinstance(body["seq"], int) and body["server_time"]
    assert r.headers["etag"] == f'W/"{body["seq"]}"'
    assert r.headers["x-wallboard-upstream"] == "live"
    assert r.headers["x-wallboard-listen-modes"] == "coach,listen"


def test_if_none_match_answers_304_until_something_changes(feed: str, scripted: ScriptedSource):
    etag = httpx.get(f"{feed}/v1/snapshot").headers["etag"]
    r = httpx.get(f"{feed}/v1/snapshot", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert httpx.get(f"{feed}/v1/snapshot", headers={"If-None-Match": '"other", *'}
                     ).status_code == 304
    scripted.push([CallUpserted(call=call("c2"))])
    r = httpx.get(f"{feed}/v1/snapshot", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert {c["id"] for c in r.json()["calls"]} == {"c1", "c2"}


def test_an_unchanged_event_gets_no_sequence_number(feed: str, scripted: ScriptedSource):
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]
    scripted.push([CallUpserted(call=call("c1"))])  # the same call again
    assert httpx.get(f"{feed}/v1/snapshot").json()["seq"] == seq


def test_events_start_with_a_snapshot_then_one_event_per_change(feed, scripted):
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]
    scripted.push([CallUpserted(call=call("c2")), CallEnded(call_id="c1")])
    messages, _ = read_sse(feed, 1)
    first_id, first = messages[0]
    assert first["kind"] == "snapshot" and first_id == seq + 2
    scripted.push([CallUpserted(call=call("c2", CallStatus.TALKING, revision=1))])
    messages, _ = read_sse(feed, 1, headers={"Last-Event-ID": str(first_id)})
    (event_id, data), = messages
    assert event_id == first_id + 1
    event = EVENT_ADAPTER.validate_python(data)
    assert isinstance(event, CallUpserted) and event.call.status is CallStatus.TALKING


def test_resume_with_last_event_id_replays_what_was_missed(feed, scripted):
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]
    scripted.push([CallUpserted(call=call(f"n{i}")) for i in range(5)])
    messages, _ = read_sse(feed, 5, headers={"Last-Event-ID": str(seq)})
    assert [m[0] for m in messages] == [seq + i for i in range(1, 6)]
    assert [m[1]["call"]["id"] for m in messages] == [f"n{i}" for i in range(5)]
    # the query parameter works too (for clients that cannot set headers)
    scripted.push([CallEnded(call_id="n0")])
    messages, _ = read_sse(feed, 1, query=f"?last_event_id={seq + 5}")
    assert messages[0][1] == {"kind": "call_ended", "call_id": "n0", "at": None}


def test_a_client_too_far_behind_gets_a_snapshot(scripted: ScriptedSource):
    app = create_server_app(scripted, replay=3)
    with running(app) as url:
        seq = httpx.get(f"{url}/v1/snapshot").json()["seq"]
        scripted.push([CallUpserted(call=call(f"n{i}")) for i in range(10)])
        for last in (seq, seq - 100, seq + 10_000, "garbage"):
            messages, _ = read_sse(url, 1, headers={"Last-Event-ID": str(last)})
            assert messages[0][1]["kind"] == "snapshot"
            assert messages[0][0] == seq + 10
            assert len(messages[0][1]["calls"]) == 11


def test_idle_streams_get_heartbeat_comments(feed: str):
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]
    with httpx.stream("GET", f"{feed}/v1/events", headers={"Last-Event-ID": str(seq)},
                      timeout=5) as r:
        lines = []
        for line in r.iter_lines():
            lines.append(line)
            if line.startswith(": heartbeat"):
                break
    assert lines[0] == "retry: 2000"
    assert lines[-1] == ": heartbeat"


def test_health_and_openapi(feed: str):
    health = httpx.get(f"{feed}/healthz").json()
    assert health["status"] == "ok" and health["ready"] is True and health["upstream"] == "live"
    spec = httpx.get(f"{feed}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/snapshot", "/v1/events", "/v1/managers/{employee_id}/history",
            "/v1/managers/{employee_id}/calls", "/v1/calls/{call_id}/listen",
            "/v1/listen/{session_id}", "/healthz", "/openapi.json"} <= set(spec["paths"])


def test_history_and_call_log_reach_the_source(feed: str, scripted: ScriptedSource):
    r = httpx.get(f"{feed}/v1/managers/e1/history", params={"period": "3d"})
    assert r.status_code == 200 and r.json()["employee_id"] == "e1"
    _, who, start, end = scripted.requests[-1]
    assert who == "e1" and 2 * 86400 <= (end - start).total_seconds() <= 3 * 86400
    r = httpx.get(f"{feed}/v1/managers/e1/calls",
                  params={"from": "2026-03-24T00:00:00Z", "to": "2026-03-25T00:00:00+00:00"})
    assert r.status_code == 200 and r.json()[0]["id"] == "r1"
    assert scripted.requests[-1][2].isoformat() == "2026-03-24T00:00:00+00:00"


@pytest.mark.parametrize("query", [{"period": "month"}, {"from": "yesterday"},
                                   {"from": "2026-03-24T00:00:00"},
                                   {"from": "2026-03-25T00:00:00Z", "to": "2026-03-24T00:00Z"}])
def test_bad_query_parameters_are_400_with_a_message(feed: str, query):
    r = httpx.get(f"{feed}/v1/managers/e1/history", params=query)
    assert r.status_code == 400 and r.json()["message"]


def test_a_source_without_history_answers_501():
    with running(create_server_app(BareSource())) as url:
        r = httpx.get(f"{url}/v1/managers/e1/history")
        assert r.status_code == 501 and "history" in r.json()["message"]
        assert httpx.get(f"{url}/v1/managers/e1/calls").status_code == 501


def test_a_crashing_source_call_is_a_500_without_details(feed, scripted):
    scripted.fail = RuntimeError("secret internals")
    r = httpx.get(f"{feed}/v1/managers/e1/calls")
    assert r.status_code == 500 and "secret" not in r.text
    assert r.json() == {"message": "Reading the call log failed unexpectedly (RuntimeError)."}


def test_a_resync_snapshot_from_the_source_replaces_everything(feed, scripted):
    scripted.push([Snapshot(calls=(call("z9"),))])
    body = httpx.get(f"{feed}/v1/snapshot").json()
    assert [c["id"] for c in body["calls"]] == ["z9"] and body["employees"] == []


def _writes_of(url: str, query: str, seq: int, during: Callable[[], None],
               seconds: float) -> list[tuple[float, list[str]]]:
    """The stream's writes (HTTP chunks) after ``seq`` while ``during`` runs in a thread:
    (seconds since the stream opened, the event ids each carried), heartbeats left out."""
    writes: list[tuple[float, list[str]]] = []
    started = time.monotonic()
    with httpx.stream("GET", f"{url}/v1/events{query}", headers={"Last-Event-ID": str(seq)},
                      timeout=seconds + 5) as r:
        assert r.status_code == 200
        worker = threading.Thread(target=during)
        worker.start()
        for chunk in r.iter_raw():
            ids = [line[4:] for line in chunk.decode().splitlines() if line.startswith("id: ")]
            if ids:
                writes.append((time.monotonic() - started, ids))
            if time.monotonic() - started > seconds:
                break
        worker.join()
    return writes


def _five_changes(scripted: ScriptedSource, prefix: str) -> Callable[[], None]:
    def run() -> None:
        for i in range(5):
            scripted.push([CallUpserted(call=call(f"{prefix}{i}"))])
            time.sleep(0.1)
    return run


def test_a_client_that_asks_for_batches_gets_its_changes_gathered(feed, scripted):
    """Five changes 0.1 s apart: five writes without ``batch``; with ``batch=1`` the first
    at once (nothing was held), the other four together a second later."""
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]
    each = _writes_of(feed, "", seq, _five_changes(scripted, "a"), 1.0)
    assert [ids for _, ids in each] == [[str(seq + i)] for i in range(1, 6)]
    seq += 5
    gathered = _writes_of(feed, "?batch=1", seq, _five_changes(scripted, "b"), 2.0)
    assert [ids for _, ids in gathered] == [[str(seq + 1)], [str(seq + i) for i in range(2, 6)]]
    assert gathered[1][0] - gathered[0][0] >= 0.9


def test_the_health_of_the_source_is_never_held_back(feed, scripted):
    seq = httpx.get(f"{feed}/v1/snapshot").json()["seq"]

    def run() -> None:
        scripted.push([CallUpserted(call=call("h1"))])  # at once: nothing was held
        time.sleep(0.3)
        scripted.push([CallUpserted(call=call("h2"))])  # held for up to 5 s ...
        time.sleep(0.3)
        scripted.push([ConnectionChanged(link=Link.RECONNECTING, message="PBX gone")])

    writes = _writes_of(feed, "?batch=5", seq, run, 2.0)
    # ... until the link's news: it goes at once, and what was held with it
    assert [ids for _, ids in writes] == [[str(seq + 1)], [str(seq + 2), str(seq + 3)]]
    assert writes[1][0] < 1.5


@pytest.mark.parametrize("batch", ["-1", "5.5", "soon", "nan", "inf"])
def test_a_bad_batch_is_400_with_a_message(feed: str, batch: str):
    r = httpx.get(f"{feed}/v1/events", params={"batch": batch})
    assert r.status_code == 400
    assert r.json()["message"] == "batch must be a number of seconds from 0 to 5."
