"""The recorder's journal beside a SQLite file: a second of write operations is one line
appended to a plain file, and the file's lock says which recorder leads.

A second's operations reach the disk as one ``write`` to the file (the kernel keeps it
through a ``kill -9`` of the process, as it keeps a committed SQLite transaction in WAL
mode without an ``fsync``): no transaction, no page of the database touched, until the
tables are written every :data:`~wallboard.store.recorder.FILE_APPLY_SECONDS`. Each line also
carries the time, so the file is the heartbeat too: after a crash the next recorder knows
when the last one was still alive.

Who leads is the file's own lock (``flock``), held while the recorder lives: the kernel lets
it go the moment the process dies, so a standby on the same file takes over at once, and
no heartbeat needs writing to the database each second. (PostgreSQL, shared between
machines, keeps the journal table and the heartbeat of the lock row.)

A line is ``{"seq": n, "at": µs, "ops": [...]}``; the tables record the last ``seq`` they
hold (``wb_meta.journal_seq``, in the transaction that writes them), so a line applied
before a crash that came between that commit and the file's emptying is never applied twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic_core

SUFFIX = "-wbjournal"
"""Beside ``history.sqlite3``, as SQLite's own ``-wal`` and ``-shm`` files are."""


@dataclass(frozen=True)
class Line:
    seq: int
    at: int
    """µs since the epoch: when the recorder wrote it (its heartbeat)."""
    ops: list[list[Any]]


class JournalError(Exception):
    """The journal file cannot be used (one sentence)."""


class FileJournal:
    """The journal file of one SQLite store, and its lock."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + SUFFIX)
        self._fd: int | None = None
        self.held = False
        self._torn = False
        """The last append may have left part of a line (a full disk): the next line
        starts on a line of its own, so the part is left out alone when read."""

    def lead(self) -> bool:
        """Take the file's lock if nobody holds it; True while this journal holds it."""
        if self.held:
            return True
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another recorder leads
        except OSError as exc:
            raise JournalError(f"The history store's journal {self.path} cannot be opened: "
                               f"{exc.strerror or type(exc).__name__}.") from None
        self.held = True
        return True

    def led_elsewhere(self) -> bool:
        """True if another process holds the lock now (a recorder is writing)."""
        if self.held:
            return False
        if not self.path.exists():
            return False
        taken = self.lead()
        if taken:
            self.release()
        return not taken

    def append(self, seq: int, at: int, ops: list[Any]) -> None:
        """One line, in one write (call it holding the lock)."""
        assert self._fd is not None and self.held
        line = pydantic_core.to_json({"seq": seq, "at": at, "ops": ops}) + b"\n"
        if self._torn:
            line = b"\n" + line
        self._torn = True  # until the whole line is written
        try:
            written = os.write(self._fd, line)
        except OSError as exc:
            raise JournalError(f"The history store's journal {self.path} cannot be written: "
                               f"{exc.strerror or type(exc).__name__}.") from None
        if written != len(line):  # a full disk: the part written is left out when read
            raise JournalError(f"The history store's journal {self.path} cannot be written: "
                               "the disk is full.")
        self._torn = False

    def read(self) -> list[Line]:
        """Every whole line, in order (a line cut off by a full disk or a power loss is
        left out)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise JournalError(f"The history store's journal {self.path} cannot be read: "
                               f"{exc.strerror or type(exc).__name__}.") from None
        lines = []
        for raw in data.split(b"\n"):
            if not raw:
                continue
            try:
                found = pydantic_core.from_json(raw)
                lines.append(Line(int(found["seq"]), int(found["at"]), list(found["ops"])))
            except (ValueError, KeyError, TypeError):
                continue
        return lines

    def empty(self) -> None:
        """Everything in it is in the tables now."""
        assert self._fd is not None and self.held
        try:
            os.ftruncate(self._fd, 0)
            self._torn = False
        except OSError as exc:
            raise JournalError(f"The history store's journal {self.path} cannot be emptied: "
                               f"{exc.strerror or type(exc).__name__}.") from None

    def release(self) -> None:
        """Let the lock go (a clean stop; a crash lets it go by itself)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the file lets its lock go
        self._fd = None
        self.held = False
