"""The call log of one manager for a period: every call, newest first, with recordings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from wallboard.core.format import format_duration, mask_number
from wallboard.core.history import CallRecord
from wallboard.core.models import CallType
from wallboard.core.profile import Period
from wallboard.i18n import N_, _, counted, current, say
from wallboard.service import ServiceError
from wallboard.ui.screens.modal import Page
from wallboard.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

COLUMNS = (N_("Date and time"), N_("Type"), N_("Client"), N_("Waiting"), N_("Talk"),
           N_("Outcome"), N_("Recording"))
CALL_TYPES = {
    CallType.INCOMING: N_("incoming"),
    CallType.OUTGOING: N_("outgoing"),
    CallType.CALLBACK: N_("callback"),
}


def outcome_text(call: CallRecord) -> str:
    if call.answered_at is not None:
        return _("answered")
    return _("missed") if call.missed else _("unanswered ≤5 s")


def wait_text(seconds: float) -> str:
    """Tenths under a minute, so the 5-second missed-call boundary reads exactly."""
    if seconds < 60:
        return _("{seconds} s").format(seconds=current().decimal(seconds, 1))
    return format_duration(seconds)


@dataclass
class CallLogLoaded(Message):
    calls: list[CallRecord]


@dataclass
class CallLogFailed(Message):
    message: str


class CallLogScreen(Page[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back to profile"), id="call_log.close"),
        Binding("c", "copy_recording", N_("Copy recording link"),
                id="call_log.copy_recording"),
    ]

    app: WallboardApp

    def __init__(self, employee_id: str, name: str, period: Period,
                 start: datetime, end: datetime) -> None:
        super().__init__()
        self.employee_id = employee_id
        self.manager_name = name
        self.period = period
        self.start, self.end = start, end
        self.calls: list[CallRecord] = []
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Static(id="call-log-title")
        yield Static(id="call-log-status")
        yield DataTable(id="call-log", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        zone = self.app.zone
        words = current()
        first = words.day(self.start.astimezone(zone).date())
        last = words.day_time(self.end.astimezone(zone))
        self._title = _("[b]Call log — {manager}[/b]  ·  {period} ({first} – {last})").format(
            manager=self.manager_name, period=_(self.period.label), first=first, last=last)
        self.query_one("#call-log-title", Static).update(self._title)
        table = self.query_one(DataTable)
        table.add_columns(*(_(title) for title in COLUMNS))
        table.display = False
        self._status(_("Loading the calls of {manager}…").format(manager=self.manager_name))
        self.run_worker(self._fetch(), group="call-log", exclusive=True, exit_on_error=False)
        table.focus()

    async def _fetch(self) -> None:
        try:
            calls = await self.app.service.call_log(self.employee_id, self.start, self.end)
        except ServiceError as exc:
            self.post_message(CallLogFailed(say(exc.message)))
        else:
            self.post_message(CallLogLoaded(calls))

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#call-log-status", Static)
        status.display = bool(text)
        status.set_class(error, "-error")
        status.update(text)

    def on_call_log_failed(self, message: CallLogFailed) -> None:
        self._status(message.message, error=True)

    def on_call_log_loaded(self, message: CallLogLoaded) -> None:
        app = self.app
        words = current()
        self.calls = sorted(message.calls, key=lambda c: (c.started_at, c.id), reverse=True)
        table = self.query_one(DataTable)
        table.clear()
        for call in self.calls:
            client = mask_number(call.client_number) if app.mask_numbers else call.client_number
            table.add_row(
                words.day_time(call.started_at.astimezone(app.zone), seconds=True),
                _(CALL_TYPES[call.type]),
                client or "—",
                wait_text(call.ring_seconds),
                format_duration(call.talk_seconds) if call.answered_at else "—",
                outcome_text(call),
                call.recording_url or "—",
                key=call.id,
            )
        table.display = True
        answered = sum(c.answered_at is not None for c in self.calls)
        missed = sum(c.missed for c in self.calls)
        self._status("" if self.calls else _("No calls in this period."))
        totals = " · ".join((counted(len(self.calls), "{n} call", "{n} calls"),
                             counted(answered, "{n} answered", "{n} answered"),
                             counted(missed, "{n} missed", "{n} missed")))
        self.query_one("#call-log-title", Static).update(f"{self._title}   [dim]{totals}[/dim]")

    @property
    def selected(self) -> CallRecord | None:
        table = self.query_one(DataTable)
        if not self.calls or table.cursor_row < 0 or table.cursor_row >= len(self.calls):
            return None
        return self.calls[table.cursor_row]

    def action_copy_recording(self) -> None:
        call = self.selected
        if call is None:
            self.notify(_("No call selected."), severity="warning", timeout=2)
            return
        if not call.recording_url:
            self.notify(_("This call has no recording."), severity="warning", timeout=2)
            return
        self.app.copy_to_clipboard(call.recording_url)
        self.notify(_("Copied the recording link {url}").format(url=call.recording_url),
                    timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
