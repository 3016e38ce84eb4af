"""Privacy end to end: the real Application against the fake Bot API. /forget in the
moderators' topic (normal and urgent cases), the next case's number, marker bytes in the
database files, "Clear this chat" and quiet mode."""

import asyncio
import json

from telegram_harness import MOD_CHAT, running_bot
from test_moderators import ALICE, open_case_by_human, to_chat, wait_topic

USER = 7770031
OTHER = 7770032
DAYS = 24 * 3600
QUIET_LINE = "Hello, a new message for you."


def db_bytes(path):
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)
                    and not p.name.endswith(".key"))


def mod_texts(server):
    """What is in the moderators' chat now (after deletions and edits)."""
    return [m.get("text", "") for (chat, _), m in server.messages.items() if chat == MOD_CHAT]


def flag(value) -> bool:
    return value in (True, "true", "True")


async def forget(server, user):
    server.user_sends(user, "/forget")
    await server.wait_for(lambda: "Yes, delete everything" in str(to_chat(server, user)[-1].get("reply_markup")))
    server.user_presses(user, server.last_message_id(user), "x:forget")
    await server.wait_for(lambda: any("Your data is deleted" in t for t in server.texts_to(user)))


async def test_forget_erases_the_users_words_in_the_topic_and_closes_a_normal_case(bundle, server, tmp_path):
    db = tmp_path / "f.db"
    async with running_bot(bundle, server, db):
        server.clock_offset = -3 * DAYS  # the case began three days ago
        await open_case_by_human(server, USER)
        await wait_topic(server)
        server.user_sends(USER, "ZQXJ-OLD my contract")
        await server.wait_for(lambda: any("ZQXJ-OLD" in t for t in mod_texts(server)))
        server.user_sends_media(USER, "photo")  # its copy is dated three days ago too
        await server.wait_for(lambda: to_chat(server, MOD_CHAT, "copyMessage"))
        server.clock_offset = 0
        server.user_sends(USER, "ZQXJ-NEW what about the fees")
        await server.wait_for(lambda: any("ZQXJ-NEW" in t for t in mod_texts(server)))
        new_copy = next(p for p in to_chat(server, MOD_CHAT) if "ZQXJ-NEW" in p["text"])
        assert new_copy

        await forget(server, USER)
        await server.wait_for(lambda: to_chat(server, MOD_CHAT, "closeForumTopic"))
        # under 48 hours: deleted; older: "[erased]"; the header (with the context) too
        assert not any("ZQXJ" in t for t in mod_texts(server))
        running = sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name))
        assert {"f.db-wal", "f.db-shm"} <= set(running)
        data = db_bytes(db)  # while the bot runs: the DB, its -wal and -shm
        assert b"ZQXJ" not in data and str(USER).encode() not in data
        assert to_chat(server, MOD_CHAT, "deleteMessage")
        erased = [p for p in to_chat(server, MOD_CHAT, "editMessageText") if p["text"] == "[erased]"]
        assert len(erased) == 3  # the old relay, the header and the old photo's introduction line
        assert not any("Last screens" in t for t in mod_texts(server))
        # the old photo cannot be deleted by the bot: its caption is blanked, moderators are asked
        assert [p["caption"] for p in to_chat(server, MOD_CHAT, "editMessageCaption")] == ["[erased]"]
        assert any("too old for the bot to delete" in p["text"] for p in to_chat(server, MOD_CHAT))
        note = [p for p in to_chat(server, MOD_CHAT) if p["text"].startswith("🧹 The user erased their data")]
        assert note and "closed" in note[0]["text"] and int(note[0]["message_thread_id"]) == 50

        # a moderator who writes afterwards is told the user is gone; nothing reaches the user
        before = len(server.texts_to(USER))
        server.user_sends(MOD_CHAT, "Are you still there?", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: any("this message was not sent" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await asyncio.sleep(0.2)
        assert len(server.texts_to(USER)) == before

        # the next case gets a new number
        await open_case_by_human(server, OTHER)
        await server.wait_for(lambda: len(to_chat(server, MOD_CHAT, "createForumTopic")) == 2)
        assert to_chat(server, MOD_CHAT, "createForumTopic")[-1]["name"].startswith("#2 ·")

    data = db_bytes(db)
    assert b"ZQXJ" not in data
    assert str(USER).encode() not in data  # not in the DB, the -wal or the -shm
    print(f"\nforget: deleted={len(to_chat(server, MOD_CHAT, 'deleteMessage'))} erased={len(erased)} "
          f"checked={running}")


async def test_forget_leaves_an_urgent_case_open_for_the_moderators_without_texts(bundle, server, tmp_path):
    db = tmp_path / "u.db"
    async with running_bot(bundle, server, db):
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_sends(USER, "help me they took my passport ZQXJ-URGENT")
        _, header = await wait_topic(server)
        await server.wait_for(lambda: any("ZQXJ-URGENT" in t for t in mod_texts(server)))

        await forget(server, USER)
        await server.wait_for(lambda: any("stays open" in p["text"] for p in to_chat(server, MOD_CHAT)))
        assert not to_chat(server, MOD_CHAT, "closeForumTopic")
        assert not any("ZQXJ" in t for t in mod_texts(server))
        data = db_bytes(db)
        assert b"ZQXJ" not in data

        # the moderators can still write to the person, quietly
        server.user_sends(MOD_CHAT, "We are here. Write when it is safe.", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: any("Write when it is safe" in t for t in server.texts_to(USER)))
        relay = [p for p in to_chat(server, USER) if "Write when it is safe" in p["text"]][-1]
        assert relay["text"].startswith(QUIET_LINE + "\n") and flag(relay.get("disable_notification"))


async def test_clear_deletes_what_telegram_allows_and_says_what_it_did(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "c.db"):
        server.clock_offset = -3 * DAYS  # an old part of the conversation
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.clock_offset = 0
        server.user_sends(USER, "/menu")
        await server.wait_for(lambda: len(server.texts_to(USER)) >= 2)
        server.user_sends(USER, "/privacy")
        await server.wait_for(lambda: any("Your privacy." in t for t in server.texts_to(USER)))
        server.user_sends(USER, "/clear")
        await server.wait_for(lambda: any("I deleted" in t for t in server.texts_to(USER)))
        deleted = [int(p["message_id"]) for p in to_chat(server, USER, "deleteMessage")]
        report = [t for t in server.texts_to(USER) if "I deleted" in t][-1]
        # recent: /menu, its answer, /privacy, its answer, /clear; old: /start and its answer
        assert len(deleted) == 5
        assert "I deleted 5 messages" in report and "could not delete: 2" in report
        assert "press and hold this chat" in report
        remaining = [mid for (chat, mid) in server.messages if chat == USER]
        assert not set(deleted) & set(remaining)
        print(f"\nclear: deleted={len(deleted)} kept=2")


async def test_quiet_mode_sends_silently_with_a_neutral_first_line(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "q.db"):
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        assert not any(flag(p.get("disable_notification")) for p in to_chat(server, USER))
        server.user_sends(USER, "please help they took my passport and I cannot leave")
        await server.wait_for(lambda: any("urgent case" in t for t in server.texts_to(USER)))
        await wait_topic(server)
        after = [p for p in to_chat(server, USER) if "urgent case" in p["text"]]
        for params in after:
            first = params["text"].split("\n")[0]
            assert first == QUIET_LINE and flag(params.get("disable_notification"))
        # a moderator's reply: silent, and the preview says nothing about a case
        server.user_sends(MOD_CHAT, "Are you safe now?", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: any("Are you safe now?" in t for t in server.texts_to(USER)))
        relay = [p for p in to_chat(server, USER) if "Are you safe now?" in p["text"]][-1]
        first = relay["text"].split("\n")[0].lower()
        assert flag(relay.get("disable_notification"))
        for word in ("emergency", "trafficking", "case", "urgent"):
            assert word not in first
        # the user can turn it off on the privacy screen
        server.user_sends(USER, "/privacy")
        await server.wait_for(lambda: "a:quiet" in json.dumps(to_chat(server, USER)[-1].get("reply_markup")))
        assert "Quiet mode: turn off" in json.dumps(to_chat(server, USER)[-1].get("reply_markup"))


async def test_retention_runs_when_the_bot_starts(bundle, server, tmp_path):
    from bot.store import State, Store

    db = tmp_path / "r.db"
    store = Store(db)
    store.save(State(user_id="tgh:old", lang="en"))
    case = store.insert_case({"user_id": "tgh:old", "status": "closed", "priority": "normal",
                              "closed_at": "2020-01-01T00:00:00+00:00"})
    store.add_case_message(case["id"], "user", "text", "ZQXJ-RETAINED")
    store.close()
    async with running_bot(bundle, server, db) as (channel, _):
        await server.wait_for(lambda: channel.engine.store.case(case["id"]) is None)
        assert b"ZQXJ-RETAINED" not in db_bytes(db)
