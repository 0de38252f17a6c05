"""The alerts screen (``!``): the alerts active now and the recent ones; a key acknowledges
the selected alert, which stops its bell (recorded with who acknowledged it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from wallboard.core.alerts import LEVEL_WORDS, Alert, AlertChange, Level
from wallboard.core.format import format_duration
from wallboard.i18n import N_, _, counted, say
from wallboard.ui.keys import APP_KEYS
from wallboard.ui.screens.live import LiveScreen
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

LEVEL_STYLE = {Level.WARNING: ("bold $warning", "▲"), Level.CRITICAL: ("bold $text on $error", "■")}


def level_mark(level: Level) -> str:
    """``▲ warning`` in the level's colours, as wide as the widest level's word so the
    alerts' times line up."""
    style, glyph = LEVEL_STYLE[level]
    width = max(cell_len(_(word)) for word in LEVEL_WORDS.values())
    word = _(LEVEL_WORDS[level])
    return f"[{style}]{glyph} {escape(word)}[/]" + " " * (width - cell_len(word))


class AlertsScreen(LiveScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="alerts.close"),
        Binding("enter", "acknowledge", N_("Acknowledge"), id="alerts.acknowledge",
                priority=True),
        *APP_KEYS,
    ]

    app: WallboardApp

    def __init__(self) -> None:
        super().__init__(id="alerts-screen")
        self._stop = lambda: None

    def compose(self) -> ComposeResult:
        yield TopBar(self.app.source.title, id="topbar")
        yield Label("", id="alerts-title")
        yield OptionList(id="alerts-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        super().on_mount()
        desk = self.app.service.alerts
        if desk is not None:
            self._stop = desk.subscribe(self._changed)
        self.query_one(OptionList).focus()
        self.update_view()

    def on_unmount(self) -> None:
        self._stop()

    def _changed(self, changes: list[AlertChange]) -> None:
        self.update_view()

    def update_view(self) -> None:
        app = self.app
        desk = app.service.alerts
        items = self.query_one(OptionList)
        title = self.query_one("#alerts-title", Label)
        if desk is None:
            title.update(_("No alert rules: add [[alerts]] to the configuration "
                           "(docs/queues.md)."))
            items.clear_options()
            self.show_topbar(_("Alerts"))
            return
        engine = desk.engine
        now = self.frame.now()
        active = sorted(engine.active.values(),
                        key=lambda a: (-a.level.rank, a.acknowledged_at is not None,
                                       a.started_at))
        ringing = sum(a.ringing for a in active)
        title.update(_("{active} ({unacknowledged}) · {recent} · {key} acknowledges the "
                       "selected alert").format(
            active=counted(len(active), "{n} active", "{n} active"),
            unacknowledged=counted(ringing, "{n} unacknowledged", "{n} unacknowledged"),
            recent=counted(len(engine.recent), "{n} recent", "{n} recent"),
            key=app.key("alerts.acknowledge")))
        options = [Option(self._line(a, now), id=f"active:{a.id}") for a in active]
        options += [Option(self._line(a, now), id=f"recent:{n}", disabled=True)
                    for n, a in enumerate(engine.recent)]
        highlighted = items.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        if [str(o.prompt) for o in options] != [str(o.prompt) for o in items.options]:
            items.set_options(options)
            ids = [o.id for o in options]
            if keep in ids:
                items.highlighted = ids.index(keep)
            elif options and not options[0].disabled:
                items.highlighted = 0
        self.show_topbar(_("Alerts"))

    def _line(self, alert: Alert, now: object) -> str:
        start = alert.started_at.astimezone(self.app.zone).strftime("%H:%M:%S")
        if alert.ended_at is not None:
            lasted = format_duration((alert.ended_at - alert.started_at).total_seconds())
            state = _("ended, lasted {time}").format(time=lasted)
        elif alert.acknowledged_at is not None:
            state = _("acknowledged by {name}").format(
                name=escape(alert.acknowledged_by or "?"))
        elif alert.quiet:
            state = _("quiet hours")
        else:
            state = "[b]" + _("ringing") + "[/b]"
        return f"{level_mark(alert.level)}  {start}  {escape(say(alert.message))} — {state}"

    def tick(self) -> None:
        self.show_topbar(_("Alerts"))

    def action_acknowledge(self) -> None:
        desk = self.app.service.alerts
        option = self.query_one(OptionList).highlighted_option
        if desk is None or option is None or not str(option.id).startswith("active:"):
            return
        alert_id = str(option.id).removeprefix("active:")
        if desk.acknowledge(alert_id, self.app.actor.name) is not None:
            self.notify(_("Alert acknowledged: its bell stops."), timeout=3)

    def action_close(self) -> None:
        if self.is_active:
            self.dismiss()
