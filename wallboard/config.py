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
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from wallboard.core.listen import ListenMode

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


class AmiAriListen(Section):
    """``[source.ari]`` under an AMI source: ARI only for snoop listening (docs/asterisk-ami.md)."""

    url: str
    """Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (``/ari`` is added)."""
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    app: str = Field(default_factory=default_ari_app)
    verify_tls: bool = True
    request_timeout_seconds: float = Field(default=10.0, gt=0)


class AmiSource(Section):
    """The Asterisk Manager Interface: calls, device states, queues, members and pauses."""

    kind: Literal["ami"] = "ami"
    host: str
    """The Asterisk host, e.g. pbx.example.com."""
    port: int = Field(default=5038, ge=1, le=65535)
    """5038 for plain AMI; manager.conf's tlsbindport (usually 5039) with ``tls = true``."""
    username: str
    """The manager.conf user (the ``[section]`` name)."""
    secret: SecretStr | None = None
    """Its secret; also read from $WALLBOARD_AMI_SECRET. Never logged or shown."""
    tls: bool = False
    verify_tls: bool = True

    # -- who is who (the same map as ARI) ---------------------------------------
    employees: list[AriEmployee] = Field(default_factory=list)
    employees_csv: Path | None = None
    project: str = "default"

    # -- what a call is (variables arrive through manager.conf channelvars) -----
    type_variable: str | None = "WALLBOARD_CALL_TYPE"
    incoming_contexts: list[str] = Field(
        default_factory=lambda: ["from-external", "from-trunk", "from-pstn"]
    )
    outgoing_contexts: list[str] = Field(default_factory=lambda: ["from-internal"])
    callback_contexts: list[str] = Field(default_factory=list)
    ignore_contexts: list[str] = Field(default_factory=list)
    business_number_variable: str | None = "FROM_DID"
    routing_scheme_variable: str | None = "WALLBOARD_SCHEME"
    """Channel variable naming the routing scheme; a queue call shows its queue's name."""

    # -- do not disturb ----------------------------------------------------------
    dnd_device: str | None = None
    """Device whose state marks DND, ``{resource}`` replaced, e.g. ``Custom:DND{resource}``."""
    dnd_astdb_family: str | None = None
    """AstDB family read with DBGet, e.g. ``DND``; a non-empty value is DND."""
    dnd_poll_seconds: float = Field(default=30.0, ge=1)

    # -- queues ---------------------------------------------------------------------
    wrapup_seconds: dict[str, int] = Field(default_factory=dict)
    """queues.conf wrapuptime per queue (AMI does not report it), e.g. ``{sales = 15}``;
    a member's own Wrapuptime wins."""

    # -- listen / coach / barge --------------------------------------------------
    supervisor_endpoint: str | None = None
    """The phone rung for ChanSpy when the board does not name one, e.g. PJSIP/1100."""
    listen_caller_id: str = "Wallboard listen"
    listen_ring_seconds: int = Field(default=30, ge=5, le=300)
    ari: AmiAriListen | None = None
    """``[source.ari]``: listen through ARI snoop channels instead of ChanSpy."""

    # -- connection ----------------------------------------------------------------
    ping_seconds: float = Field(default=5.0, ge=0.05, le=60)
    """A Ping is sent this often; no answer within as long again means the link is dead."""
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    reconnect_max_seconds: float = Field(default=30.0, ge=1)


SourceConfig = Annotated[
    DemoSource | FeedSource | AriSource | AmiSource, Field(discriminator="kind")
]


class Thresholds(Section):
    """When a counter turns amber, then red (at or above the figure; 0 turns it off)."""

    waiting_amber: int = Field(default=3, ge=0)
    waiting_red: int = Field(default=8, ge=0)
    longest_wait_amber_seconds: float = Field(default=30, ge=0)
    longest_wait_red_seconds: float = Field(default=90, ge=0)


KioskPage = Literal["all", "departments", "longest_waiting"]


class UiConfig(Section):
    wait_warning_seconds: float = Field(default=30.0, ge=0)
    """Unanswered calls waiting longer than this stand out."""
    refresh_seconds: float = Field(default=0.5, ge=0.05, le=10)
    """How often the table applies new events to the screen (durations tick every second)."""
    timezone: str | None = None
    """IANA zone for days and clock, e.g. Europe/Warsaw; None: the system's."""
    mask_numbers: bool | None = None
    """Show client numbers as +48 *** *** 123; None: masked in kiosk mode only."""
    kiosk: bool = False
    """Wall-TV mode: big counters, no cursor, read-only, pages that rotate."""
    kiosk_pages: list[KioskPage] = Field(default_factory=lambda: list[KioskPage](["all"]),
                                         min_length=1)
    """Pages shown in turn in kiosk mode: all calls, one per department, longest waiting."""
    kiosk_page_seconds: float = Field(default=20.0, ge=2)
    kiosk_unlock_key: str | None = None
    """A key that leaves kiosk mode for the interactive board; None: only quit works."""
    read_only: bool = False
    """Disable joining calls (listen / coach / barge)."""
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @property
    def masked(self) -> bool:
        """Whether client numbers are masked: the setting, else on in kiosk mode."""
        return self.kiosk if self.mask_numbers is None else self.mask_numbers


class ServerConfig(Section):
    """``wallboard serve``: the HTTP feed that re-exports the [source]."""

    host: str = "127.0.0.1"
    """Address to bind; anything but loopback requires a token."""
    port: int = Field(default=8765, ge=0, le=65535)
    token: SecretStr | None = None
    """Bearer token clients must send; also read from $WALLBOARD_TOKEN."""
    replay: int = Field(default=10_000, ge=1, le=1_000_000)
    """How many recent events are kept so a reconnecting client can resume."""
    heartbeat_seconds: float = Field(default=15.0, gt=0, le=15.0)
    """A comment is sent on idle event streams at least this often."""
    client_queue: int = Field(default=2_000, ge=1)
    """Events buffered per stream client; one that falls further behind is resynced."""


URI_FIELDS = ("extension", "account", "call_id")
"""What a softphone URI pattern may contain, e.g. ``sip:*222{extension}@pbx``."""
_PLACEHOLDER = re.compile(r"{([^{}]*)}")


def _check_placeholders(text: str, allowed: tuple[str, ...], where: str) -> str:
    for name in _PLACEHOLDER.findall(text):
        if name not in allowed:
            raise PydanticCustomError(
                "placeholder",
                "{where} has an unknown placeholder {found}; use {allowed}",
                {"where": where, "found": "{" + name + "}",
                 "allowed": ", ".join("{" + a + "}" for a in allowed)},
            )
    return text


class SoftphoneConfig(Section):
    """Joining calls through the supervisor's softphone and the PBX's spy feature codes."""

    command: list[str] = Field(default_factory=list)
    """The program and its arguments; ``{uri}`` is replaced in each, e.g.
    ``["baresip", "-e", "/dial {uri}"]``. Run without a shell. Empty: no softphone."""
    listen: str | None = None
    """The URI dialled to listen, e.g. ``sip:*222{extension}@pbx.example.com``."""
    coach: str | None = None
    """The URI dialled to coach (whisper), e.g. ``sip:*223{extension}@pbx.example.com``."""
    barge: str | None = None
    """The URI dialled to barge, e.g. ``sip:*224{extension}@pbx.example.com``."""
    prefer: bool = False
    """Use the softphone even when the source can join calls itself (e.g. ARI)."""
    settle_seconds: float = Field(default=2.0, ge=0, le=60)
    """A command still running after this long counts as the call (e.g. baresip)."""

    @field_validator("command")
    @classmethod
    def _command_has_uri(cls, command: list[str]) -> list[str]:
        for arg in command:
            _check_placeholders(arg, ("uri",), "the command")
        if command and not any("{uri}" in arg for arg in command):
            raise PydanticCustomError(
                "no_uri",
                "put {token} in one of the arguments, where the SIP address goes",
                {"token": "{uri}"},
            )
        return command

    @field_validator("listen", "coach", "barge")
    @classmethod
    def _uri_placeholders(cls, pattern: str | None) -> str | None:
        return None if pattern is None else _check_placeholders(pattern, URI_FIELDS, "the URI")

    def patterns(self) -> dict[ListenMode, str]:
        """The modes this softphone can start, with their URI patterns."""
        found = {ListenMode.LISTEN: self.listen, ListenMode.COACH: self.coach,
                 ListenMode.BARGE: self.barge}
        return {mode: p for mode, p in found.items() if p} if self.command else {}


class SupervisorConfig(Section):
    """The person at this wallboard, when they join calls (SPEC 6)."""

    account: str | None = None
    """Your own SIP account, e.g. ``PJSIP/1900``. None: the source's own, if it has one."""
    project: str = "default"
    """The project (tenant) of your account; you can join only its managers' calls."""
    default_mode: ListenMode = ListenMode.LISTEN
    """The mode first selected in the confirmation: listen, coach or barge."""
    audit_log: Path | None = None
    """The JSON-lines audit log; None: listen-audit.jsonl in the user log directory."""
    softphone: SoftphoneConfig = Field(default_factory=SoftphoneConfig)


class WebConfig(Section):
    token: SecretStr | None = None
    """``wallboard web``: browsers must present it; required off loopback. Also
    $WALLBOARD_WEB_TOKEN or ``--token``."""


class Config(Section):
    source: SourceConfig = Field(default_factory=DemoSource)
    ui: UiConfig = Field(default_factory=UiConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    supervisor: SupervisorConfig = Field(default_factory=SupervisorConfig)
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
    parts = list(first["loc"])
    loc = ".".join(str(p) for n, p in enumerate(parts) if not (n == 1 and _is_union_tag(p)))
    kind = first["type"]
    if kind == "extra_forbidden":
        what = "unknown key"
    elif kind == "missing":
        what = "missing required key"
    elif kind == "union_tag_invalid":
        what = "unknown kind; use demo, feed, ari or ami"
        loc = f"{loc}.kind" if loc else "source.kind"
    else:
        what = first["msg"][0].lower() + first["msg"][1:]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return f"{loc or '(top level)'}: {what}{more if len(errors) > 1 else ''}."


def secret_or_env(
    secret: SecretStr | None, name: str = "WALLBOARD_TOKEN",
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The configured secret, else the environment variable ``name``, else None."""
    if secret is not None and secret.get_secret_value().strip():
        return secret.get_secret_value().strip()
    environ = os.environ if environ is None else environ
    return environ.get(name, "").strip() or None


def _is_union_tag(part: object) -> bool:
    """The source kind pydantic puts after ``source`` in an error's location (only there:
    ``[source.ari]`` of an AMI source is a real key)."""
    return part in ("demo", "feed", "ari", "ami")
