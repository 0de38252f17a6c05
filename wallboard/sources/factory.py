"""Builds the configured source. Network backends are imported only when chosen."""

from __future__ import annotations

from datetime import tzinfo

from wallboard.config import (
    AmiSource,
    AriSource,
    Config,
    DemoSource,
    FeedSource,
    RingostatSource,
)
from wallboard.core.clock import Clock
from wallboard.sources.base import Source


def ui_zone(config: Config) -> tzinfo | None:
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.ui.timezone) if config.ui.timezone else None


def make_source(config: Config, clock: Clock) -> Source:
    settings = config.source
    if isinstance(settings, DemoSource):
        from wallboard.sources.demo import DemoSource as Demo

        return Demo(
            clock=clock,
            seed=settings.seed,
            calls=settings.calls,
            events_per_second=settings.events_per_second,
            language=config.ui.language or "en",
            catalog=config.queues.catalog(),
            metrics=config.queues.metrics(ui_zone(config)),
        )
    if isinstance(settings, FeedSource):
        from wallboard.sources.feed import FeedClient

        return FeedClient(settings, clock=clock)
    if isinstance(settings, AriSource):
        from wallboard.sources.ari import AriClient

        return AriClient(settings, clock=clock, catalog=config.queues.catalog())
    if isinstance(settings, RingostatSource):
        from wallboard.sources.ringostat import RingostatClient

        return RingostatClient(settings, clock=clock)
    if isinstance(settings, AmiSource):
        from wallboard.sources.ami import AmiClient

        return AmiClient(settings, clock=clock, catalog=config.queues.catalog())
    raise TypeError(f"unknown source kind {settings!r}")  # pragma: no cover
