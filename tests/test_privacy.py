"""Privacy in the core: case numbers, retention with the clock moved, hashed ids, /forget
of urgent and normal cases, the privacy screen, quiet mode and "Clear this chat"."""

import datetime as dt
import json
import os
import stat

import pytest

from bot import cases, idhash, limits, retention
from bot.engine import Engine
from bot.engine import privacy
from bot.engine.testing import ChatClient
from bot.i18n import SUPPORTED, translator
from bot.store import State, Store

UTC = dt.timezone.utc


def human_case(engine, user_id, text="MARKER-my contract"):
    chat = ChatClient(engine, user_id=user_id)
    chat.onboard()
    chat.press("Talk to a person")
    chat.press("Yes, talk to a person")
    chat.send(text)
    return chat


def forget(chat):
    chat.send("/forget")
    chat.press("Yes, delete everything")


def all_bytes(path):
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_a_case_number_is_never_given_twice(engine, store):
    first = human_case(engine, "tgh:a")
    number = store.open_case_for("tgh:a")["id"]
    forget(first)
    human_case(engine, "tgh:b")
    assert store.open_case_for("tgh:b")["id"] == number + 1
    # nor after retention deleted every case
    store.db.execute("UPDATE cases SET status='closed', closed_at='2000-01-01T00:00:00+00:00'")
    retention.purge(store, dt.datetime.now(UTC), retention_days=30)
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    human_case(engine, "tgh:c")
    assert store.open_case_for("tgh:c")["id"] == number + 2


def test_an_old_database_keeps_counting_from_its_highest_case(tmp_path, bundle):
    from bot.store import MIGRATIONS

    path = tmp_path / "old.db"
    store = Store(path)
    from bot.store import _v4_privacy

    before = MIGRATIONS.index(_v4_privacy)  # as before the privacy migration
    store.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(before)])
    store.db.execute("DELETE FROM meta WHERE key = 'last_case_number'")
    store.save(State(user_id="u", lang="en"))
    store.db["cases"].insert({"id": 41, "user_id": "u", "status": "closed", "priority": "normal"})
    store.db.execute("ALTER TABLE cases DROP COLUMN address")
    later = ("inbox", "checkin_plans", "checkin_links", "checkin_invites", "checkin_outgoing")  # later migrations
    for table in ("relayed_copies", "chat_messages", *(t for t in later if t in store.db.table_names())):
        store.db[table].drop()
    store.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.insert_case({"user_id": "u", "status": "open", "priority": "normal"})["id"] == 42


def test_retention_purges_what_the_readme_says(tmp_path, bundle):
    path = tmp_path / "r.db"
    store = Store(path)
    engine = Engine(bundle, store)
    now = dt.datetime.now(UTC)
    old = human_case(engine, "tgh:closed", "MARKER-CLOSED")
    cases.close_case(store, store.open_case_for("tgh:closed"), by="moderator")
    closed_id = store.db.execute("SELECT id FROM cases WHERE user_id='tgh:closed'").fetchone()[0]
    human_case(engine, "tgh:idle", "MARKER-IDLE")
    idle_id = store.open_case_for("tgh:idle")["id"]
    ChatClient(engine, user_id="tgh:menu").onboard()
    store.db["chat_messages"].insert({"user_id": "tgh:menu", "message_id": 5, "sent_at": now.timestamp()})

    # day 29: nothing is due yet
    report = retention.purge(store, now + dt.timedelta(days=29), retention_days=30)
    assert (report.closed_cases, report.expired_cases, report.warned_cases, report.users) == (0, 0, 0, 0)
    assert report.chat_message_ids == 1  # ids are useless after 48 hours: Telegram will not delete
    assert store.case(closed_id) and store.case(idle_id)

    # day 31: the closed case and its texts are gone, and no copy stays in the -wal file
    report = retention.purge(store, now + dt.timedelta(days=31), retention_days=30)
    assert report.closed_cases == 1 and store.case(closed_id) is None
    assert b"MARKER-CLOSED" not in all_bytes(path)

    # day 84: the moderators are warned in the idle case's topic, once
    retention.purge(store, now + dt.timedelta(days=84), retention_days=30)
    retention.purge(store, now + dt.timedelta(days=85), retention_days=30)
    warnings = [json.loads(r[0])["text"] for r in store.db.execute(
        "SELECT payload FROM outbox WHERE case_id = ? AND key LIKE '%expiry_warning%'", [idle_id])]
    assert len(warnings) == 1 and "will be closed" in warnings[0]

    # day 91: the idle case is closed, its texts and the user's identity deleted, the topic closed
    report = retention.purge(store, now + dt.timedelta(days=91), retention_days=30)
    assert report.expired_cases == 1
    case = store.case(idle_id)
    assert case["status"] == "closed" and case["user_id"] is None and case["address"] is None
    assert not store.case_messages(idle_id)
    kinds = [r[0] for r in store.db.execute("SELECT kind FROM outbox WHERE case_id = ? AND status = 'pending'", [idle_id])]
    assert "close_topic" in kinds
    assert b"MARKER-IDLE" not in all_bytes(path)

    # day 366: users and sessions not seen for a year are deleted
    report = retention.purge(store, now + dt.timedelta(days=366), retention_days=30)
    assert report.users == 3
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert path.with_name(path.name + "-wal").stat().st_size == 0  # checkpointed (TRUNCATE)


def test_a_closed_case_forgets_the_chat_address_once_its_last_message_is_out(engine, store):
    human_case(engine, "tgh:x")
    case = store.open_case_for("tgh:x")
    privacy.keep_address(store, "tgh:x", "777")
    cases.close_case(store, store.case(case["id"]), by="moderator")  # queues "your case is closed"
    retention.drop_addresses(store)
    assert store.case(case["id"])["address"] == "777"
    store.db.execute("UPDATE outbox SET status = 'sent' WHERE case_id = ?", [case["id"]])
    assert retention.drop_addresses(store) == 1
    assert store.case(case["id"])["address"] is None


def test_the_key_is_made_once_beside_the_database_and_kept_private(tmp_path):
    db = str(tmp_path / "k.db")
    key = idhash.load_key(db)
    assert idhash.load_key(db) == key
    assert stat.S_IMODE(os.stat(idhash.key_path(db)).st_mode) == 0o600
    assert idhash.load_key(db, "configured") == b"configured"
    assert idhash.user_id(key, 123456789) == idhash.user_id(key, 123456789) != idhash.user_id(b"other", 123456789)
    assert "123456789" not in idhash.user_id(key, 123456789)


def test_rows_keyed_by_a_raw_telegram_id_are_rehashed(tmp_path, bundle):
    path = tmp_path / "legacy.db"
    store = Store(path)
    engine = Engine(bundle, store)
    human_case(engine, "tg:987654321", "hello")  # as the bot stored users before
    ChatClient(engine, user_id="tg:555000111").onboard()
    key = b"k" * 32
    assert idhash.rehash_legacy_ids(store, key) == 2
    new = idhash.user_id(key, 987654321)
    assert store.load(new).origin == "MM"
    case = store.open_case_for(new)
    assert case["address"] == "987654321"  # the open case still needs to reach the user
    store.close()
    data = all_bytes(path)
    assert b"555000111" not in data  # nobody needs to write to a menu-only user


def test_forget_closes_a_normal_case_and_queues_the_clean_up_for_the_moderators(engine, store):
    chat = human_case(engine, "tgh:n", "MARKER-N")
    case_id = store.open_case_for("tgh:n")["id"]
    store.db.execute("UPDATE outbox SET status = 'sent' WHERE case_id = ?", [case_id])  # it reached the team
    forget(chat)
    case = store.case(case_id)
    assert case["status"] == "closed" and case["closed_by"] == "forgotten"
    assert case["user_id"] is None and case["context"] is None and case["address"] is None
    assert not store.case_messages(case_id)
    pending = [r[0] for r in store.db.execute(
        "SELECT kind FROM outbox WHERE case_id = ? AND status = 'pending' ORDER BY id", [case_id])]
    assert pending == ["erase", "note", "close_topic"]
    assert store.load("tgh:n").is_new


def test_forget_keeps_an_urgent_case_open_without_texts_or_identity(engine, store):
    chat = ChatClient(engine, user_id="tgh:u")
    chat.onboard()
    chat.send("help me they took my passport MARKER-U")
    case_id = store.open_case_for("tgh:u")["id"]
    privacy.keep_address(store, "tgh:u", "4242")
    forget(chat)
    case = store.case(case_id)
    assert case["status"] == "open" and case["priority"] == "urgent"
    assert case["user_id"] is None and case["context"] is None and case["address"] == "4242"
    assert not store.case_messages(case_id)
    header = store.db.execute("SELECT payload FROM outbox WHERE case_id = ? AND kind = 'header'", [case_id]).fetchone()
    assert "MARKER-U" not in header[0]
    notes = [json.loads(r[0])["text"] for r in store.db.execute(
        "SELECT payload FROM outbox WHERE case_id = ? AND kind = 'note'", [case_id])]
    assert any("stays open" in n for n in notes)


def test_after_forget_the_next_message_starts_from_the_beginning(engine, store):
    chat = ChatClient(engine, user_id="tgh:f")
    chat.onboard()
    forget(chat)
    assert "start from the beginning" in chat.text
    chat.send("hello")
    assert chat.screen == "ask_role"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_the_privacy_screen_says_what_is_kept_in_every_language(bundle, store, lang):
    engine = Engine(bundle, store, retention_days=45)
    chat = ChatClient(engine, user_id=f"tgh:{lang}", lang_hint=lang)
    chat.send("/privacy")
    assert chat.screen == "settings_privacy"
    assert "{" not in chat.text and "45" in chat.text
    t = translator(lang)
    assert t(privacy.T_CLEAR) in chat.labels and t(privacy.T_QUIET_TURN_ON) in chat.labels
    if lang != "en":
        assert chat.text != translator("en")(bundle.screens["settings_privacy"].text)


def test_privacy_is_reachable_from_the_menu(chat):
    chat.onboard()
    chat.press("Language and country")
    chat.press("Privacy and your data")
    assert chat.screen == "settings_privacy"


def test_quiet_mode_after_distress_and_by_the_button(chat):
    chat.onboard()
    chat.press("Emergency help")
    assert all(r.quiet_line is None for r in chat.replies)
    chat.press("Quiet mode: turn on")
    assert "Quiet mode is on" in chat.text
    assert all(r.quiet_line == privacy.T_QUIET_LINE for r in chat.replies)
    chat.press("Quiet mode: turn off")
    assert all(r.quiet_line is None for r in chat.replies)
    chat.send("help me they took my passport")
    assert chat.replies and all(r.quiet_line == privacy.T_QUIET_LINE for r in chat.replies)
    for word in ("emergency", "trafficking", "case"):
        assert word not in privacy.T_QUIET_LINE.lower()


def test_clear_is_an_action_for_the_channel(chat):
    chat.onboard()
    chat.send("/clear")
    assert [r.action for r in chat.replies] == [privacy.CLEAR_CHAT]
    assert "terminal" in chat.text  # what a channel that cannot clear shows
    chat.press_data("g:emergency")
    chat.press("Clear this chat")
    assert chat.replies[0].action == privacy.CLEAR_CHAT
    report = privacy.clear_report("en", 12, 3)
    assert "I deleted 12 messages" in report.text and "could not delete: 3" in report.text


def test_relays_of_an_urgent_case_are_quiet_unless_the_user_turned_it_off(engine, store):
    chat = ChatClient(engine, user_id="tgh:q")
    chat.onboard()
    chat.send("help me they took my passport")
    case = store.open_case_for("tgh:q")
    assert privacy.quiet_line_for_case(store, case) == privacy.T_QUIET_LINE
    chat.press_data("g:settings_privacy")
    chat.press("Quiet mode: turn off")
    assert privacy.quiet_line_for_case(store, case) is None
    human_case(engine, "tgh:normal")
    assert privacy.quiet_line_for_case(store, store.open_case_for("tgh:normal")) is None


def test_forget_before_anything_reached_the_moderators_deletes_the_case_outright(engine, store):
    chat = human_case(engine, "tgh:early")
    case_id = store.open_case_for("tgh:early")["id"]
    forget(chat)
    assert store.case(case_id) is None
    assert store.db.execute("SELECT count(*) FROM outbox WHERE case_id = ?", [case_id]).fetchone()[0] == 0


@pytest.mark.parametrize("lang", SUPPORTED)
def test_the_privacy_screen_is_a_phone_page_and_the_rest_is_behind_more(bundle, store, lang):
    engine = Engine(bundle, store, retention_days=45)
    chat = ChatClient(engine, user_id=f"tgh:{lang}", lang_hint=lang)
    chat.send("/privacy")
    assert len(chat.text) <= limits.SCREEN_TEXT_TARGET + 200  # the page plus the bot's own lines
    whole = chat.read_all()
    full = translator(lang)(bundle.screens["settings_privacy"].text).format(retention_days=45)
    for line in full.splitlines():
        assert line.strip() in whole, line  # nothing is lost across the pages
