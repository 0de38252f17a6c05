"""Confirm pausing an agent (with a reason) or unpausing them: who, in which state since
when; the same confirmation as joining a call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from wallboard.core.clock import Clock
from wallboard.core.format import format_duration
from wallboard.core.models import Employee
from wallboard.core.queues import Agent, AgentState
from wallboard.i18n import N_, _
from wallboard.ui.keys import APP_KEYS, ARROWS
from wallboard.ui.screens.modal import Modal, first_highlighted
from wallboard.ui.widgets.queue_look import pause_reason, state_name

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


class PauseConfirmScreen(Modal[str | None]):
    """Returns the chosen reason (enter; "" to unpause), or None (escape)."""

    BINDINGS = [
        Binding("enter", "confirm", N_("Confirm"), id="pause_confirm.confirm"),
        Binding("escape", "cancel", N_("Cancel"), id="pause_confirm.cancel"),
        *APP_KEYS,
    ]

    app: WallboardApp

    def __init__(self, employee: Employee, agent: Agent, reasons: Sequence[str],
                 clock: Clock) -> None:
        super().__init__()
        self.employee = employee
        self.agent = agent
        self.reasons = list(reasons)
        self.clock = clock
        self.unpause = agent.state is AgentState.PAUSED

    def compose(self) -> ComposeResult:
        name = self.employee.name
        with Vertical(id="pause-confirm"):
            title = (_("Unpause {name}?") if self.unpause else _("Pause {name}?")).format(
                name=name)
            yield Label(title, id="pause-confirm-title")
            yield Static(self._details(), id="pause-confirm-details")
            if not self.unpause:
                yield first_highlighted(OptionList(
                    *(Option(pause_reason(reason), id=reason) for reason in self.reasons),
                    id="pause-confirm-reasons"))
            verb = _("unpauses") if self.unpause else _("pauses")
            hints = self.app.key_hints(("pause_confirm.confirm", verb),
                                       ("pause_confirm.cancel", _("cancels")))
            yield Label(hints if self.unpause else _("{arrows} reason · {keys}").format(
                arrows=ARROWS, keys=hints), id="pause-confirm-hint")

    def _details(self) -> Text:
        agent = self.agent
        state = state_name(agent.state) + (f" ({pause_reason(agent.reason)})"
                                           if agent.reason else "")
        since = format_duration((self.clock.now() - agent.since).total_seconds())
        rows = [(_("Agent"), self.employee.name + (f" · {self.employee.department}"
                                                     if self.employee.department else "")),
                (_("Now"), _("{state} for {time}").format(state=state, time=since))]
        if not self.unpause and agent.state.busy:
            rows.append((_("Note"), _("the pause starts after the current call")))
        width = max(8, *(cell_len(label) + 1 for label, _value in rows))
        text = Text()
        for n, (label, value) in enumerate(rows):
            text.append(f"{label:<{width}}", "dim")
            text.append(value, "bold")
            if n < len(rows) - 1:
                text.append("\n")
        return text

    def on_mount(self) -> None:
        if not self.unpause:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(str(event.option.id))

    def action_confirm(self) -> None:
        if self.unpause:
            self.dismiss("")
            return
        reasons = self.query_one(OptionList)
        option = reasons.highlighted_option
        if option is not None:
            self.dismiss(str(option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
