"""The header counters of SPEC 1, always visible."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

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


class Counter(Static):
    """One figure with its label under it."""

    def __init__(self, label: str, id: str) -> None:
        super().__init__(id=id, classes="counter")
        self.label = label
        self.value: str | None = None

    def show(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.update(f"[b]{value}[/b]\n[dim]{self.label}[/dim]")


class CountersBar(Horizontal):
    """Total, waiting (of which incoming), talking (of which incoming), longest wait."""

    def compose(self) -> ComposeResult:
        for key, label in COUNTERS:
            yield Counter(label, id=f"counter-{key.replace('_', '-')}")

    def show(self, counters: Counters, filtered: bool) -> None:
        for key, _ in COUNTERS:
            value = getattr(counters, key)
            text = format_duration(value) if key == "longest_wait" else str(value)
            self.query_one(f"#counter-{key.replace('_', '-')}", Counter).show(text)
        self.set_class(filtered, "-filtered")
        self.set_class(counters.waiting > 0, "-waiting")
