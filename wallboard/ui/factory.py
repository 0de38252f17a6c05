"""The one app factory: used by the CLI, the tests, the screenshots and the benchmarks."""

from __future__ import annotations

from datetime import datetime

from wallboard.config import Config, ConfigError
from wallboard.core.clock import Clock, SystemClock
from wallboard.sources.base import Source


def binding_ids() -> set[str]:
    """Every remappable key's id (config ``[keys]``)."""
    from wallboard.ui.app import WallboardApp
    from wallboard.ui.screens.board import BoardScreen
    from wallboard.ui.screens.call_log import CallLogScreen
    from wallboard.ui.screens.help import HelpScreen
    from wallboard.ui.screens.listen_confirm import ListenConfirmScreen
    from wallboard.ui.screens.managers import ManagersScreen
    from wallboard.ui.screens.picker import PickerScreen
    from wallboard.ui.screens.profile import ProfileScreen

    ids = set()
    for cls in (WallboardApp, BoardScreen, HelpScreen, PickerScreen,
                ProfileScreen, CallLogScreen, ManagersScreen, ListenConfirmScreen):
        for binding in cls.BINDINGS:
            if getattr(binding, "id", None):
                ids.add(binding.id)
    return ids


def create_app(config: Config, *, source: Source | None = None, clock: Clock | None = None):  # type: ignore[no-untyped-def]
    from wallboard.sources.factory import make_source
    from wallboard.sources.softphone import with_softphone
    from wallboard.ui.app import WallboardApp

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


def create_frozen_demo_app(  # type: ignore[no-untyped-def]
    at: datetime, *, seed: int = 7, calls: int = 24, **ui
):
    """The demo call center with its clock stopped at ``at``: the same picture every run.

    Used by the snapshot tests and the screenshot script.
    """
    from wallboard.config import DemoSource, UiConfig
    from wallboard.core.clock import ManualClock
    from wallboard.sources.demo import DemoSource as Demo

    clock = ManualClock(at)
    ui.setdefault("timezone", "Europe/Warsaw")
    config = Config(source=DemoSource(seed=seed, calls=calls), ui=UiConfig(**ui))
    return create_app(config, source=Demo(clock=clock, seed=seed, calls=calls), clock=clock)
