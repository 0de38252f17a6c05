"""Alerts that reach a supervisor through the terminal itself: the bell, and desktop
notifications by OSC 9 or OSC 777 — plain escape sequences, so they work over SSH, and
through tmux when wrapped for its passthrough (docs/queues.md).

The bell rings when an alert fires or escalates and again every ``bell_repeat_seconds``
while any alert is unacknowledged (outside its rule's quiet hours); acknowledging it in
the alerts screen stops it. A desktop notification goes out once per fire or escalation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.markup import escape

from wallboard.config_queues import NotificationsConfig
from wallboard.core.alerts import AlertChange, Change, Level
from wallboard.i18n import _, say

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def osc9(text: str) -> str:
    """iTerm2's notification (also WezTerm, Windows Terminal, kitty, foot, Ghostty)."""
    return f"\x1b]9;{CONTROL.sub(' ', text)}\x07"


def osc777(title: str, body: str) -> str:
    """rxvt-unicode's notify extension (also VTE terminals, Ghostty, WezTerm)."""
    clean_title = CONTROL.sub(" ", title).replace(";", ",")
    return f"\x1b]777;notify;{clean_title};{CONTROL.sub(' ', body)}\x07"


def for_tmux(sequence: str) -> str:
    """``sequence`` in tmux's DCS passthrough (needs ``allow-passthrough on``, tmux 3.3+):
    tmux hands it to the terminal it runs in instead of swallowing it."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def notification(text: str, settings: NotificationsConfig,
                 environ: Mapping[str, str] | None = None) -> str:
    """The escape sequences of one desktop notification, as configured ("" for none)."""
    environ = os.environ if environ is None else environ
    parts = []
    if settings.desktop in ("osc9", "both"):
        parts.append(osc9(f"wallboard: {text}"))
    if settings.desktop in ("osc777", "both"):
        parts.append(osc777("wallboard", text))
    tmux = settings.tmux == "on" or (settings.tmux == "auto" and bool(environ.get("TMUX")))
    return "".join(for_tmux(p) if tmux else p for p in parts)


class TerminalAlerts:
    def __init__(self, app: WallboardApp, settings: NotificationsConfig) -> None:
        self.app = app
        self.settings = settings
        self.rung = 0
        self.notified = 0
        self._stop = lambda: None

    def attach(self) -> None:
        desk = self.app.service.alerts
        if desk is None:
            return
        self._stop = desk.subscribe(self.on_changes)
        self.app.set_interval(self.settings.bell_repeat_seconds, self._repeat)

    def detach(self) -> None:
        self._stop()

    def on_changes(self, changes: list[AlertChange]) -> None:
        for change in changes:
            alert = change.alert
            if change.notifies:
                self._ring()
                message = say(alert.message)
                self._desktop(message)
                template = (_("⚠ {alert} — {key} lists alerts") if change.change is Change.FIRED
                            else _("⚠ worse: {alert} — {key} lists alerts"))
                self.app.notify(template.format(alert=escape(message),
                                                key=self.app.key("board.alerts")),
                                severity="error" if alert.level is Level.CRITICAL
                                else "warning", timeout=8)

    def _repeat(self) -> None:
        desk = self.app.service.alerts
        if desk is not None and desk.engine.ringing:
            self._ring()

    def _ring(self) -> None:
        if self.settings.bell:
            self.rung += 1
            self.app.bell()

    def _desktop(self, text: str) -> None:
        sequence = notification(text, self.settings)
        if not sequence:
            return
        # Textual has no public call for a raw sequence; it writes its own OSC 52 (the
        # clipboard) through the driver, and so do we. Headless: nothing to write to.
        driver = getattr(self.app, "_driver", None)
        if driver is not None and not self.app.is_headless:
            self.notified += 1
            driver.write(sequence)
