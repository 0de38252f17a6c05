"""The one app factory: used by the CLI, the tests, the screenshots and the benchmarks."""

from __future__ import annotations

from wallboard.config import Config, ConfigError
from wallboard.core.clock import Clock, SystemClock
from wallboard.sources.base import Source


def binding_ids() -> set[str]:
    """Every remappable key's id (config ``[keys]``)."""
    from wallboard.ui.app import WallboardApp
    from wallboard.ui.screens.board import BoardScreen
    from wallboard.ui.screens.help import HelpScreen
    from wallboard.ui.screens.picker import PickerScreen

    ids = set()
    for cls in (WallboardApp, BoardScreen, HelpScreen, PickerScreen):
        for binding in cls.BINDINGS:
            if getattr(binding, "id", None):
                ids.add(binding.id)
    return ids


def create_app(config: Config, *, source: Source | None = None, clock: Clock | None = None):  # type: ignore[no-untyped-def]
    from wallboard.sources.factory import make_source
    from wallboard.ui.app import WallboardApp

    unknown = sorted(set(config.keys) - binding_ids())
    if unknown:
        raise ConfigError(
            f"keys.{unknown[0]}: unknown key binding id; known ids: "
            + ", ".join(sorted(binding_ids()))
            + "."
        )
    clock = clock or SystemClock()
    return WallboardApp(config, source or make_source(config, clock), clock)
