"""Schema versions: a new store is stamped, an older one is upgraded step by step in
transactions, a newer one is refused with a sentence."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from wallboard.store import StoreError, open_store, schema
from wallboard.store.db import set_meta


def version(store) -> int:  # type: ignore[no-untyped-def]
    return int(store.run(lambda c: store.get_meta(c, "schema_version")))


def test_a_new_store_is_stamped_with_the_current_version(store_url: str):
    store = open_store(store_url)
    try:
        assert version(store) == schema.SCHEMA_VERSION == 4
    finally:
        store.close()


def test_an_older_store_is_upgraded_once(store_url: str, monkeypatch):
    open_store(store_url).close()  # version 4 on disk

    def add_note_column(connection: Connection) -> None:
        connection.execute(text("ALTER TABLE wb_calls ADD COLUMN note TEXT"))

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    monkeypatch.setitem(schema.MIGRATIONS, 5, add_note_column)
    store = open_store(store_url)
    try:
        assert version(store) == 5
        store.run(lambda c: c.execute(text("UPDATE wb_calls SET note = 'x'")))  # it exists
    finally:
        store.close()
    store = open_store(store_url)  # opening again migrates nothing more
    try:
        assert version(store) == 5
    finally:
        store.close()


def test_a_store_from_a_newer_wallboard_is_refused(store_url: str):
    store = open_store(store_url)
    store.run(lambda c: set_meta(c, "schema_version", "99"))
    store.close()
    with pytest.raises(StoreError, match=r"newer wallboard \(schema 99, this one knows 4\)"):
        open_store(store_url)


def test_an_unreachable_store_is_one_sentence_without_the_password():
    with pytest.raises(StoreError) as info:
        open_store("postgresql://wallboard:s3cret-pass@127.0.0.1:1/nowhere")
    message = str(info.value)
    assert message.startswith("Cannot open the history store postgresql://127.0.0.1:1/nowhere")
    assert "s3cret" not in message and "\n" not in message


def open_agent_index(connection: Connection) -> str:
    """How the database itself describes the open agent states' index."""
    if connection.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = 'wb_agent_states_open'"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'wb_agent_states_open'"
    return str(connection.execute(text(query)).scalar()).lower()


def test_schema_3_keeps_only_the_open_agent_states_in_their_index(store_url: str):
    store = open_store(store_url)
    try:
        store.run(lambda c: c.execute(schema.agent_states.insert(), [
            {"employee_id": "e1", "state": "ready", "queues": "sales",
             "start_us": 1_000, "end_us": 2_000},
            {"employee_id": "e1", "state": "paused", "queues": "sales",
             "start_us": 2_000, "end_us": None}]))

        def schema_2(connection: Connection) -> None:  # as a schema-2 wallboard left it
            connection.execute(text("DROP INDEX wb_agent_states_open"))
            connection.execute(text("CREATE INDEX wb_agent_states_open "
                                    "ON wb_agent_states (employee_id, end_us)"))
            set_meta(connection, "schema_version", "2")

        store.run(schema_2)
        assert "where" not in store.run(open_agent_index)
    finally:
        store.close()
    store = open_store(store_url)  # opening it upgrades it (to 3, then 4)
    try:
        assert version(store) == 4
        assert "where" in store.run(open_agent_index)
        assert "end_us is null" in store.run(open_agent_index)
        rows = store.run(lambda c: c.execute(text(
            "SELECT state, start_us, end_us FROM wb_agent_states ORDER BY start_us")).all())
        assert [tuple(r) for r in rows] == [("ready", 1_000, 2_000), ("paused", 2_000, None)]
    finally:
        store.close()


def test_schema_4_adds_the_recorder_s_journal_and_keeps_the_rest(store_url: str):
    store = open_store(store_url)
    try:
        store.run(lambda c: c.execute(schema.statuses.insert().values(
            employee_id="e1", account_id="a1", status="talking", start_us=5_000, end_us=None)))

        def schema_3(connection: Connection) -> None:  # as a schema-3 wallboard left it
            connection.execute(text("DROP TABLE wb_journal"))
            set_meta(connection, "schema_version", "3")

        store.run(schema_3)
    finally:
        store.close()
    store = open_store(store_url)  # opening it upgrades it
    try:
        assert version(store) == 4
        assert store.run(lambda c: c.execute(text("SELECT count(*) FROM wb_journal")).scalar()) == 0
        rows = store.run(lambda c: c.execute(text(
            "SELECT account_id, status, start_us, end_us FROM wb_statuses")).all())
        assert [tuple(r) for r in rows] == [("a1", "talking", 5_000, None)]
    finally:
        store.close()
