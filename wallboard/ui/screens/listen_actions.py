"""The board's listen / coach / barge keys (SPEC 6, 7): ``l`` joins, ``w`` ``u`` ``e`` steer.

The rules (core :func:`listen_refusal`) are checked before anything is dialled, and again
when the confirmation returns; a refusal is one sentence and an audit line. The source is
called only from workers; the session's progress comes back as ListenChanged events in
the LiveState, which :meth:`ListenActions.update_listen` shows in the :class:`ListenBar`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual.screen import Screen

from wallboard.config import SupervisorConfig
from wallboard.core.format import mask_number
from wallboard.core.listen import (
    MODE_NAMES,
    ListenMode,
    ListenSession,
    SupervisorAccount,
    listen_refusal,
)
from wallboard.core.models import Call
from wallboard.sources.base import SourceError
from wallboard.ui.widgets.listen_bar import ListenBar

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

FINISHED_SHOWN = timedelta(seconds=15)
"""How long the bar keeps showing a session that ended or failed."""
SESSION_ACTIONS = frozenset({"listen_mode", "listen_mute", "listen_end"})


def resolve_supervisor(
    settings: SupervisorConfig, fallback: SupervisorAccount | None
) -> SupervisorAccount | None:
    """The configured supervisor account, else the one the source brings (the demo's)."""
    if settings.account:
        return SupervisorAccount(account=settings.account, project=settings.project)
    return fallback


class ListenActions(Screen[None]):
    """Mixed into the board: its actions, key checks and the session bar."""

    app: WallboardApp
    _listen_starting = False
    _listen_keys_shown = False

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
                modes=app.source.listen_modes,
                default=app.config.supervisor.default_mode,
                source_title=app.source.title,
            ),
            lambda mode: self._confirmed(call.id, mode),
        )

    def _confirmed(self, call_id: str, mode: ListenMode | None) -> None:
        if mode is None:
            return
        call = self.app.state.calls.get(call_id)
        if call is None:
            self.notify("That call has already ended.", severity="warning")
            return
        if self._refuse(call, mode):
            return
        self._listen_starting = True
        self.run_worker(self._start(call, mode), group="listen", exit_on_error=False)

    async def _start(self, call: Call, mode: ListenMode) -> None:
        app = self.app
        assert app.supervisor is not None
        try:
            await app.source.start_listen(call.id, app.supervisor.account, mode)
        except SourceError as exc:
            app.audit.error(supervisor=app.supervisor.account, call=call,
                            employee=app.state.employees.get(call.employee_id or ""),
                            mode=mode, reason=str(exc))
            self.notify(str(exc), severity="error", timeout=8)
        finally:
            self._listen_starting = False

    def _refuse(self, call: Call | None, mode: ListenMode | None = None) -> bool:
        """Say why not (notify + audit line) and return True, or return False."""
        app = self.app
        active = app.state.active_listen()
        reason = listen_refusal(
            call,
            app.state.employees,
            app.supervisor,
            active,
            modes=app.source.listen_modes,
            mode=mode,
            read_only=app.config.ui.read_only,
            kiosk=app.config.ui.kiosk,
            source_title=app.source.title,
        )
        if reason is None and self._listen_starting:
            reason = "A listen session is already starting; wait for it or end it (e)."
        if reason is None:
            return False
        app.audit.refused(
            supervisor=app.supervisor.account if app.supervisor else None,
            call=call,
            employee=app.state.employees.get(call.employee_id or "") if call else None,
            mode=mode,
            reason=reason,
        )
        self.notify(reason, severity="warning", timeout=6)
        return True

    # -- w / u / e: steer the running session ----------------------------------------------
    def action_listen_mode(self) -> None:
        session = self.app.state.active_listen()
        if session is None:
            return
        new = ListenMode.COACH if session.mode is ListenMode.LISTEN else ListenMode.LISTEN
        if new not in self.app.source.listen_modes:
            self.notify(f"{MODE_NAMES[new]} is not available with {self.app.source.title}.",
                        severity="warning")
            return
        self._steer(session, "change", mode=new)

    def action_listen_mute(self) -> None:
        session = self.app.state.active_listen()
        if session is not None:
            self._steer(session, "change", muted=not session.muted)

    def action_listen_end(self) -> None:
        session = self.app.state.active_listen()
        if session is not None:
            self._steer(session, "stop")

    def _steer(self, session: ListenSession, what: str, **change: object) -> None:
        async def run() -> None:
            source = self.app.source
            try:
                if what == "stop":
                    await source.stop_listen(session.id)
                else:
                    await source.change_listen(session.id, **change)  # type: ignore[arg-type]
            except SourceError as exc:
                self.notify(str(exc), severity="error", timeout=8)

        self.run_worker(run(), group="listen", exit_on_error=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """w / u / e appear (footer, help, palette) only while a session runs."""
        if action in SESSION_ACTIONS:
            return self.app.state.active_listen() is not None
        return super().check_action(action, parameters)

    # -- the bar -----------------------------------------------------------------------
    def update_listen(self) -> None:
        """Show the running (or just finished) session; refresh the keys when it changes."""
        app = self.app
        now = app.clock.now()
        session = app.state.active_listen()
        if session is None and app.state.listen_sessions:
            last = list(app.state.listen_sessions.values())[-1]
            if last.ended_at is None or now - last.ended_at <= FINISHED_SHOWN:
                session = last
        bar = self.query_one(ListenBar)
        if session is None:
            bar.show(None, now)
        else:
            employee = app.state.employees.get(session.employee_id or "")
            call = app.state.calls.get(session.call_id)
            client = self._client(call) if call else None
            bar.show(session, now, employee.name if employee else "unknown manager", client,
                     self._hints(session))
        running = app.state.active_listen() is not None
        if running != self._listen_keys_shown:
            self._listen_keys_shown = running
            self.refresh_bindings()

    def _hints(self, session: ListenSession) -> str:
        """``w coach · u mute · e end``, with the keys as remapped."""
        if session.state.finished:
            return ""
        words = {
            "listen_mode": "coach" if session.mode is ListenMode.LISTEN else "listen",
            "listen_mute": "unmute" if session.muted else "mute",
            "listen_end": "end",
        }
        keys: dict[str, str] = {}
        for active in self.active_bindings.values():
            action = active.binding.action
            if action in words and action not in keys:
                keys[action] = self.app.get_key_display(active.binding)
        return " · ".join(f"{keys[a]} {w}" for a, w in words.items() if a in keys)

    def _client(self, call: Call) -> str:
        number = call.client_number
        return mask_number(number) if number and self.app.mask_numbers else number

