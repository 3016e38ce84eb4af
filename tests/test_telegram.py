"""Telegram end to end: the real Application talking HTTP to the fake Bot API."""

import asyncio


from telegram_harness import button_data, running_bot

USER = 5550001


def last_to(server, chat_id, method=None):
    calls = [c for c in server.calls if c.ok and str(c.params.get("chat_id")) == str(chat_id)
             and (method is None or c.method == method)]
    return calls[-1].params if calls else None


async def test_start_shows_a_keyboard_and_buttons_edit_in_place(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.user_sends(USER, "/start", language_code=None)
        await server.wait_for(lambda: server.texts_to(USER))
        first = last_to(server, USER, "sendMessage")
        assert "Choose your language" in first["text"]
        labels = [b["text"] for row in __import__("telegram_harness").keyboard_of(first) for b in row]
        assert "မြန်မာ" in labels and "ខ្មែរ" in labels and "English" in labels
        message_id = server.last_message_id(USER)
        server.user_presses(USER, message_id, button_data(first, "English"))
        await server.wait_for(lambda: server.sent("editMessageText", USER))
        edit = last_to(server, USER, "editMessageText")
        assert edit["text"].startswith("Who is asking?") and int(edit["message_id"]) == message_id
        assert server.sent("answerCallbackQuery"), "every button press is answered"
        # walk: role, origin, destination, then a topic screen
        for label in ("For myself", "Myanmar", "Thailand"):
            count = len(server.sent("editMessageText", USER))
            server.user_presses(USER, message_id, button_data(last_to(server, USER, "editMessageText"), label))
            await server.wait_for(lambda: len(server.sent("editMessageText", USER)) > count)
        assert last_to(server, USER, "editMessageText")["text"].startswith("Main menu")
        assert len(server.sent("sendMessage", USER)) == 1, "pressing buttons edited; it sent no new messages"


async def test_forged_button_says_expired_and_shows_the_menu(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.user_sends(USER, "/menu")
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_presses(USER, server.last_message_id(USER), "g:../../etc/passwd")
        await server.wait_for(lambda: server.sent("answerCallbackQuery"))
        answer = server.sent("answerCallbackQuery")[-1]
        assert "expired" in answer.get("text", "")
        await server.wait_for(lambda: server.sent("editMessageText", USER))
        assert server.sent("editMessageText", USER)[-1]["text"].startswith("Main menu")


async def test_sticker_long_text_edits_and_channel_posts_get_kind_answers_or_silence(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.user_sends(USER, "/menu")
        server.user_sends_media(USER, "sticker")
        await server.wait_for(lambda: any("only read text" in t for t in server.texts_to(USER)))
        server.user_sends(USER, "x" * 10_000)
        await server.wait_for(lambda: any("very long" in t for t in server.texts_to(USER)))
        message = server.user_sends(USER, "hello")["message"]
        server.user_edits(USER, message["message_id"], "hello again")
        server.channel_post(-1009999, "a channel post")
        server.user_sends(USER, "/help")
        await server.wait_for(lambda: any("Commands:" in t for t in server.texts_to(USER)))
        assert not [c for c in server.calls if c.method == "sendMessage" and str(c.params.get("chat_id")) == "-1009999"]


async def test_other_groups_get_nothing_and_the_bot_leaves(bundle, server, tmp_path):
    group = -1002222
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.user_sends(group, "/start", user_id=USER)
        server.user_sends(group, "help me I am held", user_id=USER)
        server.bot_added_to_group(-3333)
        await server.wait_for(lambda: server.sent("leaveChat"))
        await asyncio.sleep(0.3)
        assert not server.sent("sendMessage", group)
        assert str(server.sent("leaveChat")[-1]["chat_id"]) == "-3333"


async def test_deep_links_open_their_screens(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.user_sends(USER, "/start scam")
        await server.wait_for(lambda: server.texts_to(USER))
        assert server.texts_to(USER)[-1].startswith("Many people see job offers")


async def test_commands_and_descriptions_are_set_in_every_language(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        await server.wait_for(lambda: len(server.sent("setMyCommands")) >= 13)
        codes = {c.get("language_code") for c in server.sent("setMyCommands")}
        assert {None, "my", "th", "km", "lo", "vi", "id", "tl", "ne", "bn", "si", "hi", "zh"} <= codes
        assert len(server.sent("setMyDescription")) >= 13 and len(server.sent("setMyShortDescription")) >= 13


async def test_a_user_who_blocked_the_bot_is_marked_inactive(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db") as (channel, app):
        server.fail("sendMessage", status=403, chat_id=USER)
        server.user_sends(USER, "/menu")
        await server.wait_for(lambda: server.sent("sendMessage", USER, ok_only=False))
        await asyncio.sleep(0.2)
        assert channel.engine.store.user_chat(channel.user_id(USER))["active"] == 0
        assert len(server.sent("sendMessage", USER, ok_only=False)) == 1, "nothing retried for a blocked user"


async def test_one_chats_updates_run_in_order(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db"):
        server.delay = 0.05
        server.user_sends(USER, "/start", language_code="en")
        for text in ("1", "2", "1"):  # role: for myself, origin: Cambodia, destination: Thailand
            server.user_sends(USER, text)
        await server.wait_for(lambda: len(server.texts_to(USER)) >= 4, timeout=20)
        texts = server.texts_to(USER)
        assert texts[0].startswith("Who is asking?")
        assert texts[1].startswith("Which country")
        assert texts[2].startswith("Where do you want to work")
        assert texts[3].startswith("Main menu")
