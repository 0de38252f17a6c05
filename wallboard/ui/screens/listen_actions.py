"""The board's listen / coach / barge keys (SPEC 6, 7): ``l`` joins, ``w`` ``u`` ``e`` steer.

The workflow — the rules checked before anything is dialled, the audit trail, the calls to
the source — belongs to the service (:class:`~wallboard.service.ListenDesk`); this mixin
only asks it, in workers, and shows the answer. The session's progress comes back as
ListenChanged events in the LiveState, which :meth:`ListenActions.update_listen` shows in
the :class:`ListenBar`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.screen import Screen

from wallboard.core.format import mask_number
from wallboard.core.listen import ListenMode, ListenSession
from wallboard.core.models import Call
from wallboard.i18n import _
from wallboard.service import ListenDesk, ServiceError
from wallboard.ui.widgets.listen_bar import ListenBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

FINISHED_SHOWN = timedelta(seconds=15)
"""How long the bar keeps showing a session that ended or failed."""
SESSION_ACTIONS = frozenset({"listen_mode", "listen_mute", "listen_end"})


class ListenActions(Screen[None]):
    """Mixed into the board: its actions, key checks and the session bar."""

    app: WallboardApp
    _listen_keys_shown = False

    @property
    def _desk(self) -> ListenDesk:
        return self.app.service.listen

    def _active(self) -> ListenSession | None:
        return self._desk.active(self.app.supervisor)

    # -- l: join the selected call -------------------------------------------------------
    def action_listen(self) -> None:
        from wallboard.ui.screens.listen_confirm import ListenConfirmScreen  # on first use

        call = self.table.cursor_call  # type: ignore[attr-defined]
        if self._refuse(call):
            return
        assert call is not None
        app = self.app
        employee = app.state.employees[call.employee_id or ""]
        self.app.push_screen(
            ListenConfirmScreen(
                call,
                employee,
                self._client(call),
                app.clock,
                supervisor=app.supervisor.account if app.supervisor else "",
                modes=app.service.listen_modes,
                default=app.config.supervisor.default_mode,
                source_title=app.service.title,
            ),
            lambda mode: self._confirmed(call.id, mode),
        )

    def _confirmed(self, call_id: str, mode: ListenMode | None) -> None:
        if mode is None:
            return
        self._ask(self._desk.join(call_id, mode, self.app.actor))

    def _refuse(self, call: Call | None) -> bool:
        """Say why not (a toast and an audit line) and return True, or return False."""
        error = self._desk.check(call.id if call else None, self.app.actor)
        if error is None:
            return False
        self.notify(self.app.fill_keys(error.message), severity="warning", timeout=6)
        return True

    def _ask(self, request: Awaitable[object]) -> None:
        """Run a request to the service in a worker; a refusal or failure is one toast."""
        async def run() -> None:
            try:
                await request
            except ServiceError as exc:
                self.notify(self.app.fill_keys(exc.message), severity="error", timeout=8)

        self.run_worker(run(), group="listen", exit_on_error=False)

    # -- w / u / e: steer the running session ----------------------------------------------
    def action_listen_mode(self) -> None:
        session = self._active()
        if session is not None:
            new = ListenMode.COACH if session.mode is ListenMode.LISTEN else ListenMode.LISTEN
            self._ask(self._desk.change(session.id, self.app.actor, mode=new))

    def action_listen_mute(self) -> None:
        session = self._active()
        if session is not None:
            self._ask(self._desk.change(session.id, self.app.actor, muted=not session.muted))

    def action_listen_end(self) -> None:
        session = self._active()
        if session is not None:
            self._ask(self._desk.stop(session.id, self.app.actor))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """w / u / e appear (footer, help, palette) only while a session runs."""
        if action in SESSION_ACTIONS:
            return self._active() is not None
        return super().check_action(action, parameters)

    # -- the bar -----------------------------------------------------------------------
    def update_listen(self, now: datetime) -> None:
        """Show the running (or just finished) session; refresh the keys when it changes.

        ``now``: the frame's one clock reading."""
        app = self.app
        session = self._active()
        mine = [s for s in app.state.listen_sessions.values()
                if app.supervisor is None or s.supervisor == app.supervisor.account]
        if session is None and mine:
            last = mine[-1]  # (through a feed, other supervisors' sessions are not ours)
            if last.ended_at is None or now - last.ended_at <= FINISHED_SHOWN:
                session = last
        bar = self.query_one(ListenBar)
        if session is None:
            bar.show(None, now)
        else:
            employee = app.state.employees.get(session.employee_id or "")
            call = app.state.calls.get(session.call_id)
            client = self._client(call) if call else None
            bar.show(session, now, employee.name if employee else _("unknown manager"), client,
                     self._hints(session))
        running = self._active() is not None
        if running != self._listen_keys_shown:
            self._listen_keys_shown = running
            self.refresh_bindings()

    def _hints(self, session: ListenSession) -> str:
        """``w coach · u mute · e end``, with the keys as remapped."""
        if session.state.finished:
            return ""
        return self.app.key_hints(
            ("listen.mode", _("coach") if session.mode is ListenMode.LISTEN else _("listen")),
            ("listen.mute", _("unmute") if session.muted else _("mute")),
            ("listen.end", _("end")),
        )

    def _client(self, call: Call) -> str:
        number = call.client_number
        return mask_number(number) if number and self.app.mask_numbers else number

