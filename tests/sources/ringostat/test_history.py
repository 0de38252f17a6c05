"""History from the fake Ringostat: the call log, the daily status report (totals only),
what the profile makes of them, and the same through the feed's history endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.sources.ringostat.conftest import T0, serving, watching
from wallboard.core.clock import ManualClock
from wallboard.core.history import ManagerHistory
from wallboard.core.listen import SupervisorAccount, listen_refusal
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType
from wallboard.core.profile import Period, build_profile
from wallboard.sources.base import NotSupported, SourceError

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE
U = AgentStatus.UNKNOWN
UTC_DAY = (datetime(2026, 3, 24, tzinfo=UTC), datetime(2026, 3, 25, tzinfo=UTC))


def row(uniqueid: str, calldate: str, *, fio: str = "Anna Nowak", kind: str = "in",
        disposition: str = "ANSWERED", duration: int = 100, billsec: int = 80,
        waittime: int | None = 20, recording: str = "", connected_with: str = "") -> dict:
    data = {"uniqueid": uniqueid, "calldate": calldate, "caller": "+380501112233",
            "dst": "+380441234567", "call_type": kind, "disposition": disposition,
            "duration": duration, "billsec": billsec, "employee_fio": fio,
            "department": "Sales", "has_recording": bool(recording), "recording": recording,
            "connected_with": connected_with, "utm_source": "google"}
    if waittime is not None:
        data["waittime"] = waittime
    return data


async def loaded(w):
    await w.until(lambda: "101" in w.state.employees)


async def test_the_call_log_gives_the_manager_s_calls_with_durations_and_recordings(fake):
    fake.calls = [
        row("1001.1", "2026-03-24 09:00:00", recording="https://rec.example/1001.mp3"),
        row("1001.2", "2026-03-24 09:10:00", disposition="NO ANSWER", billsec=0,
            duration=12, waittime=12),
        row("1001.3", "2026-03-24 09:20:00", kind="out", disposition="CLIENT NO ANSWER",
            billsec=0, duration=4, waittime=None),
        row("1001.4", "2026-03-24 09:30:00", fio="", connected_with="anna_app", kind="callback",
            duration=61, billsec=60, waittime=1),
        row("1001.5", "2026-03-24 09:40:00", fio="Piotr Wójcik"),
        row("1001.6", "2026-03-24 09:50:00", disposition="IN PROGRESS"),
    ]
    async with watching(fake) as w:
        await loaded(w)
        records = await w.client.call_log("101", *UTC_DAY)
    assert [r.id for r in records] == ["1001.1", "1001.2", "1001.3", "1001.4"]
    first, missed, short, callback = records
    assert first.answered_at == datetime(2026, 3, 24, 9, 0, 20, tzinfo=UTC)
    assert first.ended_at == datetime(2026, 3, 24, 9, 1, 40, tzinfo=UTC)
    assert (first.talk_seconds, first.recording_url) == (80, "https://rec.example/1001.mp3")
    assert (first.client_number, first.business_number) == ("+380501112233", "+380441234567")
    assert missed.answered_at is None and missed.missed and missed.ring_seconds == 12
    assert short.type is CallType.OUTGOING and not short.missed  # rang 4 s: not missed
    assert short.client_number == "+380441234567"
    assert callback.type is CallType.CALLBACK and callback.talk_seconds == 60
    asked = [r for r in fake.requests if r.path == "/calls/list"][0].params
    assert asked["from"] == "2026-03-24 00:00:00" and asked["to"] == "2026-03-24 23:59:59"
    assert asked["export_type"] == "json" and "recording" in asked["fields"].split(",")


async def test_a_full_answer_is_split_so_no_call_is_lost(fake):
    fake.limit = 3
    fake.calls = [row(f"2000.{n}", f"2026-03-24 0{n}:15:00") for n in range(8)]
    async with watching(fake) as w:
        await loaded(w)
        w.client.history.limit = 3
        records = await w.client.call_log("101", *UTC_DAY)
    assert [r.id for r in records] == [f"2000.{n}" for n in range(8)]
    assert fake.asked("/calls/list") > 3


async def test_times_are_read_on_the_project_s_wall_clock(fake):
    fake.calls = [row("3000.1", "2026-03-24 11:30:00")]
    async with watching(fake, timezone="Europe/Kyiv") as w:
        await loaded(w)
        start = datetime(2026, 3, 24, tzinfo=ZoneInfo("Europe/Kyiv"))
        [record] = await w.client.call_log("101", start, T0)
    assert record.started_at == datetime(2026, 3, 24, 9, 30, tzinfo=UTC)
    asked = [r for r in fake.requests if r.path == "/calls/list"][0].params
    assert asked["from"] == "2026-03-24 00:00:00" and asked["to"] == "2026-03-24 11:59:59"


async def test_the_daily_report_becomes_day_totals_and_custom_statuses_count_as_dnd(fake):
    fake.reports = {
        "2026-03-23": [{"employee": "TEST CY", "online": "09:00:00", "offline": "15:00:00"},
                       {"employee": "Anna Nowak", "online": "01:31:55", "offline": "10:13:15",
                        "At lunch": "00:30:00", "speaking": "00:45:10"}],
        "2026-03-24": [{"employee": "Anna Nowak", "online": "02:00:00", "dnd": "00:10:00"}],
    }
    async with watching(fake) as w:
        await loaded(w)
        start = datetime(2026, 3, 22, tzinfo=UTC)
        history = await w.client.manager_history("101", start, T0)
        again = await w.client.manager_history("101", start, T0)
    assert history == again
    by_day = {t.day: t.seconds for t in history.day_totals}
    assert set(by_day) == {date(2026, 3, 23), date(2026, 3, 24)}  # the 22nd had no row
    assert by_day[date(2026, 3, 23)] == {T: 2710.0, O: 5515.0, D: 1800.0, F: 36795.0, U: 0.0}
    assert by_day[date(2026, 3, 24)] == {T: 0.0, O: 7200.0, D: 600.0, F: 0.0, U: 0.0}
    reports = [r for r in fake.requests if r.rpc == "getSipStatusDailyReport"]
    assert len(reports) == 4  # 22nd and 23rd once (past days are kept), today twice
    assert fake.asked("getCustomStatuses") >= 1


async def test_the_profile_shows_reported_days_as_totals_only(fake):
    fake.reports = {"2026-03-23": [{"employee": "Anna Nowak", "online": "06:00:00",
                                    "offline": "18:00:00"}]}
    fake.calls = [row("4000.1", "2026-03-23 08:00:00")]
    async with watching(fake) as w:
        await loaded(w)
        history = await w.client.manager_history("101", datetime(2026, 3, 18, tzinfo=UTC), T0)
    profile = build_profile(history, Period.LAST_3_DAYS, T0, UTC)
    reported = profile.days[1]
    assert reported.day == date(2026, 3, 23) and reported.totals_only
    assert reported.timeline == [] and reported.totals[O] == 21_600
    assert reported.answered == 1
    assert not profile.days[0].totals_only  # no report row: nothing invented either way
    assert profile.summary.status_seconds[O] == 21_600
    assert profile.summary.handled == 1


async def test_history_problems_are_one_sentence(fake):
    async with watching(fake) as w:
        with pytest.raises(SourceError, match="The staff list has not come from Ringostat yet"):
            await w.client.manager_history("101", *UTC_DAY)
        await loaded(w)
        with pytest.raises(SourceError, match="Ringostat's staff list has no employee 'nobody'"):
            await w.client.call_log("nobody", *UTC_DAY)
        fake.fail("/calls/list", 500)
        with pytest.raises(SourceError) as info:
            await w.client.call_log("101", *UTC_DAY)
        assert str(info.value) == (f"Ringostat at 127.0.0.1:{fake.port} has a problem: HTTP 500 "
                                   "(Internal Server Error) for GET /calls/list.")


async def test_the_feed_serves_ringostat_history_with_its_day_totals(fake):
    fake.reports = {"2026-03-24": [{"employee": "Anna Nowak", "online": "01:00:00"}]}
    fake.calls = [row("5000.1", "2026-03-24 08:00:00")]
    async with serving(fake, ManualClock(T0)) as served:
        response = await served.http.get("/v1/managers/101/history", params={
            "from": "2026-03-24T00:00:00Z", "to": "2026-03-24T10:00:00Z"})
        history = ManagerHistory.model_validate_json(response.content)
        assert [c.id for c in history.calls] == ["5000.1"]
        assert history.day_totals[0].seconds[O] == 3600
        response = await served.http.get("/v1/managers/101/calls", params={
            "from": "2026-03-24T00:00:00Z", "to": "2026-03-24T10:00:00Z"})
        assert [c["id"] for c in response.json()] == ["5000.1"]


async def test_listening_is_refused_in_one_sentence_saying_why(fake):
    async with watching(fake) as w:
        await loaded(w)
        client = w.client
        assert not client.listen_modes
        call = Call(id="c1", type=CallType.INCOMING, status=CallStatus.TALKING,
                    employee_id="101", created_at=T0, answered_at=T0 + timedelta(seconds=3))
        reason = listen_refusal(call, w.state.employees, SupervisorAccount(account="boss"),
                                None, modes=client.listen_modes, source_title=client.title)
        assert reason == ("Ringostat has no public listen API, so the wallboard cannot join "
                          "its calls.")
        with pytest.raises(NotSupported, match="Ringostat has no public listen API"):
            await client.start_listen("c1", "boss", next(iter(["listen"])))  # type: ignore[arg-type]
