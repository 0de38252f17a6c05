"""The audit log of supervisors joining calls and pausing agents: one JSON object per line,
appended.

Every listen session leaves a trail: ``refused`` (a rule said no before anything was dialled),
``error`` (the backend refused to start), then for a started session ``started``,
``active``, ``mode`` / ``muted`` / ``unmuted`` changes, and a last ``ended`` or
``failed`` line carrying the ``outcome``. Client numbers are masked (``+48 *** *** 123``)
unless ``supervisor.audit_mask_numbers = false``, whatever the screen shows.

Every pause or unpause of an agent leaves ``requested`` then ``paused`` / ``unpaused``
(or ``error``), or one ``refused`` line; these carry ``action`` (``pause`` or
``unpause``), ``manager_id``, ``manager`` and the ``reason``.

The file is ``listen-audit.jsonl`` in the platformdirs user log directory (on Linux
``~/.local/state/wallboard/log/``) unless ``supervisor.audit_log`` names another. It is
created on the first line written, readable and writable by its owner only (0600), and
the folders created for it are 0700 (an existing folder is left as it is). A log that
cannot be written is warned about once per distinct problem, not on every line.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from wallboard.config import APP_NAME, SupervisorConfig
from wallboard.core.clock import Clock
from wallboard.core.format import mask_number
from wallboard.core.listen import ListenMode, ListenSession, ListenState
from wallboard.core.models import Call, Employee
from wallboard.core.text import N_, Sentence

log = logging.getLogger(__name__)

AUDIT_FILE = "listen-audit.jsonl"


def default_audit_path() -> Path:
    return platformdirs.user_log_path(APP_NAME) / AUDIT_FILE


class AuditLog:
    """Appends audit lines; remembers what it last wrote of each session to log changes."""

    def __init__(self, path: Path | None, clock: Clock, *, mask_numbers: bool = True) -> None:
        self.path = path or default_audit_path()
        self.clock = clock
        self.mask_numbers = mask_numbers
        self._seen: dict[str, ListenSession] = {}
        self._context: dict[str, dict[str, Any]] = {}
        self.failed: str | None = None
        """Why the last write failed (a sentence for the user), if it did."""
        self._warned: set[str] = set()

    @classmethod
    def for_config(cls, settings: SupervisorConfig, clock: Clock) -> AuditLog:
        """The audit log ``[supervisor]`` asks for (its file, its masking)."""
        return cls(settings.audit_log, clock, mask_numbers=settings.audit_mask_numbers)

    # -- what happened -----------------------------------------------------------------
    def refused(self, *, supervisor: str | None, call: Call | None,
                employee: Employee | None, mode: ListenMode | None, reason: str,
                **who: str) -> None:
        """A rule said no before anything was dialled; ``who`` names the asker
        (``by``: the board's user or a feed token's name, ``address``: the client)."""
        self.write("refused", {**self._about(supervisor, call, employee), **who},
                   mode=mode, outcome="refused", message=reason)

    def error(self, *, supervisor: str, call: Call, employee: Employee | None,
              mode: ListenMode, reason: str, **who: str) -> None:
        """The backend would not start the session (no session id exists)."""
        self.write("error", {**self._about(supervisor, call, employee), **who},
                   mode=mode, outcome="failed", message=reason)

    def agent_action(self, event: str, *, employee_id: str, manager: str | None,
                     paused: bool, reason: str, outcome: str | None = None,
                     message: str | None = None, **who: str) -> None:
        """A step of a supervisor pausing (``paused``) or unpausing an agent: ``requested``,
        ``paused`` / ``unpaused``, ``refused`` or ``error``."""
        about = {"manager_id": employee_id, "manager": manager,
                 "action": "pause" if paused else "unpause", **who}
        self.write(event, about, reason=reason or None, outcome=outcome, message=message)

    def observe(self, session: ListenSession, call: Call | None,
                employee: Employee | None, **who: str) -> None:
        """A session update from the source: log what changed since the last one."""
        before = self._seen.get(session.id)
        if before is not None and before.state.finished:
            return
        context = self._context.setdefault(session.id, {})
        if call is not None or employee is not None or not context:
            fresh = self._about(session.supervisor, call, employee, session)
            context.update({k: v for k, v in fresh.items() if v is not None or k not in context})
        context.update(who)
        self._seen[session.id] = session
        fields: dict[str, Any] = {"mode": session.mode, "muted": session.muted}
        if before is None:
            self.write("started", context, at=session.started_at, **fields)
        else:
            if session.mode is not before.mode:
                self.write("mode", context, previous=before.mode, **fields)
            if session.muted is not before.muted:
                self.write("muted" if session.muted else "unmuted", context, **fields)
        if session.state is not (before.state if before else ListenState.CONNECTING):
            if session.state.finished:
                self.write(session.state.value, context, at=session.ended_at, **fields,
                           outcome=session.state.value, message=session.message)
                self._context.pop(session.id, None)
            else:
                self.write(session.state.value, context, **fields)

    # -- writing -----------------------------------------------------------------------
    def _about(self, supervisor: str | None, call: Call | None, employee: Employee | None,
               session: ListenSession | None = None) -> dict[str, Any]:
        client = call.client_number if call is not None else None
        if client and self.mask_numbers:
            client = mask_number(client)
        return {
            "session": session.id if session else None,
            "supervisor": supervisor,
            "call_id": call.id if call else (session.call_id if session else None),
            "manager_id": employee.id if employee else (
                call.employee_id if call else (session.employee_id if session else None)),
            "manager": employee.name if employee else None,
            "client": client,
        }

    def write(self, event: str, about: dict[str, Any], *, at: datetime | None = None,
              **fields: Any) -> None:
        line = {"at": (at or self.clock.now()).isoformat(), "event": event, **about}
        line.update({k: (v.value if isinstance(v, ListenMode) else v)
                     for k, v in fields.items() if v is not None and v != ""})
        try:
            _make_private_folder(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            with open(fd, "a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            self.failed = Sentence(N_("Cannot write the audit log {path} ({error})."),
                                   path=str(self.path), error=exc.strerror or "")
            if self.failed not in self._warned:  # once per distinct problem
                self._warned.add(self.failed)
                log.warning("%s", self.failed)
        else:
            self.failed = None


def _make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents as 0700; leave existing ones alone."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        path.chmod(0o700)  # mkdir's mode is cut by the umask
