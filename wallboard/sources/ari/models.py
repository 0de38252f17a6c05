"""The ARI payloads the wallboard reads, decoded once into plain slotted objects.

ARI sends hundreds of events a second on a busy Asterisk; each is decoded with
``json.loads`` and read by plain dict access here — no model validation on the hot path.
Only what the wallboard uses is read; unknown fields are ignored, and anything optional
in real Asterisk (``channelvars``, ``priority: null``, a missing ``state``) is optional
here too. A payload without the one thing we cannot do without (a channel's or bridge's
``id``) raises :class:`ValueError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]


def parse_ari_time(value: object) -> datetime | None:
    """ARI writes ``2026-11-26T09:25:10.441+0100``; anything unreadable becomes None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def endpoint_of(name: str) -> str:
    """``PJSIP/1001-0000002a`` -> ``PJSIP/1001``; ``Local/x@ctx-00;1`` -> ``Local/x@ctx``."""
    name = name.split(";", 1)[0]
    head, sep, _tail = name.rpartition("-")
    return head if sep and "/" in head else name


def object_id(data: object, what: str) -> str:
    if not isinstance(data, dict):
        raise ValueError(f"a {what} that is not an object")
    value = data.get("id")
    if not isinstance(value, str) or not value:
        raise ValueError(f"a {what} without an id")
    return value


def _text(data: Json, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _party(data: Json, key: str) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, dict):
        return "", ""
    return _text(value, "name"), _text(value, "number")


@dataclass(slots=True, eq=False)
class ChannelInfo:
    """One channel as last seen, plus what the wallboard learnt about it from events."""

    id: str
    name: str = ""
    endpoint: str = ""
    technology: str = ""
    state: str = "Unknown"
    caller_name: str = ""
    caller_number: str = ""
    connected_number: str = ""
    app_name: str = ""
    app_data: str = ""
    created: datetime | None = None
    first_context: str = ""
    first_exten: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    bridged_at: datetime | None = None
    held: bool = False
    dialed_by: str | None = None
    """The channel that dialled this one (a Dial event, or the dialplan read over REST)."""
    call_id: str | None = None
    """The call this channel last belonged to, if it ever did."""

    @classmethod
    def from_json(cls, data: Json) -> ChannelInfo:
        info = cls(object_id(data, "channel"))
        plan = data.get("dialplan")
        if isinstance(plan, dict):
            info.first_context, info.first_exten = _text(plan, "context"), _text(plan, "exten")
        info.created = parse_ari_time(data.get("creationtime"))
        info.update(data)
        return info

    def update(self, data: Json) -> None:
        name = _text(data, "name")
        if name != self.name:
            self.name = name
            self.endpoint = endpoint_of(name)
            self.technology = name.split("/", 1)[0]
        self.state = _text(data, "state") or "Unknown"
        self.caller_name, self.caller_number = _party(data, "caller")
        self.connected_number = _party(data, "connected")[1]
        plan = data.get("dialplan")
        if isinstance(plan, dict):
            self.app_name, self.app_data = _text(plan, "app_name"), _text(plan, "app_data")
        variables = data.get("channelvars")
        if isinstance(variables, dict):
            for key, value in variables.items():
                self.variables[key.lstrip("_")] = value if isinstance(value, str) else ""


@dataclass(slots=True, eq=False)
class BridgeInfo:
    id: str
    type: str = ""
    klass: str = ""
    channels: list[str] = field(default_factory=list)
    created: datetime | None = None
    links: bool = True
    """Its channels are one call: not a holding bridge, not an ARI (stasis) bridge."""

    @classmethod
    def from_json(cls, data: object, own_prefix: str) -> BridgeInfo:
        bridge_id = object_id(data, "bridge")
        assert isinstance(data, dict)
        channels = data.get("channels")
        kind, klass = _text(data, "bridge_type"), _text(data, "bridge_class")
        return cls(
            bridge_id,
            kind,
            klass,
            [c for c in channels if isinstance(c, str)] if isinstance(channels, list) else [],
            parse_ari_time(data.get("creationtime")),
            links=kind != "holding" and klass != "stasis" and not bridge_id.startswith(own_prefix),
        )


def endpoint_json(data: object) -> tuple[str, str | None]:
    """An Endpoint object -> (``tech/resource``, state)."""
    if not isinstance(data, dict):
        raise ValueError("an endpoint that is not an object")
    technology, resource = _text(data, "technology"), _text(data, "resource")
    if not technology or not resource:
        raise ValueError("an endpoint without technology or resource")
    return f"{technology}/{resource}", _text(data, "state") or None


def device_state_json(data: object) -> tuple[str, str]:
    """A DeviceState object -> (name, state)."""
    if not isinstance(data, dict) or not _text(data, "name"):
        raise ValueError("a device state without a name")
    return _text(data, "name"), _text(data, "state") or "UNKNOWN"
