"""INSERT … ON CONFLICT DO UPDATE, which SQLite and PostgreSQL spell the same way but
SQLAlchemy builds per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(connection: Connection, dialect: str, table: Table, row: dict[str, Any],
           keep: tuple[str, ...] = ()) -> None:
    """Insert ``row``, or update every column but the key and ``keep`` if it exists."""
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = build(table).values(**row)
    keys = [c.name for c in table.primary_key.columns]
    changes = {name: statement.excluded[name] for name in row
               if name not in keys and name not in keep}
    if changes:
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes))
    else:
        connection.execute(statement.on_conflict_do_nothing(index_elements=keys))
