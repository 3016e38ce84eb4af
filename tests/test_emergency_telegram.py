"""The emergency flow on Telegram (the real Application against the fake Bot API): when no
person can answer soon, the urgent case is still stored and the user is told so honestly,
with the numbers, in the language they wrote in."""

import time

from bot.engine.emergency import T_SELF_NOBODY
from bot.i18n import translator
from fakebotapi import BOT_ID
from telegram_harness import MOD_CHAT, running_bot

USER = 7770101
KHMER_CRY = "ខ្ញុំនៅប៉ោយប៉ែត គេមិនឲ្យខ្ញុំចេញទេ ជួយខ្ញុំផង"  # I'm in Poipet, they don't let me out, help me


def honest_khmer_opening() -> str:
    return translator("km")(T_SELF_NOBODY).split("(#")[0]


async def test_without_a_moderator_chat_a_khmer_cry_gets_an_honest_khmer_answer_and_numbers(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "e.db", moderator_chat_id=None) as (channel, app):
        assert channel.engine.moderators_reachable is False
        server.user_sends(USER, KHMER_CRY, language_code="en")  # the very first message; phone set to English
        await server.wait_for(lambda: any(honest_khmer_opening() in t for t in server.texts_to(USER)))
        first = next(t for t in server.texts_to(USER) if honest_khmer_opening() in t)
        assert "117" in first  # Cambodia's police line, in the same message
        case = channel.engine.store.open_case_for(channel.user_id(USER))
        assert case is not None and case["priority"] == "urgent" and case["lang"] == "km"


async def test_when_the_bot_is_removed_from_the_moderator_chat_users_are_told(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "e.db") as (channel, app):
        assert channel.engine.moderators_reachable is True
        me = {"id": BOT_ID, "is_bot": True, "first_name": "SafeBot", "username": "safe_test_bot"}
        server._push({"my_chat_member": {
            "chat": {"id": MOD_CHAT, "type": "supergroup", "title": "Moderators", "is_forum": True},
            "from": {"id": 1, "is_bot": False, "first_name": "Admin"}, "date": int(time.time()),
            "old_chat_member": {"status": "administrator", "user": me, "can_be_edited": False,
                                "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                                "can_manage_video_chats": True, "can_restrict_members": True,
                                "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                                "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False},
            "new_chat_member": {"status": "kicked", "user": me, "until_date": 0}}})
        await server.wait_for(lambda: channel.engine.moderators_reachable is False)
        server.user_sends(USER, "help me, they locked us in and took our passports", language_code="en")
        await server.wait_for(lambda: any("may not be able to answer soon" in t for t in server.texts_to(USER)))
        case = channel.engine.store.open_case_for(channel.user_id(USER))
        assert case is not None and case["priority"] == "urgent"
