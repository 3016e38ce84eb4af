"""The bot's own answers to a user survive 5xx, time-outs and 429 (security review finding 4),
durably for urgent cases, in order, and each arrives once."""

import asyncio
import re

from bot import cases
from telegram_harness import MOD_CHAT, running_bot
from test_moderators import to_chat

DISTRESS = "please help they took my passport and I cannot leave"
USER, OTHER = 7770001, 7770002


def answers(server, chat_id, since: int = 0) -> list[str]:
    """Texts the user received, case numbers blanked (two users have two cases)."""
    return [re.sub(r"#\d+", "#N", t) for t in server.texts_to(chat_id)[since:]]


async def distress_answer(server, user) -> list[str]:
    server.user_sends(user, "/start", language_code="en")
    await server.wait_for(lambda: server.texts_to(user))
    before = len(server.texts_to(user))
    server.user_sends(user, DISTRESS)
    await server.wait_for(lambda: any("urgent case" in t for t in server.texts_to(user)))
    await asyncio.sleep(0.3)  # anything more (or doubled) would arrive now
    return answers(server, user, before)


async def test_one_502_then_one_500_and_the_whole_emergency_answer_arrives_once(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.reply_retry_base = 0.01
        expected = await distress_answer(server, OTHER)  # the same answer with no failure
        server.fail("sendMessage", status=502, chat_id=USER, description="Bad Gateway")
        server.fail("sendMessage", status=500, chat_id=USER)
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        before = len(server.texts_to(USER))
        server.user_sends(USER, DISTRESS)
        await server.wait_for(lambda: len(server.texts_to(USER)) - before >= len(expected))
        await asyncio.sleep(0.3)
        got = answers(server, USER, before)
        failed = [c for c in server.calls if not c.ok and str(c.params.get("chat_id")) == str(USER)]
        print(f"\nemergency answer: {len(expected)} messages expected, {len(got)} received after "
              f"{len(failed)} injected failures ({[c.method for c in failed]})")
        assert got == expected, "the whole answer, once, in order"
        assert len(failed) == 2, "both failures were hit"


async def test_when_telegram_keeps_failing_the_outbox_delivers_the_urgent_answer_later(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.reply_retry_base = 0.01
        channel.outbox.backoff_base = 0.05
        expected = await distress_answer(server, OTHER)
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        before = len(server.texts_to(USER))
        server.fail("sendMessage", status=500, times=5, chat_id=USER)  # more than the tries at once
        server.user_sends(USER, DISTRESS)
        await server.wait_for(lambda: len(server.texts_to(USER)) - before >= len(expected), timeout=20)
        await asyncio.sleep(0.5)
        assert answers(server, USER, before) == expected
        assert channel.engine.store.backlog(cases.TO_USER) == 0


async def test_an_answer_that_cannot_be_delivered_is_noted_in_the_case(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.reply_retry_base = 0.01
        channel.outbox.backoff_base = 0.001
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.fail("sendMessage", status=500, times=1000, chat_id=USER)
        server.user_sends(USER, DISTRESS)
        await server.wait_for(lambda: any("could not be delivered to the user" in p["text"]
                                          for p in to_chat(server, MOD_CHAT)), timeout=30)
        assert not server.texts_to(USER)[1:]


async def test_a_flood_limit_on_an_answer_is_waited_out(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        server.fail("sendMessage", status=429, retry_after=1, chat_id=USER)
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER), timeout=15)
        await asyncio.sleep(0.3)
        assert len(server.texts_to(USER)) == 1, "the answer, once"
        assert [c.ok for c in server.calls if str(c.params.get("chat_id")) == str(USER)] == [False, True]
