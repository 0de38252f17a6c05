"""Opening a store: SQLite (a file, or memory) or PostgreSQL, through SQLAlchemy Core.

Every database call runs on the store's own thread, never on the event loop: the board
keeps drawing and the server keeps streaming while the store reads or writes. The thread
also keeps a beat of its own (the recorder's heartbeat, :meth:`Store.beat`): it wakes for
it by itself, so a second of recording does not wake the event loop at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from wallboard.store import schema
from wallboard.store.journal import FileJournal

T = TypeVar("T")
log = logging.getLogger(__name__)
APP_NAME = "wallboard"
WAL_CHECKPOINT_PAGES = 10_000
"""SQLite's default is 1,000 pages (4 MB)."""


class StoreError(Exception):
    """The store cannot be used, said in one sentence (never with a password)."""


def default_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "history.sqlite3"


def engine_url(url: str) -> str:
    """``[store] url`` as SQLAlchemy wants it: a path or sqlite:/// URL, ``memory``, or a
    postgresql:// URL (driven by psycopg 3)."""
    url = url.strip()
    if url == "memory":
        return f"sqlite:///file:wallboard-{uuid.uuid4().hex}?mode=memory&cache=shared&uri=true"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("sqlite:", "postgresql+")):
        return url
    return f"sqlite:///{Path(url).expanduser()}"


def describe(url: str) -> str:
    """The store's address without a password, for messages."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.rsplit('@', 1)[1]}"


class Store:
    """One database and the one thread that talks to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = describe(url)
        target = engine_url(url)
        self.memory = "mode=memory" in target
        options: dict[str, Any] = {}
        if target.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 10}
            if self.memory:
                options["poolclass"] = StaticPool
            else:
                Path(target.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(target, **options)
        self.dialect = self.engine.dialect.name
        database = self.engine.url.database
        self.journal = FileJournal(Path(database)) if (
            self.dialect == "sqlite" and not self.memory and database) else None
        """A SQLite file's recorder journals to a file beside it (store/journal.py)."""
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas(self.memory))
        self._thread = _Thread()

    # -- running work on the store's thread ------------------------------------------------
    def run(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction, here and now (call it on the store's thread)."""
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            raise StoreError(f"The history store {self.where} failed: "
                             f"{type(cause).__name__}.") from None

    async def call(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction on the store's thread."""
        return await asyncio.wrap_future(self._thread.submit(lambda: self.run(work)))

    async def do(self, work: Callable[[], T]) -> T:
        """``work`` on the store's thread, as it is (it opens its own transactions)."""
        return await asyncio.wrap_future(self._thread.submit(work))

    def beat(self, seconds: float | None, work: Callable[[], object] | None = None) -> None:
        """Run ``work`` on the store's thread every ``seconds``, between other work, until
        called again (None: no beat)."""
        self._thread.set_beat(None if seconds is None or work is None else (seconds, work))

    def close(self) -> None:
        self._thread.close()
        if self.journal is not None:
            self.journal.release()
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Create the tables, or bring an older store up to date (on the calling thread)."""
        try:
            schema.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot open the history store {self.where}: "
                             f"{_reason(exc)}") from None
        self.run(_migrate)

    def get_meta(self, connection: Connection, key: str) -> str | None:
        return connection.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()

    def set_meta(self, connection: Connection, key: str, value: str) -> None:
        set_meta(connection, key, value)


class _Thread:
    """One thread running work in order, and a beat between: it sleeps until work comes or
    the beat is due (a thread pool's worker would need the event loop to time the beat)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = \
            queue.SimpleQueue()
        self._beat: tuple[float, Callable[[], object]] | None = None
        self._due = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, work: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        if self._closed:
            future.set_exception(RuntimeError("the store is closed"))
            return future
        self._started()
        self._queue.put((future, work))
        return future

    def set_beat(self, beat: tuple[float, Callable[[], object]] | None) -> None:
        if self._closed:
            return
        self._beat = beat
        if beat is not None:
            self._due = time.monotonic() + beat[0]
            self._started()
        if self._thread is not None:
            self._queue.put(None)  # wakes the thread, which looks at its beat again

    def close(self) -> None:
        self._closed = True
        self._beat = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()

    def _started(self) -> None:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._main, name="wallboard-store",
                                                daemon=True)
                self._thread.start()

    def _main(self) -> None:
        while True:
            beat = self._beat
            try:
                item = self._queue.get(timeout=None if beat is None
                                       else max(0.0, self._due - time.monotonic()))
            except queue.Empty:
                item = None
            if item is not None:
                future, work = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(work())
                    except BaseException as exc:  # handed to whoever awaits it
                        future.set_exception(exc)
                continue
            if self._closed and self._queue.empty():
                return
            if beat is not None and beat is self._beat and time.monotonic() >= self._due:
                now = time.monotonic()
                self._due += beat[0]
                if self._due <= now:  # late (a long write): the next beat a period from now
                    self._due = now + beat[0]
                try:
                    beat[1]()
                except Exception as exc:  # a broken beat must not end the thread
                    log.error("The store's beat failed: %s", type(exc).__name__)


def set_meta(connection: Connection, key: str, value: str) -> None:
    found = connection.execute(update(schema.meta).where(schema.meta.c.key == key)
                               .values(value=value))
    if found.rowcount == 0:
        connection.execute(insert(schema.meta).values(key=key, value=value))


def _migrate(connection: Connection) -> None:
    raw = connection.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
    version = int(raw) if raw else 0
    if version > schema.SCHEMA_VERSION:
        raise StoreError(f"The history store was written by a newer wallboard (schema "
                         f"{version}, this one knows {schema.SCHEMA_VERSION}).")
    if version == 0:  # just created
        set_meta(connection, "schema_version", str(schema.SCHEMA_VERSION))
        set_meta(connection, "created", json.dumps({"schema": schema.SCHEMA_VERSION}))
        return
    for step in range(version + 1, schema.SCHEMA_VERSION + 1):
        schema.MIGRATIONS[step](connection)
        set_meta(connection, "schema_version", str(step))


def _sqlite_pragmas(memory: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not memory:
            # WAL: readers never block the writer; a commit survives a kill -9 of the
            # process. NORMAL: fsync at checkpoints, not at every commit.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint every ~40 MB of WAL instead of 4 MB: pages the recorder rewrites
            # every second (open intervals, the newest rows) are copied into the file once
            # per checkpoint, not once per few seconds (-22 % of the store's CPU, measured
            # in docs/store.md); commits are as safe, the WAL file is just larger.
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
    return on_connect


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.rstrip(".")[:200] + "."
