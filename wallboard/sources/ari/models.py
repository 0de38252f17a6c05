"""The few ARI payload shapes the wallboard reads, parsed with pydantic.

Only the fields we use are declared; unknown extra fields are ignored, and anything
optional in real Asterisk (``channelvars``, ``priority: null``, a missing ``state``) is
optional here too, so a newer Asterisk cannot break parsing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AriModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def parse_ari_time(value: object) -> datetime | None:
    """ARI writes ``2026-11-26T09:25:10.441+0100``; anything unreadable becomes None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class CallerId(AriModel):
    name: str = ""
    number: str = ""


class Dialplan(AriModel):
    context: str = ""
    exten: str = ""
    priority: int | None = None
    app_name: str = ""
    app_data: str = ""


class Channel(AriModel):
    id: str
    name: str = ""
    state: str = "Unknown"
    caller: CallerId = Field(default_factory=CallerId)
    connected: CallerId = Field(default_factory=CallerId)
    dialplan: Dialplan = Field(default_factory=Dialplan)
    creationtime: datetime | None = None
    channelvars: dict[str, str | None] | None = None
    tenantid: str | None = None

    _time = field_validator("creationtime", mode="before")(parse_ari_time)

    @property
    def endpoint(self) -> str:
        """``PJSIP/1001-0000002a`` -> ``PJSIP/1001``; ``Local/x@ctx-00;1`` -> ``Local/x@ctx``."""
        name = self.name.split(";", 1)[0]
        head, sep, _tail = name.rpartition("-")
        return head if sep and "/" in head else name

    @property
    def technology(self) -> str:
        return self.name.split("/", 1)[0]


class Bridge(AriModel):
    id: str
    bridge_type: str = ""
    bridge_class: str = ""
    creator: str = ""
    name: str = ""
    channels: list[str] = Field(default_factory=list)
    creationtime: datetime | None = None

    _time = field_validator("creationtime", mode="before")(parse_ari_time)


class Endpoint(AriModel):
    technology: str
    resource: str
    state: str | None = None
    channel_ids: list[str] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.technology}/{self.resource}"


class DeviceState(AriModel):
    name: str
    state: str = "UNKNOWN"


class AriEvent(AriModel):
    """Any event; the fields of the types we handle are optional here and checked by use."""

    type: str
    application: str = ""
    timestamp: datetime | None = None
    channel: Channel | None = None
    bridge: Bridge | None = None
    endpoint: Endpoint | None = None
    device_state: DeviceState | None = None
    peer: Channel | None = None
    caller: Channel | None = None
    dialstatus: str | None = None
    variable: str | None = None
    value: str | None = None
    cause: int | None = None
    cause_txt: str | None = None

    _time = field_validator("timestamp", mode="before")(parse_ari_time)

    @field_validator("peer", mode="before")
    @classmethod
    def _peer_is_a_channel(cls, value: object) -> object:
        # PeerStatusChange sends peer={peer_status: ...}: not a channel, drop it.
        if isinstance(value, dict) and "id" not in value:
            return None
        return value
