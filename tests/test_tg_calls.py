"""The hot path's plain-JSON Bot API calls (bot.channels.tg_calls) send exactly what
python-telegram-bot's own methods send, go through its rate limiter, and fail with the
same Telegram errors."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, ExtBot

from bot.channels import tg_calls
from bot.channels.aiohttp_request import AiohttpRequest, UpdatesRequest
from bot.engine import Button, Reply
from fakebotapi import TOKEN

CHAT = 4440002


def bot_for(server, limiter=None) -> ExtBot:
    return ExtBot(TOKEN, base_url=server.base_url, request=AiohttpRequest(4),
                  get_updates_request=UpdatesRequest(1), rate_limiter=limiter)


REPLY = Reply(text="Pick one ✓", buttons=[[Button("Yes", "c:yes"), Button("No", "c:no")], [Button("Menu", "g:menu")]])


async def test_a_reply_goes_out_as_ptbs_send_message_would_send_it(server):
    async with bot_for(server) as bot:
        sent = await tg_calls.send_message(bot, CHAT, REPLY.text, reply_markup=tg_calls.reply_markup(REPLY),
                                           disable_notification=True)
        ours = server.calls[-1].params
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                       for row in REPLY.buttons])
        theirs_message = await bot.send_message(CHAT, REPLY.text, reply_markup=markup, disable_notification=True)
        theirs = server.calls[-1].params
    assert ours == theirs
    assert sent.message_id == theirs_message.message_id - 1 and sent.date == theirs_message.date


async def test_edits_and_answers_go_through_the_rate_limiter(server):
    seen = []

    class Counting(AIORateLimiter):
        async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
            seen.append(endpoint)
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    async with bot_for(server, Counting()) as bot:
        sent = await tg_calls.send_message(bot, CHAT, "first")
        await tg_calls.edit_message_text(bot, CHAT, sent.message_id, "second", tg_calls.reply_markup(REPLY))
        await tg_calls.answer_callback_query(bot, "q1", "done")
    assert seen[-3:] == ["sendMessage", "editMessageText", "answerCallbackQuery"]
    assert server.calls[-2].params["text"] == "second" and server.calls[-1].params["text"] == "done"


async def test_refusals_are_ptbs_telegram_errors(server):
    server.fail("sendMessage", 403)
    server.fail("editMessageText", 400, description="Bad Request: message is not modified")
    async with bot_for(server) as bot:
        try:
            await tg_calls.send_message(bot, CHAT, "hello")
        except Forbidden:
            pass
        else:
            raise AssertionError("a blocked user must raise Forbidden")
        try:
            await tg_calls.edit_message_text(bot, CHAT, 1, "hello")
        except BadRequest as exc:
            assert "not modified" in str(exc)
        else:
            raise AssertionError("a refused edit must raise BadRequest")
