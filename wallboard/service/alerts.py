"""The alert desk: the ``[[alerts]]`` rules judged once a second against the live figures,
for the board and for ``wallboard serve`` alike.

What changed goes to the listeners (the board rings its bell and sends OSC 9/777
notifications), to the store (the recorder writes alerts and acknowledgements) and to the
optional hook: a program run without a shell, the alert as JSON on its standard input, at
most ``hook_per_minute`` times a minute (the rest are skipped and logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallboard.core.alerts import Alert, AlertChange, AlertEngine, Change, Level
from wallboard.core.clock import Clock
from wallboard.core.state import LiveState

log = logging.getLogger(__name__)

AlertListener = Callable[[list[AlertChange]], None]


@dataclass(frozen=True)
class HookSettings:
    argv: tuple[str, ...] = ()
    per_minute: int = 6
    timeout_seconds: float = 10.0


def alert_json(alert: Alert) -> dict[str, Any]:
    def stamp(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    return {"id": alert.id, "rule": alert.rule, "metric": alert.metric.value,
            "subject": alert.subject, "name": alert.subject_name, "level": alert.level.value,
            "value": alert.value, "text": alert.message, "quiet": alert.quiet,
            "started_at": stamp(alert.started_at), "changed_at": stamp(alert.changed_at),
            "ended_at": stamp(alert.ended_at), "acknowledged_at": stamp(alert.acknowledged_at),
            "acknowledged_by": alert.acknowledged_by}


class AlertDesk:
    def __init__(self, state: LiveState, clock: Clock, engine: AlertEngine,
                 hook: HookSettings | None = None, title: str = "") -> None:
        self.state = state
        self.clock = clock
        self.engine = engine
        self.hook = hook or HookSettings()
        self.title = title
        self.record: Callable[[AlertChange, Level], None] | None = None
        """Where changes are recorded (set once the store's recorder leads)."""
        self._listeners: list[AlertListener] = []
        self._worst: dict[str, Level] = {}
        self._hook_runs: deque[float] = deque()
        self._hook_tasks: set[asyncio.Task[None]] = set()
        self.hook_skipped = 0

    # -- listeners -----------------------------------------------------------------------------
    def subscribe(self, listener: AlertListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- the clock -------------------------------------------------------------------------------
    async def run(self, interval: float = 1.0) -> None:
        while True:
            try:
                self.tick()
            except Exception as exc:  # a rule's bug must not stop the others for good
                log.error("Judging the alert rules failed: %s", type(exc).__name__)
            await asyncio.sleep(interval)

    def tick(self, now: datetime | None = None) -> list[AlertChange]:
        """Judge every rule now; tell everyone what changed."""
        if not self.engine.rules or not self.state.synced:
            return []
        now = now or self.clock.now()
        state = self.state
        view = state.metrics.view(now, state.queues)
        agents = [a for e in state.employees if (a := state.agent(e)) is not None]
        names = {e.id: e.name for e in state.employees.values()}
        changes = self.engine.evaluate(now, view, agents, names)
        self._publish(changes)
        return changes

    def acknowledge(self, alert_id: str, by: str) -> AlertChange | None:
        """Stop an alert's bell (recorded with who acknowledged it)."""
        change = self.engine.acknowledge(alert_id, by, self.clock.now())
        if change is not None:
            self._publish([change])
        return change

    def _publish(self, changes: Sequence[AlertChange]) -> None:
        if not changes:
            return
        for change in changes:
            alert = change.alert
            worst = self._worst.get(alert.id)
            if worst is None or alert.level.rank > worst.rank or change.change is Change.FIRED:
                worst = alert.level
            self._worst[alert.id] = worst
            if self.record is not None:
                self.record(change, worst)
            if change.change is Change.ENDED:
                self._worst.pop(alert.id, None)
            if self.hook.argv and (change.notifies or change.change is Change.ENDED) \
                    and not alert.quiet:
                self._run_hook(change)
        for listener in list(self._listeners):
            listener(list(changes))

    # -- the hook --------------------------------------------------------------------------------
    def _run_hook(self, change: AlertChange) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        runs = self._hook_runs
        while runs and now - runs[0] >= 60.0:
            runs.popleft()
        if len(runs) >= self.hook.per_minute:
            self.hook_skipped += 1
            log.warning("The alert hook ran %d times in the last minute; skipped: %s",
                        len(runs), change.alert.message)
            return
        runs.append(now)
        payload = json.dumps({"change": change.change.value, "board": self.title,
                              "alert": alert_json(change.alert)}, ensure_ascii=False)
        task = loop.create_task(self._hook(payload.encode()))
        self._hook_tasks.add(task)
        task.add_done_callback(self._hook_tasks.discard)

    async def _hook(self, payload: bytes) -> None:
        argv = self.hook.argv
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL)
        except OSError as exc:
            log.warning("The alert hook %s could not run: %s", argv[0],
                        exc.strerror or type(exc).__name__)
            return
        try:
            await asyncio.wait_for(process.communicate(payload), self.hook.timeout_seconds)
        except TimeoutError:
            log.warning("The alert hook %s ran longer than %g s and was stopped.", argv[0],
                        self.hook.timeout_seconds)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            return
        if process.returncode:
            log.warning("The alert hook %s failed (exit status %s).", argv[0],
                        process.returncode)

    async def aclose(self) -> None:
        for task in list(self._hook_tasks):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, self.hook.timeout_seconds)
