"""Opening a store: SQLite (a file, or memory) or PostgreSQL, through SQLAlchemy Core.

Every database call runs on the store's own thread, never on the event loop: the board
keeps drawing and the server keeps streaming while the store reads or writes.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from wallboard.store import schema

T = TypeVar("T")
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
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas(self.memory))
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="wallboard-store")

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
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self.run, work)

    def submit(self, work: Callable[[Connection], T]) -> None:
        self._thread.submit(self.run, work)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
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
