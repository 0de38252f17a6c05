"""A footer that rebuilds its keys only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A footer that rebuilds its keys only when the keys it shows change.

    Textual's footer recomposes on every bindings signal (screen resume, focus moves), and
    each recompose mounts and styles a widget per key; the panel's keys never change.
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple((binding.key, binding.description, enabled)
                      for _, binding, enabled, _ in screen.active_bindings.values()
                      if binding.show)
        if shown != self._shown:
            if screen.app.app_focus:  # else the footer does not rebuild yet
                self._shown = shown
            super().bindings_changed(screen)
