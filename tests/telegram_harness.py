"""Runs the real python-telegram-bot Application (long polling) against the fake Bot API."""

from __future__ import annotations

import contextlib
import json

import asyncio

from bot.channels.telegram import Poller, TelegramChannel
from bot.config import Settings
from bot.engine import Engine
from bot.store import Store
from fakebotapi import TOKEN, FakeBotAPI

MOD_CHAT = -1001000000001  # a forum supergroup where the bot is an admin


def settings_for(server: FakeBotAPI, db_path, **extra) -> Settings:
    extra.setdefault("rate_limit", False)
    extra.setdefault("moderator_chat_id", MOD_CHAT)
    return Settings(token=TOKEN, api_base_url=server.base_url, db_path=str(db_path), **extra)


@contextlib.asynccontextmanager
async def running_bot(bundle, server: FakeBotAPI, db_path, **extra):
    """The bot polling the fake server; yields (channel, app)."""
    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)
    settings = settings_for(server, db_path, **extra)
    store = Store(db_path)
    channel = TelegramChannel(Engine(bundle, store), settings)
    app = channel.build(with_updater=False)
    poller = Poller(channel, app)
    async with app:
        await app.start()
        await channel.post_init(app)  # as `safebot run` does (bot.channels.telegram.poll)
        polling = asyncio.create_task(poller.run())
        try:
            yield channel, app
        finally:
            poller.stopping.set()
            await polling
            await channel.post_stop(app)
            await app.stop()
    store.close()


def keyboard_of(params: dict) -> list[list[dict]]:
    markup = params.get("reply_markup")
    if not markup:
        return []
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return markup["inline_keyboard"]


def button_data(params: dict, label: str) -> str:
    for row in keyboard_of(params):
        for button in row:
            if button["text"] == label or label in button["text"]:
                return button["callback_data"]
    raise LookupError(f"{label!r} not in {[b['text'] for r in keyboard_of(params) for b in r]}")
