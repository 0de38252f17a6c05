"""The main screen: counters, the live-call table, filters, sorting and copy."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from wallboard.core.counters import compute_counters
from wallboard.core.format import mask_number
from wallboard.core.models import Call
from wallboard.core.view import NO_DEPARTMENT, BoardFilter, department_choices, describe_sort
from wallboard.i18n import N_, _, say
from wallboard.ui.screens.listen_actions import ListenActions
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.call_table import CallTable
from wallboard.ui.widgets.counters import CountersBar
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.listen_bar import ListenBar
from wallboard.ui.widgets.queue_strip import QueueStrip
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


class BoardScreen(ListenActions, LiveScreen):
    """Everything a supervisor watches, updated a few times a second at most."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter_employees", N_("Employees"), id="board.filter_employees"),
        Binding("d", "filter_departments", N_("Department"), id="board.filter_departments"),
        Binding("x", "clear_filters", N_("Clear filters"), id="board.clear_filters"),
        Binding("s", "sort_next", N_("Sort"), id="board.sort_next"),
        Binding("S", "sort_reverse", N_("Reverse"), id="board.sort_reverse"),
        Binding("k", "filter_queues", N_("Queue"), id="board.filter_queues"),
        Binding("o", "filter_sites", N_("Site"), id="board.filter_sites"),
        Binding("c", "copy_client", N_("Copy client"), id="board.copy_client"),
        Binding("b", "copy_business", N_("Copy business no."), id="board.copy_business"),
        # -- manager profile (SPEC 4) --
        Binding("p,enter", "open_profile", N_("Profile"), id="board.open_profile"),
        Binding("m", "managers", N_("Managers"), id="board.managers"),
        # -- queues, agents and alerts (docs/queues.md) --
        Binding("Q", "queues", N_("Queues"), id="board.queues"),
        Binding("a", "agents", N_("Agents"), id="board.agents"),
        Binding("exclamation_mark", "alerts", N_("Alerts"), id="board.alerts"),
        # -- listen / coach / barge (SPEC 6): actions in screens/listen_actions.py --
        Binding("l", "listen", N_("Join call"), id="board.listen"),
        Binding("w", "listen_mode", N_("Listen/coach"), id="listen.mode"),
        Binding("u", "listen_mute", N_("Mute/unmute"), id="listen.mute"),
        Binding("e", "listen_end", N_("End listening"), id="listen.end"),
    ]

    app: WallboardApp

    def __init__(self) -> None:
        super().__init__(id="board")
        self._sites = False

    def compose(self) -> ComposeResult:
        app = self.app
        yield TopBar(app.source.title, id="topbar")
        yield CountersBar(id="counters")
        yield QueueStrip(id="queue-strip")
        yield Static("", id="filter-line")
        yield CallTable(
            app.state,
            self.frame,
            mask_numbers=app.mask_numbers,
            wait_warning=app.config.ui.wait_warning_seconds,
            id="calls",
        )
        yield ListenBar(id="listen-bar")
        yield KeysFooter()

    @cached_property  # looked up a few times a second otherwise; never replaced
    def table(self) -> CallTable:
        return self.query_one(CallTable)

    @cached_property
    def counters(self) -> CountersBar:
        return self.query_one(CountersBar)

    def on_mount(self) -> None:
        self.table.focus()
        self.update_view()

    def update_view(self) -> None:
        self._empty_message()
        self.table.update_rows()
        self._update_header(every_second=False)
        self.update_listen(self.frame.now())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The site filter's key appears (footer, help, palette) on a board over several
        sites only: a single-site board looks as it always did."""
        if action == "filter_sites":
            return self.table.sites
        return super().check_action(action, parameters)

    def tick(self) -> None:
        self.table.tick()
        self._update_header(every_second=True)
        self.update_listen(self.frame.now())

    def _update_header(self, every_second: bool = True) -> None:
        app = self.app
        table = self.table
        if table.sites != self._sites:  # a board over several sites: the site filter's key
            self._sites = table.sites
            self.refresh_bindings()
        counters = (compute_counters(table.rows, self.frame.now()) if app.state.synced
                    else None)
        self.counters.show(counters, table.board_filter.active, app.config.ui.thresholds)
        self._update_strip(every_second)
        self.show_topbar(say(describe_sort(table.sort_key, table.sort_reverse)))

    def _update_strip(self, every_second: bool = True) -> None:
        """The queues' figures move with the clock: they are redrawn once a second (and at
        once when the strip appears or its queues change), not at every batch of events."""
        app = self.app
        strip = self.query_one(QueueStrip)
        show = app.config.queues.strip and bool(app.state.queues) and app.state.synced
        was_shown = strip.display
        strip.display = show
        if not show:
            return
        board_filter = self.table.board_filter
        ids = [q.id for q in app.state.queues.values() if board_filter.matches_queue(q)]
        if not every_second and was_shown and ids == strip.queue_ids:
            return
        strip.show(app.queue_view(self.frame.now()), app.alert_engine,
                   _("{key} shows all").format(key=app.key('board.queues')), ids)

    def _empty_message(self) -> None:
        """What the table says when it has no rows: connecting is not "no calls"."""
        if (waiting := self.not_synced_text()) is not None:
            message = waiting
        elif self.table.board_filter.active:
            message = _("No calls match the filters — press {key} to clear them.").format(
                key=self.app.key("board.clear_filters"))
        else:
            message = _("No active calls right now.")
        self.table.set_empty_message(message)

    # -- filters -------------------------------------------------------------------------
    def action_filter_employees(self) -> None:
        from wallboard.ui.screens.picker import PickerScreen  # not needed for the first frame

        state = self.app.state
        nobody = _("no department")
        options = sorted(
            ((f"{e.name}  ·  {e.department or nobody}", e.id)
             for e in state.employees.values()),
            key=lambda o: o[0].casefold(),
        )
        self.app.push_screen(
            PickerScreen(_("Show the calls of these employees"), options,
                         self.table.board_filter.employees),
            lambda chosen: self._set_filter(employees=chosen),
        )

    def action_filter_departments(self) -> None:
        from wallboard.ui.screens.picker import PickerScreen

        options = [(department_label(d), d) for d in department_choices(self.app.state)]
        self.app.push_screen(
            PickerScreen(_("Show these departments"), options,
                         self.table.board_filter.departments),
            lambda chosen: self._set_filter(departments=chosen),
        )

    def action_filter_queues(self) -> None:
        from wallboard.ui.screens.picker import PickerScreen

        state = self.app.state
        if not state.queues:
            self.notify(_("{source} has no queues.").format(source=say(self.app.source.title)),
                        severity="warning", timeout=3)
            return
        options = sorted(((q.name, q.id) for q in state.queues.values()),
                         key=lambda o: o[0].casefold())
        self.app.push_screen(
            PickerScreen(_("Show the calls and agents of these queues"), options,
                         self.table.board_filter.queues),
            lambda chosen: self._set_filter(queues=chosen),
        )

    def action_filter_sites(self) -> None:
        """On a board over several sites (PBXs): show the calls and agents of some."""
        from wallboard.ui.screens.picker import PickerScreen

        sites = self.app.state.sites()
        if not sites:
            self.notify(_("This board shows one site: there is nothing to filter by site."),
                        severity="warning", timeout=3)
            return
        self.app.push_screen(
            PickerScreen(_("Show the calls and agents of these sites"),
                         [(site, site) for site in sites], self.table.board_filter.sites),
            lambda chosen: self._set_filter(sites=chosen),
        )

    def _set_filter(self, employees: frozenset[str] | None = None,
                    departments: frozenset[str] | None = None,
                    queues: frozenset[str] | None = None,
                    sites: frozenset[str] | None = None) -> None:
        current = self.table.board_filter
        new = BoardFilter(
            employees=current.employees if employees is None else employees,
            departments=current.departments if departments is None else departments,
            queues=current.queues if queues is None else queues,
            sites=current.sites if sites is None else sites,
        )
        self.apply_filter(new)

    def apply_filter(self, new: BoardFilter) -> None:
        """The board's filters (the agents grid shares them)."""
        current = self.table.board_filter
        if new != current:
            self.table.set_filter(new)
            self._empty_message()
            self._describe_filter(new)
            self._update_header()

    def action_clear_filters(self) -> None:
        if self.table.board_filter.active:
            self._set_filter(frozenset(), frozenset(), frozenset(), frozenset())
            self.notify(_("Filters cleared: showing every call."), timeout=2)

    def _describe_filter(self, board_filter: BoardFilter) -> None:
        line = self.query_one("#filter-line", Static)
        line.display = board_filter.active
        if not board_filter.active:
            return
        employees = self.app.state.employees
        parts = []
        if board_filter.employees:
            names = sorted(employees[e].name if e in employees else e
                           for e in board_filter.employees)
            shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
            parts.append(_("employees: {names}").format(names=shown))
        if board_filter.departments:
            names = sorted(board_filter.departments, key=lambda d: (d == NO_DEPARTMENT, d))
            parts.append(_("departments: {names}").format(
                names=", ".join(department_label(d) for d in names)))
        if board_filter.sites:
            parts.append(_("sites: {names}").format(names=", ".join(sorted(board_filter.sites))))
        if board_filter.queues:
            queues = self.app.state.queues
            names = sorted(queues[q].name if q in queues else q for q in board_filter.queues)
            parts.append(_("queues: {names}").format(names=", ".join(names)))
        line.update(_("⚑ FILTERED — {filters} — counters show these calls only "
                      "({key} clears)").format(filters=" · ".join(parts),
                                               key=self.app.key("board.clear_filters")))

    # -- sorting -------------------------------------------------------------------------
    def action_sort_next(self) -> None:
        table = self.table
        table.set_sort(table.sort_key.next(sites=table.sites), table.sort_reverse)
        self._update_header()

    def action_sort_reverse(self) -> None:
        table = self.table
        table.set_sort(table.sort_key, not table.sort_reverse)
        self._update_header()

    # -- copy ----------------------------------------------------------------------------
    def action_copy_client(self) -> None:
        self._copy(lambda call: call.client_number, _("This call has no client number."),
                   _("Copied the client number {number}"))

    def action_copy_business(self) -> None:
        self._copy(lambda call: call.business_number, _("This call has no business number."),
                   _("Copied the business number {number}"))

    def _copy(self, pick: Callable[[Call], str], missing: str, copied: str) -> None:
        call = self.table.cursor_call
        if call is None:
            self.notify(_("No call selected."), severity="warning", timeout=2)
            return
        number = pick(call)
        if not number:
            self.notify(missing, severity="warning", timeout=2)
            return
        self.app.copy_to_clipboard(number)
        shown = mask_number(number) if self.app.mask_numbers else number
        self.notify(copied.format(number=shown), timeout=2)

    # -- manager profile (SPEC 4) ----------------------------------------------------------
    def action_open_profile(self) -> None:
        from wallboard.ui.screens.profile import open_profile

        call = self.table.cursor_call
        if call is None or call.employee_id is None:
            what = (_("No call selected.") if call is None
                    else _("This call has no manager yet."))
            self.notify(what, severity="warning", timeout=2)
            return
        open_profile(self.app, call.employee_id)

    def action_managers(self) -> None:
        from wallboard.ui.screens.managers import ManagersScreen

        self.app.push_screen(ManagersScreen())

    # -- queues, agents and alerts ---------------------------------------------------------
    def action_queues(self) -> None:
        from wallboard.ui.screens.queues import QueuesScreen

        self.app.push_screen(QueuesScreen())

    def action_agents(self) -> None:
        from wallboard.ui.screens.agents import AgentsScreen

        self.app.push_screen(AgentsScreen())

    def action_alerts(self) -> None:
        from wallboard.ui.screens.alerts import AlertsScreen

        self.app.push_screen(AlertsScreen())


def department_label(department: str) -> str:
    return _("(no department)") if department == NO_DEPARTMENT else department
