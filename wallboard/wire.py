"""The feed's wire format: request and response bodies, shared by `wallboard serve` and the
feed client (a neutral module, so a source never imports the server)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from wallboard.core.events import Link, Snapshot
from wallboard.core.listen import ListenMode
from wallboard.core.models import Frozen

API_VERSION = "1"
UPSTREAM_HEADER = "X-Wallboard-Upstream"
"""On /v1/snapshot and /v1/events: the feed server's own source link (live, reconnecting…)."""
EPOCH_HEADER = "X-Wallboard-Epoch"
"""On /v1/snapshot and /v1/events: differs after the feed server restarted."""
LISTEN_MODES_HEADER = "X-Wallboard-Listen-Modes"
"""On /v1/snapshot and /v1/events: the listen modes the source offers, comma-separated."""


class SnapshotBody(Snapshot):
    """``GET /v1/snapshot``: a Snapshot event plus where it stands in the event sequence."""

    departments: list[str] = Field(default_factory=list)
    seq: int
    """The id of the last event included; a stream resumed from it misses nothing."""
    server_time: datetime
    upstream: Link = Link.LIVE
    """The health of the feed server's own source (e.g. the PBX)."""


class ErrorBody(Frozen):
    message: str


class Health(Frozen):
    status: Literal["ok"] = "ok"
    ready: bool
    upstream: Link
    seq: int
    subscribers: int


class ListenRequest(Frozen):
    supervisor: str = Field(min_length=1)
    """The supervisor's SIP account."""
    mode: ListenMode = ListenMode.LISTEN


class ListenCreated(Frozen):
    session: str


class ListenPatch(Frozen):
    mode: ListenMode | None = None
    muted: bool | None = None
