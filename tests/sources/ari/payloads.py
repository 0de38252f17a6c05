"""ARI payloads shaped like real Asterisk's (every field the spec requires, its formats).

Used by the fake server and by the unit tests of the mapping. The contract test checks
what these produce against the spec's models.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

ZONE = timezone(timedelta(hours=1))
"""Asterisk writes local time with an offset and no colon: 2026-11-26T09:25:10.441+0100."""
START = datetime(2026, 11, 26, 9, 0, 0, tzinfo=ZONE)

_ids = itertools.count(1)


def ari_time(when: datetime) -> str:
    when = when.astimezone(ZONE)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}" + (
        when.strftime("%z")
    )


def channel(
    name: str,
    *,
    id: str | None = None,
    state: str = "Ring",
    number: str = "",
    caller_name: str = "",
    connected: str = "",
    connected_name: str = "",
    context: str = "from-internal",
    exten: str = "s",
    app: str = "",
    app_data: str = "",
    created: datetime = START,
    variables: dict[str, str] | None = None,
) -> dict[str, Any]:
    n = next(_ids)
    data: dict[str, Any] = {
        "id": id or f"1764144{n:06d}.{n}",
        "protocol_id": f"{n:08x}-call@10.0.0.1" if name.startswith("PJSIP/") else "",
        "name": name if name.startswith(("Snoop/", "Local/")) else f"{name}-{n:08x}",
        "state": state,
        "caller": {"name": caller_name, "number": number},
        "connected": {"name": connected_name, "number": connected},
        "accountcode": "",
        "dialplan": {
            "context": context,
            "exten": exten,
            "priority": 1,
            "app_name": app,
            "app_data": app_data,
        },
        "creationtime": ari_time(created),
        "language": "en",
    }
    if variables is not None:
        data["channelvars"] = dict(variables)
    return data


def bridge(
    id: str,
    channels: list[str],
    *,
    bridge_type: str = "mixing",
    bridge_class: str = "basic",
    creator: str = "Dial",
    name: str = "",
    created: datetime = START,
) -> dict[str, Any]:
    return {
        "id": id,
        "technology": "simple_bridge",
        "bridge_type": bridge_type,
        "bridge_class": bridge_class,
        "creator": creator,
        "name": name,
        "channels": list(channels),
        "creationtime": ari_time(created),
        "video_mode": "talker",
    }


def endpoint(id: str, state: str = "online", channel_ids: list[str] | None = None) -> dict:
    technology, _, resource = id.partition("/")
    return {
        "technology": technology,
        "resource": resource,
        "state": state,
        "channel_ids": list(channel_ids or []),
    }


def device_state(name: str, state: str) -> dict[str, str]:
    return {"name": name, "state": state}


def event(type: str, app: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": type,
        "application": app,
        "timestamp": ari_time(at),
        "asterisk_id": "52:54:00:12:34:56",
        **fields,
    }
