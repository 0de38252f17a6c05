"""``GET /openapi.json``: the feed API described from the very models it sends."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from wallboard import __version__
from wallboard.core.events import Event
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.wire import (
    ErrorBody,
    Health,
    ListenCreated,
    ListenPatch,
    ListenRequest,
    PauseRequest,
    SnapshotBody,
)

REF = "#/components/schemas/{model}"

_NAMED: dict[str, tuple[Any, str]] = {
    "SnapshotBody": (SnapshotBody, "serialization"),
    "Event": (Event, "serialization"),
    "ManagerHistory": (ManagerHistory, "serialization"),
    "CallRecords": (list[CallRecord], "serialization"),
    "ErrorBody": (ErrorBody, "serialization"),
    "Health": (Health, "serialization"),
    "ListenRequest": (ListenRequest, "validation"),
    "ListenCreated": (ListenCreated, "serialization"),
    "ListenPatch": (ListenPatch, "validation"),
    "PauseRequest": (PauseRequest, "validation"),
}


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, (kind, mode) in _NAMED.items():
        schema = TypeAdapter(kind).json_schema(mode=mode, ref_template=REF)  # type: ignore[arg-type]
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return schemas


def _json(name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=name)}}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "A bad query parameter.",
        401: "No bearer token was sent (or a supervisor token is needed).",
        403: "The bearer token is wrong, may not do this, or a rule says no.",
        404: "No such manager, call or listen session.",
        409: "Not now: e.g. the call is not in conversation, or a session is running.",
        410: "The listen session has already ended.",
        422: "A bad request body.",
        501: "The feed's source cannot do this.",
        502: "The PBX (the feed's source) failed.",
        503: "The source has not sent its state yet; see Retry-After.",
    }
    return {str(code): _json("ErrorBody", text[code]) for code in codes}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


AUTH = (401, 403)
SSE_MESSAGE: dict[str, Any] = {
    "description": "One Server-Sent Events message: the sequence number and one Event.",
    "type": "object",
    "required": ["id", "data"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "contentSchema": {"$ref": REF.format(model="Event")}},
    },
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def build_openapi(secured: bool = True, supervisors: list[str] | None = None,
                  reasons: list[str] | None = None) -> dict[str, Any]:
    """The document as this server behaves: ``secured`` False (no token configured,
    loopback only) makes the viewer endpoints' token optional (the listen and agent
    endpoints still require one); ``supervisors`` are the only accounts a listen request
    may name, ``reasons`` the only pause reasons.
    """
    time = {"type": "string", "format": "date-time",
            "pattern": "^20[0-9][0-9]-"}  # years 2000-2099; other years are refused
    paths: dict[str, Any] = {
        "/healthz": {"get": {
            "summary": "Liveness and readiness", "security": [],
            "responses": {"200": _json("Health", "The server is up.")},
        }},
        "/openapi.json": {"get": {
            "summary": "This document", "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {}}}}},
        }},
        "/v1/snapshot": {"get": {
            "summary": "The full state, with an ETag",
            "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "responses": {
                "200": _json("SnapshotBody", "Calls, managers with their SIP accounts, "
                             "departments, server time and sequence number.")
                | {"headers": {"ETag": {"schema": {"type": "string"}}}},
                "304": {"description": "Unchanged since the ETag given in If-None-Match."},
                **_errors(*AUTH, 503),
            },
        }},
        "/v1/events": {"get": {
            "summary": "Server-Sent Events: one event per change",
            "description": (
                "Each SSE message has `id:` = sequence number and `data:` = one Event as "
                "JSON. Without Last-Event-ID (or when it is too old) the first message is "
                "a `snapshot` Event; with it, the missed events are replayed. Idle streams "
                "get a `: heartbeat` comment at least every 15 s."
            ),
            "parameters": [
                {"name": "Last-Event-ID", "in": "header", "required": False,
                 "schema": {"type": "string"}},
                _query("last_event_id", {"type": "string"}, "Same as Last-Event-ID."),
                _query("batch", {"type": "number", "minimum": 0, "maximum": 5},
                       "Seconds the stream may gather events before a write (0, the "
                       "default: each change at once). Listen steps and the source's "
                       "health are never held back."),
            ],
            "responses": {
                "200": {"description": "The event stream; each message's data is an Event.",
                        "content": {"text/event-stream": {"schema": SSE_MESSAGE}}},
                **_errors(400, *AUTH, 503),
            },
        }},
        "/v1/managers/{employee_id}/history": {"get": {
            "summary": "A manager's status timelines and calls over a period",
            "parameters": [
                _path_param("employee_id"),
                _query("period", {"type": "string", "enum": ["today", "3d", "7d"],
                                  "default": "today"}, "Today, the last 3 or 7 days."),
                _query("from", time, "Overrides the period's start (ISO 8601 with zone)."),
                _query("to", time, "Overrides the period's end (ISO 8601 with zone)."),
            ],
            "responses": {"200": _json("ManagerHistory", "The history."),
                          **_errors(400, *AUTH, 404, 501, 502)},
        }},
        "/v1/managers/{employee_id}/calls": {"get": {
            "summary": "A manager's call log between two times",
            "parameters": [
                _path_param("employee_id"),
                _query("from", time, "Start (ISO 8601 with zone); default: today's midnight."),
                _query("to", time, "End (ISO 8601 with zone); default: now."),
            ],
            "responses": {"200": _json("CallRecords", "The calls."),
                          **_errors(400, *AUTH, 404, 501, 502)},
        }},
        "/v1/calls/{call_id}/listen": {"post": {
            "operationId": "postListen",
            "summary": "A supervisor joins a live call (listen, coach or barge)",
            "parameters": [_path_param("call_id")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": REF.format(model="ListenRequest")}}}},
            "responses": {"201": _json("ListenCreated", "The session was started; its "
                                       "progress comes as `listen` events."),
                          **_errors(*AUTH, 404, 409, 422, 502)},
        }},
        "/v1/listen/{session_id}": {
            "patch": {
                "operationId": "patchListen",
                "summary": "Switch the mode or mute of a listen session",
                "parameters": [_path_param("session_id")],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": REF.format(model="ListenPatch")}}}},
                "responses": {"204": {"description": "Changed."},
                              **_errors(*AUTH, 404, 410, 422, 502)},
            },
            "delete": {
                "operationId": "deleteListen",
                "summary": "End a listen session",
                "parameters": [_path_param("session_id")],
                "responses": {"204": {"description": "Ended."},
                              **_errors(*AUTH, 404, 410, 502)},
            },
        },
        "/v1/agents/{employee_id}/pause": {"post": {
            "operationId": "postPause",
            "summary": "Pause an agent with a reason, or unpause them",
            "description": (
                "The agent's new state comes as an `agent` event. A reason must be one of "
                "the server's pause reasons; unpausing needs none. Refused (409) when the "
                "agent is already in that state or offline."),
            "parameters": [_path_param("employee_id")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": REF.format(model="PauseRequest")}}}},
            "responses": {"204": {"description": "Asked of the source; the change comes "
                                                 "as an `agent` event."},
                          **_errors(400, *AUTH, 404, 409, 422, 501, 502)},
        }},
    }
    viewer = BEARER if secured else OPTIONAL_BEARER
    for path, item in paths.items():
        for operation in item.values():
            if "security" not in operation:
                supervised = "listen" in path or path.startswith("/v1/agents/")
                operation["security"] = BEARER if supervised else viewer
    components = _components()
    if supervisors:
        components["ListenRequest"]["properties"]["supervisor"]["enum"] = supervisors
    if reasons:
        components["PauseRequest"]["properties"]["reason"]["enum"] = ["", *reasons]
    _link(paths, "/v1/snapshot", "get", "200", "JoinACall", "postListen",
          {"call_id": "$response.body#/calls/0/id"})
    for method, operation_id in (("patch", "patchListen"), ("delete", "deleteListen")):
        _link(paths, "/v1/calls/{call_id}/listen", "post", "201", f"{method}Session",
              operation_id, {"session_id": "$response.body#/session"})
    return {
        "openapi": "3.1.0",
        "info": {"title": "wallboard feed", "version": __version__,
                 "description": "A call center's live state, re-exported by `wallboard serve`."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": BEARER,
    }


def _link(paths: dict[str, Any], path: str, method: str, status: str, name: str,
          operation_id: str, parameters: dict[str, str]) -> None:
    """An OpenAPI link: the answer of one operation supplies another's parameters."""
    response = paths[path][method]["responses"][status]
    response.setdefault("links", {})[name] = {"operationId": operation_id,
                                              "parameters": parameters}
