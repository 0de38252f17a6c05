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
        assert version(store) == schema.SCHEMA_VERSION == 2
    finally:
        store.close()


def test_an_older_store_is_upgraded_once(store_url: str, monkeypatch):
    open_store(store_url).close()  # version 2 on disk

    def add_note_column(connection: Connection) -> None:
        connection.execute(text("ALTER TABLE wb_calls ADD COLUMN note TEXT"))

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(schema.MIGRATIONS, 3, add_note_column)
    store = open_store(store_url)
    try:
        assert version(store) == 3
        store.run(lambda c: c.execute(text("UPDATE wb_calls SET note = 'x'")))  # it exists
    finally:
        store.close()
    store = open_store(store_url)  # opening again migrates nothing more
    try:
        assert version(store) == 3
    finally:
        store.close()


def test_a_store_from_a_newer_wallboard_is_refused(store_url: str):
    store = open_store(store_url)
    store.run(lambda c: set_meta(c, "schema_version", "99"))
    store.close()
    with pytest.raises(StoreError, match=r"newer wallboard \(schema 99, this one knows 2\)"):
        open_store(store_url)


def test_an_unreachable_store_is_one_sentence_without_the_password():
    with pytest.raises(StoreError) as info:
        open_store("postgresql://wallboard:s3cret-pass@127.0.0.1:1/nowhere")
    message = str(info.value)
    assert message.startswith("Cannot open the history store postgresql://127.0.0.1:1/nowhere")
    assert "s3cret" not in message and "\n" not in message
