"""Joining calls through the supervisor's softphone and the PBX's spy feature codes.

Any PBX with a spy feature code (Asterisk's ChanSpy behind ``*222``, FreePBX's ``555``,
...) can be used, whatever the board's source: :class:`SoftphoneSource` wraps the source
and adds listen sessions of its own. Starting one builds a SIP URI from the mode's
pattern (``sip:*222{extension}@pbx.example.com``, the manager's extension filled in)
and runs the configured command (``["baresip", "-e", "/dial {uri}"]``) with the URI put
in place of ``{uri}`` in each argument — no shell, so nothing in a number is ever
interpreted. Every value put into the URI (the extension, the account, the call id), from
whatever source, must first be a plain dial string (:data:`wallboard.checks.DIAL_VALUE`:
digits, letters, ``+``, ``*``, ``#``); anything else (``1001@evil.example.com;transport=tcp``,
``--help``, a newline) is refused with a sentence and nothing is run. The config refuses a
command whose argument is ``{uri}`` alone, so a value could never become an option anyway.

A session is *connecting* while the command runs. A command that exits at once with
status 0 (``xdg-open``, a command talking to a running softphone) hands the call over:
the session is *active* until the call ends or the supervisor ends it. A command still
running after ``settle_seconds`` *is* the call (e.g. ``baresip``): *active* until it
exits, and ending the session terminates it. A missing program is refused at once; a
non-zero exit fails the session with the program's last words.

The mode cannot be switched, nor the supervisor muted, from here: the call belongs to
the softphone (ChanSpy's ``d`` option switches modes with the keypad).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from wallboard.checks import dial_value_problem, shown
from wallboard.config import SoftphoneConfig
from wallboard.core.clock import Clock
from wallboard.core.events import CallEnded, Event, ListenChanged
from wallboard.core.history import CallRecord, ManagerHistory
from wallboard.core.listen import ListenMode, ListenSession, ListenState, new_session_id
from wallboard.core.models import AgentStatus, Employee
from wallboard.core.state import LiveState
from wallboard.sources.base import NotSupported, Source, SourceError

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

_PLACEHOLDER = re.compile(r"{(\w+)}")
TERMINATE_SECONDS = 2.0


def substitute(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` by its value in one pass: a value is never expanded again."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def manager_extension(employee: Employee) -> tuple[str, str] | None:
    """The manager's account to spy on and its extension: the talking one first."""
    ranked = sorted(employee.accounts, key=lambda a: a.status is not AgentStatus.TALKING)
    for account in ranked:
        extension = account.number or account.id.rpartition("/")[2]
        if extension:
            return account.id, extension
    return None


_WHAT = {"extension": "The manager's extension", "account": "The manager's account",
         "call_id": "The call's id"}


def dialable(pattern: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values ``pattern`` uses, each checked to be a plain dial string; a value that is
    not raises SourceError with a sentence, so nothing is dialled."""
    used = {name: values[name] for name in _PLACEHOLDER.findall(pattern) if name in values}
    for name, value in used.items():
        problem = dial_value_problem(value)
        if problem:
            raise SourceError(f"{_WHAT.get(name, name)} '{shown(value)}' {problem}, so "
                              "nothing was dialled.")
    return used


def build_argv(command: list[str], uri: str) -> list[str]:
    return [substitute(arg, {"uri": uri}) for arg in command]


@dataclass
class _Phone:
    session: ListenSession
    process: asyncio.subprocess.Process
    watcher: asyncio.Task[None] | None = None
    stopping: bool = False


class SoftphoneSource(Source):
    """The wrapped source's events, plus listen sessions run through a softphone."""

    def __init__(self, inner: Source, settings: SoftphoneConfig, clock: Clock) -> None:
        self.inner = inner
        self.settings = settings
        self.clock = clock
        self.title = inner.title
        self.patterns = settings.patterns()
        self.listen_modes = frozenset(self.patterns)
        self.default_supervisor = inner.default_supervisor
        self.state = LiveState()
        """The calls and managers as the wrapped source told them (to find extensions)."""
        self.phones: dict[str, _Phone] = {}
        self._queue: asyncio.Queue[list[Event] | BaseException | None] = asyncio.Queue()

    # -- events: the inner source's, and ours ---------------------------------------------
    async def events(self) -> AsyncIterator[list[Event]]:
        pump = asyncio.create_task(self._pump())
        try:
            while True:
                item = await self._queue.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump

    async def _pump(self) -> None:
        try:
            async for batch in self.inner.events():
                self.state.apply_all(batch)
                ended = {e.call_id for e in batch if isinstance(e, CallEnded)}
                for phone in list(self.phones.values()):
                    if phone.session.call_id in ended or phone.session.call_id not in (
                        self.state.calls
                    ):
                        self._call_ended(phone)
                self._queue.put_nowait(batch)
        except Exception as exc:  # the app reports it, as for any source
            self._queue.put_nowait(exc)
        else:
            self._queue.put_nowait(None)

    async def aclose(self) -> None:
        for phone in list(self.phones.values()):
            await self._finish(phone, ListenState.ENDED, "The wallboard closed.")
        await self.inner.aclose()

    # -- the rest of the Source API goes to the wrapped source ----------------------------
    async def manager_history(
        self, employee_id: str, start: datetime, end: datetime
    ) -> ManagerHistory:
        return await self.inner.manager_history(employee_id, start, end)

    async def call_log(self, employee_id: str, start: datetime, end: datetime) -> list[CallRecord]:
        return await self.inner.call_log(employee_id, start, end)

    def http_routes(self) -> list[BaseRoute]:
        return self.inner.http_routes()

    # -- listen ------------------------------------------------------------------------
    async def start_listen(self, call_id: str, supervisor: str, mode: ListenMode) -> str:
        pattern = self.patterns.get(mode)
        if pattern is None:
            raise NotSupported(f"No supervisor.softphone.{mode.value} URI is configured.")
        call = self.state.calls.get(call_id)
        if call is None:
            raise SourceError("That call has already ended.")
        employee = self.state.employees.get(call.employee_id or "")
        found = manager_extension(employee) if employee else None
        if employee is None or found is None:
            raise SourceError("The call's manager has no extension to dial.")
        account, extension = found
        values = {"extension": extension, "account": account, "call_id": call_id}
        uri = substitute(pattern, dialable(pattern, values))
        process = await self._launch(build_argv(self.settings.command, uri))
        phone = _Phone(
            ListenSession(
                id=new_session_id("softphone"),
                call_id=call_id,
                employee_id=employee.id,
                supervisor=supervisor,
                mode=mode,
                started_at=self.clock.now(),
            ),
            process,
        )
        self.phones[phone.session.id] = phone
        self._publish(phone)
        phone.watcher = asyncio.create_task(self._watch(phone))
        return phone.session.id

    async def change_listen(
        self, session_id: str, *, mode: ListenMode | None = None, muted: bool | None = None
    ) -> None:
        raise NotSupported(
            "A softphone session is changed on the softphone itself "
            "(with ChanSpy's d option: 4 listen, 5 coach, 6 barge)."
        )

    async def stop_listen(self, session_id: str) -> None:
        phone = self.phones.get(session_id)
        if phone is None:
            raise SourceError("This listen session has already ended.")
        message = "Stopped by the supervisor."
        if phone.process.returncode is not None:
            message = "Ended on the wallboard; hang up on your softphone if the call is still open."
        await self._finish(phone, ListenState.ENDED, message)

    # -- the process ---------------------------------------------------------------------
    async def _launch(self, argv: list[str]) -> asyncio.subprocess.Process:
        where = "(supervisor.softphone.command)"
        try:
            return await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError:
            raise SourceError(
                f"Cannot start the softphone: no program {argv[0]!r} found {where}."
            ) from None
        except PermissionError:
            raise SourceError(
                f"Cannot start the softphone: {argv[0]!r} is not executable {where}."
            ) from None
        except OSError as exc:
            raise SourceError(
                f"Cannot start the softphone {argv[0]!r}: {exc.strerror} {where}."
            ) from None

    async def _watch(self, phone: _Phone) -> None:
        output = asyncio.ensure_future(phone.process.communicate())
        done, _ = await asyncio.wait({output}, timeout=self.settings.settle_seconds)
        if not done:  # still running: the command is the call
            self._set_active(phone)
        _, stderr = await output
        code = phone.process.returncode
        if phone.stopping:
            return
        if code != 0:
            last = _last_line(stderr)
            await self._finish(phone, ListenState.FAILED, (
                f"The softphone command failed (exit status {code})"
                + (f": {last}" if last else "") + "."
            ))
        elif done:
            self._set_active(phone)  # handed over; the softphone has the call now
        else:
            await self._finish(phone, ListenState.ENDED, "The softphone hung up.")

    def _set_active(self, phone: _Phone) -> None:
        if phone.session.state is ListenState.CONNECTING and not phone.stopping:
            self._publish(phone, state=ListenState.ACTIVE)

    def _call_ended(self, phone: _Phone) -> None:
        if phone.session.state is ListenState.CONNECTING:
            outcome, message = ListenState.FAILED, "The call ended before you were connected."
        else:
            outcome, message = ListenState.ENDED, "The call ended."
        phone.stopping = True
        self.phones.pop(phone.session.id, None)
        self._publish(phone, state=outcome, message=message, ended_at=self.clock.now())
        asyncio.ensure_future(self._terminate(phone))

    async def _finish(self, phone: _Phone, state: ListenState, message: str) -> None:
        if self.phones.pop(phone.session.id, None) is None:
            return
        phone.stopping = True
        self._publish(phone, state=state, message=message, ended_at=self.clock.now())
        await self._terminate(phone)

    async def _terminate(self, phone: _Phone) -> None:
        process = phone.process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), TERMINATE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        if phone.watcher is not None and phone.watcher is not asyncio.current_task():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(phone.watcher, TERMINATE_SECONDS)

    def _publish(self, phone: _Phone, **update: object) -> None:
        phone.session = phone.session.model_copy(update=update)
        self._queue.put_nowait([ListenChanged(session=phone.session)])


def _last_line(data: bytes | None) -> str:
    lines = (data or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip()[:200] if lines else ""


def with_softphone(source: Source, settings: SoftphoneConfig, clock: Clock) -> Source:
    """The source, wrapped to join calls through the softphone when one is configured
    and the source cannot join calls itself (or ``prefer`` asks for the softphone)."""
    if not settings.patterns() or (source.listen_modes and not settings.prefer):
        return source
    return SoftphoneSource(source, settings, clock)
