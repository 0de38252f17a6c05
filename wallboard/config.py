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

from wallboard.checks import (
    feed_url_problem,
    origin_or_url,
    strong_token,
    timezone_problem,
    token_problem,
    weak_token_sentence,
    without_userinfo,
)
from wallboard.config_queues import AlertConfig, NotificationsConfig, QueuesConfig
from wallboard.core.listen import ListenMode

APP_NAME = "wallboard"


class ConfigError(Exception):
    """A bad configuration, said in one sentence naming the file, the key and the fix."""


def check_token(token: str, where: str) -> str:
    """``token``, stripped, if it is strong enough to guard a board; else ConfigError.

    ``where`` names where it was set, e.g. ``"$WALLBOARD_TOKEN"`` or ``"--token"``: the
    sentence reads "<where> is too short (8 characters; at least 16); use a long random
    string, e.g. the output of python3 -c ...". Every place that sets a token calls it.
    """
    problem = token_problem(token)
    if problem:
        raise ConfigError(weak_token_sentence(where, problem))
    return token.strip()


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
    urls: list[str] = Field(default_factory=list)
    """More addresses of the same board (replicas of ``serve --bus``), tried in turn when
    one fails; the screen resumes from its last event on the next one."""
    mode: Literal["stream", "poll"] = "stream"
    token: SecretStr | None = None
    """Bearer token for the feed; also read from $WALLBOARD_TOKEN."""
    poll_seconds: float = Field(default=2.0, gt=0)
    stale_after_seconds: float = Field(default=10.0, gt=0)
    batch_seconds: float = Field(default=0.25, ge=0, le=5)
    """The stream's events come gathered this long (``?batch=``): a board draws once a
    second, and a wake-up at every change of a busy call center cost a board following
    ARI through ``serve`` more than half of its CPU. A supervisor's listen steps and the
    source's health come at once all the same. 0: each change as it happens."""

    @field_validator("url")
    @classmethod
    def _a_feed_address(cls, url: str) -> str:
        problem = feed_url_problem(url)
        if problem:
            raise PydanticCustomError("feed_url", "{url} {problem}",
                                      {"url": without_userinfo(url), "problem": problem})
        return url

    @field_validator("urls")
    @classmethod
    def _feed_addresses(cls, urls: list[str]) -> list[str]:
        return [cls._a_feed_address(url) for url in urls]


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
    queue_variable: str | None = "WALLBOARD_QUEUE"
    """Channel variable naming the call's queue; without it, the queue of a channel in
    the dialplan application Queue() (its first argument)."""
    wrapup_seconds: float = Field(default=0.0, ge=0, le=3600)
    """After a call, a manager is in wrap-up this long (0: no wrap-up). ARI cannot see
    queue pauses: agents show as available or on a call, never paused."""

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
    ping_interval_seconds: float = Field(default=5.0, gt=0, le=60)
    """How often the event WebSocket is pinged; a pong missing for half of it means the
    link is dead (closed in another half), so a stalled connection is noticed within
    twice this."""


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
    DemoSource | FeedSource | AriSource | AmiSource | RingostatSource,
    Field(discriminator="kind")
]


class Thresholds(Section):
    """When a counter turns amber, then red (at or above the figure; 0 turns it off)."""

    waiting_amber: int = Field(default=3, ge=0)
    waiting_red: int = Field(default=8, ge=0)
    longest_wait_amber_seconds: float = Field(default=30, ge=0)
    longest_wait_red_seconds: float = Field(default=90, ge=0)


KioskPage = Literal["all", "departments", "sites", "longest_waiting", "queues", "agents"]
Language = Literal["en", "pl", "uk"]


class UiConfig(Section):
    wait_warning_seconds: float = Field(default=30.0, ge=0)
    """Unanswered calls waiting longer than this stand out."""
    refresh_seconds: float = Field(default=1.0, ge=0.05, le=10)
    """At most how often new events are drawn; durations tick every second, and events
    that the next tick would draw as soon are left to it (1.0: one frame a second; lower
    it for a snappier board at a higher cost)."""
    timezone: str | None = None
    """IANA zone for days and clock, e.g. Europe/Warsaw; None: the system's."""
    language: Language | None = None
    """en, pl or uk; None: ``--lang``, else LC_ALL, LC_MESSAGES or LANG, else English."""

    @field_validator("timezone")
    @classmethod
    def _a_known_zone(cls, name: str | None) -> str | None:
        problem = None if name is None else timezone_problem(name)
        if problem:
            raise PydanticCustomError("timezone", "{name} {problem}",
                                      {"name": repr(name), "problem": problem})
        return name
    mask_numbers: bool | None = None
    """Show client numbers as +48 *** *** 123; None: masked in kiosk mode only."""
    kiosk: bool = False
    """Wall-TV mode: big counters, no cursor, read-only, pages that rotate."""
    kiosk_pages: list[KioskPage] = Field(default_factory=lambda: list[KioskPage](["all"]),
                                         min_length=1)
    """Pages shown in turn in kiosk mode: all calls, one per department, one per site,
    longest waiting, the queues, the agents grid."""
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


class TokenConfig(Section):
    """One named bearer token of ``wallboard serve``."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
    """Logged and audited instead of the secret, e.g. ``wall-tv-2`` or ``marta``."""
    role: Literal["viewer", "supervisor"] = "viewer"
    """viewer: snapshot, events, history, call log; supervisor: also joins calls."""
    secret: SecretStr | None = None
    """The token itself; better kept out of the file with ``secret_env``."""
    secret_env: str | None = None
    """The environment variable holding the token, e.g. ``WALLBOARD_TOKEN_WALL_TV_2``."""

    @field_validator("secret")
    @classmethod
    def _strong_secret(cls, token: SecretStr | None) -> SecretStr | None:
        return strong_token(token)

    def secret_value(self, environ: Mapping[str, str]) -> str | None:
        """The token (a weak one from the environment raises ConfigError)."""
        if self.secret is not None:
            return self.secret.get_secret_value().strip()
        if self.secret_env and self.secret_env in environ:
            return check_token(environ[self.secret_env], f"${self.secret_env}")
        return None


class SupervisorAccountConfig(Section):
    """A SIP account ``wallboard serve`` may ring to join calls; nothing else is dialled."""

    name: str = ""
    """Who it belongs to, e.g. ``Marta Nowak``."""
    account: str
    """The supervisor's SIP account, e.g. ``PJSIP/1900``."""
    project: str = "default"
    """Its project (tenant); it may join only that project's calls."""


class ServerConfig(Section):
    """``wallboard serve``: the HTTP feed that re-exports the [source]."""

    host: str = "127.0.0.1"
    """Address to bind; anything but loopback requires a token."""
    port: int = Field(default=8765, ge=0, le=65535)
    token: SecretStr | None = None
    """A single supervisor token named ``default`` (also $WALLBOARD_TOKEN); prefer
    [[server.tokens]], which gives each screen its own name and role. At least 16
    characters (``python3 -c "import secrets; print(secrets.token_urlsafe(32))"``)."""
    tokens: list[TokenConfig] = Field(default_factory=list)
    """Named tokens with a role each (viewer or supervisor)."""
    supervisors: list[SupervisorAccountConfig] = Field(default_factory=list)
    """The accounts clients may ask to ring when joining calls (besides [supervisor])."""
    listen_without_token: bool = False
    """Let loopback clients join calls without a supervisor token (off: a token is needed
    even on loopback)."""
    read_only: bool = False
    """Refuse every listen (and agent) action, whatever the token."""
    history_max_days: int = Field(default=31, ge=1, le=400)
    """The longest span one history or call-log request may ask for."""
    replay: int = Field(default=10_000, ge=1, le=1_000_000)
    """How many recent events are kept so a reconnecting client can resume."""
    heartbeat_seconds: float = Field(default=15.0, gt=0, le=15.0)
    """A comment is sent on idle event streams at least this often."""
    client_queue: int = Field(default=2_000, ge=1)
    """Events buffered per stream client; one that falls further behind is resynced."""

    @field_validator("token")
    @classmethod
    def _strong_token(cls, token: SecretStr | None) -> SecretStr | None:
        return strong_token(token)


URI_FIELDS = ("extension", "account", "call_id")
"""What a softphone URI pattern may contain, e.g. ``sip:*222{extension}@pbx``."""
_PLACEHOLDER = re.compile(r"{([^{}]*)}")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


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
        options_end = command.index("--") if "--" in command else len(command)
        for index, arg in enumerate(command[1:], start=1):
            if index < options_end and _PLACEHOLDER.fullmatch(arg.strip()):
                raise PydanticCustomError(
                    "bare_placeholder",
                    "{arg} alone as an argument could let a dialled value become an option "
                    "of the program; put it inside an argument (\"/dial {uri}\") or after "
                    "\"--\"",
                    {"arg": repr(arg), "uri": "{uri}"},
                )
        return command

    @field_validator("listen", "coach", "barge")
    @classmethod
    def _uri_placeholders(cls, pattern: str | None) -> str | None:
        if pattern is None:
            return None
        _check_placeholders(pattern, URI_FIELDS, "the URI")
        if not _URI_SCHEME.match(pattern):
            raise PydanticCustomError(
                "bare_placeholder",
                "the URI must start with its scheme, such as sip:, never with a placeholder "
                "or a '-' (e.g. {example})", {"example": "sip:*222{extension}@pbx.example.com"})
        return pattern

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
    """The JSON-lines audit log; None: listen-audit.jsonl in the user log directory.
    Created readable by you only (0600, its folder 0700)."""
    audit_mask_numbers: bool = True
    """Mask client numbers in the audit log (+48 *** *** 123); false writes them whole."""
    softphone: SoftphoneConfig = Field(default_factory=SoftphoneConfig)


class StoreConfig(Section):
    """The history store: every source's calls and statuses, kept across restarts."""

    url: str = "auto"
    """auto: a SQLite file in the user data directory (memory for the demo, none when
    following a feed, whose server keeps the history); off; memory; a file path or
    sqlite:/// URL; or postgresql://user@host/db (the password from PGPASSWORD or
    ~/.pgpass, so it never sits in this file)."""
    keep_days: int = Field(default=400, ge=1, le=36_500)
    """Older calls and statuses are deleted, once a day."""


def _stream_name(name: str) -> str:
    from wallboard.core.sites import site_name_problem

    problem = site_name_problem(name)
    if problem:
        raise PydanticCustomError("stream_name", "{name} {problem}",
                                  {"name": repr(name), "problem": problem})
    return name


class BusConfig(Section):
    """Several machines: ``wallboard ingest`` per PBX, ``wallboard serve --bus`` replicas
    (docs/scale-out.md)."""

    url: str | None = None
    """The stream engine, e.g. ``redis://127.0.0.1:6379/0`` (Redis Streams). A password
    goes in as ``redis://:PASSWORD@host:6379/0``; better from $WALLBOARD_BUS_URL."""
    site: str | None = None
    """ingest: the site's name; every id it publishes is qualified by it (``kyiv:c0001``),
    so one board can merge several PBXs. None: ids as the PBX gives them."""
    stream: str | None = None
    """ingest: the stream it publishes to (default: the site, else ``main``)."""
    streams: list[str] = Field(default_factory=list)
    """serve --bus: the streams (sites) merged into one board (default: [stream])."""
    retention: int = Field(default=100_000, ge=1_000, le=10_000_000)
    """Entries kept per stream (XADD MAXLEN ~): how far back a screen can resume."""
    snapshot_seconds: float = Field(default=10.0, ge=1, le=3600)
    """ingest: how often the whole state goes on the stream (when something changed)."""
    lease_seconds: float = Field(default=3.0, ge=1, le=60)
    """ingest: the leader's lease; a standby takes over this long after the leader died."""

    @field_validator("site", "stream")
    @classmethod
    def _a_name(cls, name: str | None) -> str | None:
        return None if name is None else _stream_name(name)

    @field_validator("streams")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        return [_stream_name(name) for name in names]

    def publish_stream(self) -> str:
        return self.stream or self.site or "main"

    def follow_streams(self) -> list[str]:
        return self.streams or [self.publish_stream()]


class WebConfig(Section):
    """``wallboard web``: the board in browsers."""

    token: SecretStr | None = None
    """Browsers must present it; required off loopback. Also $WALLBOARD_WEB_TOKEN or
    ``--token``. At least 16 characters."""
    public_url: str | None = None
    """The address browsers use, when it is not the one served, e.g. behind a TLS proxy
    ``https://board.example.com``. An https address makes the session cookie Secure."""
    allowed_origins: list[str] = Field(default_factory=list)
    """Other origins whose pages may open the board, e.g. ``["https://intranet.example.com"]``.
    The board's own origin (and ``public_url``'s) is always allowed."""
    max_sessions: int = Field(default=10, ge=1, le=1000)
    """Browser tabs served at once (each runs its own board process); more are told so."""

    @field_validator("token")
    @classmethod
    def _strong_token(cls, token: SecretStr | None) -> SecretStr | None:
        return strong_token(token)

    @field_validator("public_url")
    @classmethod
    def _a_web_address(cls, url: str | None) -> str | None:
        return None if url is None else origin_or_url(url, "public_url", path_ok=True)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        return [origin_or_url(o, "an origin", path_ok=False) for o in origins]


class Config(Section):
    source: SourceConfig = Field(default_factory=DemoSource)
    ui: UiConfig = Field(default_factory=UiConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    supervisor: SupervisorConfig = Field(default_factory=SupervisorConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    bus: BusConfig = Field(default_factory=BusConfig)
    queues: QueuesConfig = Field(default_factory=QueuesConfig)
    alerts: list[AlertConfig] = Field(default_factory=list)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
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
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8."
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file.") from None
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
        what = "unknown kind; use demo, feed, ari, ami or ringostat"
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


def checked_token(
    secret: SecretStr | None, env: str, where: str, environ: Mapping[str, str] | None = None,
) -> str | None:
    """The token a server guards itself with: the config's (``where``, e.g. ``[server]
    token``), else ``$env``; None when neither is set. A weak one raises ConfigError
    (:func:`check_token`), wherever it was set."""
    if secret is not None:
        return check_token(secret.get_secret_value(), where)
    environ = os.environ if environ is None else environ
    value = environ.get(env)
    return None if value is None else check_token(value, f"${env}")


def _is_union_tag(part: object) -> bool:
    """The source kind pydantic puts after ``source`` in an error's location (only there:
    ``[source.ari]`` of an AMI source is a real key)."""
    return part in ("demo", "feed", "ari", "ami", "ringostat")
