"""The queues screen (``Q``): every figure of every queue, coloured by the alert levels.

The table shows today's figures or the recent window's (``w`` switches); below it, the
selected queue's every figure for both windows, its callers and agents now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from wallboard.core.alerts import Level, Metric
from wallboard.core.metrics import Figures, QueueFigures
from wallboard.core.queues import DEFAULT_SERVICE_LEVEL_SECONDS, AgentState
from wallboard.i18n import N_, _, counted, say
from wallboard.ui.keys import APP_KEYS
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.queue_look import percent_text, seconds_text, state_counted
from wallboard.ui.widgets.queue_table import QueueTable, queue_name
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

LEVEL_STYLE = {Level.WARNING: "bold $warning", Level.CRITICAL: "bold $text on $error"}

LEFT: tuple[tuple[str, Callable[[Figures], str], Metric | None], ...] = (
    (N_("Offered"), lambda f: str(f.offered), None),
    (N_("Answered"), lambda f: str(f.answered), None),
    (N_("Abandoned"), lambda f: str(f.abandoned), None),
    (N_("Short abandons"), lambda f: str(f.short_abandons), None),
)
RIGHT: tuple[tuple[str, Callable[[Figures], str], Metric | None], ...] = (
    (N_("Service level"), lambda f: percent_text(f.service_level), Metric.SERVICE_LEVEL),
    (N_("Abandon rate"), lambda f: percent_text(f.abandon_rate), Metric.ABANDON_RATE),
    (N_("ASA"), lambda f: seconds_text(f.asa), Metric.ASA),
    (N_("AHT"), lambda f: seconds_text(f.aht), Metric.AHT),
)
"""The selected queue's counted figures, two columns of (label, text, metric)."""


class QueuesScreen(LiveScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="queues.close"),
        Binding("w", "window", N_("Today/30 min"), id="queues.window"),
        Binding("enter", "agents", N_("Agents of queue"), id="queues.agents"),
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
        table.empty_message = self.not_synced_text() or _("{source} has no queues.").format(
            source=say(app.source.title))
        view = app.queue_view(self.frame.now()) if app.state.synced else None
        board_filter = app.board.table.board_filter
        ids = [q.id for q in app.state.queues.values() if board_filter.matches_queue(q)]
        table.show(view, app.alert_engine, self.day, ids)
        self._detail(table.selected)
        note = _("Queues · today") if self.day else _("Queues · last 30 min")
        self.show_topbar(note + (" · " + _("⚑ filtered") if board_filter.active else ""))

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
        head = f"[b]{escape(queue_name(queue))}[/b]"
        if known is not None:
            if known.department:
                head += f" · {escape(known.department)}"
            head += " · " + _("service level within {seconds} s · short abandons under "
                              "{short} s").format(
                seconds=f"{known.service_level_seconds:g}",
                short=f"{known.short_abandon_seconds:g}")
        elif queue.queue_id is None:
            head += " · " + _("each queue's own threshold (default {seconds} s)").format(
                seconds=f"{DEFAULT_SERVICE_LEVEL_SECONDS:g}")
        left = [(_(label), text, metric) for label, text, metric in LEFT]
        right = [(_(label), text, metric) for label, text, metric in RIGHT]
        label_width = max(cell_len(label) for label, _text, _metric in left + right) + 1
        today, recent = _("Today"), _("30 min")
        day_width, recent_width = max(7, cell_len(today) + 1), max(8, cell_len(recent) + 2)
        windows = f"{today:>{day_width}}{recent:>{recent_width}}"
        lines = [head, f"{'':<{label_width}}{windows}     {'':<{label_width}}{windows}"]
        for (a, a_text, a_metric), (b, b_text, b_metric) in zip(left, right, strict=True):
            lines.append(
                f"{a:<{label_width}}{self._cell(queue, queue.day, a_text, a_metric, day_width)}"
                f"{self._cell(queue, queue.recent, a_text, a_metric, recent_width)}     "
                f"{b:<{label_width}}{self._cell(queue, queue.day, b_text, b_metric, day_width)}"
                f"{self._cell(queue, queue.recent, b_text, b_metric, recent_width)}")
        agents = queue.agents
        longest = seconds_text(queue.longest_wait) if queue.waiting else "–"
        lines.append(_("Now: {waiting} · longest {longest} · {callbacks}").format(
            waiting=counted(queue.waiting, "{n} waiting", "{n} waiting"), longest=longest,
            callbacks=counted(queue.callbacks, "{n} callback waiting",
                              "{n} callbacks waiting")))
        states = (state_counted(AgentState.AVAILABLE, agents.available),
                  counted(agents.busy, "{n} busy", "{n} busy"),
                  state_counted(AgentState.WRAP_UP, agents.wrap_up),
                  state_counted(AgentState.PAUSED, agents.paused),
                  state_counted(AgentState.DND, agents.dnd),
                  state_counted(AgentState.OFFLINE, agents.offline))
        lines.append(_("Agents: {states}").format(states=" · ".join(states)))
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
