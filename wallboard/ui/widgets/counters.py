"""The header counters of SPEC 1, always visible.

Each figure is a small widget of its own, drawn line by line (label, then value): when a
figure changes, only its value cell is repainted, so the counters cost a few bytes a
second on the wire.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from wallboard.config import Thresholds
from wallboard.core.counters import Counters
from wallboard.core.format import format_duration
from wallboard.i18n import C_, current, pgettext
from wallboard.ui.widgets.plain import PlainLines

COUNTERS = (
    ("total", C_("counter", "Total calls")),
    ("waiting", C_("counter", "Waiting")),
    ("waiting_incoming", C_("counter", "…incoming")),
    ("talking", C_("counter", "Talking")),
    ("talking_incoming", C_("counter", "…incoming")),
    ("longest_wait", C_("counter", "Longest wait")),
)
"""Each counter's key and label (English, marked for the catalog; shown translated). At
80 columns a label has 13 cells: a test holds every language to that."""


NO_FIGURE = "–"
"""Shown instead of a figure before the first snapshot: nothing is known yet."""


def counter_texts(counters: Counters | None) -> dict[str, str]:
    if counters is None:
        return {key: NO_FIGURE for key, _label in COUNTERS}
    number = current().number
    return {
        key: format_duration(counters.longest_wait) if key == "longest_wait"
        else number(getattr(counters, key))
        for key, _label in COUNTERS
    }


def alert_levels(counters: Counters, thresholds: Thresholds) -> dict[str, str]:
    """Which counters are amber or red: '' (calm), 'amber' or 'red', by counter key."""

    def level(value: float, amber: float, red: float) -> str:
        if red and value >= red:
            return "red"
        if amber and value >= amber:
            return "amber"
        return ""

    return {
        "waiting": level(counters.waiting, thresholds.waiting_amber, thresholds.waiting_red),
        "longest_wait": level(counters.longest_wait, thresholds.longest_wait_amber_seconds,
                              thresholds.longest_wait_red_seconds),
    }


def set_alert(widget: Widget, level: str) -> None:
    """Put the widget in the -amber or -red class (or neither)."""
    for name in ("amber", "red"):
        if widget.has_class(f"-{name}") != (level == name):
            widget.set_class(level == name, f"-{name}")


class Counter(PlainLines):
    """One figure: its label on the first line, its value on the second."""

    DEFAULT_CSS = """
    Counter { width: 1fr; height: 2; }
    Counter > .counter--label { color: $text-muted; }
    Counter > .counter--value { text-style: bold; }
    Counter.-amber > .counter--value { color: $warning; }
    Counter.-red > .counter--value { color: $error; text-style: bold reverse; }
    """
    COMPONENT_CLASSES = {"counter--label", "counter--value"}

    def __init__(self, label: str, id: str) -> None:
        super().__init__(id=id)
        self.key = counter_key(self)
        self.label = label
        self.value = ""
        self._styles: tuple[Style, Style, Style] | None = None
        """Label, value and blank styles, looked up again when the CSS applies anew."""

    def show(self, value: str, level: str = "") -> None:
        set_alert(self, level)
        if value != self.value:
            # only the cells the old or the new value cover: the rest stays blank
            changed = max(cell_len(value), cell_len(self.value))
            self.value = value
            self.refresh(Region(0, 1, changed, 1))

    def notify_style_update(self) -> None:
        """A class (-amber, -red, -stale above) or the theme changed."""
        super().notify_style_update()
        self._styles = None

    def render_line(self, y: int) -> Strip:
        if self._styles is None:
            self._styles = (self.get_component_rich_style("counter--label"),
                            self.get_component_rich_style("counter--value"), self.rich_style)
        label, value, blank = self._styles
        text, style = (self.label, label) if y == 0 else (self.value, value)
        return Strip([Segment(text, style)]).adjust_cell_length(self.size.width, blank)


class CountersBar(Horizontal):
    """Total, waiting (of which incoming), talking (of which incoming), longest wait."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, str] = {key: "" for key, _label in COUNTERS}
        self.counters: list[Counter] = []

    def compose(self) -> ComposeResult:
        self.counters = [Counter(counter_label(label), id=counter_id(key))
                         for key, label in COUNTERS]
        yield from self.counters

    def show(self, counters: Counters | None, filtered: bool, thresholds: Thresholds) -> None:
        """``counters`` None: nothing is known yet (no snapshot), so no figures."""
        self.values = counter_texts(counters)
        levels = alert_levels(counters, thresholds) if counters else {}
        for counter in self.counters:
            counter.show(self.values[counter.key], levels.get(counter.key, ""))
        if self.has_class("-filtered") != filtered:
            self.set_class(filtered, "-filtered")


def counter_label(label: str) -> str:
    """A counter's label (from :data:`COUNTERS`) in the active language."""
    return pgettext("counter", label)


def counter_key(widget: Widget) -> str:
    """``counter-longest-wait`` -> ``longest_wait``."""
    return (widget.id or "").removeprefix("counter-").replace("-", "_")


def counter_id(key: str) -> str:
    return f"counter-{key.replace('_', '-')}"
