"""Privacy on Telegram: what the engine's privacy actions mean for a real chat.

- Messages to a user go through `send_to_user`: in discreet mode without sound
  (disable_notification) and with the neutral line first; every message id (never the
  text) is kept for "Clear this chat".
- `clear_chat` deletes the chat's messages Telegram still lets a bot delete (its own and
  the user's, within 48 hours), and counts what it could not.
- `erase_copies` (an outbox item queued by /forget) deletes the bot's copies of a user's
  words in the moderators' topic, or edits older ones to "[erased]".
- `UserChat`: where a case's relays reach its user — the case's address, the only place a
  raw chat id is kept.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, Message, Update
from telegram.error import BadRequest, Forbidden

from .. import message_ids
from ..engine import Reply
from ..engine.privacy import CLEAR_CHAT, clear_report, quiet_line_for_case
from ..forget import ERASED
from ..i18n import translator
from ..limits import DELETE_WINDOW_SECONDS
from ..store import Store
from . import tg_calls
from .tg_calls import Sent

log = logging.getLogger(__name__)

LEFT_FOR_MODERATORS = ("⚠️ {n} photo(s) or file(s) the user sent are too old for the bot to delete. "
                       "They erased their data: please delete those copies in this topic by hand.")


def sent_at(message: Message | Sent | None) -> float:
    date = getattr(message, "date", None)
    return date.timestamp() if date else time.time()


def quiet_text(reply: Reply) -> str:
    return f"{reply.quiet_line}\n{reply.text}" if reply.quiet_line else reply.text


async def send_to_user(bot: Bot, store: Store, user_id: str, chat_id: int, reply: Reply) -> Sent:
    message = await tg_calls.send_message(bot, chat_id, quiet_text(reply), reply_markup=tg_calls.reply_markup(reply),
                                          disable_notification=bool(reply.quiet_line))
    message_ids.record_chat_message(store, user_id, message.message_id, sent_at(message))
    return message


def record_incoming(store: Store, user_id: str, update: Update) -> None:
    """The user's own messages can be deleted by the bot too (within 48 hours)."""
    message = update.message
    if message is not None:
        message_ids.record_chat_message(store, user_id, message.message_id, sent_at(message))


async def clear_chat(bot: Bot, store: Store, user_id: str, chat_id: int) -> tuple[int, int]:
    """Delete what Telegram allows; returns (deleted, could not delete)."""
    deleted, kept, done = 0, 0, []
    now = time.time()
    for row in message_ids.chat_messages(store, user_id):
        done.append(row["message_id"])
        if now - row["sent_at"] > DELETE_WINDOW_SECONDS:
            kept += 1
            continue
        try:
            await bot.delete_message(chat_id, row["message_id"])
            deleted += 1
        except BadRequest:  # too old, or already deleted by the user: nothing left to do
            kept += 1
    message_ids.drop_chat_messages(store, user_id, done)
    log.info("chat_cleared deleted=%d kept=%d", deleted, kept)
    return deleted, kept


async def carry_out(bot: Bot, store: Store, user_id: str, chat_id: int, reply: Reply) -> Reply:
    """An engine action becomes what it says; returns the message to send after it."""
    if reply.action != CLEAR_CHAT:
        return reply
    deleted, kept = await clear_chat(bot, store, user_id, chat_id)
    report = clear_report(store.load(user_id).lang, deleted, kept)
    report.quiet_line = reply.quiet_line
    return report


async def carry_out_and_send(bot: Bot, store: Store, user_id: str, chat_id: int, reply: Reply) -> Sent:
    """One engine reply to a user: its action done (e.g. the chat cleared), then sent."""
    return await send_to_user(bot, store, user_id, chat_id, await carry_out(bot, store, user_id, chat_id, reply))


async def erase_copies(bot: Bot, store: Store, case: dict, chat_id: int) -> int:
    """Delete the copies Telegram lets the bot delete; replace the words of older ones with
    "[erased]". Photos and files it can neither delete nor blank are left to the
    moderators, who are asked to delete them by hand. Each copy is handled once and its id
    dropped, so a retry continues where it stopped. Returns how many were left."""
    now, left = time.time(), 0
    for copy in message_ids.copies_of(store, case["id"]):
        where = {"chat_id": copy["chat_id"], "message_id": copy["message_id"]}
        recent = now - copy["sent_at"] < DELETE_WINDOW_SECONDS
        if (recent or copy["kind"] == "media") and await _tried(bot.delete_message(**where), case):
            pass
        elif copy["kind"] == "text":
            await _tried(bot.edit_message_text(ERASED, **where), case)
        else:
            await _tried(bot.edit_message_caption(caption=ERASED, **where), case)
            left += 1
        message_ids.drop_copy(store, copy["chat_id"], copy["message_id"])
    if left:
        await bot.send_message(chat_id, LEFT_FOR_MODERATORS.format(n=left), message_thread_id=case.get("topic_id"))
    return left


async def _tried(call, case: dict) -> bool:
    try:
        await call
        return True
    except BadRequest as exc:  # too old, already gone: Telegram says no
        log.info("erase_copy_refused case=%s error=%s", case["id"], exc)
        return False


class UserChat:
    """Where and how a case's relays reach its user: the case's chat address, their
    language, quiet mode; every message id kept for "Clear this chat"."""

    def __init__(self, bot: Bot, store: Store, case: dict):
        if not case.get("address"):
            raise Forbidden("no chat address: the case is closed or the user's data is gone")
        self.bot, self.store, self.case = bot, store, case
        self.chat_id = int(case["address"])
        state = store.load(case["user_id"]) if case.get("user_id") else None
        self.t = translator((state.lang if state and not state.is_new else None) or case.get("lang"))
        self.quiet_line = quiet_line_for_case(store, case)

    async def send_message(self, text: str, reply_markup=None) -> Sent:
        reply = Reply(text=text, quiet_line=self.quiet_line)
        message = await tg_calls.send_message(self.bot, self.chat_id, quiet_text(reply), reply_markup=reply_markup,
                                              disable_notification=bool(self.quiet_line))
        self._record(message.message_id, sent_at(message))
        return message

    async def copy_message(self, from_chat_id: int, message_id: int):
        copied = await self.bot.copy_message(self.chat_id, from_chat_id, message_id,
                                             disable_notification=bool(self.quiet_line))
        self._record(copied.message_id, time.time())
        return copied

    def _record(self, message_id: int, at: float) -> None:
        if self.case.get("user_id"):
            message_ids.record_chat_message(self.store, self.case["user_id"], message_id, at)


def record_copy(store: Store, case: dict, chat_id: int, message, kind: str = "text") -> None:
    """A message in the moderators' chat that carries the user's words or context."""
    message_ids.record_copy(store, case["id"], chat_id, message.message_id, sent_at(message), kind)

