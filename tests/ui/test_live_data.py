"""Issue 11, section 6: what goes stale. Before the first snapshot the board shows no figures;
while the link is down durations stop and fade; one clock reading per frame; the managers
list follows statuses live."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.server.support import free_port
from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN
from tests.ui.listen_helpers import until
from wallboard.config import Config, FeedSource, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, ConnectionChanged, Link, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.factory import create_app
from wallboard.ui.screens.managers import ManagersScreen
from wallboard.ui.widgets.counters import CountersBar
from wallboard.ui.widgets.topbar import TopBar

ANN = Employee(id="e1", name="Ann Nowak", department="Sales",
               accounts=(SipAccount(id="PJSIP/101", status=AgentStatus.ONLINE),))


def ringing(seconds: float) -> Call:
    """A call that has been ringing for ``seconds`` at FROZEN."""
    return Call(id="c1", type=CallType.INCOMING, status=CallStatus.RINGING, employee_id="e1",
                client_number="+48 500 600 700", created_at=FROZEN - timedelta(seconds=seconds))


def values(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return app.board.query_one(CountersBar).values


async def test_an_unreachable_feed_shows_no_figures_and_says_it_is_connecting():
    port = free_port()  # nothing listens there
    config = Config(source=FeedSource(url=f"http://127.0.0.1:{port}"))
    app = create_app(config)
    async with app.run_test(size=(120, 30)) as pilot:
        topbar = app.board.query_one(TopBar)
        await until(pilot, lambda: "reconnecting" in topbar.status, timeout=10)
        app.board.update_view()
        assert set(values(app).values()) == {"–"}  # not 0 0 0 0 0
        line = app.board.table.render_line(1).text
        assert "No active calls" not in line
        assert f"Cannot reach the feed at http://127.0.0.1:{port}" in line


async def test_before_the_first_snapshot_then_figures_once_it_arrives():
    source = ScriptedSource(first=[ConnectionChanged(link=Link.CONNECTING, at=FROZEN)])
    clock = ManualClock(FROZEN)
    app = create_app(Config(), source=source, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.2)
        app.board.update_view()
        assert values(app)["total"] == "–" and values(app)["longest_wait"] == "–"
        assert "Connecting to Scripted test source…" in app.board.table.render_line(1).text
        source.push(ConnectionChanged(link=Link.LIVE, at=FROZEN),
                    Snapshot(calls=(ringing(12),), employees=(ANN,)))
        await until(pilot, lambda: app.state.synced)
        await pilot.pause(0.3)
        app.board.update_view()
        assert values(app)["total"] == "1" and values(app)["longest_wait"] == "0:12"


async def test_while_reconnecting_durations_and_counters_stop_and_fade():
    source = ScriptedSource(Snapshot(calls=(ringing(10),), employees=(ANN,)))
    clock = ManualClock(FROZEN)
    app = create_app(Config(), source=source, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: bool(app.state.calls))
        board = app.board
        clock.advance(5)
        source.push(ConnectionChanged(link=Link.RECONNECTING, at=clock.now(),
                                      message="The feed closed the stream."))
        await until(pilot, lambda: app.state.connection.link is Link.RECONNECTING)
        clock.advance(15)
        await pilot.pause(1.2)  # a tick
        assert values(app)["longest_wait"] == "0:15"  # 10 s + 5 s, then nothing more
        assert "0:15" in board.table.render_line(1).text
        assert board.has_class("-held")
        # back: a fresh snapshot, and the durations tick on from the clock
        source.push(ConnectionChanged(link=Link.LIVE, at=clock.now()),
                    Snapshot(calls=(ringing(10),), employees=(ANN,)))
        await until(pilot, lambda: app.state.connection.link is Link.LIVE)
        await pilot.pause(1.2)
        assert values(app)["longest_wait"] == "0:30"
        assert "0:30" in board.table.render_line(1).text
        assert not board.has_class("-held")


class SteppingClock:
    """A real clock's trait that a frozen one hides: it moves between two readings."""

    def __init__(self, start: datetime, step: float) -> None:
        self.at = start
        self.step = timedelta(seconds=step)

    def now(self) -> datetime:
        self.at += self.step
        return self.at


async def test_every_duration_of_a_frame_comes_from_one_clock_reading():
    source = ScriptedSource(Snapshot(calls=(ringing(10.5),), employees=(ANN,)))
    app = create_app(Config(), source=source, clock=SteppingClock(FROZEN, 0.6))
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: bool(app.state.calls))
        for _ in range(3):
            await pilot.pause(1.05)  # a tick
            row = app.board.table.render_line(1).text.split()[1]  # after the talk time ("–")
            assert values(app)["longest_wait"] == row


async def test_the_managers_list_follows_statuses_live():
    source = ScriptedSource(Snapshot(employees=(ANN,)))
    app = create_app(Config(ui=UiConfig(refresh_seconds=0.05)), source=source,
                     clock=ManualClock(FROZEN))
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: bool(app.state.employees))
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, ManagersScreen)
        options = screen.query_one("OptionList")
        assert "online" in str(options.get_option_at_index(0).prompt)
        source.push(AccountStatusChanged(employee_id="e1", account_id="PJSIP/101",
                                         status=AgentStatus.DND, at=FROZEN))
        await until(pilot, lambda: "DND" in str(options.get_option_at_index(0).prompt))
        assert options.highlighted == 0
