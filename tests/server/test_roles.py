"""Roles on the feed: viewers watch, supervisors join calls — by the board's own rules.

A real server on a loopback port, named tokens, configured supervisor accounts, and the
JSON-lines audit log read back from disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server.support import T0, ScriptedSource, call, employee, running
from wallboard.audit import AuditLog
from wallboard.core.clock import ManualClock
from wallboard.core.events import ConnectionChanged, Link, Snapshot
from wallboard.core.listen import SupervisorAccount
from wallboard.core.models import CallStatus, Employee, SipAccount
from wallboard.server.app import create_server_app
from wallboard.server.auth import Role, Token
from wallboard.service import ListenPolicy, WallboardService

TV, MARTA, OLEK = "tv-token-0123456789", "marta-token-0123456789", "olek-token-0123456789"
TOKENS = [Token("wall-tv", Role.VIEWER, TV.encode()),
          Token("marta", Role.SUPERVISOR, MARTA.encode()),
          Token("olek", Role.SUPERVISOR, OLEK.encode())]
SUPERVISORS = (SupervisorAccount(account="PJSIP/1900", project="default"),
               SupervisorAccount(account="PJSIP/1901", project="default"))
ACME = Employee(id="e2", name="Manager e2", project="acme",
                accounts=(SipAccount(id="PJSIP/2001", number="2001"),))


def first_batch() -> list:
    return [ConnectionChanged(link=Link.LIVE), Snapshot(
        calls=(call("c1", CallStatus.TALKING), call("c2"),
               call("c3", CallStatus.TALKING, employee="e2").model_copy(
                   update={"project": "acme"})),
        employees=(employee(), ACME), at=T0)]


@dataclass
class Feed:
    url: str
    source: ScriptedSource
    audit: Path

    def post(self, call_id: str, token: str | None, **body: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}/v1/calls/{call_id}/listen", headers=headers,
                          json={"supervisor": "PJSIP/1900", "mode": "listen", **body})

    def audit_lines(self, at_least: int = 1) -> list[dict]:
        """The audit log's lines, once it has ``at_least`` (the source's steps arrive
        asynchronously, as from a PBX)."""
        deadline = time.monotonic() + 5
        lines: list[dict] = []
        while len(lines) < at_least and time.monotonic() < deadline:
            if self.audit.exists():
                lines = [json.loads(x) for x in self.audit.read_text().splitlines()]
            time.sleep(0.02)
        return lines


def make_feed(tmp_path: Path, *, tokens=TOKENS, read_only: bool = False,
              listen_without_token: bool = False) -> Iterator[Feed]:
    source = ScriptedSource(first_batch())
    clock = ManualClock(T0)
    audit = tmp_path / "audit.jsonl"
    service = WallboardService(
        source, clock, audit=AuditLog(audit, clock, mask_numbers=True),
        policy=ListenPolicy(supervisors=SUPERVISORS, read_only=read_only))
    app = create_server_app(service=service, tokens=tokens,
                            listen_without_token=listen_without_token)
    with running(app) as url:
        yield Feed(url, source, audit)


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    yield from make_feed(tmp_path)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_viewer_token_watches_but_cannot_join(feed: Feed):
    for path in ("/v1/snapshot", "/v1/managers/e1/history", "/v1/managers/e1/calls"):
        assert httpx.get(feed.url + path, headers=auth(TV)).status_code == 200, path
    r = feed.post("c1", TV)
    assert r.status_code == 403
    assert r.json() == {"message": "The token 'wall-tv' may watch only; joining calls needs "
                                   "a supervisor token."}
    assert feed.source.requests == [("history", "e1", *feed.source.requests[0][2:]),
                                    ("calls", "e1", *feed.source.requests[1][2:])]


def test_a_supervisor_token_joins_steers_and_ends(feed: Feed):
    r = feed.post("c1", MARTA, mode="coach")
    assert r.status_code == 201
    sid = r.json()["session"]
    assert httpx.patch(f"{feed.url}/v1/listen/{sid}", headers=auth(MARTA),
                       json={"muted": True}).status_code == 204
    assert httpx.delete(f"{feed.url}/v1/listen/{sid}", headers=auth(MARTA)).status_code == 204
    assert [q[0] for q in feed.source.requests] == ["start", "change", "stop"]
    assert feed.source.requests[0][1:3] == ("c1", "PJSIP/1900")


def test_only_the_token_that_started_a_session_may_change_or_end_it(feed: Feed):
    sid = feed.post("c1", MARTA).json()["session"]
    r = httpx.delete(f"{feed.url}/v1/listen/{sid}", headers=auth(OLEK))
    assert r.status_code == 403
    assert r.json()["message"] == "Only whoever started this listen session may change or end it."
    r = httpx.patch(f"{feed.url}/v1/listen/nope", headers=auth(MARTA), json={"muted": True})
    assert r.status_code == 404 and r.json()["message"] == "There is no such listen session."
    assert [q[0] for q in feed.source.requests] == ["start"]


@pytest.mark.parametrize(("call_id", "body", "status", "message"), [
    ("c2", {}, 409,
     "This call is still ringing; only a call in conversation can be joined."),
    ("c3", {}, 403,
     "Your account PJSIP/1900 is in project 'default' but Manager e2 is in 'acme'; calls "
     "can be joined only within one project."),
    ("c1", {"supervisor": "PJSIP/trunk-out"}, 403,
     "'PJSIP/trunk-out' is not a configured supervisor account; nothing was dialled."),
    ("gone", {}, 404, "That call has already ended."),
])
def test_the_boards_rules_hold_over_the_feed_and_nothing_is_dialled(
        feed: Feed, call_id: str, body: dict, status: int, message: str):
    r = feed.post(call_id, MARTA, **body)
    assert (r.status_code, r.json()["message"]) == (status, message)
    assert feed.source.requests == []
    (line,) = feed.audit_lines()
    assert line["event"] == "refused" and line["message"] == message
    assert line["by"] == "marta" and line["address"] == "127.0.0.1"


def test_one_session_at_a_time_per_supervisor(feed: Feed):
    assert feed.post("c1", MARTA).status_code == 201
    busy = feed.post("c1", OLEK)
    assert busy.status_code == 409
    assert busy.json()["message"].startswith("A listen session is already running")
    # another configured supervisor account may still join
    assert feed.post("c1", OLEK, supervisor="PJSIP/1901").status_code == 201


def test_a_read_only_server_refuses(tmp_path: Path):
    for feed in make_feed(tmp_path, read_only=True):
        r = feed.post("c1", MARTA)
        assert r.status_code == 403 and "read-only" in r.json()["message"]
        assert feed.source.requests == []


def test_without_tokens_watching_is_open_but_joining_needs_a_token(tmp_path: Path):
    for feed in make_feed(tmp_path, tokens=[]):
        assert httpx.get(f"{feed.url}/v1/snapshot").status_code == 200
        r = feed.post("c1", None)
        assert r.status_code == 401 and "supervisor token" in r.json()["message"]
        assert feed.source.requests == []


def test_the_operator_may_let_loopback_join_without_a_token(tmp_path: Path):
    for feed in make_feed(tmp_path, tokens=[], listen_without_token=True):
        assert feed.post("c1", None).status_code == 201
        assert feed.audit_lines()[0]["by"] == "anonymous"


def test_the_audit_trail_names_the_token_and_the_address_never_the_secret(feed: Feed):
    sid = feed.post("c1", MARTA).json()["session"]
    httpx.delete(f"{feed.url}/v1/listen/{sid}", headers=auth(MARTA))
    feed.post("c2", MARTA)  # refused: ringing
    lines = feed.audit_lines(at_least=3)
    text = feed.audit.read_text()
    assert MARTA not in text and TV not in text
    assert [x["event"] for x in lines][0] == "started"
    assert lines[-1]["event"] == "refused"
    assert {x.get("by") for x in lines} == {"marta"}
    assert {x.get("address") for x in lines} == {"127.0.0.1"}


def test_an_upstream_failure_is_502_and_a_client_error_never_is(feed: Feed):
    feed.source.fail = RuntimeError("boom")
    r = feed.post("c1", MARTA)
    assert r.status_code == 500
    from wallboard.sources.base import SourceError

    feed.source.fail = SourceError("The PBX refused the snoop channel.")
    r = feed.post("c1", MARTA)
    assert (r.status_code, r.json()["message"]) == (502, "The PBX refused the snoop channel.")
    assert feed.audit_lines()[-1]["event"] == "error"


def test_the_openapi_document_says_what_the_server_does(tmp_path: Path):
    for feed in make_feed(tmp_path, tokens=[]):
        spec = httpx.get(f"{feed.url}/openapi.json").json()
        paths = spec["paths"]
        assert paths["/v1/snapshot"]["get"]["security"] == [{}, {"bearer": []}]
        assert paths["/v1/calls/{call_id}/listen"]["post"]["security"] == [{"bearer": []}]
    for feed in make_feed(tmp_path):
        spec = httpx.get(f"{feed.url}/openapi.json").json()
        assert spec["paths"]["/v1/snapshot"]["get"]["security"] == [{"bearer": []}]
