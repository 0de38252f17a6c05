"""The baseline: the same board built the plain way, for budgets measured side by side.

    python benchmarks/baseline_board.py --calls 1000 --events 20 --seed 7
    python benchmarks/baseline_board.py --url http://127.0.0.1:8765   # follow a serve

A Textual ``DataTable`` with the board's columns, the same demo source (same seed, calls
and events), the same top line and counters, updated cell by cell once a second: rows of
ended calls are removed, new calls are added at the bottom (oldest first, as the board),
and every cell whose text changed gets ``update_cell``. Nothing else is tuned: it is what
a careful first version of the board would be.

The board shows a queues strip under its counters when the source has queues (the demo
has); so does the baseline, the same plain way: a second ``DataTable``, one row per queue
(as many as the board's strip shows: at most a fifth of the screen's lines), with the
figures that fit the width, updated cell by cell once a second.

``benchmarks/board_pty.py`` runs it next to ``wallboard --demo`` in the same pty size and
states the board's budgets as ratios of it.
With ``--url`` it follows a ``wallboard serve`` through the board's own feed client, as
``wallboard --url`` does (``benchmarks/ari_board.py``: both boards on one serve).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Horizontal  # noqa: E402
from textual.widgets import DataTable, Footer, Static  # noqa: E402

from wallboard.config import FeedSource  # noqa: E402
from wallboard.core.clock import SystemClock  # noqa: E402
from wallboard.core.counters import compute_counters  # noqa: E402
from wallboard.core.format import format_duration  # noqa: E402
from wallboard.core.models import Call  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.i18n import activate  # noqa: E402
from wallboard.sources.base import Source  # noqa: E402
from wallboard.sources.demo import DemoSource  # noqa: E402
from wallboard.sources.feed import FeedClient  # noqa: E402
from wallboard.ui.widgets.columns import CellContext, layout  # noqa: E402
from wallboard.ui.widgets.queue_look import fit_fields  # noqa: E402
from wallboard.ui.widgets.queue_strip import GAP, NAME_MAX, SHARE  # noqa: E402

WAIT_WARNING = 30.0


class BaselineBoard(App[None]):
    CSS = """
    #top { height: 1; background: $primary; }
    #counters { height: 2; }
    #counters Static { width: 1fr; }
    #calls { height: 1fr; }
    #queues { height: auto; display: none; }
    """
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.clock = SystemClock()
        self.state = LiveState()
        # the board's columns at its widths; a DataTable pads each cell by one on each side
        self.placed = layout(148)
        self.shown: dict[str, list[str]] = {}
        self.queue_fields = fit_fields(160 - 1, NAME_MAX, GAP, labelled=True)
        self.queues_shown: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        with Horizontal(id="counters"):
            for key in ("total", "waiting", "waiting_incoming", "talking", "talking_incoming",
                        "longest_wait"):
                yield Static(id=key)
        yield DataTable(id="queues", cursor_type="none")
        yield DataTable(id="calls", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#calls", DataTable)
        for p in self.placed:
            table.add_column(p.column.title, width=p.width, key=p.column.key.value)
        queues = self.query_one("#queues", DataTable)
        queues.add_column("Queue", width=NAME_MAX, key="name")
        for field in self.queue_fields:
            queues.add_column(field.shown_label, key=field.key)
        table.focus()
        self.run_worker(self.follow(), exit_on_error=False)
        self.set_interval(1.0, self.sync)

    async def follow(self) -> None:
        first = True
        async for batch in self.source.events():
            self.state.apply_all(batch)
            if first:  # the first rows go on screen at once, as on the board
                first = False
                self.sync()

    def texts(self, call: Call, ctx: CellContext) -> list[str]:
        return [p.column.text(call, ctx) for p in self.placed]

    def sync(self) -> None:
        """Once a second: remove ended calls, add new ones, update every changed cell."""
        now = self.clock.now()
        ctx = CellContext(self.state, now, False, WAIT_WARNING)
        table = self.query_one("#calls", DataTable)
        calls = self.state.calls
        for gone in [i for i in self.shown if i not in calls]:
            table.remove_row(gone)
            del self.shown[gone]
        known = list(self.shown.items())
        new = sorted((c for i, c in calls.items() if i not in self.shown),
                     key=lambda c: (c.created_at, c.id))
        for call in new:
            texts = self.texts(call, ctx)
            table.add_row(*texts, key=call.id)
            self.shown[call.id] = texts
        keys = [p.column.key.value for p in self.placed]
        for call_id, old in known:
            texts = self.texts(calls[call_id], ctx)
            for key, before, after in zip(keys, old, texts, strict=True):
                if before != after:
                    table.update_cell(call_id, key, after)
            self.shown[call_id] = texts
        self.show_header(now)
        self.show_queues(now)

    def show_queues(self, now) -> None:  # type: ignore[no-untyped-def]
        """The strip: the queues' figures, cell by cell, as many queues as the board's."""
        if not self.state.queues:
            return
        table = self.query_one("#queues", DataTable)
        table.display = True
        view = self.state.metrics.view(now, self.state.queues)
        rows = list(view.queues.values())
        cap = max(1, self.size.height // SHARE)  # the board's rule (it says "+N more" too)
        rows = rows if len(rows) <= cap else rows[: cap - 1]
        keys = ["name"] + [f.key for f in self.queue_fields]
        for queue in rows:
            texts = [queue.name] + [f.value(queue, queue.recent) for f in self.queue_fields]
            row = queue.queue_id or ""
            old = self.queues_shown.get(row)
            if old is None:
                table.add_row(*texts, key=row)
            else:
                for key, before, after in zip(keys, old, texts, strict=True):
                    if before != after:
                        table.update_cell(row, key, after)
            self.queues_shown[row] = texts

    def show_header(self, now) -> None:  # type: ignore[no-untyped-def]
        counters = compute_counters(self.state.calls.values(), now)
        labels = {"total": "Total calls", "waiting": "Waiting", "waiting_incoming": "…incoming",
                  "talking": "Talking", "talking_incoming": "…incoming",
                  "longest_wait": "Longest wait"}
        for key, label in labels.items():
            value = getattr(counters, key)
            text = format_duration(value) if key == "longest_wait" else str(value)
            self.query_one(f"#{key}", Static).update(f"{label}\n{text}")
        self.query_one("#top", Static).update(
            f" {now.astimezone().strftime('%H:%M:%S')}  ☎ wallboard · {self.source.title}"
            " · oldest first  ● live")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--events", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="follow this wallboard serve instead of the demo")
    args = parser.parse_args()
    activate("en")
    source: Source = (
        FeedClient(FeedSource(url=args.url)) if args.url
        else DemoSource(seed=args.seed, calls=args.calls, events_per_second=args.events))
    BaselineBoard(source).run()


if __name__ == "__main__":
    main()
