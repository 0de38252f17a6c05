"""The board on the HTTP feed of a real `wallboard serve` on a loopback port."""

from __future__ import annotations

import asyncio

import pytest

from tests.server.support import free_port, running
from wallboard.config import Config, FeedSource
from wallboard.factory import create_app
from wallboard.server.app import create_server_app
from wallboard.sources.demo import DemoSource
from wallboard.ui.widgets.topbar import TopBar


async def until(predicate, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the board")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["stream", "poll"])
async def test_the_board_follows_a_feed_and_says_when_it_is_lost(mode):
    demo = DemoSource(seed=7, calls=30)
    port = free_port()
    server_app = create_server_app(demo)
    config = Config(source=FeedSource(url=f"http://127.0.0.1:{port}", mode=mode,
                                      poll_seconds=0.5))
    app = create_app(config)
    server = running(server_app, port)
    server.__enter__()
    try:
        async with app.run_test(size=(160, 45)):
            hub = server_app.state.hub
            topbar = app.board.query_one(TopBar)
            await until(lambda: bool(app.board.table.rows) and "live" in topbar.status)
            await until(lambda: set(app.state.calls) == set(hub.state.calls))
            app.board.update_view()  # redraws are throttled: draw what the state holds now
            assert {c.id for c in app.board.table.rows} == set(app.state.calls)
            # the server goes away: the board says so and keeps the last picture
            server.__exit__(None, None, None)
            server = None
            await until(lambda: "reconnecting" in topbar.status, seconds=15)
            assert app.board.table.rows
    finally:
        if server is not None:
            server.__exit__(None, None, None)


@pytest.mark.slow
async def test_the_board_shows_no_figures_until_a_late_feed_server_sends_its_snapshot():
    from wallboard.ui.widgets.counters import CountersBar

    port = free_port()  # nothing listens there yet
    config = Config(source=FeedSource(url=f"http://127.0.0.1:{port}", mode="stream"))
    app = create_app(config)
    async with app.run_test(size=(160, 45)):
        topbar = app.board.query_one(TopBar)
        counters = app.board.query_one(CountersBar)
        await until(lambda: "reconnecting" in topbar.status)
        app.board.update_view()
        assert set(counters.values.values()) == {"–"}
        assert "Cannot reach the feed" in app.board.table.render_line(1).text
        demo = DemoSource(seed=7, calls=30)
        server_app = create_server_app(demo)
        with running(server_app, port):
            await until(lambda: app.state.synced and "live" in topbar.status, seconds=20)
            await until(lambda: set(app.state.calls) == set(server_app.state.hub.state.calls))
            app.board.update_view()
            assert counters.values["total"] == str(len(app.state.calls)) != "0"
