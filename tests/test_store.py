"""Storage: schema versions, state kept across restarts, and /forget really erasing bytes."""

import sqlite3

from bot.engine import Engine
from bot.engine.testing import ChatClient
from bot.store import MIGRATIONS, Store


def test_schema_is_versioned_and_migrations_run_once(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    store = Store(path)  # reopening applies nothing twice
    assert store.schema_version == len(MIGRATIONS)
    assert {"users", "sessions", "cases", "case_messages", "meta"} <= set(store.db.table_names())
    assert store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_state_survives_a_restart(bundle, tmp_path):
    path = tmp_path / "s.db"
    chat = ChatClient(Engine(bundle, Store(path)))
    chat.onboard(origin="Nepal", destination="Malaysia")
    chat.press("Costs: visas and fees")
    # a new process: same file, new engine
    again = ChatClient(Engine(bundle, Store(path)))
    again.send("1")  # "1" on the costs screen is its first button, not a main-menu item
    assert again.screen == "costs_fees"
    assert "Nepal" in again.text or "NPR" in again.text


def test_menu_use_stores_no_message_text(chat, store):
    chat.onboard()
    chat.send("my secret words 12345")
    raw = b"".join(bytes(str(row), "utf-8") for t in store.db.table_names() for row in store.db[t].rows)
    assert b"secret words" not in raw


def test_forget_erases_the_bytes_from_the_file(bundle, tmp_path):
    path = tmp_path / "f.db"
    store = Store(path)
    chat = ChatClient(Engine(bundle, store), user_id="tg:424242")
    chat.onboard()
    chat.press("Talk to a person")
    chat.press("Yes, talk to a person")
    chat.send("UNIQUE-MARKER-my sister is in Bavet")  # goes into the case
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"UNIQUE-MARKER" in path.read_bytes()
    chat.send("/forget")
    chat.press("Yes, delete everything")
    assert "deleted" in chat.text
    store.close()
    for f in tmp_path.iterdir():
        assert b"UNIQUE-MARKER" not in f.read_bytes(), f
        assert b"tg:424242" not in f.read_bytes(), f
    # and the user starts from the beginning
    chat2 = ChatClient(Engine(bundle, Store(path)), user_id="tg:424242")
    chat2.send("/start")
    assert chat2.screen == "ask_role"


def test_a_store_written_by_a_newer_version_is_not_touched(tmp_path):
    path = tmp_path / "n.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    store = Store(path)
    assert store.schema_version == 999


def test_a_case_and_its_relays_are_written_together_or_not_at_all(tmp_path, monkeypatch):
    from bot import cases
    from bot.store import State

    store = Store(tmp_path / "t.db")
    state = State(user_id="tg:1", lang="en", role="self", origin="MM", destination="TH")
    store.save(state)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "add_case_message", crash)  # fails after the case row is written
    try:
        cases.open_case(store, state, reason="distress", priority="urgent", first_message="help")
    except RuntimeError:
        pass
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    monkeypatch.undo()
    case, created = cases.open_case(store, state, reason="distress", priority="urgent", first_message="help")
    kinds = [r[0] for r in store.db.execute("SELECT kind FROM outbox WHERE case_id = ? ORDER BY id", [case["id"]])]
    assert created and kinds == ["topic", "header"]
