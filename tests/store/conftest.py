"""One store test suite, run against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database, postgres_cluster

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite3")
    base = request.getfixturevalue("postgres")
    return fresh_database(base, f"test{next(_names)}")
