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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


RINGOSTAT_API = "https://api.ringostat.net"
RINGOSTAT_LEGACY_HOST = "api.ringostat.com"
SECRET_PATH = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
"""What a webhook secret (the last part of its address) may be."""


class RingostatWebhookParams(Section):
    """Which webhook parameter holds what: our field = the parameter name you typed in
    Ringostat's webhook editor. The defaults are the recommended set (docs/ringostat.md)."""

    event: str = "event"
    """Which moment this webhook is: before / answer / forward / after (see webhook_events);
    a static parameter in the webhook's address, e.g. ``...?event=before``."""
    call_id: str = "uniqueid"
    """The call's unique id (the same id the call log has)."""
    call_type: str = "call_type"
    """in / out / callback (the call log's call_type)."""
    caller: str = "caller"
    """Who called: the client (incoming), the manager's SIP login or number (outgoing)."""
    destination: str = "dst"
    """Who was called: the business number (incoming), the client (outgoing)."""
    sip: str = "sip"
    """The SIP login (or number) of the manager handling the call at this moment."""
    employee: str = "employee_fio"
    """The manager's full name, used when ``sip`` is empty or unknown."""
    insertion_type: str = "insertion_type"
    """dynamic / static / callback: ``callback`` marks a callback (callback_insertion_types)."""
    scheme: str = "scheme"
    """The name of the call-forwarding (routing) scheme."""
    call_date: str = "calldate"
    """When the call started (``YYYY-MM-DD HH:MM:SS`` in the project's zone, ISO 8601 or a
    Unix time); without it the first webhook's arrival counts."""


class RingostatWebhookEvents(Section):
    """The value of the ``event`` parameter in each of the four webhooks."""

    before: str = "before"
    """"Before the call" (incoming and outgoing): the call rings."""
    answer: str = "answer"
    """"At the moment of picking up the phone": the manager answered."""
    forward: str = "forward"
    """"At the moment of call forwarding": the call goes to another manager."""
    after: str = "after"
    """"After the call" (incoming and outgoing): the call ended."""


class RingostatSource(Section):
    kind: Literal["ringostat"] = "ringostat"
    project_id: int = Field(gt=0)
    """Your Ringostat project id (Settings -> Integration -> Ringostat API)."""
    auth_key: SecretStr | None = None
    """The Auth-key of the Ringostat API; also read from $RINGOSTAT_AUTH_KEY."""
    api_url: str = RINGOSTAT_API
    """https://api.ringostat.net (current), or https://api.ringostat.com (legacy)."""
    legacy_auth: bool | None = None
    """Send project_id and token as query parameters (the legacy host's way) instead of
    the Auth-key header; None: only when api_url is the legacy host."""
    timezone: str | None = None
    """The project's time zone, in which Ringostat writes call-log times and cuts report
    days, e.g. Europe/Kyiv; None: the system's."""

    # -- polling ---------------------------------------------------------------------
    status_poll_seconds: float = Field(default=5.0, ge=1, le=300)
    """How often /sipstatus/online and /sipstatus/speaking are read."""
    staff_refresh_seconds: float = Field(default=300.0, ge=30, le=86_400)
    """How often the staff list (managers, departments, SIP accounts) is read again."""
    backoff_max_seconds: float = Field(default=300.0, ge=5, le=3_600)
    """On errors the wait doubles from status_poll_seconds up to this (Retry-After wins)."""
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # -- live calls from webhooks --------------------------------------------------------
    webhook_secret: SecretStr | None = None
    """The secret last part of the webhook address, /v1/hooks/ringostat/<secret>: 16 to
    128 letters, digits, - or _. Also $RINGOSTAT_WEBHOOK_SECRET. None: no live calls."""
    webhook_params: RingostatWebhookParams = Field(default_factory=RingostatWebhookParams)
    webhook_events: RingostatWebhookEvents = Field(default_factory=RingostatWebhookEvents)
    callback_insertion_types: list[str] = Field(default_factory=lambda: ["callback"])
    """Insertion types that mark a callback (compared without case)."""
    speaking_grace_seconds: float = Field(default=20.0, ge=0, le=3_600)
    """A talking call whose manager has not been in /sipstatus/speaking for this long has
    ended (its "after the call" webhook was lost)."""
    max_ringing_seconds: float = Field(default=600.0, ge=10, le=86_400)
    """A call still ringing this long after it started has expired (lost webhooks)."""
    max_call_seconds: float = Field(default=14_400.0, ge=60, le=172_800)
    """Any call this old without "after the call" has expired."""

    @field_validator("webhook_secret")
    @classmethod
    def _secret_path(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not SECRET_PATH.match(secret.get_secret_value()):
            raise PydanticCustomError(
                "secret_path",
                "use 16 to 128 letters, digits, - or _ (it is the last part of the address)",
            )
        return secret

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise PydanticCustomError(
                    "zone", "unknown time zone {zone}; use an IANA name like Europe/Kyiv",
                    {"zone": repr(zone)},
                ) from None
        return zone

    @property
    def uses_legacy_auth(self) -> bool:
        if self.legacy_auth is not None:
            return self.legacy_auth
        return (urlsplit(self.api_url).hostname or "").lower() == RINGOSTAT_LEGACY_HOST


SourceConfig = Annotated[
    DemoSource | FeedSource | AriSource | RingostatSource, Field(discriminator="kind")
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
    loc = ".".join(str(p) for p in first["loc"] if not _is_union_tag(p))
    kind = first["type"]
    if kind == "extra_forbidden":
        what = "unknown key"
    elif kind == "missing":
        what = "missing required key"
    elif kind == "union_tag_invalid":
        what = "unknown kind; use demo, feed, ari or ringostat"
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
    return part in ("demo", "feed", "ari", "ringostat")
