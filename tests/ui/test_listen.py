"""Joining a call from the board (SPEC 6): the confirmation, the bar, the keys, the rules."""

from __future__ import annotations

import json

import pytest

from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from tests.ui.listen_helpers import advance, row_of, select_row, settle, talking_row, until
from wallboard.config import Config, DemoSource, SupervisorConfig, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.format import format_duration, mask_number
from wallboard.core.listen import ListenMode, ListenState
from wallboard.core.models import CallStatus
from wallboard.factory import create_app
from wallboard.sources.demo import DemoSource as Demo
from wallboard.ui.keys import binding_ids
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.listen_confirm import ListenConfirmScreen
from wallboard.ui.widgets.listen_bar import ListenBar


def capture_notes(app, monkeypatch) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    notes: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *args, severity="information", **kwargs):  # type: ignore[no-untyped-def]
        notes.append((message, severity))
        return original(message, *args, severity=severity, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return notes


def audit_lines(app) -> list[dict]:  # type: ignore[no-untyped-def]
    path = app.service.audit.path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def bar_text(app) -> str:  # type: ignore[no-untyped-def]
    bar = app.board.query_one(ListenBar)
    return bar.text.plain if bar.has_class("-shown") else ""


def shown_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.binding.action for a in app.screen.active_bindings.values() if a.enabled}


async def test_listen_then_coach_mute_and_end_from_the_keyboard():
    app = demo_app(mask_numbers=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        call = app.board.table.cursor_call
        manager = app.state.employees[call.employee_id]
        assert {"listen_mode", "listen_mute", "listen_end"}.isdisjoint(shown_keys(app))

        await pilot.press("l")
        assert isinstance(app.screen, ListenConfirmScreen)
        details = str(app.screen.query_one("#listen-confirm-details").render())
        assert manager.name in details
        assert mask_number(call.client_number) in details
        assert call.client_number not in details
        assert format_duration(call.talk_seconds(FROZEN)) in details
        assert "PJSIP/1900" in details  # the demo's own supervisor account

        await pilot.press("enter")
        await until(pilot, app.state.active_listen)
        await settle(pilot, app)
        session = app.state.active_listen()
        assert session is not None and session.state is ListenState.CONNECTING
        assert (session.call_id, session.mode, session.supervisor) == (
            call.id, ListenMode.LISTEN, "PJSIP/1900")
        assert "LISTEN ◌ connecting…" in bar_text(app)
        assert app.board.query_one(ListenBar).hints == "w coach · u mute · e end"
        assert {"listen_mode", "listen_mute", "listen_end"} <= shown_keys(app)

        await advance(pilot, app, 2)
        await until(pilot, lambda: app.state.active_listen().state is ListenState.ACTIVE)
        await settle(pilot, app)
        text = bar_text(app)
        assert "● active · 0:02" in text and manager.name in text
        assert mask_number(call.client_number) in text

        await pilot.press("w")
        await until(pilot, lambda: app.state.active_listen().mode is ListenMode.COACH)
        await pilot.press("u")
        await until(pilot, lambda: app.state.active_listen().muted)
        await settle(pilot, app)
        assert app.state.active_listen().mode is ListenMode.COACH
        assert app.state.active_listen().muted
        assert "COACH ● active  muted " in bar_text(app)
        assert app.board.query_one(ListenBar).hints == "w listen · u unmute · e end"

        await pilot.press("e")
        await until(pilot, lambda: app.state.active_listen() is None)
        await settle(pilot, app)
        assert app.state.active_listen() is None
        assert "■ ended" in bar_text(app) and "Stopped by the supervisor." in bar_text(app)
        assert {"listen_mode", "listen_mute", "listen_end"}.isdisjoint(shown_keys(app))

        events = [(x["event"], x.get("mode"), x.get("muted")) for x in audit_lines(app)]
        assert events == [
            ("started", "listen", False), ("active", "listen", False),
            ("mode", "coach", False), ("muted", "coach", True), ("ended", "coach", True),
        ]
        assert {x["client"] for x in audit_lines(app)} == {mask_number(call.client_number)}


async def test_the_mode_chosen_in_the_confirmation_and_escape_cancels():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l", "escape")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ListenConfirmScreen)
        assert app.state.listen_sessions == {}
        await pilot.press("l", "down", "down", "enter")
        await until(pilot, app.state.active_listen)
        assert app.state.active_listen().mode is ListenMode.BARGE


async def test_the_call_ending_mid_session_ends_it_and_the_bar_says_so():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        call = app.board.table.cursor_call
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        await advance(pilot, app, 2)
        await until(pilot, lambda: app.state.active_listen().state is ListenState.ACTIVE)
        await settle(pilot, app)
        center = app.source.center
        center.schedule(center.now, "hangup", call.id)
        await advance(pilot, app, 1)
        await until(pilot, lambda: app.state.active_listen() is None)
        await settle(pilot, app)
        ended = app.state.listen_sessions[next(iter(app.state.listen_sessions))]
        assert ended.state is ListenState.ENDED
        assert "■ ended" in bar_text(app) and "The call ended." in bar_text(app)
        assert call.client_number in bar_text(app)  # remembered after the call left
        assert audit_lines(app)[-1]["outcome"] == "ended"


async def test_the_call_ending_while_connecting_fails_with_a_message(monkeypatch):
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        call = app.board.table.cursor_call
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        center = app.source.center
        center.schedule(center.now, "hangup", call.id)
        await advance(pilot, app, 0.5)
        await until(pilot, lambda: app.state.active_listen() is None)
        await settle(pilot, app)
        assert "✖ failed" in bar_text(app)
        assert ("The call ended before you were connected.", "error") in notes
        assert audit_lines(app)[-1]["outcome"] == "failed"


@pytest.mark.parametrize(
    ("status", "words"),
    [(CallStatus.RINGING, "still ringing"), (CallStatus.ON_HOLD, "on hold")],
)
async def test_only_a_call_in_conversation_can_be_joined(monkeypatch, status, words):
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        if status is CallStatus.ON_HOLD:  # the demo puts a talking call on hold
            center = app.source.center
            center.schedule(center.now, "hold", app.board.table.rows[talking_row(app)].id)
            await advance(pilot, app, 0.1)
        await select_row(pilot, row_of(app, status))
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, ListenConfirmScreen)
        assert any(words in m and s == "warning" for m, s in notes)
        [line] = audit_lines(app)
        assert line["event"] == "refused" and words in line["message"]


async def test_one_session_at_a_time(monkeypatch):
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, ListenConfirmScreen)
        assert any("already running" in m for m, _ in notes)


@pytest.mark.parametrize(("ui", "words"), [
    ({"read_only": True}, "read-only"),
    # a kiosk has no keys at all; even unlocked to the board, joining stays off
    ({"kiosk": True, "kiosk_unlock_key": "ctrl+u"}, "kiosk"),
])
async def test_read_only_and_kiosk_turn_the_feature_off_and_say_why(monkeypatch, ui, words):
    app = demo_app(**ui)
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        if ui.get("kiosk"):
            await pilot.press("l")
            await pilot.pause()
            assert not isinstance(app.screen, ListenConfirmScreen)
            await pilot.press("ctrl+u")
            await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, ListenConfirmScreen)
        assert any(words in m for m, _ in notes)


def configured_demo_app(supervisor: SupervisorConfig):  # type: ignore[no-untyped-def]
    clock = ManualClock(FROZEN)
    config = Config(source=DemoSource(seed=7, calls=24), supervisor=supervisor,
                    ui=UiConfig(timezone="Europe/Warsaw"))
    return create_app(config, source=Demo(clock=clock, seed=7, calls=24), clock=clock)


async def test_the_supervisor_must_be_in_the_managers_project(monkeypatch):
    app = configured_demo_app(SupervisorConfig(account="PJSIP/1234", project="acme"))
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        assert app.supervisor.account == "PJSIP/1234"  # the config wins over the demo's
        await select_row(pilot, talking_row(app))
        await pilot.press("l")
        await pilot.pause()
        assert any("only within one project" in m and "'acme'" in m for m, _ in notes)


async def test_a_source_without_a_supervisor_account_asks_for_one(monkeypatch):
    from wallboard.service import ListenPolicy

    app = configured_demo_app(SupervisorConfig())
    app.service.listen.policy = ListenPolicy()  # as with a backend that brings none
    app.supervisor = None
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l")
        await pilot.pause()
        assert any("Set supervisor.account" in m for m, _ in notes)


async def test_the_keys_are_in_help_and_remappable():
    assert {"board.listen", "listen.mode", "listen.mute", "listen.end",
            "listen_confirm.start", "listen_confirm.cancel"} <= binding_ids()
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys")
        rows = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "Join call" in rows


async def test_a_source_that_cannot_join_calls_uses_the_softphone(monkeypatch, tmp_path):
    """The softphone path end to end: configured modes only, a missing program is an error."""
    from tests.support.sources import ScriptedSource
    from wallboard.config import SoftphoneConfig
    from wallboard.core.events import Snapshot
    from wallboard.core.models import Call, CallType, Employee, SipAccount
    from wallboard.sources.softphone import SoftphoneSource

    anna = Employee(id="e1", name="Anna Nowak", accounts=(SipAccount(id="PJSIP/1001",
                                                                     number="1001"),))
    call = Call(id="c1", type=CallType.INCOMING, status=CallStatus.TALKING, employee_id="e1",
                client_number="+48 501 234 123", created_at=FROZEN, answered_at=FROZEN)
    supervisor = SupervisorConfig(account="PJSIP/1900", softphone=SoftphoneConfig(
        command=["no-such-softphone-xyz", "--", "{uri}"], listen="sip:*222{extension}@pbx"))
    config = Config(supervisor=supervisor, ui=UiConfig(timezone="Europe/Warsaw"))
    app = create_app(config, source=ScriptedSource(Snapshot(calls=(call,), employees=(anna,))),
                     clock=ManualClock(FROZEN))
    assert isinstance(app.source, SoftphoneSource)
    async with app.run_test(size=(160, 45)) as pilot:
        notes = capture_notes(app, monkeypatch)
        await wait_for_calls(pilot, app)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ListenConfirmScreen)
        modes = app.screen.query_one("#listen-confirm-modes")
        assert [modes.get_option_at_index(i).disabled for i in range(3)] == [False, True, True]
        await pilot.press("enter")
        await until(pilot, lambda: any("no program" in m for m, _ in notes))
        assert app.state.listen_sessions == {}
        assert [x["event"] for x in audit_lines(app)] == ["error"]


async def test_quitting_during_a_session_writes_its_last_audit_line():
    """l, enter, q: the trail ends with `ended`, never with `started`/`active`."""
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        await pilot.press("q")
    events = [x["event"] for x in audit_lines(app)]
    assert events[0] == "started" and events[-1] == "ended"
    assert audit_lines(app)[-1]["message"] in ("Stopped by the supervisor.",
                                               "The wallboard closed.")
