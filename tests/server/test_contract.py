"""Contract tests: every answer of the real server matches its own /openapi.json.

A small checker instead of schemathesis (not installed here): hypothesis makes the
requests, jsonschema validates each body against the documented schema for its status.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.support import ScriptedSource, running
from wallboard.server.app import create_server_app

TOKEN = "contract-token"


@pytest.fixture(scope="module")
def served():
    with running(create_server_app(ScriptedSource(), token=TOKEN, heartbeat_seconds=0.2)) as url:
        spec = httpx.get(f"{url}/openapi.json").json()
        yield url, spec


def check(spec: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """The status is documented for the operation, and the body matches its schema."""
    operation = spec["paths"][path][method]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {path} answered undocumented {status}"
    content = documented[status].get("content")
    if not content:
        assert response.content == b"", f"{status} should have no body"
        return
    media, = content
    assert response.headers["content-type"].startswith(media)
    schema = content[media]["schema"]
    if media == "text/event-stream":  # each message's data holds the Event
        data = next(line[6:] for line in response.text.splitlines() if line.startswith("data: "))
        body = json.loads(data)
        schema = schema["properties"]["data"]["contentSchema"]
    else:
        body = response.json()
    root = {**schema, "components": spec["components"]}
    jsonschema.Draft202012Validator(root).validate(body)


def test_the_document_is_a_valid_openapi_31_shape(served):
    _, spec = served
    assert spec["openapi"] == "3.1.0"
    for schema in spec["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = {m.split("/")[-1] for m in json.dumps(spec).split('"$ref": "')[1:]
            for m in [m.split('"')[0]]}
    assert refs <= set(spec["components"]["schemas"]), "every $ref resolves"


segment = st.text(st.characters(codec="ascii", categories=["L", "N"]) | st.sampled_from("-_."),
                  min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
auth = st.sampled_from([{"Authorization": f"Bearer {TOKEN}"}] * 3
                       + [{}, {"Authorization": "Bearer wrong"}])
times = st.sampled_from(["", "2026-03-24T08:00:00Z", "2026-03-24T08:00:00", "later",
                         "2026-03-25T00:00:00+01:00"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ident=segment, headers=auth, period=st.sampled_from(["today", "3d", "7d", "x", ""]),
       start=times, end=times, which=st.integers(0, 3))
def test_reads_match_the_contract(served, ident, headers, period, start, end, which):
    url, spec = served
    with httpx.Client(base_url=url, headers=headers, timeout=5) as http:
        if which == 0:
            r = http.get("/v1/snapshot")
            check(spec, "/v1/snapshot", "get", r)
            if r.status_code == 200:
                again = http.get("/v1/snapshot", headers={"If-None-Match": r.headers["etag"]})
                check(spec, "/v1/snapshot", "get", again)
        elif which == 1:
            params = {k: v for k, v in {"period": period, "from": start, "to": end}.items() if v}
            r = http.get(f"/v1/managers/{ident}/history", params=params)
            check(spec, "/v1/managers/{employee_id}/history", "get", r)
        elif which == 2:
            params = {k: v for k, v in {"from": start, "to": end}.items() if v}
            r = http.get(f"/v1/managers/{ident}/calls", params=params)
            check(spec, "/v1/managers/{employee_id}/calls", "get", r)
        else:
            check(spec, "/healthz", "get", http.get("/healthz"))


bodies = st.one_of(
    st.fixed_dictionaries({"supervisor": segment},
                          optional={"mode": st.sampled_from(["listen", "coach", "barge", "x"])}),
    st.fixed_dictionaries({}, optional={"mode": st.sampled_from(["coach", "nope"]),
                                        "muted": st.booleans() | st.just("yes")}),
    st.fixed_dictionaries({"paused": st.booleans() | st.just("yes")},
                          optional={"reason": st.sampled_from(["lunch", "", "nap"])}),
    st.just([]), st.just("text"),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ident=segment, headers=auth, body=bodies, which=st.integers(0, 3))
def test_writes_match_the_contract(served, ident, headers, body, which):
    url, spec = served
    with httpx.Client(base_url=url, headers=headers, timeout=5) as http:
        if which == 0:
            r = http.post(f"/v1/calls/{ident}/listen", json=body)
            check(spec, "/v1/calls/{call_id}/listen", "post", r)
        elif which == 1:
            r = http.patch(f"/v1/listen/{ident}", json=body)
            check(spec, "/v1/listen/{session_id}", "patch", r)
        elif which == 2:
            check(spec, "/v1/listen/{session_id}", "delete", http.delete(f"/v1/listen/{ident}"))
        else:  # this source cannot pause: 501 with a supervisor token, as documented
            r = http.post(f"/v1/agents/{ident}/pause", json=body)
            check(spec, "/v1/agents/{employee_id}/pause", "post", r)


def test_the_event_stream_matches_the_contract(served):
    url, spec = served
    for headers in ({"Authorization": f"Bearer {TOKEN}"}, {}):
        with httpx.stream("GET", f"{url}/v1/events", headers=headers, timeout=5) as r:
            if r.status_code == 200:
                text = ""
                for chunk in r.iter_text():
                    text += chunk
                    if "data: " in text and text.endswith("\n\n"):
                        break
                r._content = text.encode()  # what was read so far is the body to check
            else:
                r.read()
            check(spec, "/v1/events", "get", r)
