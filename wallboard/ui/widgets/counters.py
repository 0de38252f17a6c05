"""The header counters of SPEC 1, always visible.

Each figure is a small widget of its own, drawn line by line (label, then value): when a
figure changes, only its value cell is repainted, so the counters cost a few bytes a
second on the wire.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.counters import Counters
from wallboard.core.format import format_duration

COUNTERS = (
    ("total", "Total calls"),
    ("waiting", "Waiting"),
    ("waiting_incoming", "…incoming"),
    ("talking", "Talking"),
    ("talking_incoming", "…incoming"),
    ("longest_wait", "Longest wait"),
)


def counter_texts(counters: Counters) -> dict[str, str]:
    return {
        key: format_duration(counters.longest_wait) if key == "longest_wait"
        else str(getattr(counters, key))
        for key, _ in COUNTERS
    }


class Counter(Widget):
    """One figure: its label on the first line, its value on the second."""

    DEFAULT_CSS = """
    Counter { width: 1fr; height: 2; }
    Counter > .counter--label { color: $text-muted; }
    Counter > .counter--value { text-style: bold; }
    Counter.-alert > .counter--value { color: $warning; }
    """
    COMPONENT_CLASSES = {"counter--label", "counter--value"}

    def __init__(self, label: str, id: str) -> None:
        super().__init__(id=id)
        self.label = label
        self.value = ""

    def show(self, value: str, alert: bool = False) -> None:
        if alert != self.has_class("-alert"):
            self.set_class(alert, "-alert")
        if value != self.value:
            self.value = value
            self.refresh(Region(0, 1, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        text, part = (self.label, "label") if y == 0 else (self.value, "value")
        style = self.get_component_rich_style(f"counter--{part}")
        return Strip([Segment(text, style)]).adjust_cell_length(self.size.width, self.rich_style)


class CountersBar(Horizontal):
    """Total, waiting (of which incoming), talking (of which incoming), longest wait."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, str] = {key: "" for key, _ in COUNTERS}

    def compose(self) -> ComposeResult:
        for key, label in COUNTERS:
            yield Counter(label, id=f"counter-{key.replace('_', '-')}")

    def show(self, counters: Counters, filtered: bool) -> None:
        self.values = counter_texts(counters)
        waiting = counters.waiting > 0
        for counter in self.query(Counter):
            key = counter.id.removeprefix("counter-").replace("-", "_")
            counter.show(self.values[key], alert=waiting and key in ("waiting", "longest_wait"))
        self.set_class(filtered, "-filtered")
