"""The moderators' side (security review findings 10, 13, 14, 16, 17): multi-line commands,
/close N, edits relayed as edits, anonymous admins, each team sees its own cases, the distress
counter, forged button data."""

import asyncio

from bot.metrics import metrics
from telegram_harness import MOD_CHAT, running_bot
from test_moderators import ALICE, USER, open_case_by_human, to_chat, wait_topic

OTHER = 7770002


def said(server, words, chat=MOD_CHAT):
    return [p["text"] for p in to_chat(server, chat) if words in p["text"]]


async def test_a_note_on_several_lines_is_saved(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        await open_case_by_human(server)
        await wait_topic(server)
        server.user_sends(MOD_CHAT, "/note\nshe sounds scared\ncall back at 6", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: said(server, "Note saved in case #1"))
        notes = [m["body"] for m in channel.engine.store.case_messages(1) if m["direction"] == "note"]
        assert notes == ["she sounds scared\ncall back at 6"]
        assert not any("scared" in t for t in server.texts_to(USER))


async def test_close_with_a_number_acts_on_that_case_or_refuses(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        await open_case_by_human(server)
        await open_case_by_human(server, user=OTHER)
        await server.wait_for(lambda: len(to_chat(server, MOD_CHAT, "createForumTopic")) == 2)
        store = channel.engine.store
        server.user_sends(MOD_CHAT, "/close 2", user_id=ALICE, thread_id=50)  # typed in case 1's topic
        await server.wait_for(lambda: said(server, "Case #2 is closed"))
        assert store.case(2)["status"] == "closed" and store.case(1)["status"] == "open"
        for wrong, answer in (("/close 99", "There is no case #99"), ("/close soon", "/close followed by the case number"),
                              ("/close 999999999999999999999", "/close followed by the case number")):
            server.user_sends(MOD_CHAT, wrong, user_id=ALICE, thread_id=50)
            await server.wait_for(lambda: said(server, answer))
        assert store.case(1)["status"] == "open"


async def test_a_moderators_edit_corrects_the_users_copy(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        sent = server.user_sends(MOD_CHAT, "Call the hotline 1234", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: any("hotline 1234" in t for t in server.texts_to(USER)))
        copy_id = server.last_message_id(USER)
        server.user_edits(MOD_CHAT, sent["message"]["message_id"], "Call the hotline 1300")
        await server.wait_for(lambda: any("1300" in p["text"] for p in to_chat(server, USER, "editMessageText")))
        edit = to_chat(server, USER, "editMessageText")[-1]
        assert int(edit["message_id"]) == copy_id and "hotline 1300" in edit["text"]
        assert edit["text"].startswith("Message from a person on our team (case #1):")
        assert server.messages[(USER, copy_id)]["text"] == edit["text"]
        assert not any("1300" in t for t in server.sent("sendMessage", USER)), "an edit, not a new message"


async def test_anonymous_admins_are_moderators_and_strangers_are_not(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        server.user_sends(MOD_CHAT, "Hello from an anonymous admin", thread_id=50, anonymous_admin=True)
        await server.wait_for(lambda: any("anonymous admin" in t for t in server.texts_to(USER)))
        server.user_sends(MOD_CHAT, "/claim", thread_id=50, anonymous_admin=True)
        await server.wait_for(lambda: said(server, "handled by an anonymous admin"))
        bot_like = server.user_sends(MOD_CHAT, "from a bot", thread_id=50, user_id=ALICE)
        bot_like["message"]["from"]["is_bot"] = True
        await asyncio.sleep(0.3)
        assert not any("from a bot" in t for t in server.texts_to(USER))


async def test_each_team_sees_only_its_own_cases(bundle, server, tmp_path):
    burmese_team = -1007777
    server.forum_chats.add(burmese_team)
    server.admin_chats.add(burmese_team)
    async with running_bot(bundle, server, tmp_path / "m.db", moderator_chats_by_lang={"my": burmese_team}):
        await open_case_by_human(server)  # English: the default team
        server.user_sends(OTHER, "/start human", language_code="my")
        await server.wait_for(lambda: server.texts_to(OTHER))
        server.user_presses(OTHER, server.last_message_id(OTHER), "a:human", language_code="my")
        await server.wait_for(lambda: to_chat(server, burmese_team, "createForumTopic"))
        for chat, mine, theirs in ((MOD_CHAT, "#1 ·", "#2 ·"), (burmese_team, "#2 ·", "#1 ·")):
            server.user_sends(chat, "/cases", user_id=ALICE)
            await server.wait_for(lambda: said(server, "Open cases (1)", chat))
            listing = said(server, "Open cases (1)", chat)[-1]
            assert mine in listing and theirs not in listing
            server.user_sends(chat, "/stats", user_id=ALICE)
            await server.wait_for(lambda: said(server, "Open cases: 1 (urgent: 0)", chat))
        server.user_sends(MOD_CHAT, "/close 2", user_id=ALICE)
        await server.wait_for(lambda: said(server, "There is no case #2 for this team"))


def test_the_distress_counter_counts_alarms(chat):
    before = metrics.counters["safebot_distress_total"]
    chat.onboard()
    chat.send("please help they took my passport and I cannot leave")
    assert metrics.counters["safebot_distress_total"] == before + 1


def test_forged_feedback_with_a_huge_number_is_expired(chat):
    chat.onboard()
    replies = chat.press_data("f:999999999999999999999:y")
    assert replies and chat.screen == "main"
