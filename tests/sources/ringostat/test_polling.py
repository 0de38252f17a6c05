"""Managers and statuses from the fake Ringostat: staff list, online / speaking polls, the
SPEC 5 merge, and every failure as one sentence while the source keeps going."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.sources.ringostat.conftest import T0, settings, watching
from tests.sources.ringostat.fake_ringostat import KEY, PROJECT, FakeRingostat
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, ConnectionChanged, Link, Snapshot
from wallboard.core.models import AgentStatus
from wallboard.sources.ringostat import RingostatClient

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE


def statuses(state, employee_id: str) -> dict[str, AgentStatus]:
    return {a.id: a.status for a in state.employees[employee_id].accounts}


async def test_staff_list_gives_managers_departments_and_every_account(fake):
    async with watching(fake) as w:
        await w.until(lambda: "101" in w.state.employees)
        anna = w.state.employees["101"]
        assert (anna.name, anna.department) == ("Anna Nowak", "Sales")
        assert [a.id for a in anna.accounts] == ["anna_desk", "anna_app"]
        assert anna.accounts[0].number == "101"
        piotr = w.state.employees["102"]
        assert [(a.id, a.user_agent) for a in piotr.accounts] == [
            ("piotr", ""), ("+380671112233", "phone")]
        assert len(w.state.employees) == 19
        requests = [r for r in fake.requests if r.rpc == "getProjectStaffListAndDirections"]
        assert requests and all(r.auth == KEY for r in fake.requests)
        assert w.of(Snapshot)[-1].employees  # the full state came as one snapshot


async def test_statuses_follow_the_polls_and_merge_by_spec_5(fake):
    async with watching(fake) as w:
        await w.until(lambda: "101" in w.state.employees)
        assert statuses(w.state, "101") == {"anna_desk": F, "anna_app": F}
        assert w.state.employees["101"].status is F
        # Olena's only account is reported DND by the staff list and is not online
        assert w.state.employees["103"].status is D
        # Piotr's phone is what the staff list says (active), so he is online
        assert statuses(w.state, "102") == {"piotr": F, "+380671112233": O}

        fake.online |= {"anna_desk", "anna_app", "olena"}
        await w.until(lambda: w.state.employees["101"].status is O)
        assert w.state.employees["103"].status is O  # online beats the reported DND
        fake.speaking.add("anna_app")
        await w.until(lambda: w.state.employees["101"].status is T)
        assert statuses(w.state, "101") == {"anna_desk": O, "anna_app": T}
        changes = [e for e in w.of(AccountStatusChanged) if e.employee_id == "101"]
        assert [(e.account_id, e.status) for e in changes][-1] == ("anna_app", T)
        fake.speaking.clear()
        fake.online.clear()
        await w.until(lambda: w.state.employees["101"].status is F)
        assert w.state.employees["103"].status is D


async def test_the_staff_list_is_read_again_every_few_minutes(fake):
    async with watching(fake, staff_refresh_seconds=30) as w:
        await w.polls(3)
        assert fake.asked("getProjectStaffListAndDirections") == 1
        assert fake.asked("/sipstatus/online") >= 3
    client = RingostatClient(settings(fake.url), clock=ManualClock(T0), poll_seconds=0.02)
    assert client.settings.staff_refresh_seconds == 300


async def test_a_wrong_auth_key_is_one_sentence_and_retried_gently(fake):
    async with watching(fake, auth_key="wrong-key-000") as w:
        failed = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                        if e.link is Link.FAILED])
        message = failed[0].message
        assert message.startswith("Ringostat refused the Auth-key (HTTP 401); check "
                                  "source.auth_key or $RINGOSTAT_AUTH_KEY")
        assert "wrong-key-000" not in message and "Traceback" not in message
        assert failed[0].retry_at is not None
        await w.until(lambda: fake.asked("getProjectStaffListAndDirections") >= 2)


async def test_a_missing_auth_key_says_where_to_set_it(fake, monkeypatch):
    monkeypatch.delenv("RINGOSTAT_AUTH_KEY", raising=False)
    async with watching(fake, auth_key=None) as w:
        failed = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                        if e.link is Link.FAILED])
        assert failed[0].message.startswith("Set source.auth_key in the config or "
                                            "$RINGOSTAT_AUTH_KEY")
        await asyncio.sleep(0.1)
        assert fake.requests == []  # nothing is sent without a key


async def test_the_key_can_come_from_the_environment(fake, monkeypatch):
    monkeypatch.setenv("RINGOSTAT_AUTH_KEY", KEY)
    async with watching(fake, auth_key=None) as w:
        await w.until(lambda: "101" in w.state.employees)
        assert w.state.connection.link is Link.LIVE


async def test_429_honours_retry_after_then_recovers(fake):
    async with watching(fake) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        fake.fail("/sipstatus/online", 429, retry_after="1")
        slowed = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                        if e.link is Link.RECONNECTING])
        asked = fake.asked("/sipstatus/online")
        assert slowed[0].message == ("Ringostat asks the wallboard to slow down (HTTP 429 for "
                                     "GET /sipstatus/online). Retrying in 1 s.")
        assert (slowed[0].retry_at - slowed[0].at).total_seconds() >= 1.0
        await asyncio.sleep(0.6)
        assert fake.asked("/sipstatus/online") == asked  # it waited, as asked
        await w.until(lambda: w.state.connection.link is Link.LIVE, timeout=3)
        assert fake.asked("/sipstatus/online") == asked + 1


async def test_5xx_backs_off_doubling_and_the_source_never_dies(fake):
    async with watching(fake) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        fake.fail("/sipstatus/speaking", 503, times=4)
        await w.until(lambda: len([e for e in w.of(ConnectionChanged)
                                   if e.link is Link.RECONNECTING]) >= 4, timeout=10)
        problems = [e for e in w.of(ConnectionChanged) if e.link is Link.RECONNECTING]
        assert problems[0].message.startswith(
            f"Ringostat at 127.0.0.1:{fake.port} has a problem: HTTP 503 (Service "
            "Unavailable) for GET /sipstatus/speaking.")
        waits = [(e.retry_at - e.at).total_seconds() for e in problems[:4]]
        # 0.02 s doubling with jitter of 0.5-1: each bound is twice the last
        for n, wait in enumerate(waits):
            assert 0.01 * 2**n <= wait <= 0.02 * 2**n + 1e-9
        await w.until(lambda: w.state.connection.link is Link.LIVE, timeout=5)


async def test_a_5xx_retry_after_is_honoured_too(fake):
    async with watching(fake) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        fake.fail("/sipstatus/online", 502, retry_after="2")
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert (problem[0].retry_at - problem[0].at).total_seconds() == 2.0


async def test_an_unreachable_host_is_one_sentence():
    fake = FakeRingostat()  # never started: nothing listens on port 9
    async with watching(fake, api_url="http://127.0.0.1:9") as w:
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert problem[0].message.startswith(
            "Cannot reach Ringostat at 127.0.0.1:9 (connection refused; check source.api_url).")


async def test_a_slow_host_times_out_in_one_sentence(fake):
    fake.delay = 1.0
    async with watching(fake, request_timeout_seconds=0.2) as w:
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert problem[0].message.startswith(
            f"Ringostat at 127.0.0.1:{fake.port} did not answer "
            "getProjectStaffListAndDirections within 0.2 s.")


@pytest.mark.parametrize(("body", "expected"), [
    (b"<html>oops</html>", "Ringostat sent an answer that is not JSON for GET /sipstatus/online."),
    ({"unexpected": 1}, "sent data the wallboard cannot read (/sipstatus/online is not a list"),
])
async def test_a_malformed_answer_is_one_sentence(fake, body, expected):
    async with watching(fake) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        fake.fail("/sipstatus/online", 200, body=body)
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert expected in problem[0].message
        await w.until(lambda: w.state.connection.link is Link.LIVE)


async def test_a_json_rpc_error_is_said_with_ringostat_s_words(fake):
    fake.staff.clear()
    async with watching(fake) as w:
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert problem[0].message.startswith(
            "Ringostat answered getProjectStaffListAndDirections with an error: "
            "User does not exist.")


async def test_the_legacy_host_gets_project_id_and_token_and_the_key_is_never_logged(caplog):
    fake = FakeRingostat(legacy=True)
    fake.add_employee("101", "Anna Nowak", "Sales", sips=("anna_desk",))
    fake.speaking.add("anna_desk")
    await fake.start()
    caplog.set_level(logging.DEBUG)
    try:
        async with watching(fake, legacy_auth=True) as w:
            await w.until(lambda: "101" in w.state.employees
                          and w.state.employees["101"].status is T)
            polled = [r for r in fake.requests if r.path == "/sipstatus/speakingNow"]
            assert polled and polled[0].params["token"] == KEY
            assert polled[0].params["project_id"] == str(PROJECT)
            assert polled[0].auth is None
            assert fake.asked("/sipstatus/speaking") == 0
    finally:
        await fake.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request: GET" in logged  # httpx did log its requests ...
    assert KEY not in logged  # ... without the key


def test_legacy_auth_follows_the_host_unless_told():
    assert settings("https://api.ringostat.com").uses_legacy_auth
    assert not settings("https://api.ringostat.net").uses_legacy_auth
    assert settings("https://api.ringostat.net", legacy_auth=True).uses_legacy_auth


async def test_polling_is_gentle_by_default(fake):
    """Defaults: statuses every 5 s; a client built from them waits that long."""
    client = RingostatClient(settings(fake.url), clock=ManualClock(T0))
    assert client.poll_seconds == 5.0
    events = client.events()
    started = time.monotonic()
    first = await anext(events)
    while client.polls < 1:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    assert client.polls == 1 and time.monotonic() - started < 4
    assert isinstance(first[0], ConnectionChanged) and isinstance(first[1], Snapshot)
    await client.aclose()
    await events.aclose()


async def test_the_status_line_says_where_live_calls_come_from(fake, monkeypatch):
    monkeypatch.delenv("RINGOSTAT_WEBHOOK_SECRET", raising=False)
    async with watching(fake) as w:  # a board on the source itself: nothing receives webhooks
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        assert w.state.connection.message == (
            f"Live from Ringostat at 127.0.0.1:{fake.port}: statuses every 0.02 s, no live "
            "calls here: only `wallboard serve` receives the webhooks.")
    async with watching(fake, webhook_secret=None) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        assert w.state.connection.message.endswith(
            "no live calls: set source.webhook_secret for the webhooks.")
        assert w.client.http_routes() == []


async def test_an_unexpected_failure_is_said_and_the_source_goes_on(fake, monkeypatch):
    async with watching(fake) as w:
        await w.until(lambda: w.state.connection.link is Link.LIVE)
        build = w.client.directory.build
        calls = {"n": 0}

        def broken(online, speaking):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("a bug")
            return build(online, speaking)

        monkeypatch.setattr(w.client.directory, "build", broken)
        problem = await w.until(lambda: [e for e in w.of(ConnectionChanged)
                                         if e.link is Link.RECONNECTING])
        assert problem[0].message == "Reading Ringostat failed unexpectedly (RuntimeError)."
        await w.until(lambda: w.state.connection.link is Link.LIVE)
