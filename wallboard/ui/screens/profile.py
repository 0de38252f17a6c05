"""The manager profile (SPEC 4): a panel that slides in from the right over the board.

The history comes from the source in a worker and crosses into the panel as a message.
It is fetched once for the longest period, so switching the period only re-aggregates;
while the panel is open the recent part is fetched again now and then and spliced in, and
the accounts' live statuses follow the board's state.

One panel is installed per app and reused (:func:`open_profile`): composing, styling and
mounting its widgets, and the screen's first layout over the board, happen once, not on
every open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.scalar import ScalarOffset
from textual.geometry import Region
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, Tab, Tabs

from wallboard.core.format import format_duration
from wallboard.core.history import ManagerHistory
from wallboard.core.models import Employee
from wallboard.core.profile import Period, Profile, build_profile, period_bounds, splice_history
from wallboard.i18n import N_, _, current, say
from wallboard.service import ServiceError
from wallboard.ui.keys import APP_KEYS, ARROWS
from wallboard.ui.screens.modal import Modal
from wallboard.ui.widgets.calls_chart import CallsByDay
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.status_look import shown_statuses, status_markup
from wallboard.ui.widgets.timeline import StatusTimeline, day_label

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

REFRESH_SECONDS = 60.0
"""How often the recent history is fetched again while the panel is open."""
REFRESH_OVERLAP = timedelta(minutes=10)
SLIDE_SECONDS = 0.2
INSTALLED_NAME = "profile"
"""The name of the app's one reusable profile panel (``App.install_screen``)."""


@dataclass
class HistoryLoaded(Message):
    history: ManagerHistory
    partial: bool = False
    """A refresh of the recent part, to be spliced into what is known."""


@dataclass
class HistoryFailed(Message):
    employee_id: str
    message: str


def tab_id(period: Period) -> str:
    return f"period-{period.value}"


def open_profile(app: WallboardApp, employee_id: str,
                 period: Period = Period.TODAY) -> ProfileScreen:
    """Show the profile of ``employee_id``: the app's installed panel, reused.

    Falls back to a new panel if the installed one is already on the screen stack.
    """
    if app.is_screen_installed(INSTALLED_NAME):
        screen = app.get_screen(INSTALLED_NAME, ProfileScreen)
        if screen in app.screen_stack:
            screen = ProfileScreen(employee_id, period)
        else:
            screen.show_manager(employee_id, period)
    else:
        screen = ProfileScreen(employee_id, period)
        app.install_screen(screen, INSTALLED_NAME)
    app.push_screen(screen)
    return screen


class ProfileScreen(Modal[None]):
    """One manager: accounts, period summary, calls by day, time in statuses by day."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="profile.close"),
        Binding("1", "period('today')", N_("Today"), id="profile.today"),
        Binding("2", "period('3d')", N_("3 days"), id="profile.last_3_days"),
        Binding("3", "period('7d')", N_("7 days"), id="profile.last_7_days"),
        Binding("g", "call_log", N_("Call log"), id="profile.call_log"),
        Binding("t", "details", N_("Details"), id="profile.details"),
        *APP_KEYS,
        # the arrows walk the days (or a day's intervals) wherever the focus is: the
        # panel scrolls to follow them, it is not scrolled by them
        Binding("up,left", "move(-1)", N_("Previous day"), show=False),
        Binding("down,right", "move(1)", N_("Next day"), show=False),
        Binding("home", "move(-100000)", N_("First day"), show=False),
        Binding("end", "move(100000)", N_("Last day"), show=False),
        Binding("pageup", "page(-1)", N_("Scroll up"), show=False),
        Binding("pagedown", "page(1)", N_("Scroll down"), show=False),
    ]

    AUTO_FOCUS = "#profile-timeline"
    app: WallboardApp

    def __init__(self, employee_id: str, period: Period = Period.TODAY) -> None:
        super().__init__()
        self.employee_id = employee_id
        self.period = period
        self.history: ManagerHistory | None = None
        self.profile: Profile | None = None
        self.error: str | None = None
        self._state_version = -1
        self._slide_pending = True
        self._refreshers: list[Timer] = []

    def show_manager(self, employee_id: str, period: Period = Period.TODAY) -> None:
        """Make the panel (not on screen now) show ``employee_id`` when pushed again."""
        self.employee_id = employee_id
        self.period = period
        self.history = self.profile = self.error = None
        self._state_version = -1
        self._slide_pending = True
        if self.is_mounted:
            self._open()

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        keys = self.app.key
        with VerticalScroll(id="profile-panel", can_focus=False):
            yield Static(id="profile-who")
            yield Tabs(*(Tab(_(p.label), id=tab_id(p)) for p in Period),
                       active=tab_id(self.period), id="profile-period")
            yield Static(id="profile-status")
            with Vertical(id="profile-body"):
                yield Static(id="profile-summary")
                yield Static(_("[b]Calls by day[/b]  [dim]({key}: call log of the "
                               "period)[/dim]").format(key=keys("profile.call_log")),
                             classes="profile-heading")
                yield CallsByDay(id="profile-calls")
                yield Static(_("[b]Time in statuses by day[/b]  [dim]({arrows} day · {key} "
                               "details)[/dim]").format(arrows=ARROWS,
                                                        key=keys("profile.details")),
                             classes="profile-heading")
                yield StatusTimeline(id="profile-timeline", close_hint=_(
                    "arrows walk them, {details} or {close} closes").format(
                        details=keys("profile.details"), close=keys("profile.close")))
        yield KeysFooter()

    @property
    def employee(self) -> Employee | None:
        return self.app.state.employees.get(self.employee_id)

    @property
    def timeline(self) -> StatusTimeline:
        return self.query_one(StatusTimeline)

    def on_mount(self) -> None:
        self.query_one("#profile-period", Tabs).can_focus = False
        self._refreshers = [self.set_interval(1.0, self._tick),
                            self.set_interval(REFRESH_SECONDS, self.refresh_recent)]
        self._open()

    def _open(self) -> None:
        """Start over for ``employee_id``: who, "loading", then the history in a worker."""
        self.query_one("#profile-body").display = False
        self.query_one("#profile-period", Tabs).active = tab_id(self.period)
        self.timeline.clear()
        self.query_one("#profile-panel", VerticalScroll).scroll_home(animate=False)
        self._show_who()
        name = self.employee.name if self.employee else self.employee_id
        self._status(_("Loading the history of {manager}…").format(manager=name))
        self._load(partial=False)

    def on_screen_resume(self) -> None:
        for timer in self._refreshers:
            timer.resume()
        if self._slide_pending:  # opened, not uncovered by the call log closing
            self._slide_pending = False
            self._slide_in()

    def on_screen_suspend(self) -> None:
        """Hidden (closed, or under the call log): nobody is looking, so no refreshes."""
        for timer in self._refreshers:
            timer.pause()

    def _slide_in(self) -> None:
        """From the right edge into place; an inline style, so nothing else is restyled."""
        if self.app.animation_level == "none":
            return
        panel = self.query_one("#profile-panel")
        panel.styles.offset = (self.app.size.width, 0)
        # Textual animates a ScalarOffset, though animate()'s annotation leaves it out
        panel.styles.animate("offset", ScalarOffset.from_offset((0, 0)),  # type: ignore[arg-type]
                             duration=SLIDE_SECONDS, easing="in_out_cubic")

    # -- loading (I/O in a worker; the result comes back as a message) -----------------------
    def refresh_recent(self) -> None:
        """Fetch the last minutes again and splice them in (today's bar grows)."""
        self._load(partial=True)

    def _load(self, partial: bool) -> None:
        now = self.app.clock.now()
        start = period_bounds(Period.LAST_7_DAYS, now, self.app.zone)[0]
        if partial and self.history is not None:
            start = max(start, self.history.end - REFRESH_OVERLAP)
        self.run_worker(self._fetch(self.employee_id, start, now, partial), group="history",
                        exclusive=not partial, exit_on_error=False)

    async def _fetch(self, employee_id: str, start: datetime, end: datetime,
                     partial: bool) -> None:
        try:
            history = await self.app.service.history(employee_id, start, end)
        except ServiceError as exc:
            if not partial:
                self.post_message(HistoryFailed(employee_id, say(exc.message)))
            return
        self.post_message(HistoryLoaded(history, partial))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        if message.history.employee_id != self.employee_id:
            return  # fetched for the manager shown before
        if message.partial:
            if self.history is None:
                return
            self.history = splice_history(self.history, message.history)
        else:
            self.history = message.history
        self.error = None
        self._status("")
        self.query_one("#profile-body").display = True
        self._rebuild()
        self.timeline.focus(scroll_visible=False)

    def on_history_failed(self, message: HistoryFailed) -> None:
        if message.employee_id != self.employee_id:
            return
        self.error = message.message
        self._status(message.message, error=True)

    # -- drawing ------------------------------------------------------------------------------
    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#profile-status", Static)
        status.display = bool(text)
        status.set_class(error, "-error")
        status.update(text)

    def _show_who(self) -> None:
        employee = self.employee
        who = self.query_one("#profile-who", Static)
        if employee is None:
            gone = _("(no longer on the board)")
            who.update(f"[b]{self.employee_id}[/b]  [dim]{gone}[/dim]")
            return
        department = employee.department or _("no department")
        now = _("now")
        lines = [f"[b]{employee.name}[/b]  ·  {department}"
                 f"    {now} {status_markup(employee.status)}"]
        for account in employee.accounts:
            lines.append(f"  {account.id:<14} {account.number or '—':<8} "
                         f"{account.user_agent or '':<16} {status_markup(account.status)}")
        if not employee.accounts:
            none = _("no SIP accounts")
            lines.append(f"  [dim]{none}[/dim]")
        who.update("\n".join(lines))

    def _rebuild(self) -> None:
        if self.history is None:
            return
        app = self.app
        self.profile = build_profile(self.history, self.period, app.clock.now(), app.zone)
        self.query_one("#profile-summary", Static).update(self._summary_text(self.profile))
        self.query_one(CallsByDay).show(self.profile.days)
        self.timeline.show(self.profile.days, app.zone)

    def _summary_text(self, profile: Profile) -> str:
        s = profile.summary
        words = current()
        number = words.number
        first, last = profile.days[0].day, profile.days[-1].day
        span = day_label(last) if first == last else f"{day_label(first)} – {day_label(last)}"
        short = ""
        if s.short_rings:
            short = " · " + _("not missed: {count} rang 5 s or less").format(
                count=number(s.short_rings))
        statuses = "  ".join(
            f"{status_markup(st)} {words.hours(s.status_seconds[st])}"
            for st in shown_statuses(s.status_seconds))
        return "\n".join((
            f"[b]{_(profile.period.label)}[/b]  {span}",
            _("Calls handled [b]{handled}[/b]: incoming {incoming} · outgoing {outgoing}").format(
                handled=number(s.handled), incoming=number(s.incoming),
                outgoing=number(s.outgoing)),
            _("Missed [b]{missed}[/b] (rang more than 5 s)").format(missed=number(s.missed))
            + short,
            _("Talk time [b]{total}[/b] · average talk [b]{talk}[/b] · average answer "
              "[b]{answer}[/b]").format(total=words.hours(s.talk_seconds),
                                        talk=format_duration(s.average_talk),
                                        answer=format_duration(s.average_answer)),
            _("Time in status:"),
            f"  {statuses}",
        ))

    def _tick(self) -> None:
        """Follow the live state: the accounts' statuses change with the board."""
        version = self.app.state.version
        if version != self._state_version:
            self._state_version = version
            self._show_who()

    # -- actions -------------------------------------------------------------------------------
    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is not None and event.tab.id:
            self.set_period(Period(event.tab.id.removeprefix("period-")))

    def action_period(self, value: str) -> None:
        self.query_one("#profile-period", Tabs).active = tab_id(Period(value))
        self.set_period(Period(value))

    def set_period(self, period: Period) -> None:
        if period is not self.period or self.profile is None:
            self.period = period
            self._rebuild()

    def on_status_timeline_cursor_moved(self, message: StatusTimeline.CursorMoved) -> None:
        """Keep the selected day or interval on screen (the panel scrolls on 80x24)."""
        panel = self.query_one("#profile-panel", VerticalScroll)
        timeline = self.timeline
        y = timeline.region.y - panel.content_region.y + round(panel.scroll_y) + message.line
        panel.scroll_to_region(Region(0, y, 1, 1), animate=False)

    def action_details(self) -> None:
        if self.profile is not None:
            self.timeline.toggle_details()

    def action_move(self, delta: int) -> None:
        self.timeline.action_move(delta)

    def action_page(self, pages: int) -> None:
        panel = self.query_one("#profile-panel", VerticalScroll)
        panel.scroll_to(y=panel.scroll_y + pages * max(1, panel.size.height - 2), animate=False)

    def action_call_log(self) -> None:
        from wallboard.ui.screens.call_log import CallLogScreen

        now = self.app.clock.now()
        start, end = period_bounds(self.period, now, self.app.zone)
        name = self.employee.name if self.employee else self.employee_id
        self.app.push_screen(CallLogScreen(self.employee_id, name, self.period, start, end))

    def action_close(self) -> None:
        """Escape closes the interval details first, then the panel."""
        if self.timeline.details:
            self.timeline.toggle_details()
        else:
            self.dismiss(None)

