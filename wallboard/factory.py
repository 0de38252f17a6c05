"""The one app factory: used by the CLI, the tests, the screenshots and the benchmarks.

It is the composition root: it builds the configured source and hands it to the UI, so
the UI itself never imports a backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from wallboard.config import Config, ConfigError
from wallboard.core.clock import Clock, SystemClock
from wallboard.sources.base import Source

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


def create_app(
    config: Config, *, source: Source | None = None, clock: Clock | None = None
) -> WallboardApp:
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
    clock = clock or SystemClock()
    source = with_softphone(
        source or make_source(config, clock), config.supervisor.softphone, clock
    )
    return WallboardApp(config, source, clock)


def create_frozen_demo_app(
    at: datetime, *, seed: int = 7, calls: int = 24, **ui: object
) -> WallboardApp:
    """The demo call center with its clock stopped at ``at``: the same picture every run.

    Used by the snapshot tests and the screenshot script.
    """
    from wallboard.config import DemoSource, UiConfig
    from wallboard.core.clock import ManualClock
    from wallboard.sources.demo import DemoSource as Demo

    clock = ManualClock(at)
    ui.setdefault("timezone", "Europe/Warsaw")
    config = Config(source=DemoSource(seed=seed, calls=calls), ui=UiConfig.model_validate(ui))
    return create_app(config, source=Demo(clock=clock, seed=seed, calls=calls), clock=clock)
