from datetime import UTC, datetime, timedelta

from wallboard.core.events import Link
from wallboard.core.state import Connection
from wallboard.ui.widgets.topbar import connection_text

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def test_live_then_stale_when_nothing_arrives_for_too_long():
    fresh = Connection(link=Link.LIVE, last_data_at=NOW - timedelta(seconds=3))
    assert connection_text(fresh, NOW, UTC, stale_after=10) == ("● live", "live")
    old = Connection(link=Link.LIVE, last_data_at=NOW - timedelta(seconds=11))
    assert connection_text(old, NOW, UTC, stale_after=10) == (
        "⚠ stale since 09:29:49", "stale")
    # the demo has no staleness threshold
    assert connection_text(old, NOW, UTC, stale_after=None)[1] == "live"


def test_reconnecting_in_n_seconds_failed_and_malformed():
    retry = Connection(link=Link.RECONNECTING, retry_at=NOW + timedelta(seconds=4),
                       message="Cannot reach the feed.")
    assert connection_text(retry, NOW, UTC, 10) == (
        "↻ reconnecting in 4 s — Cannot reach the feed.", "reconnecting")
    failed = Connection(link=Link.FAILED, message="The feed refused the token.")
    assert connection_text(failed, NOW, UTC, 10) == ("✖ The feed refused the token.", "failed")
    bad = Connection(link=Link.LIVE, malformed=2, last_data_at=NOW)
    assert connection_text(bad, NOW, UTC, 10)[0] == "● live · 2 malformed skipped"


async def test_a_long_status_gives_way_to_the_clock_and_the_title():
    from textual.app import App

    from wallboard.ui.widgets.topbar import TopBar

    class One(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield TopBar("feed 127.0.0.1:8765")

    app = One()
    async with app.run_test(size=(80, 5)) as pilot:
        bar = app.query_one(TopBar)
        bar.show("↻ reconnecting in 3 s — Cannot reach the feed at http://127.0.0.1:8765: "
                 "connection refused. Is `wallboard serve` running there?", "reconnecting",
                 "11:12:08")
        await pilot.pause()
        text = bar.render().plain
        assert len(text) <= 80
        assert text.startswith(" 11:12:08  ☎ wallboard · feed 127.0.0.1:8765")
        assert "reconnecting in 3 s" in text and text.rstrip().endswith("…")
