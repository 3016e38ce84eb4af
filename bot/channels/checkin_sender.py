"""Telegram side of the safety check-ins: a periodic task that asks bot/checkins.py what is
due and sends it. Everything waits in SQLite until sent, so a restart loses nothing.

- Sent silently (disable_notification) so that a check-in does not ring on a watched phone.
- 403 (the reader blocked the bot): nothing retried; bot.checkins.undeliverable decides
  (a check-in then counts as silence only after the grace period, and the alert says so).
- Any other Bot API error: the message stays queued for the next round.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from .. import checkins, limits
from ..checkins_store import CheckinStore

if TYPE_CHECKING:
    from telegram.ext import Application

    from .telegram import TelegramChannel

log = logging.getLogger(__name__)


def chat_id_for(store, user_id: str, address: str | None = None) -> int | None:
    """Where to send a message for a user: the chat kept with the message, or on their plan
    or link (users are known by keyed hashes); None for a user of another channel."""
    address = address or CheckinStore(store).address_of(user_id)
    if address and address.lstrip("-").isdigit():
        return int(address)
    prefix, _, raw = user_id.partition(":")  # rows written before ids were hashed
    return int(raw) if prefix == "tg" and raw.lstrip("-").isdigit() else None


def markup(buttons: list[list[list[str]]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons])


class CheckinSender:
    def __init__(self, channel: "TelegramChannel", app: "Application"):
        self.channel = channel
        self.app = app
        self.store = channel.engine.store
        self.task: asyncio.Task | None = None
        self.woken = asyncio.Event()

    def wake(self) -> None:
        """After an update: messages to other people (a new link, an alert) go out at once."""
        self.woken.set()

    def start(self) -> None:
        self.task = asyncio.create_task(self.run_forever(), name="checkins")

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass

    async def run_forever(self) -> None:
        while True:
            try:
                await self.round(time.time())
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad round must not end the check-ins for everyone
                log.exception("checkin_round_failed")
            try:
                await asyncio.wait_for(self.woken.wait(), timeout=self.every)
            except asyncio.TimeoutError:
                pass
            self.woken.clear()

    @property
    def every(self) -> float:
        seconds = self.channel.engine.checkin_config.seconds
        return min(limits.CHECKIN_TICK_SECONDS, seconds / 4) if seconds else limits.CHECKIN_TICK_SECONDS

    async def round(self, now: float) -> None:
        checkins.tick(self.store, now)
        for message in checkins.pending(self.store):
            chat_id = chat_id_for(self.store, message["user_id"], message.get("address"))
            if chat_id is None:
                checkins.sent(self.store, message)  # not a Telegram user: nothing to send here
                continue
            try:
                await self.app.bot.send_message(chat_id, message["text"], reply_markup=markup(message["buttons"]),
                                                disable_notification=True)
            except Forbidden:
                checkins.undeliverable(self.store, message, now)
                self.store.set_active(message["user_id"], False)
                continue
            except RetryAfter:
                return  # the rate limiter waits; the rest goes next round
            except TelegramError as exc:
                log.warning("checkin_send_failed kind=%s error=%s", message["kind"], type(exc).__name__)
                continue
            checkins.sent(self.store, message)
