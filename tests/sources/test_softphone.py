"""The softphone launcher: exact argv, no shell, clear errors, the session's life."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tests.support.sources import ScriptedSource
from wallboard.config import SoftphoneConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import CallEnded, ListenChanged, Snapshot
from wallboard.core.listen import ListenMode, ListenState
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.core.state import LiveState
from wallboard.sources.base import NotSupported, SourceError
from wallboard.sources.softphone import (
    SoftphoneSource,
    build_argv,
    manager_extension,
    substitute,
    with_softphone,
)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NASTY = "1001;touch pwned;$(touch pwned2)`touch pwned3`"
"""A manager extension full of shell metacharacters: it is refused, and nothing runs."""


def fake_program(tmp_path, name: str, body: str) -> None:  # type: ignore[no-untyped-def]
    """A program on PATH that writes its argv to argv.json, then runs ``body``."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    script = bindir / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, time, pathlib\n"
        f"pathlib.Path({str(tmp_path / 'argv.json')!r}).write_text(json.dumps(sys.argv))\n"
        + body + "\n"
    )
    script.chmod(0o755)


@pytest.fixture
def path_with_bin(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)  # a shell would create the pwned files here
    return tmp_path


def world(extension: str = "1001") -> Snapshot:
    anna = Employee(id="e1", name="Anna Nowak", project="acme", accounts=(
        SipAccount(id="PJSIP/1002-app", number="1002", status=AgentStatus.ONLINE),
        SipAccount(id="PJSIP/1001", number=extension, status=AgentStatus.TALKING),
    ))
    call = Call(id="c1", type=CallType.INCOMING, status=CallStatus.TALKING, employee_id="e1",
                client_number="+48 501 234 123", created_at=T0, answered_at=T0)
    return Snapshot(calls=(call,), employees=(anna,))


def settings(command: list[str], **more) -> SoftphoneConfig:  # type: ignore[no-untyped-def]
    more.setdefault("listen", "sip:*222{extension}@pbx.example.com")
    more.setdefault("coach", "sip:*223{extension}@pbx.example.com")
    return SoftphoneConfig(command=command, **more)


class Watch:
    """Runs the source's events into a LiveState."""

    def __init__(self, source: SoftphoneSource) -> None:
        self.source = source
        self.state = LiveState()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for batch in self.source.events():
            self.state.apply_all(batch)

    async def until(self, check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.01)

    def session(self):  # type: ignore[no-untyped-def]
        """The latest session (a blank one before the first update arrives)."""
        known = list(self.state.listen_sessions.values())
        return known[-1] if known else SimpleNamespace(state=None, message="")

    async def close(self) -> None:
        await self.source.aclose()
        self.task.cancel()


async def started(command, tmp_path, extension="1001", **more):  # type: ignore[no-untyped-def]
    inner = ScriptedSource(world(extension))
    source = SoftphoneSource(inner, settings(command, **more), ManualClock(T0))
    watch = Watch(source)
    await watch.until(lambda: watch.state.calls)
    return inner, source, watch


def test_substitution_is_one_pass_and_per_argument():
    assert substitute("sip:*222{extension}@pbx", {"extension": "{uri}"}) == "sip:*222{uri}@pbx"
    assert build_argv(["baresip", "-e", "/dial {uri}"], "sip:a b;c") == [
        "baresip", "-e", "/dial sip:a b;c"]
    anna = world().employees[0]
    assert manager_extension(anna) == ("PJSIP/1001", "1001")
    lone = Employee(id="e2", name="B", accounts=(SipAccount(id="PJSIP/2001"),))
    assert manager_extension(lone) == ("PJSIP/2001", "2001")
    assert manager_extension(Employee(id="e3", name="C")) is None


async def test_exact_argv_without_a_shell_then_active_then_stopped(path_with_bin):
    fake_program(path_with_bin, "fakephone", "")
    _, source, watch = await started(["fakephone", "-e", "/dial {uri}", "--literal"],
                                     path_with_bin, extension="*7#1001")
    assert source.listen_modes == {ListenMode.LISTEN, ListenMode.COACH}
    sid = await source.start_listen("c1", "PJSIP/1900", ListenMode.COACH)
    await watch.until(lambda: watch.state.listen_sessions
                      and watch.session().state is ListenState.ACTIVE)
    argv = json.loads((path_with_bin / "argv.json").read_text())
    assert argv[1:] == ["-e", "/dial sip:*223*7#1001@pbx.example.com", "--literal"]
    s = watch.session()
    assert (s.id, s.call_id, s.employee_id, s.supervisor, s.mode) == (
        sid, "c1", "e1", "PJSIP/1900", ListenMode.COACH)
    with pytest.raises(NotSupported, match="on the softphone itself"):
        await source.change_listen(sid, muted=True)
    await source.stop_listen(sid)
    await watch.until(lambda: watch.session().state is ListenState.ENDED)
    assert "hang up on your softphone" in watch.session().message
    await watch.close()


async def test_a_missing_program_is_a_clear_error(path_with_bin):
    _, source, watch = await started(["no-such-softphone-xyz", "--", "{uri}"], path_with_bin)
    with pytest.raises(SourceError, match="no program 'no-such-softphone-xyz' found"):
        await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    assert watch.state.listen_sessions == {}
    await watch.close()


async def test_a_non_zero_exit_fails_the_session_with_the_programs_words(path_with_bin):
    fake_program(path_with_bin, "fakephone",
                 "sys.stderr.write('warming up\\nno account registered\\n'); sys.exit(3)")
    _, source, watch = await started(["fakephone", "--", "{uri}"], path_with_bin)
    await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    await watch.until(lambda: watch.session().state is ListenState.FAILED)
    assert watch.session().message == (
        "The softphone command failed (exit status 3): no account registered.")
    await watch.close()


async def test_a_running_softphone_is_the_call_and_ends_with_it(path_with_bin):
    fake_program(path_with_bin, "fakephone", "time.sleep(30)")
    inner, source, watch = await started(["fakephone", "--", "{uri}"], path_with_bin,
                                         settle_seconds=0.2)
    sid = await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    await watch.until(lambda: watch.session().state is ListenState.ACTIVE)
    process = source.phones[sid].process
    assert process.returncode is None
    inner.push(CallEnded(call_id="c1", at=T0))
    await watch.until(lambda: watch.session().state is ListenState.ENDED)
    assert watch.session().message == "The call ended."
    await asyncio.wait_for(process.wait(), 5)  # the softphone was terminated
    await watch.close()


async def test_the_call_ending_while_connecting_fails_the_session(path_with_bin):
    fake_program(path_with_bin, "fakephone", "time.sleep(30)")
    inner, source, watch = await started(["fakephone", "--", "{uri}"], path_with_bin,
                                         settle_seconds=10)
    await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    await watch.until(lambda: watch.state.listen_sessions)
    inner.push(CallEnded(call_id="c1", at=T0))
    await watch.until(lambda: watch.session().state is ListenState.FAILED)
    assert "before you were connected" in watch.session().message
    await watch.close()


async def test_unconfigured_modes_and_unknown_calls_are_refused(path_with_bin):
    fake_program(path_with_bin, "fakephone", "")
    _, source, watch = await started(["fakephone", "--", "{uri}"], path_with_bin)
    with pytest.raises(NotSupported, match="supervisor.softphone.barge"):
        await source.start_listen("c1", "PJSIP/1900", ListenMode.BARGE)
    with pytest.raises(SourceError, match="already ended"):
        await source.start_listen("c404", "PJSIP/1900", ListenMode.LISTEN)
    await watch.close()


ONLY = "(only digits, letters, +, * and # can be dialled)"


@pytest.mark.parametrize(("extension", "problem"), [
    ("--help", "'--help' starts with '-'"),
    ("-e", "'-e' starts with '-'"),
    ("1001@evil.example.com;transport=tcp?",
     f"'1001@evil.example.com;transport=tcp?' contains '@' {ONLY}"),
    ("1001\n/quit", f"'1001\\n/quit' contains a space or a control character {ONLY}"),
    ("10 01", f"'10 01' contains a space or a control character {ONLY}"),
    ("1001;transport=tcp", f"'1001;transport=tcp' contains ';' {ONLY}"),
    ("1001?X-Header=1", f"'1001?X-Header=1' contains '?' {ONLY}"),
    ("1001\x00", f"'1001\\x00' contains a space or a control character {ONLY}"),
    (NASTY, f"'1001;touch pwned;$(touch pwned2)`touch …' contains ';' {ONLY}"),
])
async def test_an_extension_that_is_not_a_plain_dial_string_is_refused_and_nothing_runs(
    path_with_bin, extension, problem
):
    fake_program(path_with_bin, "fakephone", "")
    _, source, watch = await started(["fakephone", "-e", "/dial {uri}"], path_with_bin,
                                     extension=extension)
    with pytest.raises(SourceError) as refused:
        await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    assert str(refused.value) == (
        f"The manager's extension {problem}, so nothing was dialled.")
    assert not (path_with_bin / "argv.json").exists(), "the softphone was started"
    assert not list(path_with_bin.glob("pwned*"))
    assert watch.state.listen_sessions == {} and source.phones == {}
    await watch.close()


@pytest.mark.parametrize("extension", ["1001", "+48221001001", "*222#5", "alice.smith", "Bob_2"])
async def test_plain_extensions_and_sip_users_are_dialled(path_with_bin, extension):
    fake_program(path_with_bin, "fakephone", "")
    _, source, watch = await started(["fakephone", "-e", "/dial {uri}"], path_with_bin,
                                     extension=extension)
    await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    await watch.until(lambda: (path_with_bin / "argv.json").exists())
    argv = json.loads((path_with_bin / "argv.json").read_text())
    assert argv[1:] == ["-e", f"/dial sip:*222{extension}@pbx.example.com"]
    await watch.close()


def test_the_softphone_wraps_only_sources_that_cannot_join_calls():
    plain = ScriptedSource()
    clock = ManualClock(T0)
    configured = settings(["fakephone", "--", "{uri}"])
    assert with_softphone(plain, SoftphoneConfig(), clock) is plain
    assert isinstance(with_softphone(plain, configured, clock), SoftphoneSource)
    able = ScriptedSource()
    able.listen_modes = frozenset(ListenMode)
    assert with_softphone(able, configured, clock) is able
    preferred = configured.model_copy(update={"prefer": True})
    assert isinstance(with_softphone(able, preferred, clock), SoftphoneSource)


async def test_listen_changed_events_are_ordinary_events(path_with_bin):
    """The wrapper's events go through the same stream, next to the inner source's."""
    fake_program(path_with_bin, "fakephone", "")
    inner, source, watch = await started(["fakephone", "--", "{uri}"], path_with_bin)
    seen: list = []
    original = watch.state.apply

    def spy(event):  # type: ignore[no-untyped-def]
        seen.append(type(event))
        return original(event)

    watch.state.apply = spy  # type: ignore[method-assign]
    await source.start_listen("c1", "PJSIP/1900", ListenMode.LISTEN)
    await watch.until(lambda: ListenChanged in seen)
    await watch.close()
