"""Wall-TV mode: big counters readable across a room, the live table, no cursor.

Read-only: the only keys are quit and, if configured, an unlock key. Pages (all calls,
one per department, one per site, the longest waiting, every queue's figures, the agents
grid) rotate on a timer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Digits, Label

from wallboard.core.agents import AgentSort, agent_rows
from wallboard.core.counters import compute_counters
from wallboard.core.view import BoardFilter, SortKey, describe_sort
from wallboard.i18n import _, say
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.agents_grid import AgentsGrid
from wallboard.ui.widgets.call_table import CallTable
from wallboard.ui.widgets.counters import (
    COUNTERS,
    NO_FIGURE,
    alert_levels,
    counter_id,
    counter_key,
    counter_label,
    counter_texts,
    set_alert,
)
from wallboard.ui.widgets.queue_table import QueueTable
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


@dataclass(frozen=True)
class Page:
    title: str
    board_filter: BoardFilter
    sort_key: SortKey = SortKey.STARTED
    reverse: bool = False
    kind: str = "calls"
    """calls, queues or agents: what the page shows under the counters."""


def kiosk_pages(names: Sequence[str], departments: Sequence[str],
                sites: Sequence[str] = ()) -> list[Page]:
    """The configured pages, in order; 'departments' expands to one page per department,
    'sites' to one per site of a board over several (none on a single site)."""
    pages: list[Page] = []
    for name in names:
        if name == "all":
            pages.append(Page(_("All calls"), BoardFilter()))
        elif name == "departments":
            pages.extend(Page(d, BoardFilter(departments=frozenset({d}))) for d in departments)
        elif name == "sites":
            pages.extend(Page(site, BoardFilter(sites=frozenset({site}))) for site in sites)
        elif name == "longest_waiting":
            pages.append(Page(_("Longest waiting"), BoardFilter(), SortKey.WAITING))
        elif name == "queues":
            pages.append(Page(_("Queues"), BoardFilter(), kind="queues"))
        elif name == "agents":
            pages.append(Page(_("Agents"), BoardFilter(), kind="agents"))
    return pages or [Page(_("All calls"), BoardFilter())]


class BigCounter(Vertical):
    """A counter in big digits with its label under it."""

    def __init__(self, label: str, key: str) -> None:
        super().__init__(id=counter_id(key), classes="big-counter")
        self.label = label
        self.value = ""

    def compose(self) -> ComposeResult:
        yield Digits("", classes="big-counter--value")
        yield Label(self.label, classes="big-counter--label")

    def show(self, value: str, level: str) -> None:
        set_alert(self, level)
        if value != self.value:
            self.value = value
            # big digits have a hyphen, not the dash that stands for "no figure yet"
            self.query_one(Digits).update(value.replace(NO_FIGURE, "-"))


class KioskScreen(LiveScreen):
    """The board for a TV on the wall."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    app: WallboardApp

    def __init__(self) -> None:
        super().__init__(id="kiosk")
        self.pages: list[Page] = []
        self.page_index = 0

    def compose(self) -> ComposeResult:
        app = self.app
        yield TopBar(app.source.title, id="topbar")
        with Grid(id="big-counters"):
            for key, label in COUNTERS:
                yield BigCounter(counter_label(label), key)
        yield CallTable(
            app.state,
            self.frame,
            mask_numbers=app.mask_numbers,
            wait_warning=app.config.ui.wait_warning_seconds,
            show_cursor=False,
            waiting_first=True,
            id="calls",
        )
        yield QueueTable(id="kiosk-queues")
        yield AgentsGrid(self.frame, show_cursor=False, id="kiosk-agents")

    @property
    def table(self) -> CallTable:
        return self.query_one(CallTable)

    def on_mount(self) -> None:
        self.set_interval(self.app.config.ui.kiosk_page_seconds, self.next_page)
        self._build_pages()
        self._show_page()

    def _build_pages(self) -> None:
        state = self.app.state
        self.pages = kiosk_pages(self.app.config.ui.kiosk_pages, state.departments(),
                                 state.sites())

    def next_page(self) -> None:
        self._build_pages()  # departments and sites come and go
        self.page_index = (self.page_index + 1) % len(self.pages)
        self._show_page()

    def _show_page(self) -> None:
        page = self.pages[self.page_index % len(self.pages)]
        table = self.table
        table.board_filter = page.board_filter
        table.display = page.kind == "calls"
        self.query_one(QueueTable).display = page.kind == "queues"
        self.query_one(AgentsGrid).display = page.kind == "agents"
        self._empty_message()
        table.set_sort(page.sort_key, page.reverse)
        self._update_page()
        self._update_header()

    def _update_page(self) -> None:
        """The queues or agents of the page on screen (the calls table updates itself)."""
        app = self.app
        kind = self.page.kind
        waiting = self.not_synced_text()
        if kind == "queues":
            queues = self.query_one(QueueTable)
            queues.empty_message = waiting or _("{source} has no queues.").format(
                source=say(app.source.title))
            view = app.queue_view(self.frame.now()) if app.state.synced else None
            queues.show(view, app.alert_engine, day=True)
        elif kind == "agents":
            grid = self.query_one(AgentsGrid)
            grid.empty_message = waiting or _("No agents.")
            rows = [] if waiting else agent_rows(app.state, BoardFilter(), AgentSort.STATE,
                                                 False)
            grid.show(rows, app.alert_engine)

    @property
    def page(self) -> Page:
        return self.pages[self.page_index % len(self.pages)]

    def tick(self) -> None:
        self.table.tick()
        if self.page.kind != "calls":
            self._update_page()
        if self.page.kind == "agents":
            self.query_one(AgentsGrid).tick()
        self._update_header()

    def update_view(self) -> None:
        self._empty_message()
        self.table.update_rows()
        if self.page.kind != "calls":
            self._update_page()
        self._update_header()

    def _empty_message(self) -> None:
        page = self.page
        waiting = self.not_synced_text()
        everything = not page.board_filter.active
        self.table.set_empty_message(
            waiting if waiting is not None
            else _("No active calls right now.") if everything
            else _("No active calls in {page} right now.").format(page=page.title))

    def _update_header(self) -> None:
        app = self.app
        counters = (compute_counters(self.table.rows, self.frame.now()) if app.state.synced
                    else None)
        texts = counter_texts(counters)
        levels = alert_levels(counters, app.config.ui.thresholds) if counters else {}
        for counter in self.query(BigCounter):
            key = counter_key(counter)
            counter.show(texts[key], levels.get(key, ""))
        page = self.page
        note = page.title
        if len(self.pages) > 1:
            note += f" ({self.page_index % len(self.pages) + 1}/{len(self.pages)})"
        if page.sort_key is not SortKey.STARTED:
            note += f" · {say(describe_sort(page.sort_key, page.reverse))}"
        self.show_topbar(note)
