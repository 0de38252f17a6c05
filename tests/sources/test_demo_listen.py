"""The demo's simulated listen sessions: connecting -> active -> ended, and the failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.clock import ManualClock
from wallboard.core.events import CallEnded, ListenChanged
from wallboard.core.listen import ListenMode, ListenState
from wallboard.core.models import CallStatus
from wallboard.core.state import LiveState
from wallboard.sources.base import SourceError
from wallboard.sources.demo import DemoCallCenter, DemoSource
from wallboard.sources.demo.listen import CONNECT_SECONDS, DEMO_SUPERVISOR, DemoListen

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def talking(center: DemoCallCenter, min_left: float = 0.0):  # type: ignore[no-untyped-def]
    """A talking call of the demo; with ``min_left``: one still going that long from now."""
    for call in center.calls.values():
        if call.status is not CallStatus.TALKING:
            continue
        hangup = [at for at, what in center.planned(call.id) if what == "hangup"]
        holds = [at for at, what in center.planned(call.id) if what == "hold"]
        if not holds and hangup and (hangup[0] - center.now).total_seconds() > min_left:
            return call
    raise AssertionError("no suitable talking call")


def updates(events) -> list:  # type: ignore[no-untyped-def]
    return [e.session for e in events if isinstance(e, ListenChanged)]


def test_connecting_then_active_then_mode_mute_and_stop():
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    call = talking(center, min_left=60)
    sid = listen.start(call, "PJSIP/1900", ListenMode.LISTEN, T0)
    [first] = updates(listen.advance(T0, center.calls, []))
    assert (first.id, first.state, first.call_id, first.employee_id, first.supervisor) == (
        sid, ListenState.CONNECTING, call.id, call.employee_id, "PJSIP/1900")
    assert updates(listen.advance(T0 + timedelta(seconds=1), center.calls, [])) == []
    at = T0 + timedelta(seconds=CONNECT_SECONDS)
    [active] = updates(listen.advance(at, center.calls, []))
    assert active.state is ListenState.ACTIVE and active.started_at == T0
    listen.change(sid, ListenMode.COACH, None)
    listen.change(sid, None, True)
    listen.change(sid, ListenMode.COACH, True)  # no change: no update
    coach, muted = updates(listen.advance(at, center.calls, []))
    assert (coach.mode, coach.muted) == (ListenMode.COACH, False)
    assert (muted.mode, muted.muted) == (ListenMode.COACH, True)
    listen.stop(sid, at + timedelta(seconds=5))
    [ended] = updates(listen.advance(at, center.calls, []))
    assert ended.state is ListenState.ENDED and ended.ended_at == at + timedelta(seconds=5)
    assert ended.message == "Stopped by the supervisor."
    with pytest.raises(SourceError, match="already ended"):
        listen.change(sid, ListenMode.LISTEN, None)


def test_the_call_ending_mid_session_ends_it():
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    call = talking(center, min_left=5)
    listen.start(call, "PJSIP/1900", ListenMode.COACH, T0)
    listen.advance(T0 + timedelta(seconds=2), center.calls, [])
    batch = center._end(call.id)
    [ended] = updates(listen.advance(T0 + timedelta(seconds=3), center.calls, batch))
    assert ended.state is ListenState.ENDED and ended.message == "The call ended."
    assert listen.sessions == {}


def test_the_call_ending_while_connecting_fails_it():
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    call = talking(center)
    listen.start(call, "PJSIP/1900", ListenMode.LISTEN, T0)
    batch = center._end(call.id)
    sessions = updates(listen.advance(T0 + timedelta(seconds=0.5), center.calls, batch))
    assert [s.state for s in sessions] == [ListenState.CONNECTING, ListenState.FAILED]
    assert "ended before you were connected" in sessions[-1].message


def test_a_hold_while_connecting_fails_it():
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    call = talking(center, min_left=60)
    listen.start(call, "PJSIP/1900", ListenMode.LISTEN, T0)
    center.calls[call.id] = call.model_copy(update={"status": CallStatus.ON_HOLD})
    sessions = updates(listen.advance(T0 + timedelta(seconds=2), center.calls, []))
    assert sessions[-1].state is ListenState.FAILED and "hold" in sessions[-1].message


def test_the_simulation_refuses_what_a_pbx_would():
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    ringing = next(c for c in center.calls.values() if c.status is CallStatus.RINGING)
    with pytest.raises(SourceError, match="in conversation"):
        listen.start(ringing, "PJSIP/1900", ListenMode.LISTEN, T0)
    with pytest.raises(SourceError, match="already ended"):
        listen.start(None, "PJSIP/1900", ListenMode.LISTEN, T0)
    listen.start(talking(center), "PJSIP/1900", ListenMode.LISTEN, T0)
    with pytest.raises(SourceError, match="already running"):
        listen.start(talking(center), "PJSIP/1900", ListenMode.LISTEN, T0)


async def test_the_demo_source_delivers_listen_updates_through_events():
    clock = ManualClock(T0)
    source = DemoSource(clock=clock, seed=3, tick_seconds=2.0)  # slow ticks: wake-ups matter
    assert source.listen_modes == frozenset(ListenMode)
    assert source.default_supervisor == DEMO_SUPERVISOR
    assert {e.project for e in source.center.snapshot().employees} == {DEMO_SUPERVISOR.project}
    state = LiveState()
    stream = source.events()
    state.apply_all(await anext(stream))
    call = talking(source.center, min_left=60)
    sid = await source.start_listen(call.id, "PJSIP/1900", ListenMode.BARGE)
    state.apply_all(await asyncio.wait_for(anext(stream), 0.5))
    assert state.active_listen().id == sid
    assert state.active_listen().state is ListenState.CONNECTING
    clock.advance(2)
    while state.active_listen().state is ListenState.CONNECTING:
        state.apply_all(await asyncio.wait_for(anext(stream), 3.0))
    assert state.active_listen().state is ListenState.ACTIVE
    await source.stop_listen(sid)
    state.apply_all(await asyncio.wait_for(anext(stream), 0.5))
    assert state.active_listen() is None
    assert state.listen_sessions[sid].state is ListenState.ENDED
    await source.aclose()


def test_call_ended_events_of_the_batch_count_even_if_the_call_is_known():
    """The session learns of the end from the batch, whatever the calls dict says."""
    center = DemoCallCenter(T0, seed=3)
    listen = DemoListen()
    call = talking(center, min_left=60)
    listen.start(call, "PJSIP/1900", ListenMode.LISTEN, T0)
    listen.advance(T0 + timedelta(seconds=2), center.calls, [])
    batch = [CallEnded(call_id=call.id, at=T0)]
    [ended] = updates(listen.advance(T0 + timedelta(seconds=3), center.calls, batch))
    assert ended.state is ListenState.ENDED
