"""The feed's wire format: request and response bodies, shared by `wallboard serve` and the
feed client (a neutral module, so a source never imports the server)."""

from __future__ import annotations

import re
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
ACTIONS_HEADER = "X-Wallboard-Actions"
"""On /v1/snapshot and /v1/events: the agent actions the source offers (``pause``), or
empty."""

Positions = dict[str, int]
"""Where a board stands in each stream of a bus (``serve --bus``): stream name -> position.

On the wire (the SSE ``id``, ``Last-Event-ID``, the snapshot's ``seq``) it is written
``kyiv:1742810400000123,lviv:1742810400000456``; an event carries only its own stream's
position (``kyiv:1742810400000124``), a snapshot all of them. A plain integer id is the
single-process server's sequence number."""

_POSITION = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,39}):([0-9]{1,19})$")


def parse_positions(text: str) -> Positions | None:
    """``kyiv:12,lviv:5`` as positions; None if it is not such a text."""
    found: Positions = {}
    for part in text.strip().split(","):
        match = _POSITION.match(part.strip())
        if match is None or match.group(1) in found:
            return None
        found[match.group(1)] = int(match.group(2))
    return found


def format_positions(positions: Positions) -> str:
    return ",".join(f"{name}:{n}" for name, n in sorted(positions.items()))


class SnapshotBody(Snapshot):
    """``GET /v1/snapshot``: a Snapshot event plus where it stands in the event sequence."""

    departments: list[str] = Field(default_factory=list)
    sites: list[str] = Field(default_factory=list)
    """The sites of a board over several PBXs (empty on a single site)."""
    seq: int | str
    """The id of the last event included; a stream resumed from it misses nothing (an
    integer, or the positions in each stream of a bus, see :data:`Positions`)."""
    server_time: datetime
    upstream: Link = Link.LIVE
    """The health of the feed server's own source (e.g. the PBX)."""


class ErrorBody(Frozen):
    message: str


class Health(Frozen):
    status: Literal["ok"] = "ok"
    ready: bool
    upstream: Link
    seq: int | str
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


class PauseRequest(Frozen):
    """``POST /v1/agents/{employee_id}/pause``: pause (with a reason) or unpause."""

    paused: bool = Field(strict=True)
    reason: str = Field(default="", max_length=40)
    """One of the server's pause reasons (``[queues] pause_reasons``); ignored to unpause."""
