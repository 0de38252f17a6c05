"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, a free
loopback port, torn down after. As root the server runs as the ``postgres`` system user
(PostgreSQL refuses to run as root); as anyone else, as that user.

Missing PostgreSQL skips the tests that need it, with the reason — except in CI
(``WALLBOARD_CI=1``), where it is an error: a skip must never hide a feature there.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(reason: str) -> None:
    if os.environ.get("WALLBOARD_CI") == "1":
        pytest.fail(f"{reason} (CI must run the PostgreSQL tests; see scripts/test.sh)")
    pytest.skip(reason)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields a postgresql:// URL of an empty database ``wallboard``."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        _missing("PostgreSQL (initdb, pg_ctl) is not installed")
    assert initdb and pg_ctl
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _missing("running as root needs the 'postgres' user to own the cluster")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="wallboard-pg-"))
    data = base / "data"
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "wallboard", "-A", "trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, env=env)
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l",
                        str(base / "log"), "-w", "start"], check=True, capture_output=True,
                       env=env)
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.1)
        subprocess.run([*prefix, _bin("createdb") or "createdb", "-h", "127.0.0.1", "-p",
                        str(port), "-U", "wallboard", "wallboard"], check=True,
                       capture_output=True, env=env)
        yield f"postgresql://wallboard@127.0.0.1:{port}/wallboard"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, env=env)
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new empty database next to ``url``'s, for one test."""
    import psycopg

    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"
