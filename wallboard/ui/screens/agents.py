"""The agents grid (``a``): every manager's agent state, time in it and pause reason.

Totals on top; the board's filters (employees, departments, queues, sites) apply here too
and are the same filters; ``s`` / ``S`` sort; a supervisor pauses or unpauses the agent under the
cursor with a reason, after a confirmation (docs/queues.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from wallboard.core.agents import AgentSort, agent_rows, state_totals
from wallboard.core.queues import AgentState
from wallboard.core.view import BoardFilter
from wallboard.i18n import N_, _, current, say
from wallboard.service import ServiceError
from wallboard.ui.keys import APP_KEYS
from wallboard.ui.screens.board import department_label
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.agents_grid import AgentsGrid
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.queue_look import (
    STATE_CLASS,
    STATE_GLYPH,
    pause_reason,
    state_counted,
)
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


def totals_markup(totals: dict[AgentState, int], width: int = 1000) -> str:
    """``● 12 available · ☎ 20 on call · …`` in the states' colours, broken into lines
    of ``width`` between the states, never inside one."""
    lines: list[str] = []
    line, used = "", 0
    for state, count in totals.items():
        if not count and state in (AgentState.UNKNOWN, AgentState.RINGING):
            continue
        words = state_counted(state, count)
        plain = f"{STATE_GLYPH[state]} {words}"
        part = f"[{STATE_VARIABLE[state]}]{STATE_GLYPH[state]}[/] {escape(words)}"
        if line and used + 3 + len(plain) > width:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} · {part}", used + 3 + len(plain)) if line else (part, len(plain))
    return "\n".join([*lines, line] if line else lines)


STATE_VARIABLE = {
    AgentState.AVAILABLE: "$success", AgentState.RINGING: "$warning",
    AgentState.ON_CALL: "$primary-lighten-3", AgentState.WRAP_UP: "$secondary-lighten-2",
    AgentState.PAUSED: "$accent", AgentState.DND: "$error-lighten-1",
    AgentState.OFFLINE: "$text-muted", AgentState.UNKNOWN: "$secondary",
}
assert set(STATE_VARIABLE) == set(STATE_CLASS)


class AgentsScreen(LiveScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="agents.close"),
        Binding("P", "pause", N_("Pause/unpause"), id="agents.pause"),
        Binding("enter", "profile", N_("Profile"), id="agents.profile"),
        Binding("slash", "filter_employees", N_("Employees"), id="agents.filter_employees"),
        Binding("d", "filter_departments", N_("Department"), id="agents.filter_departments"),
        Binding("k", "filter_queues", N_("Queue"), id="agents.filter_queues"),
        Binding("o", "filter_sites", N_("Site"), id="agents.filter_sites"),
        Binding("x", "clear_filters", N_("Clear filters"), id="agents.clear_filters"),
        Binding("s", "sort_next", N_("Sort"), id="agents.sort_next"),
        Binding("S", "sort_reverse", N_("Reverse"), id="agents.sort_reverse"),
        *APP_KEYS,
    ]

    app: WallboardApp

    def __init__(self) -> None:
        super().__init__(id="agents-screen")
        self.sort = AgentSort.NAME
        self.reverse = False
        self._totals = ""

    def compose(self) -> ComposeResult:
        yield TopBar(self.app.source.title, id="topbar")
        yield Static("", id="agents-totals")
        yield Static("", id="agents-filter")
        yield AgentsGrid(self.frame, id="agents-grid")
        yield KeysFooter()

    @property
    def grid(self) -> AgentsGrid:
        return self.query_one(AgentsGrid)

    @property
    def board_filter(self) -> BoardFilter:
        return self.app.board.table.board_filter

    def on_mount(self) -> None:
        super().on_mount()
        self.grid.focus()
        self.update_view()

    def update_view(self) -> None:
        app = self.app
        grid = self.grid
        waiting = self.not_synced_text()
        board_filter = self.board_filter
        rows = [] if waiting else agent_rows(app.state, board_filter, self.sort, self.reverse)
        if waiting:
            grid.empty_message = waiting
        elif board_filter.active:
            grid.empty_message = _("No agents match the filters — press {key} to clear "
                                   "them.").format(key=app.key("agents.clear_filters"))
        else:
            grid.empty_message = _("No agents.")
        grid.show(rows, app.alert_engine)
        totals = state_totals(rows)
        text = totals_markup(totals, max(20, self.size.width - 2)) if rows else ""
        if rows and not all(r.agent.pause_known for r in rows):
            text += " · [i]" + escape(_("{source} does not report pauses").format(
                source=say(app.source.title))) + "[/i]"
        if text != self._totals:  # a Static's update lays the screen out again
            self._totals = text
            self.query_one("#agents-totals", Static).update(text)
        self._describe_filter(board_filter)
        self.show_topbar(_("Agents · {count} · {sort}").format(
            count=current().number(len(rows)), sort=say(self.sort.describe(self.reverse))))

    def tick(self) -> None:
        """Once a second: the events folded into this frame, then the times."""
        self.update_view()
        self.grid.tick()

    def _describe_filter(self, board_filter: BoardFilter) -> None:
        line = self.query_one("#agents-filter", Static)
        line.display = board_filter.active
        if not board_filter.active:
            return
        state = self.app.state
        parts = []
        if board_filter.employees:
            names = sorted(state.employees[e].name if e in state.employees else e
                           for e in board_filter.employees)
            parts.append(_("employees: {names}").format(
                names=", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")))
        if board_filter.departments:
            parts.append(_("departments: {names}").format(names=", ".join(
                sorted(department_label(d) for d in board_filter.departments))))
        if board_filter.sites:
            parts.append(_("sites: {names}").format(names=", ".join(sorted(board_filter.sites))))
        if board_filter.queues:
            parts.append(_("queues: {names}").format(names=", ".join(sorted(
                state.queues[q].name if q in state.queues else q for q in board_filter.queues))))
        line.update(escape(_("⚑ FILTERED — {filters} ({key} clears)").format(
            filters=" · ".join(parts), key=self.app.key("agents.clear_filters"))))

    # -- filters: the board's, shared ---------------------------------------------------------
    def action_filter_employees(self) -> None:
        self.app.board.action_filter_employees()

    def action_filter_departments(self) -> None:
        self.app.board.action_filter_departments()

    def action_filter_queues(self) -> None:
        self.app.board.action_filter_queues()

    def action_filter_sites(self) -> None:
        self.app.board.action_filter_sites()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The site filter's key, on a board over several sites only."""
        if action == "filter_sites":
            return self.app.board.table.sites
        return super().check_action(action, parameters)

    def action_clear_filters(self) -> None:
        self.app.board.action_clear_filters()
        self.update_view()

    # -- sorting -----------------------------------------------------------------------------
    def action_sort_next(self) -> None:
        self.sort = self.sort.next()
        self.update_view()

    def action_sort_reverse(self) -> None:
        self.reverse = not self.reverse
        self.update_view()

    # -- the agent under the cursor -------------------------------------------------------------
    def action_profile(self) -> None:
        from wallboard.ui.screens.profile import open_profile

        row = self.grid.selected
        if row is not None:
            open_profile(self.app, row.employee.id)

    def action_pause(self) -> None:
        from wallboard.ui.screens.pause_confirm import PauseConfirmScreen

        row = self.grid.selected
        if row is None:
            self.notify(_("No agent selected."), severity="warning", timeout=2)
            return
        desk = self.app.service.agents
        paused = row.agent.state is AgentState.PAUSED
        refusal = desk.refusal(row.employee.id, not paused,
                               desk.reasons[0] if not paused else "")
        if refusal is not None:
            self.notify(self.app.fill_keys(refusal.message), severity="warning", timeout=5)
            return
        self.app.push_screen(
            PauseConfirmScreen(row.employee, row.agent, desk.reasons, self.frame),
            lambda reason: self._paused(row.employee.id, not paused, reason))

    def _paused(self, employee_id: str, paused: bool, reason: str | None) -> None:
        if reason is None:
            return  # cancelled
        self.run_worker(self._pause(employee_id, paused, reason), group="pause",
                        exit_on_error=False)

    async def _pause(self, employee_id: str, paused: bool, reason: str) -> None:
        app = self.app
        try:
            await app.service.agents.pause(employee_id, paused, reason, app.actor)
        except ServiceError as exc:
            self.notify(self.app.fill_keys(exc.message), severity="error", timeout=8)
            return
        employee = app.state.employees.get(employee_id)
        name = employee.name if employee else employee_id
        self.notify(_("{name} paused ({reason}).").format(name=name, reason=pause_reason(reason))
                    if paused else _("{name} unpaused.").format(name=name), timeout=4)

    def action_close(self) -> None:
        if self.is_active:
            self.dismiss()
