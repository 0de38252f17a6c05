"""The queues screen (``Q``): every figure of every queue, coloured by the alert levels.

The table shows today's figures or the recent window's (``w`` switches); below it, the
selected queue's every figure for both windows, its callers and agents now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from wallboard.core.alerts import Level, Metric
from wallboard.core.metrics import Figures, QueueFigures
from wallboard.core.queues import DEFAULT_SERVICE_LEVEL_SECONDS
from wallboard.ui.keys import APP_KEYS
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.queue_look import percent_text, seconds_text
from wallboard.ui.widgets.queue_table import QueueTable
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

LEVEL_STYLE = {Level.WARNING: "bold $warning", Level.CRITICAL: "bold $text on $error"}


class QueuesScreen(LiveScreen):
    BINDINGS = [
        Binding("escape", "close", "Close", id="queues.close"),
        Binding("w", "window", "Today/30 min", id="queues.window"),
        Binding("enter", "agents", "Agents of queue", id="queues.agents"),
        *APP_KEYS,
    ]

    app: WallboardApp

    def __init__(self) -> None:
        super().__init__(id="queues-screen")
        self.day = True

    def compose(self) -> ComposeResult:
        yield TopBar(self.app.source.title, id="topbar")
        yield QueueTable(id="queue-table")
        yield Static("", id="queue-detail")
        yield KeysFooter()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()
        self.update_view()

    def update_view(self) -> None:
        app = self.app
        table = self.table
        table.empty_message = self.not_synced_text() or f"{app.source.title} has no queues."
        view = app.queue_view(self.frame.now()) if app.state.synced else None
        board_filter = app.board.table.board_filter
        ids = [q.id for q in app.state.queues.values() if board_filter.matches_queue(q)]
        table.show(view, app.alert_engine, self.day, ids)
        self._detail(table.selected)
        note = "Queues · today" if self.day else "Queues · last 30 min"
        self.show_topbar(note + (" · ⚑ filtered" if board_filter.active else ""))

    def tick(self) -> None:
        self.update_view()

    def on_queue_table_selected(self, _: QueueTable.Selected) -> None:
        self._detail(self.table.selected)

    def _detail(self, queue: QueueFigures | None) -> None:
        detail = self.query_one("#queue-detail", Static)
        if queue is None:
            detail.update("")
            return
        known = self.app.state.queues.get(queue.queue_id or "")
        head = f"[b]{escape(queue.name)}[/b]"
        if known is not None:
            if known.department:
                head += f" · {escape(known.department)}"
            head += (f" · service level within {known.service_level_seconds:g} s"
                     f" · short abandons under {known.short_abandon_seconds:g} s")
        elif queue.queue_id is None:
            head += f" · each queue's own threshold (default {DEFAULT_SERVICE_LEVEL_SECONDS:g} s)"
        left = [
            ("Offered", lambda f: str(f.offered), None),
            ("Answered", lambda f: str(f.answered), None),
            ("Abandoned", lambda f: str(f.abandoned), None),
            ("Short abandons", lambda f: str(f.short_abandons), None),
        ]
        right = [
            ("Service level", lambda f: percent_text(f.service_level), Metric.SERVICE_LEVEL),
            ("Abandon rate", lambda f: percent_text(f.abandon_rate), Metric.ABANDON_RATE),
            ("ASA", lambda f: seconds_text(f.asa), Metric.ASA),
            ("AHT", lambda f: seconds_text(f.aht), Metric.AHT),
        ]
        windows = f"{'Today':>7}{'30 min':>8}"
        lines = [head, f"{'':<15}{windows}     {'':<15}{windows}"]
        for (a, a_text, a_metric), (b, b_text, b_metric) in zip(left, right, strict=True):
            lines.append(
                f"{a:<15}{self._cell(queue, queue.day, a_text, a_metric, 7)}"
                f"{self._cell(queue, queue.recent, a_text, a_metric, 8)}     "
                f"{b:<15}{self._cell(queue, queue.day, b_text, b_metric, 7)}"
                f"{self._cell(queue, queue.recent, b_text, b_metric, 8)}")
        agents = queue.agents
        longest = seconds_text(queue.longest_wait) if queue.waiting else "–"
        lines.append(f"Now: {queue.waiting} waiting · longest {longest} · "
                     f"{queue.callbacks} callbacks waiting")
        lines.append(f"Agents: {agents.available} available · {agents.busy} busy · "
                     f"{agents.wrap_up} wrap-up · {agents.paused} paused · {agents.dnd} DND · "
                     f"{agents.offline} offline")
        detail.update("\n".join(lines))

    def _cell(self, queue: QueueFigures, figures: Figures, text: object, metric: Metric | None,
              width: int) -> str:
        value = text(figures)  # type: ignore[operator]
        cell = f"{value:>{width}}"
        if metric is None or queue.queue_id is None:
            return cell
        raw = {Metric.ABANDON_RATE: figures.abandon_rate,
               Metric.SERVICE_LEVEL: figures.service_level,
               Metric.ASA: figures.asa, Metric.AHT: figures.aht}[metric]
        level = self.app.alert_engine.level(metric, queue.queue_id, raw)
        if level is None:
            return cell
        pad = len(cell) - len(value)
        return " " * pad + f"[{LEVEL_STYLE[level]}]{value}[/]"

    # -- actions ----------------------------------------------------------------------------
    def action_window(self) -> None:
        self.day = not self.day
        self.update_view()

    def action_agents(self) -> None:
        from wallboard.core.view import BoardFilter
        from wallboard.ui.screens.agents import AgentsScreen

        queue = self.table.selected
        if queue is None:
            return
        if queue.queue_id is not None:
            current = self.app.board.table.board_filter
            self.app.board.apply_filter(BoardFilter(
                employees=current.employees, departments=current.departments,
                sites=current.sites, queues=frozenset({queue.queue_id})))
        self.app.push_screen(AgentsScreen())

    def action_close(self) -> None:
        if self.is_active:
            self.dismiss()
