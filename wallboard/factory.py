"""The one app factory: used by the CLI, the tests, the screenshots and the benchmarks.

It is the composition root: it builds the configured source and hands it to the UI, so
the UI itself never imports a backend.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from wallboard.config import Config, ConfigError, SupervisorConfig
from wallboard.core.clock import Clock, ReplayClock, SystemClock
from wallboard.core.listen import SupervisorAccount
from wallboard.sources.base import Source

if TYPE_CHECKING:
    from wallboard.bus import Ingest
    from wallboard.service import WallboardService
    from wallboard.ui.app import WallboardApp


def resolve_supervisor(
    settings: SupervisorConfig, fallback: SupervisorAccount | None
) -> SupervisorAccount | None:
    """The configured supervisor account, else the one the source brings (the demo's)."""
    if settings.account:
        return SupervisorAccount(account=settings.account, project=settings.project)
    return fallback


def create_service(config: Config, source: Source, clock: Clock, *,
                   server: bool = False) -> WallboardService:
    """The session service over ``source``, with the config's audit log and rules.

    For ``wallboard serve`` (``server``): the supervisor accounts clients may ask to ring
    are ``[[server.supervisors]]`` plus ``[supervisor]`` (else the source's own), and
    ``[server] read_only`` refuses every listen action.
    """
    from zoneinfo import ZoneInfo

    from wallboard.audit import AuditLog
    from wallboard.service import ListenPolicy, WallboardService

    ui = config.ui
    supervisor = resolve_supervisor(config.supervisor, source.default_supervisor)
    supervisors = [supervisor] if supervisor else []
    if server:
        supervisors[:0] = [SupervisorAccount(account=s.account, project=s.project)
                           for s in config.server.supervisors]
    policy = ListenPolicy(
        supervisors=tuple(supervisors),
        read_only=ui.read_only or (server and config.server.read_only),
        kiosk=ui.kiosk,
    )
    audit = AuditLog.for_config(config.supervisor, clock)
    zone = ZoneInfo(ui.timezone) if ui.timezone else None
    service = WallboardService(source, clock, audit=audit, policy=policy, zone=zone,
                               history_max_days=config.server.history_max_days,
                               store_url=store_url(config), keep_days=config.store.keep_days)
    setup_queues(service, config, zone)
    return service


def setup_queues(service: WallboardService, config: Config, zone: tzinfo | None) -> None:
    """The queue figures' day and formula, the pause reasons, the alert rules and hook."""
    from wallboard.core.alerts import AlertEngine
    from wallboard.service.alerts import AlertDesk, HookSettings

    service.state.metrics.configure(config.queues.metrics(zone))
    service.agents.reasons = tuple(config.queues.pause_reasons)
    if config.alerts:
        rules = [alert.rule(n) for n, alert in enumerate(config.alerts, start=1)]
        notifications = config.notifications
        service.alerts = AlertDesk(
            service.state, service.clock, AlertEngine(rules, zone=zone),
            HookSettings(tuple(notifications.hook), notifications.hook_per_minute,
                         notifications.hook_timeout_seconds), title=service.title)


def store_url(config: Config) -> str | None:
    """Where history is recorded: ``[store] url``, with ``auto`` decided by the source
    (memory for the demo, nothing for a feed, a SQLite file in the user data directory
    otherwise)."""
    from wallboard.config import DemoSource, FeedSource

    url = config.store.url.strip()
    if url == "off":
        return None
    if url != "auto":
        return url
    if isinstance(config.source, DemoSource):
        return "memory"
    if isinstance(config.source, FeedSource):
        return None
    import platformdirs

    return str(platformdirs.user_data_path("wallboard") / "history.sqlite3")


def create_server_service(config: Config, clock: Clock) -> WallboardService:
    """``wallboard serve``'s service: the configured source, with the server's rules."""
    from wallboard.sources.factory import make_source

    return create_service(config, make_source(config, clock), clock, server=True)


def create_app(
    config: Config, *, source: Source | None = None, clock: Clock | None = None,
    replay: ReplayClock | None = None,
) -> WallboardApp:
    from wallboard.i18n import activate
    from wallboard.sources.factory import make_source
    from wallboard.sources.softphone import with_softphone
    from wallboard.ui.app import WallboardApp

    if config.keys:  # knowing every id imports every screen: only when keys are remapped
        from wallboard.ui.keys import binding_ids

        unknown = sorted(set(config.keys) - binding_ids())
        if unknown:
            raise ConfigError(
                f"keys.{unknown[0]}: unknown key binding id; known ids: "
                + ", ".join(sorted(binding_ids()))
                + "."
            )
    activate(config.ui.language)
    clock = clock or SystemClock()
    source = with_softphone(
        source or make_source(config, clock), config.supervisor.softphone, clock
    )
    return WallboardApp(config, create_service(config, source, clock), clock, replay=replay)


def create_frozen_demo_app(
    at: datetime, *, seed: int = 7, calls: int = 24, alerts: Sequence[object] = (),
    **ui: object
) -> WallboardApp:
    """The demo call center with its clock stopped at ``at``: the same picture every run.

    ``alerts``: ``[[alerts]]`` rules (``AlertConfig`` or their TOML tables as dicts).
    Used by the snapshot tests and the screenshot script.
    """
    from wallboard.config import DemoSource, UiConfig
    from wallboard.core.clock import ManualClock
    from wallboard.sources.demo import DemoSource as Demo
    from wallboard.sources.factory import ui_zone

    clock = ManualClock(at)
    ui.setdefault("timezone", "Europe/Warsaw")
    ui.setdefault("language", "en")
    config = Config.model_validate({"source": DemoSource(seed=seed, calls=calls),
                                     "ui": UiConfig.model_validate(ui), "alerts": list(alerts)})
    demo = Demo(clock=clock, seed=seed, calls=calls, language=config.ui.language or "en",
                catalog=config.queues.catalog(), metrics=config.queues.metrics(ui_zone(config)))
    return create_app(config, source=demo, clock=clock)


def bus_url(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """``[bus] url``, else $WALLBOARD_BUS_URL; ConfigError if neither is set."""
    environ = os.environ if environ is None else environ
    url = config.bus.url or environ.get("WALLBOARD_BUS_URL", "").strip()
    if not url:
        raise ConfigError("no bus: give --bus redis://host:6379/0, [bus] url or "
                          "$WALLBOARD_BUS_URL.")
    return url


def _store_of(config: Config, stream: str) -> str | None:
    """``[store] url`` for one stream ({stream} replaced); None: auto or off."""
    from wallboard.bus.history import store_for

    url = config.store.url.strip()
    return None if url in ("auto", "off") else store_for(url, stream)


def create_bus_service(config: Config, clock: Clock) -> WallboardService:
    """A ``serve --bus`` replica's service: the streams of [bus] as its source, history
    from each stream's store; it records nothing (the leading ingest does)."""
    from wallboard.bus import BusSource, open_bus

    streams = config.bus.follow_streams()
    stores = {s: url for s in streams if (url := _store_of(config, s)) is not None}
    source = BusSource(open_bus(bus_url(config)), streams, clock, stores=stores)
    quiet = config.model_copy(update={"store": config.store.model_copy(update={"url": "off"})})
    return create_service(quiet, source, clock, server=True)


def create_ingest(config: Config, clock: Clock) -> Ingest:
    """``wallboard ingest``: the configured source (its ids qualified by [bus] site), in
    the same service as ``serve`` (recording into the stream's store), on its stream."""
    from wallboard.bus import Ingest, IngestSettings, SiteSource, open_bus
    from wallboard.sources.factory import make_source

    settings = config.bus
    stream = settings.publish_stream()
    store = _store_of(config, stream)
    if store is not None:
        config = config.model_copy(
            update={"store": config.store.model_copy(update={"url": store})})

    def make_service() -> WallboardService:
        source = make_source(config, clock)
        if settings.site:
            source = SiteSource(source, settings.site)
        return create_service(config, source, clock, server=True)

    return Ingest(open_bus(bus_url(config)),
                  IngestSettings(stream=stream, retention=settings.retention,
                                 snapshot_seconds=settings.snapshot_seconds,
                                 lease_seconds=settings.lease_seconds),
                  make_service)
