"""The footer: the keys that fit, whole, by priority.

Textual's footer lays every key out in a row and lets the screen's edge cut the last one
mid-word (``q Qu▏``). This one keeps the most useful keys that fit entirely (help first:
it lists every key) and drops the others; the command palette's key comes last, on the
right, if there is room. It is one line of text, drawn only when the keys it shows change.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.events import Click, Resize
from textual.screen import Screen
from textual.widget import Widget

from wallboard.i18n import _
from wallboard.ui.keys import FOOTER_PRIORITY


@dataclass(frozen=True)
class FooterEntry:
    key: str
    """The key to simulate on a click."""
    display: str
    description: str
    enabled: bool = True
    binding_id: str | None = None

    @property
    def width(self) -> int:
        return cell_len(self.display) + cell_len(self.description) + 3  # " k " + "desc "


def footer_entries(screen: Screen[object]) -> tuple[list[FooterEntry], FooterEntry | None]:
    """The shown keys of ``screen``, one per action in their declared order, and the
    command palette's key."""
    app = screen.app
    entries: list[FooterEntry] = []
    actions: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.action not in actions:
            actions.add(binding.action)
            entries.append(_entry(app.get_key_display(binding), binding, active.enabled))
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.use_command_palette:
        command = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if command is not None:
            palette = _entry(app.get_key_display(command.binding), command.binding,
                             command.enabled)
    return entries, palette


def _entry(display: str, binding: Binding, enabled: bool) -> FooterEntry:
    return FooterEntry(binding.key, display, _(binding.description), enabled, binding.id)


def fit_entries(entries: list[FooterEntry], palette: FooterEntry | None,
                width: int) -> list[FooterEntry]:
    """The entries that fit whole in ``width`` cells, in their declared order, the palette's
    last. They are taken by priority (:data:`FOOTER_PRIORITY`, then declared order); a key
    that does not fit is dropped, and a smaller one after it may still fit."""

    def rank(n: int) -> int:
        binding_id = entries[n].binding_id
        if binding_id in FOOTER_PRIORITY:
            return FOOTER_PRIORITY.index(binding_id)
        return len(FOOTER_PRIORITY) + n

    kept: set[int] = set()
    room = width
    for n in sorted(range(len(entries)), key=rank):
        if entries[n].width <= room:
            kept.add(n)
            room -= entries[n].width
    shown = [e for n, e in enumerate(entries) if n in kept]
    if palette is not None and palette.width + 1 <= room:  # + its separator
        shown.append(palette)
    return shown


class KeysFooter(Widget):
    """The screen's keys on its last line."""

    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeysFooter > .keys-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFooter > .keys-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeysFooter > .keys-footer--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description",
                         "keys-footer--disabled"}

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[FooterEntry] = []
        """The entries on screen, left to right (the palette's last)."""
        self._spans: list[tuple[int, int, str]] = []
        self._palette: FooterEntry | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self._update()

    def on_resize(self, event: Resize) -> None:
        self._update()

    def _update(self) -> None:
        entries, palette = footer_entries(self.screen)
        shown = fit_entries(entries, palette, self.size.width or self.app.size.width)
        self._palette = palette if palette in shown else None
        if shown != self.shown:
            self.shown = shown
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        disabled = self.get_component_rich_style("keys-footer--disabled")
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for entry in self.shown:
            if entry == self._palette:
                pad = max(1, self.size.width - text.cell_len - entry.width)
                text.append(" " * (pad - 1))
                text.append("▕")
            start = text.cell_len
            extra = disabled if not entry.enabled else None
            text.append(f" {entry.display} ", key_style + extra if extra else key_style)
            text.append(f"{entry.description} ",
                        description_style + extra if extra else description_style)
            self._spans.append((start, text.cell_len, entry.key))
        return text

    def on_click(self, event: Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return

