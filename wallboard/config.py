"""The settings model: one TOML file, validated, unknown keys rejected.

Where it is found: ``--config PATH``, else ``$WALLBOARD_CONFIG``, else
``<user config dir>/wallboard/config.toml`` if it exists, else the defaults (the demo).
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

APP_NAME = "wallboard"


class ConfigError(Exception):
    """A bad configuration, said in one sentence naming the file, the key and the fix."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemoSource(Section):
    kind: Literal["demo"] = "demo"
    seed: int | None = None
    """Random seed; the same seed gives the same call center. None: a new one each run."""
    calls: int = Field(default=24, ge=0, le=100_000)
    """About how many calls are live at once."""
    events_per_second: float | None = Field(default=None, gt=0, le=10_000)
    """About how many call events per second; None: a natural pace for ``calls``."""


class FeedSource(Section):
    kind: Literal["feed"] = "feed"
    url: str
    """The address of a ``wallboard serve``, e.g. http://127.0.0.1:8765."""
    mode: Literal["stream", "poll"] = "stream"
    token: SecretStr | None = None
    """Bearer token for the feed; also read from $WALLBOARD_TOKEN."""
    poll_seconds: float = Field(default=2.0, gt=0)
    stale_after_seconds: float = Field(default=10.0, gt=0)


class AriEmployee(Section):
    """One manager in the ARI endpoint map."""

    id: str
    name: str = ""
    """Shown on the board; defaults to the id."""
    department: str | None = None
    endpoints: list[str] = Field(default_factory=list)
    """The manager's SIP accounts as ARI endpoints, e.g. ``["PJSIP/1001", "PJSIP/1001-app"]``."""


def default_ari_app() -> str:
    """A unique ARI application name per run: two sockets on one name starve the older."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname()) or "host"
    return f"wallboard-{host}-{os.getpid()}"


class AriSource(Section):
    kind: Literal["ari"] = "ari"
    url: str
    """Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (``/ari`` is added)."""
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    """``user:password``, instead of username and password."""
    app: str = Field(default_factory=default_ari_app)
    """The ARI application name; each wallboard needs its own (default: unique per run)."""
    verify_tls: bool = True

    # -- who is who --------------------------------------------------------------
    employees: list[AriEmployee] = Field(default_factory=list)
    """The endpoint map inline: managers, their departments and endpoints."""
    employees_csv: Path | None = None
    """A CSV file with columns id,name,department,endpoint (one row per endpoint)."""
    project: str = "default"
    """The tenant shown on calls and managers."""

    # -- what a call is ----------------------------------------------------------
    type_variable: str | None = "WALLBOARD_CALL_TYPE"
    """Channel variable holding incoming / outgoing / callback; wins over the contexts."""
    incoming_contexts: list[str] = Field(
        default_factory=lambda: ["from-external", "from-trunk", "from-pstn"]
    )
    outgoing_contexts: list[str] = Field(default_factory=lambda: ["from-internal"])
    callback_contexts: list[str] = Field(default_factory=list)
    ignore_contexts: list[str] = Field(default_factory=list)
    """Channels created in these contexts are never shown as calls."""
    business_number_variable: str | None = "FROM_DID"
    """Channel variable with the number the client dialled or the manager called from."""
    routing_scheme_variable: str | None = "WALLBOARD_SCHEME"
    """Channel variable naming the routing (call-forwarding) scheme."""

    # -- do not disturb ----------------------------------------------------------
    dnd_device: str | None = None
    """Device whose state marks DND, ``{resource}`` replaced, e.g. ``Custom:DND{resource}``."""
    dnd_astdb_family: str | None = None
    """AstDB family read through ``DB(family/resource)``, e.g. ``DND``; non-empty is DND."""
    dnd_poll_seconds: float = Field(default=30.0, ge=1)

    # -- listen / coach / barge --------------------------------------------------
    supervisor_endpoint: str | None = None
    """The endpoint rung for listening when the board does not name one, e.g. PJSIP/1100."""
    listen_caller_id: str = "Wallboard listen"
    listen_ring_seconds: int = Field(default=30, ge=5, le=300)

    # -- connection ----------------------------------------------------------------
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    reconnect_max_seconds: float = Field(default=30.0, ge=1)


SourceConfig = Annotated[DemoSource | FeedSource | AriSource, Field(discriminator="kind")]


class UiConfig(Section):
    wait_warning_seconds: float = Field(default=30.0, ge=0)
    """Unanswered calls waiting longer than this stand out."""
    refresh_seconds: float = Field(default=0.5, ge=0.05, le=10)
    """How often the table applies new events to the screen (durations tick every second)."""
    timezone: str | None = None
    """IANA zone for days and clock, e.g. Europe/Warsaw; None: the system's."""
    mask_numbers: bool = False
    """Show client numbers as +48 *** *** 123 (always on in kiosk mode unless set false)."""
    kiosk: bool = False
    read_only: bool = False
    """Disable joining calls (listen / coach / barge)."""


class WebConfig(Section):
    token: SecretStr | None = None
    """``wallboard web``: browsers must present it; required off loopback. Also
    $WALLBOARD_WEB_TOKEN or ``--token``."""


class Config(Section):
    source: SourceConfig = Field(default_factory=DemoSource)
    ui: UiConfig = Field(default_factory=UiConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    keys: dict[str, str] = Field(default_factory=dict)
    """Remapped keys: binding id -> key(s), e.g. ``"board.sort" = "o"``."""


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def resolve_config_path(
    cli_path: str | None, environ: Mapping[str, str] | None = None
) -> tuple[Path | None, bool]:
    """The config file to read and whether it must exist (it must, when named)."""
    environ = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path), True
    if environ.get("WALLBOARD_CONFIG"):
        return Path(environ["WALLBOARD_CONFIG"]), True
    path = default_config_path()
    return (path, False) if path.exists() else (None, False)


def load_config(path: Path | None, required: bool = True) -> Config:
    """Read and validate a config file; ConfigError says what is wrong, once."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such config file.") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None
    return parse_config(data, str(path))


def parse_config(data: Mapping[str, object], origin: str = "config") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {describe_validation_error(exc)}") from None


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem as 'key: what is wrong' (plus how many more there are)."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"] if not _is_union_tag(p))
    kind = first["type"]
    if kind == "extra_forbidden":
        what = "unknown key"
    elif kind == "missing":
        what = "missing required key"
    elif kind == "union_tag_invalid":
        what = "unknown kind; use demo, feed or ari"
        loc = f"{loc}.kind" if loc else "source.kind"
    else:
        what = first["msg"][0].lower() + first["msg"][1:]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return f"{loc or '(top level)'}: {what}{more if len(errors) > 1 else ''}."


def _is_union_tag(part: object) -> bool:
    return part in ("demo", "feed", "ari")
