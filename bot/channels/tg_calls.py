"""The Bot API calls of the hot path (send a reply, edit the screen, answer a button) with
plain JSON in and out.

python-telegram-bot's methods build InlineKeyboardMarkup objects, serialise them again,
and parse every returned Message with its keyboard back into frozen objects: about
0.23 ms of CPU per call, most of a call's cost (bench/README.md, issue 17). These calls go
through the very same `Bot._post` as PTB's own methods — AIORateLimiter, the request's
time-outs and retries, Telegram's errors raised as BadRequest, Forbidden, RetryAfter... —
and send the same JSON, but take the keyboard as a plain dict and keep only what we use of
the answer (the message's id and date).

`Bot._post` is python-telegram-bot's internal entry point (the one its own methods and
`Bot.do_api_request` call); `do_api_request` itself warns on every call for a method PTB
knows. The version is pinned to 22.x in pyproject.toml; tests/test_telegram.py and the
other Telegram tests go through here against the fake Bot API.
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass

from telegram import Bot

from ..engine import Reply


@dataclass(frozen=True, slots=True)
class Sent:
    """What the bot keeps of a message it sent (for "Clear this chat" and the case's copies)."""
    message_id: int
    date: dtm.datetime


def reply_markup(reply: Reply) -> dict | None:
    """A reply's buttons as Telegram's inline keyboard: the very JSON PTB's objects make."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"callback_data": b.data, "text": b.label} for b in row] for row in reply.buttons]}


async def call(bot: Bot, endpoint: str, params: dict):
    """One Bot API call on PTB's own path; None values are left out as PTB does."""
    return await bot._post(endpoint, {k: v for k, v in params.items() if v is not None})


def _sent(result: dict) -> Sent:
    return Sent(result["message_id"], dtm.datetime.fromtimestamp(result["date"], tz=dtm.timezone.utc))


async def send_message(bot: Bot, chat_id: int, text: str, reply_markup=None, **params) -> Sent:
    return _sent(await call(bot, "sendMessage", {"chat_id": chat_id, "text": text,
                                                 "reply_markup": reply_markup, **params}))


async def edit_message_text(bot: Bot, chat_id: int, message_id: int, text: str, reply_markup=None) -> None:
    await call(bot, "editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": text,
                                        "reply_markup": reply_markup})


async def answer_callback_query(bot: Bot, query_id: str, text: str | None = None) -> None:
    await call(bot, "answerCallbackQuery", {"callback_query_id": query_id, "text": text})
